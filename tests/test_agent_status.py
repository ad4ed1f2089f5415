"""An agent's state carries a reason code and the time it began; both are
router state (snapshotted, reconfigured, replayed), and a missed offer
moves them."""

from __future__ import annotations

import pytest

import ccroute as cc


def _router(**kwargs: object) -> cc.Router:
    return cc.Router(channels=[cc.Channel("voice")], queues=[cc.Queue("q")], **kwargs)


def test_reason_and_state_since_follow_each_change() -> None:
    r = _router()
    r.add_agent(cc.Agent("a1"), now=1.0)
    v = r.agent("a1")
    assert (v.state, v.reason, v.state_since) == ("available", None, 1.0)
    r.set_agent_state("a1", "away", now=5.0, reason="break")
    assert (r.agent("a1").reason, r.agent("a1").state_since) == ("break", 5.0)
    r.set_agent_state("a1", "away", now=7.0, reason="break")  # nothing changes
    assert r.agent("a1").state_since == 5.0
    r.set_agent_state("a1", "away", now=9.0, reason="lunch")  # a new status within the state
    assert (r.agent("a1").reason, r.agent("a1").state_since) == ("lunch", 9.0)
    r.set_agent_state("a1", "available", now=12.0)
    assert (r.agent("a1").state, r.agent("a1").reason, r.agent("a1").state_since) == ("available", None, 12.0)


def test_a_missed_offer_sets_not_responding_from_the_expiry() -> None:
    r = _router(offer_timeout=10.0)
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.submit(cc.Contact("c1", "voice", "q"), now=2.0)
    events = r.advance(12.0)
    assert [e.kind for e in events] == ["OfferExpired", "NotResponding"]
    v = r.agent("a1")
    assert (v.state, v.reason, v.state_since) == ("away", "not_responding", 12.0)


def test_reason_and_state_since_survive_snapshot_and_reconfiguration() -> None:
    r = _router()
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.set_agent_state("a1", "away", now=3.0, reason="training")
    back = cc.Router.restore(r.snapshot())
    assert (back.agent("a1").reason, back.agent("a1").state_since) == ("training", 3.0)
    r.set_queue(cc.Queue("other"), now=4.0)
    assert (r.agent("a1").reason, r.agent("a1").state_since) == ("training", 3.0)


def test_a_reason_over_the_limit_is_refused_and_changes_nothing() -> None:
    r = _router()
    r.add_agent(cc.Agent("a1"), now=0.0)
    before = r.snapshot()
    with pytest.raises(cc.InvalidInput, match="reason of 1025 bytes is longer than the limit of 1024"):
        r.set_agent_state("a1", "away", now=1.0, reason="x" * 1025)
    assert r.snapshot() == before
