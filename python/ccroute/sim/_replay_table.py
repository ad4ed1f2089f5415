"""The comparison a replay gives: recorded against simulated figures per
queue and per interval, as a pandas DataFrame and a plot."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import timedelta
from typing import Any, Optional, Union

from ._recorded import RecordedMetrics
from .logs import ContactLog
from .results import Estimate, Results

__all__ = ["ReplayComparison", "QUEUE_METRICS", "INTERVAL_METRICS", "COLUMNS"]

#: Rows of each queue (and ``"all"``) over the whole log.
QUEUE_METRICS: tuple[str, ...] = ("offered", "answered", "abandoned", "unfinished", "abandon_rate",
                                  "service_level", "asa", "mean_wait", "wait_p90")
#: Rows of each interval of each queue (and ``"all"``).
INTERVAL_METRICS: tuple[str, ...] = ("offered", "answered", "abandoned", "abandon_rate", "service_level", "asa")
#: The table's columns (with a policy to compare to, ``baseline``,
#: ``baseline_low``, ``baseline_high``, ``difference_low`` and
#: ``difference_high`` follow).
COLUMNS: tuple[str, ...] = ("queue", "interval", "start", "clock", "metric", "recorded", "simulated", "low", "high",
                            "difference")


def _rate(ans: Any, ab: Any) -> Optional[float]:
    return ab / (ans + ab) if ans + ab else None


def _interval_values(res: Results, queue: str, k: int, metric: str) -> list[Optional[float]]:
    """One value per replication of ``metric`` in interval ``k`` of ``queue``."""
    out: list[Optional[float]] = []
    for rep in res.replications:
        s = next(x for x in rep["series"] if x["name"] == queue)
        if metric == "abandon_rate":
            out.append(_rate(s["answered"][k], s["abandoned"][k]))
        else:
            v = s[metric][k]
            out.append(None if v is None else float(v))
    return out


def _queue_values(res: Results, queue: str, metric: str) -> list[Optional[float]]:
    if queue == "all":
        return list(res.total[metric].values)
    return list(res.queues[queue][metric].values)


class ReplayComparison:
    """A replay set against the record (or against another policy).

    Attributes:
        log: the replayed :class:`ContactLog`.
        recorded: its :class:`RecordedMetrics`.
        simulated: the replay's :class:`ccroute.sim.Results` under ``policy``.
        baseline: the :class:`Results` under ``compare_to`` when that is a
            policy (same replications, common random numbers), else ``None``.
        policy, compare_to: the labels (``compare_to`` is ``"recorded"``
            or the baseline policy's).
        frame: one row per queue (and ``"all"``) and metric over the whole
            log (``interval`` empty) and per interval of arrival where
            anything arrived: ``recorded``, ``simulated`` (mean of the
            replications) with its 95 % confidence interval ``low``/``high``,
            and ``difference`` = simulated − recorded (or − baseline, then
            paired per replication with ``difference_low``/``_high``).
            Rates and service levels are fractions, times seconds.
    """

    def __init__(self, log: ContactLog, recorded: RecordedMetrics, simulated: Results,
                 baseline: Optional[Results] = None) -> None:
        self.log = log
        self.recorded = recorded
        self.simulated = simulated
        self.baseline = baseline
        self.policy = simulated.policy
        self.compare_to = baseline.policy if baseline is not None else "recorded"
        self.interval = recorded.interval
        self.frame = self._frame()

    @property
    def queues(self) -> Any:
        """The rows over the whole log (per queue and ``"all"``)."""
        return self.frame[self.frame["interval"].isna()].reset_index(drop=True)

    @property
    def intervals(self) -> Any:
        """The per-interval rows."""
        return self.frame[self.frame["interval"].notna()].reset_index(drop=True)

    def clock(self, k: int) -> str:
        """The start of interval ``k`` on the log's clock (``HH:MM``, with
        the date when the log spans days)."""
        start = k * self.interval
        multi = start >= 86400 or self.log.end >= 86400
        if self.log.origin is not None:
            t = self.log.origin + timedelta(seconds=start)
            return f"{t:%Y-%m-%d %H:%M}" if multi else f"{t:%H:%M}"
        h, rem = divmod(int(start), 3600)
        return f"{h:02d}:{rem // 60:02d}"

    def _row(self, queue: str, k: Optional[int], metric: str, rec: Optional[float],
             sim: Sequence[Optional[float]], base: Optional[Sequence[Optional[float]]]) -> dict[str, Any]:
        e = Estimate.of(sim)
        row: dict[str, Any] = {
            "queue": queue, "interval": k, "start": None if k is None else k * self.interval,
            "clock": "" if k is None else self.clock(k), "metric": metric, "recorded": rec,
            "simulated": e.mean, "low": e.low, "high": e.high,
        }
        if base is None:
            row["difference"] = None if e.mean is None or rec is None else e.mean - rec
            return row
        b = Estimate.of(base)
        d = Estimate.of([None if x is None or y is None else x - y for x, y in zip(sim, base, strict=True)])
        row.update(difference=d.mean, baseline=b.mean, baseline_low=b.low, baseline_high=b.high,
                   difference_low=d.low, difference_high=d.high)
        return row

    def _frame(self) -> Any:
        import pandas as pd

        rows = []
        base = self.baseline
        names = [*self.recorded.queues, "all"]
        for q in names:
            figs = self.recorded.total if q == "all" else self.recorded.queues[q]
            for m in QUEUE_METRICS:
                rows.append(self._row(q, None, m, figs[m], _queue_values(self.simulated, q, m),
                                      None if base is None else _queue_values(base, q, m)))
        n = len(self.recorded.series["all"]["offered"])
        for q in names:
            rec = self.recorded.series[q]
            for k in range(n):
                sim_offered = _interval_values(self.simulated, q, k, "offered")
                if not rec["offered"][k] and not any(sim_offered):
                    continue
                for m in INTERVAL_METRICS:
                    r = _rate(rec["answered"][k], rec["abandoned"][k]) if m == "abandon_rate" else rec[m][k]
                    rows.append(self._row(q, k, m, r, _interval_values(self.simulated, q, k, m),
                                          None if base is None else _interval_values(base, q, k, m)))
        frame = pd.DataFrame(rows)
        frame["interval"] = frame["interval"].astype("Int64")
        for c in frame.columns:
            if c not in ("queue", "interval", "clock", "metric"):
                frame[c] = frame[c].astype(float)
        return frame

    def value(self, metric: str, queue: str = "all", column: str = "simulated") -> Optional[float]:
        """One figure over the whole log: ``column`` of ``metric`` for ``queue``."""
        f = self.queues
        hit = f[(f["queue"] == queue) & (f["metric"] == metric)]
        if hit.empty:
            raise KeyError(f"no row for queue {queue!r}, metric {metric!r}")
        v = hit.iloc[0][column]
        return None if v != v else float(v)

    def to_csv(self, path: Union[str, "os.PathLike[str]", None] = None) -> str:
        """The table as CSV text; also written to ``path`` if given."""
        text: str = self.frame.to_csv(index=False, lineterminator="\n")
        if path is not None:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        return text

    def plot(self, path: Union[str, "os.PathLike[str]"], queue: str = "all", title: str = "") -> None:
        """Writes a figure (PNG, SVG or PDF by extension): offered,
        abandoned share, service level and ASA per interval of arrival,
        recorded against simulated (mean and 95 % band), for ``queue``."""
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("plots need matplotlib: pip install 'ccroute[plot]'") from exc
        f = self.intervals
        f = f[f["queue"] == queue]
        if f.empty:
            raise ValueError(f"unknown queue {queue!r}; the table has {sorted(set(self.frame['queue']))}")
        panels = (("offered", "offered", 1.0), ("abandon_rate", "abandoned (%)", 100.0),
                  ("service_level", "service level (%)", 100.0), ("asa", "ASA (s)", 1.0))
        fig, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(9, 9))
        n = len(self.recorded.series["all"]["offered"])
        for ax, (metric, label, scale) in zip(axes, panels, strict=True):
            # Every interval, empty ones as gaps in the lines.
            m = f[f["metric"] == metric].set_index("interval").reindex(range(n))
            x = (m.index.to_numpy() + 0.5) * self.interval / 3600
            ax.plot(x, m["recorded"] * scale, color="black", marker=".", label="recorded")
            ax.plot(x, m["simulated"] * scale, marker=".", label=f"simulated, {self.policy}")
            ax.fill_between(x, m["low"] * scale, m["high"] * scale, alpha=0.25, linewidth=0)
            if self.baseline is not None:
                ax.plot(x, m["baseline"] * scale, marker=".", label=f"simulated, {self.compare_to}")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
        axes[0].legend(loc="upper left", fontsize="small")
        axes[-1].set_xlabel("time (h) from the log's start, by interval of arrival")
        reps = len(self.simulated.replications)
        axes[0].set_title(title or f"{self.log.name or 'log'}: {queue}, {int(self.interval // 60)}-minute intervals, "
                                   f"{reps} replications")
        fig.tight_layout()
        fig.savefig(os.fspath(path), dpi=110)
        plt.close(fig)

    def __repr__(self) -> str:
        ab = self.value("abandon_rate")
        rec = self.value("abandon_rate", column="recorded")
        fmt = (lambda v: "—" if v is None else f"{100 * v:.1f}%")  # noqa: E731
        return (f"ReplayComparison(policy={self.policy!r}, compare_to={self.compare_to!r}, "
                f"abandoned recorded {fmt(rec)} simulated {fmt(ab)})")
