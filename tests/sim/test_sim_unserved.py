"""Contacts nobody serves: validation says so, and the figures count them.

A queue fed by a type no agent group can serve used to report a high
service level and 0 % abandoned, its unanswered contacts counted as
``unfinished`` (left out of every formula and never shown). The service
level now counts contacts still waiting past the threshold when the
simulation ends (as ContactCenters and the Erlang formulas do), and the
results and the CLI show unfinished contacts per queue and type.
"""

from __future__ import annotations

import warnings

import pytest

from ccroute import sim
from ccroute.cli import main

YAML = """
channels: [{name: voice}]
queues: [{name: support, sl_threshold: 20}]
agent_groups: [{name: en, count: 12, skills: {en: 5}}]
contact_types:
  - {name: english, channel: voice, queue: support, requires: {en: 1},
     arrivals: {poisson: {per_hour: 180}}, handle_time: {exponential: {mean: 180}}}
  - {name: french, channel: voice, queue: support, requires: {fr: 1},
     arrivals: {poisson: {per_hour: 180}}, handle_time: {exponential: {mean: 180}}}
duration: 4h
warmup: 10m
seed: 3
"""


def scenario(unservable: str = "warn", english_agents: int = 12, reps: int = 2) -> sim.Scenario:
    return sim.Scenario(
        channels=[sim.Channel("voice")],
        queues=[sim.Queue("support", sl_threshold=20)],
        agent_groups=[sim.AgentGroup("en", count=english_agents, skills={"en": 5})],
        contact_types=[
            sim.ContactType("english", "voice", "support", sim.Poisson(per_hour=180), sim.Exponential(180),
                            requires={"en": 1}),
            sim.ContactType("french", "voice", "support", sim.Poisson(per_hour=180), sim.Exponential(180),
                            requires={"fr": 1}),
        ],
        duration=4 * 3600, warmup=600, replications=reps, seed=3, interval=3600, unservable=unservable,
    )


def test_a_type_no_group_can_serve_warns_naming_it():
    with pytest.warns(sim.UnservableWarning, match=r'contact_types\[1\] \("french"\).*fr>=1'):
        sim.run(scenario())


def test_a_type_no_group_can_serve_is_refused_when_asked():
    with pytest.raises(sim.ScenarioError, match=r'contact_types\[1\] \("french"\).*unservable: refuse'):
        sim.run(scenario("refuse"))
    with pytest.raises(sim.ScenarioError, match="unservable: must be 'warn' or 'refuse'"):
        scenario("maybe").validate()


def test_a_relaxation_step_or_another_group_makes_a_type_servable():
    scn = scenario("refuse")
    scn.contact_types[1].steps = [sim.Step(after=30, requires={})]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sim.run(scn.replace(replications=1))
    scn = scenario("refuse")
    scn.agent_groups.append(sim.AgentGroup("fr", count=1, skills={"fr": 3}, channels={"voice": 0}))
    with pytest.raises(sim.ScenarioError, match="french"):  # a group without the channel does not count
        sim.run(scn)


def test_service_level_counts_contacts_left_waiting_past_the_threshold():
    with pytest.warns(sim.UnservableWarning):
        res = sim.run(scenario())
    q = res.queues["support"]
    french = res.types["french"]
    english = res.types["english"]
    for rep in res.replications:
        fr = rep["types"][1]
        # Every French contact is unanswered, and all but the last few have
        # waited past 20 s by the end: none is left out of the service level.
        assert fr["answered"] == 0 and fr["unfinished"] == fr["offered"] > 0
        assert fr["unfinished_late"] == fr["unfinished"]
        assert fr["service_level"] == 0.0
        sq = rep["queues"][0]
        assert sq["service_level"] == pytest.approx(
            sq["answered_in_sl"] / (sq["answered"] + sq["abandoned"] + sq["unfinished_late"]))
    assert french["service_level"].mean == 0.0
    assert english["service_level"].mean > 0.6
    # Half the queue's contacts are never answered: its service level is
    # at most about one half, not the 85 % of the answered ones.
    assert q["service_level"].mean < 0.55
    assert q["unfinished"].mean == french["unfinished"].mean


def test_with_no_agents_the_service_level_is_zero():
    scn = scenario(english_agents=0)
    with pytest.warns(sim.UnservableWarning):
        res = sim.run(scn.replace(replications=1))
    assert res.total["service_level"].mean == 0.0
    series = res.series["all"]["service_level"]
    assert all(v == 0.0 for v in series), series


def test_cli_shows_unfinished_per_queue_and_type_and_the_definition(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(YAML, encoding="utf-8")
    assert main(["simulate", str(path), "--quiet", "--reps", "2", "--jobs", "1"]) == 0
    out, err = capsys.readouterr()
    assert "ccroute: warning: contact_types[1] (\"french\")" in err
    assert "unfinished" in out and "type french" in out and "queue support" in out
    assert "unfinished past the threshold" in " ".join(out.split())
