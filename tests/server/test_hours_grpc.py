"""Opening hours over gRPC: a queue's hours reach the server whole, a closed
queue's refusal comes back as an event with its reason and counts in the
statistics, and the server reads hours against the configured epoch."""

from __future__ import annotations

from typing import Callable

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
