"""Plug-in policies written in Python (``ccroute.Policy``).

The router calls a plug-in only when it has a choice (two or more eligible
free agents, or two or more candidate contacts for ``contact_score``); it
hands it only eligible candidates; it breaks equal scores with the plug-in's
``fallback`` built-in policy; and when the plug-in fails it decides with
that fallback, never losing the contact. Every expected choice below is
worked out in a comment.
"""

from __future__ import annotations

import numpy as np
import pytest

import ccroute as cc
from plugin_helpers import agent_of, assigned, chat, new_router, voice

# -- per-candidate and vectorised policies agree -----------------------------


class SkillMinusLoad(cc.Policy):
    """10 x level on x, minus 40 x load."""

    def score(self, contact, agent):
        return 10.0 * agent.level("x") - 40.0 * agent.load


class SkillMinusLoadVectorised(cc.Policy):
    def score(self, contact, agent):  # pragma: no cover - must not be called
        raise AssertionError("score_many is overridden: score must not be called")

    def score_many(self, contact, agents):
        return 10.0 * agents.level("x") - 40.0 * agents.load


def _skill_load_scenario(policy) -> list:
    r = new_router(policy)
    r.add_agent(cc.Agent("a1", skills={"x": 3}), now=0.0)
    r.add_agent(cc.Agent("a2", skills={"x": 8}), now=0.0)
    r.add_agent(cc.Agent("a4", skills={"x": 9}), now=1.0)
    r.add_agent(cc.Agent("a3", skills={"x": 5}), now=2.0)
    events = []
    for i in range(9):
        events += r.submit(chat(f"k{i}", requires={"x": 1}), now=10.0)
    assert r.policy_errors == 0
    r.check_invariants()
    return events


def test_score_and_score_many_pick_the_same_agents():
    per_candidate = _skill_load_scenario(SkillMinusLoad())
    vectorised = _skill_load_scenario(SkillMinusLoadVectorised())
    assert per_candidate == vectorised
    # Scores 10 x level - 40 x load (each chat adds 0.25 load = -10):
    #   a4 90, a2 80, a3 50, a1 30 at first.
    # k0 -> a4 (90). k1: a4 80 = a2 80 -> tie to the fallback, longest
    #   idle: a2 (idle since 0) before a4 (since 1).
    # k2: a4 80 > a2 70 -> a4. k3: 70 = 70 -> a2. k4: a4 70 -> a4.
    # k5: 60 = 60 -> a2. k6: a4 60 -> a4, now full (4 chats).
    # k7: a2 50 = a3 50 -> a2 (idle since 0 < 2), now full. k8: a3 50 > a1 30.
    assert [a for _, a in assigned(per_candidate)] == ["a4", "a2", "a4", "a2", "a4", "a2", "a4", "a2", "a3"]


# -- the views ---------------------------------------------------------------------


class Recorder(cc.Policy):
    """Records what each decision shows; prefers a2."""

    def __init__(self):
        self.calls: list[tuple[dict, list[dict]]] = []

    @staticmethod
    def contact_fields(c) -> dict:
        return {
            "id": c.id, "channel": c.channel, "queue": c.queue, "priority": c.priority,
            "wait": c.wait, "requires": dict(c.requires), "prefers": dict(c.prefers),
            "customer": c.customer, "attributes": dict(c.attributes),
        }

    @staticmethod
    def agent_fields(a) -> dict:
        return {
            "id": a.id, "skills": dict(a.skills), "load": a.load, "free_units": a.free_units,
            "held": a.held, "idle": a.idle, "handled": a.handled, "attributes": a.attributes,
            "level_x": a.level("x"), "level_nope": a.level("nope"),
        }

    def check_read_only(self, contact, agent) -> None:
        with pytest.raises(TypeError):
            agent.skills["x"] = 10  # type: ignore[index]
        with pytest.raises(TypeError):
            contact.requires["x"] = 1  # type: ignore[index]
        with pytest.raises(TypeError):
            contact.prefers["y"] = 1  # type: ignore[index]
        with pytest.raises(AttributeError):
            contact.priority = 99  # type: ignore[misc]
        with pytest.raises(AttributeError):
            agent.load = 0.0  # type: ignore[misc]
        # The agent's attribute dict is a fresh copy: changing it changes nothing.
        agent.attributes["team"] = "hacked"
        assert agent.attributes.get("team") == ("red" if agent.id == "a1" else None)

    def score(self, contact, agent):
        if not self.calls or self.calls[-1][0]["id"] != contact.id:
            self.calls.append((self.contact_fields(contact), []))
        self.calls[-1][1].append(self.agent_fields(agent))
        self.check_read_only(contact, agent)
        return 1.0 if agent.id == "a2" else 0.0


class BatchRecorder(cc.Policy):
    def __init__(self):
        self.batches: list[dict] = []

    def score(self, contact, agent):  # pragma: no cover
        raise AssertionError("not called")

    def score_many(self, contact, agents):
        n = len(agents)
        ids = agents.ids
        cols = {
            "len": n, "ids": ids, "load": agents.load, "idle": agents.idle,
            "handled": agents.handled, "free_units": agents.free_units,
            "level_x": agents.level("x"), "level_y": agents.level("y"), "level_nope": agents.level("nope"),
            "items": [Recorder.agent_fields(agents[i]) for i in range(n)],
            "last": agents[-1].id, "first_neg": agents[-n].id,
        }
        for bad in (n, -n - 1):
            with pytest.raises(IndexError):
                agents[bad]
        self.batches.append(cols)
        return np.where(np.array(ids) == "a2", 1.0, 0.0)


def _view_scenario(policy) -> cc.Router:
    """Two eligible agents (a1, a2) and many that are not, for a chat in
    "sales" requiring x>=2, whose step makes it routable at t=24."""
    r = new_router(
        policy,
        queues=("sales", "support"),
        routing_profiles=[cc.RoutingProfile("support_only", {"support": 0})],
    )
    r.add_agent(
        cc.Agent("a1", skills={"x": 6, "y": 2, "tag_a1": 1},
                 attributes={"team": "red", "senior": True, "rating": 4.5, "years": 3}),
        now=0.0,
    )
    # a1 handles one chat (done at 2: idle since 2), then holds another.
    r.submit(chat("h1", "support", requires={"tag_a1": 1}), now=1.0)
    r.complete("h1", now=2.0)
    r.submit(chat("h2", "support", requires={"tag_a1": 1}), now=3.0)
    r.add_agent(cc.Agent("a2", skills={"x": 4}), now=5.0)
    # Not eligible for the chat, each for one reason:
    r.add_agent(cc.Agent("low", skills={"x": 1}), now=5.0)  # level 1 < 2
    r.add_agent(cc.Agent("away", skills={"x": 9}, state="away"), now=5.0)  # state
    r.add_agent(cc.Agent("voiceonly", skills={"x": 9}, channels={"voice": 1}), now=5.0)  # channel
    r.add_agent(cc.Agent("small", skills={"x": 9}, capacity=20), now=5.0)  # 20 units < 25
    r.add_agent(cc.Agent("fullch", skills={"x": 9, "tag_f": 1}, channels={"chat": 1, "email": 5}), now=5.0)
    r.submit(chat("hf", "support", requires={"tag_f": 1}), now=5.0)  # its one chat slot used
    r.add_agent(cc.Agent("full", skills={"x": 9, "tag_g": 1}), now=5.0)
    for i in range(10):  # 10 emails x 10 units = 100: no capacity left
        r.submit(cc.Contact(f"e{i}", channel="email", queue="support", requires={"tag_g": 1}), now=5.0)
    r.add_agent(cc.Agent("other_q", skills={"x": 9}, routing_profile="support_only"), now=5.0)  # queue
    assert r.agent("full").used == 100 and r.agent("fullch").held["chat"] == 1
    # Nobody has zz: the chat waits until its step at 24 drops it (x>=2 left).
    r.submit(
        chat("c1", "sales", priority=3, requires={"x": 2, "zz": 1}, prefers={"y": 1}, customer="cust9",
             attributes={"lang": "fr", "vip": True}, steps=[cc.Step(after=4.0, requires={"x": 2})]),
        now=20.0,
    )
    ev = r.advance(30.0)
    assert ev == [
        cc.StepAdvanced(contact="c1", step=0, at=24.0),
        cc.Assigned(contact="c1", agent="a2", at=24.0, wait=4.0),
    ]
    assert r.policy_errors == 0
    r.check_invariants()
    return r


EXPECTED_CONTACT = {
    "id": "c1", "channel": "chat", "queue": "sales", "priority": 3, "wait": 4.0,
    "requires": {"x": 2},  # the requirements in force (after the step)
    "prefers": {"y": 1}, "customer": "cust9", "attributes": {"lang": "fr", "vip": True},
}
# At t=24: a1 holds one chat (25 of 100 units), handled one, idle since 2;
# a2 holds nothing, handled none, idle since 5.
EXPECTED_A1 = {
    "id": "a1", "skills": {"x": 6, "y": 2, "tag_a1": 1}, "load": 0.25, "free_units": 75,
    "held": {"voice": 0, "chat": 1, "email": 0}, "idle": 22.0, "handled": 1,
    "attributes": {"team": "red", "senior": True, "rating": 4.5, "years": 3},
    "level_x": 6, "level_nope": 0,
}
EXPECTED_A2 = {
    "id": "a2", "skills": {"x": 4}, "load": 0.0, "free_units": 100,
    "held": {"voice": 0, "chat": 0, "email": 0}, "idle": 19.0, "handled": 0,
    "attributes": {}, "level_x": 4, "level_nope": 0,
}


def test_policy_views_hold_the_right_values_and_only_eligible_agents():
    rec = Recorder()
    _view_scenario(rec)
    # One decision with a choice: c1 at 24 (h1, h2, hf and the emails each
    # had a single eligible agent, so the policy was not asked).
    assert len(rec.calls) == 1
    contact, agents = rec.calls[0]
    assert contact == EXPECTED_CONTACT
    assert sorted(agents, key=lambda a: a["id"]) == [EXPECTED_A1, EXPECTED_A2]


def test_agent_batch_columns_len_indexing_and_ids():
    rec = BatchRecorder()
    _view_scenario(rec)
    assert len(rec.batches) == 1
    b = rec.batches[0]
    assert b["len"] == 2 and sorted(b["ids"]) == ["a1", "a2"]
    expected = {"a1": EXPECTED_A1, "a2": EXPECTED_A2}
    for i, aid in enumerate(b["ids"]):
        e = expected[aid]
        assert b["items"][i] == e
        assert b["load"][i] == e["load"]
        assert b["idle"][i] == e["idle"]
        assert b["handled"][i] == e["handled"]
        assert b["free_units"][i] == e["free_units"]
        assert b["level_x"][i] == e["level_x"]
        assert b["level_y"][i] == e["skills"].get("y", 0)
        assert b["level_nope"][i] == 0
    for col in ("load", "idle", "handled", "free_units", "level_x"):
        assert isinstance(b[col], np.ndarray) and b[col].dtype == np.float64 and b[col].shape == (2,)
    assert b["last"] == b["ids"][-1] and b["first_neg"] == b["ids"][0]


class Keeper(cc.Policy):
    """Keeps every batch it is handed; prefers the agent whose id sorts last."""

    def __init__(self):
        self.kept: list = []

    def score(self, contact, agent):  # pragma: no cover
        raise AssertionError("not called")

    def score_many(self, contact, agents):
        self.kept.append((agents, list(agents.ids)))
        return [float(i) for i in np.argsort(np.argsort(agents.ids))]


def test_a_kept_batch_shows_its_own_agents_after_they_leave_and_others_join():
    keeper = Keeper()
    r = new_router(keeper)
    for a in ("a1", "a2", "a3"):
        r.add_agent(cc.Agent(a, skills={"x": 5}), now=0.0)
    assert assigned(r.submit(voice("c1"), now=1.0)) == [("c1", "a3")]
    # Agents leave and others take their place (and their slots) while
    # the batch is still held.
    r.complete("c1", now=2.0)
    for a in ("a1", "a3"):
        r.remove_agent(a, now=2.0)
    for a in ("b1", "b3", "b4"):
        r.add_agent(cc.Agent(a, skills={"x": 5}), now=2.0)
    assert assigned(r.submit(voice("c2"), now=3.0)) == [("c2", "b4")]
    assert [sorted(ids) for _, ids in keeper.kept] == [["a1", "a2", "a3"], ["a2", "b1", "b3", "b4"]]
    for batch, ids in keeper.kept:
        assert list(batch.ids) == ids
        assert [batch[i].id for i in range(len(batch))] == ids


def test_excluded_agents_are_not_candidates():
    seen: dict[float, list[str]] = {}  # contact wait (one per decision) -> candidates

    class ByRank(cc.Policy):
        def score(self, contact, agent):
            seen.setdefault(contact.wait, []).append(agent.id)
            return float(agent.attributes["rank"])

    r = new_router(ByRank(), offer_timeout=10.0)
    for i in (1, 2, 3):
        r.add_agent(cc.Agent(f"a{i}", attributes={"rank": i}), now=0.0)
    # Highest rank: a3 is offered the call; it rejects it.
    assert r.submit(voice("c"), now=1.0)[0] == cc.Offered(contact="c", agent="a3", at=1.0, expires=11.0)
    ev = r.reject("c", "a3", now=2.0)
    # Re-routed among a1 and a2 only (a3 rejected it): a2 (rank 2).
    assert ev[-1] == cc.Offered(contact="c", agent="a2", at=2.0, expires=12.0)
    assert sorted(seen[0.0]) == ["a1", "a2", "a3"]  # at submission
    assert sorted(seen[1.0]) == ["a1", "a2"]  # after the reject


def test_policy_cannot_change_the_contact_attributes_the_router_keeps():
    class Mutates(cc.Policy):
        def __init__(self):
            self.seen: list[str] = []

        def score(self, contact, agent):
            self.seen.append(contact.attributes["lang"])
            contact.attributes["lang"] = "hacked"
            return 0.0

    pol = Mutates()
    r = new_router(pol, offer_timeout=10.0)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=0.0)
    r.add_agent(cc.Agent("c"), now=0.0)
    r.submit(voice("c1", attributes={"lang": "fr"}), now=1.0)
    assert r.contact("c1").attributes == {"lang": "fr"}
    # A later decision gets a fresh view.
    pol.seen = []
    r.reject("c1", "a", now=2.0)
    assert pol.seen[0] == "fr"


def test_contact_attributes_are_a_fresh_copy_per_read():
    class Mutates(cc.Policy):
        def __init__(self):
            self.seen: list[str] = []

        def score(self, contact, agent):
            self.seen.append(contact.attributes["lang"])
            contact.attributes["lang"] = "hacked"
            return 0.0

    pol = Mutates()
    r = new_router(pol)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=0.0)
    r.submit(voice("c1", attributes={"lang": "fr"}), now=1.0)
    # Each candidate's score call should see the contact's own attributes.
    assert pol.seen == ["fr", "fr"]


# -- ties go to the fallback ---------------------------------------------------------


class Flat(cc.Policy):
    """Every candidate scores the same."""

    def score(self, contact, agent):
        return 0.0


class FlatMostSkilled(Flat):
    fallback = cc.Chain("most_skilled")


class TopTwo(cc.Policy):
    """b and c tie at the top, a is last."""

    fallback = "most_skilled"

    def score(self, contact, agent):
        return {"a": 1.0, "b": 5.0, "c": 5.0}[agent.id]


def _three_agents(policy) -> cc.Router:
    r = new_router(policy)
    r.add_agent(cc.Agent("a", skills={"x": 9}), now=0.0)
    r.add_agent(cc.Agent("b", skills={"x": 2}), now=1.0)
    r.add_agent(cc.Agent("c", skills={"x": 6}), now=2.0)
    return r


def test_equal_scores_go_to_the_default_fallback_longest_idle():
    r = _three_agents(Flat())
    got = [agent_of(r.submit(voice(f"v{i}", requires={"x": 1}), now=5.0)) for i in range(3)]
    # All scores equal: longest idle a (0), b (1), c (2).
    assert got == ["a", "b", "c"]
    assert r.policy == "Flat (fallback longest_idle)"


def test_equal_scores_go_to_a_custom_fallback():
    r = _three_agents(FlatMostSkilled())
    got = [agent_of(r.submit(voice(f"v{i}", requires={"x": 1}), now=5.0)) for i in range(3)]
    # All scores equal: most skilled a (9), c (6), b (2).
    assert got == ["a", "c", "b"]
    assert r.policy == "FlatMostSkilled (fallback most_skilled)"


def test_partial_tie_is_broken_by_the_fallback_among_the_best_only():
    r = _three_agents(TopTwo())
    got = [agent_of(r.submit(voice(f"v{i}", requires={"x": 1}), now=5.0)) for i in range(2)]
    # b and c score 5 (a only 1): most skilled between them: c (6) > b (2).
    # Then b (5) > a (1), although a is the most skilled of all.
    assert got == ["c", "b"]
    assert r.policy_errors == 0


# -- contact_score ------------------------------------------------------------------


class VipFirst(cc.Policy):
    """A vip contact first, else the highest priority; records the candidate
    contacts it is shown (the test clears ``seen`` before each call)."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []

    def score(self, contact, agent):
        return 0.0

    def contact_score(self, agent, contact):
        assert isinstance(agent, cc.policies.PolicyAgent)
        assert isinstance(contact, cc.policies.PolicyContact)
        self.seen.append((agent.id, contact.id))
        return 100.0 if contact.attributes.get("vip") else float(contact.priority)


def test_contact_score_chooses_among_the_heads_of_waiting_groups():
    pol = VipFirst()
    r = new_router(pol, queues=("sales", "support"))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("busy", "sales"), now=0.5)  # a is on a call
    r.submit(voice("s1", "sales", priority=5), now=1.0)
    r.submit(voice("t1", "support", attributes={"vip": True}), now=2.0)
    r.submit(voice("s2", "sales", priority=7), now=3.0)
    r.submit(voice("t2", "support", priority=1), now=4.0)
    order, shown = [], []
    prev = "busy"
    for t in (10.0, 11.0, 12.0, 13.0):
        pol.seen = []
        (got,) = assigned(r.complete(prev, now=t))
        assert got[1] == "a"
        order.append(got[0])
        shown.append(sorted(c for _, c in pol.seen))
        prev = got[0]
    # Candidates are the next contact of each queue group: sales (s2,
    # priority 7, before s1: 5) and support (t2, priority 1, before the vip
    # t1: 0). t1 is never a candidate while t2 waits.
    # 1st: s2 scores 7, t2 1 -> s2. 2nd: s1 5, t2 1 -> s1.
    # 3rd: t2 is the only candidate (policy not asked); 4th: t1 alone.
    assert order == ["s2", "s1", "t2", "t1"]
    assert shown == [["s2", "t2"], ["s1", "t2"], [], []]
    assert r.policy_errors == 0


def test_contact_score_vip_head_wins_over_priority():
    pol = VipFirst()
    r = new_router(pol, queues=("sales", "support"))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("busy", "sales"), now=0.5)
    r.submit(voice("s1", "sales", priority=5), now=1.0)
    r.submit(voice("t1", "support", attributes={"vip": True}), now=2.0)
    # Queue order would take s1 (priority 5 > 0); the policy scores t1 100.
    assert assigned(r.complete("busy", now=10.0)) == [("t1", "a")]
    assert assigned(r.complete("t1", now=11.0)) == [("s1", "a")]
    # Without contact_score, queue order decides.
    plain = new_router(Flat(), queues=("sales", "support"))
    plain.add_agent(cc.Agent("a"), now=0.0)
    plain.submit(voice("busy", "sales"), now=0.5)
    plain.submit(voice("s1", "sales", priority=5), now=1.0)
    plain.submit(voice("t1", "support", attributes={"vip": True}), now=2.0)
    assert assigned(plain.complete("busy", now=10.0)) == [("s1", "a")]


def test_failing_contact_score_falls_back_to_queue_order():
    class Broken(cc.Policy):
        def score(self, contact, agent):
            return 0.0

        def contact_score(self, agent, contact):
            raise KeyError("no such feature")

    r = new_router(Broken(), queues=("sales", "support"))
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("busy", "sales"), now=0.5)
    r.submit(voice("s1", "sales", priority=5), now=1.0)
    r.submit(voice("t1", "support", attributes={"vip": True}), now=2.0)
    # Queue order: s1 (priority 5).
    assert assigned(r.complete("busy", now=10.0)) == [("s1", "a")]
    assert r.policy_errors == 1
    r.check_invariants()


# -- a policy that looks at the router ------------------------------------------------------


class ReserveForVip(cc.Policy):
    """Keeps agent "r" for the VIP queue while more than one VIP contact waits."""

    sees_router = True

    def __init__(self) -> None:
        self.seen: list[tuple[int, dict]] = []

    def score(self, contact, agent):
        state = contact.router
        vip_waiting = state.queues["vip"].waiting
        self.seen.append((vip_waiting, dict(state.agents)))
        if agent.id == "r" and contact.queue != "vip" and vip_waiting > 1:
            return -1.0
        return 1.0 if agent.id == "r" else 0.0


def test_a_policy_sees_queue_and_agent_state_at_the_decision():
    pol = ReserveForVip()
    r = new_router(pol, queues=("vip", "q"), strict=True)
    r.add_agent(cc.Agent("r", skills={"vip": 5}), now=0.0)
    r.add_agent(cc.Agent("s"), now=0.0)
    # Two VIP contacts wait (nobody can serve them yet).
    r.submit(voice("v1", "vip", requires={"gold": 1}), now=1.0)
    r.submit(voice("v2", "vip", requires={"gold": 1}), now=1.0)
    # A normal contact: r is kept in reserve, s takes it.
    assert agent_of(r.submit(voice("n1", "q"), now=2.0)) == "s"
    assert pol.seen[-1][0] == 2
    assert pol.seen[-1][1]["available"] == 2 and pol.seen[-1][1]["idle"] == 2
    assert r.policy_errors == 0


def test_without_sees_router_the_view_is_none():
    class Peek(cc.Policy):
        def score(self, contact, agent):
            assert contact.router is None
            return 0.0

    r = new_router(Peek(), strict=True)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=0.0)
    r.submit(voice("c"), now=1.0)
    assert r.policy_errors == 0
