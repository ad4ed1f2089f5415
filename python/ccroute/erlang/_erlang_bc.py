"""Erlang B (M/M/n/n, blocked calls cleared) and Erlang C (M/M/n,
infinitely patient callers): closed forms on the Erlang B recurrence.

The kernels (``_erlang_b_raw`` and the ``_..._c`` functions taking an
already computed ``B`` or ``C``) are separate from the checked public
functions because the staffing search walks the same recurrence one agent
at a time: both see bit-identical numbers.
"""

from __future__ import annotations

import math

from ._args import _agents, _load, _positive, _threshold

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
