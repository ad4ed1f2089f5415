"""A contact log's recorded figures, counted as the simulator counts its
own (:class:`ccroute.sim.Results`), so the two can be set side by side."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

from . import _center
from .logs import ContactLog, LoggedContact
from .results import METRICS

__all__ = ["RecordedMetrics", "recorded_metrics", "SERIES_KEYS"]

#: The per-interval figures, as in ``Results.series``.
SERIES_KEYS: tuple[str, ...] = ("offered", "answered", "abandoned", "service_level", "asa")


@dataclass(frozen=True)
class RecordedMetrics:
    """A log's recorded figures in the definitions of
    :class:`ccroute.sim.Results`: per queue, type and channel and in
    ``total``, each metric of :data:`ccroute.sim.METRICS` (a float, or
    ``None`` where there is nothing to measure); ``series`` per queue and
    ``"all"``: per interval of arrival, ``offered``, ``answered``,
    ``abandoned``, ``service_level`` and ``asa``.

    Service level = answered within the queue's threshold / (answered +
    abandoned + unfinished that had waited past the threshold when the log
    ends); abandon rate = abandoned / (answered + abandoned); ASA = mean
    wait of answered contacts; mean wait, its 90th percentile and
    ``p_wait`` (the share that waited at all) over answered and abandoned
    contacts; ``unfinished`` = still waiting when the log ends.
    """

    queues: dict[str, dict[str, Optional[float]]]
    types: dict[str, dict[str, Optional[float]]]
    channels: dict[str, dict[str, Optional[float]]]
    total: dict[str, Optional[float]]
    series: dict[str, dict[str, list[Optional[float]]]]
    interval: float
    thresholds: dict[str, float]

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows: scope, name, metric, value."""
        out: list[dict[str, Any]] = []
        for scope, figs in (("queue", self.queues), ("type", self.types), ("channel", self.channels),
                            ("total", {"all": self.total})):
            for name, m in figs.items():
                out.extend({"scope": scope, "name": name, "metric": k, "value": v} for k, v in m.items())
        return out

    def to_dataframe(self) -> Any:
        """:meth:`rows` as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rows())


def _quantile(xs: Sequence[float], q: float) -> Optional[float]:
    if not xs:
        return None
    s = sorted(xs)
    pos = q * (len(s) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _figures(cs: Sequence[LoggedContact], thr: Mapping[str, float], end: float) -> dict[str, Optional[float]]:
    answered = [c for c in cs if c.answered is not None]
    abandoned = [c for c in cs if c.answered is None and c.abandoned is not None]
    unfinished = [c for c in cs if c.outcome == "unfinished"]
    late = sum(1 for c in unfinished if end - c.arrival > thr[c.queue])
    waits_answered = [c.wait for c in answered]
    waits = [w for w in (c.wait for c in (*answered, *abandoned)) if w is not None]
    ended = len(answered) + len(abandoned)
    in_sl = sum(1 for c in answered if c.wait is not None and c.wait <= thr[c.queue])

    def ratio(a: float, b: int) -> Optional[float]:
        return a / b if b else None

    figs: dict[str, Optional[float]] = {
        "offered": float(len(cs)), "answered": float(len(answered)), "abandoned": float(len(abandoned)),
        "refused": 0.0, "cancelled": 0.0, "unfinished": float(len(unfinished)), "unfinished_late": float(late),
        "service_level": ratio(in_sl, ended + late), "abandon_rate": ratio(len(abandoned), ended),
        "p_wait": ratio(sum(1 for w in waits if w > 0), ended),
        "asa": ratio(math.fsum(w for w in waits_answered if w is not None), len(answered)),
        "mean_wait": ratio(math.fsum(waits), ended), "wait_p90": _quantile(waits, 0.9),
    }
    assert tuple(figs) == METRICS
    return figs


def intervals(log: ContactLog, interval: float) -> int:
    """Intervals of the replay of ``log`` (its duration is the last arrival plus one second)."""
    duration = max(c.arrival for c in log.contacts) + 1.0
    return max(1, math.ceil(duration / interval))


def _series(cs: Sequence[LoggedContact], thr: Mapping[str, float], end: float, interval: float,
            n: int) -> dict[str, list[Optional[float]]]:
    offered, answered, abandoned, in_sl, late = ([0] * n for _ in range(5))
    wait_sum = [0.0] * n
    for c in cs:
        i = min(int(c.arrival // interval), n - 1)
        offered[i] += 1
        if c.answered is not None:
            answered[i] += 1
            wait_sum[i] += c.answered - c.arrival
            in_sl[i] += c.answered - c.arrival <= thr[c.queue]
        elif c.abandoned is not None:
            abandoned[i] += 1
        elif end - c.arrival > thr[c.queue]:
            late[i] += 1
    return {
        "offered": [float(v) for v in offered], "answered": [float(v) for v in answered],
        "abandoned": [float(v) for v in abandoned],
        "service_level": [in_sl[i] / d if (d := answered[i] + abandoned[i] + late[i]) else None for i in range(n)],
        "asa": [wait_sum[i] / answered[i] if answered[i] else None for i in range(n)],
    }


def recorded_metrics(log: ContactLog, interval: float = 1800.0,
                     threshold: Union[float, Mapping[str, float], None] = None) -> RecordedMetrics:
    """The recorded figures of ``log`` per queue, type, channel and in
    total, and per interval of ``interval`` seconds by interval of arrival
    (see :class:`RecordedMetrics`); ``threshold``: the service-level
    threshold in seconds, or per queue (default: the log's, else 20 s)."""
    if not log.contacts:
        raise ValueError("the log has no contacts")
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or not interval > 0:
        raise ValueError(f"interval must be a positive number of seconds, got {interval!r}")
    thr = _center.thresholds(log, threshold)
    end = log.end
    n = intervals(log, interval)

    def by(attr: str) -> dict[str, dict[str, Optional[float]]]:
        names = list(dict.fromkeys(getattr(c, attr) for c in log.contacts))
        return {k: _figures([c for c in log.contacts if getattr(c, attr) == k], thr, end) for k in names}

    series = {q: _series([c for c in log.contacts if c.queue == q], thr, end, interval, n) for q in log.queues}
    series["all"] = _series(log.contacts, thr, end, interval, n)
    return RecordedMetrics(queues=by("queue"), types=by("type"), channels=by("channel"),
                           total=_figures(log.contacts, thr, end), series=series, interval=float(interval),
                           thresholds=thr)
