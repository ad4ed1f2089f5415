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

__all__ = ["Queued", "AgentStateChanged", "AgentAdded", "AgentUpdated", "AgentRemoved", "ConfigChanged",
           "ServiceEvent"]


@dataclass(frozen=True, slots=True)
class Queued:
    """The contact entered its queue (before the events of its routing)."""

    contact: str
    queue: str
    channel: str
    priority: int
    at: float

    @property
    def kind(self) -> str:
        """The event's type name, as the router's events have it."""
        return "Queued"


@dataclass(frozen=True, slots=True)
class AgentStateChanged:
    """An agent's state (or its reason code) changed."""

    agent: str
    state: str
    previous: str
    reason: str
    at: float

    @property
    def kind(self) -> str:
        """The event's type name, as the router's events have it."""
        return "AgentStateChanged"


@dataclass(frozen=True, slots=True)
class AgentAdded:
    """An agent was added, in ``state``."""

    agent: str
    state: str
    at: float

    @property
    def kind(self) -> str:
        """The event's type name, as the router's events have it."""
        return "AgentAdded"


@dataclass(frozen=True, slots=True)
class AgentUpdated:
    """An agent's skills, capacity, channels, attributes or routing profile changed."""

    agent: str
    at: float

    @property
    def kind(self) -> str:
        """The event's type name, as the router's events have it."""
        return "AgentUpdated"


@dataclass(frozen=True, slots=True)
class AgentRemoved:
    """An agent was removed."""

    agent: str
    at: float

    @property
    def kind(self) -> str:
        """The event's type name, as the router's events have it."""
        return "AgentRemoved"


@dataclass(frozen=True, slots=True)
class ConfigChanged:
    """The configuration changed to ``settings``."""

    settings: "RouterSettings"
    at: float

    @property
    def kind(self) -> str:
        """The event's type name, as the router's events have it."""
        return "ConfigChanged"


#: Any event the service adds.
ServiceEvent = Union[Queued, AgentStateChanged, AgentAdded, AgentUpdated, AgentRemoved, ConfigChanged]
