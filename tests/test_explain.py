"""``Router.explain``: why a contact is where it is. The shared scenario
``tests/scenarios/explain_why_waiting.json`` covers most reasons in both
languages; these cover the rest and the errors."""

from __future__ import annotations

import pytest

import ccroute as cc


def _router(**kwargs: object) -> cc.Router:
    return cc.Router(
        channels=[cc.Channel("voice"), cc.Channel("chat", cost=60, max_per_agent=2)],
        queues=[cc.Queue("front", overflow_to="back", overflow_after=30.0), cc.Queue("back")],
        **kwargs,
    )


def test_a_contact_waiting_for_its_preferred_agent_reserves_it_from_the_others() -> None:
    r = _router()
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.add_agent(cc.Agent("a2"), now=0.0)
    r.set_agent_state("a1", "away", now=0.0)
    r.submit(cc.Contact("c1", "voice", "front", preferred_agent="a1", preferred_wait=20.0), now=1.0)
    why = r.explain("c1")
    assert (why.waits_for, why.eligible, why.ineligible["reserved"], why.ineligible["state"]) == ("a1", 0, 1, 1)
    assert why.next_timer == {"at": 21.0, "what": "wait for a1 ends"}


def test_capacity_and_channel_slots_are_told_apart() -> None:
    r = _router()
    r.add_agent(cc.Agent("a1", capacity=100), now=0.0)
    r.submit(cc.Contact("c0", "chat", "back"), now=0.0)  # a1 holds 60 of 100 units, 1 of 2 chat slots
    r.add_agent(cc.Agent("a2", channels={"chat": 1}), now=0.0)
    r.submit(cc.Contact("c2", "chat", "back"), now=0.0)  # a2's only chat slot
    r.submit(cc.Contact("c1", "chat", "front"), now=1.0)
    why = r.explain("c1")
    assert (why.ineligible["capacity"], why.ineligible["channel"], why.eligible) == (1, 1, 0)
    assert why.next_timer == {"at": 31.0, "what": "overflow to back"}


def test_an_offered_contact_names_its_agent_and_the_offer_expiry() -> None:
    r = _router(offer_timeout=10.0)
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.submit(cc.Contact("c1", "voice", "front"), now=2.0)
    why = r.explain("c1")
    assert (why.status, why.agent, why.position) == ("offered", "a1", None)
    assert why.next_timer == {"at": 12.0, "what": "offer expires"}
    r.accept("c1", "a1", now=3.0)
    assert r.explain("c1").next_timer is None


def test_an_unknown_or_ended_contact_has_no_explanation() -> None:
    r = _router()
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.submit(cc.Contact("c1", "voice", "front"), now=0.0)
    r.complete("c1", now=1.0)
    with pytest.raises(cc.InvalidState, match='contact "c1" has already ended'):
        r.explain("c1")
    with pytest.raises(cc.UnknownId, match="ghost"):
        r.explain("ghost")
