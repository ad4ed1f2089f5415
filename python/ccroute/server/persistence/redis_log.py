"""The write-ahead log in Redis: a lease with a fencing token, a stream of
rounds, and snapshots.

Keys (``prefix`` defaults to ``ccroute``):

- ``{prefix}:lease`` -- the active server's id, ``SET NX PX``, renewed;
- ``{prefix}:epoch`` -- the fencing token: incremented by every server
  that takes the lease; appends and snapshots run in Lua scripts that
  first check it still equals their own, so a deposed server can never
  write again;
- ``{prefix}:log`` -- a stream, one entry per engine round, id
  ``<number of its first command>-0``, fields ``t`` (router time) and
  ``c`` (the commands, JSON);
- ``{prefix}:snapshot`` -- a hash: ``header`` (JSON: the log number it
  covers, event sequence, settings, idempotent replies, time origin) and
  ``router`` (the engine's binary snapshot); entries it covers are
  trimmed from the stream (``XTRIM MINID``) in the same script;
- ``{prefix}:origin`` -- wall-clock time of router time 0 (set once);
- ``{prefix}:history`` -- identity of the event history (set once).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Optional

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ...errors import InvalidInput, RoutingError, SnapshotError
from .. import commands as cmd
from ..config import RouterSettings
from ..errors import ServiceUnavailable
from ..hooks import LogEntry
from ..logs import event
from ..service import CommandLogDown, RouterService
from .codec import decode_commands, encode_commands
from .state import capture, install, install_empty

__all__ = ["RedisLog", "Fenced", "LeaseLost", "connect", "is_cluster"]

log = logging.getLogger("ccroute.server.persistence")

#: Share of the lease time this server counts on after a renewal (the
#: rest covers clock-rate differences between it and Redis).
LEASE_MARGIN = 0.9

# Append one round: check the fencing token, skip a retry of a round
# already written (its id is not above the stream's last), then XADD.
_APPEND = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED another server took the lease (epoch ' ..
    tostring(redis.call('GET', KEYS[1])) .. ', ours ' .. ARGV[1] .. ')')
end
local last = tonumber(redis.call('GET', KEYS[3]) or '0')
if last >= tonumber(ARGV[2]) then return 0 end
redis.call('XADD', KEYS[2], ARGV[2] .. '-0', 't', ARGV[3], 'c', ARGV[4])
redis.call('SET', KEYS[3], ARGV[2])
return 1
"""

# Write a snapshot and trim the entries it covers.
_SNAPSHOT = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED another server took the lease')
end
local cur = tonumber(redis.call('HGET', KEYS[3], 'number') or '-1')
if cur >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[3], 'header', ARGV[3], 'router', ARGV[4], 'number', ARGV[2])
redis.call('XTRIM', KEYS[2], 'MINID', tostring(tonumber(ARGV[2]) + 1) .. '-0')
return 1
"""

# Take the lease if free; the new epoch is the fencing token.
_ACQUIRE = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return redis.call('INCR', KEYS[2])
end
return 0
"""

# Renew while our epoch is the current one (also re-takes a lease that
# expired while Redis was unreachable, if nobody took it meanwhile).
_RENEW = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""

_RELEASE = """
if redis.call('GET', KEYS[2]) == ARGV[1] and redis.call('GET', KEYS[1]) == ARGV[2] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def connect(url: str, timeout: float = 2.0) -> Any:
    """A Redis client for ``url``: ``redis://`` (or ``rediss://``) for one
    instance, ``redis+cluster://host:port`` (any node) for a Redis Cluster.
    No retries inside redis-py: a failed round is reported (UNAVAILABLE)
    and the service rebuilds from what Redis holds."""
    options: dict[str, Any] = dict(socket_timeout=timeout, socket_connect_timeout=timeout)
    if url.startswith(("redis+cluster://", "rediss+cluster://")):
        from redis.cluster import RedisCluster

        plain = url.replace("+cluster", "", 1)
        # No retries here either (redis-py retries a cluster command ten times
        # by default, which could hold an engine round on a dead node); a
        # failed command still marks the slot map for a refresh.
        return RedisCluster.from_url(plain, retry=Retry(NoBackoff(), 0), **options)
    return redis.Redis.from_url(url, retry=Retry(NoBackoff(), 0), retry_on_timeout=False, **options)


def is_cluster(url: str) -> bool:
    """Whether ``url`` names a Redis Cluster (``redis+cluster://``)."""
    return url.startswith(("redis+cluster://", "rediss+cluster://"))


class Fenced(ServiceUnavailable):
    """This server lost the lease: another one serves now (UNAVAILABLE)."""


class LeaseLost(RoutingError):
    """Raised by :meth:`RedisLog.wait_lease` when stopped before the lease."""


class RedisLog:
    """A :class:`~ccroute.server.hooks.CommandLog` over Redis, with the
    lease, snapshots and recovery (``recover``) of a durable server.

    Life cycle: :meth:`wait_lease` (blocks while another server is active),
    :meth:`load` (snapshot + replay into a service not yet started),
    ``service.start()``, then the service calls :meth:`append` each round;
    :meth:`close` stops the renewal and frees the lease.

    Args:
        url: ``redis://HOST:PORT/DB``.
        lease_ms: lease time; a standby takes over at most this long after
            the active server stops renewing.
        snapshot_every: commands between snapshots.
        prefix: key prefix (several routers may share one database).
        on_lost: called (any thread) when this server is deposed.
    """

    def __init__(self, url: str, *, lease_ms: int = 5000, snapshot_every: int = 10_000,
                 prefix: str = "ccroute", on_lost: Optional[Callable[[], None]] = None,
                 timeout: float = 2.0, client: Any = None, address: str = "") -> None:
        if lease_ms < 100:
            raise InvalidInput(f"--lease-ms must be at least 100, got {lease_ms}")
        if snapshot_every < 1:
            raise InvalidInput(f"--snapshot-every must be positive, got {snapshot_every}")
        self.url = url
        self.lease_ms = lease_ms
        self.snapshot_every = snapshot_every
        self.on_lost = on_lost
        # No retries inside redis-py: a failed round is reported (UNAVAILABLE)
        # and the service rebuilds from what Redis holds.
        self._own_client = client is None
        self.redis: Any = client if client is not None else connect(url, timeout)
        k = prefix
        self.k_lease, self.k_epoch, self.k_log = f"{k}:lease", f"{k}:epoch", f"{k}:log"
        self.k_last, self.k_snap, self.k_origin = f"{k}:last", f"{k}:snapshot", f"{k}:origin"
        self.k_history = f"{k}:history"
        self._append: Any = self.redis.register_script(_APPEND)
        self._snapshot: Any = self.redis.register_script(_SNAPSHOT)
        self._acquire: Any = self.redis.register_script(_ACQUIRE)
        self._renew: Any = self.redis.register_script(_RENEW)
        self._release: Any = self.redis.register_script(_RELEASE)
        #: The lease's value: this server's address (``host:port``, what a
        #: redirect names) and a unique suffix.
        self.holder = f"{address or socket.gethostname()}#{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.token: Optional[str] = None
        self.origin = 0.0
        #: Monotonic time until which the lease surely holds.
        self.lease_until = 0.0
        #: Identity of the event history stored here (set once, kept).
        self.history_id = ""
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._renewer: Optional[threading.Thread] = None
        self._service: Optional[RouterService] = None
        self._settings: Optional[RouterSettings] = None
        self._snapshot_at = 0  # log number covered by the last snapshot taken
        self._writer = _SnapshotWriter(self)

    # -- lease ---------------------------------------------------------------
    def wait_lease(self, stop: Optional[threading.Event] = None) -> str:
        """Block until this server holds the lease; returns the fencing
        token. Retries while Redis is unreachable. ``LeaseLost`` if ``stop``
        is set first."""
        poll = min(self.lease_ms / 5000, 0.5)
        from . import _safe  # the URL without its password

        said: Optional[float] = None  # when Redis's absence was last logged: once, then every 30 s
        while True:
            if stop is not None and stop.is_set():
                raise LeaseLost("stopped while waiting for the lease")
            try:
                if self.try_lease():
                    if said is not None:
                        log.info("Redis at %s answers again", _safe(self.url))
                    return self.token  # type: ignore[return-value]
            except redis.RedisError as exc:
                if said is None or time.monotonic() - said >= 30.0:
                    log.warning("waiting for Redis at %s: %s (retrying every %.1f s; logged every 30 s)",
                                _safe(self.url), exc, poll)
                    said = time.monotonic()
            time.sleep(poll)

    def try_lease(self) -> bool:
        """Take the lease if it is free (True), without waiting; then
        read the history's origin and identity and start renewing.
        ``redis.RedisError`` when Redis does not answer."""
        sent = time.monotonic()
        epoch = self._acquire(keys=[self.k_lease, self.k_epoch], args=[self.holder, self.lease_ms])
        if not epoch:
            return False
        self.token = str(int(epoch))
        self._held(sent)
        self.redis.set(self.k_origin, repr(time.time()), nx=True)
        self.origin = float(self.redis.get(self.k_origin))  # type: ignore[arg-type]
        self.redis.set(self.k_history, uuid.uuid4().hex, nx=True)
        self.history_id = self.redis.get(self.k_history).decode()
        self._renewer = threading.Thread(target=self._renew_loop, name="ccroute-lease", daemon=True)
        self._renewer.start()
        return True

    def owner(self) -> Optional[str]:
        """The address of the server holding the lease now (``None``: nobody)."""
        value = self.redis.get(self.k_lease)
        return value.decode().split("#", 1)[0] if value else None

    @staticmethod
    def key_names(prefix: str, keep_fencing: bool = False) -> list[str]:
        """Every key of the log under ``prefix``; with ``keep_fencing``,
        without the lease and the epoch (what deleting a tenant removes)."""
        names = ["log", "last", "snapshot", "origin", "history"]
        return [f"{prefix}:{n}" for n in (names if keep_fencing else ["lease", "epoch", *names])]

    def _renew_loop(self) -> None:
        every = self.lease_ms / 3000
        while not self._stop.wait(every):
            sent = time.monotonic()
            try:
                ok = self._renew(keys=[self.k_lease, self.k_epoch], args=[self.token, self.holder, self.lease_ms])
            except redis.RedisError as exc:
                event(log, logging.WARNING, "lease_renew_failed", f"cannot renew the lease: {exc}",
                      epoch=self.token, error=str(exc))
                continue
            if not ok:
                self._deposed()
                return
            self._held(sent)

    def _held(self, sent: float) -> None:
        """The lease was set or renewed by a request sent at ``sent``
        (monotonic): it holds until ``sent`` plus the lease time, less a
        margin for clock-rate differences."""
        self.lease_until = sent + self.lease_ms / 1000 * LEASE_MARGIN

    def lease_problem(self) -> Optional[str]:
        """Why this server must not answer now (any call, reads included),
        or ``None`` while its lease surely holds. Once the lease may have
        expired another server may be active and this state stale: the
        service answers UNAVAILABLE until a renewal succeeds (or stops for
        good once deposed)."""
        if self.lost.is_set():
            return "this server lost the lease; another one serves now"
        late = time.monotonic() - self.lease_until
        if late >= 0:
            return (f"this server's lease may have expired (not renewed for "
                    f"{late + self.lease_ms / 1000 * LEASE_MARGIN:.1f} s, lease {self.lease_ms} ms): "
                    "another server may be active, so it answers nothing until the lease is renewed")
        return None

    def _deposed(self) -> None:
        if not self.lost.is_set():
            event(log, logging.ERROR, "lease_lost",
                  "lease lost (fenced): another server is active; this one stops serving", epoch=self.token)
            self.lost.set()
            if self.on_lost is not None:
                self.on_lost()

    def close(self) -> None:
        """Stop renewing and free the lease (if still ours), so a standby
        takes over at once."""
        self._stop.set()
        self._writer.stop()
        if self.token is not None and not self.lost.is_set():
            try:
                self._release(keys=[self.k_lease, self.k_epoch], args=[self.token, self.holder])
            except redis.RedisError:
                pass
        if self._own_client:
            self.redis.close()

    # -- recovery ------------------------------------------------------------
    @property
    def empty(self) -> bool:
        """True when Redis holds no snapshot and no log yet."""
        return not (self.redis.exists(self.k_snap) or self.redis.xlen(self.k_log))

    def begin(self, settings: RouterSettings, now: float) -> None:
        """Start an empty log with the configuration: command 1 is a
        ``Configure`` with ``settings``, so the rules every later command
        ran under are part of the durable state."""
        self.append([LogEntry(1, now, cmd.Configure(settings))])

    def load(self, service: RouterService, settings: RouterSettings) -> bool:
        """Rebuild ``service`` (not started) from the latest snapshot and
        the log after it. True when Redis held nothing (a fresh start)."""
        self._service, self._settings = service, settings
        return self._rebuild(service)

    def recover(self, service: RouterService) -> bool:
        """The service's engine thread, after a failed append: rebuild from
        Redis once it answers again. Raises while it does not."""
        if self.lost.is_set():
            raise Fenced("this server lost the lease; another one serves now")
        self._rebuild(service)
        return True

    def _rebuild(self, service: RouterService) -> bool:
        assert self._settings is not None
        try:
            snap = self.redis.hmget(self.k_snap, ["header", "router"])
        except redis.RedisError as exc:
            raise CommandLogDown(f"Redis unreachable: {exc}") from None
        if snap[0] is not None:
            header = install(service, snap[0], snap[1] or b"")
        else:
            install_empty(service, self._settings)
            header = None
        self._snapshot_at = service.log_number
        engine = service.engine
        start = f"{service.log_number + 1}-0"
        replayed = 0
        while True:
            try:
                page = self.redis.xrange(self.k_log, min=start, max="+", count=200)
            except redis.RedisError as exc:
                raise CommandLogDown(f"Redis unreachable: {exc}") from None
            for entry_id, fields in page:
                first = int(entry_id.split(b"-")[0])
                if first != service.log_number + 1:
                    raise SnapshotError(
                        f"command log has a gap: entry {first} follows command {service.log_number}"
                    )
                now = float(fields[b"t"])
                commands = decode_commands(fields[b"c"])
                if first == 1 and header is None and not isinstance(commands[0], cmd.Configure):
                    raise SnapshotError(
                        "the command log does not start with the configuration it was written "
                        "under (written by an older ccroute); start from an empty Redis database"
                    )
                engine.tick(now)
                for i, c in enumerate(commands):
                    if first + i == 1 and header is None and isinstance(c, cmd.Configure):
                        # The configuration the history starts under: the
                        # router is built from it, as it was (not changed
                        # into it from the one this server was given).
                        engine.install_settings(c.settings)
                        continue
                    try:
                        c.apply(engine, now)
                    except RoutingError as exc:
                        # The log holds only commands that succeeded: a failure
                        # means the state it rebuilds is not the acknowledged one.
                        raise SnapshotError(
                            f"replay of logged command {first + i} ({type(c).__name__}) failed: "
                            f"{exc}; the command log does not rebuild the acknowledged state, "
                            "so this server refuses to start from it"
                        ) from None
                engine.take_tick()
                engine.publish()
                service.log_number = first + len(commands) - 1
                replayed += len(commands)
            if len(page) < 200:
                break
            start = "(" + page[-1][0].decode()
        log.info("rebuilt from Redis: snapshot at command %s, %d commands replayed, last event %d",
                 header["number"] if header else "none", replayed, engine.last_sequence)
        return header is None and replayed == 0

    # -- the command log -----------------------------------------------------
    def append(self, entries: Sequence[LogEntry]) -> None:
        """Write one round (one Lua call). ``CommandLogDown`` when Redis is
        unreachable; ``Fenced`` once another server holds the lease."""
        first = entries[0].number
        try:
            self._append(keys=[self.k_epoch, self.k_log, self.k_last],
                         args=[self.token, first, repr(entries[0].now),
                               encode_commands([e.command for e in entries])])
        except redis.ResponseError as exc:
            if str(exc).startswith("FENCED"):
                self._deposed()
                raise Fenced(f"lease lost, nothing written: {exc}") from None
            raise
        except redis.RedisError as exc:
            if isinstance(exc, (redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError)):
                raise CommandLogDown(f"Redis unreachable: {exc}") from None
            raise
        last = entries[-1].number
        if last - self._snapshot_at >= self.snapshot_every and self._service is not None:
            self._snapshot_at = last
            self._writer.offer(*capture(self._service, self.origin), last)

    def snapshot_now(self) -> None:
        """Write a snapshot at once (call on the engine thread: through
        ``service.query``). Blocks until written."""
        assert self._service is not None
        header, data = capture(self._service, self.origin)
        self._write_snapshot(header, data, self._service.log_number)
        self._snapshot_at = self._service.log_number

    def _write_snapshot(self, header: bytes, data: bytes, number: int) -> None:
        self._snapshot(keys=[self.k_epoch, self.k_log, self.k_snap],
                       args=[self.token, number, header, data])


class _SnapshotWriter:
    """Writes snapshots off the engine thread (the latest one wins)."""

    def __init__(self, owner: RedisLog) -> None:
        self._owner = owner
        self._cond = threading.Condition()
        self._pending: Optional[tuple[bytes, bytes, int]] = None
        self._stopped = False
        self._thread: Optional[threading.Thread] = None

    def offer(self, header: bytes, data: bytes, number: int) -> None:
        with self._cond:
            self._pending = (header, data, number)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="ccroute-snapshot", daemon=True)
                self._thread.start()
            self._cond.notify()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()
        if self._thread is not None:
            self._thread.join(5.0)

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stopped:
                    self._cond.wait()
                if self._pending is None:
                    return
                header, data, number = self._pending
                self._pending = None
            try:
                self._owner._write_snapshot(header, data, number)
                log.info("snapshot written at command %d (%d bytes)", number, len(data) + len(header))
            except Exception as exc:
                log.warning("snapshot at command %d not written (%s); the log keeps everything", number, exc)
                self._owner._snapshot_at = 0  # retry at the next round
