"""Contact logs: what happened to each contact of a real center, read from
a plain CSV file or from a ccroute server's event history, ready to replay
(:mod:`ccroute.sim.replay`) or to fit a scenario to
(:mod:`ccroute.sim.calibrate`).

The plain form is one row per contact::

    arrival,type,queue,channel,answered,ended,abandoned,agent
    2026-03-02T08:00:04,billing,support,voice,2026-03-02T08:00:31,2026-03-02T08:04:02,,ana
    2026-03-02T08:00:09,billing,support,voice,,,2026-03-02T08:01:10,

Times are ISO 8601 date-times (with or without an offset, the same for
every row) or seconds (``123.5`` or ``H:MM:SS``). A contact is *answered*
(an answer time; its end time gives the handle time, and when it is
missing the contact was still in service when the log ends), *abandoned*
(an abandon time) or *unfinished* (neither: still waiting when the log
ends). ``type`` or ``queue`` may be left out (each then stands for the
other), so may ``channel`` (``voice``), ``agent``, ``priority`` and ``id``.
A log read from date-times counts seconds from midnight of its first
arrival's day (:attr:`ContactLog.origin`), so intervals fall on the clock's
half-hours. The Technion "Anonymous Bank" log (``bank.py``) is read as it
is: :func:`read_log` recognises its header.
"""

from __future__ import annotations

import csv
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any, Callable, Optional, Union

from ..errors import InvalidInput
from . import _survival

__all__ = ["LoggedContact", "ContactLog", "LogError", "read_log", "log_from_events", "FIELDS"]

#: The fields of a contact log, in the plain CSV form's column order.
FIELDS: tuple[str, ...] = ("arrival", "type", "queue", "channel", "answered", "ended", "abandoned", "agent",
                           "priority", "id")


class LogError(InvalidInput):
    """A contact log cannot be read; the message names the file (or
    ``rows[i]``), the line and the column of the bad value."""


@dataclass(frozen=True)
class LoggedContact:
    """One contact of a log: its arrival, its ``type`` (what it needed),
    ``queue`` and ``channel``; when it was answered and by which ``agent``,
    when service ended, or when it abandoned; times in seconds from the
    log's origin."""

    arrival: float
    type: str
    queue: str
    channel: str = "voice"
    answered: Optional[float] = None
    ended: Optional[float] = None
    abandoned: Optional[float] = None
    agent: Optional[str] = None
    priority: int = 0
    id: str = ""

    @property
    def outcome(self) -> str:
        """``"answered"``, ``"abandoned"`` or ``"unfinished"`` (still waiting
        when the log ends)."""
        if self.answered is not None:
            return "answered"
        return "abandoned" if self.abandoned is not None else "unfinished"

    @property
    def wait(self) -> Optional[float]:
        """Time in queue: until answered or abandoned (``None``: unfinished)."""
        if self.answered is not None:
            return self.answered - self.arrival
        return None if self.abandoned is None else self.abandoned - self.arrival

    @property
    def handle_time(self) -> Optional[float]:
        """End minus answer (``None`` unless both are recorded)."""
        if self.answered is None or self.ended is None:
            return None
        return self.ended - self.answered


class ContactLog:
    """The contacts of a log, sorted by arrival, and what they tell.

    Attributes:
        contacts: the :class:`LoggedContact` records.
        origin: the date-time of time 0 (``None``: the log's times were
            seconds).
        end: the instant the log ends (its last recorded time unless
            given): contacts still waiting then are censored there.
        presence: recorded on-duty spans per agent (from an event history's
            agent states), or ``None`` when the log does not record them
            (they are then inferred from service activity, :meth:`activity`).
        thresholds: service-level thresholds per queue recorded with the
            log (a server's configuration); other queues use the replay's.
        source: the whole log this one was cut from (itself if not cut):
            replays estimate what a log leaves censored from it.
        name: where the log came from.
    """

    def __init__(
        self,
        contacts: Iterable[LoggedContact],
        *,
        origin: Optional[datetime] = None,
        end: Optional[float] = None,
        presence: Optional[Mapping[str, Sequence[tuple[float, float]]]] = None,
        thresholds: Optional[Mapping[str, float]] = None,
        source: Optional["ContactLog"] = None,
        name: str = "",
    ) -> None:
        self.contacts: tuple[LoggedContact, ...] = tuple(sorted(contacts, key=lambda c: c.arrival))
        self.origin = origin
        times = [t for c in self.contacts for t in (c.arrival, c.answered, c.ended, c.abandoned) if t is not None]
        self.end: float = float(end) if end is not None else (max(times) if times else 0.0)
        self.presence: Optional[dict[str, list[tuple[float, float]]]] = (
            None if presence is None else {a: sorted((float(s), float(e)) for s, e in spans)
                                           for a, spans in presence.items()})
        self.thresholds: dict[str, float] = dict(thresholds or {})
        self.source: ContactLog = source if source is not None else self
        self.name = name

    # -- the records ------------------------------------------------------
    def __len__(self) -> int:
        return len(self.contacts)

    def __iter__(self) -> Iterator[LoggedContact]:
        return iter(self.contacts)

    def __getitem__(self, i: int) -> LoggedContact:
        return self.contacts[i]

    def __repr__(self) -> str:
        c = self.counts_total()
        return (f"ContactLog({self.name or 'contacts'!r}, {len(self)} contacts: {c['answered']} answered, "
                f"{c['abandoned']} abandoned, {c['unfinished']} unfinished; {len(self.agents)} agents)")

    @cached_property
    def types(self) -> list[str]:
        """Contact types, in order of first arrival."""
        return list(dict.fromkeys(c.type for c in self.contacts))

    @cached_property
    def queues(self) -> list[str]:
        """Queues, in order of first arrival."""
        return list(dict.fromkeys(c.queue for c in self.contacts))

    @cached_property
    def channels(self) -> list[str]:
        """Channels, in order of first arrival."""
        return list(dict.fromkeys(c.channel for c in self.contacts))

    @cached_property
    def agents(self) -> list[str]:
        """Agents who answered a contact (and agents with recorded presence), sorted."""
        names = {c.agent for c in self.contacts if c.agent is not None and c.answered is not None}
        return sorted(names | set(self.presence or ()))

    # -- numpy columns ----------------------------------------------------
    def _column(self, f: Callable[[LoggedContact], Optional[float]]) -> Any:
        import numpy as np

        return np.array([math.nan if (v := f(c)) is None else v for c in self.contacts], dtype=float)

    @cached_property
    def arrivals(self) -> Any:
        """Arrival times (numpy array)."""
        return self._column(lambda c: c.arrival)

    @cached_property
    def waits(self) -> Any:
        """Recorded waits until answered or abandoned (NaN: unfinished)."""
        return self._column(lambda c: c.wait)

    @cached_property
    def handle_times(self) -> Any:
        """Recorded handle times, end minus answer (NaN: not answered, or
        still in service when the log ends)."""
        return self._column(lambda c: c.handle_time)

    @cached_property
    def abandon_times(self) -> Any:
        """Waits after which abandoned contacts left (NaN: not abandoned)."""
        return self._column(lambda c: None if c.abandoned is None else c.abandoned - c.arrival)

    @cached_property
    def answered(self) -> Any:
        """Boolean mask of answered contacts."""
        import numpy as np

        return np.array([c.answered is not None for c in self.contacts], dtype=bool)

    @cached_property
    def abandoned(self) -> Any:
        """Boolean mask of abandoned contacts."""
        import numpy as np

        return np.array([c.answered is None and c.abandoned is not None for c in self.contacts], dtype=bool)

    # -- summaries --------------------------------------------------------
    def counts(self) -> dict[str, dict[str, int]]:
        """Per contact type: ``offered``, ``answered``, ``abandoned``, ``unfinished``."""
        out: dict[str, dict[str, int]] = {t: {"offered": 0, "answered": 0, "abandoned": 0, "unfinished": 0}
                                          for t in self.types}
        for c in self.contacts:
            out[c.type]["offered"] += 1
            out[c.type][c.outcome] += 1
        return out

    def counts_total(self) -> dict[str, int]:
        """``offered``, ``answered``, ``abandoned``, ``unfinished`` over every contact."""
        out = {"offered": len(self.contacts), "answered": 0, "abandoned": 0, "unfinished": 0}
        for c in self.contacts:
            out[c.outcome] += 1
        return out

    def served_by(self) -> dict[str, Counter[str]]:
        """Per agent: how many contacts of each type it answered."""
        out: dict[str, Counter[str]] = defaultdict(Counter)
        for c in self.contacts:
            if c.agent is not None and c.answered is not None:
                out[c.agent][c.type] += 1
        return dict(out)

    def skill_sets(self) -> dict[str, tuple[str, ...]]:
        """The distinct sets of types agents served, each named by its
        types joined with ``+`` (``"billing+sales"``); ``{"all": every
        type}`` when the log names no agent."""
        sets = {tuple(sorted(n)) for n in self.served_by().values()}
        if not sets:
            return {"all": tuple(sorted(self.types))}
        return {"+".join(s): s for s in sorted(sets)}

    def activity(self, gap: float = 300.0) -> dict[str, list[tuple[float, float]]]:
        """Per agent, on-duty spans inferred from service: from an answer to
        the end of service (the log's end if still in service), spans less
        than ``gap`` seconds apart merged (longer idle gaps read as
        breaks)."""
        spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for c in self.contacts:
            if c.agent is not None and c.answered is not None:
                spans[c.agent].append((c.answered, c.ended if c.ended is not None else max(self.end, c.answered)))
        return {a: _survival.merge_spans(s, gap) for a, s in sorted(spans.items())}

    # -- cutting ----------------------------------------------------------
    def days(self) -> list[Union[date, int]]:
        """The days with arrivals: dates for a log of date-times, day
        numbers (``arrival // 86400``) for a log of seconds."""
        idx = sorted({int(c.arrival // 86400) for c in self.contacts})
        if self.origin is None:
            return list(idx)
        return [(self.origin + timedelta(days=i)).date() for i in idx]

    def day(self, which: Union[date, str, int]) -> "ContactLog":
        """The contacts arriving on one day (a date, ``"YYYY-MM-DD"``, or a
        day number for a log of seconds), with times counted from that
        day's midnight."""
        if isinstance(which, str):
            try:
                which = date.fromisoformat(which)
            except ValueError:
                raise ValueError(f"day {which!r} is not a date (YYYY-MM-DD)") from None
        if isinstance(which, date):
            if self.origin is None:
                raise ValueError("this log's times are seconds: give a day number, not a date")
            index = (which - self.origin.date()).days
        elif isinstance(which, int) and not isinstance(which, bool):
            index = which
        else:
            raise TypeError(f"day must be a date, an ISO date string or a day number, got {which!r}")
        cut = self.between(index * 86400.0, (index + 1) * 86400.0, rebase=True)
        if not cut.contacts:
            raise ValueError(f"no contacts on day {which}; days with contacts: {[str(d) for d in self.days()]}")
        return cut

    def between(self, start: float, end: float, rebase: bool = False) -> "ContactLog":
        """The contacts arriving in ``[start, end)`` (seconds); with
        ``rebase``, times counted from ``start``. Presence is cut to the
        same window."""
        offset = start if rebase else 0.0
        keep = [_shifted(c, -offset) for c in self.contacts if start <= c.arrival < end]
        presence = None
        if self.presence is not None:
            presence = {a: [(max(s, start) - offset, min(e, end) - offset) for s, e in spans if e > start and s < end]
                        for a, spans in self.presence.items()}
        times = [t for c in keep for t in (c.arrival, c.answered, c.ended, c.abandoned) if t is not None]
        last = max(times) if times else 0.0
        if any(c.outcome == "unfinished" or (c.answered is not None and c.ended is None) for c in keep):
            # Still waiting or still in service when the source ends: the
            # source's end is where their times are censored.
            last = max(last, self.end - offset)
        origin = None if self.origin is None else self.origin + timedelta(seconds=offset)
        return ContactLog(keep, origin=origin, end=last, presence=presence, thresholds=self.thresholds,
                          source=self.source, name=self.name)

    # -- writing ----------------------------------------------------------
    def rows(self) -> list[dict[str, Any]]:
        """The contacts as rows of the plain form (times as ISO 8601 strings
        when the log has an origin, else seconds; empty strings for what
        is not recorded)."""
        def when(t: Optional[float]) -> Any:
            if t is None:
                return ""
            return t if self.origin is None else (self.origin + timedelta(seconds=t)).isoformat()

        out = []
        for c in self.contacts:
            out.append({"arrival": when(c.arrival), "type": c.type, "queue": c.queue, "channel": c.channel,
                        "answered": when(c.answered), "ended": when(c.ended), "abandoned": when(c.abandoned),
                        "agent": c.agent or "", "priority": c.priority, "id": c.id})
        return out

    def to_csv(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the log in the plain CSV form :func:`read_log` reads back."""
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(FIELDS), lineterminator="\n")
            w.writeheader()
            w.writerows(self.rows())

    def to_dataframe(self) -> Any:
        """One row per contact, times in seconds, with ``wait``,
        ``handle_time`` and ``outcome`` (needs pandas)."""
        import pandas as pd

        return pd.DataFrame([{**{f: getattr(c, f) for f in FIELDS}, "wait": c.wait, "handle_time": c.handle_time,
                              "outcome": c.outcome} for c in self.contacts])


def _shifted(c: LoggedContact, by: float) -> LoggedContact:
    if by == 0:
        return c

    def s(t: Optional[float]) -> Optional[float]:
        return None if t is None else t + by

    return replace(c, arrival=c.arrival + by, answered=s(c.answered), ended=s(c.ended), abandoned=s(c.abandoned))


# -- reading ------------------------------------------------------------------


def read_log(
    path_or_rows: Union[str, "os.PathLike[str]", Iterable[Mapping[str, Any]], Any],
    columns: Optional[Mapping[str, str]] = None,
    time_format: Optional[str] = None,
) -> ContactLog:
    """Reads a contact log: a CSV file (the plain form of this module's
    docstring, or the Anonymous Bank log), or rows already in memory
    (mappings from column names to values, or a pandas DataFrame).

    ``columns`` maps a field of :data:`FIELDS` to the column holding it
    when the names differ (``{"arrival": "start_time", "type": "skill"}``).
    ``time_format``: ``None`` reads each time as seconds (``123.5``,
    ``H:MM:SS``) or an ISO 8601 date-time, whichever it is (all times of a
    log must be of one kind); ``"seconds"`` or ``"iso"`` insists on one;
    anything else is a :meth:`datetime.strptime` format. Raises
    :class:`LogError` naming the line (``rows[i]`` in memory) and the
    column of the first bad value: an unreadable time or priority, an
    answer or abandonment before the arrival, an end before the answer, a
    contact both answered and abandoned, an end time with no answer, a
    missing type."""
    from ._log_read import read

    return read(path_or_rows, columns, time_format)


def log_from_events(
    events: Iterable[Any],
    *,
    types: Union[Mapping[str, str], Callable[[str], str], None] = None,
    origin: Union[str, datetime, None] = "auto",
    name: str = "event history",
) -> ContactLog:
    """A contact log from a ccroute event history: the records of a
    server's ``WatchEvents`` stream or Redis log (:class:`EventRecord`, or
    their protobuf ``Event``), the events a :class:`ccroute.Router` call
    returns or a plug-in policy's ``on_event`` sees, or their plain dicts
    (``{"kind": "Assigned", "contact": ..., "at": ...}`` or the protobuf
    JSON form ``{"sequence": 7, "assigned": {...}}``), in the order they
    happened.

    A contact arrives at its ``Queued`` event (a server's) or, when the
    history has none for it, ``wait`` seconds before its ``Assigned`` or
    ``Abandoned``; its first ``Assigned`` answers it, ``Completed`` (or a
    ``Transferred`` away from its first agent) ends its service. The type
    is the queue it entered unless ``types`` maps contact ids to types
    (a mapping or a function). Refused contacts are left out. Agents'
    on-duty spans are the times they spent ``available``
    (``AgentAdded``/``AgentStateChanged``/``AgentRemoved``, a server's),
    when the history has them; queues' service-level thresholds come from
    its last ``ConfigChanged``. Without ``Queued`` events (a bare router's
    or a simulation's history) a contact still waiting when the history
    ends has left no trace and is not in the log; an id used again after
    its contact ended (a simulator reuses them) is a new contact, its id
    suffixed ``#2``, ``#3``, ...

    ``origin``: ``"auto"`` counts seconds from midnight (UTC) of the first
    arrival's day when the times are Unix times (the records' wall-clock
    times say so, or the times are past 2001), else keeps them; ``None``
    keeps them; a date-time (or ISO string) counts from it."""
    from ._log_events import read_events

    return read_events(events, types=types, origin=origin, name=name)
