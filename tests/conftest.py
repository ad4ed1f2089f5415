"""Shared fixtures and helpers of the ccroute pytest suites.

The helpers (``snapshot``, ``assert_unchanged``, the channel constants) are
plain functions so that modules that cannot take fixtures (the hypothesis
state machine) can import them with ``from conftest import ...``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

import pytest

import ccroute as cc

try:
    from hypothesis import HealthCheck
    from hypothesis import settings as hypothesis_settings
except ImportError:  # pragma: no cover - the property suites skip without it
    pass
else:
    _QUIET = [HealthCheck.too_slow, HealthCheck.filter_too_much]
    # "ci" (the default, what `make test` runs): the same examples on every
    # run, so that a run's outcome depends on the code alone. "fuzz" (`make
    # fuzz`): fresh random examples, many more of them, and longer runs of
    # the state machines.
    hypothesis_settings.register_profile(
        "ci", max_examples=60, stateful_step_count=40, derandomize=True, database=None, deadline=None,
        suppress_health_check=_QUIET)
    hypothesis_settings.register_profile(
        "fuzz", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "600")), stateful_step_count=60, deadline=None,
        suppress_health_check=_QUIET)
    hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: Voice: exclusive (cost 100 of a 100-unit agent), one at a time, no wrap-up.
VOICE = cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=0.0)
#: Chat: a quarter of an agent, up to four at once.
CHAT = cc.Channel("chat", cost=25, max_per_agent=4)
#: Email: a tenth of an agent, up to ten at once.
EMAIL = cc.Channel("email", cost=10, max_per_agent=10)

AGENT_FIELDS = (
    "id", "state", "skills", "capacity", "used", "load", "contacts", "held", "max",
    "wrap_ups", "handled", "idle_since", "busy", "attributes",
)
CONTACT_FIELDS = (
    "id", "status", "channel", "queue", "priority", "arrival", "wait", "agent",
    "requires", "step", "attributes", "version",
)


def make_router(
    queues: Iterable[cc.Queue] | None = None,
    channels: Iterable[cc.Channel] | None = None,
    **kwargs: Any,
) -> cc.Router:
    """A router with voice/chat/email and the given queues (default: one
    queue ``"sales"`` with an 80/20 objective)."""
    return cc.Router(
        channels=list(channels) if channels is not None else [VOICE, CHAT, EMAIL],
        queues=list(queues) if queues is not None else [cc.Queue("sales", sl_target=0.8, sl_threshold=20.0)],
        **kwargs,
    )


def two_channel_router(**kwargs: Any) -> cc.Router:
    """A router with voice (no wrap-up) and chat only, and one queue
    ``"sales"`` with an 80/20 objective."""
    return cc.Router(
        channels=[
            cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=0.0),
            cc.Channel("chat", cost=25, max_per_agent=4),
        ],
        queues=[cc.Queue("sales", sl_target=0.8, sl_threshold=20.0)],
        **kwargs,
    )


def agent_fields(view: cc.AgentView) -> dict[str, Any]:
    return {f: getattr(view, f) for f in AGENT_FIELDS}


def contact_fields(view: cc.ContactView) -> dict[str, Any]:
    return {f: getattr(view, f) for f in CONTACT_FIELDS}


def snapshot(router: cc.Router, contacts: Iterable[str] = ()) -> dict[str, Any]:
    """Everything observable about a router: time, counters, statistics of
    every queue, every agent view, the waiting list of every queue, the
    views of every live contact and of the extra ``contacts`` given (ended
    ones, or ids that must stay unknown), and the next timer."""
    stats = {name: s.to_dict() for name, s in router.stats().items()}
    agents = {a: agent_fields(router.agent(a)) for a in router.agent_ids()}
    waiting = {q: router.waiting(q) for q in stats}
    ids = set(contacts)
    for q in waiting.values():
        ids.update(q)
    for a in agents.values():
        ids.update(a["contacts"])
    views: dict[str, Any] = {}
    for c in sorted(ids):
        try:
            views[c] = contact_fields(router.contact(c))
        except cc.UnknownId:
            views[c] = "unknown"
    return {
        "now": router.now,
        "policy": router.policy,
        "decisions": router.decisions,
        "live_contacts": router.live_contacts,
        "agent_ids": router.agent_ids(),
        "agents_by_state": router.agents_by_state(),
        "next_timer": router.next_timer(),
        "stats": stats,
        "agents": agents,
        "waiting": waiting,
        "contacts": views,
    }


def assert_unchanged(router: cc.Router, before: dict[str, Any], contacts: Iterable[str] = ()) -> None:
    """The router looks exactly as in ``before`` and its invariants hold."""
    after = snapshot(router, contacts)
    for key in before:
        assert after[key] == before[key], f"{key} changed"
    assert after == before
    router.check_invariants()


@pytest.fixture
def router() -> cc.Router:
    """An empty auto-accept router: voice/chat/email, queue ``sales``."""
    return make_router()


@pytest.fixture
def offer_router() -> cc.Router:
    """An empty router in offer mode (10 s to accept), queue ``sales``."""
    return make_router(offer_timeout=10.0)


def populate(r: cc.Router, offers: bool = False) -> dict[str, list[str]]:
    """Brings ``r`` (queues ``sales`` and ``support``) into a busy state
    at time 10, with agents holding contacts, contacts waiting in both
    queues, an ended contact, and (in offer mode) a pending offer.
    Returns the ids by kind."""
    r.add_agent(cc.Agent("a1", skills={"spanish": 7}, channels={"voice": 1, "chat": 3}), now=0.0)
    r.add_agent(cc.Agent("a2", skills={"english": 5}, channels={"chat": 3}), now=0.0)
    r.add_agent(cc.Agent("a3", skills={"english": 9, "spanish": 3}, state="away"), now=0.0)
    r.submit(cc.Contact("v1", channel="voice", queue="sales", requires={"spanish": 5}), now=1.0)
    r.submit(cc.Contact("ch1", channel="chat", queue="support", requires={"english": 3}), now=2.0)
    r.submit(cc.Contact("done", channel="chat", queue="support", requires={"english": 3}), now=3.0)
    if offers:
        r.accept("v1", "a1", now=3.0)
        r.accept("ch1", "a2", now=3.0)
        r.accept("done", "a2", now=3.0)
    r.complete("done", now=4.0)
    # Nobody free can take these: a1 is on a voice call, a3 is away, nobody
    # has german.
    r.submit(cc.Contact("w1", channel="voice", queue="sales", priority=2, requires={"spanish": 5}), now=5.0)
    r.submit(cc.Contact("w2", channel="chat", queue="support", requires={"german": 4}), now=6.0)
    r.submit(
        cc.Contact("w3", channel="email", queue="sales", requires={"german": 2},
                   steps=[cc.Step(after=100.0, requires={"german": 1})]),
        now=7.0,
    )
    pending = []
    if offers:
        r.submit(cc.Contact("off1", channel="chat", queue="support", requires={"english": 1}), now=8.0)
        pending.append("off1")
    r.advance(10.0)
    r.check_invariants()
    return {
        "assigned": ["v1", "ch1"],
        "ended": ["done"],
        "waiting": ["w1", "w2", "w3"],
        "offered": pending,
        "agents": ["a1", "a2", "a3"],
    }


def busy(offers: bool = False) -> tuple[cc.Router, dict[str, list[str]]]:
    r = make_router(
        queues=[cc.Queue("sales"), cc.Queue("support", sl_threshold=30.0, max_waiting=10)],
        offer_timeout=60.0 if offers else None,
    )
    return r, populate(r, offers)


@pytest.fixture
def busy_router() -> tuple[cc.Router, dict[str, list[str]]]:
    """An auto-accept router in a busy state (see :func:`populate`)."""
    return busy(offers=False)


@pytest.fixture
def busy_offer_router() -> tuple[cc.Router, dict[str, list[str]]]:
    """An offer-mode router (60 s to accept) in a busy state with one offer pending."""
    return busy(offers=True)
