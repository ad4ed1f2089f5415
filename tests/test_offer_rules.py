"""What happens to an agent and a contact when an offer is not taken.

* **Timeout** (a missed offer): the contact goes back to its queue with its
  arrival time, the agent is excluded for it and moved to
  ``missed_offer_state`` (default ``"away"``, like Genesys "Not Responding"
  or Twilio's reservation-timeout activity) with a ``NotResponding`` event,
  counted in the queue's ``missed_offers``.
* **Reject**: the same, except that the agent stays as it is.
* Either exclusion is lifted ``exclusion_expires_after`` seconds later
  (default 60) if the contact is still waiting: no other agent took it.

Before, a missed offer left the agent ``available`` and idle while the
contact waited behind it for good.
"""

from __future__ import annotations

import pytest

import ccroute as cc
from conftest import VOICE


def router(**kwargs) -> cc.Router:
    return cc.Router(channels=[VOICE], queues=[cc.Queue("q")], offer_timeout=15.0, **kwargs)


def voice(cid: str) -> cc.Contact:
    return cc.Contact(cid, channel="voice", queue="q")


def test_the_missed_offer_state_is_configurable():
    r = router(missed_offer_state="offline")
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("c1"), now=1.0)
    assert r.advance(16.0)[-1] == cc.NotResponding(contact="c1", agent="a", state="offline", at=16.0)
    assert r.agent("a").state == "offline"
    r = router(missed_offer_state="available")
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("c1"), now=1.0)
    assert r.advance(16.0) == [cc.OfferExpired(contact="c1", agent="a", at=16.0)]
    assert r.agent("a").state == "available" and r.stats()["q"].missed_offers == 1
    with pytest.raises(cc.InvalidInput, match="missed_offer_state 'busy'|missed_offer_state \"busy\""):
        router(missed_offer_state="busy")


def test_a_missed_offer_requeues_the_agents_other_offers():
    r = cc.Router(channels=[cc.Channel("chat", cost=25, max_per_agent=4)], queues=[cc.Queue("q")],
                  offer_timeout=15.0)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(cc.Contact("k1", channel="chat", queue="q"), now=1.0)
    r.submit(cc.Contact("k2", channel="chat", queue="q"), now=5.0)
    ev = r.advance(16.0)
    assert ev == [cc.OfferExpired(contact="k1", agent="a", at=16.0),
                  cc.NotResponding(contact="k1", agent="a", state="away", at=16.0),
                  cc.Requeued(contact="k2", agent="a", at=16.0)]
    assert r.waiting("q") == ["k1", "k2"]
    r.check_invariants()


def test_exclusions_for_good_when_asked():
    r = router(exclusion_expires_after=None)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("c1"), now=1.0)
    r.reject("c1", "a", now=2.0)
    assert r.advance(10_000.0) == []
    assert r.waiting("q") == ["c1"]
    with pytest.raises(cc.InvalidInput, match="exclusion_expires_after -1"):
        router(exclusion_expires_after=-1.0)


def test_a_snapshot_keeps_the_settings_and_the_pending_expiry():
    r = router(missed_offer_state="offline", exclusion_expires_after=30.0)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("c1"), now=1.0)
    r.reject("c1", "a", now=2.0)
    back = cc.Router.restore(r.snapshot())
    assert back.advance(32.0) == [cc.Offered(contact="c1", agent="a", at=32.0, expires=47.0)]
    assert back.advance(47.0)[-1] == cc.NotResponding(contact="c1", agent="a", state="offline", at=47.0)
