"""Plug-in policies that fail: the router decides with the policy's
``fallback`` built-in, counts the failure and logs it once, or with
``strict`` re-raises the original exception; and plug-ins across
snapshot/restore. (What a working plug-in sees and decides:
test_plugin_policies.py.)
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pytest

import ccroute as cc
from plugin_helpers import LOGGER, agent_of, assigned, new_router, voice

# -- failures fall back; counted; logged once -----------------------------------------


class Raises(cc.Policy):
    def __init__(self):
        self.raised: list[BaseException] = []

    def score(self, contact, agent):
        exc = ValueError(f"model not loaded for {contact.id}")
        self.raised.append(exc)
        raise exc


class ReturnsNaN(cc.Policy):
    def score(self, contact, agent):
        return math.nan if agent.id == "b" else 1.0


class ReturnsInf(cc.Policy):
    def score(self, contact, agent):  # pragma: no cover
        raise AssertionError

    def score_many(self, contact, agents):
        out = np.ones(len(agents))
        out[0] = np.inf
        return out


class TooFew(cc.Policy):
    def score(self, contact, agent):  # pragma: no cover
        raise AssertionError

    def score_many(self, contact, agents):
        return [1.0] * (len(agents) - 1)


class TooMany(cc.Policy):
    def score(self, contact, agent):  # pragma: no cover
        raise AssertionError

    def score_many(self, contact, agents):
        return np.zeros(len(agents) + 1)


class NotANumber(cc.Policy):
    def score(self, contact, agent):
        return "high"


FAILING = [Raises, ReturnsNaN, ReturnsInf, TooFew, TooMany, NotANumber]


def _failing_scenario(policy) -> tuple[cc.Router, list]:
    r = new_router(policy)
    r.add_agent(cc.Agent("a", skills={"x": 2}), now=0.0)
    r.add_agent(cc.Agent("b", skills={"x": 9}), now=1.0)
    r.add_agent(cc.Agent("c", skills={"x": 5}), now=2.0)
    events = []
    for i in range(2):
        events += r.submit(voice(f"v{i}", requires={"x": 1}), now=5.0)
    return r, events


@pytest.mark.parametrize("cls", FAILING, ids=lambda c: c.__name__)
def test_failure_falls_back_counts_and_logs_once(cls, caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    pol = cls()
    r, events = _failing_scenario(pol)
    # Each of the two decisions fails: the fallback (longest idle) decides:
    # a (idle since 0), then b (since 1). Nothing is lost.
    assert assigned(events) == [("v0", "a"), ("v1", "b")]
    assert r.policy_errors == 2
    records = [rec for rec in caplog.records if rec.name == LOGGER]
    assert len(records) == 1, records
    rec = records[0]
    assert rec.levelno == logging.ERROR
    msg = rec.getMessage()
    assert "fallback" in msg
    if cls is Raises:
        # The original exception is attached (the first one).
        assert rec.exc_info is not None and rec.exc_info[1] is pol.raised[0]
        assert "model not loaded for v0" in msg
    elif cls is NotANumber:
        assert rec.exc_info is not None and isinstance(rec.exc_info[1], TypeError)
    elif cls in (ReturnsNaN, ReturnsInf):
        assert "non-finite" in msg
    else:
        # The first failing decision (v0) had three candidates.
        n = 2 if cls is TooFew else 4
        assert f"policy returned {n} scores for 3 candidates" in msg
    r.check_invariants()


def test_a_later_failure_after_successes_is_still_counted_and_not_logged_again(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)

    class Flaky(cc.Policy):
        def __init__(self):
            self.n = 0

        def score(self, contact, agent):
            self.n += 1
            if contact.id in ("v1", "v3"):
                raise RuntimeError(contact.id)
            return 0.0

    r = new_router(Flaky())
    for i in range(5):
        r.add_agent(cc.Agent(f"a{i}"), now=float(i))
    got = [agent_of(r.submit(voice(f"v{i}"), now=10.0)) for i in range(4)]
    # Flat scores or fallback: longest idle either way.
    assert got == ["a0", "a1", "a2", "a3"]
    assert r.policy_errors == 2
    records = [rec for rec in caplog.records if rec.name == LOGGER]
    assert len(records) == 1 and str(records[0].exc_info[1]) == "v1"


def test_strict_reraises_the_original_exception_and_defers_the_events(caplog):
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    pol = Raises()
    r = new_router(pol, strict=True)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    with pytest.raises(ValueError) as info:
        r.submit(voice("c1"), now=5.0)
    # The very object the policy raised, unchanged.
    assert info.value is pol.raised[0]
    assert r.policy_errors == 1
    # The routing made with the fallback stands: a (longest idle) has c1.
    assert r.contact("c1").status == "assigned" and r.contact("c1").agent == "a"
    # Its events come with the next call.
    assert r.advance(6.0) == [cc.Assigned(contact="c1", agent="a", at=5.0, wait=0.0)]
    assert r.advance(7.0) == []
    # Strict mode does not log.
    assert [rec for rec in caplog.records if rec.name == LOGGER] == []
    r.check_invariants()


def test_strict_in_a_timer_driven_decision_and_in_contact_score():
    class Both(cc.Policy):
        def __init__(self):
            self.raised: list[BaseException] = []

        def score(self, contact, agent):
            self.raised.append(ValueError("agents"))
            raise self.raised[-1]

        def contact_score(self, agent, contact):
            self.raised.append(KeyError("contacts"))
            raise self.raised[-1]

    pol = Both()
    r = new_router(pol, queues=("q", "s"), strict=True)
    r.add_agent(cc.Agent("a", skills={"x": 1}), now=0.0)
    r.add_agent(cc.Agent("b", skills={"x": 1}), now=0.5)
    # c1 needs y (nobody has it) until its step at 6 (after 5 s) drops it;
    # the step is applied by advance(10), whose decision fails.
    r.submit(voice("c1", requires={"x": 1, "y": 1}, steps=[cc.Step(after=5.0, requires={"x": 1})]), now=1.0)
    with pytest.raises(ValueError) as info:
        r.advance(10.0)
    assert info.value is pol.raised[-1]
    # Fallback (longest idle): a. The events come with the next call.
    assert r.advance(10.0) == [
        cc.StepAdvanced(contact="c1", step=0, at=6.0),
        cc.Assigned(contact="c1", agent="a", at=6.0, wait=5.0),
    ]
    # Contact side: b takes a call, then two contacts wait in two queues.
    assert agent_of(r.submit(voice("busy", "q"), now=11.0)) == "b"
    r.submit(voice("w1", "q", priority=1), now=12.0)
    r.submit(voice("w2", "s", priority=5), now=13.0)
    with pytest.raises(KeyError) as info:
        r.complete("busy", now=14.0)
    assert info.value is pol.raised[-1]
    # Queue order decided: w2 (priority 5).
    assert r.advance(14.0) == [
        cc.Completed(contact="busy", agent="b", at=14.0),
        cc.Assigned(contact="w2", agent="b", at=14.0, wait=1.0),
    ]
    assert r.policy_errors == 2
    r.check_invariants()


def test_keyboard_interrupt_in_a_policy_propagates():
    class Interrupted(cc.Policy):
        def score(self, contact, agent):
            raise KeyboardInterrupt

    r = new_router(Interrupted())
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=0.0)
    with pytest.raises(KeyboardInterrupt):
        r.submit(voice("c1"), now=1.0)


def test_strict_with_a_non_exception_failure_raises_invalid_input():
    r = new_router(ReturnsNaN(), strict=True)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    with pytest.raises(cc.InvalidInput, match="non-finite"):
        r.submit(voice("c1"), now=5.0)
    assert r.contact("c1").agent == "a"
    assert assigned(r.advance(5.0)) == [("c1", "a")]


def test_failure_uses_a_custom_fallback():
    class BrokenSkilled(Raises):
        fallback = cc.Chain("most_skilled")

    r, events = _failing_scenario(BrokenSkilled())
    # Most skilled: b (9), then c (5); a (2) stays free.
    assert assigned(events) == [("v0", "b"), ("v1", "c")]
    assert r.policy_errors == 2
    assert r.policy == "BrokenSkilled (fallback most_skilled)"


def test_failure_with_a_weighted_fallback():
    class BrokenWeighted(Raises):
        fallback = cc.Weighted({"skill": -1.0})

    r, events = _failing_scenario(BrokenWeighted())
    # Least skilled first: a (2), then c (5).
    assert assigned(events) == [("v0", "a"), ("v1", "c")]
    assert r.policy == "BrokenWeighted (fallback weighted(skill=-1))"


def test_a_single_candidate_does_not_call_the_policy():
    pol = Raises()
    r = new_router(pol)
    r.add_agent(cc.Agent("a"), now=0.0)
    assert agent_of(r.submit(voice("c"), now=1.0)) == "a"
    assert pol.raised == [] and r.policy_errors == 0


def _pick_last(agents) -> list[float]:
    return [1.0 if aid == agents.ids[-1] else 0.0 for aid in agents.ids]


@pytest.mark.parametrize(
    "convert",
    [
        lambda s: s,
        lambda s: [int(x) for x in s],
        tuple,
        lambda s: np.array(s, dtype=np.float32),
        lambda s: np.array(s, dtype=np.int64),
        lambda s: np.repeat(np.array(s), 2)[::2],  # not contiguous
    ],
    ids=["list", "ints", "tuple", "float32", "int64", "strided"],
)
def test_score_many_accepts_any_sequence_of_numbers(convert):
    class Last(cc.Policy):
        def score(self, contact, agent):  # pragma: no cover
            raise AssertionError

        def score_many(self, contact, agents):
            return convert(_pick_last(agents))

    ids_seen = []

    # The agent scored 1 is the last of the batch, whichever that is.
    class Spy(Last):
        def score_many(self, contact, agents):
            ids_seen.append(agents.ids[-1])
            return super().score_many(contact, agents)

    r = new_router(Spy())
    for i in range(3):
        r.add_agent(cc.Agent(f"a{i}"), now=float(i))
    assert agent_of(r.submit(voice("c"), now=5.0)) == ids_seen[0]
    assert r.policy_errors == 0


@pytest.mark.parametrize(
    "answer",
    [lambda s: np.array([s]), lambda s: (x for x in s), lambda s: "abc", lambda s: None],
    ids=["2d", "generator", "str", "none"],
)
def test_score_many_answers_that_are_not_scores_fall_back(answer):
    class Odd(cc.Policy):
        def score(self, contact, agent):  # pragma: no cover
            raise AssertionError

        def score_many(self, contact, agents):
            return answer(_pick_last(agents))

    r = new_router(Odd())
    for i in range(3):
        r.add_agent(cc.Agent(f"a{i}"), now=float(i))
    # The fallback (longest idle) decides: a0.
    assert agent_of(r.submit(voice("c"), now=5.0)) == "a0"
    assert r.policy_errors == 1


# -- snapshot / restore -----------------------------------------------------------------


class PreferB(cc.Policy):
    def score(self, contact, agent):
        return 1.0 if agent.id == "b" else 0.0


def test_restore_reattaches_a_plugin():
    r = new_router(PreferB())
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    snap = r.snapshot()
    with_plugin = cc.Router.restore(snap, policy=PreferB())
    without = cc.Router.restore(snap, fallback_only=True)
    # The plug-in picks b; without it the fallback (longest idle) picks a.
    assert agent_of(with_plugin.submit(voice("c"), now=2.0)) == "b"
    assert agent_of(without.submit(voice("c"), now=2.0)) == "a"
    assert with_plugin.policy == "PreferB (fallback longest_idle)"
    assert without.policy == "longest_idle"
    assert agent_of(r.submit(voice("c"), now=2.0)) == "b"


def test_restore_with_a_strict_plugin_and_error_counter():
    pol = Raises()
    r = cc.Router.restore(new_router("longest_idle").snapshot(), policy=pol, strict=True)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    with pytest.raises(ValueError) as info:
        r.submit(voice("c"), now=2.0)
    assert info.value is pol.raised[0] and r.policy_errors == 1


def test_a_non_policy_object_is_refused():
    class NotAPolicy:
        def score(self, contact, agent):
            return 0.0

    with pytest.raises(cc.InvalidInput, match="NotAPolicy"):
        new_router(NotAPolicy())
    with pytest.raises(cc.InvalidInput):
        new_router(PreferB)  # the class, not an instance
