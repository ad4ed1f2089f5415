"""Encoding of what the durable log stores: commands, settings, the
service's own state beside the router snapshot. Plain JSON (floats keep
their exact value through ``repr``), so a log entry can be read by any
tool; the router itself is the engine's versioned binary snapshot.

Only mutating commands are encoded (``Query`` never reaches a log).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Hashable, Sequence
from typing import Any, Optional

from ..._ccroute import Agent, Channel, Contact, Queue, Step
from ...errors import SnapshotError
from .. import commands as cmd
from ..config import RouterSettings
from ..events import EventRecord

__all__ = [
    "FORMAT",
    "encode_commands",
    "decode_commands",
    "encode_settings",
    "decode_settings",
    "encode_fingerprint",
    "decode_fingerprint",
    "encode_record",
    "decode_record",
    "check_format",
]

#: Version of the log entries and of the service part of a snapshot.
FORMAT = 1

_dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode


def check_format(found: Any, what: str) -> None:
    """Refuse data written in another format version, naming both."""
    if found != FORMAT:
        raise SnapshotError(
            f"{what} is in format version {found!r}, this server reads version {FORMAT}; "
            "use the ccroute version that wrote it (or start from an empty Redis database)"
        )


# -- configuration ---------------------------------------------------------
def encode_settings(s: RouterSettings) -> dict[str, Any]:
    """Settings as a JSON-able dict."""
    return {
        "channels": [[c.name, c.cost, c.max_per_agent, c.wrap_up] for c in s.channels],
        "queues": [
            {"name": q.name, "sl_target": q.sl_target, "sl_threshold": q.sl_threshold,
             "ordering": q.ordering, "aging_rate": q.aging_rate, "aging_max": q.aging_max,
             "max_waiting": q.max_waiting, "overflow_to": q.overflow_to,
             "overflow_after": q.overflow_after}
            for q in s.queues
        ],
        "policy": s.policy,
        "offer_timeout": s.offer_timeout,
        "seed": s.seed,
        "affinity": s.affinity,
        "affinity_wait": s.affinity_wait,
        "retain_finished": s.retain_finished,
        "missed_offer_state": s.missed_offer_state,
        "exclusion_expires_after": s.exclusion_expires_after,
    }


def decode_settings(d: dict[str, Any]) -> RouterSettings:
    """The inverse of :func:`encode_settings`."""
    channels = tuple(Channel(n, cost=c, max_per_agent=m, wrap_up=w) for n, c, m, w in d["channels"])
    queues = tuple(Queue(q.pop("name"), **{k: v for k, v in q.items() if v is not None})
                   for q in (dict(x) for x in d["queues"]))
    rest = {k: v for k, v in d.items() if k not in ("channels", "queues")}
    return RouterSettings(channels=channels, queues=queues, **rest)


# -- inputs ------------------------------------------------------------------
def _agent(a: Agent) -> list[Any]:
    return [a.id, a.skills, a.capacity, a.channels, a.state, a.attributes, a.routing_profile]


def _agent_from(v: list[Any]) -> Agent:
    id_, skills, capacity, channels, state, attributes, profile = v
    return Agent(id_, skills=skills, capacity=capacity, channels=channels, state=state,
                 attributes=attributes, routing_profile=profile)


def _contact(c: Contact) -> Any:
    d: dict[str, Any] = {"i": c.id, "c": c.channel, "q": c.queue}
    if c.priority:
        d["p"] = c.priority
    if c.requires:
        d["r"] = c.requires
    if c.prefers:
        d["f"] = c.prefers
    if c.customer is not None:
        d["u"] = c.customer
    if c.preferred_agent is not None:
        d["a"] = c.preferred_agent
    if c.preferred_wait:
        d["w"] = c.preferred_wait
    if c.steps:
        d["s"] = [[s.after, s.requires, s.when] for s in c.steps]
    if c.attributes:
        d["x"] = c.attributes
    return d


def _contact_from(d: dict[str, Any]) -> Contact:
    kw: dict[str, Any] = {}
    if "r" in d:
        kw["requires"] = d["r"]
    if "f" in d:
        kw["prefers"] = d["f"]
    if "u" in d:
        kw["customer"] = d["u"]
    if "a" in d:
        kw["preferred_agent"] = d["a"]
    if "w" in d:
        kw["preferred_wait"] = d["w"]
    if "s" in d:
        kw["steps"] = [Step(after, requires, when) for after, requires, when in d["s"]]
    if "x" in d:
        kw["attributes"] = d["x"]
    return Contact(d["i"], d["c"], d["q"], d.get("p", 0), **kw)


def encode_fingerprint(fp: Optional[Hashable]) -> Any:
    """A request fingerprint as JSON: bytes, str, int, bool, None and tuples
    of them survive exactly; anything else is kept by its ``repr``."""
    if fp is None or isinstance(fp, (str, int, float)):
        return fp
    if isinstance(fp, bytes):
        return {"b": base64.b64encode(fp).decode()}
    if isinstance(fp, tuple):
        return {"t": [encode_fingerprint(x) for x in fp]}
    return {"r": repr(fp)}


def decode_fingerprint(v: Any) -> Optional[Hashable]:
    """The inverse of :func:`encode_fingerprint`."""
    if isinstance(v, dict):
        if "b" in v:
            return base64.b64decode(v["b"])
        if "t" in v:
            return tuple(decode_fingerprint(x) for x in v["t"])
        return v["r"]  # type: ignore[no-any-return]
    return v  # type: ignore[no-any-return]


# -- commands ------------------------------------------------------------------
def _encode(c: cmd.Command) -> list[Any]:
    t = type(c)
    if t is cmd.Submit:
        return ["S", [_contact(x) for x in c.contacts], c.batch, c.idempotency_key,  # type: ignore[union-attr]
                encode_fingerprint(c.fingerprint)]  # type: ignore[union-attr]
    if t is cmd.Complete:
        return ["D", c.contact_id]  # type: ignore[union-attr]
    if t is cmd.Advance:
        return ["V"]
    if t is cmd.SetAgentState:
        return ["T", c.agent_id, c.state]  # type: ignore[union-attr]
    if t is cmd.Accept:
        return ["A", c.contact_id, c.agent_id]  # type: ignore[union-attr]
    if t is cmd.Reject:
        return ["J", c.contact_id, c.agent_id]  # type: ignore[union-attr]
    if t is cmd.Cancel:
        return ["X", c.contact_id]  # type: ignore[union-attr]
    if t is cmd.UpsertAgent:
        return ["U", _agent(c.agent), c.create_only]  # type: ignore[union-attr]
    if t is cmd.RemoveAgent:
        return ["R", c.agent_id]  # type: ignore[union-attr]
    if t is cmd.Configure:
        return ["C", encode_settings(c.settings)]  # type: ignore[union-attr]
    raise TypeError(f"command {t.__name__} cannot be logged")


def _decode(v: list[Any]) -> cmd.Command:
    k = v[0]
    if k == "S":
        return cmd.Submit(tuple(_contact_from(d) for d in v[1]), v[2], v[3], decode_fingerprint(v[4]))
    if k == "D":
        return cmd.Complete(v[1])
    if k == "V":
        return cmd.Advance()
    if k == "T":
        return cmd.SetAgentState(v[1], v[2])
    if k == "A":
        return cmd.Accept(v[1], v[2])
    if k == "J":
        return cmd.Reject(v[1], v[2])
    if k == "X":
        return cmd.Cancel(v[1])
    if k == "U":
        return cmd.UpsertAgent(_agent_from(v[1]), v[2])
    if k == "R":
        return cmd.RemoveAgent(v[1])
    if k == "C":
        return cmd.Configure(decode_settings(v[1]))
    raise SnapshotError(f"log entry holds an unknown command kind {k!r} (written by a newer server?)")


def encode_commands(commands: Sequence[cmd.Command]) -> str:
    """One round's commands as a JSON text."""
    return _dumps([_encode(c) for c in commands])


def decode_commands(text: bytes | str) -> list[cmd.Command]:
    """The inverse of :func:`encode_commands`."""
    return [_decode(v) for v in json.loads(text)]


# -- event records (stored idempotent replies) -------------------------------------
def encode_record(r: EventRecord) -> str:
    """An event record as base64 protobuf (the protocol's own event form)."""
    from .. import wire

    return base64.b64encode(wire.event_to_pb(r).SerializeToString()).decode()


def decode_record(text: str) -> EventRecord:
    """The inverse of :func:`encode_record`."""
    from ...v1 import events_pb2
    from .. import wire

    seq, event = wire.event_from_pb(events_pb2.Event.FromString(base64.b64decode(text)))
    return EventRecord(seq, event)
