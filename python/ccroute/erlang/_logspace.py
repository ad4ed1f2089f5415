"""Numerics in log space for Erlang A: adaptive Gauss-Kronrod (7/15)
quadrature of ``exp(phi)`` for a concave ``phi``, with panels placed
around the mode, and overflow-free ``log``, ``logaddexp`` and logistic
helpers.

Kept apart from the queueing formulas because nothing in it is about
queues: it is the integration method the module docstring of
:mod:`ccroute.erlang` describes, and can be read and checked on its own.
"""

from __future__ import annotations

import math
from collections.abc import Callable

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
    for (p, q), (k, err) in zip(panels, first, strict=True):
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
