"""Every bad input raises the right exception, with a message naming the
offending value, and leaves the router exactly as it was.

Most cases run against a router in a busy state (``conftest.populate``:
agents holding contacts, contacts waiting in two queues, an ended contact
and, in offer mode, a pending offer) and compare a full ``snapshot`` before
and after. Calls that fail on their arguments are made at a LATER time than
the router's (``LATER``), when timers are due: a call that raises must not
fire them either. Calls that fail on the state of a contact or agent
(accept, reject, complete, cancel, remove_agent, a full queue) are checked
by the engine after the timers due by ``now`` have fired (a timer may
assign the contact); they are made at the router's own time (``NOW``) in
the table, and at a later time in the tests further down.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

import pytest

import ccroute as cc
from conftest import VOICE, assert_unchanged, busy, make_router, snapshot

#: The busy routers stand at time 10; timers are due at 68 (offer) and 107 (step).
NOW = 10.0
LATER = 200.0

KEY_ERROR = (cc.UnknownId, KeyError)
VALUE_ERROR = (cc.InvalidInput, ValueError)
DUP_ERROR = (cc.DuplicateId, ValueError)


def vc(cid: str, **kwargs: Any) -> cc.Contact:
    """A voice contact for queue ``sales``."""
    return cc.Contact(cid, channel="voice", queue="sales", **kwargs)


def case(call: Callable[[cc.Router], Any], exc: type, value: str, *, mode: str = "auto",
         also: tuple[type, ...] = (), extra: tuple[str, ...] = (), id: str) -> Any:
    """One bad call: ``exc`` (and each class of ``also``) must be raised,
    with ``value`` in the message. ``extra`` are contact ids that must stay
    unknown (or as they were)."""
    return pytest.param(mode, call, exc, value, also, extra, id=id)


CASES = [
    # -- unknown ids ------------------------------------------------------
    case(lambda r: r.remove_agent("ghost", now=LATER), cc.UnknownId, '"ghost"', also=KEY_ERROR, id="remove-unknown-agent"),
    case(lambda r: r.set_agent_state("ghost", "away", now=LATER), cc.UnknownId, '"ghost"', also=KEY_ERROR, id="state-unknown-agent"),
    case(lambda r: r.agent("ghost"), cc.UnknownId, '"ghost"', also=KEY_ERROR, id="view-unknown-agent"),
    case(lambda r: r.contact("ghost"), cc.UnknownId, '"ghost"', also=KEY_ERROR, id="view-unknown-contact"),
    case(lambda r: r.cancel("ghost", now=LATER), cc.UnknownId, '"ghost"', also=KEY_ERROR, id="cancel-unknown"),
    case(lambda r: r.complete("ghost", now=LATER), cc.UnknownId, '"ghost"', also=KEY_ERROR, id="complete-unknown"),
    case(lambda r: r.accept("ghost", "a2", now=LATER), cc.UnknownId, '"ghost"', mode="offer", also=KEY_ERROR, id="accept-unknown-contact"),
    case(lambda r: r.reject("ghost", "a2", now=LATER), cc.UnknownId, '"ghost"', mode="offer", also=KEY_ERROR, id="reject-unknown-contact"),
    case(lambda r: r.accept("off1", "ghost", now=LATER), cc.UnknownId, '"ghost"', mode="offer", also=KEY_ERROR, id="accept-unknown-agent"),
    case(lambda r: r.reject("off1", "ghost", now=LATER), cc.UnknownId, '"ghost"', mode="offer", also=KEY_ERROR, id="reject-unknown-agent"),
    # -- duplicate ids ----------------------------------------------------
    case(lambda r: r.add_agent(cc.Agent("a1"), now=LATER), cc.DuplicateId, '"a1"', also=DUP_ERROR, id="dup-agent"),
    case(lambda r: r.add_agent(cc.Agent("a3", state="available"), now=LATER), cc.DuplicateId, '"a3"', id="dup-agent-away"),
    case(lambda r: r.submit(vc("w1"), now=LATER), cc.DuplicateId, '"w1"', also=DUP_ERROR, id="dup-waiting-contact"),
    case(lambda r: r.submit(vc("v1"), now=LATER), cc.DuplicateId, '"v1"', id="dup-assigned-contact"),
    case(lambda r: r.submit(vc("done"), now=LATER), cc.DuplicateId, '"done"', id="dup-ended-contact"),
    case(lambda r: r.submit(vc("off1"), now=LATER), cc.DuplicateId, '"off1"', mode="offer", id="dup-offered-contact"),
    case(lambda r: r.submit_many([vc("new1"), vc("w2")], now=LATER), cc.DuplicateId, '"w2"',
         extra=("new1",), id="dup-in-batch-vs-router"),
    case(lambda r: r.submit_many([vc("new1"), vc("new2"), vc("new1")], now=LATER), cc.DuplicateId, '"new1"',
         extra=("new1", "new2"), id="dup-inside-one-batch"),
    case(lambda r: r.submit_many([vc("new1"), vc("done")], now=LATER), cc.DuplicateId, '"done"',
         extra=("new1",), id="dup-in-batch-vs-ended"),
    # -- levels -----------------------------------------------------------
    case(lambda r: r.add_agent(cc.Agent("x", skills={"spanish": 0}), now=LATER), cc.InvalidInput, "level 0", also=VALUE_ERROR, id="agent-level-0"),
    case(lambda r: r.add_agent(cc.Agent("x", skills={"spanish": 11}), now=LATER), cc.InvalidInput, "level 11", id="agent-level-11"),
    case(lambda r: r.add_agent(cc.Agent("x", skills={"spanish": -1}), now=LATER), cc.InvalidInput, "level -1", id="agent-level-minus-1"),
    case(lambda r: r.add_agent(cc.Agent("x", skills={"spanish": 300}), now=LATER), cc.InvalidInput, "level 300", id="agent-level-300"),
    case(lambda r: r.add_agent(cc.Agent("x", skills={"spanish": 5.0}), now=LATER), cc.InvalidInput, "level 5.0", id="agent-level-float"),
    case(lambda r: r.add_agent(cc.Agent("x", skills={"spanish": "5"}), now=LATER), cc.InvalidInput, "level '5'", id="agent-level-str"),
    case(lambda r: r.add_agent(cc.Agent("x", skills={"spanish": True}), now=LATER), cc.InvalidInput, "level True", id="agent-level-bool"),
    case(lambda r: r.add_agent(cc.Agent("x", skills={"spanish": None}), now=LATER), cc.InvalidInput, "level None", id="agent-level-none"),
    case(lambda r: r.add_agent(cc.Agent("x", skills={"ok": 3, "": 3}), now=LATER), cc.InvalidInput, "skill name", id="agent-empty-skill"),
    case(lambda r: r.add_agent(cc.Agent("x", skills={7: 3}), now=LATER), cc.InvalidInput, "got 7", id="agent-skill-not-str"),
    case(lambda r: r.submit(vc("new1", requires={"spanish": 0}), now=LATER), cc.InvalidInput, "level 0", extra=("new1",), id="contact-level-0"),
    case(lambda r: r.submit(vc("new1", requires={"spanish": 11}), now=LATER), cc.InvalidInput, "level 11", extra=("new1",), id="contact-level-11"),
    case(lambda r: r.submit(vc("new1", requires={"spanish": -1}), now=LATER), cc.InvalidInput, "level -1", extra=("new1",), id="contact-level-minus-1"),
    case(lambda r: r.submit(vc("new1", requires={"spanish": 300}), now=LATER), cc.InvalidInput, "level 300", extra=("new1",), id="contact-level-300"),
    case(lambda r: r.submit(vc("new1", requires={"spanish": 2.5}), now=LATER), cc.InvalidInput, "level 2.5", extra=("new1",), id="contact-level-float"),
    case(lambda r: r.submit(vc("new1", prefers={"french": 11}), now=LATER), cc.InvalidInput, "level 11", extra=("new1",), id="prefers-level-11"),
    case(lambda r: r.submit(vc("new1", steps=[cc.Step(5.0, {"spanish": 0})]), now=LATER), cc.InvalidInput, "level 0",
         extra=("new1",), id="step-level-0"),
    case(lambda r: r.submit(vc("new1", steps=[cc.Step(5.0, {"spanish": -4})]), now=LATER), cc.InvalidInput, "level -4",
         extra=("new1",), id="step-level-minus-4"),
    case(lambda r: r.submit_many([vc("new1"), vc("new2", requires={"spanish": 12})], now=LATER), cc.InvalidInput, "level 12",
         extra=("new1", "new2"), id="batch-with-one-bad-level"),
    # -- unknown channel or queue -----------------------------------------
    case(lambda r: r.submit(cc.Contact("new1", channel="fax", queue="sales"), now=LATER), cc.InvalidInput, '"fax"',
         also=VALUE_ERROR, extra=("new1",), id="contact-unknown-channel"),
    case(lambda r: r.submit(cc.Contact("new1", channel="voice", queue="nowhere"), now=LATER), cc.InvalidInput, '"nowhere"',
         extra=("new1",), id="contact-unknown-queue"),
    case(lambda r: r.submit_many([vc("new1"), cc.Contact("new2", channel="fax", queue="sales")], now=LATER), cc.InvalidInput,
         '"fax"', extra=("new1", "new2"), id="batch-unknown-channel"),
    case(lambda r: r.add_agent(cc.Agent("x", channels={"voice": 1, "fax": 1}), now=LATER), cc.InvalidInput, '"fax"', id="agent-unknown-channel"),
    case(lambda r: r.waiting("nowhere"), cc.InvalidInput, '"nowhere"', id="waiting-unknown-queue"),
    # -- times ------------------------------------------------------------
    case(lambda r: r.advance(-1.0), cc.InvalidInput, "-1.0", also=VALUE_ERROR, id="advance-negative"),
    case(lambda r: r.advance(math.nan), cc.InvalidInput, "NaN", id="advance-nan"),
    case(lambda r: r.advance(math.inf), cc.InvalidInput, "inf", id="advance-inf"),
    case(lambda r: r.advance(-math.inf), cc.InvalidInput, "-inf", id="advance-minus-inf"),
    case(lambda r: r.advance(9.5), cc.InvalidInput, "9.5", id="advance-backwards"),
    case(lambda r: r.submit(vc("new1"), now=9.0), cc.InvalidInput, "9.0", extra=("new1",), id="submit-backwards"),
    case(lambda r: r.submit(vc("new1"), now=math.nan), cc.InvalidInput, "NaN", extra=("new1",), id="submit-nan"),
    case(lambda r: r.submit_many([vc("new1")], now=-0.5), cc.InvalidInput, "-0.5", extra=("new1",), id="submit-many-negative"),
    case(lambda r: r.add_agent(cc.Agent("x"), now=5.0), cc.InvalidInput, "5.0", id="add-agent-backwards"),
    case(lambda r: r.remove_agent("a3", now=math.inf), cc.InvalidInput, "inf", id="remove-agent-inf"),
    case(lambda r: r.set_agent_state("a3", "available", now=1.0), cc.InvalidInput, "1.0", id="set-state-backwards"),
    case(lambda r: r.cancel("w1", now=-2.0), cc.InvalidInput, "-2.0", id="cancel-negative"),
    case(lambda r: r.complete("v1", now=math.nan), cc.InvalidInput, "NaN", id="complete-nan"),
    case(lambda r: r.accept("off1", "a2", now=9.99), cc.InvalidInput, "9.99", mode="offer", id="accept-backwards"),
    case(lambda r: r.reject("off1", "a2", now=-1.0), cc.InvalidInput, "-1.0", mode="offer", id="reject-negative"),
    case(lambda r: r.submit(vc("new1", steps=[cc.Step(-1.0)]), now=LATER), cc.InvalidInput, "-1.0", extra=("new1",), id="step-after-negative"),
    case(lambda r: r.submit(vc("new1", steps=[cc.Step(math.nan)]), now=LATER), cc.InvalidInput, "NaN", extra=("new1",), id="step-after-nan"),
    case(lambda r: r.submit(vc("new1", preferred_agent="a1", preferred_wait=-3.0), now=LATER), cc.InvalidInput, "-3.0",
         extra=("new1",), id="preferred-wait-negative"),
    case(lambda r: r.submit(vc("new1", preferred_agent="a1", preferred_wait=math.inf), now=LATER), cc.InvalidInput, "inf",
         extra=("new1",), id="preferred-wait-inf"),
    # -- capacity ---------------------------------------------------------
    case(lambda r: r.add_agent(cc.Agent("x", capacity=0), now=LATER), cc.InvalidInput, "capacity 0", id="capacity-0"),
    case(lambda r: r.add_agent(cc.Agent("x", capacity=-5), now=LATER), cc.InvalidInput, "capacity -5", id="capacity-negative"),
    case(lambda r: r.add_agent(cc.Agent("x", channels={"chat": -2}), now=LATER), cc.InvalidInput, "-2", id="channel-max-negative"),
    # -- states -----------------------------------------------------------
    case(lambda r: r.set_agent_state("a1", "busy", now=LATER), cc.InvalidInput, '"busy"', id="unknown-state"),
    case(lambda r: r.add_agent(cc.Agent("x", state="lunch"), now=LATER), cc.InvalidInput, '"lunch"', id="agent-unknown-state"),
    # -- steps ------------------------------------------------------------
    case(lambda r: r.submit(vc("new1", requires={"spanish": 5}, steps=[cc.Step(5.0, {"spanish": 6})]), now=LATER),
         cc.InvalidInput, "do not widen", extra=("new1",), id="step-raises-a-level"),
    case(lambda r: r.submit(vc("new1", requires={"spanish": 5}, steps=[cc.Step(5.0, {"spanish": 3, "german": 1})]), now=LATER),
         cc.InvalidInput, "german", extra=("new1",), id="step-adds-a-skill"),
    case(lambda r: r.submit(vc("new1", requires={"spanish": 5}, steps=[cc.Step(5.0, {"spanish": 3}), cc.Step(9.0, {"spanish": 4})]),
                            now=LATER), cc.InvalidInput, "step 1", extra=("new1",), id="second-step-narrows"),
    case(lambda r: r.submit(vc("new1", steps=[cc.Step(10.0), cc.Step(5.5)]), now=LATER), cc.InvalidInput, "5.5",
         extra=("new1",), id="steps-out-of-order"),
    case(lambda r: r.submit_many([vc("new1"), vc("new2", steps=[cc.Step(10.0), cc.Step(5.5)])], now=LATER), cc.InvalidInput, "5.5",
         extra=("new1", "new2"), id="batch-steps-out-of-order"),
    # -- wrong state of the contact or agent -----------------------------
    case(lambda r: r.accept("w1", "a1", now=NOW), cc.InvalidState, '"w1"', mode="offer", id="accept-waiting"),
    case(lambda r: r.accept("off1", "a1", now=NOW), cc.InvalidState, '"off1"', mode="offer", id="accept-offered-to-other"),
    case(lambda r: r.reject("off1", "a3", now=NOW), cc.InvalidState, '"a3"', mode="offer", id="reject-offered-to-other"),
    case(lambda r: r.accept("v1", "a1", now=NOW), cc.InvalidState, '"v1"', mode="offer", id="accept-already-assigned"),
    case(lambda r: r.reject("v1", "a1", now=NOW), cc.InvalidState, '"v1"', mode="offer", id="reject-assigned"),
    case(lambda r: r.accept("v1", "a1", now=NOW), cc.InvalidState, '"v1"', id="accept-in-auto-mode"),
    case(lambda r: r.accept("done", "a2", now=LATER), cc.InvalidState, '"done"', mode="offer", id="accept-ended"),
    case(lambda r: r.complete("w1", now=NOW), cc.InvalidState, '"w1"', id="complete-waiting"),
    case(lambda r: r.complete("off1", now=NOW), cc.InvalidState, '"off1"', mode="offer", id="complete-offered"),
    case(lambda r: r.cancel("v1", now=NOW), cc.InvalidState, '"v1"', id="cancel-assigned"),
    case(lambda r: r.cancel("done", now=LATER), cc.InvalidState, '"done"', id="cancel-ended"),
    case(lambda r: r.complete("done", now=LATER), cc.InvalidState, '"done"', id="complete-ended"),
    case(lambda r: r.remove_agent("a1", now=NOW), cc.InvalidState, '"a1"', id="remove-agent-holding"),
    case(lambda r: r.remove_agent("a2", now=NOW), cc.InvalidState, '"ch1"', mode="offer", id="remove-agent-holding-and-offered"),
    # -- forced assignment ------------------------------------------------
    case(lambda r: r.force_assign("ghost", "a3", now=LATER), cc.UnknownId, '"ghost"', also=KEY_ERROR, id="force-unknown-contact"),
    case(lambda r: r.force_assign("w1", "ghost", now=LATER), cc.UnknownId, '"ghost"', also=KEY_ERROR, id="force-unknown-agent"),
    case(lambda r: r.force_assign("w1", "a3", now=9.0), cc.InvalidInput, "9.0", id="force-backwards"),
    case(lambda r: r.force_assign("done", "a3", now=LATER), cc.InvalidState, '"done"', id="force-ended"),
    case(lambda r: r.force_assign("v1", "a3", now=NOW), cc.InvalidState, '"v1"', id="force-assigned"),
    case(lambda r: r.force_assign("off1", "a3", now=NOW), cc.InvalidState, '"off1"', mode="offer", id="force-offered"),
    case(lambda r: r.force_assign("w1", "a1", now=NOW), cc.CapacityError, '"a1"', id="force-no-units"),
    case(lambda r: r.force_assign("w1", "a2", now=NOW), cc.CapacityError, '"w1"', id="force-channel-not-served"),
    case(lambda r: r.force_assign("w3", "a1", now=NOW), cc.CapacityError, '"w3"', id="force-email-not-served"),
    # -- not a record -----------------------------------------------------
    case(lambda r: r.submit_many([vc("new1"), "new2"], now=LATER), cc.InvalidInput, "'new2'", extra=("new1",), id="batch-not-a-contact"),
    case(lambda r: r.add_agent(cc.Agent("x", attributes={"tags": ["a", 1]}), now=LATER), cc.InvalidInput, "holds strings only, not 1", id="attr-list"),
    case(lambda r: r.add_agent(cc.Agent("x", attributes={"t": None}), now=LATER), cc.InvalidInput, "None", id="attr-none"),
    case(lambda r: r.add_agent(cc.Agent("x", attributes={"t": {"k": 1}}), now=LATER), cc.InvalidInput, "{'k': 1}", id="attr-dict"),
    case(lambda r: r.add_agent(cc.Agent("x", attributes={3: "v"}), now=LATER), cc.InvalidInput, "got 3", id="attr-key-not-str"),
    case(lambda r: r.add_agent(cc.Agent("x", attributes={"n": 2**64}), now=LATER), cc.InvalidInput, str(2**64), id="attr-int-too-big"),
    case(lambda r: r.submit(vc("new1", attributes={"t": {"a": 1}}), now=LATER), cc.InvalidInput, "{'a': 1}", extra=("new1",), id="contact-attr-dict"),
    case(lambda r: r.submit(vc("new1", steps=["soon"]), now=LATER), cc.InvalidInput, "'soon'", extra=("new1",), id="steps-not-steps"),
    case(lambda r: r.add_agent(cc.Agent(""), now=LATER), cc.InvalidInput, "agent id", id="empty-agent-id"),
    case(lambda r: r.submit(cc.Contact("", channel="voice", queue="sales"), now=LATER), cc.InvalidInput, "contact id",
         extra=("",), id="empty-contact-id"),
]


@pytest.mark.parametrize(("mode", "call", "exc", "value", "also", "extra"), CASES)
def test_bad_call_raises_and_changes_nothing(mode, call, exc, value, also, extra):
    r, ids = busy(offers=(mode == "offer"))
    watched = (*ids["ended"], *extra)
    before = snapshot(r, watched)
    with pytest.raises(exc, match=re.escape(value)) as info:
        call(r)
    assert isinstance(info.value, cc.RoutingError)
    for cls in also:
        assert isinstance(info.value, cls)
    assert_unchanged(r, before, watched)
    # The router still works afterwards.
    r.advance(LATER + 1.0)
    r.check_invariants()


# -- full queues ---------------------------------------------------------


def fill_support(r: cc.Router) -> list[str]:
    """Fills queue ``support`` (max_waiting 10) with contacts nobody can serve."""
    free = 10 - r.stats()["support"].waiting
    ids = [f"f{i}" for i in range(free)]
    r.submit_many([cc.Contact(c, channel="chat", queue="support", requires={"german": 9}) for c in ids], now=NOW)
    assert r.stats()["support"].waiting == 10
    return ids


@pytest.mark.parametrize("offers", [False, True], ids=["auto", "offer"])
def test_submit_to_a_full_queue_raises_queue_full(offers):
    r, ids = busy(offers)
    fill_support(r)
    before = snapshot(r, ["late"])
    # "late" needs a skill nobody has: it would wait, so the full queue
    # refuses it (one an agent takes at once is not refused).
    with pytest.raises(cc.QueueFull, match='"support".*"late"') as info:
        r.submit(cc.Contact("late", channel="chat", queue="support", requires={"klingon": 1}), now=NOW)
    assert isinstance(info.value, cc.RoutingError)
    assert "max_waiting 10" in str(info.value)
    assert_unchanged(r, before, ["late"])
    # Not counted as refused (nothing changed), and the id is still free.
    assert r.stats()["support"].refused == 0
    assert r.submit(cc.Contact("late", channel="voice", queue="sales"), now=NOW) == []


def test_submit_many_refuses_what_does_not_fit():
    r, ids = busy()
    fill_support(r)
    events = r.submit_many(
        [cc.Contact("s1", channel="email", queue="sales", requires={"german": 9}),
         cc.Contact("full1", channel="chat", queue="support", requires={"klingon": 1}),
         cc.Contact("s2", channel="email", queue="sales", requires={"german": 9}),
         cc.Contact("full2", channel="chat", queue="support", requires={"klingon": 1})],
        now=NOW,
    )
    assert events == [
        cc.Refused(contact="full1", queue="support", reason="full", at=NOW),
        cc.Refused(contact="full2", queue="support", reason="full", at=NOW),
    ]
    assert r.waiting("sales")[-2:] == ["s1", "s2"]
    support = r.stats()["support"]
    assert (support.refused, support.waiting) == (2, 10)
    assert support.offered == support.answered + support.abandoned + support.overflowed_out + support.waiting
    # As after a single submit to a full queue: not offered, and the id is free.
    with pytest.raises(cc.UnknownId, match='"full1"'):
        r.contact("full1")
    assert r.submit(cc.Contact("full1", channel="chat", queue="sales"), now=NOW) is not None
    assert r.contact("full1").queue == "sales"
    r.check_invariants()


def test_queue_full_inside_one_batch_counts_the_batch_itself():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q", max_waiting=2)])
    events = r.submit_many([cc.Contact(f"c{i}", channel="voice", queue="q") for i in range(4)], now=0.0)
    assert events == [cc.Refused(contact="c2", queue="q", reason="full", at=0.0),
                      cc.Refused(contact="c3", queue="q", reason="full", at=0.0)]
    assert r.waiting("q") == ["c0", "c1"]


def test_max_waiting_zero_refuses_everything():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q", max_waiting=0)])
    with pytest.raises(cc.QueueFull, match='"q"'):
        r.submit(cc.Contact("c", channel="voice", queue="q"), now=0.0)


# -- construction --------------------------------------------------------


def build(**kwargs: Any) -> Callable[[], Any]:
    def call() -> Any:
        args: dict[str, Any] = {"channels": [VOICE], "queues": [cc.Queue("q")]}
        args.update(kwargs)
        return cc.Router(**args)
    return call


CONSTRUCTION = [
    pytest.param(build(policy="fastest"), cc.InvalidInput, '"fastest"', id="unknown-policy"),
    pytest.param(build(channels=[]), cc.InvalidInput, "channel", id="no-channel"),
    pytest.param(build(queues=[]), cc.InvalidInput, "queue", id="no-queue"),
    pytest.param(build(channels=[VOICE, cc.Channel("voice", cost=5)]), cc.DuplicateId, '"voice"', id="dup-channel"),
    pytest.param(build(queues=[cc.Queue("q"), cc.Queue("q")]), cc.DuplicateId, '"q"', id="dup-queue"),
    pytest.param(build(channels=["voice"]), cc.InvalidInput, "'voice'", id="channel-not-a-channel"),
    pytest.param(build(queues=[cc.Queue("q"), "r"]), cc.InvalidInput, "'r'", id="queue-not-a-queue"),
    pytest.param(build(channels=[cc.Channel("")]), cc.InvalidInput, "channel name", id="empty-channel-name"),
    pytest.param(build(queues=[cc.Queue("")]), cc.InvalidInput, "queue name", id="empty-queue-name"),
    pytest.param(lambda: cc.Channel("v", cost=0), cc.InvalidInput, '"v": cost 0', id="cost-0"),
    pytest.param(lambda: cc.Channel("v", cost=-1), cc.InvalidInput, "cost -1", id="cost-negative"),
    pytest.param(lambda: cc.Channel("v", max_per_agent=0), cc.InvalidInput, '"v": max_per_agent 0', id="max-0"),
    pytest.param(lambda: cc.Channel("v", max_per_agent=-2), cc.InvalidInput, "max_per_agent -2", id="max-negative"),
    pytest.param(build(channels=[cc.Channel("v", wrap_up=-4.0)]), cc.InvalidInput, "-4.0", id="wrap-up-negative"),
    pytest.param(build(channels=[cc.Channel("v", wrap_up=math.nan)]), cc.InvalidInput, "NaN", id="wrap-up-nan"),
    pytest.param(build(queues=[cc.Queue("q", sl_target=1.5)]), cc.InvalidInput, "1.5", id="sl-target-above-1"),
    pytest.param(build(queues=[cc.Queue("q", sl_target=-0.1)]), cc.InvalidInput, "-0.1", id="sl-target-negative"),
    pytest.param(build(queues=[cc.Queue("q", sl_threshold=-3.0)]), cc.InvalidInput, "-3.0", id="sl-threshold-negative"),
    pytest.param(build(queues=[cc.Queue("q", sl_threshold=math.inf)]), cc.InvalidInput, "inf", id="sl-threshold-inf"),
    pytest.param(build(queues=[cc.Queue("q", aging_rate=-0.5)]), cc.InvalidInput, "-0.5", id="aging-negative"),
    pytest.param(build(queues=[cc.Queue("q", aging_rate=math.nan)]), cc.InvalidInput, "NaN", id="aging-nan"),
    pytest.param(lambda: cc.Queue("q", max_waiting=-1), cc.InvalidInput, "max_waiting -1", id="max-waiting-negative"),
    pytest.param(build(queues=[cc.Queue("q", overflow_to="elsewhere", overflow_after=5.0)]), cc.InvalidInput, '"elsewhere"',
                 id="overflow-unknown-target"),
    pytest.param(build(queues=[cc.Queue("q", overflow_to="q", overflow_after=5.0)]), cc.InvalidInput, '"q" overflows to itself',
                 id="overflow-to-itself"),
    pytest.param(build(queues=[cc.Queue("a", overflow_to="b", overflow_after=5.0), cc.Queue("b", overflow_to="a", overflow_after=5.0)]),
                 cc.InvalidInput, "loops", id="overflow-loop"),
    pytest.param(build(queues=[cc.Queue("a", overflow_to="b", overflow_after=5.0), cc.Queue("b", overflow_to="c", overflow_after=5.0),
                               cc.Queue("c", overflow_to="b", overflow_after=5.0)]),
                 cc.InvalidInput, "loops", id="overflow-loop-further-down"),
    pytest.param(build(queues=[cc.Queue("a", overflow_to="b", overflow_after=-5.0), cc.Queue("b")]), cc.InvalidInput, "-5.0",
                 id="overflow-after-negative"),
    pytest.param(lambda: cc.Queue("a", overflow_to="b"), cc.InvalidInput, '"b" needs overflow_after', id="overflow-to-without-after"),
    pytest.param(lambda: cc.Queue("a", overflow_after=3.0), cc.InvalidInput, "overflow_after 3", id="overflow-after-without-to"),
    pytest.param(build(offer_timeout=0.0), cc.InvalidInput, "offer_timeout 0", id="offer-timeout-0"),
    pytest.param(build(offer_timeout=-3.0), cc.InvalidInput, "offer_timeout -3", id="offer-timeout-negative"),
    pytest.param(build(offer_timeout=math.nan), cc.InvalidInput, "NaN", id="offer-timeout-nan"),
    pytest.param(build(offer_timeout=math.inf), cc.InvalidInput, "inf", id="offer-timeout-inf"),
    pytest.param(build(affinity_wait=-1.0), cc.InvalidInput, "affinity_wait -1.0", id="affinity-wait-negative"),
    pytest.param(build(affinity_wait=math.nan), cc.InvalidInput, "affinity_wait NaN", id="affinity-wait-nan"),
    pytest.param(lambda: cc.Agent("a", state="busy"), cc.InvalidInput, '"busy"', id="agent-state-busy"),
    pytest.param(lambda: cc.Agent("a", capacity=-1), cc.InvalidInput, "capacity -1", id="agent-capacity-negative"),
    pytest.param(lambda: cc.Step(1.0, {"x": 256}), cc.InvalidInput, "level 256", id="step-level-256"),
    pytest.param(lambda: cc.Contact("c", "voice", "q", attributes={"x": object}), cc.InvalidInput, "object", id="contact-attr-type"),
]


@pytest.mark.parametrize(("call", "exc", "value"), CONSTRUCTION)
def test_bad_configuration_raises(call, exc, value):
    with pytest.raises(exc, match=re.escape(value)) as info:
        call()
    assert isinstance(info.value, cc.RoutingError)
    if exc in (cc.InvalidInput, cc.DuplicateId):
        assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("channels", [{"voice": "1"}, {"voice": 1.5}, {1: 1}], ids=["str-max", "float-max", "int-name"])
def test_agent_channels_map_with_bad_types_raises_invalid_input(channels):
    with pytest.raises(cc.InvalidInput, match='agent "a"'):
        cc.Agent("a", channels=channels)


@pytest.mark.parametrize("kwargs", [{"seed": -1}, {"retain_finished": -1}], ids=["seed", "retain_finished"])
def test_negative_unsigned_router_options_raise_invalid_input(kwargs):
    name = next(iter(kwargs))
    with pytest.raises(cc.InvalidInput, match=f"{name}.*-1"):
        build(**kwargs)()


# -- errors raised after the call's timers fired -------------------------
#
# These calls check the state only after firing the timers due by `now`,
# because a timer may change it (assign the contact, hand the agent a
# contact). A failed call keeps those timers' effects and hands their events
# to the next call.


def queue_full_call(r: cc.Router, when: float) -> None:
    fill_support(r)
    r.submit(cc.Contact("late", channel="chat", queue="support", requires={"klingon": 1}), now=when)


STATE_ERRORS = [
    pytest.param(False, lambda r, t: r.complete("w1", now=t), cc.InvalidState, id="complete-waiting"),
    pytest.param(False, lambda r, t: r.cancel("v1", now=t), cc.InvalidState, id="cancel-assigned"),
    pytest.param(False, lambda r, t: r.remove_agent("a1", now=t), cc.InvalidState, id="remove-agent-holding"),
    pytest.param(True, lambda r, t: r.accept("w1", "a1", now=t), cc.InvalidState, id="accept-not-offered"),
    pytest.param(True, lambda r, t: r.reject("v1", "a1", now=t), cc.InvalidState, id="reject-assigned"),
    pytest.param(True, lambda r, t: r.complete("w2", now=t), cc.InvalidState, id="complete-waiting-offer-mode"),
]


@pytest.mark.parametrize(("offers", "call", "exc"), STATE_ERRORS)
def test_failed_call_at_a_later_time_loses_no_timer_event(offers, call, exc):
    # Whatever a failed call does with the timers due by its time, the next
    # call must deliver each of their events exactly once and leave the
    # router as if the failed call had never been made.
    reference, _ = busy(offers)
    expected_events = reference.advance(LATER)
    r, ids = busy(offers)
    with pytest.raises(exc):
        call(r, LATER)
    assert r.advance(LATER) == expected_events
    assert snapshot(r, ids["ended"]) == snapshot(reference, ids["ended"])
    r.check_invariants()


def test_failed_submit_to_a_full_queue_at_a_later_time_loses_no_timer_event():
    reference, _ = busy()
    fill_support(reference)
    expected_events = reference.advance(LATER)
    r, ids = busy()
    with pytest.raises(cc.QueueFull):
        queue_full_call(r, LATER)
    assert r.advance(LATER) == expected_events
    assert snapshot(r, [*ids["ended"], "late"]) == snapshot(reference, [*ids["ended"], "late"])


def due_timer_router(offers: bool = False) -> cc.Router:
    """Agent a free; contact c waits for a skill nobody has, relaxed at 5
    so that a can take it: any call at time >= 5 first assigns c to a."""
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")], offer_timeout=30.0 if offers else None)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(cc.Contact("c", channel="voice", queue="q", requires={"x": 5}, steps=[cc.Step(5.0, {})]), now=0.0)
    return r


def test_cancel_when_a_due_timer_assigns_the_contact():
    # At 10 the step of 5 has made c assigned to a (at 5): cancelling it is
    # an error, and the contact is not both assigned and abandoned.
    r = due_timer_router()
    with pytest.raises(cc.InvalidState, match='"c"'):
        r.cancel("c", now=10.0)
    events = r.advance(10.0)
    assert events == [cc.StepAdvanced(contact="c", step=0, at=5.0), cc.Assigned(contact="c", agent="a", at=5.0, wait=5.0)]
    assert r.contact("c").status == "assigned"
    assert r.agent("a").contacts == ["c"]
    assert r.stats()["q"].abandoned == 0
    r.check_invariants()


def test_remove_agent_when_a_due_timer_assigns_it_a_contact():
    # At 10 the agent holds c (assigned at 5): it cannot be removed, and c
    # is not left assigned to an agent that no longer exists.
    r = due_timer_router()
    with pytest.raises(cc.InvalidState, match='"a"'):
        r.remove_agent("a", now=10.0)
    assert [type(e) for e in r.advance(10.0)] == [cc.StepAdvanced, cc.Assigned]
    assert r.agent_ids() == ["a"]
    assert r.contact("c").agent == "a"
    r.complete("c", now=11.0)
    assert r.remove_agent("a", now=12.0) == []
    r.check_invariants()


def test_complete_of_a_contact_a_due_timer_assigns():
    # Completing at 10 a contact that was still waiting at the last call:
    # the timer at 5 assigned it, so the completion is valid.
    r = due_timer_router()
    assert r.complete("c", now=10.0) == [
        cc.StepAdvanced(contact="c", step=0, at=5.0),
        cc.Assigned(contact="c", agent="a", at=5.0, wait=5.0),
        cc.Completed(contact="c", agent="a", at=10.0),
    ]
    r.check_invariants()


def test_cancel_when_a_due_timer_offers_the_contact():
    # Offer mode: at 10 c is offered to a (since 5); cancelling it abandons
    # the offer and frees a.
    r = due_timer_router(offers=True)
    assert r.cancel("c", now=10.0) == [
        cc.StepAdvanced(contact="c", step=0, at=5.0),
        cc.Offered(contact="c", agent="a", at=5.0, expires=35.0),
        cc.Abandoned(contact="c", at=10.0, wait=10.0),
    ]
    assert r.agent("a").contacts == [] and r.agent("a").used == 0
    r.check_invariants()


def test_force_assign_over_a_channel_maximum_raises_capacity_error():
    r = make_router()
    r.add_agent(cc.Agent("a", channels={"chat": 2}), now=0.0)
    r.submit_many([cc.Contact(f"k{i}", channel="chat", queue="sales") for i in range(3)], now=1.0)
    assert r.waiting("sales") == ["k2"]
    before = snapshot(r)
    with pytest.raises(cc.CapacityError, match='"a".*"k2"') as info:
        r.force_assign("k2", "a", now=1.0)
    assert "2 of 2 chat slots" in str(info.value)
    assert isinstance(info.value, cc.RoutingError)
    assert_unchanged(r, before)


# -- error classes and messages ------------------------------------------


def test_unknown_id_is_catchable_as_key_error_and_prints_plainly():
    r = make_router()
    with pytest.raises(KeyError) as info:
        r.agent("nobody")
    assert str(info.value) == 'unknown agent "nobody"'


def test_ended_contact_forgotten_is_unknown():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")], retain_finished=0)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(cc.Contact("c", channel="voice", queue="q"), now=0.0)
    r.complete("c", now=1.0)
    before = snapshot(r, ["c"])
    with pytest.raises(cc.UnknownId, match='"c"'):
        r.cancel("c", now=2.0)
    with pytest.raises(cc.UnknownId, match='"c"'):
        r.complete("c", now=2.0)
    assert_unchanged(r, before, ["c"])


# -- damaged snapshots --------------------------------------------------------------------


def test_damaged_snapshots_raise_snapshot_error_naming_the_fault(busy_router):
    r, _ = busy_router
    snap = r.snapshot()
    with pytest.raises(cc.SnapshotError, match="truncated or extended"):
        cc.Router.restore(snap + b"\0")
    with pytest.raises(cc.SnapshotError, match="truncated or extended"):
        cc.Router.restore(snap[:-1])
    flipped = bytearray(snap)
    flipped[len(snap) // 2] ^= 0x10
    with pytest.raises(cc.SnapshotError, match="checksum"):
        cc.Router.restore(bytes(flipped))
    # Every single-byte change of the payload is refused (the checksum),
    # and never with anything but SnapshotError.
    for i in range(0, len(snap), max(1, len(snap) // 400)):
        bad = bytearray(snap)
        bad[i] ^= 0xFF
        with pytest.raises(cc.SnapshotError):
            cc.Router.restore(bytes(bad))
    cc.Router.restore(snap).check_invariants()


# -- integers out of range name the value and the range ------------------------------------


BIG = [2**32 + 100, 2**63, 2**64, 2**200, -(2**63) - 1]


@pytest.mark.parametrize(
    ("call", "field", "lo", "hi"),
    [
        (lambda v: cc.Channel("v", cost=v), 'channel "v": cost', 1, 2**32 - 1),
        (lambda v: cc.Channel("v", max_per_agent=v), 'channel "v": max_per_agent', 1, 2**32 - 1),
        (lambda v: cc.Agent("a", capacity=v), 'agent "a": capacity', 1, 2**32 - 1),
        (lambda v: cc.Agent("a", channels={"voice": v}), 'agent "a": channel "voice" maximum', 0, 2**32 - 1),
        (lambda v: cc.Queue("q", max_waiting=v), 'queue "q": max_waiting', 0, 2**32 - 1),
        (lambda v: cc.Contact("c", "voice", "q", priority=v), 'contact "c": priority', -(2**63), 2**63 - 1),
        (lambda v: cc.RoutingProfile("p", {"q": v}), 'routing profile "p": priority of queue "q"', -(2**63), 2**63 - 1),
        (lambda v: cc.RoutingProfile("p", {"q": (v, 1.0)}), 'routing profile "p": priority of queue "q"', -(2**63), 2**63 - 1),
    ],
    ids=["cost", "max_per_agent", "capacity", "channel-max", "max_waiting", "priority", "profile-priority", "profile-pair"],
)
def test_integers_out_of_range_name_the_value_and_the_range(call, field, lo, hi):
    for v in BIG + [lo - 1]:
        if lo <= v <= hi:
            assert call(v) is not None
            continue
        with pytest.raises(cc.InvalidInput, match=re.escape(f"{field} {v} is outside the allowed range {lo}..={hi}")):
            call(v)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"cost": 0}, 'channel "v": cost 0 is outside the allowed range 1..=4294967295'),
     ({"max_per_agent": 0}, 'channel "v": max_per_agent 0 is outside the allowed range 1..=4294967295')],
)
def test_zero_cost_or_maximum_names_the_value(kwargs, message):
    with pytest.raises(cc.InvalidInput, match=re.escape(message)):
        cc.Channel("v", **kwargs)


# -- a refused call changes nothing, not even the skills it named --------------------------


def test_refused_submit_many_leaves_the_snapshot_identical(router):
    before = router.snapshot()
    batch = [cc.Contact("ok", channel="voice", queue="sales", requires={"brand_new_skill": 3}),
             cc.Contact("bad", channel="voice", queue="nowhere")]
    with pytest.raises(cc.InvalidInput, match='"nowhere"'):
        router.submit_many(batch, now=0.0)
    assert router.snapshot() == before


@pytest.mark.parametrize(
    "contact",
    [
        cc.Contact("c", channel="voice", queue="sales", requires={"new_a": 5},
                   steps=[cc.Step(10.0, {"new_b": 1}), cc.Step(5.0, {})]),
        cc.Contact("c", channel="voice", queue="sales", requires={"new_a": 5}, steps=[cc.Step(5.0, {"new_a": 9})]),
        cc.Contact("c", channel="voice", queue="sales", requires={"new_a": 5}, prefers={"new_c": 11}),
    ],
    ids=["decreasing-after", "stricter-step", "bad-prefers"],
)
def test_refused_submit_leaves_the_snapshot_identical(router, contact):
    before = router.snapshot()
    with pytest.raises(cc.InvalidInput):
        router.submit(contact, now=0.0)
    assert router.snapshot() == before


def test_refused_agent_leaves_the_snapshot_identical(router):
    before = router.snapshot()
    with pytest.raises(cc.InvalidInput, match="unknown routing profile"):
        router.add_agent(cc.Agent("x", skills={"never_seen": 4}, routing_profile="nope"), now=0.0)
    with pytest.raises(cc.InvalidInput, match="outside 1-10"):
        router.add_agent(cc.Agent("x", skills={"never_seen": 4, "other": 0}), now=0.0)
    assert router.snapshot() == before


def test_a_full_queue_refusing_a_contact_forgets_its_new_skills():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q", max_waiting=0)])
    before = r.snapshot()
    with pytest.raises(cc.QueueFull):
        r.submit(cc.Contact("c", channel="voice", queue="q", requires={"fresh": 2}), now=0.0)
    assert r.snapshot() == before


def test_an_internal_fault_is_an_internal_error_and_closes_the_router(router):
    # No input may make the engine panic; if it ever does, the panic does
    # not cross into Python as a BaseException: the call raises
    # InternalError, and the router (perhaps half-way through a change)
    # refuses every later call until it is restored from a snapshot.
    router.add_agent(cc.Agent("a"), now=0.0)
    snap = router.snapshot()
    native = router._router
    with pytest.raises(cc.InternalError, match="fault injected by a test") as info:
        native._inject_fault()
    assert isinstance(info.value, cc.RoutingError) and isinstance(info.value, Exception)
    with pytest.raises(cc.InternalError, match="restore it from a snapshot"):
        router.submit(cc.Contact("c", channel="voice", queue="sales"), now=1.0)
    fresh = cc.Router.restore(snap)
    assert [type(e) for e in fresh.submit(cc.Contact("c", channel="voice", queue="sales"), now=1.0)] == [cc.Assigned]
