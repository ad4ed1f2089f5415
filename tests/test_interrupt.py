"""Interruptible work embedded, over gRPC (with its WAL command form) and in
the simulator: an email paused by a call and resumed after its wrap-up, pause
and resume by hand, and a simulated email's handle time stopping while
paused."""

from __future__ import annotations

import pytest

import ccroute as cc
from ccroute.server import commands as cmd
from ccroute.server import wire
from ccroute.server.persistence import codec

VOICE = cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=5.0)
EMAIL = cc.Channel("email", cost=10, max_per_agent=10, interruptible=True)


def router() -> cc.Router:
    r = cc.Router([VOICE, EMAIL], [cc.Queue("q")])
    r.add_agent(cc.Agent("a"), 0.0)
    return r


def test_a_call_pauses_an_email_until_its_wrap_up_is_over() -> None:
    r = router()
    r.submit(cc.Contact("e1", "email", "q"), 0.0)
    events = r.submit(cc.Contact("c1", "voice", "q"), 1.0)
    assert events[0] == cc.Paused(contact="e1", agent="a", by_hand=False, at=1.0)
    assert isinstance(events[1], cc.Assigned)
    r.complete("c1", 10.0)
    assert r.advance(15.0)[1] == cc.Resumed(contact="e1", agent="a", at=15.0)


def test_pause_and_resume_by_hand_and_their_refusals() -> None:
    r = router()
    r.submit(cc.Contact("e1", "email", "q"), 0.0)
    assert r.pause("e1", 1.0) == [cc.Paused(contact="e1", agent="a", by_hand=True, at=1.0)]
    before = r.snapshot()
    with pytest.raises(cc.InvalidState, match="paused already"):
        r.pause("e1", 2.0)
    with pytest.raises(cc.InvalidState, match="resume it before completing"):
        r.complete("e1", 2.0)
    assert r.snapshot() == before
    assert r.resume("e1", 3.0) == [cc.Resumed(contact="e1", agent="a", at=3.0)]
    with pytest.raises(cc.InvalidState, match="not paused"):
        r.resume("e1", 4.0)


def test_the_channel_flag_and_commands_cross_the_wire_and_the_log() -> None:
    assert wire.channel_from_pb(wire.channel_to_pb(EMAIL)) == EMAIL
    assert cc.Channel.from_dict(EMAIL.to_dict()).interruptible
    for c in (cmd.Pause("e1"), cmd.Resume("e1")):
        assert codec._decode(codec._encode(c)) == c


def test_a_simulated_email_is_paused_by_calls_and_still_finishes() -> None:
    from ccroute import sim

    scn = sim.Scenario.from_dict({
        "channels": [VOICE.to_dict(), EMAIL.to_dict()],
        "queues": [{"name": "q"}],
        "agent_groups": [{"name": "g", "count": 2}],
        "contact_types": [
            {"name": "call", "channel": "voice", "queue": "q", "arrivals": {"poisson": {"per_hour": 40}},
             "handle_time": {"exponential": {"mean": 120}}},
            {"name": "mail", "channel": "email", "queue": "q", "arrivals": {"poisson": {"per_hour": 60}},
             "handle_time": {"exponential": {"mean": 300}}},
        ],
        "duration": 4 * 3600,
    })
    rows = {(x["name"], x["metric"]): x["mean"] for x in sim.run(scn, seed=3).rows() if x["scope"] == "type"}
    assert rows[("mail", "unfinished")] == 0 and rows[("call", "unfinished")] == 0
    assert rows[("mail", "answered")] == rows[("mail", "offered")]
