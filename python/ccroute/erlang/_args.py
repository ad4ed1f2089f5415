"""Argument checks shared by every calculator: each bad argument raises
:class:`ValueError` naming the argument and the value, in the same words
whichever function was called."""

from __future__ import annotations

import math
import numbers
import operator


def _real(name: str, value: object) -> float:
    """``value`` as a finite float, else ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a real number, got {value!r}")
    x = float(value)
    if math.isnan(x):
        raise ValueError(f"{name} must not be NaN, got {value!r}")
    return x


def _nonneg(name: str, value: object) -> float:
    x = _real(name, value)
    if not (0.0 <= x < math.inf):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return x


def _positive(name: str, value: object) -> float:
    x = _real(name, value)
    if not (0.0 < x < math.inf):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return x


def _threshold(value: object, name: str = "threshold") -> float:
    x = _real(name, value)
    if x < 0.0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")
    return x


def _agents(value: object, name: str = "agents") -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    try:
        n = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        if (
            isinstance(value, numbers.Real)
            and math.isfinite(float(value))
            and float(value).is_integer()
        ):
            n = int(float(value))
        else:
            raise ValueError(
                f"{name} must be an integer >= 1, got {value!r}"
            ) from None
    if n < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return n


def _load(value: object) -> float:
    return _nonneg("load", value)


def _offered_load(arrival_rate: float, aht: float) -> float:
    a = arrival_rate * aht
    if not math.isfinite(a):
        raise ValueError(
            f"load = arrival_rate * aht must be finite, got "
            f"{arrival_rate!r} * {aht!r}"
        )
    return a


def _ceil9(x: float) -> int:
    """ceil(x) after rounding to 9 decimals, so 21/(1-0.3) = 30.000000000000004
    gives 30, not 31."""
    return math.ceil(round(x, 9))
