"""What a contact log leaves censored, estimated: patience by Kaplan–Meier,
agents' presence from their service activity. Shared by the bank log
reader (:mod:`ccroute.sim.bank`), the replay of any contact log
(:mod:`ccroute.sim.replay`) and calibration (:mod:`ccroute.sim.calibrate`).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Optional

__all__ = ["kaplan_meier", "patience_beyond", "merge_spans"]


def kaplan_meier(observations: Iterable[tuple[float, bool]]) -> list[tuple[float, float]]:
    """The Kaplan–Meier estimate of a survival function (here: patience)
    from ``(time, event)`` pairs: an event at its time (a customer who
    abandoned after waiting that long) or censored there (a customer
    answered after that wait: their patience only exceeds it). Returns
    ``(t, S(t))`` at each event time, ``S`` the probability of lasting
    beyond ``t``; empty when there is no event."""
    obs = sorted(observations)
    at_risk = len(obs)
    out: list[tuple[float, float]] = []
    surv = 1.0
    i = 0
    while i < len(obs):
        t = obs[i][0]
        events = censored = 0
        while i < len(obs) and obs[i][0] == t:
            events += obs[i][1]
            censored += not obs[i][1]
            i += 1
        if events:
            surv *= 1 - events / at_risk
            out.append((t, surv))
        at_risk -= events + censored
    return out


def patience_beyond(km: list[tuple[float, float]], wait: float, rng: random.Random) -> Optional[float]:
    """A patience drawn from the Kaplan–Meier curve ``km`` given that it
    exceeds ``wait`` (inverse transform on the conditional curve); ``None``
    (never abandons) when the draw falls beyond the last observed event."""
    s_w = 1.0
    for t, s in km:
        if t > wait:
            break
        s_w = s
    target = rng.random() * s_w
    for t, s in km:
        if t > wait and s <= target:
            return t
    return None


def merge_spans(spans: list[tuple[float, float]], gap: float) -> list[tuple[float, float]]:
    """Busy spans ``(start, end)`` merged into on-duty shifts: spans closer
    than ``gap`` seconds join (the idle time between them counts as on
    duty), longer idle gaps are read as the agent being away. Sorts
    ``spans`` in place; empty shifts are dropped."""
    spans.sort()
    out: list[list[float]] = []
    for start, end in spans:
        if out and start - out[-1][1] <= gap:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out if e > s]
