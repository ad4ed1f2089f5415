"""Rules README states in one sentence each, with the test that holds the
engine to them: what a refused call does to due timers, when a full queue
refuses, the order of same-instant relaxations, idle time after a missed
offer, ``overflow_after=0``, greatest need against plain queues, and ties
under decimal aging rates.
"""

from __future__ import annotations

import pytest

import ccroute as cc
from conftest import VOICE


def assigned(events: list) -> list[tuple[str, str]]:
    return [(e.contact, e.agent) for e in events if isinstance(e, cc.Assigned)]


def test_a_refused_call_still_fires_due_timers_and_the_next_call_reports_them():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q", max_waiting=1)])
    r.submit(cc.Contact("w", channel="voice", queue="q", requires={"x": 5}, steps=[cc.Step(10.0, {})]), now=0.0)
    with pytest.raises(cc.QueueFull):
        r.submit(cc.Contact("refused", channel="voice", queue="q"), now=20.0)
    # The step due at 10 fired during the refused call; its event comes
    # with the next call, and the clock stayed where the timers left it.
    assert r.contact("w").step == 1
    assert r.now == 10.0
    assert [type(e) for e in r.advance(21.0)] == [cc.StepAdvanced]


def test_a_full_queue_does_not_refuse_a_contact_a_free_agent_takes_at_once():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q", max_waiting=1)])
    r.submit(cc.Contact("w", channel="voice", queue="q", requires={"x": 1}), now=0.0)  # fills the queue
    r.add_agent(cc.Agent("a"), now=1.0)  # cannot take w (no x)
    assert assigned(r.submit(cc.Contact("now", channel="voice", queue="q"), now=2.0)) == [("now", "a")]
    # One that would wait is refused.
    with pytest.raises(cc.QueueFull, match='"q" is full'):
        r.submit(cc.Contact("later", channel="voice", queue="q"), now=3.0)
    r.check_invariants()


def test_a_full_queue_refuses_a_contact_that_waits_for_its_preferred_agent():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q", max_waiting=1), cc.Queue("other")])
    r.submit(cc.Contact("w", channel="voice", queue="q", requires={"x": 1}), now=0.0)  # fills q
    r.add_agent(cc.Agent("busy"), now=0.0)
    assert assigned(r.submit(cc.Contact("h", channel="voice", queue="other"), now=0.5)) == [("h", "busy")]
    r.add_agent(cc.Agent("free"), now=0.5)
    # p would wait 30 s for busy although free could take it: it would
    # wait, so the full queue refuses it.
    with pytest.raises(cc.QueueFull):
        r.submit(cc.Contact("p", channel="voice", queue="q", preferred_agent="busy", preferred_wait=30.0), now=1.0)
    # Without the wait, free takes it at once.
    assert assigned(r.submit(cc.Contact("p", channel="voice", queue="q", preferred_agent="busy"), now=1.0)) == [("p", "free")]


def test_same_instant_relaxations_are_routed_in_priority_order():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")])
    r.add_agent(cc.Agent("a", skills={"x": 1}), now=0.0)
    # Both relax at 10; the low-priority contact's timer was set first.
    r.submit(cc.Contact("low", channel="voice", queue="q", priority=0, requires={"x": 5},
                        steps=[cc.Step(10.0, {"x": 1})]), now=0.0)
    r.submit(cc.Contact("high", channel="voice", queue="q", priority=3, requires={"x": 5},
                        steps=[cc.Step(10.0, {"x": 1})]), now=0.0)
    assert assigned(r.advance(10.0)) == [("high", "a")]
    r.check_invariants()


def test_same_instant_relaxations_at_equal_priority_go_to_the_longest_wait():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")])
    r.add_agent(cc.Agent("a", skills={"x": 1}), now=0.0)
    # "late" arrives later but its step (after 5) is due at 10 like
    # "early"'s (after 10): the longer wait (early) goes first.
    r.submit(cc.Contact("early", channel="voice", queue="q", requires={"x": 5}, steps=[cc.Step(10.0, {"x": 1})]), now=0.0)
    r.submit(cc.Contact("late", channel="voice", queue="q", requires={"x": 5}, steps=[cc.Step(5.0, {"x": 1})]), now=5.0)
    assert assigned(r.advance(10.0)) == [("early", "a")]


@pytest.mark.parametrize("miss", ["reject", "expire"])
def test_a_missed_offer_keeps_the_agents_idle_time(miss):
    # missed_offer_state="available": a missed offer leaves the agent available.
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")], offer_timeout=10.0, policy="longest_idle",
                  missed_offer_state="available")
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=5.0)
    assert [(e.contact, e.agent) for e in r.submit(cc.Contact("c1", channel="voice", queue="q"), now=6.0)
            if isinstance(e, cc.Offered)] == [("c1", "a")]
    if miss == "reject":
        r.reject("c1", "a", now=7.0)
        t = 7.0
    else:
        r.advance(16.0)
        t = 16.0
    # c1 went to b. a's idle time still counts from 0: a is the longest
    # idle agent for the next contact.
    offered = [(e.contact, e.agent) for e in r.submit(cc.Contact("c2", channel="voice", queue="q"), now=t + 1)
               if isinstance(e, cc.Offered)]
    assert offered == [("c2", "a")]


def test_overflow_after_zero_moves_what_no_agent_takes_on_arrival():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("first", overflow_to="second", overflow_after=0.0), cc.Queue("second")])
    r.add_agent(cc.Agent("a"), now=0.0)
    # Taken on arrival: it never overflows.
    assert [type(e) for e in r.submit(cc.Contact("c1", channel="voice", queue="first"), now=1.0)] == [cc.Assigned]
    # Nobody free: it moves at once, in the same call.
    ev = r.submit(cc.Contact("c2", channel="voice", queue="first"), now=2.0)
    assert [(type(e), getattr(e, "to_queue", None)) for e in ev] == [(cc.Overflowed, "second")]
    assert r.contact("c2").queue == "second"


def test_greatest_need_against_a_plain_queue_compares_share_of_threshold_with_seconds():
    # A greatest-need queue's head competes with its wait as a share of its
    # threshold; a plain queue's head with its wait in seconds.
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("gn", sl_threshold=10.0, ordering="greatest_need"), cc.Queue("plain")])
    r.submit(cc.Contact("g", channel="voice", queue="gn"), now=0.0)
    r.submit(cc.Contact("p", channel="voice", queue="plain"), now=99.0)
    # At 100: g's need 100 / 10 = 10, p's 1 (second): g first.
    assert assigned(r.add_agent(cc.Agent("a"), now=100.0)) == [("g", "a")]
    r2 = cc.Router(channels=[VOICE], queues=[cc.Queue("gn", sl_threshold=10.0, ordering="greatest_need"), cc.Queue("plain")])
    r2.submit(cc.Contact("p", channel="voice", queue="plain"), now=90.0)
    r2.submit(cc.Contact("g", channel="voice", queue="gn"), now=95.0)
    # At 100: g 5 / 10 = 0.5, p 10 (seconds): p first.
    assert assigned(r2.add_agent(cc.Agent("a"), now=100.0)) == [("p", "a")]


@pytest.mark.parametrize("queue", [cc.Queue("q", aging_rate=0.1), cc.Queue("q", virtual_wait=10.0)],
                         ids=["aging_rate", "virtual_wait"])
def test_exact_ties_under_decimal_aging_rates_go_to_the_longest_wait(queue):
    r = cc.Router(channels=[VOICE], queues=[queue])
    # Effective priorities at any t: a 0.1 (t - 3), b 4 + 0.1 (t - 43):
    # equal. In binary floating point 0.1 x 3 and 0.1 x 43 - 4 differ in
    # the last bit; the tie must still go to the longer wait (a).
    r.submit(cc.Contact("a", channel="voice", queue="q", priority=0), now=3.0)
    r.submit(cc.Contact("b", channel="voice", queue="q", priority=4), now=43.0)
    assert assigned(r.add_agent(cc.Agent("x"), now=50.0)) == [("a", "x")]
