"""Simulation results: per replication, and across replications with 95 %
confidence intervals; policy comparisons with paired differences.

A figure across replications is an :class:`Estimate`: the mean of the
per-replication values and a Student-t 95 % confidence interval
(``mean ± t(0.975, n-1) · s / √n``). Replications are independent (each has
its own random streams), so the interval is exact for normal values and a
good approximation for the averages a replication reports.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

__all__ = ["Estimate", "Results", "Comparison", "t_quantile", "METRICS", "GROUP_METRICS"]

#: Figures reported for each queue, channel, contact type and the total.
METRICS: tuple[str, ...] = (
    "offered", "answered", "abandoned", "refused", "cancelled", "unfinished", "unfinished_late", "service_level",
    "abandon_rate", "p_wait", "asa", "mean_wait", "wait_p90",
)
#: Figures reported for each agent group (``utilisation.<channel>`` too).
GROUP_METRICS: tuple[str, ...] = ("occupancy", "handled_mean", "handled_cv", "staffed_time")

# t(0.975, df) for df = 1..30.
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)


def t_quantile(df: int) -> float:
    """The 0.975 quantile of Student's t with ``df`` degrees of freedom
    (table up to 30, Cornish–Fisher expansion beyond; error < 1e-3)."""
    if df < 1:
        raise ValueError(f"df must be at least 1, got {df}")
    if df <= 30:
        return _T975[df - 1]
    z = 1.959963984540054
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


@dataclass(frozen=True)
class Estimate:
    """A figure across replications: ``mean`` with a 95 % confidence
    interval ``[low, high]`` (``None`` with fewer than two values), and the
    per-replication ``values`` (``None`` where a replication had nothing to
    measure, e.g. an ASA with no answered contact)."""

    mean: Optional[float]
    low: Optional[float]
    high: Optional[float]
    values: tuple[Optional[float], ...]

    @classmethod
    def of(cls, values: Sequence[Optional[float]]) -> "Estimate":
        """The estimate of the given per-replication values."""
        xs = [float(v) for v in values if v is not None]
        if not xs:
            return cls(None, None, None, tuple(values))
        n = len(xs)
        mean = math.fsum(xs) / n
        if n < 2:
            return cls(mean, None, None, tuple(values))
        var = math.fsum((x - mean) ** 2 for x in xs) / (n - 1)
        half = t_quantile(n - 1) * math.sqrt(var / n)
        return cls(mean, mean - half, mean + half, tuple(values))

    @property
    def half_width(self) -> Optional[float]:
        """Half the width of the confidence interval."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies inside the confidence interval."""
        return self.low is not None and self.high is not None and self.low <= value <= self.high

    def __format__(self, spec: str) -> str:
        if self.mean is None:
            return "—"
        spec = spec or ".4g"
        hw = self.half_width
        return f"{self.mean:{spec}}" if hw is None else f"{self.mean:{spec}} ± {hw:{spec}}"

    def __str__(self) -> str:
        return format(self)

    def to_dict(self) -> dict[str, Any]:
        """``{mean, low, high, values}``."""
        return {"mean": self.mean, "low": self.low, "high": self.high, "values": list(self.values)}


def _summarise(reps: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per scope (queues, channels, types, total, groups): name → metric → Estimate."""
    first = reps[0]
    out: dict[str, Any] = {}
    for scope in ("queues", "channels", "types"):
        out[scope] = {
            m["name"]: {k: Estimate.of([r[scope][i][k] for r in reps]) for k in METRICS}
            for i, m in enumerate(first[scope])
        }
    out["total"] = {k: Estimate.of([r["total"][k] for r in reps]) for k in METRICS}
    groups: dict[str, dict[str, Estimate]] = {}
    for i, g in enumerate(first["groups"]):
        figs = {k: Estimate.of([r["groups"][i][k] for r in reps]) for k in GROUP_METRICS}
        for j, (ch, _) in enumerate(g["utilisation"]):
            figs[f"utilisation.{ch}"] = Estimate.of([r["groups"][i]["utilisation"][j][1] for r in reps])
        groups[g["name"]] = figs
    out["groups"] = groups
    return out


def _mean(values: Sequence[Optional[float]]) -> Optional[float]:
    """The mean of the values that are not ``None`` (``None`` if none is):
    the same figure as ``Estimate.of(values).mean``, without the interval."""
    xs = [float(v) for v in values if v is not None]
    return math.fsum(xs) / len(xs) if xs else None


def _mean_series(reps: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, list[Optional[float]]]]:
    """Per queue (and ``"all"``): series of the per-interval means across replications."""
    out: dict[str, dict[str, list[Optional[float]]]] = {}
    for i, s in enumerate(reps[0]["series"]):
        figs: dict[str, list[Optional[float]]] = {}
        for key in ("offered", "answered", "abandoned", "service_level", "asa"):
            if len(reps) == 1:
                figs[key] = [None if v is None else float(v) for v in s[key]]
            else:
                figs[key] = [_mean(c) for c in zip(*[r["series"][i][key] for r in reps], strict=True)]
        out[s["name"]] = figs
    return out


def _rows(policy: str, summary: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for scope in ("queues", "channels", "types", "groups"):
        for name, figs in summary[scope].items():
            for metric, e in figs.items():
                yield _row(policy, scope[:-1], name, metric, e)
    for metric, e in summary["total"].items():
        yield _row(policy, "total", "all", metric, e)


def _row(policy: str, scope: str, name: str, metric: str, e: Estimate) -> dict[str, Any]:
    return {"policy": policy, "scope": scope, "name": name, "metric": metric,
            "mean": e.mean, "low": e.low, "high": e.high,
            "n": sum(v is not None for v in e.values)}


_FIELDS = ("policy", "scope", "name", "metric", "mean", "low", "high", "n")


def _write_csv(rows: Sequence[Mapping[str, Any]], path: Union[str, os.PathLike[str], None]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()) if rows else list(_FIELDS), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    text = buf.getvalue()
    if path is not None:
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return text


def _write_json(data: Any, path: Union[str, os.PathLike[str], None]) -> str:
    text = json.dumps(data, indent=2, allow_nan=False)
    if path is not None:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    return text


def _dataframe(rows: Sequence[Mapping[str, Any]]) -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "to_dataframe() needs pandas, which cannot be imported: pip install 'ccroute[pandas]' (or pandas)"
        ) from exc
    return pd.DataFrame(list(rows))


class Results:
    """The results of one policy on one scenario over its replications.

    Attributes:
        policy: the policy's name.
        scenario: the scenario's name.
        replications: the raw per-replication results (dicts, as the native
            simulator reports them).
        queues, channels, types: name → metric → :class:`Estimate` (metrics
            in :data:`METRICS`).
        total: metric → :class:`Estimate` over every contact.
        groups: agent group → metric → :class:`Estimate` (``occupancy``,
            ``utilisation.<channel>``, ``handled_mean``, ``handled_cv``,
            ``staffed_time``).
        series: per queue and ``"all"``: per-interval means across
            replications of ``offered``, ``answered``, ``abandoned``,
            ``service_level`` and ``asa``, by interval of arrival.
        interval: the series' interval length in seconds.
        wall_time: seconds the replications took.
    """

    def __init__(self, policy: str, scenario: str, replications: Sequence[Mapping[str, Any]], wall_time: float = 0.0) -> None:
        if not replications:
            raise ValueError("Results needs at least one replication")
        self.policy = policy
        self.scenario = scenario
        self.replications = list(replications)
        summary = _summarise(self.replications)
        self.queues: dict[str, dict[str, Estimate]] = summary["queues"]
        self.channels: dict[str, dict[str, Estimate]] = summary["channels"]
        self.types: dict[str, dict[str, Estimate]] = summary["types"]
        self.groups: dict[str, dict[str, Estimate]] = summary["groups"]
        self.total: dict[str, Estimate] = summary["total"]
        self.interval: float = float(self.replications[0]["interval"])
        self.wall_time = wall_time
        self._summary = summary
        self._series: Optional[dict[str, dict[str, list[Optional[float]]]]] = None

    @property
    def series(self) -> dict[str, dict[str, list[Optional[float]]]]:
        """Per queue and ``"all"``: per-interval means across replications of
        ``offered``, ``answered``, ``abandoned``, ``service_level`` and
        ``asa``, by interval of arrival (computed on first use: a long run
        has many intervals)."""
        if self._series is None:
            self._series = _mean_series(self.replications)
        return self._series

    @property
    def contacts(self) -> int:
        """Contacts simulated over every replication (warm-up included)."""
        return sum(int(r["contacts"]) for r in self.replications)

    def handled_per_agent(self, group: str) -> list[float]:
        """Mean contacts handled per agent of ``group`` across replications."""
        i = [g["name"] for g in self.replications[0]["groups"]].index(group)
        per = [r["groups"][i]["handled"] for r in self.replications]
        return [math.fsum(col) / len(col) for col in zip(*per, strict=True)]

    def rows(self) -> list[dict[str, Any]]:
        """The summary as flat rows: policy, scope, name, metric, mean, low, high, n."""
        return list(_rows(self.policy, self._summary))

    def to_dict(self) -> dict[str, Any]:
        """Summary (estimates), series and per-replication results."""
        def conv(x: Any) -> Any:
            if isinstance(x, Estimate):
                return x.to_dict()
            if isinstance(x, dict):
                return {k: conv(v) for k, v in x.items()}
            return x

        return {
            "scenario": self.scenario,
            "policy": self.policy,
            "replications": len(self.replications),
            "summary": conv(self._summary),
            "series": self.series,
            "interval": self.interval,
            "per_replication": self.replications,
        }

    def to_json(self, path: Union[str, os.PathLike[str], None] = None) -> str:
        """JSON text of :meth:`to_dict`; also written to ``path`` if given."""
        return _write_json(self.to_dict(), path)

    def to_csv(self, path: Union[str, os.PathLike[str], None] = None) -> str:
        """CSV text of :meth:`rows`; also written to ``path`` if given."""
        return _write_csv(self.rows(), path)

    def to_dataframe(self) -> Any:
        """:meth:`rows` as a pandas DataFrame (needs pandas)."""
        return _dataframe(self.rows())

    def __repr__(self) -> str:
        sl = self.total["service_level"]
        return (f"Results(policy={self.policy!r}, replications={len(self.replications)}, "
                f"service_level={sl}, asa={self.total['asa']})")


class Comparison:
    """Several policies run on the same scenario with the same seeds
    (common random numbers: the same contacts arrive with the same handle
    times and patience under each policy).

    Attributes:
        results: policy → :class:`Results`.
        baseline: the first policy.
        differences: policy → scope → name → metric → :class:`Estimate` of
            the paired per-replication difference *policy − baseline*
            (scopes ``queues``, ``channels``, ``types``, ``groups``, and
            ``total`` → metric directly). Pairing removes the variance the
            policies share, so these intervals are far narrower than those
            of each policy alone.
    """

    def __init__(self, results: Mapping[str, Results]) -> None:
        if not results:
            raise ValueError("Comparison needs at least one policy")
        self.results = dict(results)
        self.baseline = next(iter(self.results))
        base = self.results[self.baseline]
        self.differences: dict[str, dict[str, Any]] = {
            p: _diff(r._summary, base._summary) for p, r in self.results.items() if p != self.baseline
        }

    @property
    def policies(self) -> list[str]:
        """The policies, baseline first."""
        return list(self.results)

    def rows(self) -> list[dict[str, Any]]:
        """Every policy's summary rows, then the difference rows (policy
        ``"B - A"``)."""
        out = [row for r in self.results.values() for row in r.rows()]
        for p, d in self.differences.items():
            out.extend(_rows(f"{p} - {self.baseline}", d))
        return out

    def to_dict(self) -> dict[str, Any]:
        """Each policy's results and the paired differences."""
        def conv(x: Any) -> Any:
            if isinstance(x, Estimate):
                return x.to_dict()
            if isinstance(x, dict):
                return {k: conv(v) for k, v in x.items()}
            return x

        return {
            "baseline": self.baseline,
            "results": {p: r.to_dict() for p, r in self.results.items()},
            "differences": {p: conv(d) for p, d in self.differences.items()},
        }

    def to_json(self, path: Union[str, os.PathLike[str], None] = None) -> str:
        """JSON text of :meth:`to_dict`; also written to ``path`` if given."""
        return _write_json(self.to_dict(), path)

    def to_csv(self, path: Union[str, os.PathLike[str], None] = None) -> str:
        """CSV text of :meth:`rows`; also written to ``path`` if given."""
        return _write_csv(self.rows(), path)

    def to_dataframe(self) -> Any:
        """:meth:`rows` as a pandas DataFrame (needs pandas)."""
        return _dataframe(self.rows())

    def __repr__(self) -> str:
        return f"Comparison(policies={self.policies!r})"


def _diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    def sub(x: Estimate, y: Estimate) -> Estimate:
        return Estimate.of([None if u is None or v is None else u - v for u, v in zip(x.values, y.values, strict=True)])

    out: dict[str, Any] = {}
    for scope in ("queues", "channels", "types", "groups"):
        out[scope] = {n: {m: sub(e, b[scope][n][m]) for m, e in figs.items()} for n, figs in a[scope].items()}
    out["total"] = {m: sub(e, b["total"][m]) for m, e in a["total"].items()}
    return out
