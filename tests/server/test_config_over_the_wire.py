"""Every option of the embedded router reaches the server and comes back:
YAML, GetConfig, Configure(GetConfig()), and the records of calls."""

from __future__ import annotations

from typing import Callable

import yaml  # type: ignore[import-untyped]

import ccroute as cc
from ccroute.server import RouterSettings, parse_config

from .conftest import Running

YAML = """
channels: [{name: voice}, {name: chat, cost: 25, max_per_agent: 3}]
queues:
  - {name: sales, ordering: lifo, max_waiting: 50}
  - {name: support, ordering: greatest_need, sl_threshold: 40}
  - {name: general, aging_rate: 0.1, aging_max: 3, overflow: {to: support, after: 60}}
routing_profiles:
  - {name: front, queues: [{queue: sales, priority: 2}, {queue: general, delay: 15}]}
policy: {weighted: {skill: 1.0, idle: 0.01, "level:en": 0.5}}
condition_interval: 3
batch_window: 2
"""


def test_a_yaml_configuration_comes_back_from_get_config_unchanged(start_server: Callable[..., Running]) -> None:
    settings = parse_config(yaml.safe_load(YAML)).router
    client = start_server(settings).client()
    got = client.config()
    # Everything as given, except the epoch the server fills in: the
    # instant of its clock's origin, which queues' hours read time against.
    running_epoch = got.epoch
    assert running_epoch > 1.7e9
    assert got == RouterSettings({**settings.to_dict(), "epoch": running_epoch})
    assert [q.ordering for q in got.queues] == ["lifo", "greatest_need", "priority"]
    assert got.batch_window == 2.0 and got.condition_interval == 3.0
    assert got.policy == {"weighted": {"skill": 1.0, "idle": 0.01, "level:en": 0.5}}


def test_configure_with_get_config_changes_nothing(start_server: Callable[..., Running]) -> None:
    settings = parse_config(yaml.safe_load(YAML)).router
    client = start_server(RouterSettings(channels=[cc.Channel("voice")], queues=[cc.Queue("q")])).client()
    first = client.configure(settings.channels, settings.queues,
                             **{k: v for k, v in settings.to_dict().items() if k not in ("channels", "queues")})
    assert first == RouterSettings({**settings.to_dict(), "epoch": first.epoch})
    again = client.configure(first.channels, first.queues,
                             **{k: v for k, v in first.to_dict().items() if k not in ("channels", "queues")})
    assert again == first == client.config()


def test_a_conditional_step_and_a_routing_profile_arrive_intact(start_server: Callable[..., Running]) -> None:
    settings = parse_config(yaml.safe_load(YAML)).router.replace(batch_window=None)
    running = start_server(settings)
    client = running.client()
    client.add_agent(cc.Agent("a1", {"en": 5}, routing_profile="front"))
    assert running.service.agent("a1").routing_profile == "front"
    # The step waits for a queue longer than 1: a step that lost its
    # condition would relax at 20 s and assign c1 to a1.
    client.submit(cc.Contact("c1", "voice", "sales", requires={"en": 9},
                             steps=[cc.Step(20.0, {}, when={"queue_longer_than": 1})]))
    assert running.clock is not None
    running.clock.advance(30.0)
    client.advance()
    assert client.contact("c1").status == "waiting"
    client.submit(cc.Contact("c2", "voice", "sales", requires={"en": 9}))
    running.clock.advance(3.0)  # the next check (condition_interval 3) sees two waiting
    client.advance()
    assert client.contact("c1").agent == "a1"


def test_get_agent_gives_the_reason_code_time_in_state_and_routing_profile(start_server: Callable[..., Running]) -> None:
    running = start_server(parse_config(yaml.safe_load(YAML)).router)
    client = running.client()
    client.add_agent(cc.Agent("a1", {"en": 5}, routing_profile="front"))
    assert running.clock is not None
    running.clock.advance(12.0)
    client.set_agent_state("a1", "away", reason="lunch")
    view = client.agent("a1")
    assert (view.state, view.reason, view.state_since, view.routing_profile) == ("away", "lunch", 12.0, "front")
