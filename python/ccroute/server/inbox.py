"""The hand-off between callers and the engine thread.

Callers on any thread put a command and a :class:`Pending` reply slot on
the bounded :class:`Inbox`; the engine thread takes the queued commands in
rounds and resolves the slots once a round is done.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Optional

from . import commands as cmd
from .errors import ServerBusy, ServiceTimeout, ServiceUnavailable

__all__ = ["Inbox", "Pending", "ROUND_MAX"]

#: Most commands one engine round takes (bounds the latency of a round).
ROUND_MAX = 512


class Pending:
    """A reply slot: the caller waits on a pre-acquired lock that the engine
    thread releases (the cheapest hand-off CPython has)."""

    __slots__ = ("_lock", "value", "error", "done")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()
        self.value: Any = None
        self.error: Optional[BaseException] = None
        self.done = False

    def resolve(self, value: Any, error: Optional[BaseException]) -> None:
        """Hand the caller its reply, or the error to raise (engine thread)."""
        self.value = value
        self.error = error
        self.done = True
        self._lock.release()

    def wait(self, timeout: Optional[float]) -> Any:
        """The reply, once resolved (``ServiceTimeout`` after ``timeout`` s)."""
        if not self._lock.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
            raise ServiceTimeout(
                f"no answer within {timeout:.3f} s; the command may still run "
                "(retry a submit with the same idempotency key)"
            )
        if self.error is not None:
            raise self.error
        return self.value


class Inbox:
    """The bounded command queue between callers and the engine thread."""

    def __init__(self, limit: int) -> None:
        self._items: deque[tuple[cmd.Command, Optional[Pending]]] = deque()
        self._cond = threading.Condition(threading.Lock())
        self._limit = limit
        self._closed: Optional[str] = None

    def __len__(self) -> int:
        return len(self._items)

    def put(self, command: cmd.Command, pending: Optional[Pending]) -> None:
        """Queue a command (``ServerBusy`` when full, ``ServiceUnavailable`` once closed)."""
        with self._cond:
            if self._closed is not None:
                raise ServiceUnavailable(self._closed)
            items = self._items
            if len(items) >= self._limit:
                raise ServerBusy(
                    f"server busy: {len(items)} commands already queued (limit {self._limit}); retry later"
                )
            items.append((command, pending))
            if len(items) == 1:
                self._cond.notify()

    def take(self, timeout: Optional[float]) -> Optional[list[tuple[cmd.Command, Optional[Pending]]]]:
        """Up to ``ROUND_MAX`` commands; ``[]`` on timeout; ``None`` once
        closed and empty."""
        with self._cond:
            items = self._items
            if not items:
                if self._closed is not None:
                    return None
                self._cond.wait(timeout)
                if not items:
                    return None if self._closed is not None else []
            if len(items) <= ROUND_MAX:
                self._items = deque()
                return list(items)
            return [items.popleft() for _ in range(ROUND_MAX)]

    @property
    def closed(self) -> bool:
        """Whether further commands are refused."""
        return self._closed is not None

    def close(self, reason: str) -> None:
        """Refuse further commands with ``reason``; the queued ones still run."""
        with self._cond:
            if self._closed is None:
                self._closed = reason
            self._cond.notify_all()
