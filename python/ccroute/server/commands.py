"""Commands: what the engine thread applies to the router, as plain data.

Each command is a frozen dataclass with an ``apply(engine, now)`` method;
the service queues them and the engine thread applies them one at a time,
in arrival order. Mutating commands (``mutating = True``) that succeed are
what a :class:`~ccroute.server.hooks.CommandLog` receives, so a log of them
replays into the same state. A command calls the
:class:`~ccroute.server.engine.Engine`'s methods; keyed commands also keep
their replies in its idempotency cache, so that a repeat gets the first
reply.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Optional, Union

from .._ccroute import Agent, Contact
from ..errors import InvalidInput, UnknownId
from .config import RouterSettings
from .engine import Engine, Replies, Submitted, Upserted
from .errors import PermissionDenied

__all__ = [
    "Command",
    "At",
    "Configure",
    "UpsertAgent",
    "RemoveAgent",
    "SetAgentState",
    "Submit",
    "Accept",
    "Reject",
    "Complete",
    "Cancel",
    "Pause",
    "Resume",
    "UpdateContact",
    "Transfer",
    "CallbackResult",
    "Advance",
    "Idempotent",
    "AgentScope",
    "ForAgent",
    "Query",
    "unscoped",
]


@dataclass(frozen=True, slots=True)
class Configure:
    """Change the router's configuration while it runs; ``moves``: (removed
    queue, queue its contacts go to)."""

    settings: RouterSettings
    moves: tuple[tuple[str, str], ...] = ()
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.configure(self.settings, now, self.moves)


@dataclass(frozen=True, slots=True)
class UpsertAgent:
    """Add an agent, or update the one with its id unless ``create_only``.
    ``keep_state``: an existing agent keeps its state (``agent.state`` is
    for a new one); ``fields``: update only these fields of an existing
    agent (``None``: all)."""

    agent: Agent
    create_only: bool = False
    keep_state: bool = False
    fields: Optional[frozenset[str]] = None
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.upsert_agent(self.agent, self.create_only, now, self.keep_state, self.fields)


@dataclass(frozen=True, slots=True)
class RemoveAgent:
    """Remove an agent."""

    agent_id: str
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.remove_agent(self.agent_id, now)


@dataclass(frozen=True, slots=True)
class SetAgentState:
    """Set an agent's state (``offline``, ``available``, ``away``), with an
    optional reason code (break, lunch, training, ...)."""

    agent_id: str
    state: str
    reason: str = ""
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.set_agent_state(self.agent_id, self.state, self.reason, now)


@dataclass(frozen=True, slots=True)
class Submit:
    """Submit one contact (``batch=False``: a full queue raises) or a batch
    (a full queue gives ``Refused``), with an optional idempotency key."""

    contacts: tuple[Contact, ...]
    batch: bool = False
    idempotency_key: Optional[str] = None
    fingerprint: Optional[Hashable] = None
    mutating: ClassVar[bool] = True

    def key_fingerprint(self) -> Hashable:
        """What tells a repeat of a keyed submit from another request."""
        return ("submit_many" if self.batch else "submit", tuple(x.id for x in self.contacts), self.fingerprint)

    def apply(self, engine: Engine, now: float) -> Any:
        key = self.idempotency_key
        if key:
            fingerprint = self.key_fingerprint()
            stored = engine.idempotency.get(key, fingerprint, now)
            if stored is not None:
                return Submitted(stored.events, True)
        submitted = engine.submit(self.contacts, self.batch, now)
        if key:
            engine.idempotency.put(key, fingerprint, submitted.events, now)
        return submitted


@dataclass(frozen=True, slots=True)
class Accept:
    """The agent accepts a contact offered to it."""

    contact_id: str
    agent_id: str
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.record(engine.router.accept(self.contact_id, self.agent_id, now))


@dataclass(frozen=True, slots=True)
class Reject:
    """The agent rejects a contact offered to it."""

    contact_id: str
    agent_id: str
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.record(engine.router.reject(self.contact_id, self.agent_id, now))


@dataclass(frozen=True, slots=True)
class Complete:
    """The agent finished an assigned contact."""

    contact_id: str
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.record(engine.router.complete(self.contact_id, now))


@dataclass(frozen=True, slots=True)
class Cancel:
    """The customer left a waiting or offered contact."""

    contact_id: str
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.record(engine.router.cancel(self.contact_id, now))


@dataclass(frozen=True, slots=True)
class Pause:
    """The agent (or a supervisor) pauses an assigned contact."""

    contact_id: str
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.record(engine.router.pause(self.contact_id, now))


@dataclass(frozen=True, slots=True)
class Resume:
    """A paused contact resumes."""

    contact_id: str
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.record(engine.router.resume(self.contact_id, now))


@dataclass(frozen=True, slots=True)
class UpdateContact:
    """Change a waiting or offered contact. ``update`` is a contact update
    in plain data (the form ``_ccroute.normalize_contact_update`` writes)
    holding only the fields given: each replaces the contact's."""

    contact_id: str
    update: Mapping[str, Any]
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.record(engine.router.update_contact(self.contact_id, now, **self.update))


@dataclass(frozen=True, slots=True)
class Transfer:
    """Send an assigned contact to another queue or a named agent.
    ``spec`` is a transfer in plain data (the form
    ``_ccroute.normalize_transfer`` writes) holding the fields given."""

    contact_id: str
    spec: Mapping[str, Any]
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.record(engine.router.transfer(self.contact_id, now, **self.spec))


@dataclass(frozen=True, slots=True)
class CallbackResult:
    """The outcome of the call an agent placed for a callback:
    ``answered``, ``no_answer`` or ``busy``."""

    contact_id: str
    outcome: str
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        return engine.record(engine.router.callback_result(self.contact_id, self.outcome, now))


@dataclass(frozen=True, slots=True)
class Advance:
    """Fire the timers due by ``now``."""

    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        # The engine round fired the due timers just before: those are ours.
        return engine.take_tick() + engine.record(engine.router.advance(now))


@dataclass(frozen=True, slots=True)
class Idempotent:
    """A mutating command with an idempotency key: a repeat of the same
    request (same ``fingerprint``) within the retention time returns the
    first reply and changes nothing; another request with the key is an
    ``IdempotencyConflict``."""

    command: "Command"
    key: str
    fingerprint: Hashable
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        inner = self.command
        stored = engine.idempotency.get(self.key, self.fingerprint, now)
        if stored is not None:
            if isinstance(inner, UpsertAgent):
                return Upserted(stored.events, bool(stored.extra), True)
            if isinstance(inner, Configure):
                # The configuration first answered, not the one in force now.
                return stored.extra if isinstance(stored.extra, RouterSettings) else engine.settings
            replies = Replies(stored.events)
            replies.replayed = True
            return replies
        value = inner.apply(engine, now)
        if isinstance(value, Upserted):
            engine.idempotency.put(self.key, self.fingerprint, value.events, now, value.replaced)
        elif isinstance(inner, Configure):
            engine.idempotency.put(self.key, self.fingerprint, [], now, value)
        elif isinstance(value, list):
            engine.idempotency.put(self.key, self.fingerprint, value, now)
        else:
            engine.idempotency.put(self.key, self.fingerprint, [], now)
        return value


@dataclass(frozen=True, slots=True)
class At:
    """A mutating command applied at the caller's time ``now`` (a service
    on a :class:`~ccroute.server.clock.ClientClock`), logged with it and
    with ``wall``, the server's wall-clock time when it took the call: the
    events' wall-clock time, the same again on replay (the caller's times
    need not be related to any clock)."""

    command: "Command"
    now: float
    wall: float = 0.0
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        # The router call itself fires the timers due by `self.now` and
        # returns their events first (or, if it fails, with the next call),
        # exactly as embedded.
        inner = self.command
        current = engine.router.now
        if self.now < current:
            if _answered(engine, inner, current):
                return inner.apply(engine, current)  # a retry of an answered call: its reply, at any time
            raise InvalidInput(f"now {self.now!r} is before the server's time {current!r}; "
                               "time never goes backwards")
        engine.wall_now = self.wall or None
        try:
            return inner.apply(engine, self.now)
        finally:
            engine.wall_now = None


def _answered(engine: Engine, c: "Command", now: float) -> bool:
    """Whether ``c`` carries an idempotency key whose reply is stored."""
    if isinstance(c, Idempotent):
        return engine.idempotency.get(c.key, c.fingerprint, now) is not None
    if isinstance(c, Submit) and c.idempotency_key:
        return engine.idempotency.get(c.idempotency_key, c.key_fingerprint(), now) is not None
    return False


@dataclass(frozen=True, slots=True)
class AgentScope:
    """A call made for one agent only (an ``agent`` token): ``agent``, and
    the ``call`` a refusal names (``CompleteContact``)."""

    agent: str
    call: str


@dataclass(frozen=True, slots=True)
class ForAgent:
    """A contact command (``Accept``, ``Reject``, ``Complete``, ``Pause``,
    ``Resume``; keyed or timed or not) applied only if its contact is
    offered or assigned to ``scope.agent``, else ``PermissionDenied``
    naming the agents and ``scope.call``: what an ``agent`` token may do.
    The check runs on the engine thread in the same step as the command,
    so nothing can move the contact in between. The command log gets ``command`` alone (see
    :func:`unscoped`): a replay need not check again. A repeat of an
    answered keyed call gets its stored reply without the check."""

    command: "Command"
    scope: AgentScope
    mutating: ClassVar[bool] = True

    def apply(self, engine: Engine, now: float) -> Any:
        inner = self.command
        timed = inner.command if isinstance(inner, At) else inner
        if not _answered(engine, timed, now):
            self.check(engine, _contact_of(timed))
        return inner.apply(engine, now)

    def check(self, engine: Engine, contact: str) -> None:
        """``PermissionDenied`` unless ``contact`` is offered or assigned to the agent."""
        try:
            holder = engine.router.contact(contact).agent
        except UnknownId:
            holder = None
        agent = self.scope.agent
        if holder == agent:
            return
        who = f"role 'agent' for agent {agent!r} may not call {self.scope.call} for contact {contact!r}"
        if holder is None:  # unknown, waiting, or ended without an agent: said the same way
            raise PermissionDenied(f"{who}: it is not offered or assigned to agent {agent!r}")
        raise PermissionDenied(f"{who} of agent {holder!r}")


def _contact_of(c: "Command") -> str:
    if isinstance(c, Idempotent):
        c = c.command
    if isinstance(c, (Accept, Reject, Complete, Pause, Resume)):
        return c.contact_id
    raise TypeError(f"{type(c).__name__} is not a contact command an agent may scope")


def unscoped(c: "Command") -> "Command":
    """The command without its :class:`ForAgent` check (what is logged)."""
    return c.command if isinstance(c, ForAgent) else c


@dataclass(frozen=True, slots=True)
class Query:
    """Read something on the engine thread (never logged): ``fn(engine)``."""

    name: str
    fn: Callable[[Engine], Any]
    mutating: ClassVar[bool] = False

    def apply(self, engine: Engine, now: float) -> Any:
        return self.fn(engine)


#: Any command.
Command = Union[Configure, UpsertAgent, RemoveAgent, SetAgentState, Submit, Accept, Reject,
                Complete, Cancel, Pause, Resume, UpdateContact, Transfer, CallbackResult, Advance, Idempotent, At,
                ForAgent, Query]
