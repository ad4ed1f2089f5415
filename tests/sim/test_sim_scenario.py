"""Scenario objects, file loading and validation errors that name the field."""

from __future__ import annotations

import json
import pathlib

import pytest

import ccroute as cc
from ccroute import sim

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "scenarios"


def mmc(**changes: object) -> sim.Scenario:
    """M/M/2 with a short horizon, for validation tests."""
    scn = sim.Scenario(
        channels=[sim.Channel("voice")],
        queues=[sim.Queue("q")],
        agent_groups=[sim.AgentGroup("agents", count=2)],
        contact_types=[sim.ContactType("call", channel="voice", queue="q", arrivals=sim.Poisson(per_hour=60),
                                       handle_time=sim.Exponential(mean=90))],
        duration=3600,
    )
    return scn.replace(**changes)


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")) + sorted(EXAMPLES.glob("*.toml")),
                         ids=lambda p: p.name)
def test_every_example_loads_and_validates(path: pathlib.Path) -> None:
    scn = sim.load_scenario(path)
    scn.validate()
    assert scn.contact_types and scn.agent_groups


def test_yaml_toml_json_and_objects_give_the_same_scenario(tmp_path: pathlib.Path) -> None:
    base = sim.load_scenario(EXAMPLES / "mmc.yaml")
    as_json = tmp_path / "mmc.json"
    as_json.write_text(json.dumps({
        "name": base.name, "duration": "10h", "warmup": "1h", "replications": 10, "seed": 1, "interval": "30m",
        "channels": [{"name": "voice", "cost": 100, "max_per_agent": 1}],
        "queues": [{"name": "calls", "sl_target": 0.8, "sl_threshold": 20}],
        "agent_groups": [{"name": "agents", "count": 10}],
        "contact_types": [{"name": "call", "channel": "voice", "queue": "calls",
                           "arrivals": {"kind": "poisson", "per_hour": 170},
                           "handle_time": {"kind": "exponential", "mean": 180}}],
    }))
    as_toml = tmp_path / "mmc.toml"
    as_toml.write_text(
        'name = "M/M/10 at 85 % load"\nduration = "10h"\nwarmup = 3600\nreplications = 10\nseed = 1\n'
        'interval = 1800\n[[channels]]\nname = "voice"\n[[queues]]\nname = "calls"\n'
        '[[agent_groups]]\nname = "agents"\ncount = 10\n[[contact_types]]\nname = "call"\n'
        'channel = "voice"\nqueue = "calls"\narrivals = { poisson = { per_hour = 170 } }\n'
        'handle_time = { exponential = { mean = 180 } }\n'
    )
    objects = sim.Scenario(
        name="M/M/10 at 85 % load", duration=36000, warmup=3600, replications=10, seed=1, interval=1800,
        channels=[sim.Channel("voice")], queues=[sim.Queue("calls")], agent_groups=[sim.AgentGroup("agents", 10)],
        contact_types=[sim.ContactType("call", "voice", "calls", sim.Poisson(170), sim.Exponential(180))],
    )
    core = base.to_core()
    assert sim.load_scenario(as_json).to_core() == core
    assert sim.load_scenario(as_toml).to_core() == core
    assert objects.to_core() == core
    assert core["contact_types"][0]["arrivals"] == {"kind": "poisson", "rate": 170 / 3600}


@pytest.mark.parametrize(
    ("text", "expected"),
    [(90, 90.0), ("90s", 90.0), ("15m", 900.0), ("1.5h", 5400.0), ("1d", 86400.0), ("2.5", 2.5)],
)
def test_durations(text: object, expected: float) -> None:
    assert sim.parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["soon", "-3s", "5 weeks", True, None, float("nan")])
def test_bad_durations_name_the_field(bad: object) -> None:
    with pytest.raises(sim.ScenarioError, match=r"^warmup: "):
        sim.parse_duration(bad, "warmup")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"duration": 0}, r"^duration: must be positive"),
        ({"warmup": 3600}, r"^warmup: 3600.0 s leaves nothing to measure"),
        ({"replications": 0}, r"^replications: must be at least 1"),
        ({"policy": "fastest"}, r"^policy: unknown policy 'fastest'"),
        ({"seed": -1}, r"^seed: must be at least 0"),
        ({"channels": []}, r"^channels: a scenario needs at least one channel"),
        ({"skills": ["sales"]}, None),
    ],
)
def test_top_level_errors(changes: dict[str, object], message: str | None) -> None:
    scn = mmc(**changes)
    if message is None:
        scn.validate()
        return
    with pytest.raises(sim.ScenarioError, match=message):
        scn.validate()


def test_nested_errors_name_the_path() -> None:
    def broken(**kw: object) -> sim.ContactType:
        base = dict(name="call", channel="voice", queue="q", arrivals=sim.Poisson(60), handle_time=sim.Exponential(90))
        base.update(kw)
        return sim.ContactType(**base)  # type: ignore[arg-type]

    cases = [
        (broken(handle_time=sim.Exponential(-3)), r"^contact_types\[0\]\.handle_time\.mean: must be a finite, positive"),
        (broken(patience=sim.LogNormal(60, 0)), r"^contact_types\[0\]\.patience\.sd: must be a finite, positive"),
        (broken(channel="fax"), r"^contact_types\[0\]\.channel: unknown channel 'fax'"),
        (broken(queue="nowhere"), r"^contact_types\[0\]\.queue: unknown queue 'nowhere'"),
        (broken(requires={"sales": 11}), r"^contact_types\[0\]\.requires\.sales: level must be an integer from 1 to 10"),
        (broken(arrivals=sim.PiecewisePoisson(900, [10, -1])), r"^contact_types\[0\]\.arrivals\.per_hour\[1\]"),
        (broken(arrivals=sim.Trace([5, 1])), r"^contact_types\[0\]\.arrivals\.times\[1\]: 1.0 is before"),
        (broken(arrivals=sim.Trace([1, 2], handle_times=[3])), r"^contact_types\[0\]\.arrivals\.handle_times: has 1"),
        (broken(returning=1.5), r"^contact_types\[0\]\.returning: must be a share"),
        (broken(arrivals=sim.Exponential(3)), r"^contact_types\[0\]\.arrivals: must be Poisson"),
        (broken(steps=[sim.Step(after=-1)]), r"^contact_types\[0\]\.steps\[0\]\.after"),
    ]
    for ctype, message in cases:
        with pytest.raises(sim.ScenarioError, match=message):
            mmc(contact_types=[ctype]).validate()
    with pytest.raises(sim.ScenarioError, match=r"^agent_groups\[0\]\.shifts\[1\]: starts \(50.0\) before"):
        mmc(agent_groups=[sim.AgentGroup("a", 1, shifts=[(0, 100), (50, 200)])]).validate()
    with pytest.raises(sim.ScenarioError, match=r"^agent_groups\[0\]\.channels\.fax: unknown channel"):
        mmc(agent_groups=[sim.AgentGroup("a", 1, channels={"fax": 1})]).validate()
    with pytest.raises(sim.ScenarioError, match=r"^agent_groups\[0\]\.skills\.salse: unknown skill 'salse'"):
        mmc(skills=["sales"], agent_groups=[sim.AgentGroup("a", 1, skills={"salse": 5})]).validate()
    with pytest.raises(sim.ScenarioError, match=r"^agent_groups\[1\]\.name: 'a' is used twice"):
        mmc(agent_groups=[sim.AgentGroup("a", 1), sim.AgentGroup("a", 1)]).validate()


def test_the_router_catches_what_python_does_not_and_names_the_type() -> None:
    # Steps may only widen the pool: the router's own check, with the type named.
    ctype = sim.ContactType("vip", "voice", "q", sim.Poisson(60), sim.Exponential(90), requires={"sales": 2},
                            steps=[sim.Step(after=10, requires={"sales": 5})])
    with pytest.raises(cc.InvalidInput, match=r'^contact_types\[0\] \("vip"\): .*do not widen'):
        sim.run(mmc(contact_types=[ctype]))


def test_file_errors_name_the_file_and_field(tmp_path: pathlib.Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("channels: [{name: voice}]\nqueues: [{name: q}]\nagent_groups: [{name: a, count: 1}]\n"
                 "contact_types:\n  - {name: c, channel: voice, queue: q, arrivals: {poisson: {rate: 3}},"
                 " handle_time: {exponential: {mean: 60}}}\nduration: 1h\n")
    with pytest.raises(sim.ScenarioError, match=r"bad\.yaml: contact_types\[0\]\.arrivals\.poisson\.rate: unknown field"):
        sim.load_scenario(f)
    f.write_text("channels: [{name: voice, colour: red}]\nqueues: [{name: q}]\nagent_groups: []\n"
                 "contact_types: []\nduration: 1h\n")
    with pytest.raises(sim.ScenarioError, match=r"bad\.yaml: channels\[0\]\.colour: unknown field"):
        sim.load_scenario(f)
    f.write_text("channels: [\n")
    with pytest.raises(sim.ScenarioError, match=r"is not valid YAML"):
        sim.load_scenario(f)
    with pytest.raises(sim.ScenarioError, match=r"unknown format '\.ini'"):
        sim.load_scenario(tmp_path / "x.ini")
    with pytest.raises(sim.ScenarioError, match=r"cannot read scenario"):
        sim.load_scenario(tmp_path / "missing.yaml")
    assert issubclass(sim.ScenarioError, ValueError) and issubclass(sim.ScenarioError, cc.RoutingError)


def test_trace_from_csv(tmp_path: pathlib.Path) -> None:
    f = tmp_path / "calls.csv"
    f.write_text("time,handle_time,patience,type\n0:01:00,30,,a\n10,20,5,b\n0:00:30,40,7.5,a\n")
    t = sim.Trace.from_csv(f)
    assert t.times == (10.0, 30.0, 60.0)
    assert t.handle_times == (20.0, 40.0, 30.0)
    assert t.patience == (5.0, 7.5, None)
    only_a = sim.Trace.from_csv(f, where={"type": "a"})
    assert only_a.times == (30.0, 60.0)
    with pytest.raises(sim.ScenarioError, match=r"has no column 'when'"):
        sim.Trace.from_csv(f, time="when")
    f.write_text("time\nnoon\n")
    with pytest.raises(sim.ScenarioError, match=r"line 2, column 'time': cannot read 'noon'"):
        sim.Trace.from_csv(f)
