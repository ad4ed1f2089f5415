"""Durable state for ``ccroute serve --redis URL``.

Every accepted command is appended to a Redis Stream (one Lua call per
engine round, after checking a fencing token) before any reply of the
round is released; snapshots (the engine's versioned binary snapshot plus
the service's own state) are written every ``snapshot_every`` commands and
the log before them trimmed. On start a server takes the lease, loads the
latest snapshot and replays the log after it: the core is deterministic,
so the rebuilt router is identical to the one that wrote the log.

The configuration is part of the durable state: command 1 of a new log
is a ``Configure`` with the settings the server started with, and every
snapshot carries the settings in force. A later start with a different
configuration is refused, naming each difference, so history is never
replayed under other rules; a log that does not replay (a command fails)
stops the start with ``SnapshotError`` instead of serving a partial state.

While Redis is unreachable every call answers UNAVAILABLE and nothing is
acknowledged; once it answers again the service rebuilds from what Redis
holds and serves. A server that loses the lease (a standby took over) can
never append again (fencing) and stops.

Event sequence numbers continue across restarts; the event history starts
at the snapshot (events after it are replayed into the history), so
``WatchEvents(after_sequence=...)`` resumes from any event after the
latest snapshot, and earlier resume points answer OUT_OF_RANGE.
"""

from __future__ import annotations

import logging
from typing import Any, Optional, TextIO

from ...errors import InvalidState
from ..config import RouterSettings, ServerConfig
from ..logs import event
from ..service import RouterService
from .codec import settings_difference
from .redis_log import Fenced, LeaseLost, RedisLog
from .state import EpochClock

__all__ = ["RedisLog", "Fenced", "LeaseLost", "EpochClock", "ConfigChanged", "open_durable"]

log = logging.getLogger("ccroute.server.persistence")


class ConfigChanged(InvalidState):
    """The configuration a durable server was started with differs from the
    one stored with its history (the message names each difference)."""


def open_durable(
    config: ServerConfig,
    url: str,
    *,
    lease_ms: int = 5000,
    snapshot_every: int = 10_000,
    prefix: str = "ccroute",
    clock: Any = None,
    observer: Any = None,
    out: Optional[TextIO] = None,
    stop: Any = None,
    check_config: bool = True,
) -> tuple[RouterService, RedisLog]:
    """Wait for the lease, then build a service (not started) rebuilt from
    Redis.

    On an empty database the configuration's router settings become the
    first logged command and its agents are added when the service starts.
    Afterwards the configuration stored in Redis (logged and snapshotted
    with the commands) is the one in force: history is always replayed
    under the rules it was made under. With ``check_config`` (the default)
    a configuration that differs from the stored one is refused with
    :class:`ConfigChanged`, naming each difference; without it the stored
    configuration is used and ``config.router`` is ignored.

    Returns the service and its :class:`RedisLog` (close it after stopping
    the service, to free the lease at once)."""
    rlog = RedisLog(url, lease_ms=lease_ms, snapshot_every=snapshot_every, prefix=prefix)
    try:
        if out is not None:
            print(f"ccroute serve: waiting for the lease on {_safe(url)} (lease {lease_ms} ms)",
                  file=out, flush=True)
        rlog.wait_lease(stop)
        fresh = rlog.empty
        service = RouterService(
            config.router,
            agents=config.agents if fresh else (),
            limits=config.limits,
            clock=clock if clock is not None else EpochClock(rlog.origin),
            command_log=rlog,
            observer=observer,
            history_id=rlog.history_id,
        )
        # Hours read router time against the history's stored origin, the
        # same after every restart whatever clock the service runs on.
        service.adopt_epoch(rlog.origin)
        if fresh:
            rlog.begin(config.router, service.clock())
        rlog.load(service, config.router)
        if check_config:
            given = config.router
            if given.epoch == 0.0:
                # Left out: the server's clock origin, as when it was stored.
                given = RouterSettings({**given.to_dict(), "epoch": service.settings.epoch})
            diff = settings_difference(service.settings, given)
            if diff:
                raise ConfigChanged(
                    "the configuration given differs from the one stored in Redis, under which "
                    "the acknowledged history was made:\n  " + "\n  ".join(diff) + "\n"
                    "Refusing to replay that history under other rules. The stored configuration "
                    "includes every change made with Configure since the history began. Start "
                    "without --config to run the stored one (then send the file's settings with "
                    "Configure to change it as a logged, live change), or start from an empty "
                    "Redis database."
                )
        st = service.engine
        event(log, logging.INFO, "lease_acquired",
              f"lease held on {_safe(url)} (epoch {rlog.token}); state rebuilt from Redis",
              redis=_safe(url), epoch=rlog.token, agents=len(st.router.agent_ids()),
              live_contacts=st.router.live_contacts, command=service.log_number, last_event=st.last_sequence)
        if out is not None:
            print(f"ccroute serve: lease held (epoch {rlog.token}); state rebuilt from Redis: "
                  f"{len(st.router.agent_ids())} agents, {st.router.live_contacts} live contacts, "
                  f"command {service.log_number}, event {st.last_sequence}", file=out, flush=True)
        return service, rlog
    except BaseException:
        rlog.close()
        raise


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
