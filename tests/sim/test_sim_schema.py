"""The scenario and the engine's model are one schema.

Channels, queues, routing profiles and steps are the engine's own records;
the router options a scenario carries are those of ``Router.config()`` but
an explicit list; agent groups and contact types carry the fields of the
engine's agent and contact but an explicit list. A field the engine gains
fails these tests until the scenario carries it (or the list says why
not). ``Scenario.to_dict()``/``from_dict()`` round-trip every field.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import yaml  # type: ignore[import-untyped]
from hypothesis import given
from hypothesis import strategies as st

import ccroute as cc
from ccroute import _ccroute, policies, sim

CONFIG = _ccroute.normalize_config({"channels": [{"name": "c"}], "queues": [{"name": "q"}]})

#: Agent fields an agent group does not carry: agents of a group are
#: numbered (``0``, ``1``, ...) and their state follows the shifts (the
#: simulator adds the attribute ``group`` unless the group sets it).
AGENT_NOT_IN_GROUP = {"id", "state"}
#: What a group adds: its name, its size and its shifts.
GROUP_ONLY = {"name", "count", "shifts"}
#: Contact fields a contact type does not carry: ids are numbered, the
#: customer is drawn (``returning``, ``customers``), no agent is preferred
#: and no attributes are set (a plug-in sees ``type``).
CONTACT_NOT_IN_TYPE = {"id", "customer", "preferred_agent", "preferred_wait", "attributes",
                       # A type schedules a share of its contacts (`scheduled`).
                       "not_before"}
#: What a type adds: its name, how contacts arrive, last and come back.
TYPE_ONLY = {"name", "arrivals", "handle_time", "patience", "returning", "customers", "transfer", "scheduled"}


def fields(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_the_scenario_carries_every_router_option_but_those_listed() -> None:
    assert set(sim.NOT_SIMULATED) <= set(CONFIG), "NOT_SIMULATED names a field the router no longer has"
    missing = set(CONFIG) - set(sim.NOT_SIMULATED) - fields(sim.Scenario)
    assert not missing, f"the router's configuration gained {sorted(missing)}: carry it in the scenario"
    core = mmc().to_core()
    assert set(CONFIG) - set(sim.NOT_SIMULATED) <= set(core), "the native scenario lacks a router option"


def test_groups_and_types_carry_the_fields_of_agents_and_contacts() -> None:
    agent = set(cc.Agent("a").to_dict())
    assert fields(sim.AgentGroup) - GROUP_ONLY == agent - AGENT_NOT_IN_GROUP
    contact = set(cc.Contact("c", "voice", "q").to_dict())
    assert fields(sim.ContactType) - TYPE_ONLY == contact - CONTACT_NOT_IN_TYPE


def test_records_are_the_engines() -> None:
    assert (sim.Channel, sim.Queue, sim.Step, sim.RoutingProfile) == (cc.Channel, cc.Queue, cc.Step, cc.RoutingProfile)
    d = mmc(queues=[{"name": "q", "ordering": "lifo"}]).to_dict()
    assert d["queues"] == [cc.Queue("q", ordering="lifo").to_dict()]
    assert d["channels"] == [cc.Channel("voice").to_dict()]


def mmc(**changes: Any) -> sim.Scenario:
    return sim.Scenario(
        channels=[sim.Channel("voice")], queues=[sim.Queue("q")], agent_groups=[sim.AgentGroup("a", 2)],
        contact_types=[sim.ContactType("call", "voice", "q", sim.Poisson(60), sim.Exponential(90))],
        duration=3600,
    ).replace(**changes)


# -- every field non-default somewhere ------------------------------------------------
names = st.text("abcdefgh", min_size=1, max_size=5)
seconds = st.floats(0, 1e5, allow_nan=False, allow_infinity=False)
levels = st.dictionaries(names, st.integers(1, 10), max_size=2)
conditions = st.one_of(st.none(), st.just("no_agent_available"),
                       st.builds(lambda n: {"queue_longer_than": n}, st.integers(0, 100)),
                       st.builds(lambda t: {"longest_wait_above": t}, seconds))
builtin = [p for p in cc.POLICIES if p != "random"]
policy_args = st.one_of(
    st.sampled_from(list(cc.POLICIES)),
    st.builds(lambda c: policies.Chain(*c), st.lists(st.sampled_from(builtin), min_size=2, max_size=4, unique=True)),
    st.builds(policies.Weighted, st.dictionaries(
        st.sampled_from(["skill", "preferred", "idle", "load", "handled", "free", "level:abc"]),
        st.floats(-10, 10), min_size=1)),
)


@st.composite
def scenarios(draw: Any) -> sim.Scenario:
    chans = draw(st.lists(names, min_size=1, max_size=2, unique=True))
    qnames = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    channels = [cc.Channel(n, cost=draw(st.integers(1, 100)), max_per_agent=draw(st.integers(1, 5)),
                           wrap_up=draw(seconds), interruptible=draw(st.booleans())) for n in chans]
    queues = []
    for i, n in enumerate(qnames):
        ordering = draw(st.sampled_from(["priority", "lifo", "greatest_need"]))
        rate = 0.0 if ordering == "lifo" else draw(st.sampled_from([0.0, 0.5, 2.0]))
        others = qnames[i + 1:]
        to = draw(st.none() | st.sampled_from(others)) if others else None
        queues.append(cc.Queue(
            n, sl_target=draw(st.floats(0, 1)), sl_threshold=draw(st.floats(0.5, 600)), ordering=ordering,
            aging_rate=rate, aging_max=draw(st.none() | st.floats(0, 100)) if rate else None,
            max_waiting=draw(st.none() | st.integers(0, 1000)),
            overflow_to=to, overflow_after=draw(seconds) if to else None,
            callbacks_per_free_agent=draw(st.sampled_from([1.0, 0.5])),
            **draw(st.sampled_from([{}, {
                "hours": {"time_zone": "Europe/Paris",
                          "weekly": [{"days": ["mon", "tue"], "open": "08:00", "close": "20:00"}],
                          "overrides": [{"date": "2026-12-25", "name": "Christmas"}]},
                "closed_action": "hold",
                "on_close": {"callback": {"number_of_attempts": 2}},
                "rules": [{"name": "slow", "trigger": {"wait_longer_than": 60}, "action": "alert"},
                          {"name": "crowd", "trigger": {"waiting_more_than": 10},
                           "action": {"update": {"priority": 3}}}],
            }])),
        ))
    profiles = [cc.RoutingProfile(f"p{i}", {q: (draw(st.integers(-5, 5)), draw(seconds))
                                           for q in draw(st.lists(st.sampled_from(qnames), min_size=1, unique=True))})
                for i in range(draw(st.integers(0, 2)))]
    groups = [sim.AgentGroup(f"g{i}", draw(st.integers(0, 5)), skills=draw(levels), capacity=draw(st.integers(100, 300)),
                             channels=draw(st.none() | st.dictionaries(st.sampled_from(chans), st.integers(0, 3))),
                             routing_profile=draw(st.none() | st.sampled_from([p.name for p in profiles]))
                             if profiles else None,
                             attributes=draw(st.sampled_from([{}, {"team": "a", "langs": ["es"], "tenure": 4}])))
              for i in range(draw(st.integers(1, 2)))]
    types = [sim.ContactType(
        f"t{i}", draw(st.sampled_from(chans)), draw(st.sampled_from(qnames)), sim.Poisson(draw(st.floats(0, 500))),
        sim.Exponential(draw(st.floats(1, 600))), priority=draw(st.integers(-3, 3)), requires=draw(levels),
        steps=[cc.Step(draw(seconds), draw(levels), when=draw(conditions),
                       selector=draw(st.none() | st.sampled_from(["", 'agent.team == "a"'])),
                       replace_selector=draw(st.booleans()))
               for _ in range(draw(st.integers(0, 2)))],
        selector=draw(st.sampled_from(["", "agent.tenure > 3", 'agent.langs HAS "es" OR skill.x >= 2'])),
        selectors=draw(st.sampled_from([[], [{"key": "team", "op": "in", "value": ["a", "b"],
                                              "expires_after": 30.0, "expedite": True}]])),
        preferences=draw(st.sampled_from([[], [{"selector": "agent.vip == true", "weight": 3}]])),
    ) for i in range(draw(st.integers(1, 2)))]
    return sim.Scenario(
        channels=channels, queues=queues, routing_profiles=profiles, agent_groups=groups, contact_types=types,
        duration=draw(st.floats(3600, 1e5)), policy=draw(policy_args), affinity=draw(st.booleans()),
        affinity_wait=draw(seconds), condition_interval=draw(st.floats(0.5, 60)),
        batch_window=draw(st.none() | st.floats(0.5, 60)),
        epoch=draw(st.sampled_from([0.0, 1796601600.0, "2026-12-07T00:00:00+01:00"])),
    )


@given(scenarios())
def test_a_scenario_survives_its_plain_and_yaml_forms(s: sim.Scenario) -> None:
    d = s.to_dict()
    assert sim.Scenario.from_dict(d) == s
    text = yaml.safe_dump(d, sort_keys=False)
    back = sim.Scenario.from_dict(yaml.safe_load(text))
    assert back == s and back.to_dict() == d


def test_the_strategy_sets_every_new_field() -> None:
    # Every field the scenario gained from the engine takes a non-default
    # value in some example of the round trip above.
    seen: set[str] = set()
    queue, step = cc.Queue("q").to_dict(), cc.Step().to_dict()

    @given(scenarios())
    def collect(s: sim.Scenario) -> None:
        d = s.to_dict()
        seen.update(k for q in d["queues"] for k, v in q.items() if v != queue[k])
        seen.update(k for t in d["contact_types"] for x in t["steps"] for k, v in x.items() if v != step[k])
        seen.update(k for g in d["agent_groups"] for k in ("routing_profile",) if g[k] is not None)
        seen.update(k for k, default in (("routing_profiles", []), ("batch_window", None), ("condition_interval", 5.0))
                    if d[k] != default)
        if isinstance(d["policy"], dict):
            seen.update(f"policy.{form}" for form in d["policy"])

    collect()
    wanted = (set(queue) | set(step) | {"routing_profiles", "batch_window", "condition_interval", "routing_profile",
                                         "policy.chain", "policy.weighted"})
    assert wanted <= seen, f"never set: {sorted(wanted - seen)}"
