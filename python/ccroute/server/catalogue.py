"""Events the service adds to the router's own (``ccroute.events``), so the
event stream is a complete record: a contact entering its queue, and every
change to an agent (added, updated, removed, state with a reason code).

The router emits routing events; these come from the service's commands,
numbered in the same sequence, logged and replayed like the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from .config import RouterSettings

class _Named:
    """Gives an event its type name as ``kind``, as the router's events have it."""

    __slots__ = ()

    @property
    def kind(self) -> str:
        """The event's type name."""
        return type(self).__name__


__all__ = ["Queued", "AgentStateChanged", "AgentAdded", "AgentUpdated", "AgentRemoved", "ConfigChanged",
           "ServiceEvent"]


@dataclass(frozen=True, slots=True)
class Queued(_Named):
    """The contact entered its queue (before the events of its routing)."""

    contact: str
    queue: str
    channel: str
    priority: int
    at: float


@dataclass(frozen=True, slots=True)
class AgentStateChanged(_Named):
    """An agent's state (or its reason code) changed."""

    agent: str
    state: str
    previous: str
    reason: str
    at: float


@dataclass(frozen=True, slots=True)
class AgentAdded(_Named):
    """An agent was added, in ``state``."""

    agent: str
    state: str
    at: float


@dataclass(frozen=True, slots=True)
class AgentUpdated(_Named):
    """An agent's skills, capacity, channels, attributes or routing profile changed."""

    agent: str
    at: float


@dataclass(frozen=True, slots=True)
class AgentRemoved(_Named):
    """An agent was removed."""

    agent: str
    at: float


@dataclass(frozen=True, slots=True)
class ConfigChanged(_Named):
    """The configuration changed to ``settings``."""

    settings: "RouterSettings"
    at: float


#: Any event the service adds.
ServiceEvent = Union[Queued, AgentStateChanged, AgentAdded, AgentUpdated, AgentRemoved, ConfigChanged]
