"""Stored replies of mutating calls, by idempotency key (engine thread only).

A client that timed out retries with the same key; the engine finds the
first successful reply here and returns it again instead of creating a
second contact. Only successes are stored (a refused submit changed
nothing, so running its retry again is right). The cache is bounded twice:
entries expire after ``ttl`` seconds, and the events held by all stored
replies never exceed ``max_events`` (the oldest entries go first).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Sequence
from typing import Any, NamedTuple, Optional

from .errors import IdempotencyConflict
from .events import EventRecord

__all__ = ["IdempotencyCache", "StoredReply"]


class StoredReply(NamedTuple):
    """A successful reply kept for retries."""

    fingerprint: Hashable
    events: Sequence[EventRecord]
    expires: float
    #: What else the reply said, beside its events (an upsert's ``replaced``).
    extra: Any = None


class IdempotencyCache:
    """Replies by key, bounded by age and by the events they hold."""

    def __init__(self, ttl: float, max_events: int) -> None:
        self._ttl = ttl
        self._max_events = max_events
        self._entries: OrderedDict[str, StoredReply] = OrderedDict()
        self._events = 0

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def events(self) -> int:
        """Events held by the stored replies."""
        return self._events

    def get(self, key: str, fingerprint: Hashable, now: float) -> Optional[StoredReply]:
        """The stored reply for ``key``, or ``None``. Raises
        :class:`IdempotencyConflict` when the key was used for another request."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry.expires <= now:
            self._drop(key)
            return None
        if entry.fingerprint != fingerprint:
            raise IdempotencyConflict(
                f"idempotency key {key!r} was used for a different request "
                f"({_describe(entry.fingerprint)}, now {_describe(fingerprint)}); "
                "use a new key for a new request"
            )
        return entry

    def put(self, key: str, fingerprint: Hashable, events: Sequence[EventRecord], now: float,
            extra: Any = None) -> None:
        """Store a successful reply, evicting expired and then oldest entries."""
        if key in self._entries:
            self._drop(key)
        weight = len(events) + 1
        if weight > self._max_events:
            return  # larger than the whole cache: not kept
        entries = self._entries
        while entries:
            oldest_key, oldest = next(iter(entries.items()))
            if oldest.expires <= now or self._events + weight > self._max_events:
                self._drop(oldest_key)
            else:
                break
        entries[key] = StoredReply(fingerprint, events, now + self._ttl, extra)
        self._events += weight

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key)
        self._events -= len(entry.events) + 1


def _describe(fingerprint: Hashable) -> str:
    """A short description of a request fingerprint for messages."""
    if isinstance(fingerprint, tuple) and len(fingerprint) >= 2 and isinstance(fingerprint[1], tuple):
        ids = fingerprint[1]
        shown = ", ".join(repr(i) for i in ids[:3]) + (", ..." if len(ids) > 3 else "")
        return f"{fingerprint[0]} of {shown}"
    return repr(fingerprint)
