"""The event log of the service: sequence numbers, bounded history and
bounded subscriber buffers.

Every event the router emits gets the next sequence number (1, 2, 3, ...)
on the engine thread and goes into a ring of the last ``history`` events
and into each subscriber's buffer. A subscriber that falls behind by more
than its buffer is cut off (it never slows the engine): it reads what was
buffered, then gets :class:`SubscriberLagged` naming the last sequence it
received, and resumes from there while the history still holds it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Sequence
from typing import Any, Optional

from ..events import Event
from .errors import HistoryGap, StreamEnded, SubscriberLagged

__all__ = ["EventRecord", "EventHistory", "Subscription"]


class EventRecord:
    """One event and its sequence number. ``wire`` caches the event's
    protobuf form, made once however many subscribers send it."""

    __slots__ = ("sequence", "event", "wire", "wall")

    def __init__(self, sequence: int, event: Event, wall: float = 0.0) -> None:
        self.sequence = sequence
        self.event = event
        self.wire: Any = None
        #: The server's wall-clock time of the event (Unix seconds; 0: unknown).
        self.wall = wall

    def __repr__(self) -> str:
        return f"EventRecord({self.sequence}, {self.event!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventRecord):
            return NotImplemented
        return self.sequence == other.sequence and self.event == other.event

    __hash__ = None  # type: ignore[assignment]


class EventHistory:
    """The last ``capacity`` records, in a ring (engine thread only)."""

    __slots__ = ("_ring", "_capacity", "last")

    def __init__(self, capacity: int) -> None:
        self._ring: list[Optional[EventRecord]] = [None] * capacity
        self._capacity = capacity
        #: Sequence of the last record (0 before any).
        self.last = 0

    @property
    def oldest(self) -> int:
        """Oldest sequence held (``last + 1`` when empty)."""
        return max(1, self.last - self._capacity + 1) if self.last else 1

    def __len__(self) -> int:
        return min(self.last, self._capacity)

    def next_sequence(self) -> int:
        """The sequence the next record gets."""
        return self.last + 1

    def extend(self, records: Sequence[EventRecord]) -> None:
        """Append records numbered ``last + 1, last + 2, ...``."""
        ring, cap = self._ring, self._capacity
        for r in records:
            ring[(r.sequence - 1) % cap] = r
        if records:
            self.last = records[-1].sequence

    def since(self, after: int) -> list[EventRecord]:
        """The records after sequence ``after``. Raises :class:`HistoryGap`
        when some of them are no longer held."""
        if after > self.last:
            after = self.last  # a resume point from the future: nothing missed yet
        if after + 1 < self.oldest:
            raise HistoryGap(
                f"cannot resume after sequence {after}: the history holds sequences "
                f"{self.oldest}..{self.last} (the last {self._capacity} events); "
                f"read the state again and watch from sequence {self.last}",
                resume_after=self.last,
            )
        cap, ring = self._capacity, self._ring
        return [ring[(s - 1) % cap] for s in range(after + 1, self.last + 1)]  # type: ignore[misc]


class Subscription:
    """One event subscriber: a backlog from the history, then live events
    through a bounded buffer. Read it with :meth:`get` from any one thread;
    the engine thread pushes with :meth:`push`."""

    def __init__(self, after: int, backlog: list[EventRecord], limit: int) -> None:
        self._cond = threading.Condition(threading.Lock())
        #: History records owed to the reader (not counted in the limit).
        self._backlog: Optional[list[EventRecord]] = backlog or None
        self._chunks: deque[Sequence[EventRecord]] = deque()
        self._size = 0  # live events buffered
        self._limit = limit
        self._lagged = False
        self._stopped = False
        self._stop_reason = "server is shutting down"
        self._closed = False
        #: Sequence of the last event handed to the reader.
        self.delivered = after
        self._floor = after  # live records at or below it are already owed or seen

    @property
    def active(self) -> bool:
        """False once cut off, stopped or closed: the engine drops it."""
        return not (self._lagged or self._closed or self._stopped)

    @property
    def buffered(self) -> int:
        """Live events waiting to be read (at most the limit)."""
        return self._size

    def push(self, records: Sequence[EventRecord]) -> bool:
        """Buffer ``records`` (engine thread; never blocks). Returns False
        when the subscriber is gone or has just been cut off."""
        with self._cond:
            if self._lagged or self._closed or self._stopped:
                return False
            if records and records[0].sequence <= self._floor:
                records = [r for r in records if r.sequence > self._floor]
                if not records:
                    return True
            if self._size + len(records) > self._limit:
                self._lagged = True
                self._cond.notify_all()
                return False
            self._chunks.append(records)
            self._size += len(records)
            self._cond.notify_all()
            return True

    def stop(self, reason: str = "server is shutting down") -> None:
        """The service stops: the reader gets what is buffered, then
        :class:`StreamEnded` saying ``reason`` (any thread, idempotent)."""
        with self._cond:
            self._stopped = True
            self._stop_reason = reason
            self._cond.notify_all()

    def close(self) -> None:
        """The reader is gone: stop buffering (any thread, idempotent)."""
        with self._cond:
            self._closed = True
            self._chunks.clear()
            self._backlog = None
            self._size = 0
            self._cond.notify_all()

    def get(self, timeout: Optional[float] = None, max_events: int = 1000) -> Optional[list[EventRecord]]:
        """The next events, consecutive, at most ``max_events``; ``[]`` when
        ``timeout`` passes first; ``None`` once closed. After the buffer of
        a cut-off subscriber is read it raises :class:`SubscriberLagged`,
        and after that of a stopped service :class:`StreamEnded`,
        both naming the sequence to resume after."""
        with self._cond:
            if self._backlog is not None:
                out = self._backlog[:max_events]
                rest = self._backlog[max_events:]
                self._backlog = rest or None
            else:
                while not self._chunks:
                    if self._closed:
                        return None
                    if self._lagged:
                        raise SubscriberLagged(
                            f"event subscriber fell behind: more than {self._limit} events "
                            f"buffered; missed the events after sequence {self.delivered}; "
                            f"resume WatchEvents with after_sequence={self.delivered}",
                            resume_after=self.delivered,
                        )
                    if self._stopped:
                        raise StreamEnded(
                            f"{self._stop_reason}; resume WatchEvents with "
                            f"after_sequence={self.delivered} on the next server",
                            resume_after=self.delivered,
                        )
                    if not self._cond.wait(timeout):
                        return []
                out = []
                chunks = self._chunks
                while chunks and len(out) < max_events:
                    chunk = chunks.popleft()
                    room = max_events - len(out)
                    if len(chunk) > room:
                        chunks.appendleft(chunk[room:])
                        chunk = chunk[:room]
                    out.extend(chunk)
                self._size -= len(out)
            self.delivered = out[-1].sequence
            return out
