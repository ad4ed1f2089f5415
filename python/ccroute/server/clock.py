"""Clocks that give the service its time, in seconds.

The router never reads a clock (time is an argument); the service turns
wall-clock time into the router's ``now``. Production uses
:class:`MonotonicClock` (seconds since the service started, immune to
wall-clock jumps); tests inject a :class:`ManualClock` they move by hand;
``ccroute serve --clock client`` uses a :class:`ClientClock`, moved by the
``now`` of each call.
"""

from __future__ import annotations

import threading
import time
from typing import Callable, Optional, Protocol

__all__ = ["Clock", "MonotonicClock", "ManualClock", "ClientClock"]


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


class ClientClock(ManualClock):
    """Time that comes from the callers: each mutating call names its
    ``now`` and the service moves to it before applying the call, so a
    client drives the server in virtual time. Timers fire only when a
    call's time passes them (``Advance`` with a ``now`` moves time alone)."""

    #: The service fires due timers on its own only with a clock that moves
    #: by itself.
    drives_timers = False

    def __init__(self) -> None:
        super().__init__(0.0)
        self._source: Optional[Callable[[], float]] = None

    def bind(self, source: Callable[[], float]) -> None:
        """Read the time from ``source`` (the router's clock, which the
        calls move)."""
        self._source = source

    def __call__(self) -> float:
        return self._source() if self._source is not None else self._now
