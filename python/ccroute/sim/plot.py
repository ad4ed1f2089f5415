"""Plots of the per-interval series: service level and ASA per interval,
one line per policy (needs matplotlib)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Union

from .results import Comparison, Results

__all__ = ["plot"]


def plot(
    results: Union[Results, Comparison, Sequence[Results]],
    path: Union[str, "os.PathLike[str]"],
    queue: str = "all",
    title: str = "",
) -> None:
    """Writes a figure (PNG, SVG or PDF by the file's extension) with the
    service level (top) and the ASA (bottom) per interval of arrival, one
    line per policy, for ``queue`` (default: every contact)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'ccroute[plot]'") from exc
    if isinstance(results, Results):
        runs: list[Results] = [results]
    elif isinstance(results, Comparison):
        runs = list(results.results.values())
    else:
        runs = list(results)
    if not runs:
        raise ValueError("nothing to plot")
    names = list(runs[0].series)
    if queue not in names:
        raise ValueError(f"unknown queue {queue!r}; series exist for {names}")
    fig, (ax_sl, ax_asa) = plt.subplots(2, 1, sharex=True, figsize=(9, 6))
    for r in runs:
        s = r.series[queue]
        x = [(i + 0.5) * r.interval / 3600 for i in range(len(s["service_level"]))]
        ax_sl.plot(x, [_nan(v) * 100 for v in s["service_level"]], marker=".", label=r.policy)
        ax_asa.plot(x, [_nan(v) for v in s["asa"]], marker=".", label=r.policy)
    ax_sl.set_ylabel("service level (%)")
    ax_sl.set_ylim(0, 105)
    ax_asa.set_ylabel("ASA (s)")
    ax_asa.set_xlabel("time (h), by interval of arrival")
    ax_sl.legend(loc="lower left")
    ax_sl.grid(alpha=0.3)
    ax_asa.grid(alpha=0.3)
    label = title or runs[0].scenario or "simulation"
    ax_sl.set_title(f"{label}: {queue}, {int(runs[0].interval // 60)}-minute intervals, "
                    f"mean of {len(runs[0].replications)} replications")
    fig.tight_layout()
    fig.savefig(os.fspath(path), dpi=110)
    plt.close(fig)


def _nan(v: Any) -> float:
    return float("nan") if v is None else float(v)
