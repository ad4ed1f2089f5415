"""Extension points of the service: a command log and an observer.

Both are called on the engine thread, so they see commands and events in
the one order the router applied them.

- A :class:`CommandLog` (persistence: e.g. a Redis Stream) receives every
  accepted command of an engine round, with the time it ran at, *before*
  any reply of that round is released. Replaying the entries in order
  against a fresh router of the same configuration (``Command.apply`` at
  ``LogEntry.now``) rebuilds the same state.
- An :class:`Observer` (metrics, a wallboard) hears about each command, the
  events published and each engine round, after the replies are released.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol

from .commands import Command
from .events import EventRecord

__all__ = ["LogEntry", "CommandLog", "Observer"]


class LogEntry(NamedTuple):
    """One accepted command and the router time it ran at."""

    #: Position among accepted commands, from 1, without gaps.
    number: int
    #: The router's ``now`` when the command ran.
    now: float
    #: The command (a frozen dataclass from ``ccroute.server.commands``).
    command: Command


class CommandLog(Protocol):
    """Receives accepted commands before they are acknowledged.

    ``append`` may block (it holds up the engine thread, and so every call,
    for as long as it takes: batch the writes). If it raises, the calls of
    that round fail with UNAVAILABLE and the service refuses every later
    call, because state and log would no longer agree.

    A log that holds a lease (one active server among several) also has
    ``lease_problem() -> Optional[str]``: while it returns a reason the
    service answers every call, reads included, UNAVAILABLE with it."""

    def append(self, entries: Sequence[LogEntry]) -> None: ...


class Observer:
    """Hears what the engine does; override what you need. Called on the
    engine thread: keep each call short and never block. An exception is
    logged and ignored (an observer cannot fail a call)."""

    def on_command(self, name: str, outcome: str, seconds: float) -> None:
        """A command ran: ``outcome`` is ``"ok"`` or the error class name."""

    def on_events(self, records: Sequence[EventRecord]) -> None:
        """Events were published (in sequence order)."""

    def on_round(self, commands: int, backlog: int, seconds: float) -> None:
        """An engine round ran ``commands`` commands; ``backlog`` still wait."""
