"""A contact log from a ccroute event history
(:func:`ccroute.sim.logs.log_from_events`): server records, protobuf
events, router events or their plain dicts, read into one form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Optional, Union

from .logs import ContactLog, LogError, LoggedContact

__all__ = ["read_events"]

#: Times past this (2001-09-09) are read as Unix times by ``origin="auto"``.
_UNIX_FROM = 1e9
_STATE_NAMES = {1: "offline", 2: "available", 3: "away"}


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def _plain(item: Any, i: int) -> tuple[str, dict[str, Any], float]:
    """(kind in snake case, fields, wall-clock time or 0) of one history item."""
    wall = 0.0
    if hasattr(item, "sequence") and hasattr(item, "event") and not isinstance(item, Mapping):  # an EventRecord
        wall = float(getattr(item, "wall", 0.0) or 0.0)
        item = item.event
    if hasattr(item, "WhichOneof"):  # a protobuf Event
        from ..server import wire

        wall = float(item.wall_time or 0.0)
        item = wire.event_from_pb(item)[1]
    if isinstance(item, Mapping):
        d = {_snake(str(k)): v for k, v in item.items()}
        wall = float(d.get("wall_time") or d.get("wall") or wall)
        if isinstance(d.get("event"), Mapping):
            return _plain(d["event"], i)[0:2] + (wall,)
        if "kind" in d:
            return _snake(str(d["kind"])), d, wall
        nested = [k for k, v in d.items() if isinstance(v, Mapping) and k not in ("config", "settings")]
        if len(nested) == 1:
            return nested[0], {_snake(str(k)): v for k, v in d[nested[0]].items()}, wall
        raise LogError(f"events[{i}]: cannot tell which event {dict(item)!r} is (give 'kind')")
    kind = getattr(item, "kind", None)
    if not isinstance(kind, str):
        raise LogError(f"events[{i}]: not a ccroute event, record or dict: {item!r}")
    names = ("contact", "agent", "at", "wait", "queue", "channel", "priority", "state", "from_queue", "to_queue",
             "settings")
    return _snake(kind), {n: getattr(item, n) for n in names if hasattr(item, n)}, wall


@dataclass
class _Contact:
    arrival: float
    queue: str
    channel: str
    priority: int = 0
    answered: Optional[float] = None
    ended: Optional[float] = None
    abandoned: Optional[float] = None
    agent: Optional[str] = None
    refused: bool = False

    @property
    def done(self) -> bool:
        """Its wait and service are over: an event for its id is another contact's."""
        return self.refused or self.abandoned is not None or self.ended is not None


def _state(v: Any) -> str:
    if isinstance(v, int) and not isinstance(v, bool):
        return _STATE_NAMES.get(v, "")
    return str(v or "").lower().removeprefix("agent_state_")


def _thresholds(settings: Any) -> dict[str, float]:
    data = settings.to_dict() if hasattr(settings, "to_dict") else settings
    out: dict[str, float] = {}
    if isinstance(data, Mapping):
        for q in data.get("queues") or []:
            q = q.to_dict() if hasattr(q, "to_dict") else q
            if isinstance(q, Mapping):
                t = q.get("sl_threshold", q.get("slThreshold"))
                if q.get("name") and t is not None:
                    out[str(q["name"])] = float(t)
    return out


def read_events(
    events: Iterable[Any],
    *,
    types: Union[Mapping[str, str], Callable[[str], str], None],
    origin: Union[str, datetime, None],
    name: str,
) -> ContactLog:
    contacts: dict[str, _Contact] = {}  # the current contact of each id
    every: list[tuple[str, _Contact]] = []  # (unique id, contact); a simulator reuses ids

    def new(cid: str, c: _Contact) -> _Contact:
        uses[cid] = uses.get(cid, 0) + 1
        every.append((cid if uses[cid] == 1 else f"{cid}#{uses[cid]}", c))
        contacts[cid] = c
        return c

    uses: dict[str, int] = {}
    on_since: dict[str, float] = {}
    presence: dict[str, list[tuple[float, float]]] = {}
    thresholds: dict[str, float] = {}
    agents_recorded = False
    offset: Optional[float] = None  # wall-clock minus router time
    last = 0.0
    for i, item in enumerate(events):
        kind, e, wall = _plain(item, i)
        at = float(e.get("at") or 0.0)
        last = max(last, at)
        if wall and offset is None:
            offset = wall - at
        cid = str(e.get("contact") or "")
        if kind == "queued":
            c = contacts.get(cid)
            if c is None or c.done:
                new(cid, _Contact(at, str(e.get("queue") or ""), str(e.get("channel") or ""),
                                  int(e.get("priority") or 0)))
        elif kind in ("assigned", "abandoned"):
            c = contacts.get(cid)
            if c is None or c.done:
                c = new(cid, _Contact(at - float(e.get("wait") or 0.0), str(e.get("queue") or ""),
                                      str(e.get("channel") or "")))
            if c.answered is None and c.abandoned is None:
                if kind == "assigned":
                    c.answered, c.agent = at, str(e.get("agent") or "") or None
                else:
                    c.abandoned = at
        elif kind in ("completed", "transferred"):
            c = contacts.get(cid)
            if c is not None and c.answered is not None and c.ended is None:
                c.ended = at
        elif kind == "refused":
            c = contacts.get(cid)
            if c is not None and c.answered is None:
                c.refused = True
        elif kind in ("agent_added", "agent_state_changed", "agent_removed"):
            agents_recorded = True
            agent = str(e.get("agent") or "")
            available = kind != "agent_removed" and _state(e.get("state")) == "available"
            if available and agent not in on_since:
                on_since[agent] = at
            elif not available and agent in on_since:
                presence.setdefault(agent, []).append((on_since.pop(agent), at))
        elif kind == "config_changed":
            thresholds.update(_thresholds(e.get("settings", e.get("config"))))
    for agent, since in on_since.items():
        presence.setdefault(agent, []).append((since, last))
    kept = [(cid, c) for cid, c in every if not c.refused]
    if not kept:
        raise LogError(f"{name}: no contact entered a queue in these events")
    shift, start = _origin(origin, offset, min(c.arrival for _, c in kept))

    def s(t: Optional[float]) -> Optional[float]:
        return None if t is None else t - shift

    def type_of(cid: str, queue: str) -> str:
        if types is None:
            return queue
        if callable(types):
            return str(types(cid))
        return str(types.get(cid, queue))


    out = [LoggedContact(arrival=c.arrival - shift, type=type_of(cid, c.queue), queue=c.queue,
                         channel=c.channel or "voice", answered=s(c.answered), ended=s(c.ended),
                         abandoned=s(c.abandoned), agent=c.agent, priority=c.priority, id=cid)
           for cid, c in kept]
    recorded = {a: [(b - shift, e - shift) for b, e in spans if e > b] for a, spans in presence.items()}
    return ContactLog(out, origin=start, end=last - shift, presence=recorded if agents_recorded else None,
                      thresholds=thresholds, name=name)


def _origin(origin: Union[str, datetime, None], offset: Optional[float], first: float) -> tuple[float, Optional[datetime]]:
    """(router time of the log's time 0, its date-time or None)."""
    if origin is None:
        return 0.0, None
    if isinstance(origin, str) and origin != "auto":
        try:
            origin = datetime.fromisoformat(origin)
        except ValueError:
            raise LogError(f"origin {origin!r} is not 'auto', None or an ISO 8601 date-time") from None
    if isinstance(origin, datetime):
        unix = origin.timestamp() if origin.tzinfo else origin.replace(tzinfo=timezone.utc).timestamp()
        return unix - (offset or 0.0), origin
    if offset is None and first < _UNIX_FROM:
        return 0.0, None
    unix_first = first + (offset or 0.0)
    day = datetime.fromtimestamp(unix_first, timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return day.timestamp() - (offset or 0.0), day
