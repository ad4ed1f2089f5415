"""The center a contact log shows, as scenario parts: channels (how many
contacts an agent held at once, the after-contact time agents took while
customers waited), queues, agents' skills (the types they served) and
their presence. Shared by :mod:`ccroute.sim.replay` and
:mod:`ccroute.sim.calibrate`."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Union

from . import _survival
from .logs import ContactLog, LogError
from .scenario import AgentGroup, Channel, Queue

__all__ = ["thresholds", "queues", "channels", "infer_wrap_up", "levels", "presence", "agent_groups",
           "staffing_groups", "type_names", "WrapUp", "Staffing"]

#: ``"infer"``, seconds for every channel, or seconds per channel name.
WrapUp = Union[str, float, Mapping[str, float]]
#: Per skill set (:meth:`ContactLog.skill_sets`): agents all day, or agents
#: per interval.
Staffing = Mapping[str, Union[int, Sequence[int]]]

#: Service-level threshold of a queue the log does not configure.
DEFAULT_THRESHOLD = 20.0


def thresholds(log: ContactLog, threshold: Union[float, Mapping[str, float], None]) -> dict[str, float]:
    """Per queue: ``threshold`` (seconds, or per queue name), else the
    log's recorded one, else 20 s."""
    out = {}
    for q in log.queues:
        if isinstance(threshold, Mapping):
            t = threshold.get(q, log.thresholds.get(q, DEFAULT_THRESHOLD))
        else:
            t = threshold if threshold is not None else log.thresholds.get(q, DEFAULT_THRESHOLD)
        if isinstance(t, bool) or not isinstance(t, (int, float)) or not math.isfinite(t) or t < 0:
            raise ValueError(f"threshold of queue {q!r} must be a non-negative number of seconds, got {t!r}")
        out[q] = float(t)
    return out


def queues(log: ContactLog, thr: Mapping[str, float]) -> list[Queue]:
    """One queue per queue of the log, with its service-level threshold."""
    return [Queue(q, sl_threshold=thr[q]) for q in log.queues]


#: A channel's concurrency is the most contacts agents held at once for at
#: least this share of their busy time (so that a second's overlap of two
#: calls, an artefact of whole-second clocks, does not make voice a
#: two-at-a-time channel).
CONCURRENCY_SHARE = 0.05


def _concurrency(log: ContactLog) -> dict[str, int]:
    """Per channel, how many contacts one agent holds at once: the highest
    number held for at least :data:`CONCURRENCY_SHARE` of agents' busy time."""
    spans: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for c in log.contacts:
        if c.agent is not None and c.answered is not None:
            end = c.ended if c.ended is not None else log.end
            spans[(c.agent, c.channel)] += [(c.answered, 1), (max(end, c.answered), -1)]
    at_level: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))  # channel: level: seconds
    for (_, ch), marks in spans.items():
        level, prev = 0, 0.0
        for t, d in sorted(marks):  # an end before a start at the same instant
            if level:
                at_level[ch][level] += t - prev
            level, prev = level + d, t
    out: dict[str, int] = {}
    for ch in log.channels:
        held = at_level.get(ch, {})
        busy = sum(held.values())
        out[ch] = max([lvl for lvl in held if sum(s for v, s in held.items() if v >= lvl) >= CONCURRENCY_SHARE * busy]
                      or [1]) if busy > 0 else 1
    return out


def infer_wrap_up(log: ContactLog, gap: float = 300.0) -> dict[str, float]:
    """Per channel (of one contact at a time), the mean time agents took
    from the end of a service to their next answer when the contact they
    answered next had been waiting (gaps up to ``gap``; longer ones are
    breaks): an agent idle since the end of its service who lets a
    customer wait was not ready, so the gap is the after-contact work and
    reaction time that a log does not record and that a replay must give
    its agents to have them work as the real ones did. 0 where no such gap
    is seen (agents who always took the next waiting contact at once)."""
    conc = _concurrency(log.source)
    services: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    for c in log.contacts:
        if c.agent is not None and c.answered is not None and c.ended is not None:
            services[(c.agent, c.channel)].append((c.answered, c.ended, c.answered - c.arrival))
    gaps: dict[str, list[float]] = defaultdict(list)
    for (_, ch), spans in services.items():
        if conc.get(ch, 1) > 1:
            continue
        spans.sort()
        for (_, end, _), (start, _, waited) in zip(spans, spans[1:], strict=False):
            if waited > 0 and 0 <= start - end <= gap:
                gaps[ch].append(start - end)
    return {ch: (math.fsum(gaps[ch]) / len(gaps[ch]) if gaps[ch] else 0.0) for ch in log.channels}


def channels(log: ContactLog, wrap_up: WrapUp, gap: float) -> list[Channel]:
    """One channel per channel of the log: an agent holds as many of its
    contacts at once as the log shows one doing (cost ``100 // n``), with
    the wrap-up given or inferred (:func:`infer_wrap_up`)."""
    conc = _concurrency(log.source)
    if isinstance(wrap_up, str):
        if wrap_up != "infer":
            raise ValueError(f"wrap_up must be 'infer', seconds or seconds per channel, got {wrap_up!r}")
        wu = infer_wrap_up(log, gap)
    elif isinstance(wrap_up, Mapping):
        wu = {ch: float(wrap_up.get(ch, 0.0)) for ch in log.channels}
    else:
        wu = {ch: float(wrap_up) for ch in log.channels}
    return [Channel(ch, cost=100 // conc.get(ch, 1), max_per_agent=conc.get(ch, 1), wrap_up=wu[ch])
            for ch in log.channels]


def levels(served: Counter[str]) -> dict[str, int]:
    """Skill levels from what an agent served: each type it answered, at
    ``10 × its share`` of the agent's contacts (at least 1), so that
    ``most_skilled`` prefers the agents who handled a type most."""
    total = sum(served.values())
    return {t: max(1, min(10, round(10 * n / total))) for t, n in sorted(served.items())}


def presence(log: ContactLog, gap: float) -> dict[str, list[tuple[float, float]]]:
    """Agents' on-duty spans: recorded (an event history's agent states)
    where the log has them, inferred from service activity for the agents
    it has none for (a history that starts after some agents logged in
    still counts them)."""
    inferred = log.activity(gap)
    if log.presence is None:
        return inferred
    merged = {a: list(spans) for a, spans in inferred.items()}
    merged.update({a: list(spans) for a, spans in log.presence.items() if spans})
    return merged


def agent_groups(log: ContactLog, gap: float) -> list[AgentGroup]:
    """One group per agent (its own shifts), skills from the types it
    served in the whole log; agents who served nothing are left out."""
    served = log.source.served_by()
    out = []
    for agent, spans in sorted(presence(log, gap).items()):
        if agent in served and spans:
            out.append(AgentGroup(agent, count=1, skills=levels(served[agent]), shifts=_disjoint(spans)))
    return out


def _disjoint(spans: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    return _survival.merge_spans(list(spans), 0.0)


def set_levels(log: ContactLog) -> dict[str, dict[str, int]]:
    """Per skill set, the levels of its agents' pooled contacts."""
    sets = log.source.skill_sets()
    pooled: dict[str, Counter[str]] = defaultdict(Counter)
    for served in log.source.served_by().values():
        pooled["+".join(sorted(served))].update(served)
    return {name: (levels(pooled[name]) if pooled[name] else {t: 1 for t in types}) for name, types in sets.items()}


def staffing_groups(log: ContactLog, staffing: Staffing, interval: float) -> list[AgentGroup]:
    """Groups from an explicit staffing per skill set: a number of agents
    all day, or a number per interval of ``interval`` seconds from time 0
    (agent ``j`` of a set works the intervals that have at least ``j``;
    agents with the same hours form one group)."""
    sets = set_levels(log)
    out: list[AgentGroup] = []
    for name, value in staffing.items():
        if name not in sets:
            raise ValueError(f"staffing: unknown skill set {name!r}; the log's are {sorted(sets)}")
        if isinstance(value, bool) or not isinstance(value, (int, Sequence)):
            raise ValueError(f"staffing[{name!r}]: give a number of agents or one per interval, got {value!r}")
        if isinstance(value, int):
            if value < 0:
                raise ValueError(f"staffing[{name!r}]: must be at least 0, got {value}")
            if value:
                out.append(AgentGroup(name, count=value, skills=sets[name]))
            continue
        counts = list(value)
        for k, n in enumerate(counts):
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise ValueError(f"staffing[{name!r}][{k}]: must be a whole number of agents, got {n!r}")
        patterns: dict[tuple[tuple[float, float], ...], int] = {}
        for j in range(1, max(counts, default=0) + 1):
            spans = [(k * interval, (k + 1) * interval) for k, n in enumerate(counts) if n >= j]
            key = tuple(_survival.merge_spans(spans, 0.0))
            patterns[key] = patterns.get(key, 0) + 1
        for i, (shifts, count) in enumerate(patterns.items()):
            out.append(AgentGroup(name if i == 0 else f"{name} #{i + 1}", count=count, skills=sets[name],
                                  shifts=list(shifts)))
    return out


def type_names(keys: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], str]:
    """A scenario name for each key ``(type, queue, channel[, priority])``:
    the type alone when it has one key, else the type with what tells its
    keys apart."""
    by_type: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for k in keys:
        by_type[k[0]].append(k)
    out = {}
    for t, ks in by_type.items():
        for k in ks:
            if len(ks) == 1:
                out[k] = t
                continue
            parts = [t]
            for i, label in ((1, "@"), (2, "/"), (3, " p")):
                if i < len(k) and len({x[i] for x in ks}) > 1:
                    parts.append(f"{label}{k[i]}")
            out[k] = "".join(parts)
    return out


def no_agents(log: ContactLog) -> LogError:
    """The error of a log that names no agent and no staffing."""
    return LogError(f"{log.name or 'the log'}: no agent is recorded; give staffing per skill set "
                    f"(e.g. staffing={{'all': 10}})")

