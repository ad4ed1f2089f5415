"""Staffing calculators for contact centers: Erlang B, Erlang C and Erlang A.

All functions are pure Python (standard library only) and work in whatever
time unit the caller chooses, as long as one call uses a single unit: the
offered *load* in Erlangs is ``arrival_rate * aht`` (calls per second times
seconds per call, or calls per hour times hours per call, ...), and
thresholds, patience and the returned waiting times are in the unit of
``aht``.

Models
------
Erlang B (M/M/n/n, blocked calls cleared)
    :func:`erlang_b` is the probability that an arrival finds all ``n``
    agents busy and is lost.  It is computed with the recurrence
    ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``, which never forms a
    factorial or a power and is stable for any number of agents (each step
    maps ``[0, 1]`` into itself with no cancellation).

Erlang C (M/M/n, infinitely patient callers)
    :func:`erlang_c` is the probability of waiting,
    ``C(n, a) = n B / (n - a (1 - B))`` with ``B = B(n, a)``.  Service
    level (:func:`service_level`) is ``P(W <= t)`` over all arrivals,
    ``1 - C(n, a) exp(-(n - a) t / aht)``; :func:`asa` is the mean wait of
    all arrivals (those answered at once count as zero),
    ``C(n, a) aht / (n - a)``.  When ``n <= a`` the queue is unstable and
    grows without bound: ``erlang_c`` returns ``1.0``, ``service_level``
    ``0.0`` and ``asa`` ``math.inf``.

Erlang A (M/M/n+M, Palm's model with exponential patience)
    Callers abandon once their patience, exponentially distributed with
    mean ``patience``, runs out before an agent answers.  The queue is
    always stable.  :func:`erlang_a` uses the exact performance measures
    of the M/M/n+G queue (Baccelli & Hebuterne 1981; Mandelbaum & Zeltyn,
    "The M/M/n+G queue: summary of performance measures", Technion, 2004;
    Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
    customers", M&SOM 4(3), 2002).  With ``mu = 1/aht`` and
    ``theta = 1/patience`` the *offered* wait ``V`` (the wait an infinitely
    patient arrival would have) has an atom ``P(V = 0)`` and, for ``x > 0``,
    the density::

        v(x) = lambda pi_{n-1} exp(-n mu x + (lambda/theta)(1 - exp(-theta x)))

    where ``pi_{n-1}`` is the stationary probability of ``n - 1`` busy
    agents; for the states below ``n`` the chain is the Erlang loss
    system, so ``pi_{n-1} = B(n - 1, a) P(V = 0)`` and the normalisation
    ``P(V = 0) + integral(v) = 1`` fixes everything.  An arrival with
    offered wait ``x`` is answered iff its patience exceeds ``x``
    (probability ``exp(-theta x)``), so

    * ``p_wait      = P(V > 0)``,
    * ``p_abandon   = integral v(x) (1 - exp(-theta x)) dx``,
    * ``service_level(t) = P(V = 0) + integral_0^t v(x) exp(-theta x) dx``
      (answered within ``t``, as a fraction of *all* arrivals),
    * ``asa = integral x v(x) exp(-theta x) dx / P(answered)``
      (mean wait of the *answered* calls),
    * mean wait of all arrivals ``= p_abandon * patience`` (Little's law
      applied to the abandonment flow).

    The integrands are log-concave, so each integral is evaluated in log
    space around its mode: the mode is found by bisection on the
    derivative, break points are placed where the log-integrand has
    dropped by 0.5, 2, 4.5, ..., 84.5 from the mode (anything further out
    is below ``exp(-84)`` of the total), and every panel is integrated with
    adaptive Gauss-Kronrod (7/15).  The exponent is centred at its
    maximum, so nothing overflows even for thousands of agents, heavy
    overload or very long patience, and the cost does not grow with the
    number of agents beyond the O(n) Erlang B recurrence.

Staffing
    :func:`required_agents` returns the smallest head count meeting a
    service-level target (Erlang C, or Erlang A when ``patience`` is
    given), an ASA target, an occupancy cap, or any combination, grossed up
    for shrinkage; :func:`staffing` returns the same with the performance
    figures at that head count.

Every bad argument raises :class:`ValueError` naming the argument and the
value.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "ErlangAResult",
    "StaffingResult",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "required_agents",
    "service_level",
    "staffing",
]


# --------------------------------------------------------------------------
# argument checking
# --------------------------------------------------------------------------


def _real(name: str, value: object) -> float:
    """``value`` as a finite float, else ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if math.isnan(x):
        raise ValueError(f"{name} must not be NaN, got {value!r}")
    return x


def _nonneg(name: str, value: object) -> float:
    x = _real(name, value)
    if not (0.0 <= x < math.inf):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return x


def _positive(name: str, value: object) -> float:
    x = _real(name, value)
    if not (0.0 < x < math.inf):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return x


def _threshold(value: object, name: str = "threshold") -> float:
    x = _real(name, value)
    if x < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return x


def _agents(value: object, name: str = "agents") -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    try:
        n = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        if (
            isinstance(value, numbers.Real)
            and math.isfinite(float(value))
            and float(value).is_integer()
        ):
            n = int(float(value))
        else:
            raise ValueError(
                f"{name} must be an integer >= 1, got {value!r}"
            ) from None
    if n < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return n


def _load(value: object) -> float:
    return _nonneg("load", value)


def _offered_load(arrival_rate: float, aht: float) -> float:
    a = arrival_rate * aht
    if not math.isfinite(a):
        raise ValueError(
            f"load = arrival_rate * aht must be finite, got "
            f"{arrival_rate!r} * {aht!r}"
        )
    return a


def _ceil9(x: float) -> int:
    """ceil(x) after rounding to 9 decimals, so 21/(1-0.3) = 30.000000000000004
    gives 30, not 31."""
    return math.ceil(round(x, 9))


# --------------------------------------------------------------------------
# Erlang B / C kernels (shared by the public functions and the staffing
# search so both see bit-identical numbers)
# --------------------------------------------------------------------------


def _erlang_b_raw(a: float, n: int) -> float:
    b = 1.0
    for k in range(1, n + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def _erlang_c_from_b(a: float, n: int, b: float) -> float:
    if a == 0.0:
        return 0.0
    if n <= a:
        return 1.0
    c = n * b / (n - a * (1.0 - b))
    return min(1.0, max(0.0, c))


def _sl_c(a: float, n: int, c: float, aht: float, t: float) -> float:
    if a == 0.0:
        return 1.0
    if n <= a:
        return 0.0
    sl = 1.0 - c * math.exp(-(n - a) * t / aht)
    return min(1.0, max(0.0, sl))


def _asa_c(a: float, n: int, c: float, aht: float) -> float:
    if a == 0.0:
        return 0.0
    if n <= a:
        return math.inf
    return c * aht / (n - a)


# --------------------------------------------------------------------------
# public Erlang B / C
# --------------------------------------------------------------------------


def erlang_b(load: float, agents: int) -> float:
    """Erlang B: probability that an arrival finds all ``agents`` busy and is
    lost (M/M/n/n, blocked calls cleared).

    ``load`` is the offered traffic in Erlangs (``arrival_rate * aht``).
    Computed with the recurrence ``B(k) = a B(k-1) / (k + a B(k-1))``:
    O(agents), no factorials, stable for any size.  Always in ``[0, 1]``.

    >>> round(erlang_b(10, 10), 5)
    0.21458
    """
    a = _load(load)
    n = _agents(agents)
    return min(1.0, max(0.0, _erlang_b_raw(a, n)))


def erlang_c(load: float, agents: int) -> float:
    """Erlang C: probability that an arrival has to wait (M/M/n, callers
    never abandon), ``C = n B / (n - a (1 - B))``.

    When ``agents <= load`` the queue is unstable and every caller waits:
    returns ``1.0``.  Always in ``[0, 1]``.

    >>> round(erlang_c(10, 12), 4)
    0.4494
    """
    a = _load(load)
    n = _agents(agents)
    return _erlang_c_from_b(a, n, _erlang_b_raw(a, n))


def service_level(load: float, agents: int, aht: float, threshold: float) -> float:
    """Erlang C service level: the fraction of *all* arrivals whose wait is at
    most ``threshold``, ``P(W <= t) = 1 - C(n, a) exp(-(n - a) t / aht)``.

    Calls answered immediately count as within the threshold.  ``aht`` and
    ``threshold`` share one time unit.  Returns ``0.0`` when
    ``agents <= load`` (unstable queue) and ``1.0`` when ``load == 0``.
    """
    a = _load(load)
    n = _agents(agents)
    h = _positive("aht", aht)
    t = _threshold(threshold)
    c = _erlang_c_from_b(a, n, _erlang_b_raw(a, n))
    return _sl_c(a, n, c, h, t)


def asa(load: float, agents: int, aht: float) -> float:
    """Erlang C average speed of answer: the mean wait of *all* arrivals
    (those answered at once count as zero), ``C(n, a) aht / (n - a)``, in the
    unit of ``aht``.  Returns ``math.inf`` when ``agents <= load``.
    """
    a = _load(load)
    n = _agents(agents)
    h = _positive("aht", aht)
    c = _erlang_c_from_b(a, n, _erlang_b_raw(a, n))
    return _asa_c(a, n, c, h)


def occupancy(load: float, agents: int) -> float:
    """Agent occupancy ``load / agents``, capped at ``1.0`` (in an overloaded
    Erlang C queue every agent is busy all the time)."""
    a = _load(load)
    n = _agents(agents)
    return min(1.0, a / n)


# --------------------------------------------------------------------------
# numerical integration of log-concave functions
# --------------------------------------------------------------------------

# Gauss-Kronrod 7/15 nodes and weights on [-1, 1] (QUADPACK qk15).
_XGK = (
    0.991455371120812639206854697526329,
    0.949107912342758524526189684047851,
    0.864864423359769072789712788640926,
    0.741531185599394439863864773280788,
    0.586087235467691130294144845693013,
    0.405845151377397166906606412076961,
    0.207784955007898467600689403773245,
    0.000000000000000000000000000000000,
)
_WGK = (
    0.022935322010529224963732008058970,
    0.063092092629978553290700663189204,
    0.104790010322250183839876322541518,
    0.140653259715525918745189590510238,
    0.169004726639267902826583426598550,
    0.190350578064785409913256402421014,
    0.204432940075298892414161999234649,
    0.209482141084727828012999174891714,
)
_WG = (
    0.129484966168869693270611432679082,
    0.279705391489276667901467771423780,
    0.381830050505118944950369775488975,
    0.417959183673469387755102040816327,
)
# drops of the log-integrand (below its maximum) where panels end
_LEVELS = tuple(0.5 * j * j for j in range(1, 14))  # 0.5, 2, 4.5, ..., 84.5
_REL_TOL = 1e-12
_MAX_DEPTH = 40


def _gk15(f: Callable[[float], float], lo: float, hi: float) -> tuple[float, float]:
    c = 0.5 * (lo + hi)
    h = 0.5 * (hi - lo)
    fc = f(c)
    res_k = fc * _WGK[7]
    res_g = fc * _WG[3]
    for j in range(7):
        dx = h * _XGK[j]
        s = f(c - dx) + f(c + dx)
        res_k += _WGK[j] * s
        if j % 2 == 1:
            res_g += _WG[j // 2] * s
    return res_k * h, abs(res_k - res_g) * h


def _bisect_level(
    phi: Callable[[float], float], inside: float, outside: float, level: float,
    anchor: float,
) -> tuple[float, float]:
    """Bracket the point where the monotone ``phi`` crosses ``level`` between
    ``inside`` (phi >= level) and ``outside`` (phi < level).  Returns the
    narrowed (inside, outside); precision is relative to the distance from
    ``anchor`` (the mode), which is all panel placement needs."""
    for _ in range(80):
        mid = 0.5 * (inside + outside)
        if mid == inside or mid == outside:
            break
        if phi(mid) >= level:
            inside = mid
        else:
            outside = mid
        if abs(outside - inside) <= 1e-3 * abs(inside - anchor):
            break
    return inside, outside


def _integrate_logconcave(
    phi: Callable[[float], float],
    dphi: Callable[[float], float],
    lo: float,
    scale: float,
    cut: float | None,
) -> tuple[float, float, float]:
    """Integrate ``exp(phi)`` over ``[lo, inf)`` for a concave ``phi``
    (``-inf`` allowed at ``lo``).

    Returns ``(log_scale, total, below)`` with the integral equal to
    ``exp(log_scale) * total`` and ``exp(log_scale) * below`` the part over
    ``[lo, cut]`` (``below == total`` when ``cut`` is None).
    """
    # 1. the mode
    if not dphi(lo) > 0.0:
        mode = lo
    else:
        h = scale
        while dphi(lo + h) > 0.0:
            h *= 2.0
        left, right = lo, lo + h
        for _ in range(200):
            mid = 0.5 * (left + right)
            if mid == left or mid == right:
                break
            if dphi(mid) > 0.0:
                left = mid
            else:
                right = mid
        mode = 0.5 * (left + right)
    top = phi(mode)
    deepest = top - _LEVELS[-1]

    # 2. break points to the right of the mode
    h = scale
    while phi(mode + h) >= deepest:
        h *= 2.0
    far = mode + h
    right_pts: list[float] = []
    inside = mode
    for d in _LEVELS:
        inside, outside = _bisect_level(phi, inside, far, top - d, mode)
        right_pts.append(outside)

    # 3. break points to the left of the mode (if it is not at lo)
    left_pts: list[float] = []
    start = lo
    if mode > lo:
        phi_lo = phi(lo)
        inside = mode
        for d in _LEVELS:
            if phi_lo >= top - d:
                break
            inside, outside = _bisect_level(phi, inside, lo, top - d, mode)
            left_pts.append(outside)
        else:
            start = left_pts.pop()

    # any partition is valid; the points only need to resolve the shape
    pts = sorted({start, mode, *left_pts, *right_pts})
    end = pts[-1]
    if cut is not None and pts[0] < cut < end:
        pts = sorted({*pts, cut})

    # 4. adaptive Gauss-Kronrod on every panel
    def f(x: float) -> float:
        return math.exp(phi(x) - top)

    panels = [(pts[i], pts[i + 1]) for i in range(len(pts) - 1)]
    first = [_gk15(f, p, q) for p, q in panels]
    est = sum(k for k, _ in first)
    tol = _REL_TOL * est if est > 0.0 else 0.0
    total = 0.0
    below = 0.0
    for (p, q), (k, err) in zip(panels, first):
        stack = [(p, q, k, err, 0)]
        part = 0.0
        while stack:
            p1, q1, k1, e1, depth = stack.pop()
            if e1 <= tol or depth >= _MAX_DEPTH:
                part += k1
                continue
            mid = 0.5 * (p1 + q1)
            ka, ea = _gk15(f, p1, mid)
            kb, eb = _gk15(f, mid, q1)
            stack.append((p1, mid, ka, ea, depth + 1))
            stack.append((mid, q1, kb, eb, depth + 1))
        total += part
        if cut is None or q <= cut:
            below += part
    return top, total, below


def _log(x: float) -> float:
    return math.log(x) if x > 0.0 else -math.inf


def _logaddexp(x: float, y: float) -> float:
    if x == -math.inf:
        return y
    if y == -math.inf:
        return x
    m = max(x, y)
    return m + math.log1p(math.exp(-abs(x - y)))


def _logistic(z: float) -> float:
    """1 / (1 + exp(-z)) without overflow."""
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# --------------------------------------------------------------------------
# Erlang A
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# staffing
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffingResult:
    """The staffing answer from :func:`staffing`.

    Attributes:
        model: ``"erlang_c"`` or ``"erlang_a"``.
        load: offered load in Erlangs.
        agents_on_phones: smallest number of agents logged in that meets
            every target (``0`` when the load is zero).
        scheduled: head count to schedule, ``ceil(agents_on_phones /
            (1 - shrinkage))``.
        shrinkage: the shrinkage used.
        threshold: the service-level threshold, or None if none was given.
        service_level: at ``agents_on_phones``, the fraction of all arrivals
            answered within ``threshold`` (Erlang C: ``P(W <= t)``; Erlang A:
            answered and ``W <= t``); None without a threshold.
        asa: Erlang C: mean wait of all arrivals; Erlang A: mean wait of the
            answered calls.
        occupancy: fraction of agent time on calls (Erlang A: carried load
            over agents, which is below ``load / agents``).
        p_wait: probability of waiting.
        p_abandon: Erlang A abandonment probability; None for Erlang C.
    """

    model: str
    load: float
    agents_on_phones: int
    scheduled: int
    shrinkage: float
    threshold: float | None
    service_level: float | None
    asa: float
    occupancy: float
    p_wait: float
    p_abandon: float | None


def staffing(
    arrival_rate: float,
    aht: float,
    target: float | None = None,
    threshold: float | None = None,
    patience: float | None = None,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    *,
    asa_target: float | None = None,
) -> StaffingResult:
    """Like :func:`required_agents`, but returns a :class:`StaffingResult`
    with the head counts and the performance at the chosen staffing."""
    lam = _nonneg("arrival_rate", arrival_rate)
    h = _positive("aht", aht)
    sl_target: float | None = None
    if target is not None:
        sl_target = _real("target", target)
        if not 0.0 < sl_target < 1.0:
            raise ValueError(f"target must be in (0, 1), got {target!r}")
    t: float | None = None
    if threshold is not None:
        t = _threshold(threshold)
    if sl_target is not None and t is None:
        raise ValueError(
            f"threshold is required with a service-level target, got "
            f"threshold={threshold!r}"
        )
    p: float | None = None
    if patience is not None:
        p = _positive("patience", patience)
    occ_cap: float | None = None
    if max_occupancy is not None:
        occ_cap = _real("max_occupancy", max_occupancy)
        if not 0.0 < occ_cap <= 1.0:
            raise ValueError(
                f"max_occupancy must be in (0, 1], got {max_occupancy!r}"
            )
    s = _real("shrinkage", shrinkage)
    if not 0.0 <= s < 1.0:
        raise ValueError(f"shrinkage must be in [0, 1), got {shrinkage!r}")
    wait_target: float | None = None
    if asa_target is not None:
        wait_target = _positive("asa_target", asa_target)
    if sl_target is None and wait_target is None:
        raise ValueError(
            f"give a service-level target (target with threshold) and/or "
            f"asa_target, got target={target!r}, asa_target={asa_target!r}"
        )

    a = _offered_load(lam, h)
    model = "erlang_c" if p is None else "erlang_a"
    if a == 0.0:
        return StaffingResult(
            model=model, load=0.0, agents_on_phones=0, scheduled=0,
            shrinkage=s, threshold=t, service_level=None if t is None else 1.0,
            asa=0.0, occupancy=0.0, p_wait=0.0,
            p_abandon=None if p is None else 0.0,
        )
    n_min = 1 if occ_cap is None else max(1, _ceil9(a / occ_cap))

    if p is None:
        n, res = _staff_erlang_c(a, h, sl_target, t, wait_target, n_min)
    else:
        n, res = _staff_erlang_a(a, h, h / p, sl_target, t, wait_target, n_min)
    return StaffingResult(
        model=model,
        load=a,
        agents_on_phones=n,
        scheduled=_ceil9(n / (1.0 - s)),
        shrinkage=s,
        threshold=t,
        service_level=res[0],
        asa=res[1],
        occupancy=res[2],
        p_wait=res[3],
        p_abandon=res[4],
    )


_Metrics = tuple[float | None, float, float, float, float | None]


def _staff_erlang_c(
    a: float, h: float, sl_target: float | None, t: float | None,
    wait_target: float | None, n_min: int,
) -> tuple[int, _Metrics]:
    # Below floor(a) + 1 the queue is unstable: no target can be met there.
    n_min = max(n_min, math.floor(a) + 1)
    b = 1.0
    k = 0
    while True:  # C -> 0 as n grows, so every target is met eventually
        k += 1
        ab = a * b
        b = ab / (k + ab)
        if k < n_min:
            continue
        c = _erlang_c_from_b(a, k, b)
        sl = None if t is None else _sl_c(a, k, c, h, t)
        w = _asa_c(a, k, c, h)
        if sl_target is not None and (sl is None or sl < sl_target):
            continue
        if wait_target is not None and not w <= wait_target:
            continue
        return k, (sl, w, min(1.0, a / k), c, None)


def _staff_erlang_a(
    a: float, h: float, r: float, sl_target: float | None, t: float | None,
    wait_target: float | None, n_min: int,
) -> tuple[int, _Metrics]:
    # Erlang B values B(0), B(1), ... grown on demand (same recurrence as
    # erlang_b, so the numbers agree bit for bit with erlang_a).
    bs = [1.0]
    seen: dict[int, tuple[bool, _Metrics]] = {}
    tt = None if t is None else t / h

    def check(n: int) -> bool:
        if n in seen:
            return seen[n][0]
        while len(bs) < n:
            k = len(bs)
            ab = a * bs[-1]
            bs.append(ab / (k + ab))
        core = _erlang_a_core(a, n, r, tt, bs[n - 1])
        sl = None if t is None else core.service_level
        ok = True
        if sl_target is not None and (sl is None or sl < sl_target):
            ok = False
        if wait_target is not None and not core.asa * h <= wait_target:
            ok = False
        occ = min(1.0, max(0.0, a * (1.0 - core.p_abandon) / n))
        seen[n] = (ok, (sl, core.asa * h, occ, core.p_wait, core.p_abandon))
        return ok

    # Service level rises and ASA falls with n, so bracket the answer by
    # doubling from a lower bound (1, or the occupancy cap) and bisect.
    if check(n_min):
        return n_min, seen[n_min][1]
    failing = n_min
    step = 1
    while not check(failing + step):
        failing += step
        step *= 2
    passing = failing + step
    while passing - failing > 1:
        mid = (failing + passing) // 2
        if check(mid):
            passing = mid
        else:
            failing = mid
    return passing, seen[passing][1]


def required_agents(
    arrival_rate: float,
    aht: float,
    target: float | None = None,
    threshold: float | None = None,
    patience: float | None = None,
    max_occupancy: float | None = None,
    shrinkage: float = 0.0,
    *,
    asa_target: float | None = None,
) -> int:
    """Smallest staffing meeting every given target, grossed up for shrinkage.

    Args:
        arrival_rate: calls per time unit.
        aht: average handling time (same time unit).
        target: service-level target in (0, 1), measured against
            ``threshold``: with ``patience=None`` the Erlang C service level
            ``P(W <= threshold)`` over all arrivals; otherwise the Erlang A
            fraction of all arrivals answered within ``threshold``.  May be
            None when ``asa_target`` is given.
        threshold: the service-level time limit (unit of ``aht``).
        patience: mean caller patience; None for Erlang C (nobody abandons).
        max_occupancy: optional cap in (0, 1] on ``load / agents``.
        shrinkage: fraction in [0, 1) of paid time off the phones; the result
            is ``ceil(n / (1 - shrinkage))`` (rounded to 9 decimals first,
            so float noise never adds an agent).
        asa_target: optional cap on the ASA (Erlang C: mean wait of all
            calls; Erlang A: mean wait of answered calls).

    Returns:
        The scheduled head count (``0`` when ``arrival_rate`` is zero).

    The search starts at a lower bound that cannot exceed the answer
    (``floor(load) + 1`` for Erlang C; 1 for Erlang A, whose minimum may be
    below the load; raised to ``ceil(load / max_occupancy)``).  Erlang C walks
    up with the Erlang B recurrence, O(answer); Erlang A brackets by
    doubling and bisects, relying on the measures being monotone in the
    number of agents.
    """
    return staffing(
        arrival_rate, aht, target, threshold, patience, max_occupancy,
        shrinkage, asa_target=asa_target,
    ).scheduled
