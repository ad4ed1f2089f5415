"""Optimal batch assignment: eligibility and capacity always hold, it never
assigns fewer contacts than greedy routing on the same state when every
waiting contact fits in the free slots, and batch mode defers routing to
the batch timer."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import given, settings

import ccroute as cc

SKILLS = ("a", "b", "c")


def channels() -> list[cc.Channel]:
    return [cc.Channel("voice", cost=100, max_per_agent=1), cc.Channel("chat", cost=25, max_per_agent=3)]


agents_st = st.lists(
    st.tuples(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 10), min_size=1), st.sampled_from([None, "voice", "chat"])),
    min_size=1, max_size=8,
)
contacts_st = st.lists(
    st.tuples(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 10), max_size=2), st.sampled_from(["voice", "chat"])),
    min_size=1, max_size=14,
)


def build(agents: list, contacts: list, batch_window: float | None) -> tuple[cc.Router, dict[str, dict[str, int]]]:
    r = cc.Router(channels(), [cc.Queue("q")], policy="most_skilled", batch_window=batch_window)
    for i, (skills, only) in enumerate(agents):
        chans = None if only is None else {only: 3 if only == "chat" else 1}
        r.add_agent(cc.Agent(f"a{i}", skills=skills, channels=chans, state="away"), now=0.0)
    reqs = {}
    for i, (req, ch) in enumerate(contacts):
        r.submit(cc.Contact(f"c{i}", channel=ch, queue="q", requires=req), now=1.0)
        reqs[f"c{i}"] = req
    return r, reqs


def check_assignments(r: cc.Router, events: list, reqs: dict[str, dict[str, int]]) -> int:
    n = 0
    for e in events:
        if isinstance(e, cc.Assigned):
            n += 1
            skills = r.agent(e.agent).skills
            assert all(skills.get(s, 0) >= lvl for s, lvl in reqs[e.contact].items()), (e, skills)
    for aid in r.agent_ids():
        a = r.agent(aid)
        assert a.used <= a.capacity
        assert all(a.held[ch] <= a.max[ch] for ch in a.held)
    r.check_invariants()
    return n


@settings()  # examples from the hypothesis profile (conftest.py)
@given(agents_st, contacts_st)
def test_batch_respects_eligibility_and_never_assigns_fewer_than_greedy(agents, contacts) -> None:
    greedy, reqs = build(agents, contacts, batch_window=None)
    events = []
    for aid in greedy.agent_ids():
        events += greedy.set_agent_state(aid, "available", now=2.0)
    n_greedy = check_assignments(greedy, events, reqs)

    batch, _ = build(agents, contacts, batch_window=1e9)
    for aid in batch.agent_ids():
        assert batch.set_agent_state(aid, "available", now=2.0) == []  # batch mode defers routing
    events = batch.assign_batch(now=2.0)
    n_batch = check_assignments(batch, events, reqs)
    report = batch.last_batch
    assert report is not None and report["assigned"] == n_batch
    slots = sum(sum(batch.agent(a).max.values()) for a in batch.agent_ids())
    if len(contacts) <= slots:
        assert n_batch >= n_greedy


def test_batch_beats_greedy_where_greedy_blocks_a_specialist() -> None:
    # c0 (needs a≥1) arrives first; greedy gives it to the first free agent,
    # the specialist s (only one with b); c1 needs b and is left waiting.
    # The batch gives c0 to g and c1 to s.
    r = cc.Router([cc.Channel("voice")], [cc.Queue("q")], policy="longest_idle", batch_window=60.0)
    r.add_agent(cc.Agent("s", skills={"a": 5, "b": 5}), now=0.0)
    r.add_agent(cc.Agent("g", skills={"a": 5}), now=0.5)
    r.submit(cc.Contact("c0", channel="voice", queue="q", requires={"a": 1}), now=1.0)
    r.submit(cc.Contact("c1", channel="voice", queue="q", requires={"b": 1}), now=1.0)
    events = r.advance(61.0)  # the batch timer fires at 0.0 + 60
    assigned = {e.contact: e.agent for e in events if isinstance(e, cc.Assigned)}
    assert assigned == {"c0": "g", "c1": "s"}


def test_batch_window_must_be_positive() -> None:
    import pytest

    with pytest.raises(cc.InvalidInput, match="batch_window -1.0"):
        cc.Router([cc.Channel("voice")], [cc.Queue("q")], batch_window=-1.0)
