"""ccroute: a contact-center routing engine.

Skills-based, priority and multichannel-capacity routing in a Rust core,
embedded in Python::

    import ccroute as cc
    router = cc.Router(channels=[cc.Channel("voice", cost=100, max_per_agent=1)],
                       queues=[cc.Queue("sales")])
    router.add_agent(cc.Agent("a1", skills={"spanish": 7}), now=0.0)
    router.submit(cc.Contact("c1", channel="voice", queue="sales",
                             requires={"spanish": 5}), now=1.0)
"""

from __future__ import annotations

from . import erlang, policies
from ._ccroute import (
    Agent,
    AgentView,
    Channel,
    Contact,
    ContactView,
    Explanation,
    Queue,
    QueueStats,
    RoutingProfile,
    Step,
    __version__,
)
from .errors import (
    CapacityError,
    DuplicateId,
    InternalError,
    InvalidInput,
    InvalidState,
    QueueFull,
    RoutingError,
    SnapshotError,
    UnknownId,
    VersionConflict,
)
from .events import (
    Abandoned,
    Assigned,
    CallbackFailed,
    CallbackOffered,
    CallbackScheduled,
    Completed,
    Event,
    ExceptionEvent,
    NotResponding,
    OfferExpired,
    OfferRejected,
    Offered,
    Overflowed,
    Paused,
    Refused,
    Requeued,
    Resumed,
    StepAdvanced,
    TransferFailed,
    Transferred,
    WrapUpEnded,
)
from .policies import Chain, Policy, Weighted
from .router import POLICIES, Router

__all__ = [
    "__version__",
    # configuration and inputs
    "Channel",
    "Queue",
    "Agent",
    "Contact",
    "Step",
    "RoutingProfile",
    # the router and its views
    "Router",
    "POLICIES",
    "Policy",
    "Chain",
    "Weighted",
    "QueueStats",
    "AgentView",
    "ContactView",
    "Explanation",
    # events
    "Event",
    "Assigned",
    "Offered",
    "OfferExpired",
    "NotResponding",
    "OfferRejected",
    "Requeued",
    "Transferred",
    "TransferFailed",
    "CallbackOffered",
    "CallbackFailed",
    "CallbackScheduled",
    "ExceptionEvent",
    "Paused",
    "Resumed",
    "Abandoned",
    "Completed",
    "WrapUpEnded",
    "Overflowed",
    "StepAdvanced",
    "Refused",
    # errors
    "RoutingError",
    "UnknownId",
    "DuplicateId",
    "InvalidInput",
    "InvalidState",
    "CapacityError",
    "QueueFull",
    "VersionConflict",
    "SnapshotError",
    "InternalError",
    # submodules
    "erlang",
    "policies",
]
