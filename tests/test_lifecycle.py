"""A contact's life after arrival, embedded: transfers, scheduled work and
callbacks (the rules are worked out in the core's tests; these check that
Python carries every call, field and event, and refuses bad input
unchanged)."""

from __future__ import annotations

from typing import Any

import pytest

import ccroute as cc


def router(**queue: object) -> cc.Router:
    return cc.Router.from_config({"channels": [{"name": "voice"}, {"name": "chat", "cost": 25, "max_per_agent": 4}],
                                  "queues": [{"name": "general", **queue}, {"name": "vip"}]})


def test_a_cold_transfer_moves_the_contact_and_frees_the_first_agent() -> None:
    r = router()
    r.add_agent(cc.Agent("a"), 0.0)
    r.submit(cc.Contact("c1", "voice", "general"), 1.0)
    events = r.transfer("c1", 10.0, queue="vip")
    assert events == [cc.Transferred(contact="c1", from_agent="a", from_queue="general", to_queue="vip",
                                     to_agent=None, mode="cold", at=10.0, channel="voice")]
    assert r.contact("c1").status == "waiting" and r.contact("c1").version == 2
    events = r.add_agent(cc.Agent("b"), 12.0)
    assert events == [cc.Assigned(contact="c1", agent="b", at=12.0, wait=2.0)]
    vip = r.stats()["vip"]
    assert (vip.offered, vip.transferred_in, r.stats()["general"].transferred_out) == (1, 1, 1)


def test_a_warm_transfer_to_a_busy_agent_fails_and_the_contact_stays() -> None:
    r = router()
    r.add_agent(cc.Agent("a"), 0.0)
    r.add_agent(cc.Agent("b"), 0.0)
    r.submit(cc.Contact("c1", "voice", "general"), 1.0)
    r.submit(cc.Contact("c2", "voice", "general"), 2.0)
    events = r.transfer("c1", 3.0, agent="b", mode="warm")
    assert events == [cc.TransferFailed(contact="c1", agent="a", reason="agent_unavailable", at=3.0)]
    assert r.contact("c1").status == "assigned"


@pytest.mark.parametrize("kwargs, error, names", [
    ({"queue": "nowhere"}, cc.InvalidInput, "nowhere"),
    ({"agent": "ghost"}, cc.UnknownId, "ghost"),
    ({}, cc.InvalidInput, "name a queue or an agent"),
    ({"queue": "vip", "mode": "tepid"}, cc.InvalidInput, "tepid"),
    ({"queue": "vip", "channel": "fax"}, cc.InvalidInput, "fax"),
])
def test_a_bad_transfer_names_the_value_and_changes_nothing(kwargs: dict, error: type, names: str) -> None:
    r = router()
    r.add_agent(cc.Agent("a"), 0.0)
    r.submit(cc.Contact("c1", "voice", "general"), 1.0)
    before = r.snapshot()
    with pytest.raises(error, match=names):
        r.transfer("c1", 2.0, **kwargs)
    assert r.snapshot() == before


@pytest.mark.parametrize("call, error, names", [
    (lambda r: r.transfer("ghost", 2.0, queue="vip"), cc.UnknownId, "ghost"),
    (lambda r: r.transfer("w1", 2.0, queue="vip"), cc.InvalidState, "w1"),  # waiting, not assigned
    (lambda r: r.transfer("c1", 2.0, queue="vip", requires={"x": 11}), cc.InvalidInput, "11"),
    (lambda r: r.callback_result("ghost", "answered", 2.0), cc.UnknownId, "ghost"),
    (lambda r: r.callback_result("c1", "answered", 2.0), cc.InvalidState, "c1"),  # assigned, not being called
    (lambda r: r.callback_result("c1", "", 2.0), cc.InvalidInput, "callback outcome"),
    (lambda r: r.update_contact("w1", 2.0, callback={"number_of_attempts": 0}), cc.InvalidInput, "number_of_attempts"),
    (lambda r: r.update_contact("w1", 2.0, callback={"retry_after": -1.0}), cc.InvalidInput, "retry_after"),
    (lambda r: r.update_contact("c1", 2.0, callback={}), cc.InvalidState, "c1"),  # assigned: no callback
    (lambda r: r.update_contact("w1", 2.0, priority=1, if_version=7), cc.VersionConflict, "version 7"),
    (lambda r: r.submit(cc.Contact("late", "voice", "general", not_before=float("nan")), 2.0), cc.InvalidInput,
     "not_before"),
])
def test_each_new_call_refuses_bad_input_naming_it_and_changes_nothing(call: Any, error: type, names: str) -> None:
    r = router()
    r.add_agent(cc.Agent("a"), 0.0)
    r.submit(cc.Contact("c1", "voice", "general"), 1.0)
    r.submit(cc.Contact("w1", "voice", "general"), 1.0)
    before = r.snapshot()
    with pytest.raises(error, match=names):
        call(r)
    assert r.snapshot() == before


def test_a_scheduled_contact_waits_for_its_time() -> None:
    r = router()
    r.add_agent(cc.Agent("a"), 0.0)
    assert r.submit(cc.Contact("later", "voice", "general", not_before=100.0), 0.0) == []
    assert r.contact("later").status == "scheduled"
    assert (r.stats()["general"].waiting, r.stats()["general"].scheduled) == (0, 1)
    assert r.advance(100.0) == [cc.Assigned(contact="later", agent="a", at=100.0, wait=0.0)]
    c = cc.Contact("x", "voice", "general", not_before=5.0)
    assert cc.Contact.from_dict(c.to_dict()) == c


def test_a_callback_is_called_and_keeps_its_place() -> None:
    r = router(callbacks_per_free_agent=1.0)
    r.add_agent(cc.Agent("a"), 0.0)
    r.submit(cc.Contact("busy", "voice", "general"), 0.0)
    r.submit(cc.Contact("c1", "voice", "general"), 1.0)
    r.submit(cc.Contact("cb", "voice", "general", callback={"number_of_attempts": 1, "retry_after": 60.0}), 2.0)
    r.update_contact("c1", 3.0, callback={"number_of_attempts": 2})
    assert r.waiting("general") == ["c1", "cb"]
    general = r.stats()["general"]
    assert (general.waiting, general.callbacks_waiting, general.callbacks_calling) == (2, 2, 0)
    events = r.complete("busy", 10.0)
    assert events[1] == cc.CallbackOffered(contact="c1", agent="a", attempt=1, at=10.0)
    assert r.contact("c1").status == "calling"
    general = r.stats()["general"]
    assert (general.waiting, general.callbacks_waiting, general.callbacks_calling) == (2, 1, 1)
    assert general.to_dict()["callbacks_calling"] == 1
    events = r.callback_result("c1", "answered", 20.0)
    assert events == [cc.Assigned(contact="c1", agent="a", at=20.0, wait=19.0)]
    events = r.complete("c1", 30.0)
    assert events[1] == cc.CallbackOffered(contact="cb", agent="a", attempt=1, at=30.0)
    assert r.callback_result("cb", "busy", 31.0) == [cc.CallbackFailed(contact="cb", attempts=1, at=31.0)]
    assert r.stats()["general"].callbacks_failed == 1
    before = r.snapshot()
    with pytest.raises(cc.InvalidInput, match="maybe"):
        r.callback_result("cb", "maybe", 32.0)
    with pytest.raises(cc.InvalidInput, match="number_of_attempts 0"):
        r.submit(cc.Contact("bad", "voice", "general", callback={"number_of_attempts": 0}), 32.0)
    assert r.snapshot() == before
