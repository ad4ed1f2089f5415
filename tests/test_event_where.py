"""Every routing event names its contact's queue and channel; an expected
event may leave them out and then matches any."""

from __future__ import annotations

import pytest

import ccroute as cc
from ccroute.server.events import EventRecord
from ccroute.server.wire import event_from_pb, event_to_pb


def _router(**kwargs: object) -> cc.Router:
    return cc.Router(
        channels=[cc.Channel("voice"), cc.Channel("chat", max_per_agent=3, wrap_up=5.0)],
        queues=[cc.Queue("first", overflow_to="second", overflow_after=10.0), cc.Queue("second")],
        **kwargs,
    )


def test_each_event_of_a_contacts_life_names_its_queue_and_channel() -> None:
    r = _router(offer_timeout=4.0)
    r.submit(cc.Contact("c1", "chat", "first", steps=[cc.Step(after=2.0, requires={})], requires={"fr": 3}), now=0.0)
    events = r.advance(2.0) + r.advance(10.0)
    assert [(e.kind, e.queue if e.kind != "Overflowed" else e.to_queue, e.channel) for e in events] == [
        ("StepAdvanced", "first", "chat"),
        ("Overflowed", "second", "chat"),
    ]
    assert events[1].from_queue == "first"
    events = r.add_agent(cc.Agent("a1"), now=11.0)
    events += r.advance(15.0)  # the offer expires: OfferExpired, NotResponding
    events += r.add_agent(cc.Agent("a2"), now=16.0)  # offered to a2, who rejects it
    events += r.reject("c1", "a2", now=17.0)
    events += r.add_agent(cc.Agent("a3"), now=18.0)
    events += r.accept("c1", "a3", now=19.0)
    events += r.complete("c1", now=20.0) + r.advance(25.0)
    kinds = [e.kind for e in events]
    assert kinds == [
        "Offered", "OfferExpired", "NotResponding", "Offered", "OfferRejected", "Offered", "Assigned", "Completed",
        "WrapUpEnded",
    ]
    assert {(e.queue, e.channel) for e in events} == {("second", "chat")}
    r.submit(cc.Contact("c2", "voice", "first"), now=26.0)
    ab = r.cancel("c2", now=27.0)
    assert (ab[0].kind, ab[0].queue, ab[0].channel) == ("Abandoned", "first", "voice")


def test_a_wrap_up_names_the_queue_even_after_the_queue_is_removed() -> None:
    r = _router()
    r.add_agent(cc.Agent("a1"), now=0.0)
    r.submit(cc.Contact("c1", "chat", "first"), now=0.0)
    r.complete("c1", now=1.0)
    r.remove_queue("first", now=2.0)
    (ended,) = r.advance(6.0)
    assert (ended.kind, ended.queue, ended.channel) == ("WrapUpEnded", "first", "chat")
    assert r.restore(r.snapshot()).snapshot() == r.snapshot()


def test_refused_and_requeued_events_name_the_channel() -> None:
    r = cc.Router(
        channels=[cc.Channel("voice")], queues=[cc.Queue("full", max_waiting=0), cc.Queue("q")], offer_timeout=5.0
    )
    (refused,) = r.submit_many([cc.Contact("c1", "voice", "full")], now=0.0)
    assert (refused.kind, refused.queue, refused.channel) == ("Refused", "full", "voice")
    r.add_agent(cc.Agent("a1"), now=1.0)
    r.submit(cc.Contact("c2", "voice", "q"), now=1.0)
    requeued = r.set_agent_state("a1", "away", now=2.0)
    assert [(e.kind, e.queue, e.channel) for e in requeued] == [("Requeued", "q", "voice")]


def test_an_expected_event_may_leave_queue_and_channel_out() -> None:
    full = cc.Assigned(contact="c1", agent="a1", at=1.0, wait=0.0, queue="q", channel="voice")
    assert full == cc.Assigned(contact="c1", agent="a1", at=1.0, wait=0.0)
    assert full == cc.Assigned(contact="c1", agent="a1", at=1.0, wait=0.0, queue="q")
    assert full != cc.Assigned(contact="c1", agent="a1", at=1.0, wait=0.0, queue="other")
    assert full != cc.Assigned(contact="c1", agent="a1", at=1.0, wait=0.0, channel="chat")
    assert full != cc.Assigned(contact="c1", agent="a2", at=1.0, wait=0.0)
    assert cc.Assigned(contact="c1", agent="a1", at=1.0, wait=0.0).queue is None
    assert repr(full) == "Assigned(contact='c1', agent='a1', at=1.0, wait=0.0, queue='q', channel='voice')"
    assert full != cc.Completed(contact="c1", agent="a1", at=1.0)
    assert (full == 3) is False


@pytest.mark.parametrize("offers", [False, True])
def test_queue_and_channel_survive_the_wire(offers: bool) -> None:
    r = _router(offer_timeout=4.0 if offers else None)
    r.add_agent(cc.Agent("a1"), now=0.0)
    events = r.submit(cc.Contact("c1", "chat", "second"), now=0.0)
    events += r.advance(30.0)
    for i, e in enumerate(events, 1):
        seq, back = event_from_pb(event_to_pb(EventRecord(i, e)))
        assert seq == i and back == e and (back.queue, back.channel) == ("second", "chat")
