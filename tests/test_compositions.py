"""Built-in policy compositions: ``Chain`` (tie-breaker chains) and
``Weighted`` (a weighted sum of named features).

Every expected order is worked out by hand in the comments. Rules used:

* ``Chain(p1, p2, ...)`` orders eligible agents by p1, then p2, ... like
  ``ORDER BY``; whatever is still tied goes to the agent idle longest
  (earliest ``idle_since``), then to the smallest agent id.
* ``most_skilled`` = sum of the agent's levels on the contact's required
  skills (then on its preferred skills), highest first; ``least_occupied``
  = used / total capacity units, lowest first; ``fewest_handled`` =
  completed contacts, lowest first.
* ``Weighted`` = the highest ``Σ weight × feature`` wins; ties to longest
  idle, then id.
* ``idle_since`` is set when an agent is added (or becomes available) and
  when one of its slots frees; taking a contact does not reset it.
"""

from __future__ import annotations

import math

import pytest

import ccroute as cc
from conftest import CHAT, VOICE


def new_router(policy, **kwargs) -> cc.Router:
    return cc.Router(channels=[VOICE, CHAT], queues=[cc.Queue("q")], policy=policy, **kwargs)


def assigned_agents(events: list) -> list[str]:
    return [e.agent for e in events if isinstance(e, cc.Assigned)]


def agent_of(events: list) -> str:
    got = assigned_agents(events)
    assert len(got) == 1, events
    return got[0]


def chat(cid: str, **kwargs) -> cc.Contact:
    return cc.Contact(cid, channel="chat", queue="q", **kwargs)


def voice(cid: str, **kwargs) -> cc.Contact:
    return cc.Contact(cid, channel="voice", queue="q", **kwargs)


# -- Chain: tie-breaking order ---------------------------------------------


def _skill_load_idle_agents(r: cc.Router) -> None:
    # c, b, e, a: level 5 on x; d: level 9. Idle since: c 0, b 1, e 1, a 2, d 3.
    r.add_agent(cc.Agent("c", skills={"x": 5}), now=0.0)
    r.add_agent(cc.Agent("b", skills={"x": 5}), now=1.0)
    r.add_agent(cc.Agent("e", skills={"x": 5}), now=1.0)
    r.add_agent(cc.Agent("a", skills={"x": 5}), now=2.0)
    r.add_agent(cc.Agent("d", skills={"x": 9}), now=3.0)


def test_chain_most_skilled_then_least_occupied_then_longest_idle():
    r = new_router(cc.Chain("most_skilled", "least_occupied", "longest_idle"))
    _skill_load_idle_agents(r)
    got = [agent_of(r.submit(chat(f"k{i}", requires={"x": 1}), now=10.0)) for i in range(12)]
    # k1-k4: d is the most skilled (9 > 5) whatever its load: it takes four
    #   chats (its maximum, 4 x 25 = 100 units) and is then full.
    # k5: a, b, c, e tie on skill (5) and load (0): longest idle is c (0).
    # k6: c is now at 0.25; a, b, e are at 0: least occupied first, then
    #   longest idle: b and e both idle since 1 -> smallest id, b.
    # k7: e (load 0, idle since 1); k8: a (the last one at load 0).
    # k9-k12: everyone at 0.25 again: c (0), b (1, b < e), e, a (2).
    assert got == ["d", "d", "d", "d", "c", "b", "e", "a", "c", "b", "e", "a"]
    r.check_invariants()


def test_chain_least_occupied_then_most_skilled():
    r = new_router(cc.Chain("least_occupied", "most_skilled"))
    _skill_load_idle_agents(r)
    got = [agent_of(r.submit(chat(f"k{i}", requires={"x": 1}), now=10.0)) for i in range(11)]
    # k1: everyone at load 0; most skilled breaks the tie: d (9).
    # k2-k5: d is at 0.25; the others at 0 go first, by skill (all 5), then
    #   longest idle: c (0), b (1, b < e), e (1), a (2).
    # k6: all five at 0.25: most skilled d.
    # k7-k10: c, b, e, a again (d is at 0.5). k11: all at 0.5: d.
    assert got == ["d", "c", "b", "e", "a", "d", "c", "b", "e", "a", "d"]


def test_chain_longest_idle_first_uses_skill_only_for_exact_idle_ties():
    r = new_router(cc.Chain("longest_idle", "most_skilled"))
    r.add_agent(cc.Agent("q", skills={"x": 2}), now=0.0)
    r.add_agent(cc.Agent("r", skills={"x": 5}), now=0.0)
    r.add_agent(cc.Agent("p", skills={"x": 9}), now=1.0)
    got = [agent_of(r.submit(voice(f"v{i}", requires={"x": 1}), now=5.0)) for i in range(3)]
    # q and r are idle since 0, p since 1: idle decides first, and p (the
    # most skilled) comes last. Between q and r the tie goes to skill: r (5)
    # before q (2) although "q" < "r".
    assert got == ["r", "q", "p"]

    # Plain longest idle would have broken the q/r tie by id instead.
    plain = new_router("longest_idle")
    plain.add_agent(cc.Agent("q", skills={"x": 2}), now=0.0)
    plain.add_agent(cc.Agent("r", skills={"x": 5}), now=0.0)
    plain.add_agent(cc.Agent("p", skills={"x": 9}), now=1.0)
    got = [agent_of(plain.submit(voice(f"v{i}", requires={"x": 1}), now=5.0)) for i in range(3)]
    assert got == ["q", "r", "p"]


def test_chain_most_skilled_counts_preferred_skills_after_required():
    r = new_router(cc.Chain("most_skilled"))
    r.add_agent(cc.Agent("a", skills={"x": 6}), now=0.0)
    r.add_agent(cc.Agent("b", skills={"x": 6, "fr": 2}), now=1.0)
    r.add_agent(cc.Agent("c", skills={"x": 6, "fr": 8}), now=2.0)
    r.add_agent(cc.Agent("d", skills={"x": 7}), now=3.0)
    got = [
        agent_of(r.submit(voice(f"v{i}", requires={"x": 1}, prefers={"fr": 1}), now=5.0))
        for i in range(4)
    ]
    # Required sum first: d (7) beats the three 6s even without French.
    # Then the preferred sum: c (8), b (2), a (0).
    assert got == ["d", "c", "b", "a"]


def test_chain_most_skilled_then_fewest_handled():
    r = new_router(cc.Chain("most_skilled", "fewest_handled"))
    # All three have level 5 on x; "u" also has a private tag to give it
    # handled contacts first.
    r.add_agent(cc.Agent("u", skills={"x": 5, "tag_u": 1}), now=0.0)
    r.add_agent(cc.Agent("v", skills={"x": 5, "tag_v": 1}), now=1.0)
    r.add_agent(cc.Agent("w", skills={"x": 5}), now=2.0)
    # u handles two contacts, v one (only they can take their tagged ones).
    for i, (tag, t) in enumerate([("tag_u", 3.0), ("tag_u", 4.0), ("tag_v", 5.0)]):
        assert agent_of(r.submit(voice(f"s{i}", requires={tag: 1}), now=t)) == tag[-1]
        r.complete(f"s{i}", now=t + 0.5)
    got = [agent_of(r.submit(voice(f"v{i}", requires={"x": 1}), now=10.0)) for i in range(3)]
    # Equal skill (5); fewest handled decides: w (0), v (1), u (2). Idle
    # would have said w (since 2), u (freed at 4.5), v (freed at 5.5).
    assert got == ["w", "v", "u"]


def test_chain_round_robin_then_most_skilled():
    r = new_router(cc.Chain("round_robin", "most_skilled"))
    r.add_agent(cc.Agent("a", skills={"x": 2}), now=0.0)
    r.add_agent(cc.Agent("b", skills={"x": 8}), now=0.0)
    r.add_agent(cc.Agent("c", skills={"x": 5}), now=0.0)
    # v0: nobody assigned yet (tie), skill decides: b (8).
    assert agent_of(r.submit(voice("v0", requires={"x": 1}), now=1.0)) == "b"
    r.complete("v0", now=2.0)
    # v1, v2: a and c were never assigned, b was: they go first, by skill:
    # c (5) then a (2). Plain most_skilled would have picked b again.
    got = [agent_of(r.submit(voice(f"v{i}", requires={"x": 1}), now=3.0)) for i in (1, 2)]
    assert got == ["c", "a"]
    r.complete("v1", now=4.0)
    r.complete("v2", now=4.0)
    # v3, v4, v5: b's last assignment is the oldest, then c's, then a's.
    got = [agent_of(r.submit(voice(f"v{i}", requires={"x": 1}), now=5.0)) for i in (3, 4, 5)]
    assert got == ["b", "c", "a"]


def test_chain_of_one_equals_the_named_policy():
    for name in ("longest_idle", "most_skilled", "least_occupied", "fewest_handled", "round_robin"):
        a, b = new_router(name), new_router(cc.Chain(name))
        for r in (a, b):
            r.add_agent(cc.Agent("a1", skills={"x": 3}), now=0.0)
            r.add_agent(cc.Agent("a2", skills={"x": 9}), now=1.0)
            r.add_agent(cc.Agent("a3", skills={"x": 6}), now=1.0)
        ea = [agent_of(a.submit(chat(f"k{i}", requires={"x": 1}), now=2.0)) for i in range(6)]
        eb = [agent_of(b.submit(chat(f"k{i}", requires={"x": 1}), now=2.0)) for i in range(6)]
        assert ea == eb, name
        assert a.policy == b.policy == name


# -- Chain: errors -----------------------------------------------------------


def test_empty_chain_is_refused():
    with pytest.raises(cc.InvalidInput, match="at least one policy"):
        cc.Chain()


def test_chain_longer_than_four_is_refused_naming_the_count():
    with pytest.raises(cc.InvalidInput, match=r"at most 4 policies, got 5"):
        cc.Chain("most_skilled", "least_occupied", "fewest_handled", "round_robin", "longest_idle")
    # Four is fine.
    cc.Chain("most_skilled", "least_occupied", "fewest_handled", "round_robin")


@pytest.mark.parametrize(
    "names",
    [("random", "longest_idle"), ("most_skilled", "random"), ("random", "random")],
)
def test_random_inside_a_chain_is_refused(names):
    with pytest.raises(cc.InvalidInput, match='"random" cannot be part of a chain'):
        cc.Chain(*names)


def test_random_alone_is_a_valid_chain():
    assert str(cc.Chain("random")) == "random"


@pytest.mark.parametrize("bad", ["fastest", "Longest_Idle", ""])
def test_unknown_name_in_a_chain_is_refused_naming_it(bad):
    with pytest.raises(cc.InvalidInput, match=f'unknown policy "{bad}"'):
        cc.Chain("most_skilled", bad)


def test_unknown_policy_name_on_the_router_is_refused_naming_it():
    with pytest.raises(cc.InvalidInput, match='unknown policy "cheapest"'):
        new_router("cheapest")
    with pytest.raises(cc.InvalidInput, match="got 42"):
        new_router(42)


def test_chain_errors_are_value_errors():
    with pytest.raises(ValueError):
        cc.Chain("nope")


# -- Weighted: hand-computed winners ------------------------------------------


def test_weighted_skill_idle_load():
    r = new_router(cc.Weighted({"skill": 1.0, "idle": 0.01, "load": -2.0}))
    # Contacts require x and y. Private tags let us load agents on purpose.
    r.add_agent(cc.Agent("a", skills={"x": 5, "y": 5, "tag_a": 1}), now=0.0)
    r.add_agent(cc.Agent("b", skills={"x": 4, "y": 4}), now=0.0)
    r.add_agent(cc.Agent("c", skills={"x": 6, "y": 6, "tag_c": 1}), now=90.0)
    for i in range(2):
        assert agent_of(r.submit(chat(f"la{i}", requires={"tag_a": 1}), now=95.0)) == "a"
    for i in range(3):
        assert agent_of(r.submit(chat(f"lc{i}", requires={"tag_c": 1}), now=95.0)) == "c"
    # At t=100, for a contact requiring x and y:
    #   a: skill 5+5=10, idle 100 s x 0.01 = 1.0, load 0.50 x -2 = -1.0 -> 10.0
    #   b: skill 4+4= 8, idle 100 s x 0.01 = 1.0, load 0.00         ->  9.0
    #   c: skill 6+6=12, idle  10 s x 0.01 = 0.1, load 0.75 x -2 = -1.5 -> 10.6
    # k1 -> c (10.6); c is then full (4 chats).
    # k2: a 10.0 vs b 9.0 -> a; a is then at 0.75: 10 + 1 - 1.5 = 9.5.
    # k3: a 9.5 vs b 9.0 -> a; a is then full.
    # k4: b.
    got = [agent_of(r.submit(chat(f"k{i}", requires={"x": 1, "y": 1}), now=100.0)) for i in range(4)]
    assert got == ["c", "a", "a", "b"]
    r.check_invariants()


def test_weighted_level_preferred_handled_free():
    r = new_router(cc.Weighted({"level:x": 2.0, "preferred": 1.0, "handled": -1.0, "free": 0.01}))
    r.add_agent(cc.Agent("a", skills={"x": 3, "y": 1, "z": 5}), now=0.0)
    r.add_agent(cc.Agent("b", skills={"x": 5, "y": 1, "tag_b": 1}), now=0.0)
    r.add_agent(cc.Agent("c", skills={"x": 5, "y": 1, "z": 2, "tag_c": 1}), now=0.0)
    # b holds one chat (free 75 units); c has handled two calls.
    assert agent_of(r.submit(chat("hb", requires={"tag_b": 1}), now=1.0)) == "b"
    for i in range(2):
        assert agent_of(r.submit(voice(f"hc{i}", requires={"tag_c": 1}), now=2.0 + i)) == "c"
        r.complete(f"hc{i}", now=2.5 + i)
    # For a chat requiring y and preferring z, at t=10:
    #   a: level x 3 x 2 = 6, preferred z 5, handled 0, free 100 x 0.01 = 1 -> 12
    #   b: level x 5 x 2 = 10, preferred 0, handled 0, free 75 x 0.01 = 0.75 -> 10.75
    #   c: level x 5 x 2 = 10, preferred z 2, handled 2 x -1 = -2, free 1 -> 11
    # k1-k4 -> a: 12, then 11.75, 11.5, 11.25 (free falls by 25 units each
    #   time), always above c's 11; a is then full.
    # k5 -> c (11 > 10.75); c is then at free 75: 10.75.
    # k6: b 10.75 = c 10.75 -> longest idle: b (since 0) before c (freed
    #   at 3.5).
    # k7 -> c (10.75 > b's 10.5).
    got = [
        agent_of(r.submit(chat(f"k{i}", requires={"y": 1}, prefers={"z": 1}), now=10.0))
        for i in range(7)
    ]
    assert got == ["a", "a", "a", "a", "c", "b", "c"]


def test_weighted_level_of_a_skill_nobody_has_counts_zero():
    r = new_router(cc.Weighted({"level:klingon": 5.0, "idle": 1.0}))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    # Level 0 for everyone: idle decides, a (10 s) before b (9 s).
    assert agent_of(r.submit(voice("v"), now=10.0)) == "a"


def test_weighted_tie_goes_to_longest_idle_then_id():
    r = new_router(cc.Weighted({"skill": 1.0}))
    r.add_agent(cc.Agent("z", skills={"x": 4}), now=0.0)
    r.add_agent(cc.Agent("m", skills={"x": 4}), now=1.0)
    r.add_agent(cc.Agent("k", skills={"x": 4}), now=1.0)
    got = [agent_of(r.submit(voice(f"v{i}", requires={"x": 1}), now=5.0)) for i in range(3)]
    # Same score 4: z idle since 0 first, then k and m (idle since 1) by id.
    assert got == ["z", "k", "m"]


def test_weighted_negative_weights_prefer_the_least_skilled():
    r = new_router(cc.Weighted({"skill": -1.0}))
    r.add_agent(cc.Agent("hi", skills={"x": 9}), now=0.0)
    r.add_agent(cc.Agent("lo", skills={"x": 2}), now=1.0)
    r.add_agent(cc.Agent("mid", skills={"x": 5}), now=2.0)
    got = [agent_of(r.submit(voice(f"v{i}", requires={"x": 1}), now=5.0)) for i in range(3)]
    # Scores -9, -2, -5: lo, mid, hi.
    assert got == ["lo", "mid", "hi"]


# -- Weighted: errors ----------------------------------------------------------


@pytest.mark.parametrize("bad", ["speed", "level:", "Skill", "levels:x"])
def test_unknown_feature_is_refused_naming_it(bad):
    with pytest.raises(cc.InvalidInput, match=f'unknown feature "{bad}"'):
        cc.Weighted({"skill": 1.0, bad: 1.0})


@pytest.mark.parametrize("w", [math.nan, math.inf, -math.inf])
def test_non_finite_weight_is_refused_naming_the_feature(w):
    with pytest.raises(cc.InvalidInput, match=r'of feature "idle" is not a finite number') as info:
        cc.Weighted({"skill": 1.0, "idle": w})
    assert str(w).lower().lstrip("-") in str(info.value).lower()


def test_weight_that_is_not_a_number_is_refused():
    with pytest.raises(cc.InvalidInput, match=r'weight of feature "load" must be a number, got \'heavy\''):
        cc.Weighted({"load": "heavy"})


def test_empty_weighted_and_non_string_feature_are_refused():
    with pytest.raises(cc.InvalidInput, match="at least one feature"):
        cc.Weighted({})
    with pytest.raises(cc.InvalidInput, match="feature names must be strings, got 3"):
        cc.Weighted({3: 1.0})


# -- policy descriptions ---------------------------------------------------------


def test_router_policy_strings():
    assert new_router("longest_idle").policy == "longest_idle"
    assert new_router("random").policy == "random"
    assert new_router(cc.Chain("most_skilled")).policy == "most_skilled"
    chain = cc.Chain("most_skilled", "least_occupied", "longest_idle")
    assert new_router(chain).policy == "chain(most_skilled, least_occupied, longest_idle)"
    assert str(chain) == "chain(most_skilled, least_occupied, longest_idle)"
    assert repr(chain) == "Chain<chain(most_skilled, least_occupied, longest_idle)>"
    weighted = cc.Weighted({"skill": 1.0, "idle": 0.01, "load": -2.0})
    assert new_router(weighted).policy == "weighted(skill=1, idle=0.01, load=-2)"
    assert str(weighted) == "weighted(skill=1, idle=0.01, load=-2)"
    lv = cc.Weighted({"level:spanish": 1.5, "preferred": 1, "handled": -1, "free": 0.5})
    assert new_router(lv).policy == "weighted(level:spanish=1.5, preferred=1, handled=-1, free=0.5)"
    assert cc.POLICIES == ("longest_idle", "most_skilled", "least_occupied", "fewest_handled", "round_robin", "random")


def test_compositions_compare_by_description():
    assert cc.Chain("most_skilled", "longest_idle") == cc.Chain("most_skilled", "longest_idle")
    assert cc.Chain("most_skilled", "longest_idle") != cc.Chain("longest_idle", "most_skilled")
    assert hash(cc.Weighted({"skill": 1.0})) == hash(cc.Weighted({"skill": 1.0}))
    assert cc.Weighted({"skill": 1.0}) != cc.Chain("most_skilled")


def test_compositions_survive_snapshot_restore():
    for policy in (
        cc.Chain("most_skilled", "least_occupied", "longest_idle"),
        cc.Weighted({"level:x": 2.0, "idle": 0.01, "load": -2.0}),
    ):
        r = new_router(policy)
        r.add_agent(cc.Agent("a", skills={"x": 3}), now=0.0)
        r.add_agent(cc.Agent("b", skills={"x": 7}), now=1.0)
        r.add_agent(cc.Agent("c", skills={"x": 7}), now=2.0)
        r.submit(chat("k0", requires={"x": 1}), now=3.0)
        copy = cc.Router.restore(r.snapshot())
        assert copy.policy == r.policy
        for i in range(1, 8):
            assert r.submit(chat(f"k{i}", requires={"x": 1}), now=4.0) == copy.submit(
                chat(f"k{i}", requires={"x": 1}), now=4.0
            )
        copy.check_invariants()
