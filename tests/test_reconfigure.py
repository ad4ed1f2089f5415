"""Live reconfiguration, embedded: add, change and remove channels, queues
and routing profiles, and change agents in place, with contacts waiting
and agents busy. A refused change names the problem and leaves the
router's bytes as they were."""

from __future__ import annotations

from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ccroute as cc
from ccroute.errors import CapacityError, InvalidInput


def router() -> cc.Router:
    r = cc.Router([cc.Channel("voice"), cc.Channel("chat", cost=25, max_per_agent=3)],
                  [cc.Queue("sales"), cc.Queue("support")],
                  routing_profiles=[cc.RoutingProfile("front", {"sales": 1})])
    r.add_agent(cc.Agent("a1", {"en": 5}, routing_profile="front"), 0.0)
    r.add_agent(cc.Agent("a2", {"en": 5, "fr": 5}, state="away"), 0.0)
    r.submit(cc.Contact("busy", "chat", "sales"), 1.0)        # a1 takes it
    r.submit(cc.Contact("w1", "voice", "support"), 2.0)       # nobody serves support now
    r.submit(cc.Contact("w2", "voice", "support", requires={"fr": 3}), 3.0)
    return r


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.remove_queue("support", 5.0), 'queue "support" cannot be removed: it holds 2 waiting'),
    (lambda r: r.remove_queue("support", 5.0, move_to="gone"), 'target "gone" of queue "support" is not a queue'),
    (lambda r: r.remove_channel("chat", 5.0), 'channel "chat" cannot be removed: 1 live contact'),
    (lambda r: r.set_channel(cc.Channel("chat", cost=50, max_per_agent=3), 5.0), "cost cannot change from 25 to 50"),
    (lambda r: r.set_channel(cc.Channel("voice", max_per_agent=2), 5.0), None),  # allowed: nothing held beyond
    (lambda r: r.remove_routing_profile("front", 5.0), 'routing profile "front" cannot be removed: agent "a1"'),
    (lambda r: r.remove_queue("nowhere", 5.0), "there is no 'nowhere' to remove"),
    (lambda r: r.set_queue(cc.Queue("sales", overflow_to="nowhere", overflow_after=3), 5.0), "nowhere"),
    (lambda r: r.reconfigure(5.0, policy="fastest"), 'unknown policy "fastest"'),
    (lambda r: r.reconfigure(5.0, queues=[]), "at least one queue"),
])
def test_a_bad_change_is_refused_naming_it_and_changes_nothing(change: Callable[[cc.Router], Any],
                                                               message: str | None) -> None:
    r = router()
    r.advance(5.0)
    before = r.snapshot()
    if message is None:
        change(r)
        return
    with pytest.raises((InvalidInput, CapacityError), match=message):
        change(r)
    assert r.snapshot() == before


def test_moving_a_removed_queues_contacts_and_routing_them_at_once() -> None:
    r = router()
    events = r.remove_queue("support", 5.0, move_to="sales")
    assert [(e.kind, e.contact) for e in events] == [("Overflowed", "w1"), ("Overflowed", "w2")]
    assert r.config()["queues"] == [cc.Queue("sales").to_dict()]
    # a2 comes back; it serves sales (no routing profile): it takes w1, the
    # longest waiting it can serve.
    assert [(e.kind, e.contact) for e in r.set_agent_state("a2", "available", 6.0)] == [("Assigned", "w1")]
    assert r.stats()["sales"].overflowed_in == 2


def test_a_routing_profile_change_routes_what_it_allows() -> None:
    r = router()
    events = r.set_routing_profile(cc.RoutingProfile("front", {"sales": 1, "support": 0}), 5.0)
    # a1 (chat busy, capacity 75 left) cannot take voice: nothing to route.
    assert events == []
    r.complete("busy", 6.0)
    assert [e.kind for e in r.advance(6.0)] == []  # completion already routed w1 to a1
    assert r.contact("w1").agent == "a1"


def test_an_agent_whose_skills_no_longer_fit_keeps_its_work_and_gets_nothing_new_it_cannot_serve() -> None:
    r = cc.Router([cc.Channel("chat", cost=25, max_per_agent=3)], [cc.Queue("q")])
    r.add_agent(cc.Agent("a1", {"fr": 6}), 0.0)
    r.submit(cc.Contact("c1", "chat", "q", requires={"fr": 5}), 1.0)
    r.update_agent(cc.Agent("a1", {"en": 6}), 2.0)
    assert r.contact("c1").agent == "a1"
    assert r.submit(cc.Contact("c2", "chat", "q", requires={"fr": 5}), 3.0) == []
    assert [e.kind for e in r.submit(cc.Contact("c3", "chat", "q", requires={"en": 5}), 4.0)] == ["Assigned"]


def test_a_new_channel_is_served_by_agents_who_named_no_channels() -> None:
    r = router()
    r.set_channel(cc.Channel("email", cost=10, max_per_agent=4), 5.0)
    r.add_agent(cc.Agent("listed", {"en": 5}, channels={"voice": 1}, state="away"), 5.0)
    assert dict(r.agent("a2").max)["email"] == 4
    assert dict(r.agent("listed").max)["email"] == 0


def test_a_removed_queue_still_names_its_ended_contacts() -> None:
    r = router()
    r.complete("busy", 4.0)
    r.remove_queue("sales", 5.0, move_to="support")
    assert r.contact("busy").queue == "sales"
    assert cc.Router.restore(r.snapshot()).contact("busy").queue == "sales"


QUEUES = st.builds(lambda name, ordering, after: cc.Queue(
    name, ordering=ordering, overflow_to="support" if after and name != "support" else None,
    overflow_after=after if after and name != "support" else None),
    st.sampled_from(["sales", "support", "vip", "night"]), st.sampled_from(["priority", "lifo", "greatest_need"]),
    st.sampled_from([None, 5.0, 30.0]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 5), QUEUES, st.integers(0, 99)), max_size=12))
def test_any_sequence_of_changes_leaves_a_router_that_survives_its_snapshot(ops: list[Any]) -> None:
    r = router()
    t = 5.0
    for op, queue, n in ops:
        t += 1.0
        try:
            if op == 0:
                r.set_queue(queue, t)
            elif op == 1:
                names = [q["name"] for q in r.config()["queues"]]
                gone = names[n % len(names)]
                r.remove_queue(gone, t, move_to=next((x for x in names if x != gone), None))
            elif op == 2:
                r.submit(cc.Contact(f"c{n}-{t}", "voice", r.config()["queues"][n % len(r.config()["queues"])]["name"]), t)
            elif op == 3:
                r.set_agent_state("a2", "available" if n % 2 else "away", t)
            elif op == 4:
                r.set_channel(cc.Channel(f"ch{n % 3}", cost=10 + n % 5, max_per_agent=1 + n % 3), t)
            else:
                r.set_routing_profile(cc.RoutingProfile("front", {r.config()["queues"][0]["name"]: n % 4}), t)
        except (InvalidInput, CapacityError, cc.DuplicateId, cc.QueueFull):
            pass
        blob = r.snapshot()
        assert cc.Router.restore(blob).snapshot() == blob


def test_a_plug_in_policy_keeps_working_across_a_change_of_channels_and_profiles() -> None:
    seen: list[dict[str, int]] = []

    class Held(cc.policies.Policy):
        def score(self, contact: Any, agent: Any) -> float:
            seen.append(dict(agent.held))
            return 1.0

    r = cc.Router([cc.Channel("voice"), cc.Channel("chat", cost=25, max_per_agent=3)], [cc.Queue("q")],
                  policy=Held(), routing_profiles=[cc.RoutingProfile("p", {"q": 1})])
    r.add_agent(cc.Agent("a1", {"en": 5}), 0.0)
    r.add_agent(cc.Agent("a2", {"en": 5}), 0.0)
    r.submit(cc.Contact("c1", "chat", "q"), 1.0)
    r.remove_channel("voice", 2.0)
    r.remove_routing_profile("p", 2.0)
    r.set_channel(cc.Channel("email", cost=10, max_per_agent=5), 3.0)
    seen.clear()
    r.submit(cc.Contact("c2", "chat", "q"), 4.0)
    assert seen and all(set(h) == {"chat", "email"} for h in seen)
    assert sorted(sum(h.values()) for h in seen) == [0, 1]


def test_a_partial_update_keeps_an_agent_on_default_channels() -> None:
    from ccroute.server import ManualClock, RouterService, RouterSettings

    service = RouterService(RouterSettings(channels=[cc.Channel("voice")], queues=[cc.Queue("q")]),
                            clock=ManualClock()).start()
    try:
        service.upsert_agent(cc.Agent("a1", {"en": 3}))
        service.upsert_agent(cc.Agent("a1", {"en": 7}), fields=["skills"])
        assert service.agent("a1").all_channels
        settings = service.settings
        service.configure(settings.replace(channels=[*settings.channels, cc.Channel("chat", cost=25, max_per_agent=3)]))
        assert dict(service.agent("a1").max) == {"voice": 1, "chat": 3}
    finally:
        service.stop()


def test_removed_names_are_kept_only_while_an_ended_contact_holds_them() -> None:
    """A center that adds and removes queues all day keeps a bounded state:
    the name of a removed queue stays only while a retained ended contact
    names it."""
    r = cc.Router(channels=[cc.Channel("voice")], queues=[cc.Queue("main")], retain_finished=2)
    r.add_agent(cc.Agent("a1"), now=0.0)
    sizes = []
    t = 0.0
    for i in range(40):
        t += 1.0
        r.set_queue(cc.Queue(f"campaign-{i:03d}-with-a-long-name"), now=t)
        r.submit(cc.Contact(f"c{i:03d}", "voice", f"campaign-{i:03d}-with-a-long-name"), now=t)
        r.complete(f"c{i:03d}", now=t)
        r.remove_queue(f"campaign-{i:03d}-with-a-long-name", now=t)
        sizes.append(len(r.snapshot()))
    assert sizes[-1] == sizes[9]
    assert r.contact("c039").queue == "campaign-039-with-a-long-name"
    assert r.contact("c038").queue == "campaign-038-with-a-long-name"
    with pytest.raises(cc.UnknownId):
        r.contact("c037")
