"""Event classes returned by every mutating router call, in order.

Every event has ``contact`` and ``at``; those about an agent have ``agent``;
every one names the contact's ``queue`` and ``channel`` (``Overflowed``:
``from_queue``, ``to_queue`` and ``channel``). Events compare equal field by
field, except that an event built without ``queue`` or ``channel`` matches
any, so tests can write
``assert events == [Assigned(contact="c1", agent="a1", at=1.0, wait=0.0)]``.
"""

from __future__ import annotations

from typing import Union

from ._ccroute import (
    Abandoned,
    Assigned,
    CallbackFailed,
    CallbackOffered,
    CallbackScheduled,
    Completed,
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
from ._ccroute import Exception as ExceptionEvent  # not to shadow the builtin on import *

__all__ = [
    "Event",
    "Assigned",
    "Offered",
    "OfferExpired",
    "OfferRejected",
    "Requeued",
    "Abandoned",
    "Completed",
    "WrapUpEnded",
    "Overflowed",
    "StepAdvanced",
    "Refused",
    "NotResponding",
    "Transferred",
    "TransferFailed",
    "CallbackOffered",
    "CallbackFailed",
    "CallbackScheduled",
    "ExceptionEvent",
    "Paused",
    "Resumed",
]

#: Any router event.
Event = Union[
    Assigned,
    Offered,
    OfferExpired,
    OfferRejected,
    Requeued,
    Abandoned,
    Completed,
    WrapUpEnded,
    Overflowed,
    StepAdvanced,
    Refused,
    NotResponding,
    Transferred,
    TransferFailed,
    CallbackOffered,
    CallbackFailed,
    CallbackScheduled,
    ExceptionEvent,
    Paused,
    Resumed,
]
