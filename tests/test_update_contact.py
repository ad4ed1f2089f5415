"""``Router.update_contact``: changing a waiting or offered contact.

Each field given replaces the contact's and the contact is routed again in
the same call; every update raises its version by one, ``if_version``
refuses a stale writer with ``VersionConflict``; an offer stands only while
its agent still fits; a refused update changes nothing (same snapshot
bytes) and names the bad value.
"""

from __future__ import annotations

from typing import Any

import pytest

import ccroute as cc
from ccroute import _ccroute
from conftest import CHAT, VOICE


def router(**kwargs: Any) -> cc.Router:
    return cc.Router(channels=[VOICE, CHAT], queues=[cc.Queue("q")], **kwargs)


def voice(cid: str, **kwargs: Any) -> cc.Contact:
    return cc.Contact(cid, channel="voice", queue="q", **kwargs)


def kinds(events: list[cc.Event]) -> list[str]:
    return [type(e).__name__ for e in events]


def test_raising_the_priority_reorders_the_queue_at_once() -> None:
    r = router()
    for i in range(3):
        r.submit(voice(f"c{i}"), now=float(i))
    assert r.waiting("q") == ["c0", "c1", "c2"]
    assert r.update_contact("c2", 3.0, priority=5) == []
    assert r.waiting("q") == ["c2", "c0", "c1"]
    view = r.contact("c2")
    assert (view.priority, view.version, view.arrival) == (5, 2, 2.0)
    events = r.add_agent(cc.Agent("a"), now=4.0)
    assert events == [cc.Assigned(contact="c2", agent="a", at=4.0, wait=2.0, queue="q", channel="voice")]
    r.check_invariants()


def test_lowering_the_requirements_assigns_in_the_same_call() -> None:
    r = router()
    r.add_agent(cc.Agent("a", skills={"billing": 5}), now=0.0)
    r.submit(voice("c1", requires={"billing": 8}), now=1.0)
    assert r.contact("c1").status == "waiting"
    events = r.update_contact("c1", 2.0, requires={"billing": 5})
    assert events == [cc.Assigned(contact="c1", agent="a", at=2.0, wait=1.0, queue="q", channel="voice")]
    assert r.contact("c1").requires == {"billing": 5}
    r.check_invariants()


def test_an_offer_stands_while_its_agent_fits_and_is_withdrawn_when_it_no_longer_does() -> None:
    r = router(offer_timeout=30.0)
    r.add_agent(cc.Agent("a", skills={"fr": 3}), now=0.0)
    r.add_agent(cc.Agent("b", skills={"fr": 8}), now=1.0)
    assert kinds(r.submit(voice("c1"), now=2.0)) == ["Offered"]
    assert r.contact("c1").agent == "a"
    # a still fits: the offer stands, nothing happens but the change.
    assert r.update_contact("c1", 3.0, priority=2, requires={"fr": 2}, attributes={"vip": True}) == []
    view = r.contact("c1")
    assert (view.status, view.agent, view.version, view.attributes) == ("offered", "a", 2, {"vip": True})
    # a no longer fits: withdrawn (Requeued) and offered to b, who fits.
    events = r.update_contact("c1", 4.0, requires={"fr": 5})
    assert kinds(events) == ["Requeued", "Offered"]
    assert (events[0].agent, events[1].agent) == ("a", "b")
    assert r.agent("a").used == 0
    assert r.contact("c1").version == 3
    r.check_invariants()


def test_a_withdrawn_offer_does_not_exclude_its_agent() -> None:
    r = router(offer_timeout=30.0)
    r.add_agent(cc.Agent("a", skills={"fr": 3}), now=0.0)
    r.submit(voice("c1"), now=1.0)
    assert kinds(r.update_contact("c1", 2.0, requires={"fr": 5})) == ["Requeued"]
    assert r.contact("c1").status == "waiting"
    # Back within a's reach: offered to a again at once (no exclusion).
    events = r.update_contact("c1", 3.0, requires={})
    assert kinds(events) == ["Offered"] and events[0].agent == "a"


def test_if_version_refuses_a_stale_writer_naming_both_versions_and_changes_nothing() -> None:
    r = router()
    r.submit(voice("c1"), now=0.0)
    assert r.contact("c1").version == 1
    r.update_contact("c1", 1.0, priority=3, if_version=1)
    before = r.snapshot()
    with pytest.raises(cc.VersionConflict, match="version 2.*version 1") as info:
        r.update_contact("c1", 1.0, priority=9, if_version=1)
    assert isinstance(info.value, cc.RoutingError)
    assert r.snapshot() == before
    assert (r.contact("c1").priority, r.contact("c1").version) == (3, 2)
    r.update_contact("c1", 1.0, priority=9, if_version=2)  # the current version goes through
    assert r.contact("c1").version == 3


def test_the_version_counts_updates_and_reads_zero_once_ended() -> None:
    r = router()
    r.submit(voice("c1"), now=0.0)
    for expected in (2, 3, 4):
        r.update_contact("c1", 1.0)  # an empty update is a change too
        assert r.contact("c1").version == expected
    r.cancel("c1", now=2.0)
    assert r.contact("c1").version == 0
    with pytest.raises(cc.InvalidState, match="abandoned"):
        r.update_contact("c1", 3.0, priority=1)


def test_new_steps_replace_the_remaining_ones_and_those_already_due_apply_at_once() -> None:
    r = router()
    r.submit(voice("c1", requires={"x": 9}, steps=[cc.Step(30.0, {"x": 5})]), now=0.0)
    # Wider requirements than the remaining step would make that step narrow the pool.
    with pytest.raises(cc.InvalidInput, match="steps"):
        r.update_contact("c1", 1.0, requires={"x": 2})
    events = r.update_contact("c1", 1.0, requires={"x": 2}, steps=[cc.Step(0.5, {})])
    assert kinds(events) == ["StepAdvanced"]
    assert (r.contact("c1").requires, r.contact("c1").step) == ({}, 1)
    # steps=[] drops the remaining steps; plain data is taken as well as Step objects.
    r.submit(voice("c2", requires={"x": 9}, steps=[cc.Step(30.0, {"x": 5})]), now=2.0)
    r.update_contact("c2", 3.0, steps=[{"after": 60.0, "requires": {"x": 4}}])
    assert r.advance(33.0) == [] and r.contact("c2").requires == {"x": 9}  # the old step is gone
    assert kinds(r.advance(63.0)) == ["StepAdvanced"] and r.contact("c2").requires == {"x": 4}
    r.submit(voice("c3", requires={"x": 9}, steps=[cc.Step(30.0, {"x": 5})]), now=64.0)
    r.update_contact("c3", 65.0, steps=[])
    assert r.advance(200.0) == [] and r.contact("c3").requires == {"x": 9}
    r.check_invariants()


def test_age_offset_moves_the_place_but_not_the_statistics() -> None:
    r = router()
    r.submit(voice("c1"), now=0.0)
    r.submit(voice("c2"), now=10.0)
    r.update_contact("c2", 11.0, age_offset=15.0)  # as if it had arrived at -5
    assert r.waiting("q") == ["c2", "c1"]
    events = r.add_agent(cc.Agent("a"), now=12.0)
    assert events == [cc.Assigned(contact="c2", agent="a", at=12.0, wait=2.0, queue="q", channel="voice")]
    assert r.stats()["q"].asa == 2.0
    # Absolute, not an increment: 0 undoes it.
    r.submit(voice("c3"), now=13.0)
    r.update_contact("c1", 14.0, age_offset=-20.0)
    assert r.waiting("q") == ["c3", "c1"]
    r.update_contact("c1", 15.0, age_offset=0.0)
    assert r.waiting("q") == ["c1", "c3"]
    r.check_invariants()


def test_an_update_survives_a_snapshot() -> None:
    r = router()
    r.submit(voice("c1"), now=0.0)
    r.submit(voice("c2"), now=1.0)
    r.update_contact("c2", 2.0, priority=1, age_offset=4.0, prefers={"x": 3}, attributes={"tier": "gold"})
    blob = r.snapshot()
    back = cc.Router.restore(blob)
    assert back.snapshot() == blob
    assert back.contact("c2").version == 2 and back.waiting("q") == ["c2", "c1"]


# -- refusals ----------------------------------------------------------------------
@pytest.mark.parametrize(("contact", "fields", "error", "names"), [
    ("ghost", {"priority": 1}, cc.UnknownId, "ghost"),
    ("busy", {"priority": 1}, cc.InvalidState, "assigned"),
    ("c1", {"requires": {"x": 11}}, cc.InvalidInput, "level 11"),
    ("c1", {"prefers": {"x": 0}}, cc.InvalidInput, "level 0"),
    ("c1", {"age_offset": float("nan")}, cc.InvalidInput, "age_offset: NaN"),
    ("c1", {"age_offset": float("inf")}, cc.InvalidInput, "age_offset: inf"),
    ("c1", {"priority": "high"}, cc.InvalidInput, 'priority: invalid type: string "high"'),
    ("c1", {"priority": True}, cc.InvalidInput, "priority: invalid type: boolean"),
    ("c1", {"requires": ["x"]}, cc.InvalidInput, "requires: invalid type: sequence"),
    ("c1", {"steps": [{"after": -1.0, "requires": {}}]}, cc.InvalidInput, "after"),
    ("c1", {"if_version": -1}, cc.InvalidInput, "if_version: invalid value: integer `-1`"),
    ("c1", {"if_version": 7}, cc.VersionConflict, "expected version 7"),
])
def test_a_bad_update_raises_naming_the_value_and_changes_nothing(
        contact: str, fields: dict[str, Any], error: type[Exception], names: str) -> None:
    r = router()
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(voice("busy"), now=0.0)
    r.submit(voice("c1"), now=1.0)
    before = r.snapshot()
    with pytest.raises(error) as info:
        r.update_contact(contact, 1.0, **fields)
    assert names in str(info.value)
    assert r.snapshot() == before


def test_an_unknown_field_is_refused_naming_it() -> None:
    r = router()
    r.submit(voice("c1"), now=0.0)
    before = r.snapshot()
    with pytest.raises(TypeError, match="colour"):
        r.update_contact("c1", 0.0, colour="red")  # type: ignore[call-arg]
    # The plain-data form (the server's, the log's) names it too.
    with pytest.raises(cc.InvalidInput, match="update: colour: unknown field `colour`"):
        _ccroute.normalize_contact_update({"colour": "red"})
    assert r.snapshot() == before


def test_the_plain_data_form_writes_every_field() -> None:
    record = _ccroute.normalize_contact_update({"requires": {}, "steps": [cc.Step(1.0, {"a": 2})], "age_offset": 3})
    assert record == {"priority": None, "requires": {}, "prefers": None, "selector": None, "preferences": None,
                      "steps": [{"after": 1.0, "requires": {"a": 2}, "when": None, "selector": None,
                                 "replace_selector": False}], "attributes": None,
                      "age_offset": 3.0, "callback": None, "if_version": None}
