"""Figures of a sweep (needs matplotlib): a heat map of a metric's mean over
two grid parameters, one panel per policy on one colour scale; or, over
one parameter, a line per policy with its 95 % confidence band."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

if TYPE_CHECKING:
    from .sweep import SweepResults

__all__ = ["plot_sweep"]

#: Metrics that are shares, drawn as percentages.
_SHARES = ("service_level", "abandon_rate", "p_wait", "occupancy", "utilisation")


def _is_share(metric: str) -> bool:
    last = metric.rsplit(".", 1)[-1]
    return last in _SHARES or ".utilisation." in metric or metric.startswith("utilisation")


def _axes(res: "SweepResults", x: Optional[str], y: Optional[str],
          where: Mapping[str, Any]) -> tuple[str, Optional[str]]:
    params = list(res.grid)
    if not params:
        raise ValueError("a sweep without grid parameters has nothing to plot against")
    for p in (x, y, *where):
        if p is not None and p not in res.grid:
            raise ValueError(f"{p!r} is not a grid parameter; the grid has {params}")
    for p, v in where.items():
        if p in (x, y):
            raise ValueError(f"{p} is held by where= and shown on an axis: choose one")
        if v not in res.grid[p]:
            raise ValueError(f"where {p}={v!r}: not one of its values {res.grid[p]}")
    free = [p for p in params if p not in where and p not in (x, y)]
    if x is None:
        x = free.pop(0) if free else None
    if x is None:
        raise ValueError("every grid parameter is held by where=: leave one free for the x axis")
    if y is None and free:
        y = free.pop(0)
    if free:
        raise ValueError(f"the figure shows {x!r}{f' and {y!r}' if y else ''}; hold {free} at one value each "
                         "with where={param: value}")
    return x, y


def _label(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _numeric(values: Sequence[Any]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def plot_sweep(res: "SweepResults", path: Union[str, "os.PathLike[str]"], metric: str, x: Optional[str],
               y: Optional[str], where: Optional[Mapping[str, Any]], title: str) -> None:
    """Draws :meth:`SweepResults.plot`'s figure."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'ccroute[plot]'") from exc
    held = dict(where or {})
    xp, yp = _axes(res, x, y, held)
    scale = 100.0 if _is_share(metric) else 1.0
    seconds = metric.rsplit(".", 1)[-1] in ("asa", "mean_wait", "wait_p90", "staffed_time")
    unit = f"{metric} (%)" if scale == 100.0 else f"{metric} (s)" if seconds else metric
    est = [e for e in res.estimates([metric]) if all(e[p] == v for p, v in held.items())]
    xs = res.grid[xp]
    suffix = "".join(f", {p}={_label(v)}" for p, v in held.items())
    head = title or f"{res.scenario or 'scenario'}: {metric}, mean of {res.replications} replications{suffix}"
    if yp is None:
        fig, ax = plt.subplots(figsize=(8, 5))
        pos = list(xs) if _numeric(xs) else list(range(len(xs)))
        for policy in res.policies:
            by = {e[xp]: e[metric] for e in est if e["policy"] == policy}
            mean = [_nan(by[v].mean) * scale for v in xs]
            ax.plot(pos, mean, marker="o", label=policy)
            low, high = [_nan(by[v].low) * scale for v in xs], [_nan(by[v].high) * scale for v in xs]
            ax.fill_between(pos, low, high, alpha=0.2)
        if not _numeric(xs):
            ax.set_xticks(pos, [_label(v) for v in xs])
        ax.set_xlabel(xp)
        ax.set_ylabel(unit)
        ax.grid(alpha=0.3)
        ax.legend()
        ax.set_title(head)
    else:
        ys = res.grid[yp]
        grids = []
        for policy in res.policies:
            by = {(e[xp], e[yp]): e[metric].mean for e in est if e["policy"] == policy}
            grids.append([[_nan(by[(xv, yv)]) * scale for xv in xs] for yv in ys])
        finite = [v for g in grids for row in g for v in row if not math.isnan(v)]
        lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
        n = len(res.policies)
        fig, axes = plt.subplots(1, n, figsize=(1.5 + 0.6 * max(6, len(xs)) * n, 1.5 + 0.45 * max(6, len(ys))),
                                 squeeze=False, sharey=True, layout="constrained")
        image = None
        for ax, policy, g in zip(axes[0], res.policies, grids, strict=True):
            image = ax.imshow(g, origin="lower", aspect="auto", cmap="viridis", vmin=lo, vmax=hi)
            ax.set_xticks(range(len(xs)), [_label(v) for v in xs])
            ax.set_yticks(range(len(ys)), [_label(v) for v in ys])
            ax.set_xlabel(xp)
            ax.set_title(policy)
            if len(xs) * len(ys) <= 150:
                for i, row in enumerate(g):
                    for j, v in enumerate(row):
                        if not math.isnan(v):
                            dark = hi > lo and (v - lo) / (hi - lo) < 0.5
                            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=7,
                                    color="white" if dark else "black")
        axes[0][0].set_ylabel(yp)
        assert image is not None  # one panel per policy, at least one policy
        fig.colorbar(image, ax=list(axes[0]), label=unit)
        fig.suptitle(head)
    fig.savefig(os.fspath(path), dpi=110, bbox_inches="tight")
    plt.close(fig)


def _nan(v: Optional[float]) -> float:
    return float("nan") if v is None else float(v)
