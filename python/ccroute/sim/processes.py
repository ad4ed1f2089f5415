"""Distributions of durations (handle time, patience) and arrival
processes. Durations are seconds; rates are contacts per hour."""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

from ._checks import _fail, _int, _number

__all__ = [
    "Exponential",
    "LogNormal",
    "Gamma",
    "Constant",
    "Empirical",
    "Distribution",
    "Poisson",
    "PiecewisePoisson",
    "Trace",
    "ArrivalProcess",
]


# -- distributions ------------------------------------------------------------


class _Sampled:
    """``sample()`` for the distributions: draws by the simulator's own
    algorithm, so a user's loop and the simulator agree."""

    def _core(self, path: str) -> dict[str, Any]:  # pragma: no cover - each class defines it
        raise NotImplementedError

    def sample(self, size: Optional[int] = None, seed: int = 0) -> Any:
        """``size`` draws (seconds) as a numpy array, or one float when
        ``size`` is None, from a random stream of its own seeded with
        ``seed`` (same seed, same values on every machine). Raises
        :class:`ScenarioError` naming a bad parameter."""
        import json

        from .. import _ccroute

        n = 1 if size is None else size
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"size must be a non-negative integer or None, got {size!r}")
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**64:
            raise ValueError(f"seed must be an integer in [0, 2**64), got {seed!r}")
        core = json.dumps(self._core(type(self).__name__))
        draws = _ccroute.sample_distribution(core, n, seed)
        return float(draws[0]) if size is None else draws


@dataclass(frozen=True)
class Exponential(_Sampled):
    """Exponential durations with the given ``mean`` (seconds)."""

    mean: float

    def _core(self, path: str) -> dict[str, Any]:
        return {"kind": "exponential", "mean": _number(self.mean, f"{path}.mean", positive=True)}


@dataclass(frozen=True)
class LogNormal(_Sampled):
    """Log-normal durations with the given ``mean`` and standard deviation
    ``sd`` of the duration itself (seconds)."""

    mean: float
    sd: float

    def _core(self, path: str) -> dict[str, Any]:
        return {
            "kind": "lognormal",
            "mean": _number(self.mean, f"{path}.mean", positive=True),
            "sd": _number(self.sd, f"{path}.sd", positive=True),
        }


@dataclass(frozen=True)
class Gamma(_Sampled):
    """Gamma durations with the given ``mean`` and standard deviation ``sd``."""

    mean: float
    sd: float

    def _core(self, path: str) -> dict[str, Any]:
        return {
            "kind": "gamma",
            "mean": _number(self.mean, f"{path}.mean", positive=True),
            "sd": _number(self.sd, f"{path}.sd", positive=True),
        }


@dataclass(frozen=True)
class Constant(_Sampled):
    """Always ``value`` seconds."""

    value: float

    def _core(self, path: str) -> dict[str, Any]:
        return {"kind": "constant", "value": _number(self.value, f"{path}.value")}


@dataclass(frozen=True)
class Empirical(_Sampled):
    """Resamples the observed ``samples`` (seconds) uniformly."""

    samples: tuple[float, ...]

    def __init__(self, samples: Sequence[float]) -> None:
        object.__setattr__(self, "samples", tuple(samples))

    def _core(self, path: str) -> dict[str, Any]:
        if not self.samples:
            raise _fail(f"{path}.samples", "needs at least one value")
        return {
            "kind": "empirical",
            "samples": [_number(v, f"{path}.samples[{i}]") for i, v in enumerate(self.samples)],
        }


Distribution = Union[Exponential, LogNormal, Gamma, Constant, Empirical]


def mean_of(dist: Distribution) -> float:
    """The mean of a distribution (seconds)."""
    if isinstance(dist, Constant):
        return float(dist.value)
    if isinstance(dist, Empirical):
        return float(sum(dist.samples)) / len(dist.samples)
    return float(dist.mean)
_DISTS: dict[str, Any] = {
    "exponential": Exponential,
    "lognormal": LogNormal,
    "gamma": Gamma,
    "constant": Constant,
    "empirical": Empirical,
}

# -- arrival processes --------------------------------------------------------


@dataclass(frozen=True)
class Poisson:
    """Poisson arrivals at a constant rate of ``per_hour`` contacts an hour."""

    per_hour: float

    def _core(self, path: str, base: str) -> dict[str, Any]:
        return {"kind": "poisson", "rate": _number(self.per_hour, f"{path}.per_hour") / 3600.0}


@dataclass(frozen=True)
class PiecewisePoisson:
    """Poisson arrivals whose rate is constant within consecutive intervals
    of ``interval`` seconds starting at time 0: ``per_hour[k]`` contacts an
    hour in interval ``k`` (a day's profile); none after the last one."""

    interval: float
    per_hour: tuple[float, ...]

    def __init__(self, interval: float, per_hour: Sequence[float]) -> None:
        object.__setattr__(self, "interval", interval)
        object.__setattr__(self, "per_hour", tuple(per_hour))

    def _core(self, path: str, base: str) -> dict[str, Any]:
        interval = _number(self.interval, f"{path}.interval", positive=True)
        return {
            "kind": "piecewise",
            "interval": interval,
            "rates": [_number(r, f"{path}.per_hour[{i}]") / 3600.0 for i, r in enumerate(self.per_hour)],
        }


@dataclass(frozen=True)
class Trace:
    """Recorded arrivals replayed as they are: arrival ``times`` (seconds,
    non-decreasing) and optionally, per row, the ``handle_times``, the
    ``patience`` (``None`` in a row: that customer never abandons) and the
    ``priorities``. Missing columns are drawn from the contact type's
    distributions. :meth:`from_csv` reads one from a CSV file."""

    times: tuple[float, ...]
    handle_times: Optional[tuple[float, ...]] = None
    patience: Optional[tuple[Optional[float], ...]] = None
    priorities: Optional[tuple[int, ...]] = None

    def __init__(
        self,
        times: Sequence[float],
        handle_times: Optional[Sequence[float]] = None,
        patience: Optional[Sequence[Optional[float]]] = None,
        priorities: Optional[Sequence[int]] = None,
    ) -> None:
        object.__setattr__(self, "times", tuple(times))
        object.__setattr__(self, "handle_times", None if handle_times is None else tuple(handle_times))
        object.__setattr__(self, "patience", None if patience is None else tuple(patience))
        object.__setattr__(self, "priorities", None if priorities is None else tuple(priorities))

    @classmethod
    def from_csv(
        cls,
        path: Union[str, os.PathLike[str]],
        time: str = "time",
        handle_time: Optional[str] = "handle_time",
        patience: Optional[str] = "patience",
        priority: Optional[str] = "priority",
        where: Optional[Mapping[str, str]] = None,
    ) -> "Trace":
        """Reads a trace from a CSV file with a header line.

        ``time`` names the arrival-time column (seconds, or ``H:MM:SS``);
        ``handle_time``, ``patience`` and ``priority`` name optional columns
        (used when present; an empty patience cell means no abandonment).
        ``where`` keeps only the rows whose columns equal the given values.
        Rows are sorted by time."""
        rows: list[tuple[float, Optional[float], Optional[float], Optional[int]]] = []
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            cols = reader.fieldnames or []
            if time not in cols:
                raise _fail(f"trace {os.fspath(path)!s}", f"has no column {time!r} (columns: {cols})")
            has_h = handle_time is not None and handle_time in cols
            has_p = patience is not None and patience in cols
            has_q = priority is not None and priority in cols
            for n, row in enumerate(reader, start=2):
                if where and any(row.get(k) != v for k, v in where.items()):
                    continue
                where_ = f"trace {os.fspath(path)!s} line {n}"
                t = _clock(row[time], f"{where_}, column {time!r}")
                h = _clock(row[handle_time], f"{where_}, column {handle_time!r}") if has_h else None  # type: ignore[index]
                p_cell = row[patience].strip() if has_p else ""  # type: ignore[index]
                p = _clock(p_cell, f"{where_}, column {patience!r}") if p_cell else None
                q = int(row[priority]) if has_q else None  # type: ignore[index]
                rows.append((t, h, p, q))
        rows.sort(key=lambda r: r[0])
        return cls(
            times=[r[0] for r in rows],
            handle_times=[r[1] for r in rows] if has_h else None,  # type: ignore[misc]
            patience=[r[2] for r in rows] if has_p else None,
            priorities=[r[3] for r in rows] if has_q else None,  # type: ignore[misc]
        )

    def _core(self, path: str, base: str) -> dict[str, Any]:
        n = len(self.times)
        prev = 0.0
        times = []
        for i, t in enumerate(self.times):
            v = _number(t, f"{path}.times[{i}]")
            if v < prev:
                raise _fail(f"{path}.times[{i}]", f"{v} is before the previous arrival {prev}")
            prev = v
            times.append(v)
        out: dict[str, Any] = {"kind": "trace", "times": times}
        for name, col in (("handle_times", self.handle_times), ("patience", self.patience), ("priorities", self.priorities)):
            if col is None:
                continue
            if len(col) != n:
                raise _fail(f"{path}.{name}", f"has {len(col)} values for {n} arrival times")
            if name == "handle_times":
                out[name] = [_number(v, f"{path}.{name}[{i}]") for i, v in enumerate(col)]
            elif name == "patience":
                out[name] = [None if v is None else _number(v, f"{path}.{name}[{i}]") for i, v in enumerate(col)]
            else:
                out[name] = [_int(v, f"{path}.{name}[{i}]", minimum=-(2**63)) for i, v in enumerate(col)]
        return out


def _clock(cell: str, where: str) -> float:
    """Seconds from ``123.4`` or ``H:MM:SS``."""
    cell = cell.strip()
    try:
        if ":" in cell:
            parts = [float(p) for p in cell.split(":")]
            seconds = 0.0
            for p in parts:
                seconds = seconds * 60 + p
            return seconds
        return float(cell)
    except ValueError:
        raise _fail(where, f"cannot read {cell!r} as seconds or H:MM:SS") from None


ArrivalProcess = Union[Poisson, PiecewisePoisson, Trace]
