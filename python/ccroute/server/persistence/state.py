"""The service state beside the router, captured into and rebuilt from a
snapshot, and the clock a durable server runs on.

A snapshot is the engine's own ``Router.snapshot()`` bytes plus a JSON
header (:func:`capture`) with what the service adds: the number of the
last logged command it covers, the last event sequence number, the
settings in force, the stored idempotent replies and the router's time
origin. :func:`install` puts all of it back into a service's engine.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Optional

from ...errors import SnapshotError
from ...router import Router
from ..config import RouterSettings
from ..engine import Engine
from ..events import EventHistory
from ..service import RouterService
from .codec import (
    FORMAT,
    check_format,
    decode_fingerprint,
    decode_record,
    decode_settings,
    encode_fingerprint,
    encode_record,
    encode_settings,
)

__all__ = ["EpochClock", "ResumedHistory", "capture", "install", "install_empty"]


class EpochClock:
    """Router time = wall-clock seconds since a stored ``origin`` (shared by
    every server of one Redis database, so time continues across restarts
    and takeovers). Never goes backwards, even if the wall clock does."""

    __slots__ = ("origin", "_last", "_lock")

    def __init__(self, origin: float) -> None:
        self.origin = origin
        self._last = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> float:
        now = time.time() - self.origin
        with self._lock:
            if now < self._last:
                return self._last
            self._last = now
            return now


class ResumedHistory(EventHistory):
    """An event history that starts after ``floor`` (the events before a
    restart are gone): resuming before it is a ``HistoryGap``."""

    __slots__ = ("floor",)

    def __init__(self, capacity: int, floor: int) -> None:
        super().__init__(capacity)
        self.floor = floor
        self.last = floor

    @property
    def oldest(self) -> int:
        return max(super().oldest, self.floor + 1)


def capture(service: RouterService, origin: float) -> tuple[bytes, bytes]:
    """(header JSON, router bytes) of the service's state now. Engine
    thread only, between rounds (nothing unpublished)."""
    engine = service.engine
    cache = engine.idempotency
    replies = [
        [key, encode_fingerprint(r.fingerprint), r.expires, [encode_record(e) for e in r.events], _extra_out(r.extra)]
        for key, r in cache._entries.items()  # noqa: SLF001 -- same package, read only
    ]
    header = {
        "format": FORMAT,
        "number": service.log_number,
        "last_sequence": engine.last_sequence,
        "origin": origin,
        "now": engine.router.now,
        "settings": encode_settings(engine.settings),
        "idempotency": replies,
    }
    return json.dumps(header, separators=(",", ":")).encode(), engine.router.snapshot()


def _extra_out(extra: Any) -> Any:
    """A stored reply's extra as JSON: a keyed Configure's settings are
    written as their record."""
    if isinstance(extra, RouterSettings):
        return {"settings": encode_settings(extra)}
    return extra


def _extra_in(extra: Any) -> Any:
    if isinstance(extra, dict) and set(extra) == {"settings"}:
        return decode_settings(extra["settings"])
    return extra


def install(service: RouterService, header_bytes: bytes, router_bytes: bytes) -> dict[str, Any]:
    """Put a snapshot back into the service (before it starts, or on its
    engine thread). Returns the header. ``SnapshotError`` for another
    format version or damaged data."""
    try:
        header = json.loads(header_bytes)
    except ValueError as exc:
        raise SnapshotError(f"snapshot header is damaged: {exc}") from None
    check_format(header.get("format"), "the snapshot")
    settings = decode_settings(header["settings"])
    router = Router.restore(router_bytes)
    engine = service.engine
    _install(engine, settings, router, int(header["last_sequence"]))
    cache, ttl = engine.idempotency, service.limits.idempotency_ttl
    for key, fp, expires, events, *extra in header["idempotency"]:
        # put() stores ``now + ttl`` as the expiry: hand it the original.
        cache.put(key, decode_fingerprint(fp), [decode_record(e) for e in events], expires - ttl,
                  _extra_in(extra[0]) if extra else None)
    service.log_number = int(header["number"])
    return header  # type: ignore[no-any-return]


def install_empty(service: RouterService, settings: RouterSettings) -> None:
    """Reset the service to an empty router (nothing durable yet)."""
    _install(service.engine, settings, settings.build(), 0)
    service.log_number = 0


def _install(engine: Engine, settings: RouterSettings, router: Any, last_sequence: int) -> None:
    if not isinstance(last_sequence, int) or last_sequence < 0:
        raise SnapshotError(f"snapshot header has a bad last_sequence {last_sequence!r}")
    history: Optional[EventHistory] = ResumedHistory(engine.limits.history, last_sequence) if last_sequence else None
    engine.install(settings, router, last_sequence, history)
