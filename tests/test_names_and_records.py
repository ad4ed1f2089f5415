"""The package as a user first meets it: its names, the event classes (what
they hold, how they compare, their reprs) and the configuration records
(values and reprs that evaluate back to an equal record)."""

from __future__ import annotations

import pytest

import ccroute as cc
from conftest import make_router, two_channel_router

EVENT_SAMPLES = {
    "Assigned": dict(contact="c1", agent="a1", at=1.0, wait=0.5),
    "Offered": dict(contact="c1", agent="a1", at=1.0, expires=11.0),
    "OfferExpired": dict(contact="c1", agent="a1", at=11.0),
    "OfferRejected": dict(contact="c1", agent="a1", at=2.0),
    "Requeued": dict(contact="c1", agent="a1", at=2.0),
    "Abandoned": dict(contact="c1", at=3.0, wait=2.0),
    "Completed": dict(contact="c1", agent="a1", at=4.0),
    "WrapUpEnded": dict(contact="c1", agent="a1", at=5.0),
    "Overflowed": dict(contact="c1", from_queue="q1", to_queue="q2", at=6.0),
    "StepAdvanced": dict(contact="c1", step=0, at=7.0),
    "Refused": dict(contact="c1", queue="q1", reason="full", at=8.0),
}


# -- the package ---------------------------------------------------------


def test_quickstart_example_from_the_brief():
    router = cc.Router(
        channels=[cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=0.0), cc.Channel("chat", cost=25, max_per_agent=4)],
        queues=[cc.Queue("sales", sl_target=0.8, sl_threshold=20.0)],
        policy="longest_idle",
        offer_timeout=None,
        seed=0,
    )
    assert router.add_agent(
        cc.Agent("a1", skills={"spanish": 7}, capacity=100, channels={"voice": 1, "chat": 3}, state="available"), now=0.0
    ) == []
    events = router.submit(
        cc.Contact("c1", channel="voice", queue="sales", priority=0, requires={"spanish": 5}, prefers={},
                   customer=None, steps=[cc.Step(after=30.0, requires={})]),
        now=1.0,
    )
    assert events == [cc.Assigned(contact="c1", agent="a1", at=1.0, wait=0.0)]
    router.check_invariants()


def test_every_name_in_all_is_importable():
    assert len(set(cc.__all__)) == len(cc.__all__)
    for name in cc.__all__:
        assert getattr(cc, name) is not None, name
    namespace: dict = {}
    exec("from ccroute import *", namespace)
    assert set(cc.__all__) <= set(namespace)
    assert isinstance(cc.__version__, str) and cc.__version__


def test_policies_lists_the_six_builtins_in_documentation_order():
    assert cc.POLICIES == ("longest_idle", "most_skilled", "least_occupied", "fewest_handled", "round_robin", "random")
    for name in cc.POLICIES:
        assert make_router(policy=name).policy == name


def test_every_error_class_is_a_routing_error():
    for name in ("UnknownId", "DuplicateId", "InvalidInput", "InvalidState", "CapacityError", "QueueFull", "SnapshotError"):
        assert issubclass(getattr(cc, name), cc.RoutingError)
    assert issubclass(cc.UnknownId, KeyError)
    assert issubclass(cc.DuplicateId, ValueError)
    assert issubclass(cc.InvalidInput, ValueError)
    # KeyError would quote the message; UnknownId does not.
    assert str(cc.UnknownId('unknown agent "x"')) == 'unknown agent "x"'


# -- events --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(EVENT_SAMPLES))
def test_every_event_class_has_contact_at_kind_and_compares_by_fields(name):
    cls = getattr(cc, name)
    assert name in cc.__all__
    fields = EVENT_SAMPLES[name]
    ev = cls(**fields)
    assert ev.contact == "c1"
    assert ev.at == fields["at"]
    assert ev.kind == name
    for field, value in fields.items():
        assert getattr(ev, field) == value
    assert ev == cls(**fields)
    assert not (ev != cls(**fields))
    assert ev != cls(**{**fields, "contact": "c2"})
    assert ev != cls(**{**fields, "at": fields["at"] + 1})
    other = next(n for n in EVENT_SAMPLES if n != name)
    assert ev != getattr(cc, other)(**EVENT_SAMPLES[other])
    assert ev != "c1"
    # The repr is Python: evaluating it gives an equal event.
    assert repr(ev).startswith(f"{name}(contact='c1'")
    assert eval(repr(ev), {name: cls}) == ev  # noqa: S307 (our own repr)
    # Keyword-only constructor, frozen instances.
    with pytest.raises(TypeError):
        cls(*fields.values())
    with pytest.raises(AttributeError):
        ev.contact = "other"  # type: ignore[misc]


@pytest.mark.parametrize("weird", ["a\\b", "line\nbreak", "it's", 'say "hi"', "tab\there", "ünï"])
def test_event_repr_round_trips_ids_with_special_characters(weird):
    ev = cc.Assigned(contact=weird, agent="a1", at=1.0, wait=0.0)
    assert repr(ev) == f"Assigned(contact={weird!r}, agent='a1', at=1.0, wait=0.0)"
    assert eval(repr(ev), {"Assigned": cc.Assigned}) == ev  # noqa: S307


# -- configuration records -----------------------------------------------


def test_configuration_records_keep_their_values():
    ch = cc.Channel("chat", cost=25, max_per_agent=3, wrap_up=5.0)
    assert (ch.name, ch.cost, ch.max_per_agent, ch.wrap_up) == ("chat", 25, 3, 5.0)
    q = cc.Queue("sales", sl_target=0.9, sl_threshold=15.0, aging_rate=0.5, max_waiting=7,
                 overflow_to="backup", overflow_after=60.0)
    assert (q.name, q.sl_target, q.sl_threshold, q.aging_rate, q.max_waiting, q.overflow_to, q.overflow_after) == (
        "sales", 0.9, 15.0, 0.5, 7, "backup", 60.0)
    q0 = cc.Queue("plain")
    assert (q0.sl_target, q0.sl_threshold, q0.aging_rate, q0.max_waiting, q0.overflow_to, q0.overflow_after) == (
        0.8, 20.0, 0.0, None, None, None)
    a = cc.Agent("a1", skills={"spanish": 7, "billing": 2}, capacity=150, channels={"voice": 1, "chat": 3},
                 state="away", attributes={"team": "north", "senior": True, "years": 4, "rating": 4.5})
    assert a.id == "a1"
    assert a.skills == {"spanish": 7, "billing": 2}
    assert (a.capacity, a.state) == (150, "away")
    assert a.channels == {"voice": 1, "chat": 3}
    assert a.attributes == {"team": "north", "senior": True, "years": 4, "rating": 4.5}
    assert cc.Agent("a2").channels is None
    assert (cc.Agent("a2").capacity, cc.Agent("a2").state, cc.Agent("a2").skills) == (100, "available", {})
    s = cc.Step(after=30.0, requires={"spanish": 3})
    assert (s.after, s.requires) == (30.0, {"spanish": 3})
    c = cc.Contact("c1", channel="voice", queue="sales", priority=3, requires={"spanish": 5}, prefers={"billing": 2},
                   customer="cust", preferred_agent="a1", preferred_wait=12.0, steps=[s], attributes={"vip": True})
    assert (c.id, c.channel, c.queue, c.priority, c.customer, c.preferred_agent, c.preferred_wait) == (
        "c1", "voice", "sales", 3, "cust", "a1", 12.0)
    assert c.requires == {"spanish": 5} and c.prefers == {"billing": 2}
    assert [(x.after, x.requires) for x in c.steps] == [(30.0, {"spanish": 3})]
    assert c.attributes == {"vip": True}


def test_configuration_reprs_name_their_values():
    r = repr(cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=2.5))
    assert r.startswith("Channel(") and "voice" in r and "cost=100" in r and "max_per_agent=1" in r and "wrap_up=2.5" in r
    r = repr(cc.Queue("sales", max_waiting=5, overflow_to="backup", overflow_after=3.0))
    assert r.startswith("Queue(") and "sales" in r and "sl_target=0.8" in r and "sl_threshold=20.0" in r
    assert "max_waiting=5" in r and "backup" in r and "overflow_after=3.0" in r
    r = repr(cc.Agent("a1", skills={"spanish": 7}, state="away"))
    assert r.startswith("Agent(") and "a1" in r and "spanish" in r and "7" in r and "away" in r
    r = repr(cc.Contact("c1", channel="voice", queue="sales", priority=4, requires={"spanish": 5}))
    assert r.startswith("Contact(") and all(x in r for x in ("c1", "voice", "sales", "priority=4", "spanish", "5"))
    r = repr(cc.Step(after=30.0, requires={"spanish": 3}))
    assert r.startswith("Step(after=30.0") and "spanish" in r


#: Records whose repr should evaluate back to an equal record (for the
#: fields the repr shows).
REPR_RECORDS = {
    "Channel": (lambda: cc.Channel("voice", cost=100, max_per_agent=2, wrap_up=2.5),
                ("name", "cost", "max_per_agent", "wrap_up")),
    "Queue": (lambda: cc.Queue("sales", sl_target=0.9, sl_threshold=15.0, aging_rate=0.5, max_waiting=5,
                               overflow_to="backup", overflow_after=3.0),
              ("name", "sl_target", "sl_threshold", "aging_rate", "max_waiting", "overflow_to", "overflow_after")),
    "Queue-defaults": (lambda: cc.Queue("plain"),
                       ("name", "sl_target", "sl_threshold", "aging_rate", "max_waiting", "overflow_to", "overflow_after")),
    "Agent": (lambda: cc.Agent("a1", skills={"spanish": 7}, state="away"), ("id", "skills", "state")),
    "Contact": (lambda: cc.Contact("c1", channel="voice", queue="sales", priority=4, requires={"spanish": 5}),
                ("id", "channel", "queue", "priority", "requires")),
    "Step": (lambda: cc.Step(after=30.0, requires={"spanish": 3}), ("after", "requires")),
}


@pytest.mark.parametrize("name", [
    "Channel", "Queue", "Queue-defaults",
    "Agent",
    "Contact",
    "Step",
])
def test_configuration_repr_evaluates_to_an_equal_record(name):
    make, fields = REPR_RECORDS[name]
    record = make()
    r = repr(record)
    assert "Some(" not in r
    copy = eval(r, {"Channel": cc.Channel, "Queue": cc.Queue, "Agent": cc.Agent, "Contact": cc.Contact,  # noqa: S307
                    "Step": cc.Step})
    assert [getattr(copy, f) for f in fields] == [getattr(record, f) for f in fields]


def test_router_and_view_reprs():
    r = two_channel_router()
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.submit(cc.Contact("c1", channel="voice", queue="sales"), now=2.0)
    assert repr(r) == "Router(policy='longest_idle', now=2.0, live_contacts=1)"
    s = repr(r.stats()["sales"])
    assert s.startswith("QueueStats('sales'") and "entered=1" in s and "answered=1" in s and "service_level=1.0" in s
    a = repr(r.agent("a1"))
    assert a.startswith("AgentView('a1'") and "state='available'" in a and "load=1.0" in a and "c1" in a
    c = repr(r.contact("c1"))
    assert c == "ContactView('c1', status='assigned', queue='sales', agent='a1')"
    assert repr(make_router().stats()["sales"]).endswith("service_level=None, asa=None)")
