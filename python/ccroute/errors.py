"""The exceptions ccroute raises, all rooted at :class:`RoutingError`.

Each message names the offending value, and a call that raises leaves the
router as it was. Where the meaning matches a standard exception the class
subclasses it too, so ``except KeyError`` and ``except ValueError`` work.
"""

from __future__ import annotations

__all__ = [
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
]


class RoutingError(Exception):
    """Base class of every error the router raises."""


class UnknownId(RoutingError, KeyError):
    """An agent or contact id the router does not know (also a ``KeyError``)."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class DuplicateId(RoutingError, ValueError):
    """An id already in use (also a ``ValueError``)."""


class InvalidInput(RoutingError, ValueError):
    """A bad value: level outside 1-10, unknown channel or queue, negative,
    NaN or backwards time, bad capacity (also a ``ValueError``)."""


class InvalidState(RoutingError):
    """The call does not fit the current state: accepting a contact that was
    not offered to that agent, completing a waiting contact, removing an
    agent that still holds contacts."""


class CapacityError(RoutingError):
    """An assignment would exceed an agent's capacity or channel maximum."""


class QueueFull(RoutingError):
    """The queue holds its maximum number of waiting contacts."""


class VersionConflict(RoutingError):
    """An update named the version it expected (``if_version``) and the
    contact is at another one: someone changed it first. Read the contact
    again (``ContactView.version``) and decide whether to retry."""


class SnapshotError(RoutingError):
    """A snapshot could not be read (corrupt, or from another format version)."""


class InternalError(RoutingError):
    """A fault inside the engine itself (a broken internal rule, never bad
    input). The call fails and the router refuses every later call, since
    it may have stopped half-way: restore it from a snapshot taken before.
    Please report it with the calls that led to it."""
