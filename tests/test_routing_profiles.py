"""Routing profiles: which queues an agent serves, with what priority, and
after what delay.

* An agent with a routing profile serves only the queues it lists; an
  agent without one serves every queue at priority 0 with no delay.
* Across queues, the profile's queue priority comes before the contacts'
  own (effective) priority, then the wait.
* A delay ``(priority, delay)`` makes a contact of that queue eligible for
  the profile's agents only once it has waited ``delay`` seconds since it
  arrived; a timer routes it at that moment.
"""

from __future__ import annotations

import math

import pytest

import ccroute as cc
from conftest import CHAT, VOICE

PROFILES = [
    cc.RoutingProfile("sales_first", {"sales": 2, "support": 1}),
    cc.RoutingProfile("support_first", {"sales": 0, "support": 5}),
    cc.RoutingProfile("support_only", {"support": 0}),
    cc.RoutingProfile("backup", {"sales": (0, 30.0), "support": (0, 10.0)}),
]


def new_router(profiles=PROFILES, queues=("sales", "support"), **kwargs) -> cc.Router:
    return cc.Router(
        channels=[VOICE, CHAT], queues=[cc.Queue(q) for q in queues], routing_profiles=list(profiles), **kwargs
    )


def voice(cid: str, queue: str, **kwargs) -> cc.Contact:
    return cc.Contact(cid, channel="voice", queue=queue, **kwargs)


def assigned(events: list) -> list[tuple[str, str]]:
    return [(e.contact, e.agent) for e in events if isinstance(e, cc.Assigned)]


# -- which queues -------------------------------------------------------------


def test_agents_serve_only_the_queues_of_their_profile():
    r = new_router()
    r.add_agent(cc.Agent("sup", routing_profile="support_only"), now=0.0)
    # A sales call: sup does not serve sales; it waits.
    assert r.submit(voice("s1", "sales"), now=1.0) == []
    # A support call: sup takes it.
    assert assigned(r.submit(voice("t1", "support"), now=2.0)) == [("t1", "sup")]
    r.complete("t1", now=3.0)
    # Free again, sup still leaves s1 alone.
    assert assigned(r.advance(100.0)) == []
    assert r.waiting("sales") == ["s1"]
    # An agent without a profile serves every queue.
    assert assigned(r.add_agent(cc.Agent("any"), now=101.0)) == [("s1", "any")]
    r.check_invariants()


def test_agent_surplus_skips_agents_not_serving_the_queue():
    r = new_router()
    # sup has been idle the longest, but it does not serve sales.
    r.add_agent(cc.Agent("sup", routing_profile="support_only"), now=0.0)
    r.add_agent(cc.Agent("gen", routing_profile="sales_first"), now=1.0)
    assert assigned(r.submit(voice("s1", "sales"), now=2.0)) == [("s1", "gen")]


def test_the_view_of_a_profile():
    rp = cc.RoutingProfile("mixed", {"sales": 3, "support": (1, 12.5)})
    assert rp.name == "mixed"
    assert rp.queues == {"sales": (3, 0.0), "support": (1, 12.5)}
    assert repr(rp) == "RoutingProfile('mixed', {'sales': (3, 0.0), 'support': (1, 12.5)})"
    assert cc.Agent("a", routing_profile="mixed").routing_profile == "mixed"
    assert cc.Agent("a").routing_profile is None


# -- queue priority ---------------------------------------------------------------


def _busy_agent_with_waiting(profile: str | None) -> cc.Router:
    r = new_router()
    r.add_agent(cc.Agent("a", routing_profile=profile), now=0.0)
    assert assigned(r.submit(voice("busy", "support"), now=0.5)) == [("busy", "a")]
    r.submit(voice("t_hi", "support", priority=9), now=1.0)
    r.submit(voice("s_old", "sales", priority=0), now=2.0)
    r.submit(voice("s_hi", "sales", priority=3), now=3.0)
    r.submit(voice("t_lo", "support", priority=0), now=4.0)
    return r


def _serve(r: cc.Router, first: str, start: float) -> list[str]:
    order, prev, t = [], first, start
    while True:
        got = assigned(r.complete(prev, now=t))
        if not got:
            return order
        order.append(got[0][0])
        prev, t = got[0][0], t + 1.0


def test_profile_queue_priority_beats_contact_priority_across_queues():
    r = _busy_agent_with_waiting("sales_first")
    # sales (2) before support (1) for this agent, whatever the contacts'
    # priorities: s_hi (3), s_old (0); then support: t_hi (9), t_lo (0).
    assert _serve(r, "busy", 10.0) == ["s_hi", "s_old", "t_hi", "t_lo"]


def test_the_other_profile_reverses_the_queues():
    r = _busy_agent_with_waiting("support_first")
    # support (5) before sales (0): t_hi, t_lo, then s_hi, s_old.
    assert _serve(r, "busy", 10.0) == ["t_hi", "t_lo", "s_hi", "s_old"]


def test_without_a_profile_contact_priority_decides_across_queues():
    r = _busy_agent_with_waiting(None)
    # All queues at priority 0: contact priority t_hi (9), s_hi (3), then
    # the 0s by wait: s_old (2) before t_lo (4).
    assert _serve(r, "busy", 10.0) == ["t_hi", "s_hi", "s_old", "t_lo"]


def test_negative_queue_priority_is_served_last():
    r = new_router(profiles=[cc.RoutingProfile("p", {"sales": -1, "support": 0})])
    r.add_agent(cc.Agent("a", routing_profile="p"), now=0.0)
    r.submit(voice("busy", "support"), now=0.5)
    r.submit(voice("s1", "sales", priority=50), now=1.0)
    r.submit(voice("t1", "support"), now=2.0)
    assert _serve(r, "busy", 10.0) == ["t1", "s1"]


# -- delays --------------------------------------------------------------------------


def test_delay_routes_the_contact_by_timer_when_it_has_waited_long_enough():
    r = new_router()
    r.add_agent(cc.Agent("bk", routing_profile="backup"), now=0.0)
    # bk is free, but sales contacts reach it only after 30 s of waiting.
    assert r.submit(voice("s1", "sales"), now=5.0) == []
    assert r.next_timer() == 35.0
    assert r.advance(34.5) == []
    assert r.contact("s1").status == "waiting"
    # At 35 exactly a timer routes it (advance to a later time: the
    # assignment is stamped 35).
    assert r.advance(40.0) == [cc.Assigned(contact="s1", agent="bk", at=35.0, wait=30.0)]
    r.check_invariants()


def test_delay_applies_only_to_that_profiles_agents():
    r = new_router()
    r.add_agent(cc.Agent("bk", routing_profile="backup"), now=0.0)
    r.add_agent(cc.Agent("sf", routing_profile="sales_first"), now=1.0)
    # bk has been idle longer, but may not take s1 yet: sf takes it at once.
    assert assigned(r.submit(voice("s1", "sales"), now=2.0)) == [("s1", "sf")]
    # s2 waits (sf busy) until 32, then bk takes it.
    assert r.submit(voice("s2", "sales"), now=2.0) == []
    assert r.advance(32.0) == [cc.Assigned(contact="s2", agent="bk", at=32.0, wait=30.0)]


def test_delay_in_contact_surplus_skips_contacts_not_old_enough():
    r = new_router()
    r.add_agent(cc.Agent("bk", routing_profile="backup"), now=0.0)
    # bk takes a support call at 10 (support delay 10: t0 arrived at 0).
    r.submit(voice("t0", "support"), now=0.0)
    assert r.advance(10.0) == [cc.Assigned(contact="t0", agent="bk", at=10.0, wait=10.0)]
    r.submit(voice("s1", "sales", priority=5), now=12.0)  # bk may take it from 42
    r.submit(voice("t1", "support"), now=15.0)  # from 25
    # bk frees at 30: t1 (waited 15 >= 10) yes; s1 (waited 18 < 30) not yet.
    assert assigned(r.complete("t0", now=30.0)) == [("t1", "bk")]
    # bk frees at 35: s1 has waited 23: still not; bk stays free...
    assert assigned(r.complete("t1", now=35.0)) == []
    # ...and the timer at 42 hands s1 to bk.
    assert r.advance(50.0) == [cc.Assigned(contact="s1", agent="bk", at=42.0, wait=30.0)]


def test_contact_with_elapsed_delay_waits_for_a_busy_agent_then_goes_at_once():
    r = new_router()
    r.add_agent(cc.Agent("bk", routing_profile="backup"), now=0.0)
    r.submit(voice("t0", "support"), now=0.0)
    r.advance(10.0)  # bk takes t0 at 10
    r.submit(voice("s1", "sales"), now=11.0)
    # The timer at 41 finds bk busy: s1 keeps waiting.
    assert r.advance(60.0) == []
    # bk frees at 70: s1 (waited 59 >= 30) is taken at once.
    assert assigned(r.complete("t0", now=70.0)) == [("s1", "bk")]


def test_two_profiles_with_different_delays_each_get_a_timer():
    profiles = [cc.RoutingProfile("d10", {"q": (0, 10.0)}), cc.RoutingProfile("d20", {"q": (0, 20.0)})]
    r = new_router(profiles=profiles, queues=("q",))
    r.add_agent(cc.Agent("late", routing_profile="d20"), now=0.0)
    r.add_agent(cc.Agent("soon", routing_profile="d10"), now=0.0)
    r.add_agent(cc.Agent("busy_soon", routing_profile="d10"), now=0.0)
    r.submit(voice("c1", "q"), now=1.0)
    r.submit(voice("c2", "q"), now=2.0)
    r.submit(voice("c3", "q"), now=3.0)
    # Each contact gets a timer at arrival + 10 and at arrival + 20.
    # 11: c1 may go to the d10 agents: busy_soon and soon, both idle since
    #     0: the smaller id, busy_soon. 12: c2 -> soon.
    # 13: c3 may go to d10 agents, but both are busy; 23: it may go to the
    #     d20 agent: late takes it.
    assert r.advance(30.0) == [
        cc.Assigned(contact="c1", agent="busy_soon", at=11.0, wait=10.0),
        cc.Assigned(contact="c2", agent="soon", at=12.0, wait=10.0),
        cc.Assigned(contact="c3", agent="late", at=23.0, wait=20.0),
    ]


def test_delay_timer_routes_despite_float_rounding():
    r = new_router(profiles=[cc.RoutingProfile("p", {"q": (0, 30.0)})], queues=("q",))
    r.add_agent(cc.Agent("a", routing_profile="p"), now=0.0)
    r.submit(voice("c", "q"), now=2.3)
    assert assigned(r.advance(1000.0)) == [("c", "a")]


def test_delay_is_counted_from_arrival_not_from_overflow():
    profiles = [cc.RoutingProfile("p", {"b": (0, 20.0)})]
    r = cc.Router(
        channels=[VOICE],
        queues=[cc.Queue("a", overflow_to="b", overflow_after=15.0), cc.Queue("b")],
        routing_profiles=profiles,
    )
    r.add_agent(cc.Agent("x", routing_profile="p"), now=0.0)
    r.submit(voice("c", "a"), now=0.0)
    # Overflow to b at 15; x serves b after 20 s of waiting since arrival (0):
    # at 20, not at 35.
    assert r.advance(50.0) == [
        cc.Overflowed(contact="c", from_queue="a", to_queue="b", at=15.0),
        cc.Assigned(contact="c", agent="x", at=20.0, wait=20.0),
    ]


def test_zero_delay_tuple_is_no_delay():
    r = new_router(profiles=[cc.RoutingProfile("p", {"q": (3, 0.0)})], queues=("q",))
    r.add_agent(cc.Agent("a", routing_profile="p"), now=0.0)
    assert assigned(r.submit(voice("c", "q"), now=1.0)) == [("c", "a")]


# -- errors ---------------------------------------------------------------------------


def test_unknown_routing_profile_on_an_agent_is_refused_naming_it():
    r = new_router()
    with pytest.raises(cc.InvalidInput, match=r'agent "a": unknown routing profile "gold"'):
        r.add_agent(cc.Agent("a", routing_profile="gold"), now=0.0)
    assert r.agent_ids() == []
    # A router without profiles knows none.
    bare = new_router(profiles=())
    with pytest.raises(cc.InvalidInput, match='"sales_first"'):
        bare.add_agent(cc.Agent("a", routing_profile="sales_first"), now=0.0)


def test_profile_with_an_unknown_queue_is_refused_naming_it():
    with pytest.raises(cc.InvalidInput, match=r'routing profile "p": unknown queue "billing"'):
        new_router(profiles=[cc.RoutingProfile("p", {"sales": 1, "billing": 2})])


def test_duplicate_profile_name_is_refused_naming_it():
    with pytest.raises(cc.DuplicateId, match='"twin"'):
        new_router(profiles=[cc.RoutingProfile("twin", {"sales": 1}), cc.RoutingProfile("twin", {"support": 1})])


@pytest.mark.parametrize("delay, shown", [(-1.0, "-1.0"), (math.nan, "NaN"), (math.inf, "inf")])
def test_bad_delay_is_refused_naming_it(delay, shown):
    with pytest.raises(cc.InvalidInput, match=rf'routing profile "p": delay of queue "sales" {shown} is not'):
        new_router(profiles=[cc.RoutingProfile("p", {"sales": (1, delay)})])


@pytest.mark.parametrize("value", ["high", 1.5, (1, 2, 3), (1, "x"), None])
def test_bad_queue_entry_is_refused_naming_it(value):
    with pytest.raises(cc.InvalidInput, match=r'routing profile "p": queue "sales" needs a priority or \(priority, delay\), got'):
        cc.RoutingProfile("p", {"sales": value})


def test_routing_profiles_must_be_profile_objects():
    with pytest.raises(cc.InvalidInput, match="routing_profiles must be RoutingProfile objects"):
        new_router(profiles=[{"name": "p"}])


def test_an_empty_profile_serves_nothing():
    r = new_router(profiles=[cc.RoutingProfile("none", {})])
    r.add_agent(cc.Agent("idle", routing_profile="none"), now=0.0)
    assert r.submit(voice("s", "sales"), now=1.0) == []
    assert r.submit(voice("t", "support"), now=1.0) == []


# -- snapshot / restore ---------------------------------------------------------------


RESTORE_BUG = (
    "crates/router_core/src/router/snapshot.rs:restore replaces the index with Index::new(), dropping "
    "index.routing (the routing-profile table Router::new built), so Index::serves (index.rs) indexes an "
    "empty Vec and panics (PanicException) as soon as a profile agent meets a wait group"
)


def test_restore_then_route_with_a_profile_agent():
    r = new_router(profiles=[cc.RoutingProfile("p", {"q": 1})], queues=("q",))
    copy = cc.Router.restore(r.snapshot())
    copy.add_agent(cc.Agent("a", routing_profile="p"), now=0.0)
    assert assigned(copy.submit(voice("c", "q"), now=1.0)) == [("c", "a")]


def test_snapshot_restore_keeps_profiles_priorities_and_pending_delays():
    r = new_router()
    r.add_agent(cc.Agent("bk", routing_profile="backup"), now=0.0)
    r.add_agent(cc.Agent("sf", routing_profile="sales_first"), now=0.0)
    r.submit(voice("busy", "support"), now=1.0)  # sf (only sf can take it now)
    r.submit(voice("t1", "support", priority=9), now=2.0)  # bk from 12
    r.submit(voice("s1", "sales"), now=3.0)  # bk from 33
    r.submit(voice("s2", "sales"), now=4.0)
    copy = cc.Router.restore(r.snapshot())
    copy.check_invariants()
    for router in (r, copy):
        out = router.advance(20.0)
        # bk takes t1 at 12 (support delay 10).
        assert out == [cc.Assigned(contact="t1", agent="bk", at=12.0, wait=10.0)]
        # sf frees at 21: sales first for sf (2 > 1): s1.
        assert assigned(router.complete("busy", now=21.0)) == [("s1", "sf")]
        # bk frees at 22: s2 has waited 18 < 30: nothing; the timer at 34
        # gives it to bk.
        assert assigned(router.complete("t1", now=22.0)) == []
        assert router.advance(40.0) == [cc.Assigned(contact="s2", agent="bk", at=34.0, wait=30.0)]
        # Unknown profile still refused after restore.
        with pytest.raises(cc.InvalidInput, match="unknown routing profile"):
            router.add_agent(cc.Agent("z", routing_profile="gold"), now=41.0)
        router.check_invariants()
    assert r.snapshot() == copy.snapshot()


# -- a preferred or returning agent is still bound by the profile ----------------


def test_preferred_agent_does_not_take_a_queue_its_profile_does_not_serve():
    r = new_router(profiles=[cc.RoutingProfile("sales_only", {"sales": (1, 30.0)})])
    r.add_agent(cc.Agent("s", routing_profile="sales_only"), now=0.0)
    # A support contact naming s as preferred agent: s does not serve support.
    assert r.submit(voice("t1", "support", preferred_agent="s", preferred_wait=5.0), now=1.0) == []
    assert assigned(r.advance(100.0)) == []
    assert r.waiting("support") == ["t1"]
    r.check_invariants()


def test_preferred_agent_waits_out_the_profile_delay():
    r = new_router(profiles=[cc.RoutingProfile("sales_only", {"sales": (1, 30.0)})])
    r.add_agent(cc.Agent("s", routing_profile="sales_only"), now=0.0)
    # A sales contact naming s: s may take it only once it has waited 30 s,
    # although s is free from the start.
    assert r.submit(voice("c1", "sales", preferred_agent="s", preferred_wait=60.0), now=1.0) == []
    r.check_invariants()
    assert assigned(r.advance(30.5)) == []
    assert assigned(r.advance(31.0)) == [("c1", "s")]
    r.check_invariants()


def test_last_agent_affinity_is_bound_by_the_profile():
    r = new_router(profiles=[cc.RoutingProfile("sales_late", {"sales": (0, 30.0), "support": 0})], affinity=True)
    r.add_agent(cc.Agent("s", routing_profile="sales_late"), now=0.0)
    # The customer last spoke to s on support.
    assert assigned(r.submit(voice("t1", "support", customer="cust"), now=1.0)) == [("t1", "s")]
    r.complete("t1", now=2.0)
    # Now on sales: s may take it only after the 30 s delay.
    assert r.submit(voice("c2", "sales", customer="cust"), now=3.0) == []
    r.check_invariants()
    assert assigned(r.advance(32.0)) == [] and assigned(r.advance(33.0)) == [("c2", "s")]
    r.check_invariants()
