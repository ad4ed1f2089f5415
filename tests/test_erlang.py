"""Tests of ccroute.erlang against independent computations.

Reference values come from exact rational arithmetic, log-space sums with
``math.lgamma``, the numerically solved birth-death chain of the M/M/n+M
queue (numpy), uniformization of the tagged caller's Markov chain, and a
small discrete-event simulation -- never from the module itself.
"""

from __future__ import annotations

import heapq
import importlib.util
import math
import random
import re
import sys
from collections import deque
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

try:
    from ccroute import erlang
except ImportError:  # the native extension may not be built: load the package from its files
    _PATH = Path(__file__).resolve().parents[1] / "python" / "ccroute" / "erlang" / "__init__.py"
    _spec = importlib.util.spec_from_file_location(
        "_ccroute_erlang_standalone", _PATH, submodule_search_locations=[str(_PATH.parent)]
    )
    assert _spec is not None and _spec.loader is not None
    erlang = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = erlang
    _spec.loader.exec_module(erlang)

assert isinstance(erlang, ModuleType)

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    HAVE_HYPOTHESIS = True
except ImportError:  # pragma: no cover
    HAVE_HYPOTHESIS = False


# ---------------------------------------------------------------------------
# independent reference implementations
# ---------------------------------------------------------------------------


def ref_erlang_b_exact(a: int, n: int) -> Fraction:
    """(a^n/n!) / sum_{k<=n} a^k/k!, exactly."""
    terms = [Fraction(a**k, math.factorial(k)) for k in range(n + 1)]
    return terms[-1] / sum(terms)


def ref_erlang_c_exact(a: int, n: int) -> Fraction:
    """Erlang C from its textbook sum formula, exactly (n > a)."""
    terms = [Fraction(a**k, math.factorial(k)) for k in range(n)]
    top = Fraction(a**n, math.factorial(n)) * Fraction(n, n - a)
    return top / (sum(terms) + top)


def _log_terms(a: float, n: int) -> np.ndarray:
    k = np.arange(n + 1, dtype=float)
    lg = np.array([math.lgamma(x + 1.0) for x in k])
    return k * math.log(a) - lg


def _logsumexp(v: np.ndarray) -> float:
    m = float(v.max())
    return m + math.log(float(np.exp(v - m).sum()))


def ref_erlang_b_log(a: float, n: int) -> float:
    lt = _log_terms(a, n)
    return math.exp(float(lt[-1]) - _logsumexp(lt))


def ref_erlang_c_log(a: float, n: int) -> float:
    lt = _log_terms(a, n)
    top = float(lt[-1]) + math.log(n / (n - a))
    return math.exp(top - _logsumexp(np.append(lt[:-1], top)))


def birth_death(lam: float, aht: float, patience: float, n: int, extra: int = 4000) -> np.ndarray:
    """Stationary distribution of the M/M/n+M chain by detailed balance,
    truncated ``extra`` states above n (far beyond any mass in the tests)."""
    mu, theta = 1.0 / aht, 1.0 / patience
    k = np.arange(1, n + extra + 1, dtype=float)
    death = np.minimum(k, n) * mu + np.maximum(k - n, 0.0) * theta
    logp = np.concatenate(([0.0], np.cumsum(math.log(lam) - np.log(death))))
    p = np.exp(logp - logp.max())
    return p / p.sum()


def ref_erlang_a(lam: float, aht: float, patience: float, n: int) -> dict[str, float]:
    """p_wait, p_abandon, asa (answered), busy agents, from the chain."""
    p = birth_death(lam, aht, patience, n)
    mu, theta = 1.0 / aht, 1.0 / patience
    k = np.arange(p.size)
    p_wait = float(p[n:].sum())
    p_ab = float(theta * (p * np.maximum(k - n, 0)).sum() / lam)
    # a caller finding i waiting ahead is answered with probability
    # n mu / (n mu + (i+1) theta); E[W; answered | i] = that * sum 1/rates
    rates = n * mu + (np.arange(p.size - n) + 1) * theta
    served = n * mu / rates
    wait_served = float((p[n:] * served * np.cumsum(1.0 / rates)).sum())
    return {
        "p_wait": p_wait,
        "p_abandon": p_ab,
        "asa": wait_served / (1.0 - p_ab),
        "busy": float((p * np.minimum(k, n)).sum()),
    }


def ref_erlang_a_sl(lam: float, aht: float, patience: float, n: int, t: float) -> float:
    """P(answered within t) by uniformization: a caller with j others ahead
    moves to j-1 at rate n mu + j theta (to 'answered' from j = 0) and
    abandons at rate theta."""
    p = birth_death(lam, aht, patience, n, extra=600)
    tail = p[n:]
    jmax = int(np.nonzero(tail > 1e-18 * tail.max())[0].max()) + 1
    tail = tail[:jmax]
    mu, theta = 1.0 / aht, 1.0 / patience
    rates = n * mu + np.arange(jmax) * theta
    lam_u = float(rates.max() + theta)
    stay = 1.0 - (rates + theta) / lam_u
    move = rates / lam_u
    h = np.zeros(jmax + 1)  # P(answered within k jumps | start j); last = answered
    h[-1] = 1.0
    acc = np.zeros(jmax + 1)
    m = lam_u * t
    for step in range(int(m + 12 * math.sqrt(m) + 40)):
        weight = math.exp(-m + step * math.log(m) - math.lgamma(step + 1)) if m > 0 else float(step == 0)
        acc += weight * h
        down = np.concatenate(([h[-1]], h[: jmax - 1]))
        h = np.concatenate((stay * h[:jmax] + move * down, [1.0]))
    return float(p[:n].sum() + (tail * acc[:jmax]).sum())


def simulate_erlang_a(
    lam: float, aht: float, patience: float, n: int, t: float, arrivals: int, seed: int
) -> tuple[float, float, float]:
    """Discrete-event M/M/n+M, FCFS: (service level, p_abandon, asa)."""
    rng = random.Random(seed)
    completions: list[float] = []
    queue: deque[tuple[float, int]] = deque()  # (deadline, caller)
    arrived = [0.0] * arrivals
    outcome: list[float | None] = [None] * arrivals  # wait if answered, nan if abandoned
    free = n
    now = 0.0
    for i in range(arrivals):
        now += rng.expovariate(lam)
        while completions and completions[0] <= now:
            s = heapq.heappop(completions)
            while queue and queue[0][0] < s:
                outcome[queue.popleft()[1]] = math.nan
            if queue:
                j = queue.popleft()[1]
                outcome[j] = s - arrived[j]
                heapq.heappush(completions, s + rng.expovariate(1.0 / aht))
            else:
                free += 1
        arrived[i] = now
        if free:
            free -= 1
            outcome[i] = 0.0
            heapq.heappush(completions, now + rng.expovariate(1.0 / aht))
        else:
            queue.append((now + rng.expovariate(1.0 / patience), i))
    done = [w for w in outcome[1000:] if w is not None]  # drop warm-up
    answered = [w for w in done if not math.isnan(w)]
    return (
        sum(w <= t for w in answered) / len(done),
        1.0 - len(answered) / len(done),
        sum(answered) / len(answered),
    )


# ---------------------------------------------------------------------------
# Erlang B and C
# ---------------------------------------------------------------------------


def test_published_values() -> None:
    # Erlang B table: 10 Erlangs on 10 trunks blocks 21.458 %
    assert erlang.erlang_b(10, 10) == pytest.approx(0.21458, abs=5e-6)
    # M/M/3 at load 2: P(wait) = 4/9
    assert erlang.erlang_c(2, 3) == pytest.approx(4 / 9, rel=1e-12)
    # 100 calls per 30 min, AHT 180 s -> 10 Erlangs; 12 agents wait 44.94 %
    load = 100 / 1800 * 180
    assert erlang.erlang_c(load, 12) == pytest.approx(0.4494, abs=5e-5)
    c = float(ref_erlang_c_exact(10, 12))
    # 20 s service level: 1 - C exp(-(12-10) 20/180) = 64.02 %, ASA 40.4 s
    assert erlang.service_level(load, 12, 180, 20) == pytest.approx(
        1 - c * math.exp(-2 * 20 / 180), rel=1e-12
    )
    assert erlang.service_level(load, 12, 180, 20) == pytest.approx(0.6402, abs=5e-5)
    assert erlang.asa(load, 12, 180) == pytest.approx(c * 180 / 2, rel=1e-12)
    assert erlang.asa(load, 12, 180) == pytest.approx(40.44, abs=5e-3)
    assert erlang.occupancy(load, 12) == pytest.approx(10 / 12)


@pytest.mark.parametrize("a", [1, 2, 5, 10, 17, 30])
def test_erlang_b_and_c_exact_rational(a: int) -> None:
    for n in range(1, 3 * a + 6):
        assert erlang.erlang_b(a, n) == pytest.approx(float(ref_erlang_b_exact(a, n)), rel=1e-12)
        if n > a:
            assert erlang.erlang_c(a, n) == pytest.approx(float(ref_erlang_c_exact(a, n)), rel=1e-11)
        else:
            assert erlang.erlang_c(a, n) == 1.0


def test_brute_force_grid_log_space() -> None:
    for a in [0.01, 0.5, 1.7, 3.3, 9.99, 24.5, 61.2, 150.0, 480.25]:
        for n in sorted({1, 2, 3, int(a), int(a) + 1, int(a) + 2, int(1.2 * a) + 3, int(2 * a) + 5}):
            if n < 1:
                continue
            assert erlang.erlang_b(a, n) == pytest.approx(ref_erlang_b_log(a, n), rel=1e-9, abs=1e-300)
            if n > a:
                c = ref_erlang_c_log(a, n)
                assert erlang.erlang_c(a, n) == pytest.approx(c, rel=1e-9, abs=1e-300)
                for t, aht in [(0.0, 1.0), (20.0, 180.0), (3.0, 2.0)]:
                    assert erlang.service_level(a, n, aht, t) == pytest.approx(
                        1 - c * math.exp(-(n - a) * t / aht), rel=1e-9, abs=1e-15
                    )
                assert erlang.asa(a, n, 60.0) == pytest.approx(c * 60.0 / (n - a), rel=1e-9, abs=1e-300)


def test_large_systems_are_stable() -> None:
    b = erlang.erlang_b(9900, 10_000)
    c = erlang.erlang_c(9900, 10_000)
    assert b == pytest.approx(ref_erlang_b_log(9900, 10_000), rel=1e-8)
    assert c == pytest.approx(ref_erlang_c_log(9900, 10_000), rel=1e-8)
    for v in (b, c, erlang.service_level(9900, 10_000, 180, 20), erlang.occupancy(9900, 10_000)):
        assert math.isfinite(v) and 0.0 <= v <= 1.0
    assert 0.0 < erlang.asa(9900, 10_000, 180) < math.inf
    assert erlang.erlang_b(10_000, 1) == pytest.approx(10_000 / 10_001)
    assert 0.0 <= erlang.erlang_b(1.0, 10_000) < 1e-300  # underflows quietly


@pytest.mark.parametrize("load,agents", [(10, 10), (10.5, 10), (12, 3), (9999.5, 9999), (1e4, 1)])
def test_unstable_erlang_c(load: float, agents: int) -> None:
    assert erlang.erlang_c(load, agents) == 1.0
    assert erlang.service_level(load, agents, 180, 20) == 0.0
    assert erlang.asa(load, agents, 180) == math.inf
    assert erlang.occupancy(load, agents) == 1.0


def test_zero_load() -> None:
    assert erlang.erlang_b(0, 3) == 0.0
    assert erlang.erlang_c(0, 1) == 0.0
    assert erlang.service_level(0, 1, 180, 0) == 1.0
    assert erlang.asa(0, 1, 180) == 0.0
    assert erlang.occupancy(0, 5) == 0.0
    r = erlang.erlang_a(0, 180, 60, 2, 20)
    assert (r.p_wait, r.p_abandon, r.service_level, r.asa) == (0.0, 0.0, 1.0, 0.0)
    assert erlang.required_agents(0, 180, 0.8, 20) == 0


def test_integral_agent_types_accepted() -> None:
    assert erlang.erlang_c(10, 12.0) == erlang.erlang_c(10, 12) == erlang.erlang_c(10, np.int64(12))


# ---------------------------------------------------------------------------
# Erlang A
# ---------------------------------------------------------------------------

ERLANG_A_CASES = [
    # arrival_rate, aht, patience, agents, threshold
    (1.5, 1.0, 2.0, 2, 0.5),
    (100 / 1800, 180.0, 120.0, 9, 20.0),
    (100 / 1800, 180.0, 120.0, 14, 20.0),
    (5.0, 1.0, 0.01, 3, 0.1),  # very impatient
    (3.0, 1.0, 50.0, 4, 0.3),  # very patient
    (1.0, 1.0, 1.0, 1, 1.0),
    (100.0, 1.0, 0.5, 80, 0.2),  # overloaded: 80 agents for 100 Erlangs
    (100.0, 1.0, 5.0, 110, 0.0),
]


@pytest.mark.parametrize("case", ERLANG_A_CASES)
def test_erlang_a_matches_birth_death_chain(case: tuple[float, float, float, int, float]) -> None:
    lam, aht, patience, n, t = case
    r = erlang.erlang_a(lam, aht, patience, n, t)
    ref = ref_erlang_a(lam, aht, patience, n)
    assert r.p_wait == pytest.approx(ref["p_wait"], rel=1e-9)
    assert r.p_abandon == pytest.approx(ref["p_abandon"], rel=1e-9)
    assert r.asa == pytest.approx(ref["asa"], rel=1e-9)
    assert r.occupancy == pytest.approx(ref["busy"] / n, rel=1e-9)
    assert r.mean_wait == pytest.approx(ref["p_abandon"] * patience, rel=1e-9)
    assert r.service_level == pytest.approx(ref_erlang_a_sl(lam, aht, patience, n, t), rel=1e-9)
    assert r.load == pytest.approx(lam * aht)
    assert 0.0 <= r.service_level <= 1.0 - r.p_abandon + 1e-15
    assert r.p_abandon <= r.p_wait
    assert r.service_level_answered == pytest.approx(r.service_level / (1 - r.p_abandon))


def test_erlang_a_birth_death_by_linear_algebra() -> None:
    # Solve pi Q = 0 for a small truncated generator directly.
    lam, aht, patience, n, t = 2.0, 1.0, 0.7, 2, 0.4
    size = 60
    q = np.zeros((size, size))
    for k in range(size):
        if k + 1 < size:
            q[k, k + 1] = lam
        if k > 0:
            q[k, k - 1] = min(k, n) / aht + max(k - n, 0) / patience
        q[k, k] = -q[k].sum()
    system = np.vstack([q.T, np.ones(size)])
    rhs = np.zeros(size + 1)
    rhs[-1] = 1.0
    pi = np.linalg.lstsq(system, rhs, rcond=None)[0]
    r = erlang.erlang_a(lam, aht, patience, n, t)
    assert r.p_wait == pytest.approx(pi[n:].sum(), rel=1e-9)
    queue = np.maximum(np.arange(size) - n, 0)
    assert r.mean_queue_length == pytest.approx((pi * queue).sum(), rel=1e-9)


def test_erlang_a_monte_carlo() -> None:
    lam, aht, patience, n, t = 2.4, 1.0, 2.0, 3, 0.25
    r = erlang.erlang_a(lam, aht, patience, n, t)
    # 200k callers (~0.3 s); standard errors about 0.0015, 0.0007 and 0.7 %
    sl, p_ab, asa_sim = simulate_erlang_a(lam, aht, patience, n, t, 200_000, seed=20240611)
    assert sl == pytest.approx(r.service_level, abs=0.008)
    assert p_ab == pytest.approx(r.p_abandon, abs=0.004)
    assert asa_sim == pytest.approx(r.asa, rel=0.04)


def test_erlang_a_tends_to_erlang_c_when_patient() -> None:
    lam, aht, n, t = 100 / 1800, 180.0, 12, 20.0
    load = lam * aht
    r = erlang.erlang_a(lam, aht, 1e9 * aht, n, t)
    assert r.p_abandon < 1e-7
    assert r.p_wait == pytest.approx(ref_erlang_c_log(load, n), rel=1e-6)
    assert r.service_level == pytest.approx(erlang.service_level(load, n, aht, t), rel=1e-6)
    assert r.asa == pytest.approx(erlang.asa(load, n, aht), rel=1e-6)
    assert r.occupancy == pytest.approx(load / n, rel=1e-6)
    # and the convergence is monotone in patience
    gaps = [
        abs(erlang.erlang_a(lam, aht, p, n, t).service_level - erlang.service_level(load, n, aht, t))
        for p in (60.0, 600.0, 6000.0, 60000.0)
    ]
    assert gaps == sorted(gaps, reverse=True)


def test_erlang_a_tends_to_erlang_b_when_impatient() -> None:
    for load, n in [(10.0, 12), (10.0, 8), (3.0, 1), (500.0, 480)]:
        r = erlang.erlang_a(load, 1.0, 1e-9, n, 0.5)  # patience -> 0
        b = ref_erlang_b_log(load, n)
        assert r.p_wait == pytest.approx(b, rel=1e-5)
        assert r.p_abandon == pytest.approx(r.p_wait, rel=1e-5)
        assert r.service_level == pytest.approx(1 - b, rel=1e-5)


def test_erlang_a_threshold_extremes() -> None:
    lam, aht, patience, n = 10 / 180, 180.0, 90.0, 11
    r0 = erlang.erlang_a(lam, aht, patience, n, 0)
    assert r0.service_level == pytest.approx(1 - r0.p_wait, rel=1e-12)
    rinf = erlang.erlang_a(lam, aht, patience, n, math.inf)
    assert rinf.service_level == pytest.approx(1 - rinf.p_abandon, rel=1e-12)
    assert rinf.service_level_answered == pytest.approx(1.0)


def test_erlang_a_large_systems_are_stable() -> None:
    for args in [
        (9900.0, 1.0, 10.0, 10_000, 0.05),
        (9900.0, 1.0, 1e6, 10_000, 0.05),
        (10_000.0, 1.0, 1.0, 5_000, 0.1),  # half the agents needed
        (10_000.0, 1.0, 1e6, 1, 0.1),
        (1.0, 1.0, 1.0, 10_000, 0.0),
    ]:
        r = erlang.erlang_a(*args)
        for v in (r.p_wait, r.p_abandon, r.service_level, r.occupancy, r.service_level_answered):
            assert math.isfinite(v) and 0.0 <= v <= 1.0
        assert math.isfinite(r.asa) and r.asa >= 0.0
    r = erlang.erlang_a(9900.0, 1.0, 10.0, 10_000, 0.05)
    ref = ref_erlang_a(9900.0, 1.0, 10.0, 10_000)
    assert r.p_wait == pytest.approx(ref["p_wait"], rel=1e-8)
    assert r.p_abandon == pytest.approx(ref["p_abandon"], rel=1e-8)
    # fluid limit of the overloaded system: the excess load abandons
    half = erlang.erlang_a(10_000.0, 1.0, 1.0, 5_000, 0.1)
    assert half.p_abandon == pytest.approx(0.5, abs=1e-3)
    assert half.occupancy == pytest.approx(1.0, abs=1e-3)


# ---------------------------------------------------------------------------
# staffing
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("load", [0.3, 2.0, 7.3, 10.0, 33.0, 100.0, 250.0])
def test_required_agents_erlang_c_minimal(load: float) -> None:
    aht = 180.0
    lam = load / aht
    for target in (0.5, 0.8, 0.95):
        for threshold in (0.0, 20.0, 60.0):
            n = erlang.required_agents(lam, aht, target, threshold)
            assert isinstance(n, int)
            a = lam * aht
            assert n > a
            assert erlang.service_level(a, n, aht, threshold) >= target
            if n - 1 >= 1:
                assert erlang.service_level(a, n - 1, aht, threshold) < target


@pytest.mark.parametrize("load,patience", [(0.8, 30.0), (5.0, 60.0), (20.0, 20.0), (60.0, 300.0), (150.0, 45.0)])
def test_required_agents_erlang_a_minimal(load: float, patience: float) -> None:
    aht = 180.0
    lam = load / aht
    for target, threshold in [(0.5, 20.0), (0.8, 20.0), (0.9, 0.0)]:
        n = erlang.required_agents(lam, aht, target, threshold, patience=patience)
        assert erlang.erlang_a(lam, aht, patience, n, threshold).service_level >= target
        if n > 1:
            assert erlang.erlang_a(lam, aht, patience, n - 1, threshold).service_level < target


def test_erlang_a_staffing_can_be_below_load() -> None:
    lam, aht, patience, target, threshold = 20.0, 1.0, 0.2, 0.5, 0.1
    n = erlang.required_agents(lam, aht, target, threshold, patience=patience)
    assert n < lam * aht
    assert erlang.erlang_a(lam, aht, patience, n, threshold).service_level >= target
    assert erlang.erlang_a(lam, aht, patience, n - 1, threshold).service_level < target


def test_shrinkage() -> None:
    lam, aht = 170 / 1800, 180.0  # 17 Erlangs, 80/20 -> 21 agents
    assert erlang.required_agents(lam, aht, 0.8, 20) == 21
    assert erlang.required_agents(lam, aht, 0.8, 20, shrinkage=0.0) == 21
    # 21 / 0.7 is 30.000000000000004 in floating point: still 30
    assert erlang.required_agents(lam, aht, 0.8, 20, shrinkage=0.3) == 30
    assert erlang.required_agents(lam, aht, 0.8, 20, shrinkage=0.35) == math.ceil(21 / 0.65)
    s = erlang.staffing(lam, aht, 0.8, 20, shrinkage=0.3)
    assert (s.agents_on_phones, s.scheduled, s.shrinkage) == (21, 30, 0.3)


def test_max_occupancy() -> None:
    lam, aht = 100 / 180, 180.0  # 100 Erlangs
    free = erlang.required_agents(lam, aht, 0.5, 60)
    assert free < 118
    assert erlang.required_agents(lam, aht, 0.5, 60, max_occupancy=0.85) == 118  # ceil(117.6)
    assert erlang.required_agents(lam, aht, 0.5, 60, max_occupancy=1.0) == free
    # exact boundary: 85 Erlangs at 85 % is exactly 100 agents, not 101
    assert erlang.required_agents(17.0, 5.0, 0.5, 60, max_occupancy=0.85) == 100
    assert erlang.required_agents(17.0, 5.0, 0.5, 60, patience=30, max_occupancy=0.85) == 100
    s = erlang.staffing(17.0, 5.0, 0.5, 60, max_occupancy=0.85)
    assert s.occupancy <= 0.85 and 85 / 99 > 0.85


def test_asa_target() -> None:
    aht = 180.0
    for load in (2.0, 10.0, 45.0, 300.0):
        lam = load / aht
        a = lam * aht
        for goal in (5.0, 20.0, 60.0):
            n = erlang.required_agents(lam, aht, None, None, asa_target=goal)
            assert erlang.asa(a, n, aht) <= goal
            assert n - 1 < 1 or erlang.asa(a, n - 1, aht) > goal
            # both targets: the stricter one wins
            both = erlang.required_agents(lam, aht, 0.9, 20, asa_target=goal)
            assert both == max(n, erlang.required_agents(lam, aht, 0.9, 20))
    # Erlang A: ASA of the answered calls
    lam, patience = 10 / 180, 100.0
    n = erlang.required_agents(lam, aht, asa_target=10.0, patience=patience)
    assert erlang.erlang_a(lam, aht, patience, n, 0).asa <= 10.0
    assert erlang.erlang_a(lam, aht, patience, n - 1, 0).asa > 10.0


def test_staffing_result() -> None:
    lam, aht = 100 / 1800, 180.0
    s = erlang.staffing(lam, aht, 0.8, 20)
    a = lam * aht
    assert s.model == "erlang_c" and s.p_abandon is None
    assert s.agents_on_phones == s.scheduled == erlang.required_agents(lam, aht, 0.8, 20)
    assert s.service_level == erlang.service_level(a, s.agents_on_phones, aht, 20)
    assert s.asa == erlang.asa(a, s.agents_on_phones, aht)
    assert s.p_wait == erlang.erlang_c(a, s.agents_on_phones)
    assert s.occupancy == pytest.approx(a / s.agents_on_phones)
    sa = erlang.staffing(lam, aht, 0.8, 20, patience=120.0)
    ra = erlang.erlang_a(lam, aht, 120.0, sa.agents_on_phones, 20)
    assert sa.model == "erlang_a"
    assert (sa.service_level, sa.asa, sa.p_wait, sa.p_abandon) == (
        ra.service_level, ra.asa, ra.p_wait, ra.p_abandon,
    )
    assert sa.agents_on_phones <= s.agents_on_phones  # abandonment helps
    only_asa = erlang.staffing(lam, aht, asa_target=30.0)
    assert only_asa.service_level is None and only_asa.threshold is None


def test_staffing_is_fast_for_ten_thousand_agents() -> None:
    aht = 1.0
    n_c = erlang.required_agents(10_000.0, aht, 0.8, 0.1)
    a = 10_000.0
    assert erlang.service_level(a, n_c, aht, 0.1) >= 0.8 > erlang.service_level(a, n_c - 1, aht, 0.1)
    n_a = erlang.required_agents(10_000.0, aht, 0.8, 0.1, patience=0.5)
    assert erlang.erlang_a(10_000.0, aht, 0.5, n_a, 0.1).service_level >= 0.8
    assert erlang.erlang_a(10_000.0, aht, 0.5, n_a - 1, 0.1).service_level < 0.8


# ---------------------------------------------------------------------------
# bad input
# ---------------------------------------------------------------------------

NAN, INF = math.nan, math.inf


def _msg(name: str, value: object) -> str:
    return rf"{name}\b.*{re.escape(repr(value))}"


@pytest.mark.parametrize("bad", [-1.0, -1e-9, NAN, INF, "10", None, True])
def test_bad_load(bad: object) -> None:
    for f in (erlang.erlang_b, erlang.erlang_c, erlang.occupancy):
        with pytest.raises(ValueError, match=_msg("load", bad)):
            f(bad, 3)  # type: ignore[operator]
    with pytest.raises(ValueError, match=_msg("load", bad)):
        erlang.service_level(bad, 3, 180, 20)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=_msg("load", bad)):
        erlang.asa(bad, 3, 180)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, -3, 2.5, NAN, INF, "3", None, False])
def test_bad_agents(bad: object) -> None:
    for f in (erlang.erlang_b, erlang.erlang_c, erlang.occupancy):
        with pytest.raises(ValueError, match=_msg("agents", bad)):
            f(2.0, bad)  # type: ignore[operator]
    with pytest.raises(ValueError, match=_msg("agents", bad)):
        erlang.service_level(2.0, bad, 180, 20)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=_msg("agents", bad)):
        erlang.asa(2.0, bad, 180)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=_msg("agents", bad)):
        erlang.erlang_a(0.01, 180, 60, bad, 20)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, 0.0, -180, NAN, INF])
def test_bad_aht(bad: float) -> None:
    with pytest.raises(ValueError, match=_msg("aht", bad)):
        erlang.service_level(2.0, 3, bad, 20)
    with pytest.raises(ValueError, match=_msg("aht", bad)):
        erlang.asa(2.0, 3, bad)
    with pytest.raises(ValueError, match=_msg("aht", bad)):
        erlang.erlang_a(0.01, bad, 60, 3, 20)
    with pytest.raises(ValueError, match=_msg("aht", bad)):
        erlang.required_agents(0.01, bad, 0.8, 20)


@pytest.mark.parametrize("bad", [-1, -0.5, NAN])
def test_bad_threshold(bad: float) -> None:
    with pytest.raises(ValueError, match=_msg("threshold", bad)):
        erlang.service_level(2.0, 3, 180, bad)
    with pytest.raises(ValueError, match=_msg("threshold", bad)):
        erlang.erlang_a(0.01, 180, 60, 3, bad)
    with pytest.raises(ValueError, match=_msg("threshold", bad)):
        erlang.required_agents(0.01, 180, 0.8, bad)


@pytest.mark.parametrize("bad", [0, 0.0, -60, NAN, INF])
def test_bad_patience(bad: float) -> None:
    with pytest.raises(ValueError, match=_msg("patience", bad)):
        erlang.erlang_a(0.01, 180, bad, 3, 20)
    with pytest.raises(ValueError, match=_msg("patience", bad)):
        erlang.required_agents(0.01, 180, 0.8, 20, patience=bad)


@pytest.mark.parametrize("bad", [-0.01, -5, NAN, INF])
def test_bad_arrival_rate(bad: float) -> None:
    with pytest.raises(ValueError, match=_msg("arrival_rate", bad)):
        erlang.erlang_a(bad, 180, 60, 3, 20)
    with pytest.raises(ValueError, match=_msg("arrival_rate", bad)):
        erlang.required_agents(bad, 180, 0.8, 20)
    with pytest.raises(ValueError, match=_msg("arrival_rate", bad)):
        erlang.staffing(bad, 180, 0.8, 20)


@pytest.mark.parametrize("bad", [0, 0.0, 1, 1.0, -0.2, 1.5, NAN])
def test_bad_target(bad: float) -> None:
    with pytest.raises(ValueError, match=_msg("target", bad)):
        erlang.required_agents(0.01, 180, bad, 20)


@pytest.mark.parametrize("bad", [1, 1.0, -0.1, 2, NAN])
def test_bad_shrinkage(bad: float) -> None:
    with pytest.raises(ValueError, match=_msg("shrinkage", bad)):
        erlang.required_agents(0.01, 180, 0.8, 20, shrinkage=bad)


@pytest.mark.parametrize("bad", [0, 0.0, -0.5, 1.01, NAN])
def test_bad_max_occupancy(bad: float) -> None:
    with pytest.raises(ValueError, match=_msg("max_occupancy", bad)):
        erlang.required_agents(0.01, 180, 0.8, 20, max_occupancy=bad)


@pytest.mark.parametrize("bad", [0, 0.0, -5, NAN])
def test_bad_asa_target(bad: float) -> None:
    with pytest.raises(ValueError, match=_msg("asa_target", bad)):
        erlang.required_agents(0.01, 180, asa_target=bad)


def test_missing_targets() -> None:
    with pytest.raises(ValueError, match="threshold=None"):
        erlang.required_agents(0.01, 180, 0.8, None)
    with pytest.raises(ValueError, match="target=None, asa_target=None"):
        erlang.required_agents(0.01, 180)
    with pytest.raises(ValueError, match="target=None, asa_target=None"):
        erlang.staffing(0.01, 180, None, 20)


def test_load_overflow() -> None:
    with pytest.raises(ValueError, match="load"):
        erlang.erlang_a(1e300, 1e300, 60, 3, 20)


def test_public_api() -> None:
    assert set(erlang.__all__) >= {
        "erlang_b", "erlang_c", "service_level", "asa", "occupancy", "erlang_a",
        "ErlangAResult", "required_agents", "staffing", "StaffingResult",
    }
    for name in erlang.__all__:
        assert getattr(erlang, name).__doc__
    assert erlang.__doc__ and "Mandelbaum" in erlang.__doc__
    r = erlang.erlang_a(0.01, 180, 60, 3, 20)
    with pytest.raises(AttributeError):
        r.p_wait = 0.5  # type: ignore[misc]


# ---------------------------------------------------------------------------
# properties
# ---------------------------------------------------------------------------

if HAVE_HYPOTHESIS:
    PROPS = settings()  # examples from the hypothesis profile (conftest.py)

    @PROPS
    @given(
        load=st.floats(0.0, 300.0, allow_nan=False),
        n=st.integers(1, 400),
        t=st.floats(0.0, 5.0),
    )
    def test_erlang_c_monotone_in_agents(load: float, n: int, t: float) -> None:
        c0, c1 = erlang.erlang_c(load, n), erlang.erlang_c(load, n + 1)
        assert 0.0 <= c1 <= c0 <= 1.0
        b0, b1 = erlang.erlang_b(load, n), erlang.erlang_b(load, n + 1)
        assert 0.0 <= b1 <= b0 <= 1.0
        assert b0 <= c0
        s0, s1 = erlang.service_level(load, n, 1.0, t), erlang.service_level(load, n + 1, 1.0, t)
        assert 0.0 <= s0 <= s1 <= 1.0
        assert erlang.asa(load, n + 1, 1.0) <= erlang.asa(load, n, 1.0)

    @PROPS
    @given(
        lam=st.floats(0.01, 200.0),
        patience=st.floats(0.01, 100.0),
        n=st.integers(1, 250),
        t=st.floats(0.0, 3.0),
    )
    def test_erlang_a_monotone_in_agents(lam: float, patience: float, n: int, t: float) -> None:
        r0 = erlang.erlang_a(lam, 1.0, patience, n, t)
        r1 = erlang.erlang_a(lam, 1.0, patience, n + 1, t)
        for r in (r0, r1):
            for v in (r.p_wait, r.p_abandon, r.service_level, r.occupancy):
                assert 0.0 <= v <= 1.0
            assert r.p_abandon <= r.p_wait + 1e-12
            assert r.service_level <= 1.0 - r.p_abandon + 1e-12
            # answered within t or not: SL at t lies between P(no wait) and P(answered)
            assert r.service_level >= 1.0 - r.p_wait - 1e-12
        assert r1.p_wait <= r0.p_wait + 1e-12
        assert r1.p_abandon <= r0.p_abandon + 1e-12
        assert r1.service_level >= r0.service_level - 1e-12
        assert r1.asa <= r0.asa * (1 + 1e-9) + 1e-15

    @PROPS
    @given(
        lam=st.floats(0.001, 2.0),
        target=st.floats(0.05, 0.99),
        threshold=st.floats(0.0, 60.0),
        patience=st.one_of(st.none(), st.floats(1.0, 600.0)),
    )
    def test_required_agents_is_minimal(
        lam: float, target: float, threshold: float, patience: float | None
    ) -> None:
        aht = 180.0
        n = erlang.required_agents(lam, aht, target, threshold, patience=patience)
        a = lam * aht

        def sl(k: int) -> float:
            if patience is None:
                return erlang.service_level(a, k, aht, threshold)
            return erlang.erlang_a(lam, aht, patience, k, threshold).service_level

        assert sl(n) >= target
        assert n == 1 or sl(n - 1) < target
