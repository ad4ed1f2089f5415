"""Opening hours over gRPC: a queue's hours reach the server whole, a closed
queue's refusal comes back as an event with its reason and counts in the
statistics, and the server reads hours against the configured epoch."""

from __future__ import annotations

from typing import Callable

import pytest

import ccroute as cc

from .conftest import VOICE, Running, settings

CLOSED = {"time_zone": "Europe/Paris", "weekly": [], "overrides": [
    {"date": "2026-12-25", "hours": [{"open": "10:00", "close": "12:00"}], "name": "Christmas opening"}]}


def test_a_closed_queue_refuses_over_grpc(start_server: Callable[..., Running]) -> None:
    s = settings(channels=(VOICE,), queues=(cc.Queue("sales", hours=CLOSED, on_close={"overflow": "support"}),
                                           cc.Queue("support")), epoch=1796601600.0)
    running = start_server(s)
    client = running.client()
    assert client.config() == running.service.settings
    assert client.config().queues[0].hours == running.service.settings.queues[0].hours
    events = client.submit(cc.Contact("c1", "voice", "sales"))
    assert [(type(e), getattr(e, "reason", None)) for e in events] == [(cc.Refused, "closed")]
    stats = client.stats()
    assert stats["sales"].refused_closed == 1 and stats["sales"].entered == 0


def test_pause_and_resume_over_grpc(start_server: Callable[..., Running]) -> None:
    email = cc.Channel("email", cost=10, max_per_agent=5, interruptible=True)
    running = start_server(settings(channels=(VOICE, email), queues=(cc.Queue("sales"),)))
    client = running.client()
    assert client.config().channels[1].interruptible
    client.upsert_agent(cc.Agent("a"))
    client.submit(cc.Contact("e1", "email", "sales"))
    events = client.submit(cc.Contact("c1", "voice", "sales"))
    assert [type(e).__name__ for e in events] == ["Paused", "Assigned"]
    assert events[0].by_hand is False
    assert [type(e).__name__ for e in client.complete("c1")] == ["Completed", "Resumed"]  # voice: no wrap-up
    assert [type(e).__name__ for e in client.pause("e1")] == ["Paused"]
    assert [type(e).__name__ for e in client.resume("e1")] == ["Resumed"]
    with pytest.raises(cc.InvalidState, match="not paused"):
        client.resume("e1")
