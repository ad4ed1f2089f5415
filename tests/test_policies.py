"""One hand-worked scenario per built-in agent-selection policy.

Each test writes out the expected order of assignments and says why. The
tie rule is the same for every policy: equal policy keys go to the agent
idle longest (earliest ``idle_since``), then to the smallest agent id.
``idle_since`` is set when an agent is added or becomes available and when
one of its slots frees (completion, or the end of wrap-up); taking a new
contact does not reset it.
"""

from __future__ import annotations

from collections import Counter

import pytest

import ccroute as cc
from conftest import CHAT, VOICE


def new_router(policy: str, **kwargs) -> cc.Router:
    return cc.Router(channels=[VOICE, CHAT], queues=[cc.Queue("q")], policy=policy, **kwargs)


def voice(cid: str, **kwargs) -> cc.Contact:
    return cc.Contact(cid, channel="voice", queue="q", **kwargs)


def chat(cid: str, **kwargs) -> cc.Contact:
    return cc.Contact(cid, channel="chat", queue="q", **kwargs)


def agent_of(events: list) -> str:
    """The agent of the single Assigned event in ``events``."""
    assigned = [e for e in events if isinstance(e, cc.Assigned)]
    assert len(assigned) == 1, events
    return assigned[0].agent


# -- longest_idle --------------------------------------------------------


def test_longest_idle_order():
    r = new_router("longest_idle")
    r.add_agent(cc.Agent("a"), now=0.0)  # idle since 0
    r.add_agent(cc.Agent("b"), now=1.0)  # idle since 1
    r.add_agent(cc.Agent("c"), now=2.0)  # idle since 2
    # Three calls at 10: longest idle first, a, b, c.
    assert [agent_of(r.submit(voice(f"x{i}"), now=10.0)) for i in range(3)] == ["a", "b", "c"]
    # b finishes at 11 (idle since 11), a at 12 (idle since 12), c at 13.
    r.complete("x1", now=11.0)
    r.complete("x0", now=12.0)
    r.complete("x2", now=13.0)
    # Now b has waited longest, then a, then c.
    assert [agent_of(r.submit(voice(f"y{i}"), now=14.0)) for i in range(3)] == ["b", "a", "c"]
    r.check_invariants()


def test_longest_idle_is_not_reset_by_taking_a_contact():
    r = new_router("longest_idle")
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    # a (idle since 0) takes a chat, and stays "idle since 0": it also takes
    # the next three chats while it has room (4 chats = 100 units), then b.
    got = [agent_of(r.submit(chat(f"k{i}"), now=5.0)) for i in range(5)]
    assert got == ["a", "a", "a", "a", "b"]
    assert r.agent("a").idle_since == 0.0


def test_longest_idle_tie_goes_to_smallest_id_across_profiles():
    r = new_router("longest_idle")
    # Same idle time, different skill profiles (different ready groups).
    r.add_agent(cc.Agent("zed", skills={"x": 1}), now=0.0)
    r.add_agent(cc.Agent("bob", skills={"y": 5}), now=0.0)
    r.add_agent(cc.Agent("amy", skills={"x": 3, "y": 3}), now=0.0)
    r.add_agent(cc.Agent("ann", skills={"y": 5}), now=0.0)
    assert [agent_of(r.submit(voice(f"c{i}"), now=1.0)) for i in range(4)] == ["amy", "ann", "bob", "zed"]


# -- most_skilled --------------------------------------------------------


def test_most_skilled_order():
    r = new_router("most_skilled")
    r.add_agent(cc.Agent("novice", skills={"es": 5, "fr": 10}), now=0.0)  # longest idle
    r.add_agent(cc.Agent("expert", skills={"es": 9}), now=1.0)
    r.add_agent(cc.Agent("mid", skills={"es": 7, "fr": 8}), now=2.0)
    # requires es: scores are novice 5, expert 9, mid 7 (fr does not count:
    # it is neither required nor preferred) -> expert, then mid, then novice.
    got = [agent_of(r.submit(voice(f"c{i}", requires={"es": 5}), now=10.0)) for i in range(3)]
    assert got == ["expert", "mid", "novice"]
    r.check_invariants()


def test_most_skilled_preferred_skills_are_the_second_key():
    r = new_router("most_skilled")
    r.add_agent(cc.Agent("fr3", skills={"es": 7, "fr": 3}), now=0.0)  # longest idle
    r.add_agent(cc.Agent("fr9", skills={"es": 7, "fr": 9}), now=1.0)
    r.add_agent(cc.Agent("es8", skills={"es": 8}), now=2.0)
    # requires es 5, prefers fr. Required sum first: es8 (8) beats both 7s
    # however good their french; then (7, fr 9) beats (7, fr 3).
    got = [agent_of(r.submit(voice(f"c{i}", requires={"es": 5}, prefers={"fr": 1}), now=10.0)) for i in range(3)]
    assert got == ["es8", "fr9", "fr3"]


def test_most_skilled_without_requirements_uses_preferred_skills_then_ties():
    r = new_router("most_skilled")
    r.add_agent(cc.Agent("b_none"), now=0.0)
    r.add_agent(cc.Agent("a_none"), now=0.0)
    r.add_agent(cc.Agent("c_fr2", skills={"fr": 2}), now=5.0)
    # prefers fr: c_fr2 scores (0, 2), the others (0, 0) -> c_fr2 although
    # it is the most recently idle; then a tie of (0, 0) at idle 0 -> by id.
    got = [agent_of(r.submit(voice(f"c{i}", prefers={"fr": 1}), now=10.0)) for i in range(3)]
    assert got == ["c_fr2", "a_none", "b_none"]


def test_most_skilled_tie_goes_to_longest_idle_then_id():
    r = new_router("most_skilled")
    r.add_agent(cc.Agent("b_early", skills={"es": 4, "de": 2}), now=1.0)
    r.add_agent(cc.Agent("a_early", skills={"es": 3, "de": 3}), now=1.0)
    r.add_agent(cc.Agent("late", skills={"es": 6}), now=3.0)
    # requires es 1 and de 1: every sum is 6. Longest idle: the two "early"
    # agents (idle since 1), by id a_early then b_early; then late... but late
    # has no de, so it is not eligible at all and the third contact waits.
    got = [r.submit(voice(f"c{i}", requires={"es": 1, "de": 1}), now=10.0) for i in range(3)]
    assert [agent_of(e) for e in got[:2]] == ["a_early", "b_early"]
    assert got[2] == []
    # requires es only: late (6) beats nobody else free -> late.
    assert agent_of(r.submit(voice("d", requires={"es": 1}), now=11.0)) == "late"


# -- least_occupied ------------------------------------------------------


def test_least_occupied_order():
    r = new_router("least_occupied")
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    r.add_agent(cc.Agent("c"), now=2.0)
    # Chats (25 units of 100):
    #   k1: all at load 0 -> longest idle a (0)            a .25
    #   k2: b, c at 0 -> b (idle since 1)                   b .25
    #   k3: c at 0 -> c                                      c .25
    #   k4: all .25 -> longest idle a (taking chats does not reset idle)
    #   k5: b, c at .25 -> b
    got = [agent_of(r.submit(chat(f"k{i}"), now=10.0)) for i in range(1, 6)]
    assert got == ["a", "b", "c", "a", "b"]
    # a finishes k1 at 20: load .25, idle since 20. Loads: a .25, b .50, c .25.
    r.complete("k1", now=20.0)
    # k6: a and c tie at .25 -> c has been idle longer (since 2) -> c.
    # k7: a .25 (alone at the lowest) -> a although idle only since 20.
    assert [agent_of(r.submit(chat(f"k{i}"), now=21.0)) for i in (6, 7)] == ["c", "a"]
    r.check_invariants()


def test_least_occupied_uses_the_ratio_not_the_units():
    r = new_router("least_occupied")
    r.add_agent(cc.Agent("small", capacity=100), now=0.0)
    r.add_agent(cc.Agent("big", capacity=200, channels={"chat": 8}), now=5.0)
    r.submit_many([chat("k1"), chat("k2")], now=6.0)
    # k1: both 0 -> small (idle longer): small 25/100 = .25.
    # k2: big 0/200 -> big: 25/200 = .125.
    assert r.agent("small").contacts == ["k1"] and r.agent("big").contacts == ["k2"]
    # k3: big .125 < small .25 -> big (.25); k4: tie .25 -> small (idle since 0).
    r.submit_many([chat("k3"), chat("k4")], now=7.0)
    assert r.agent("big").contacts == ["k2", "k3"]
    assert r.agent("small").contacts == ["k1", "k4"]


# -- fewest_handled ------------------------------------------------------


def test_fewest_handled_order():
    r = new_router("fewest_handled")
    for a in ("a", "b", "c"):
        r.add_agent(cc.Agent(a), now=0.0)
    # All 0 handled and idle since 0: by id.
    assert agent_of(r.submit(voice("x1"), now=1.0)) == "a"
    r.complete("x1", now=2.0)  # a: 1 handled, idle since 2
    assert agent_of(r.submit(voice("x2"), now=3.0)) == "b"  # b, c: 0 handled, by id
    r.complete("x2", now=4.0)  # b: 1 handled, idle since 4
    assert agent_of(r.submit(voice("x3"), now=5.0)) == "c"  # c alone at 0
    r.complete("x3", now=6.0)  # c: 1 handled, idle since 6
    # All at 1 handled: longest idle a (since 2).
    assert agent_of(r.submit(voice("x4"), now=7.0)) == "a"
    r.complete("x4", now=8.0)  # a: 2 handled
    # A newcomer (0 handled) wins although it is the most recently idle.
    r.add_agent(cc.Agent("d"), now=8.5)
    assert agent_of(r.submit(voice("x5"), now=9.0)) == "d"
    # Then b (1 handled, idle since 4) before c (1, since 6) before a (2).
    assert [agent_of(r.submit(voice(f"y{i}"), now=9.0)) for i in range(3)] == ["b", "c", "a"]
    assert [r.agent(a).handled for a in "abcd"] == [2, 1, 1, 0]


def test_fewest_handled_counts_completions_not_assignments():
    r = new_router("fewest_handled", offer_timeout=5.0)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    # a is offered c1 and rejects it: nothing handled, so a still leads by idle time.
    assert r.submit(voice("c1"), now=2.0)[0].agent == "a"
    r.reject("c1", "a", now=3.0)  # c1 goes to b
    assert r.contact("c1").agent == "b"
    assert r.submit(voice("c2"), now=4.0)[0].agent == "a"


# -- round_robin ---------------------------------------------------------


def test_round_robin_order():
    r = new_router("round_robin")
    for a in ("a", "b", "c"):
        r.add_agent(cc.Agent(a), now=0.0)
    # Never assigned ties: idle since 0 -> by id a, b, c.
    assert [e.agent for e in r.submit_many([voice("x1"), voice("x2"), voice("x3")], now=1.0)] == ["a", "b", "c"]
    # They finish in reverse: c at 2, b at 3, a at 4 (so c is the longest idle).
    r.complete("x3", now=2.0)
    r.complete("x2", now=3.0)
    r.complete("x1", now=4.0)
    # Round robin goes by the oldest last assignment: a, b, c again
    # (longest idle would have given c, b, a).
    assert [e.agent for e in r.submit_many([voice("y1"), voice("y2"), voice("y3")], now=5.0)] == ["a", "b", "c"]
    r.check_invariants()


def test_round_robin_newcomer_goes_first():
    r = new_router("round_robin")
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("x1"), now=1.0)
    r.complete("x1", now=2.0)
    r.add_agent(cc.Agent("b"), now=3.0)
    # a was assigned once, b never: b first even though a is idle longer.
    assert agent_of(r.submit(voice("x2"), now=4.0)) == "b"
    assert agent_of(r.submit(voice("x3"), now=4.0)) == "a"


# -- random --------------------------------------------------------------


def random_run(seed: int, n: int = 40) -> list[str]:
    r = new_router("random", seed=seed)
    for a in ("a", "b", "c", "d", "e"):
        r.add_agent(cc.Agent(a), now=0.0)
    picks = []
    for i in range(n):
        picks.append(agent_of(r.submit(voice(f"c{i}"), now=float(i))))
        r.complete(f"c{i}", now=i + 0.5)
    r.check_invariants()
    return picks


def test_random_is_reproducible_under_a_seed():
    first = random_run(seed=7)
    assert random_run(seed=7) == first
    # Another seed draws another sequence (40 draws among 5 agents).
    assert random_run(seed=8) != first

def test_random_is_uniform_among_free_agents():
    # 1000 draws among 5 free agents: about 200 each (a bound of 5 standard
    # deviations either side, so the test is not flaky for a fixed seed anyway).
    counts = Counter(random_run(seed=9, n=1000))
    assert set(counts) == set("abcde")
    assert all(135 <= n <= 265 for n in counts.values()), counts


def test_random_recorded_sequence_for_seed_0():
    # Recorded from the engine (ChaCha8 seeded with 0). The draw is
    # uniform among the ready agents in (profile, key) order, so this
    # sequence changes only if the generator or that order changes: a
    # failure here means runs recorded with an older version no longer
    # replay.
    assert random_run(seed=0, n=12) == RECORDED_SEED_0


RECORDED_SEED_0 = ["d", "c", "d", "a", "a", "a", "a", "a", "c", "a", "d", "a"]


def test_random_only_draws_eligible_agents():
    r = new_router("random", seed=3, offer_timeout=100.0)
    r.add_agent(cc.Agent("skilled", skills={"es": 5}), now=0.0)
    for a in ("u1", "u2", "u3"):
        r.add_agent(cc.Agent(a), now=0.0)
    # Only one agent has the skill: the draw cannot pick anyone else.
    for i in range(5):
        ev = r.submit(voice(f"s{i}", requires={"es": 5}), now=float(i))
        assert ev[0].agent == "skilled"
        r.reject(f"s{i}", "skilled", now=float(i))
        assert r.contact(f"s{i}").status == "waiting"  # excluded, nobody else
    # An agent that rejected a contact is never drawn for it again.
    r2 = new_router("random", seed=11, offer_timeout=100.0)
    for a in ("a", "b", "c"):
        r2.add_agent(cc.Agent(a), now=0.0)
    first = r2.submit(voice("c"), now=1.0)[0].agent
    ev = r2.reject("c", first, now=2.0)
    second = ev[-1].agent
    assert second != first
    ev = r2.reject("c", second, now=3.0)
    third = ev[-1].agent
    assert {first, second, third} == {"a", "b", "c"}


@pytest.mark.parametrize("policy", ["longest_idle", "most_skilled", "least_occupied", "fewest_handled", "round_robin"])
def test_tie_rule_is_longest_idle_then_id(policy):
    # Every policy key is equal here (no skills, no load, nothing handled,
    # never assigned): the order is idle since, then id.
    r = new_router(policy)
    r.add_agent(cc.Agent("z"), now=0.0)
    r.add_agent(cc.Agent("m"), now=1.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    r.add_agent(cc.Agent("a"), now=2.0)
    got = [agent_of(r.submit(voice(f"c{i}"), now=5.0)) for i in range(4)]
    assert got == ["z", "b", "m", "a"]


@pytest.mark.parametrize("policy", cc.POLICIES)
def test_every_policy_respects_eligibility(policy):
    r = new_router(policy, seed=1)
    r.add_agent(cc.Agent("no_skill"), now=0.0)
    r.add_agent(cc.Agent("low", skills={"es": 3}), now=0.0)
    r.add_agent(cc.Agent("away", skills={"es": 9}, state="away"), now=0.0)
    r.add_agent(cc.Agent("chat_only", skills={"es": 9}, channels={"chat": 4}), now=0.0)
    r.add_agent(cc.Agent("ok", skills={"es": 6}), now=0.0)
    assert agent_of(r.submit(voice("c", requires={"es": 5}), now=1.0)) == "ok"
    assert r.submit(voice("d", requires={"es": 5}), now=1.0) == []
    r.check_invariants()
