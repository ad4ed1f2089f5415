"""Checks shared by the scenario objects: each names the offending field."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Optional

from ..errors import InvalidInput

__all__ = ["ScenarioError", "UnservableWarning", "parse_duration"]


class ScenarioError(InvalidInput):
    """A scenario field is missing or wrong; the message starts with the
    field's path (``agent_groups[1].skills.sales``)."""


class UnservableWarning(UserWarning):
    """A contact type no agent group can ever serve: its contacts can only
    wait or abandon. Raised instead (as :class:`ScenarioError`) with
    ``Scenario(unservable="refuse")``."""


def _fail(path: str, message: str) -> ScenarioError:
    return ScenarioError(f"{path}: {message}" if path else message)


_UNITS = {"s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-z]*)\s*$")


def parse_duration(value: Any, path: str = "duration") -> float:
    """Seconds from a number or a string such as ``"90s"``, ``"15m"``,
    ``"1.5h"``, ``"1d"``. Raises :class:`ScenarioError` naming ``path``."""
    if isinstance(value, bool):
        raise _fail(path, f"must be a number of seconds or a string like '15m', got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    elif isinstance(value, str):
        m = _DURATION.match(value)
        if not m or m.group(2) not in ("", *_UNITS):
            raise _fail(path, f"cannot read {value!r} as a duration (use seconds, or a suffix s, m, h, d)")
        seconds = float(m.group(1)) * _UNITS.get(m.group(2), 1.0)
    else:
        raise _fail(path, f"must be a number of seconds or a string like '15m', got {value!r}")
    if not math.isfinite(seconds) or seconds < 0:
        raise _fail(path, f"must be a finite, non-negative duration, got {value!r}")
    return seconds


def _number(value: Any, path: str, *, positive: bool = False, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, f"must be a number, got {value!r}")
    v = float(value)
    if not math.isfinite(v) or v < 0 or (positive and v == 0) or (not allow_zero and v == 0):
        kind = "positive" if positive or not allow_zero else "non-negative"
        raise _fail(path, f"must be a finite, {kind} number, got {value!r}")
    return v


def _int(value: Any, path: str, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(path, f"must be an integer, got {value!r}")
    if value < minimum:
        raise _fail(path, f"must be at least {minimum}, got {value!r}")
    return value


def _name(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise _fail(path, f"must be a non-empty string, got {value!r}")
    return value


def _skills(value: Any, path: str, known: Optional[Sequence[str]] = None) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _fail(path, f"must be a mapping of skill name to level, got {value!r}")
    out: dict[str, int] = {}
    for k, v in value.items():
        _name(k, path)
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 10:
            raise _fail(f"{path}.{k}", f"level must be an integer from 1 to 10, got {v!r}")
        if known is not None and k not in known:
            raise _fail(f"{path}.{k}", f"unknown skill {k!r}; the scenario's skills are {sorted(known)}")
        out[str(k)] = int(v)
    return out
