"""Replay of the Technion "Anonymous Bank" call log (February 1999).

The log (``shared/data/anonymous_bank_feb1999.txt``, see its README) records
every call: when it left the voice menu and joined the queue, how long it
waited, whether it was served (``AGENT``) or hung up (``HANG``), how long
service took and which agent served it. :func:`day_scenario` turns one day
into a trace scenario: the calls arrive when they arrived, served calls
keep their recorded service time, callers who hung up keep their recorded
patience (the wait after which they left), and the agents work when the
log shows them working. :func:`recorded` gives the same day's recorded
figures, to set against the simulated ones. :func:`to_log` gives the calls
as the general contact log of :mod:`ccroute.sim.logs` (``read_log`` reads
the file through it), which :mod:`ccroute.sim.replay` replays with every
call type as a skill.

What the log cannot tell, and the choices made here:

* the patience of a *served* caller is only known to exceed their wait:
  by default (``patience="km"``) it is drawn from the Kaplan–Meier estimate
  of the month's patience distribution (callers who hung up are events,
  served callers are censored at their wait) conditioned on exceeding the
  recorded wait, and is unlimited when that draw falls beyond the last
  observed hang-up; ``patience="unlimited"`` never lets them abandon;
* the service time of a caller who hung up is unknown: it is drawn from
  the day's recorded service times (seeded, so the scenario is fixed);
* agents' shifts are not in the log: an agent is taken as on duty from a
  service start to the end of a service, merging services separated by less
  than ``gap`` seconds (idle gaps longer than that are read as breaks);
* calls that left in the voice menu never reached the queue and are left
  out; so are ``PHANTOM`` calls and "served" calls with no server.
"""

from __future__ import annotations

import csv
import math
import os
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Optional, Union

from . import _survival
from .processes import Empirical, Trace
from .scenario import AgentGroup, Channel, ContactType, Queue, Scenario

if TYPE_CHECKING:
    from .logs import ContactLog

__all__ = ["Call", "read_calls", "busiest_days", "day_scenario", "recorded", "Recorded", "kaplan_meier", "to_log",
           "day_of"]


@dataclass(frozen=True)
class Call:
    """One call of the log that reached an agent or the queue.

    ``arrival`` is when it joined the queue (or reached an agent at once),
    in seconds since midnight; ``wait`` the recorded time in queue;
    ``served`` whether an agent answered; ``service`` the recorded service
    time (served calls); ``agent`` the agent's name (served calls).
    """

    day: str
    arrival: float
    wait: float
    served: bool
    service: float
    agent: Optional[str]
    priority: int
    kind: str


def _clock(s: str) -> float:
    h, m, sec = s.split(":")
    return int(h) * 3600.0 + int(m) * 60.0 + float(sec)


def read_calls(path: Union[str, "os.PathLike[str]"]) -> list[Call]:
    """Reads the calls of the log that reached the queue or an agent."""
    calls = []
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f, delimiter="\t")
        header = [h.strip() for h in next(rows)]
        col = {name: i for i, name in enumerate(header)}

        def get(row: list[str], name: str) -> str:
            return row[col[name]].strip()

        for row in rows:
            if not row:
                continue
            outcome = get(row, "outcome")
            if outcome == "PHANTOM":
                continue
            queued = get(row, "q_start") != "0:00:00"
            served = outcome == "AGENT"
            agent = get(row, "server")
            if served and agent == "NO_SERVER":
                continue
            if not queued and not served:
                continue  # left in the voice menu
            # A call answered at once reached the agent when it left the
            # voice menu (some served rows lack their service times).
            arrival = _clock(get(row, "q_start")) if queued else _clock(get(row, "vru_exit"))
            calls.append(Call(
                day=get(row, "date"),
                arrival=arrival,
                wait=float(get(row, "q_time")) if queued else 0.0,
                served=served,
                service=float(get(row, "ser_time")) if served else 0.0,
                agent=agent if served else None,
                priority=int(get(row, "priority")),
                kind=get(row, "type"),
            ))
    return calls


def busiest_days(calls: Sequence[Call], n: int = 3) -> list[str]:
    """The ``n`` days with the most calls reaching the queue, busiest first."""
    count: dict[str, int] = defaultdict(int)
    for c in calls:
        if c.wait > 0 or not c.served:
            count[c.day] += 1
    return sorted(count, key=lambda d: (-count[d], d))[:n]


@dataclass(frozen=True)
class Recorded:
    """A day's recorded figures over the calls of :func:`read_calls`.

    ``abandon_rate`` = hung up / all calls; ``mean_wait`` = mean time in
    queue of all calls (zero for calls answered at once); ``asa`` = mean
    wait of served calls; ``service_level`` = served within ``threshold``
    seconds / all calls; ``agents`` = distinct agents who served a call.
    """

    day: str
    calls: int
    queued: int
    abandon_rate: float
    mean_wait: float
    asa: float
    service_level: float
    agents: int


def recorded(calls: Sequence[Call], day: str, threshold: float = 20.0) -> Recorded:
    """The recorded figures of ``day``."""
    cs = [c for c in calls if c.day == day]
    if not cs:
        raise ValueError(f"no calls on day {day!r}")
    served = [c for c in cs if c.served]
    return Recorded(
        day=day,
        calls=len(cs),
        queued=sum(1 for c in cs if c.wait > 0 or not c.served),
        abandon_rate=1 - len(served) / len(cs),
        mean_wait=math.fsum(c.wait for c in cs) / len(cs),
        asa=math.fsum(c.wait for c in served) / max(1, len(served)),
        service_level=sum(1 for c in served if c.wait <= threshold) / len(cs),
        agents=len({c.agent for c in served}),
    )


def kaplan_meier(calls: Sequence[Call]) -> list[tuple[float, float]]:
    """The Kaplan–Meier estimate of patience from queued calls: callers who
    hung up give an event at their wait, served callers are censored at
    theirs. Returns ``(t, S(t))`` at each event time, ``S`` the probability
    that patience exceeds ``t``."""
    return _survival.kaplan_meier((c.wait, not c.served) for c in calls if c.wait > 0 or not c.served)


def _patience_beyond(km: list[tuple[float, float]], wait: float, rng: random.Random) -> Optional[float]:
    """A patience drawn from ``km`` given that it exceeds ``wait``."""
    return _survival.patience_beyond(km, wait, rng)


def _shifts(spans: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    return _survival.merge_spans(spans, gap)


def day_scenario(
    calls: Sequence[Call],
    day: str,
    *,
    gap: float = 300.0,
    patience: str = "km",
    priorities: bool = True,
    threshold: float = 20.0,
    replications: int = 1,
) -> Scenario:
    """A trace scenario replaying ``day``: one queue, one voice channel,
    each agent of the log its own group with the shifts read from its
    services (see the module docstring), every call replayed with its
    recorded arrival, service time and (for callers who hung up) patience;
    served callers' patience per ``patience`` (``"km"`` or ``"unlimited"``);
    ``priorities`` keeps the log's customer priority (2 = priority
    customer, served first)."""
    if patience not in ("km", "unlimited"):
        raise ValueError(f"patience must be 'km' or 'unlimited', got {patience!r}")
    cs = sorted((c for c in calls if c.day == day), key=lambda c: c.arrival)
    if not cs:
        raise ValueError(f"no calls on day {day!r}")
    km = kaplan_meier(calls) if patience == "km" else []
    services = [c.service for c in cs if c.served and c.service > 0]
    rng = random.Random(f"anonymous-bank-{day}")
    spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for c in cs:
        if c.served and c.agent is not None:
            if c.service > 0:
                start = c.arrival + c.wait
                spans[c.agent].append((start, start + c.service))
    groups = [
        AgentGroup(name=name, count=1, shifts=_shifts(s, gap))
        for name, s in sorted(spans.items())
    ]
    trace = Trace(
        times=[c.arrival for c in cs],
        handle_times=[c.service if c.served else rng.choice(services) for c in cs],
        patience=[
            (_patience_beyond(km, c.wait, rng) if km else None) if c.served else c.wait for c in cs
        ],
        priorities=[c.priority if priorities else 0 for c in cs],
    )
    return Scenario(
        name=f"Anonymous Bank 19{day[:2]}-{day[2:4]}-{day[4:]}",
        channels=[Channel("voice", cost=100, max_per_agent=1)],
        queues=[Queue("bank", sl_target=0.8, sl_threshold=threshold)],
        agent_groups=groups,
        contact_types=[ContactType(
            name="call", channel="voice", queue="bank", arrivals=trace,
            handle_time=Empirical(services),
        )],
        duration=max(c.arrival for c in cs) + 1.0,
        interval=3600.0,
        replications=replications,
    )


def day_of(day: str) -> date:
    """The date of a log day written ``YYMMDD`` (``"990216"``)."""
    yy = int(day[:2])
    return date(1900 + yy if yy >= 50 else 2000 + yy, int(day[2:4]), int(day[4:]))


def to_log(calls: Sequence[Call], name: str = "Anonymous Bank") -> "ContactLog":
    """The calls as a :class:`ccroute.sim.logs.ContactLog` (the plain form
    every other log takes; ``to_csv`` writes it): one queue ``bank`` on the
    ``voice`` channel, the call's service type (``PS``, ``NE``, ``NW``,
    ...) as its type, its customer priority, times from midnight of the
    first day (``to_log(read_calls(path)).to_csv("bank.csv")`` converts the
    file). A call served at once has no wait; a call served with no
    recorded service time has a handle time of 0."""
    from .logs import ContactLog, LoggedContact

    if not calls:
        raise ValueError("no calls")
    first = min(day_of(c.day) for c in calls)
    origin = datetime(first.year, first.month, first.day)
    out = []
    for c in calls:
        arrival = (day_of(c.day) - first).days * 86400.0 + c.arrival
        left = arrival + c.wait
        out.append(LoggedContact(
            arrival=arrival, type=c.kind, queue="bank", channel="voice",
            answered=left if c.served else None, ended=left + c.service if c.served else None,
            abandoned=None if c.served else left, agent=c.agent if c.served else None, priority=c.priority,
        ))
    return ContactLog(out, origin=origin, name=name)

