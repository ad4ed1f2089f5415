"""Where a client's calls go among scale-out servers: the redirect decision
of one call (:class:`Redirects`) and the channels of one client
(:class:`Links`), shared by :class:`RouterClient` and
:class:`AsyncRouterClient`, which only sleep and close channels (their
way: blocking or awaited).

The model: ``ccroute serve --redis URL --advertise HOST:PORT`` servers
spread the tenants. A call reaching a server that does not own its tenant
fails with ``NotOwner`` naming the owner: none while a server takes the
tenant over, and the dead owner itself while its lease has not expired.
A client starts at the address it was given (its *origin*), moves to the
owner a redirect names, and when a server it moved to fails goes back to
the origin, which names the new owner. Which servers failed is known to
the whole client (:class:`Links`), not to one call, so that concurrent
calls agree on where to go during a takeover.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Optional

from ..errors import RoutingError
from ..server.errors import NotOwner, ServiceUnavailable, StreamEnded

__all__ = [
    "MAX_REDIRECTS", "NO_OWNER_WAIT", "NO_OWNER_TRIES", "STREAM_SETTLED", "FAILED_FOR", "FAILED_RETRY",
    "Hop", "Redirects", "Link", "Links",
]

#: Most redirects one call follows: ``NotOwner`` naming another server
#: that has not failed (a loop between servers disagreeing on the owner
#: ends there).
MAX_REDIRECTS = 3
#: Seconds to wait before asking again while no live server owns the tenant (a takeover).
NO_OWNER_WAIT = 0.25
#: Most waits for one call (12 s: a lease time and balancer rounds by default);
#: a try of a failed server named again counts as one.
NO_OWNER_TRIES = 48
#: Seconds an event stream must have lived for its end (other than a
#: ``NotOwner`` refusal) to count as the end of an open stream, as a
#: delivered reply does: a fresh budget, and a resume at once.
STREAM_SETTLED = 1.0
#: Seconds a server stays marked failed for the whole client after a call
#: to it failed (UNAVAILABLE other than ``NotOwner``) unless it answers
#: again: about a lease (5 s by default) plus balancer rounds, by which
#: time its tenants have a new owner, or it is back and was tried again.
FAILED_FOR = 15.0
#: Seconds between two tries of a failed server that is still named as the
#: owner (for the whole client): a dead owner is named until its lease
#: expires, a live one after a blip (Redis briefly down, a connection
#: reset) too, and only a try tells them apart.
FAILED_RETRY = 1.0


@dataclass(frozen=True)
class Hop:
    """What to do after a failed call: move the client to ``target``
    (``None``: stay) when the call went over the client's current channel,
    wait ``wait`` seconds, then send the call again where the client is.
    ``resend`` False: move, and raise the error instead (the call may have
    run, and it is not safe to send twice). ``failed``: the server the
    call went to failed; it is marked failed for the whole client.
    ``retry``: ``target`` is a failed server named again as the owner:
    this call alone is sent there; the client moves there once it answers."""

    target: Optional[str]
    wait: float = 0.0
    resend: bool = True
    failed: bool = False
    retry: bool = False


class Redirects:
    """The redirect budget of one call (of an event watch: until it
    delivers again, or a stream of it settles), and the one decision both
    clients follow after an error:

    - ``NotOwner`` naming another server, not failed: send the call there,
      moving the client (a move);
    - ``NotOwner`` naming no server (a takeover) or the server asked: wait
      ``NO_OWNER_WAIT`` and ask again (a wait);
    - ``NotOwner`` naming a failed server (:meth:`Links.is_failed`): wait,
      and when it is its turn (once per ``FAILED_RETRY`` for the whole
      client, :meth:`Links.claim_retry`) send the call there (a retry).
      A retry counts as a wait, not a move: a dead owner is named for a
      lease, and trying it through a takeover must not spend the moves;
    - UNAVAILABLE other than ``NotOwner`` from a server other than the
      origin (dead, stopping, or a blip): the server is marked failed and
      the call goes back to where the client is (the origin, unless
      another call moved it since), which names the owner. Resent only
      when ``safe`` (a read, or a call carrying an idempotency key);
      otherwise the client moves back and the error is raised. Not
      counted: a failed server is reached again only by counted waits;
    - anything else: ``None``, for the caller's own retry rules.

    A ``NotOwner`` refusal ran nothing, so following it is always safe.
    Past ``MAX_REDIRECTS`` moves or ``NO_OWNER_TRIES`` waits the error is
    raised."""

    def __init__(self, links: "Links") -> None:
        self.links = links
        self.moves = 0
        self.waits = 0

    def reset(self) -> None:
        """A fresh budget (an event watch delivered again)."""
        self.moves = self.waits = 0

    def after(self, err: RoutingError, sent_to: str, *, safe: bool) -> Optional[Hop]:
        """The hop to make after ``err`` from the server ``sent_to``; raises
        ``err`` when the budget is spent, ``None`` when ``err`` is not about
        where the tenant is."""
        if isinstance(err, NotOwner):
            owner = err.owner
            if owner and owner != sent_to:
                if not self.links.is_failed(owner):
                    return self._move(err, Hop(owner))
                if self.links.claim_retry(owner):
                    return self._wait(err, Hop(owner, retry=True))
            return self._wait(err)
        if isinstance(err, ServiceUnavailable) and sent_to != self.links.origin:
            return Hop(self.links.origin, resend=safe, failed=True)
        return None

    @staticmethod
    def settled(err: RoutingError, replied: bool, lived: float) -> bool:
        """Whether an event stream that ended with ``err`` had been open:
        a reply came, or it lived ``STREAM_SETTLED`` seconds and was not
        refused (a server refuses with ``NotOwner`` however long that took;
        any other end that late is the end of a stream the server held,
        such as its owner's death, which for a watch of a quiet tenant may
        come with no reply at all)."""
        return replied or (lived >= STREAM_SETTLED and not isinstance(err, NotOwner))

    def after_stream(self, err: RoutingError, sent_to: str, *, settled: bool, safe: bool,
                     cancelled: bool = False) -> Optional[Hop]:
        """:meth:`after` for an event stream (``settled``: see
        :meth:`settled`, a fresh budget). With ``safe`` (the watch
        resumes), ``StreamEnded`` -- its server gave the tenant up to
        another, or stops -- and a cancellation the watch did not cause
        (``cancelled``) open the stream again where the client is, which
        redirects to the owner: at once after a settled stream, after a
        wait (counted) after one that ended at once. Without ``safe`` they
        are raised (``None``); ``StreamEnded`` never marks its server
        failed (it is alive, it gave the tenant up)."""
        if settled:
            self.reset()
        if isinstance(err, StreamEnded) or cancelled:
            if not safe:
                return None
            return Hop(None) if settled else self._wait(err)
        return self.after(err, sent_to, safe=safe)

    def _move(self, err: RoutingError, hop: Hop) -> Hop:
        if self.moves >= MAX_REDIRECTS:
            raise err from None
        self.moves += 1
        return hop

    def _wait(self, err: RoutingError, hop: Optional[Hop] = None) -> Hop:
        if self.waits >= NO_OWNER_TRIES:
            raise err from None
        self.waits += 1
        return hop or Hop(None, NO_OWNER_WAIT)


class Link:
    """A channel to one server, the stub over it, and how many calls and
    streams run on it now (:meth:`Links.enter`, :meth:`Links.leave`)."""

    __slots__ = ("target", "channel", "stub", "calls")

    def __init__(self, target: str, channel: Any, stub: Any) -> None:
        self.target = target
        self.channel = channel
        self.stub = stub
        self.calls = 0

    def __repr__(self) -> str:
        return f"Link({self.target!r}, calls={self.calls})"


class Links:
    """The channels of one client and where its calls go. Thread-safe.

    - :attr:`current`: the channel calls use now: to the origin, or to
      the owner a redirect led to. Never a failed server.
    - One channel per server, shared by every call (threads redirected
      together share one), kept open and used again when a redirect leads
      back to its server.
    - Failed servers, for the whole client: a server whose call failed
      (:meth:`move` with ``Hop.failed``) is marked failed for
      ``FAILED_FOR`` seconds, or until it answers a retry. The client is
      never moved to one (a move there becomes a wait), a call is sent to
      one only as a retry (:meth:`claim_retry`), and its channel is
      retired: the next try opens a fresh one, as a channel to a dead
      address waits longer and longer between reconnections. The origin is
      never marked: it is where calls go instead.
    - A retired channel is closed once no call or stream runs on it (every
      call is counted between :meth:`enter` and :meth:`leave`): closing a
      channel would cancel them. :meth:`close` closes every channel.

    ``open_link(target)`` makes a channel; :meth:`move`, :meth:`leave` and
    :meth:`close` return the channels to close, which the client closes."""

    def __init__(self, origin: str, open_link: Callable[[str], Link]) -> None:
        self.origin = origin
        self._open = open_link
        self._lock = threading.Lock()
        self._links: dict[str, Link] = {}
        self._retired: list[Link] = []
        #: Failed servers: when each was marked, and when it was last tried again.
        self._failed: dict[str, float] = {}
        self._tried: dict[str, float] = {}
        self._closed = False
        #: How many channels were opened (one per server, and again after one failed).
        self.opened = 0
        self._current = self._get(origin)

    @property
    def current(self) -> Link:
        """The channel calls use now."""
        return self._current

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def _get(self, target: str) -> Link:
        link = self._links.get(target)
        if link is None:
            link = self._links[target] = self._open(target)
            self.opened += 1
        return link

    def _is_failed(self, target: str, now: float) -> bool:
        since = self._failed.get(target)
        if since is None:
            return False
        if now - since < FAILED_FOR:
            return True
        del self._failed[target]
        self._tried.pop(target, None)
        return False

    def is_failed(self, target: str) -> bool:
        """Whether ``target`` is marked failed."""
        with self._lock:
            return self._is_failed(target, time.monotonic())

    def claim_retry(self, target: str) -> bool:
        """Whether a call may try the failed server ``target`` again now
        (then the next one may only ``FAILED_RETRY`` seconds later)."""
        now = time.monotonic()
        with self._lock:
            if self._closed or not self._is_failed(target, now):
                return False
            if now - max(self._failed[target], self._tried.get(target, self._failed[target])) < FAILED_RETRY:
                return False
            self._tried[target] = now
            return True

    def enter(self, hop: Optional[Hop] = None) -> Link:
        """The channel for a call, or for its next attempt after ``hop``
        (the current one, or the failed server a retry goes to), counted
        as running until :meth:`leave`."""
        with self._lock:
            if hop is not None and hop.retry and hop.target is not None and not self._closed:
                link = self._get(hop.target)
            else:
                link = self._current
            link.calls += 1
            return link

    def leave(self, link: Link, answered: bool = False) -> list[Any]:
        """A call or stream over ``link`` ended (``answered``: its server
        answered it: a failed server tried again is back, and the client
        moves there if it is still at the origin); the channels to close."""
        with self._lock:
            link.calls -= 1
            if answered:
                self._alive(link)
            return self._reap()

    def alive(self, link: Link) -> None:
        """``link``'s server answered a call still running (a stream's
        first reply): as :meth:`leave` with ``answered``."""
        with self._lock:
            self._alive(link)

    def _alive(self, link: Link) -> None:
        if self._links.get(link.target) is link and self._failed.pop(link.target, None) is not None:
            self._tried.pop(link.target, None)
            if self._current.target == self.origin:
                self._current = link

    def move(self, used: Link, hop: Hop) -> tuple[float, list[Any]]:
        """Follow ``hop`` of a call that went over ``used``: mark its server
        failed (``hop.failed``), move the client to ``hop.target`` when
        ``used`` is the current channel (a call that went over a channel
        the client has left does not move it back) and that server has not
        failed. Returns the seconds to wait (``NO_OWNER_WAIT`` at least
        when the move is refused) and the channels to close."""
        now = time.monotonic()
        with self._lock:
            wait = hop.wait
            if self._closed:
                return wait, []
            if hop.failed:
                self._fail(used, now)
            target = hop.target
            if target is not None and not hop.retry and target != self._current.target:
                if self._is_failed(target, now):
                    wait = max(wait, NO_OWNER_WAIT)
                elif self._current is used:
                    self._current = self._get(target)
            return wait, self._reap()

    def _fail(self, used: Link, now: float) -> None:
        if used.target == self.origin or self._links.get(used.target) is not used:
            return  # the origin is never marked; a channel already replaced tells nothing new
        self._failed[used.target] = now
        self._tried.pop(used.target, None)
        del self._links[used.target]
        self._retired.append(used)
        if self._current is used:
            self._current = self._get(self.origin)

    def goto(self, target: str) -> None:
        """Move the client to ``target`` (the user's choice: no longer
        marked failed). The origin stays the address given."""
        with self._lock:
            if self._closed:
                return
            self._failed.pop(target, None)
            self._tried.pop(target, None)
            self._current = self._get(target)

    def _reap(self) -> list[Any]:
        idle = [link for link in self._retired if link.calls <= 0]
        if not idle:
            return []
        self._retired = [link for link in self._retired if link.calls > 0]
        return [link.channel for link in idle]

    def close(self) -> list[Any]:
        """Every channel, to close (the client's ``close()``)."""
        with self._lock:
            self._closed = True
            out = [link.channel for link in self._links.values()] + [link.channel for link in self._retired]
            self._links.clear()
            self._retired.clear()
        return out
