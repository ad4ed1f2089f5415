"""Selectors, embedded and through every form: typed agent attributes
(lists included), contacts' selectors in the language and the structured
form, steps over them, weighted preferences, explain, the protocol's
messages and the simulator's scenarios (the rules are worked out in the
core's tests; these check that every interface carries them and refuses
bad input by name, unchanged)."""

from __future__ import annotations

from typing import Any

import pytest

import ccroute as cc
from ccroute.server import wire
from ccroute.sim import AgentGroup, ContactType, Exponential, Poisson, Scenario, run

SPANISH = 'agent.language IN ["es", "pt"] AND agent.tenure_months > 6 AND NOT agent.team == "trainee"'


def router() -> cc.Router:
    r = cc.Router.from_config({"channels": [{"name": "voice"}], "queues": [{"name": "general"}]})
    rows = [("a1", ["es"], 12, "trainee"), ("a2", ["en"], 30, "sales"), ("a3", ["pt", "en"], 7, "sales")]
    for t, (agent, langs, tenure, team) in enumerate(rows):
        r.add_agent(cc.Agent(agent, attributes={"language": langs, "tenure_months": tenure, "team": team}), float(t))
    return r


def test_a_selector_picks_the_agent_it_describes_and_explain_names_the_clause() -> None:
    r = router()
    assert r.agent("a3").attributes["language"] == ["pt", "en"]
    events = r.submit(cc.Contact("c1", "voice", "general", selector=SPANISH), 3.0)
    assert events == [cc.Assigned(contact="c1", agent="a3", at=3.0, wait=0.0)]
    r.submit(cc.Contact("c2", "voice", "general", selector=SPANISH), 4.0)
    why = r.explain("c2")
    assert why.selector == SPANISH
    assert why.ineligible["selector"] == 2 and why.ineligible["channel"] == 1
    assert list(why.selector_clauses.values()) == [1, 0, 1]
    assert why.to_dict()["selector_clauses"] == why.selector_clauses


def test_structured_clauses_expire_and_preferences_score() -> None:
    r = router()
    clause = {"key": "team", "op": "equal", "value": "support", "expires_after": 30.0}
    r.submit(cc.Contact("c1", "voice", "general", selectors=[clause]), 3.0)
    assert r.contact("c1").status == "waiting"
    assert r.explain("c1").next_timer == {"at": 33.0, "what": "selector clauses expire"}
    events = r.advance(33.0)
    assert [type(e).__name__ for e in events] == ["Assigned"]
    p = cc.Router.from_config({"channels": [{"name": "voice"}], "queues": [{"name": "general"}],
                               "policy": "most_skilled"})
    p.add_agent(cc.Agent("us", skills={"gen": 5}, attributes={"region": "us"}), 0.0)
    p.add_agent(cc.Agent("eu", skills={"gen": 5}, attributes={"region": "eu"}), 0.0)
    c = cc.Contact("c1", "voice", "general", requires={"gen": 1},
                   preferences=[{"selector": 'agent.region == "eu"', "weight": 3}])
    assert c.preferences == [{"selector": 'agent.region == "eu"', "weight": 3}]
    assert p.submit(c, 1.0) == [cc.Assigned(contact="c1", agent="eu", at=1.0, wait=0.0)]


def test_steps_and_updates_change_the_selector() -> None:
    r = router()
    for a in ("a1", "a2", "a3"):
        r.set_agent_state(a, "away", 2.0)
    step = cc.Step(10.0, selector='agent.team == "trainee"')
    assert (step.selector, step.replace_selector) == ('agent.team == "trainee"', False)
    r.submit(cc.Contact("c1", "voice", "general", selector='agent.team == "sales"', steps=[step]), 2.0)
    r.advance(12.0)
    assert r.explain("c1").selector == 'agent.team == "sales" OR agent.team == "trainee"'
    r.update_contact("c1", 12.5, selector='agent.tenure_months >= 30')
    assert r.explain("c1").selector == "agent.tenure_months >= 30"
    assert r.set_agent_state("a1", "available", 13.0) == []
    assert [type(e).__name__ for e in r.set_agent_state("a2", "available", 13.0)] == ["Assigned"]


@pytest.mark.parametrize("kwargs, names", [
    ({"selector": "agent.team =="}, "position 13"),
    ({"selector": 'skill.x == "a"'}, "skill.x is a level"),
    ({"selectors": [{"key": "region", "op": "in", "value": "eu"}]}, "takes a list of strings"),
    ({"selectors": [{"key": "region", "op": "near", "value": "eu"}]}, "near"),
    ({"preferences": [{"selector": "agent.vip == true", "weight": 0}]}, "weight 0"),
])
def test_bad_selectors_are_refused_by_name_and_change_nothing(kwargs: dict[str, Any], names: str) -> None:
    r = router()
    before = r.snapshot()
    with pytest.raises(cc.InvalidInput, match=names):
        r.submit(cc.Contact("bad", "voice", "general", **kwargs), 5.0)
    assert r.snapshot() == before
    with pytest.raises(cc.InvalidInput, match="holds strings only, not 3"):
        cc.Agent("x", attributes={"langs": ["es", 3]})


def test_the_protocol_carries_every_selector_field() -> None:
    c = cc.Contact("c1", "voice", "general", selector=SPANISH,
                   selectors=[{"key": "certs", "op": "has", "value": "X", "expires_after": 60.0, "expedite": True},
                              {"key": "agent.region", "op": "in", "value": ["eu", "us"]}],
                   preferences=[{"selector": 'agent.team == "care"', "weight": 4}],
                   steps=[cc.Step(5.0, selector="", replace_selector=False),
                          cc.Step(9.0, selector="agent.vip == true", replace_selector=True)])
    back = wire.contact_from_pb(wire.contact_to_pb(c))
    assert back == c and back.to_dict() == c.to_dict()
    a = cc.Agent("a", attributes={"language": ["es", "en"], "vip": True})
    assert wire.agent_from_pb(wire.agent_to_pb(a)) == a
    update = wire.update_record(selector="agent.vip == true", preferences=[{"selector": "agent.vip == false"}])
    assert wire.contact_update_from_pb(wire.contact_update_to_pb(update)) == update


def test_a_scenario_with_attributes_and_selectors_simulates() -> None:
    scn = Scenario(
        channels=[cc.Channel("voice")], queues=[cc.Queue("q")],
        agent_groups=[AgentGroup("senior", 3, attributes={"tenure": 24, "langs": ["es"]}),
                      AgentGroup("junior", 3, attributes={"tenure": 2, "langs": ["en"]})],
        contact_types=[ContactType("spanish", "voice", "q", arrivals=Poisson(20.0), handle_time=Exponential(120.0),
                                   selector='agent.langs HAS "es" AND agent.tenure > 12'),
                       ContactType("any", "voice", "q", arrivals=Poisson(20.0), handle_time=Exponential(120.0))],
        duration=3600.0, seed=5)
    assert Scenario.from_dict(scn.to_dict()) == scn
    result = run(scn)
    assert result.contacts > 0
    bad = Scenario.from_dict({**scn.to_dict(), "contact_types": [
        {**scn.to_dict()["contact_types"][0], "selector": "agent.langs HAS"}]})
    with pytest.raises(cc.InvalidInput, match="selector"):
        run(bad)
