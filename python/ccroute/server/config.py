"""Configuration of ``ccroute serve``: the router, initial agents, limits.

Read from YAML (``--config router.yaml``, see ``examples/router.yaml``) or
taken from :data:`DEFAULT_CONFIG_YAML` when no file is given::

    channels:                 # at least one
      - {name: voice, cost: 100, max_per_agent: 1, wrap_up: 0}
    queues:                   # at least one
      - {name: sales, sl_target: 0.8, sl_threshold: 20, max_waiting: 10000,
         ordering: priority,  # or lifo, greatest_need
         aging_rate: 0.05, aging_max: 10, overflow: {to: general, after: 120}}
      - {name: general}
    policy: longest_idle      # a name, {chain: [least_occupied, longest_idle]}
                              # or {weighted: {skill: 1.0, idle: 0.01}}
    routing_profiles:         # optional: which queues an agent serves
      - {name: sales_first, queues: [{queue: sales, priority: 2}, {queue: general, delay: 30}]}
    offer_timeout: null       # seconds, or null to assign at once
    seed: 0
    affinity: true
    affinity_wait: 0
    retain_finished: 100000   # finished contacts kept for look-ups
    condition_interval: 5     # seconds between checks of a step's `when`
    batch_window: null        # seconds: solve the optimal assignment in batches
    missed_offer_state: away  # where an agent who lets an offer expire goes
    exclusion_expires_after: 60  # seconds, or null: a rejecting agent never gets that contact
    agents:                   # optional, added when the server starts
      - {id: a1, skills: {spanish: 7}, state: available, routing_profile: sales_first}
    limits:                   # optional, see ServiceLimits
      history: 100000

The router's part is the engine's configuration record, field for field
(``ccroute.Router.config()`` writes the same form), so every option of the
embedded router can be set here. Unknown keys are refused with an error naming them, so a typo never goes
unnoticed.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

import yaml

from .._ccroute import Agent, Channel, Queue, RoutingProfile, normalize_config
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


class RouterSettings:
    """The router's configuration (``ccroute.Router.from_config``), held as
    the core's record: every field of it, in its plain-data form
    (:meth:`to_dict`). Built from keywords or a mapping, checked by the
    engine, with errors naming the field.

    ``RouterSettings(channels=[Channel("voice")], queues=[Queue("q")],
    policy="most_skilled")``; any field of the record may be given (model
    objects or their dicts). Fields left out take the engine's defaults,
    except ``retain_finished``, which a server bounds by default
    (:data:`DEFAULT_RETAIN_FINISHED`). Read a field as an attribute:
    ``channels``, ``queues`` and ``routing_profiles`` give model objects,
    the others plain values.
    """

    __slots__ = ("_data",)

    def __init__(self, config: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> None:
        data = dict(config or {})
        data.update(fields)
        data.setdefault("retain_finished", DEFAULT_RETAIN_FINISHED)
        if data.get("plugin") is not None:
            raise InvalidInput(f"plugin: {data['plugin']!r}: a server cannot load a plug-in policy "
                               "(configure a built-in policy, a chain or weights)")
        if not data.get("channels"):
            raise InvalidInput("configuration has no channels (at least one is needed)")
        if not data.get("queues"):
            raise InvalidInput("configuration has no queues (at least one is needed)")
        object.__setattr__(self, "_data", normalize_config(data))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "RouterSettings":
        """The settings of a plain-data configuration (see :meth:`to_dict`)."""
        return cls(data)

    def to_dict(self) -> dict[str, Any]:
        """Every field of the configuration as plain data (a copy)."""
        return copy.deepcopy(self._data)

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        """The names of the configuration's fields: the core record's."""
        return _FIELDS

    def replace(self, **fields: Any) -> "RouterSettings":
        """A copy with some fields changed."""
        return RouterSettings(self._data, **fields)

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(Channel.from_dict(c) for c in self._data["channels"])

    @property
    def queues(self) -> tuple[Queue, ...]:
        return tuple(Queue.from_dict(q) for q in self._data["queues"])

    @property
    def routing_profiles(self) -> tuple[RoutingProfile, ...]:
        return tuple(RoutingProfile.from_dict(p) for p in self._data["routing_profiles"])

    def __getattr__(self, name: str) -> Any:
        try:
            return copy.deepcopy(self._data[name])
        except KeyError:
            raise AttributeError(f"RouterSettings has no field {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("RouterSettings is immutable (use replace)")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RouterSettings) and self._data == other._data

    def __hash__(self) -> int:
        import json

        return hash(json.dumps(self._data, sort_keys=True))

    def __repr__(self) -> str:
        return f"RouterSettings({self._data!r})"

    def build(self) -> Router:
        """A new, empty router with these settings."""
        return Router.from_config(self._data)


_FIELDS: tuple[str, ...] = tuple(normalize_config({"channels": [{"name": "c"}], "queues": [{"name": "q"}]}))


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
    #: Longest selector text (UTF-8 bytes), and most structured clauses
    #: plus preferences on one contact.
    max_selector_bytes: int = 4096
    max_selector_clauses: int = 32

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

_ROUTER_KEYS = set(RouterSettings.fields())
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
    """Build a :class:`ServerConfig` from parsed YAML (a mapping): the
    router's fields as the core names them (``RouterSettings.fields()``),
    plus ``agents`` and ``limits``."""
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{source}: expected a mapping at the top, got {type(data).__name__}")
    _no_unknown(source, data, _TOP_KEYS)
    for key in ("channels", "queues"):
        _seq(source, data, key)
    try:
        router = RouterSettings({k: data[k] for k in _ROUTER_KEYS & data.keys()})
    except InvalidInput as exc:
        raise InvalidInput(f"{source}: {_strip(exc)}") from None
    agents_data = data.get("agents") or []
    if not isinstance(agents_data, list):
        raise InvalidInput(f"{source}: agents must be a list, got {agents_data!r}")
    agents = []
    for i, d in enumerate(agents_data):
        try:
            agents.append(Agent.from_dict(d))
        except InvalidInput as exc:
            raise InvalidInput(f"{source}: agents[{i}]: {_strip(exc)}") from None
    limits_data = data.get("limits") or {}
    if not isinstance(limits_data, Mapping):
        raise InvalidInput(f"{source}: limits must be a mapping, got {limits_data!r}")
    _no_unknown(f"{source}: limits", limits_data, {f.name for f in dataclasses.fields(ServiceLimits)})
    try:
        limits = ServiceLimits(**limits_data)
    except InvalidInput as exc:
        raise InvalidInput(f"{source}: {exc}") from None
    return ServerConfig(router=router, agents=tuple(agents), limits=limits)


def _strip(exc: InvalidInput) -> str:
    """The message without the generic ``configuration: ``/``agent: `` prefix."""
    msg = str(exc)
    for prefix in ("configuration: ", "agent: "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    return msg


def _seq(source: str, data: Mapping[str, Any], key: str) -> Sequence[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"{source}: {key} must be a non-empty list, got {value!r}")
    return value


def _no_unknown(what: str, data: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(f"{what}: unknown key {unknown[0]!r} (known: {', '.join(sorted(known))})")


