"""Staffing: the smallest head count meeting service-level, ASA and
occupancy targets under Erlang C or Erlang A, grossed up for shrinkage.

Separate from the models because it is a search over them: it reuses
their kernels (the Erlang B recurrence, ``_erlang_a_core``) so that the
figures it reports are exactly those :func:`~ccroute.erlang.erlang_c`,
:func:`~ccroute.erlang.service_level` and :func:`~ccroute.erlang.erlang_a`
give for the head count it chooses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._args import _ceil9, _nonneg, _offered_load, _positive, _real, _threshold
from ._erlang_a import _erlang_a_core
from ._erlang_bc import _asa_c, _erlang_c_from_b, _sl_c


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
