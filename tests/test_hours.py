"""Opening hours embedded, in YAML, over the wire and in the simulator:
queues that refuse, hold or overflow arrivals while closed, and what their
waiting contacts meet when they close.

The routers' epoch is Monday 2026-12-07 00:00 UTC: router time is seconds
since that midnight (9:00 is 32 400)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

import ccroute as cc
from ccroute.server import parse_config, wire

H = 3600.0
MONDAY = "2026-12-07T00:00:00+00:00"
WEEKDAYS: dict[str, Any] = {"time_zone": "UTC",
                            "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri"], "open": "09:00", "close": "17:00"}]}


def router(**queue: Any) -> cc.Router:
    sales = cc.Queue("sales", hours=WEEKDAYS, **queue)
    return cc.Router([cc.Channel("voice")], [sales, cc.Queue("night")], epoch=MONDAY)


def test_a_closed_queue_refuses_and_counts_it() -> None:
    r = router()
    r.add_agent(cc.Agent("a"), 0.0)
    assert not r.is_open("sales", 8 * H) and r.is_open("night", 8 * H)
    assert r.next_change("sales", 8 * H) == 9 * H and r.next_change("night", 0.0) is None
    events = r.submit(cc.Contact("c1", "voice", "sales"), 8 * H)
    assert events == [cc.Refused(contact="c1", queue="sales", reason="closed", at=8 * H)]
    assert r.contact("c1").status == "refused"
    s = r.stats()["sales"]
    assert (s.refused_closed, s.refused, s.entered) == (1, 0, 0)
    assert [type(e) for e in r.submit(cc.Contact("c2", "voice", "sales"), 9 * H)] == [cc.Assigned]


def test_a_held_contact_is_routed_at_the_opening() -> None:
    r = router(closed_action="hold")
    r.add_agent(cc.Agent("a"), 0.0)
    assert r.submit(cc.Contact("c1", "voice", "sales"), 8 * H) == []
    x = r.explain("c1")
    assert x.next_timer == {"at": 9 * H, "what": "queue opens"}
    assert r.stats()["sales"].held == 1
    events = r.advance(9 * H)
    assert events == [cc.Assigned(contact="c1", agent="a", at=9 * H, wait=H)]


def test_closing_overflows_or_offers_callbacks() -> None:
    r = router(on_close={"overflow": "night"})
    r.submit(cc.Contact("c1", "voice", "sales"), 16 * H)
    assert [type(e) for e in r.advance(17 * H)] == [cc.Overflowed]
    assert r.waiting("night") == ["c1"]
    r = router(on_close={"callback": {"number_of_attempts": 2}})
    r.submit(cc.Contact("c1", "voice", "sales"), 16 * H)
    assert r.advance(17 * H) == [cc.CallbackScheduled(contact="c1", not_before=33 * H, at=17 * H)]


def test_the_epoch_takes_datetimes_and_refuses_naive_ones() -> None:
    aware = datetime(2026, 12, 7, tzinfo=timezone.utc)
    r = cc.Router([cc.Channel("voice")], [cc.Queue("sales", hours=WEEKDAYS)], epoch=aware)
    assert r.config()["epoch"] == aware.timestamp()
    with pytest.raises(cc.InvalidInput, match="has no time zone"):
        cc.Router([cc.Channel("voice")], [cc.Queue("q")], epoch=datetime(2026, 12, 7))
    with pytest.raises(cc.InvalidInput, match="'soon' is not an ISO 8601"):
        cc.Router([cc.Channel("voice")], [cc.Queue("q")], epoch="soon")


@pytest.mark.parametrize("queue,message", [
    ({"hours": {**WEEKDAYS, "time_zone": "Mars/Base"}}, "unknown time zone \"Mars/Base\""),
    ({"hours": {**WEEKDAYS, "weekly": WEEKDAYS["weekly"] + [{"days": ["fri"], "open": "16:00", "close": "18:00"}]}},
     "weekly hours overlap: fri 09:00-17:00 and fri 16:00-18:00"),
    ({"hours": WEEKDAYS, "closed_action": {"overflow": "nowhere"}}, "unknown queue \"nowhere\""),
    ({"hours": WEEKDAYS, "closed_action": "wait"}, "closed_action"),
    ({"closed_action": "hold"}, "need opening hours"),
])
def test_bad_hours_name_the_value(queue: dict[str, Any], message: str) -> None:
    with pytest.raises(cc.InvalidInput, match=message.replace("(", r"\(")):
        cc.Router([cc.Channel("voice")], [cc.Queue("sales", **queue), cc.Queue("night")])


def test_a_bad_reconfiguration_changes_nothing() -> None:
    r = router(closed_action="hold")
    r.submit(cc.Contact("c1", "voice", "sales"), 8 * H)
    before = r.snapshot()
    config = r.config()
    config["queues"][0]["hours"]["time_zone"] = "Nowhere/City"
    with pytest.raises(cc.InvalidInput, match="Nowhere/City"):
        r.reconfigure(8 * H, config)
    assert r.snapshot() == before


YAML = """
epoch: 1796601600
channels: [{name: voice}]
queues:
  - name: sales
    hours:
      time_zone: Europe/Paris
      weekly: [{days: [mon, tue, wed, thu, fri], open: "09:00", close: "18:00"},
               {days: [sat], open: "22:00", close: "02:00"}]
      overrides:
        - {date: "2026-12-25", name: Christmas}
        - {date: "2026-12-24", through: "2026-12-24", hours: [{open: "09:00", close: "12:00"}]}
    closed_action: {overflow: night}
    on_close: {callback: {number_of_attempts: 2, retry_after: 600}}
  - {name: night, closed_action: refuse}
"""


def test_hours_survive_yaml_the_wire_and_a_snapshot() -> None:
    settings = parse_config(yaml.safe_load(YAML)).router
    pb = wire.settings_to_pb(settings)
    assert pb.queues[0].closed_action == wire.model_pb2.CLOSED_ACTION_OVERFLOW
    back = wire.settings_from_pb(pb)
    assert back == settings
    r = cc.Router.from_config(settings.to_dict())
    assert r.config() == cc.Router.from_config(back.to_dict()).config()
    assert cc.Router.restore(r.snapshot()).snapshot() == r.snapshot()


def test_the_wire_refuses_what_it_cannot_carry() -> None:
    q = cc.Queue("sales", hours=WEEKDAYS).to_dict()
    q["hours"]["colour"] = "red"
    with pytest.raises(cc.InvalidInput, match="'colour' cannot be carried"):
        wire.queue_dict_to_pb(q)
    pb = wire.queue_to_pb(cc.Queue("sales", hours=WEEKDAYS))
    pb.closed_overflow_to = "night"
    with pytest.raises(cc.InvalidInput, match="needs closed_action OVERFLOW"):
        wire.queue_dict_from_pb(pb)


def test_a_simulated_day_refuses_while_closed_and_holds_nothing_back() -> None:
    from ccroute import sim

    scn = sim.Scenario.from_dict({
        "epoch": MONDAY,
        "channels": [{"name": "voice"}],
        "queues": [{"name": "q", "hours": {"time_zone": "UTC", "weekly": [
            {"days": ["mon"], "open": "09:00", "close": "17:00"}]}}],
        "agent_groups": [{"name": "g", "count": 3}],
        "contact_types": [{"name": "t", "channel": "voice", "queue": "q", "arrivals": {"poisson": {"per_hour": 60}},
                           "handle_time": {"exponential": {"mean": 120}}}],
        "duration": 24 * H,
    })
    assert sim.Scenario.from_dict(scn.to_dict()) == scn
    rows = {x["metric"]: x["mean"] for x in sim.run(scn).rows() if x["scope"] == "queue"}
    # Open 8 of 24 hours: about two thirds of the ~1440 arrivals are refused.
    assert 800 < rows["refused"] < 1100, rows
    assert rows["unfinished"] == 0
    assert rows["offered"] == pytest.approx(rows["answered"] + rows["refused"])


# -- exception rules ---------------------------------------------------------------------------------
RULES: list[dict[str, Any]] = [
    {"name": "slow", "trigger": {"wait_longer_than": 30}, "action": {"overflow": "backup"}},
    {"name": "crowd", "trigger": {"waiting_more_than": 1}, "action": {"update": {"priority": 5}}},
    {"name": "late", "trigger": {"sl_below": {"fraction": 0.5, "window": 600}}, "action": "offer_callback"},
    {"name": "empty", "trigger": "no_agent_logged_in", "action": "alert"},
]


def rules_router() -> cc.Router:
    return cc.Router([cc.Channel("voice")], [cc.Queue("general", rules=RULES), cc.Queue("backup")])


def test_rules_fire_once_per_contact_and_are_counted() -> None:
    r = rules_router()
    first = r.submit(cc.Contact("c1", "voice", "general"), 0.0)
    assert [(e.rule, e.trigger, e.action) for e in first] == [("empty", "no_agent_logged_in", "alert")]
    second = r.submit(cc.Contact("c2", "voice", "general"), 1.0)
    assert [(e.rule, e.action) for e in second] == [("crowd", "update")]  # the alert is once per crossing
    assert r.contact("c2").priority == 5
    moved = r.advance(30.0)
    assert [type(e).__name__ for e in moved] == ["Exception", "Overflowed"]
    assert isinstance(moved[0], cc.ExceptionEvent) and moved[0].contact == "c1"
    assert r.waiting("backup") == ["c1"]
    assert r.advance(31.0)[0].contact == "c2" and r.advance(500.0) == []
    assert r.stats()["general"].exceptions == 4


def test_rules_survive_the_wire_yaml_and_snapshots() -> None:
    q = cc.Queue("general", rules=RULES)
    assert cc.Queue.from_dict(q.to_dict()) == q
    assert wire.queue_from_pb(wire.queue_to_pb(q)) == q
    r = rules_router()
    r.submit(cc.Contact("c1", "voice", "general"), 0.0)
    assert cc.Router.restore(r.snapshot()).snapshot() == r.snapshot()


@pytest.mark.parametrize("rule,message", [
    ({"name": "x", "trigger": {"wait_longer_than": 5}, "action": {"overflow": "nowhere"}}, "unknown queue \"nowhere\""),
    ({"name": "x", "trigger": {"sl_below": {"fraction": 2}}, "action": "alert"}, "fraction 2"),
    ({"name": "x", "trigger": "soon", "action": "alert"}, "trigger"),
    ({"name": "x", "trigger": "no_agent_logged_in", "action": {"cancel": ""}}, "cancel needs a reason"),
])
def test_bad_rules_name_the_value(rule: dict[str, Any], message: str) -> None:
    with pytest.raises(cc.InvalidInput, match=message):
        cc.Router([cc.Channel("voice")], [cc.Queue("general", rules=[rule]), cc.Queue("backup")])
