"""Clocks that give the service its time, in seconds.

The router never reads a clock (time is an argument); the service turns
wall-clock time into the router's ``now``. Production uses
:class:`MonotonicClock` (seconds since the service started, immune to
wall-clock jumps); tests inject a :class:`ManualClock` they move by hand.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

__all__ = ["Clock", "MonotonicClock", "ManualClock"]


class Clock(Protocol):
    """Anything callable that returns the current time in seconds; it must
    never go backwards."""

    def __call__(self) -> float: ...


class MonotonicClock:
    """Seconds since this clock was made, from ``time.monotonic``."""

    __slots__ = ("_start",)

    def __init__(self) -> None:
        self._start = time.monotonic()

    def __call__(self) -> float:
        return time.monotonic() - self._start


class ManualClock:
    """A clock that moves only when told (tests). Thread-safe."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` (not negative); returns the new time."""
        if not seconds >= 0:
            raise ValueError(f"cannot move a clock back by {seconds!r} seconds")
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, now: float) -> None:
        """Move to ``now`` (not before the current time)."""
        with self._lock:
            if not now >= self._now:
                raise ValueError(f"time {now!r} is before the clock's {self._now!r}")
            self._now = float(now)
