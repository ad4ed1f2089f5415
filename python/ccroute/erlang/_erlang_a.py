"""Erlang A (M/M/n+M, callers abandon after an exponential patience): the
exact M/M/n+G measures of Mandelbaum & Zeltyn, each integral evaluated in
log space (:mod:`._logspace`).

``_erlang_a_core`` works in units of ``aht`` and takes ``B(n - 1, a)``
from the caller, so the staffing search can grow the Erlang B recurrence
once and evaluate many head counts without recomputing it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._args import _agents, _nonneg, _offered_load, _positive, _threshold
from ._erlang_bc import _erlang_b_raw
from ._logspace import _integrate_logconcave, _log, _logaddexp, _logistic


@dataclass(frozen=True)
class _ACore:
    p_wait: float
    p_abandon: float
    service_level: float  # nan when no threshold was given
    asa: float  # in units of aht
    mean_wait: float  # in units of aht


def _erlang_a_core(a: float, n: int, r: float, t: float | None, b_prev: float) -> _ACore:
    """M/M/n+M in units of aht (mu = 1): load ``a``, abandonment rate
    ``r = aht / patience``, threshold ``t`` (in aht), ``b_prev = B(n-1, a)``."""
    if a == 0.0 or b_prev == 0.0:
        return _ACore(0.0, 0.0, 1.0 if t is not None else math.nan, 0.0, 0.0)

    # Centre the exponent G(x) = -n x + (a/r)(1 - exp(-r x)) at its maximum
    # x_c (0 when a <= n); u = x - x_c and g(u) = G(x) - G(x_c) exactly:
    #   g(u) = -n u - (c_e / r) expm1(-r u),  c_e = a exp(-r x_c).
    if a > n:
        x_c = math.log(a / n) / r
        c_e = float(n)
        d = (a - n) / n
        shift = n * (d - math.log1p(d)) / r  # G(x_c) >= 0
    else:
        x_c = 0.0
        c_e = a
        shift = 0.0
    lc = math.log(c_e / a)  # exp(-r x) = (c_e / a) exp(-r u)
    lo = -x_c
    scale = 1.0 / (n + a + r)

    def g(u: float) -> float:
        return -n * u - (c_e / r) * math.expm1(-r * u)

    def dg(u: float) -> float:
        return -n + c_e * math.exp(-r * u)

    # answered after waiting: weight exp(-r x)
    def phi_s(u: float) -> float:
        return g(u) - r * u

    def dphi_s(u: float) -> float:
        return dg(u) - r

    # abandoned: weight 1 - exp(-r x)
    def phi_ab(u: float) -> float:
        x = x_c + u
        if x <= 0.0:
            return -math.inf
        return g(u) + math.log(-math.expm1(-r * x))

    def dphi_ab(u: float) -> float:
        x = x_c + u
        if x <= 0.0:
            return math.inf
        rx = r * x
        return dg(u) + (r / math.expm1(rx) if rx < 700.0 else 0.0)

    # waiting time of the answered: weight x exp(-r x)
    def phi_w(u: float) -> float:
        x = x_c + u
        if x <= 0.0:
            return -math.inf
        return g(u) - r * u + math.log(x)

    def dphi_w(u: float) -> float:
        x = x_c + u
        if x <= 0.0:
            return math.inf
        return dg(u) - r + 1.0 / x

    cut = None if t is None else t - x_c
    top_s, tot_s, below_s = _integrate_logconcave(phi_s, dphi_s, lo, scale, cut)
    top_ab, tot_ab, _ = _integrate_logconcave(phi_ab, dphi_ab, lo, scale, None)
    top_w, tot_w, _ = _integrate_logconcave(phi_w, dphi_w, lo, scale, None)

    # logs of the integrals divided by exp(G(x_c))
    l_s = lc + top_s + _log(tot_s)
    l_ab = top_ab + _log(tot_ab)
    l_w = lc + top_w + _log(tot_w)
    l_all = _logaddexp(l_s, l_ab)  # integral of v / (lambda pi_{n-1})

    log_r = math.log(a) + math.log(b_prev) + shift + l_all  # P(V>0)/P(V=0)
    p_wait = _logistic(log_r)
    p_zero = _logistic(-log_r)
    p_ab = p_wait * math.exp(l_ab - l_all)
    if t is None:
        sl = math.nan
    else:
        l_sb = lc + top_s + _log(below_s)
        sl = min(1.0, max(0.0, p_zero + p_wait * math.exp(l_sb - l_all)))
    # asa = I_w / (1/(a B(n-1)) + I_s), all integrals unscaled
    l_den = _logaddexp(-math.log(a) - math.log(b_prev) - shift, l_s)
    mean_answered_wait = math.exp(l_w - l_den)
    p_ab = min(1.0, max(0.0, p_ab))
    return _ACore(
        p_wait=min(1.0, max(0.0, p_wait)),
        p_abandon=p_ab,
        service_level=sl,
        asa=mean_answered_wait,
        mean_wait=p_ab / r,
    )


@dataclass(frozen=True)
class ErlangAResult:
    """Performance of an M/M/n+M (Erlang A) queue, from :func:`erlang_a`.

    Times are in the unit of ``aht``.

    Attributes:
        arrival_rate, aht, patience, agents, threshold: the inputs.
        load: offered load ``arrival_rate * aht`` in Erlangs.
        p_wait: probability that an arrival finds every agent busy
            (``P(W > 0)``).
        p_abandon: fraction of arrivals that hang up before being answered.
        service_level: fraction of *all* arrivals (abandoned ones included
            in the denominator) that are answered within ``threshold``.
        service_level_answered: fraction of the *answered* calls answered
            within ``threshold`` (``service_level / (1 - p_abandon)``).
        asa: mean wait of the *answered* calls (zero waits included).
        mean_wait: mean time in queue of *all* arrivals, abandoned ones
            counted until they hang up (``p_abandon * patience``).
        mean_queue_length: mean number of callers waiting
            (``arrival_rate * mean_wait``).
        occupancy: fraction of agent time spent on calls, the carried load
            over agents, ``load * (1 - p_abandon) / agents``.
    """

    arrival_rate: float
    aht: float
    patience: float
    agents: int
    threshold: float
    load: float
    p_wait: float
    p_abandon: float
    service_level: float
    service_level_answered: float
    asa: float
    mean_wait: float
    mean_queue_length: float
    occupancy: float


def _a_result(
    lam: float, aht: float, patience: float, n: int, t: float, a: float, core: _ACore
) -> ErlangAResult:
    answered = 1.0 - core.p_abandon
    sla = min(1.0, core.service_level / answered) if answered > 0.0 else 0.0
    mean_wait = core.mean_wait * aht
    return ErlangAResult(
        arrival_rate=lam,
        aht=aht,
        patience=patience,
        agents=n,
        threshold=t,
        load=a,
        p_wait=core.p_wait,
        p_abandon=core.p_abandon,
        service_level=core.service_level,
        service_level_answered=sla,
        asa=core.asa * aht,
        mean_wait=mean_wait,
        mean_queue_length=lam * mean_wait,
        occupancy=min(1.0, max(0.0, a * answered / n)),
    )


def erlang_a(
    arrival_rate: float, aht: float, patience: float, agents: int, threshold: float
) -> ErlangAResult:
    """Erlang A (M/M/n+M): Poisson arrivals at ``arrival_rate``, exponential
    handling times with mean ``aht``, ``agents`` agents, and callers who
    abandon after an exponential patience with mean ``patience``.

    Returns an :class:`ErlangAResult`.  Its ``service_level`` is the fraction
    of *all* arrivals answered within ``threshold`` (abandoned callers count
    as failures, whenever they hang up); ``asa`` is the mean wait of the
    *answered* calls.  The queue is stable for any number of agents, so
    ``agents`` may be below the load.  Exact formulas of Mandelbaum & Zeltyn
    evaluated by log-space quadrature; see the module docstring.
    """
    lam = _nonneg("arrival_rate", arrival_rate)
    h = _positive("aht", aht)
    p = _positive("patience", patience)
    n = _agents(agents)
    t = _threshold(threshold)
    a = _offered_load(lam, h)
    core = _erlang_a_core(a, n, h / p, t / h, _erlang_b_raw(a, n - 1))
    return _a_result(lam, h, p, n, t, a, core)
