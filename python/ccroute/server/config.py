"""Configuration of ``ccroute serve``: the router, initial agents, limits.

Read from YAML (``--config router.yaml``, see ``examples/router.yaml``) or
taken from :data:`DEFAULT_CONFIG_YAML` when no file is given::

    channels:                 # at least one
      - {name: voice, cost: 100, max_per_agent: 1, wrap_up: 0}
    queues:                   # at least one
      - {name: sales, sl_target: 0.8, sl_threshold: 20, max_waiting: 10000}
    policy: longest_idle      # or most_skilled, least_occupied, ...
    offer_timeout: null       # seconds, or null to assign at once
    seed: 0
    affinity: true
    affinity_wait: 0
    retain_finished: 100000   # finished contacts kept for look-ups
    missed_offer_state: away  # where an agent who lets an offer expire goes
    exclusion_expires_after: 60  # seconds, or null: a rejecting agent never gets that contact
    agents:                   # optional, added when the server starts
      - {id: a1, skills: {spanish: 7}, state: available}
    limits:                   # optional, see ServiceLimits
      history: 100000

Unknown keys are refused with an error naming them, so a typo never goes
unnoticed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import yaml  # type: ignore[import-untyped]

from .._ccroute import Agent, Channel, Queue
from ..errors import InvalidInput
from ..router import Router

__all__ = [
    "RouterSettings",
    "ServiceLimits",
    "ServerConfig",
    "DEFAULT_CONFIG_YAML",
    "DEFAULT_RETAIN_FINISHED",
    "DEFAULT_EXCLUSION_EXPIRY",
    "load_config",
    "parse_config",
]

#: Finished contacts a server keeps by default (the embedded router keeps
#: all; a long-running server must not grow without bound).
DEFAULT_RETAIN_FINISHED = 100_000
#: Seconds after a rejected or missed offer at which that agent may be
#: offered the contact again (``Router(exclusion_expires_after=...)``).
DEFAULT_EXCLUSION_EXPIRY = 60.0


@dataclass(frozen=True)
class RouterSettings:
    """Everything needed to build the router (``ccroute.Router`` arguments)."""

    channels: tuple[Channel, ...]
    queues: tuple[Queue, ...]
    policy: str = "longest_idle"
    offer_timeout: Optional[float] = None
    seed: int = 0
    affinity: bool = True
    affinity_wait: float = 0.0
    retain_finished: Optional[int] = DEFAULT_RETAIN_FINISHED
    missed_offer_state: str = "away"
    exclusion_expires_after: Optional[float] = DEFAULT_EXCLUSION_EXPIRY

    def build(self) -> Router:
        """A new, empty router with these settings. Raises ``InvalidInput``
        or ``DuplicateId`` for a bad configuration."""
        if not self.channels:
            raise InvalidInput("configuration has no channels (at least one is needed)")
        if not self.queues:
            raise InvalidInput("configuration has no queues (at least one is needed)")
        return Router(
            list(self.channels),
            list(self.queues),
            policy=self.policy,
            offer_timeout=self.offer_timeout,
            seed=self.seed,
            affinity=self.affinity,
            affinity_wait=self.affinity_wait,
            retain_finished=self.retain_finished,
            missed_offer_state=self.missed_offer_state,  # type: ignore[arg-type]
            exclusion_expires_after=self.exclusion_expires_after,
        )


@dataclass(frozen=True)
class ServiceLimits:
    """Bounds that keep the server's memory and latency in check."""

    #: Commands waiting for the engine thread; past it calls fail with
    #: RESOURCE_EXHAUSTED (``ServerBusy``).
    command_queue: int = 20_000
    #: Events kept for ``WatchEvents`` resume.
    history: int = 100_000
    #: Events buffered per subscriber; past it the subscriber is cut off
    #: (ABORTED) and must resume.
    subscriber_buffer: int = 20_000
    #: Concurrent ``WatchEvents`` streams.
    max_subscribers: int = 16
    #: Seconds a successful reply is kept for a retry with its idempotency key.
    idempotency_ttl: float = 600.0
    #: Events held by stored replies, in total (bounds that cache's memory).
    idempotency_events: int = 200_000
    #: Contacts in one ``SubmitContacts`` request or stream message.
    max_batch: int = 10_000
    #: Largest request or response message, in bytes.
    max_message_bytes: int = 16 * 1024 * 1024
    #: gRPC handler threads; each open stream holds one.
    workers: int = 32
    #: RPCs accepted at once (running or waiting for a thread); past it
    #: gRPC answers RESOURCE_EXHAUSTED.
    max_concurrent_rpcs: int = 512
    #: Seconds ``serve`` waits for in-flight calls on SIGTERM/SIGINT.
    shutdown_grace: float = 10.0
    #: Longest id (agent, contact, customer) or skill name, in characters.
    max_id_length: int = 256
    #: Attributes on one contact or agent.
    max_attributes: int = 64
    #: Largest attribute (name and value, UTF-8 bytes).
    max_attribute_bytes: int = 4096
    #: Skills one contact names in all (required, preferred and in its
    #: relaxation steps), or one agent holds.
    max_requirements: int = 64
    #: Relaxation steps of one contact.
    max_steps: int = 16

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise InvalidInput(f"limits: {f.name} must be a positive number, got {value!r}")
        if self.workers < self.max_subscribers + 2:
            raise InvalidInput(
                f"limits: workers {self.workers} must exceed max_subscribers "
                f"{self.max_subscribers} by 2 or more (each event stream holds a thread)"
            )


@dataclass(frozen=True)
class ServerConfig:
    """A whole server configuration: router settings, initial agents, limits."""

    router: RouterSettings
    agents: tuple[Agent, ...] = ()
    limits: ServiceLimits = field(default_factory=ServiceLimits)


#: The configuration used when ``ccroute serve`` gets no ``--config``.
DEFAULT_CONFIG_YAML = """\
channels:
  - {name: voice, cost: 100, max_per_agent: 1}
  - {name: chat, cost: 25, max_per_agent: 4}
  - {name: email, cost: 10, max_per_agent: 10}
queues:
  - {name: default, sl_target: 0.8, sl_threshold: 20, max_waiting: 10000}
policy: longest_idle
offer_timeout: null
seed: 0
retain_finished: 100000
"""

_ROUTER_KEYS = {f.name for f in dataclasses.fields(RouterSettings)}
_TOP_KEYS = _ROUTER_KEYS | {"agents", "limits"}


def load_config(path: Union[str, Path, None] = None) -> ServerConfig:
    """Read a YAML configuration file, or the default one when ``path`` is
    ``None``. Raises ``InvalidInput`` naming the file and the bad entry."""
    if path is None:
        return parse_config(yaml.safe_load(DEFAULT_CONFIG_YAML), source="default configuration")
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise InvalidInput(f"cannot read configuration {str(path)!r}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"{path}: not valid YAML: {exc}") from None
    return parse_config(data, source=str(path))


def parse_config(data: Any, source: str = "configuration") -> ServerConfig:
    """Build a :class:`ServerConfig` from parsed YAML (a mapping)."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{source}: expected a mapping at the top, got {type(data).__name__}")
    _no_unknown(source, data, _TOP_KEYS)
    kwargs: dict[str, Any] = {k: data[k] for k in _ROUTER_KEYS & data.keys()}
    kwargs["channels"] = tuple(_build(Channel, f"{source}: channels[{i}]", d)
                               for i, d in enumerate(_seq(source, data, "channels")))
    kwargs["queues"] = tuple(_build(Queue, f"{source}: queues[{i}]", d)
                             for i, d in enumerate(_seq(source, data, "queues")))
    try:
        router = RouterSettings(**kwargs)
        router.build()  # validate now, with the engine's own messages
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{source}: {exc}") from None
    agents = tuple(_build(Agent, f"{source}: agents[{i}]", d)
                   for i, d in enumerate(data.get("agents") or ()))
    limits_data = data.get("limits") or {}
    if not isinstance(limits_data, Mapping):
        raise InvalidInput(f"{source}: limits must be a mapping, got {limits_data!r}")
    _no_unknown(f"{source}: limits", limits_data, {f.name for f in dataclasses.fields(ServiceLimits)})
    try:
        limits = ServiceLimits(**limits_data)
    except InvalidInput as exc:
        raise InvalidInput(f"{source}: {exc}") from None
    return ServerConfig(router=router, agents=agents, limits=limits)


def _seq(source: str, data: Mapping[str, Any], key: str) -> Sequence[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"{source}: {key} must be a non-empty list, got {value!r}")
    return value


def _no_unknown(what: str, data: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(f"{what}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")


def _build(cls: Any, what: str, d: Any) -> Any:
    if not isinstance(d, Mapping):
        raise InvalidInput(f"{what}: expected a mapping, got {d!r}")
    try:
        return cls(**d)
    except TypeError as exc:
        raise InvalidInput(f"{what}: {exc}") from None
    except InvalidInput as exc:
        raise InvalidInput(f"{what}: {exc}") from None
