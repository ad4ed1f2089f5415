"""What-if replay of a real contact log: the contacts that came, with the
handle times they took and the patience they showed, routed again by the
real router under another policy or staffing, and set against what was
recorded.

    from ccroute import sim
    from ccroute.sim.logs import read_log
    from ccroute.sim.replay import replay
    log = read_log("contacts.csv")
    cmp = replay(log, policy="most_skilled", replications=10)
    cmp.frame            # per queue and per interval: recorded, simulated (95 % CI), difference
    cmp.plot("replay.png")

:func:`replay_scenario` builds the scenario: every contact arrives when it
arrived (a trace per contact type); an answered contact keeps its recorded
handle time; an abandoned one keeps its recorded patience (the wait after
which it left). What the log leaves censored is estimated:

* the patience of an answered contact only exceeds its wait: with
  ``patience="km"`` it is drawn from the Kaplan–Meier estimate of its
  type's patience over the whole log (abandoned contacts are events,
  answered ones censored at their wait, unfinished ones at the log's end)
  conditioned on exceeding the recorded wait, and unlimited when the draw
  falls beyond the last observed abandonment; ``"unlimited"`` never lets
  it abandon;
* the handle time of an abandoned contact (or of one still in service when
  the log ends) is drawn from its type's recorded handle times;
* agents: one group per agent, working when the log shows it on duty
  (recorded states, or service activity with idle gaps longer than
  ``gap`` read as breaks), with a skill per type it served in the whole log
  at a level of ten times its share of its contacts; or, with
  ``staffing``, groups per skill set (the distinct sets of types agents
  served) with the given numbers of agents;
* channels: an agent holds as many contacts of a channel at once as the
  log shows one doing, and gets a wrap-up after each (``wrap_up``:
  ``"infer"`` takes the mean time agents took from the end of a service to
  their next answer while a contact they could serve was waiting — the
  after-contact work and reaction time the log does not record).

Each replication draws the censored values anew (seed + replication), so
the confidence intervals cover what the log cannot tell. A type no agent
served in the log has no agent with its skill: it is warned about
(``UnservableWarning``) and its contacts can only wait or abandon.

How faithful it is: a log whose agents took the next waiting contact at
once, replayed first come first served, gives back every recorded wait
exactly, abandonments included (tested on a log made by the router). The
Anonymous Bank's three busiest days (tests/sim/test_replay.py, which
explains the rest of the gap) replay at 16.9, 9.9 and 14.0 % abandoned
against 17.1, 10.8 and 15.4 % recorded, mean waits 4–15 % shorter and
service levels 6–7 points higher than the record: the inferred wrap-up
(19–23 s) closes most of what ``bank.day_scenario`` (no wrap-up: 13.7, 6.3,
11.9 %) leaves, and the rest is that the real agents' unavailability was
not a constant after each call.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, Optional, Union

from . import _center, _survival
from ._center import Staffing, WrapUp
from ._recorded import RecordedMetrics, recorded_metrics
from ._replay_table import ReplayComparison
from .logs import ContactLog, LogError
from .processes import Empirical, Trace
from .results import Results
from .run import PolicyArg, Progress, _resolve, run
from .scenario import ContactType, Scenario

__all__ = ["replay_scenario", "replay", "recorded_metrics", "RecordedMetrics", "ReplayComparison"]


class _Replay:
    """What every replication of one log's replay shares: the center and
    the estimates of what is censored; :meth:`scenario` draws the rest."""

    def __init__(self, log: ContactLog, *, staffing: Optional[Staffing], patience: str, gap: float,
                 interval: float, threshold: Union[float, Mapping[str, float], None], wrap_up: WrapUp,
                 policy: Any, name: Optional[str]) -> None:
        if not isinstance(log, ContactLog):
            raise TypeError(f"log must be a ContactLog (see read_log), got {log!r}")
        if not log.contacts:
            raise LogError(f"{log.name or 'the log'}: no contacts to replay")
        if patience not in ("km", "unlimited"):
            raise ValueError(f"patience must be 'km' or 'unlimited', got {patience!r}")
        if isinstance(gap, bool) or not isinstance(gap, (int, float)) or gap < 0:
            raise ValueError(f"gap must be a non-negative number of seconds, got {gap!r}")
        self.log = log
        src = log.source
        self.patience = patience
        self.km: dict[str, list[tuple[float, float]]] = {}
        if patience == "km":
            obs: dict[str, list[tuple[float, bool]]] = defaultdict(list)
            for c in src.contacts:
                w = c.wait
                obs[c.type].append((src.end - c.arrival, False) if w is None else (w, c.outcome == "abandoned"))
            self.km = {t: _survival.kaplan_meier(o) for t, o in obs.items()}
        self.pools = self._pools()
        keys = list(dict.fromkeys((c.type, c.queue, c.channel) for c in log.contacts))
        self.names = _center.type_names(keys)
        thr = _center.thresholds(log, threshold)
        self.queues = _center.queues(log, thr)
        self.channels = _center.channels(log, wrap_up, gap)
        if staffing is not None:
            if not isinstance(staffing, Mapping):
                raise TypeError(f"staffing must map skill sets to agents, got {staffing!r}")
            self.groups = _center.staffing_groups(log, staffing, interval)
        else:
            self.groups = _center.agent_groups(log, gap)
        if not self.groups:
            raise _center.no_agents(log)
        self.interval = interval
        self.policy = policy
        self.name = name or f"replay of {log.name or 'a contact log'}"
        self.duration = max(c.arrival for c in log.contacts) + 1.0
        origin = log.origin
        self.epoch: Union[float, str] = origin.isoformat() if isinstance(origin, datetime) and origin.tzinfo else 0.0

    def _pools(self) -> dict[str, list[float]]:
        """Per type, the recorded handle times to draw from: the replayed
        log's, else the whole log's, else every type's."""
        def positive(log: ContactLog) -> dict[str, list[float]]:
            out: dict[str, list[float]] = defaultdict(list)
            for c in log.contacts:
                h = c.handle_time
                if h is not None and h > 0:
                    out[c.type].append(h)
            return out

        here, whole = positive(self.log), positive(self.log.source)
        every = [h for hs in here.values() for h in hs] or [h for hs in whole.values() for h in hs]
        if not every:
            raise LogError(f"{self.log.name or 'the log'}: no handle time is recorded (answered contacts with an "
                           "end time): nothing to draw service times from")
        return {t: here.get(t) or whole.get(t) or every for t in self.log.types}

    def scenario(self, seed: int, replications: int = 1) -> Scenario:
        rng = random.Random(f"ccroute-replay-{seed}")
        log = self.log
        rows: dict[str, list[tuple[float, float, Optional[float], int]]] = defaultdict(list)
        for c in log.contacts:
            pool = self.pools[c.type]
            km = self.km.get(c.type, [])
            if c.answered is not None:
                if c.ended is not None:
                    h = c.ended - c.answered
                else:  # still in service when the log ends
                    served = log.end - c.answered
                    longer = [x for x in pool if x >= served]
                    h = rng.choice(longer) if longer else max(served, max(pool))
                p = _survival.patience_beyond(km, c.answered - c.arrival, rng) if km else None
            elif c.abandoned is not None:
                h, p = rng.choice(pool), c.abandoned - c.arrival
            else:  # still waiting when the log ends
                h = rng.choice(pool)
                p = _survival.patience_beyond(km, log.end - c.arrival, rng) if km else None
            rows[self.names[(c.type, c.queue, c.channel)]].append((c.arrival, h, p, c.priority))
        types = []
        for (t, q, ch), name in self.names.items():
            r = rows[name]
            types.append(ContactType(
                name=name, channel=ch, queue=q, requires={t: 1}, handle_time=Empirical(self.pools[t]),
                arrivals=Trace(times=[x[0] for x in r], handle_times=[x[1] for x in r],
                               patience=[x[2] for x in r], priorities=[x[3] for x in r]),
            ))
        return Scenario(
            name=self.name, channels=self.channels, queues=self.queues, agent_groups=self.groups,
            contact_types=types, duration=self.duration, interval=self.interval, replications=replications,
            seed=seed, policy=self.policy, epoch=self.epoch,
        )


def _interval(value: Any) -> float:
    from ._checks import parse_duration

    seconds = parse_duration(value, "interval")
    if seconds <= 0:
        raise ValueError(f"interval must be positive, got {value!r}")
    return seconds


def replay_scenario(
    log: ContactLog,
    policy: Any = "longest_idle",
    staffing: Optional[Staffing] = None,
    patience: str = "km",
    gap: float = 300.0,
    seed: int = 0,
    *,
    interval: Union[float, str] = 1800.0,
    threshold: Union[float, Mapping[str, float], None] = None,
    wrap_up: WrapUp = "infer",
    replications: int = 1,
    name: Optional[str] = None,
) -> Scenario:
    """The scenario replaying ``log`` (see the module docstring): one trace
    per contact type with the recorded arrivals, handle times and
    patience, the censored values drawn with ``seed``; agents from the
    log's presence, or ``staffing`` per skill set (``{"billing+sales": 4}``
    all day, or a list of agents per interval of ``interval`` seconds);
    ``policy`` a built-in name or composition (a plug-in goes to
    ``sim.run``); ``threshold`` the service-level threshold (seconds, or
    per queue; default: the log's, else 20 s); ``interval`` also the
    length of the results' series. The trace carries per-contact values,
    so the scenario runs but does not save to YAML (calibrate one that
    does with :func:`ccroute.sim.calibrate.calibrate`)."""
    rp = _Replay(log, staffing=staffing, patience=patience, gap=gap, interval=_interval(interval),
                 threshold=threshold, wrap_up=wrap_up, policy=policy, name=name)
    return rp.scenario(seed, replications)


def _run_one(rp: _Replay, seed: int, policies: list[Any], labels: list[str]) -> list[dict[str, Any]]:
    scn = rp.scenario(seed)
    return [dict(run(scn, policy=p, replications=1, seed=seed, threads=1, label=lb).replications[0])
            for p, lb in zip(policies, labels, strict=True)]


def replay(
    log: ContactLog,
    policy: PolicyArg = "most_skilled",
    compare_to: Union[str, PolicyArg] = "recorded",
    replications: int = 10,
    seed: int = 0,
    *,
    interval: Union[float, str] = 1800.0,
    threshold: Union[float, Mapping[str, float], None] = None,
    patience: str = "km",
    gap: float = 300.0,
    staffing: Optional[Staffing] = None,
    wrap_up: WrapUp = "infer",
    threads: Optional[int] = None,
    progress: Optional[Progress] = None,
) -> ReplayComparison:
    """Replays ``log`` under ``policy`` for ``replications`` replications
    (each with the censored values drawn anew from ``seed + r``) and sets
    the results against the recorded figures, per queue and per interval
    of ``interval`` seconds (:class:`ReplayComparison`). ``compare_to``:
    ``"recorded"``, or another policy run on the same replications
    (common random numbers): the differences are then paired, with
    confidence intervals, and the recorded figures stay in the table.
    Other arguments as :func:`replay_scenario`; ``threads`` replications
    at once (default: every core; one for a plug-in policy)."""
    import os

    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications must be a positive integer, got {replications!r}")
    step = _interval(interval)
    rp = _Replay(log, staffing=staffing, patience=patience, gap=gap, interval=step, threshold=threshold,
                 wrap_up=wrap_up, policy="longest_idle", name=None)
    resolved = [_resolve(policy)]
    if not (isinstance(compare_to, str) and compare_to == "recorded"):
        resolved.append(_resolve(compare_to))
        if resolved[1].label == resolved[0].label:
            raise ValueError(f"compare_to names the replayed policy {resolved[0].label!r}: give another, "
                             "or 'recorded'")
    policies = [policy, compare_to][: len(resolved)]
    labels = [r.label for r in resolved]
    plugin = any(r.plugin is not None for r in resolved)
    workers = 1 if plugin else min(replications, threads or os.cpu_count() or 1)
    done = [0]

    def one(r: int) -> list[dict[str, Any]]:
        out = _run_one(rp, seed + r, policies, labels)
        done[0] += 1
        if progress is not None:
            progress(done[0], replications)
        return out

    start = time.perf_counter()
    if workers <= 1:
        reps = [one(r) for r in range(replications)]
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            reps = list(pool.map(one, range(replications)))
    wall = time.perf_counter() - start
    results = [Results(lb, rp.name, [rep[i] for rep in reps], wall_time=wall) for i, lb in enumerate(labels)]
    recorded = recorded_metrics(log, step, threshold)
    return ReplayComparison(log, recorded, results[0], results[1] if len(results) > 1 else None)

