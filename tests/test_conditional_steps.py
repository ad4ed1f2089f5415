"""Conditional relaxation steps: ``Step(after, requires, when=...)``.

A conditional step is due ``after`` seconds after the contact arrived; it
is entered then if its condition holds, otherwise the condition is checked
again every ``condition_interval`` seconds (of the router) and the step is
entered at the first check where it holds (``StepAdvanced`` at that time).
Conditions:

* ``"no_agent_available"``: no agent meeting the requirements in force and
  serving the contact's queue is in state ``available`` (busy or not);
* ``{"queue_longer_than": n}``: the contact's queue holds more than ``n``
  waiting contacts (the contact itself included);
* ``{"longest_wait_above": t}``: the oldest contact of the queue has waited
  more than ``t`` seconds (strictly).

Steps are entered in order: a later step never overtakes a conditional one.
"""

from __future__ import annotations

import math

import pytest

import ccroute as cc
from conftest import VOICE


def new_router(**kwargs) -> cc.Router:
    return cc.Router(channels=[VOICE], queues=[cc.Queue("q"), cc.Queue("other")], **kwargs)


def voice(cid: str, **kwargs) -> cc.Contact:
    kwargs.setdefault("queue", "q")
    return cc.Contact(cid, channel="voice", **kwargs)


def relaxing(cid: str, when, after: float, **kwargs) -> cc.Contact:
    """Requires x>=5; the step drops that to x>=1 under ``when``."""
    return voice(cid, requires={"x": 5}, steps=[cc.Step(after=after, requires={"x": 1}, when=when)], **kwargs)


def unservable(cid: str, **kwargs) -> cc.Contact:
    """A contact nobody can take (skill z), to fill the queue."""
    return voice(cid, requires={"z": 1}, **kwargs)


# -- no_agent_available -------------------------------------------------------


def test_no_agent_available_holding_at_after_enters_then():
    r = new_router()
    r.add_agent(cc.Agent("lo", skills={"x": 2}), now=0.0)
    assert r.submit(relaxing("c", "no_agent_available", after=10.0), now=0.0) == []
    assert r.next_timer() == 10.0
    # At 10 nobody with x>=5 exists: the step is entered at once and lo
    # takes the contact.
    assert r.advance(20.0) == [
        cc.StepAdvanced(contact="c", step=0, at=10.0),
        cc.Assigned(contact="c", agent="lo", at=10.0, wait=10.0),
    ]
    r.check_invariants()


def test_no_agent_available_rechecked_every_interval_until_it_holds():
    r = new_router(condition_interval=4.0)
    r.add_agent(cc.Agent("hi", skills={"x": 7}), now=0.0)
    r.add_agent(cc.Agent("lo", skills={"x": 2}), now=0.0)
    assert [e.agent for e in r.submit(voice("busy", requires={"x": 6}), now=0.5)] == ["hi"]
    assert r.submit(relaxing("c", "no_agent_available", after=10.0), now=1.0) == []
    # Due at 11: hi (x=7) is available, though busy: the condition fails;
    # checks follow at 15, 19, 23, ...
    assert r.advance(11.0) == []
    assert r.next_timer() == 15.0
    assert r.advance(15.0) == []
    assert r.next_timer() == 19.0
    assert r.contact("c").step == 0 and r.contact("c").requires == {"x": 5}
    # hi goes away at 16: the condition now holds, but nothing checks
    # until 19, when the step is entered and lo takes c.
    assert r.set_agent_state("hi", "away", now=16.0) == []
    assert r.advance(30.0) == [
        cc.StepAdvanced(contact="c", step=0, at=19.0),
        cc.Assigned(contact="c", agent="lo", at=19.0, wait=18.0),
    ]
    r.check_invariants()


def test_no_agent_available_counts_offline_agents_as_absent():
    r = new_router()
    r.add_agent(cc.Agent("hi", skills={"x": 9}, state="offline"), now=0.0)
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    # hi is offline: nobody with x>=5 is available at 3.
    assert r.submit(relaxing("c", "no_agent_available", after=3.0), now=0.0) == []
    assert r.advance(3.0) == [
        cc.StepAdvanced(contact="c", step=0, at=3.0),
        cc.Assigned(contact="c", agent="lo", at=3.0, wait=3.0),
    ]


def test_no_agent_available_ignores_agents_whose_profile_skips_the_queue():
    r = cc.Router(
        channels=[VOICE],
        queues=[cc.Queue("q"), cc.Queue("other")],
        routing_profiles=[cc.RoutingProfile("other_only", {"other": 0})],
    )
    r.add_agent(cc.Agent("hi", skills={"x": 9}, routing_profile="other_only"), now=0.0)
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    # hi is available with x=9 but does not serve q: no agent for c.
    assert r.submit(relaxing("c", "no_agent_available", after=2.0), now=0.0) == []
    assert r.advance(2.0) == [
        cc.StepAdvanced(contact="c", step=0, at=2.0),
        cc.Assigned(contact="c", agent="lo", at=2.0, wait=2.0),
    ]


def test_condition_holding_at_arrival_with_after_zero_applies_before_routing():
    r = new_router()
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    assert r.submit(relaxing("c", "no_agent_available", after=0.0), now=1.0) == [
        cc.StepAdvanced(contact="c", step=0, at=1.0),
        cc.Assigned(contact="c", agent="lo", at=1.0, wait=0.0),
    ]


# -- queue_longer_than ----------------------------------------------------------


def test_queue_longer_than_counts_the_contact_itself_and_is_strict():
    r = new_router()  # condition_interval 5
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    assert r.submit(relaxing("c", {"queue_longer_than": 2}, after=5.0), now=0.0) == []
    assert r.submit(unservable("w1"), now=6.0) == []
    # 5: the queue holds c (1): not more than 2. 10: c and w1 (2): not more
    # than 2 either.
    assert r.advance(10.0) == []
    assert r.next_timer() == 15.0
    # A contact of another queue does not count.
    assert r.submit(unservable("o1", queue="other"), now=11.0) == []
    assert r.submit(unservable("w2"), now=12.0) == []
    # 15: c, w1, w2 (3 > 2): entered at 15.
    assert r.advance(16.0) == [
        cc.StepAdvanced(contact="c", step=0, at=15.0),
        cc.Assigned(contact="c", agent="lo", at=15.0, wait=15.0),
    ]


def test_queue_longer_than_holding_at_after():
    r = new_router()
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    r.submit(unservable("w1"), now=0.0)
    r.submit(relaxing("c", {"queue_longer_than": 1}, after=4.0), now=1.0)
    # At 5 the queue holds w1 and c (2 > 1).
    assert r.advance(5.0) == [
        cc.StepAdvanced(contact="c", step=0, at=5.0),
        cc.Assigned(contact="c", agent="lo", at=5.0, wait=4.0),
    ]


def test_queue_longer_than_zero_always_holds():
    r = new_router()
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    r.submit(relaxing("c", {"queue_longer_than": 0}, after=7.0), now=0.0)
    assert r.advance(7.0) == [
        cc.StepAdvanced(contact="c", step=0, at=7.0),
        cc.Assigned(contact="c", agent="lo", at=7.0, wait=7.0),
    ]


# -- longest_wait_above -----------------------------------------------------------


def test_longest_wait_above_uses_the_oldest_contact_of_the_queue():
    r = new_router()
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    r.submit(unservable("old"), now=0.0)
    r.submit(relaxing("c", {"longest_wait_above": 5.0}, after=2.0), now=8.0)
    # At 10 "old" has waited 10 > 5 (c itself only 2).
    assert r.advance(10.0) == [
        cc.StepAdvanced(contact="c", step=0, at=10.0),
        cc.Assigned(contact="c", agent="lo", at=10.0, wait=2.0),
    ]


def test_longest_wait_above_is_strict_and_rechecked_from_after():
    r = new_router(condition_interval=5.0)
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    # c alone: its own wait is the longest. Checks at 0 (arrival, after 0),
    # 5, 10, 15: waits 0, 5, 10 (not above 10), 15 (above): entered at 15.
    assert r.submit(relaxing("c", {"longest_wait_above": 10.0}, after=0.0), now=0.0) == []
    assert r.advance(14.0) == []
    assert r.next_timer() == 15.0
    assert r.advance(100.0) == [
        cc.StepAdvanced(contact="c", step=0, at=15.0),
        cc.Assigned(contact="c", agent="lo", at=15.0, wait=15.0),
    ]


def test_longest_wait_above_drops_when_the_oldest_leaves():
    r = new_router(condition_interval=2.0)
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    r.submit(unservable("old"), now=0.0)
    r.submit(relaxing("c", {"longest_wait_above": 20.0}, after=1.0), now=10.0)
    # old is cancelled at 12; c is then the oldest. Checks at 11 (old 11),
    # 13, 15, ... c's wait exceeds 20 first at the check of 31 (wait 21).
    r.cancel("old", now=12.0)
    assert r.advance(30.0) == []
    assert r.advance(31.0) == [
        cc.StepAdvanced(contact="c", step=0, at=31.0),
        cc.Assigned(contact="c", agent="lo", at=31.0, wait=21.0),
    ]


# -- ordering of steps ---------------------------------------------------------------


def test_a_later_step_never_overtakes_a_conditional_one():
    r = new_router()
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    steps = [
        cc.Step(after=5.0, requires={"x": 3}, when={"queue_longer_than": 1}),
        cc.Step(after=6.0, requires={"x": 1}),
    ]
    r.submit(voice("c", requires={"x": 5}, steps=steps), now=0.0)
    # 5: c alone (1 is not more than 1); the unconditional step 1 (due at 6)
    # waits for step 0. Next check at 10.
    assert r.advance(9.0) == []
    view = r.contact("c")
    assert view.step == 0 and view.requires == {"x": 5}
    r.submit(unservable("w"), now=11.0)
    # 10: still c alone (w arrives at 11). 15: c and w (2 > 1): step 0 is
    # entered, and step 1, overdue, right after it; then lo (x=1) takes c.
    assert r.advance(20.0) == [
        cc.StepAdvanced(contact="c", step=0, at=15.0),
        cc.StepAdvanced(contact="c", step=1, at=15.0),
        cc.Assigned(contact="c", agent="lo", at=15.0, wait=15.0),
    ]


def test_unconditional_then_conditional_steps():
    r = new_router(condition_interval=3.0)
    r.add_agent(cc.Agent("mid", skills={"x": 3}, state="away"), now=0.0)
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    steps = [
        cc.Step(after=2.0, requires={"x": 3}),
        cc.Step(after=4.0, requires={"x": 1}, when="no_agent_available"),
    ]
    r.submit(voice("c", requires={"x": 5}, steps=steps), now=0.0)
    # 2: step 0 (x>=3): mid is away: nobody takes c.
    # 4: step 1's condition is on the requirements in force (x>=3): mid is
    #    away, so no agent is available: entered at 4; lo takes c.
    assert r.advance(10.0) == [
        cc.StepAdvanced(contact="c", step=0, at=2.0),
        cc.StepAdvanced(contact="c", step=1, at=4.0),
        cc.Assigned(contact="c", agent="lo", at=4.0, wait=4.0),
    ]


def test_an_available_busy_agent_blocks_the_conditional_step():
    r = new_router(condition_interval=3.0)
    r.add_agent(cc.Agent("mid", skills={"x": 3}), now=0.0)
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    r.submit(voice("busy", requires={"x": 3}), now=0.0)  # mid takes it
    steps = [
        cc.Step(after=2.0, requires={"x": 3}),
        cc.Step(after=4.0, requires={"x": 1}, when="no_agent_available"),
    ]
    r.submit(voice("c", requires={"x": 5}, steps=steps), now=0.0)
    # 2: step 0 (x>=3): mid is busy. 4, 7, 10: mid (x=3) is available:
    # step 1 waits. mid finishes at 11 and takes c.
    assert r.advance(10.0) == [cc.StepAdvanced(contact="c", step=0, at=2.0)]
    assert [type(e).__name__ for e in r.complete("busy", now=11.0)] == ["Completed", "Assigned"]
    assert r.contact("c").agent == "mid" and r.contact("c").step == 1


def test_conditional_steps_survive_snapshot_restore():
    r = new_router(condition_interval=4.0)
    r.add_agent(cc.Agent("lo", skills={"x": 1}), now=0.0)
    r.submit(relaxing("c", {"queue_longer_than": 1}, after=2.0), now=0.0)
    r.advance(3.0)  # checked at 2: alone; next check at 6
    copy = cc.Router.restore(r.snapshot())
    for router in (r, copy):
        router.submit(unservable("w"), now=5.0)
        assert router.advance(8.0) == [
            cc.StepAdvanced(contact="c", step=0, at=6.0),
            cc.Assigned(contact="c", agent="lo", at=6.0, wait=6.0),
        ]
    assert r.snapshot() == copy.snapshot()


# -- the Step object and errors ------------------------------------------------------


def test_step_when_reads_back_as_given():
    assert cc.Step(after=1.0).when is None
    assert cc.Step(after=1.0, when="no_agent_available").when == "no_agent_available"
    assert cc.Step(after=1.0, when={"queue_longer_than": 3}).when == {"queue_longer_than": 3}
    assert cc.Step(after=1.0, when={"longest_wait_above": 12.5}).when == {"longest_wait_above": 12.5}


@pytest.mark.parametrize(
    "when, shown",
    [
        ("sometimes", "'sometimes'"),
        ("NO_AGENT_AVAILABLE", "'NO_AGENT_AVAILABLE'"),
        ({"queue_shorter_than": 3}, "{'queue_shorter_than': 3}"),
        ({}, "{}"),
        ({"queue_longer_than": 1, "longest_wait_above": 2.0}, "{'queue_longer_than': 1, 'longest_wait_above': 2.0}"),
        ({"queue_longer_than": "3"}, "{'queue_longer_than': '3'}"),
        ({"queue_longer_than": 2.5}, "{'queue_longer_than': 2.5}"),
        ({"longest_wait_above": "long"}, "{'longest_wait_above': 'long'}"),
        (5, "5"),
        (["no_agent_available"], "['no_agent_available']"),
    ],
)
def test_bad_condition_is_refused_naming_it(when, shown):
    with pytest.raises(cc.InvalidInput) as info:
        cc.Step(after=1.0, when=when)
    msg = str(info.value)
    assert msg.startswith(f"step condition {shown} is not"), msg
    assert '"no_agent_available"' in msg


def test_negative_queue_length_is_refused_naming_it():
    with pytest.raises(cc.InvalidInput, match="queue_longer_than -1 is negative"):
        cc.Step(after=1.0, when={"queue_longer_than": -1})


@pytest.mark.parametrize("t, shown", [(-5.0, "-5.0"), (math.nan, "NaN"), (math.inf, "inf")])
def test_bad_longest_wait_is_refused_at_submit_naming_it(t, shown):
    r = new_router()
    step = cc.Step(after=1.0, requires={"x": 1}, when={"longest_wait_above": t})
    with pytest.raises(cc.InvalidInput, match=rf'contact "c" step 0: longest wait condition {shown} is not'):
        r.submit(voice("c", requires={"x": 5}, steps=[step]), now=0.0)
    assert r.live_contacts == 0


@pytest.mark.parametrize("interval, shown", [(0.0, "0.0"), (-1.0, "-1.0"), (math.nan, "NaN"), (math.inf, "inf")])
def test_bad_condition_interval_is_refused_naming_it(interval, shown):
    with pytest.raises(cc.InvalidInput, match=rf"condition_interval {shown} is not a positive number"):
        new_router(condition_interval=interval)
