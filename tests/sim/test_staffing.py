"""Staffing by simulation: the cutting-plane optimiser against exhaustive
search, Erlang C/A, the Wallace & Whitt pooling result, per-interval
staffing, the two-step method, errors and the command line."""

from __future__ import annotations

import dataclasses
import pathlib
import subprocess
import sys

import pytest

from ccroute import erlang, sim, staffing

ROOT = pathlib.Path(__file__).resolve().parents[2]
MMC = ROOT / "examples" / "scenarios" / "mmc.yaml"
WW = ROOT / "examples" / "scenarios" / "wallace_whitt.toml"


def mmc(hours: float = 8.0, **changes) -> sim.Scenario:
    return sim.load_scenario(MMC).replace(duration=hours * 3600.0, warmup=1800.0, **changes)


def test_one_queue_agrees_with_erlang_c() -> None:
    res = staffing.optimize(mmc(), replications=10, validation=10)
    assert res.feasible
    assert res.staffing == {"agents": erlang.required_agents(170 / 3600, 180, target=0.8, threshold=20)}
    assert res.bound == res.cost and res.gap == 0.0
    (est,) = res.estimates
    assert est["met"] and est["mean"] - est["ci95"] > 0.75


def test_one_queue_with_abandonment_agrees_with_erlang_a() -> None:
    scn = mmc()
    t = dataclasses.replace(scn.contact_types[0], patience=sim.Exponential(mean=120.0))
    res = staffing.optimize(scn.replace(contact_types=[t]), replications=10, validation=10)
    want = erlang.required_agents(170 / 3600, 180, target=0.8, threshold=20, patience=120)
    assert abs(res.staffing["agents"] - want) <= 1, (res.staffing, want)


def small_center() -> sim.Scenario:
    """Two queues, three groups (two specialists, one generalist that costs more)."""
    return sim.Scenario.from_dict({
        "name": "small", "duration": 4 * 3600, "warmup": 1800, "seed": 3,
        "channels": [{"name": "voice"}],
        "queues": [{"name": "sales", "sl_threshold": 20, "sl_target": 0.8},
                   {"name": "support", "sl_threshold": 30, "sl_target": 0.8}],
        "agent_groups": [
            {"name": "sales", "count": 1, "skills": {"sales": 5}},
            {"name": "support", "count": 1, "skills": {"support": 5}},
            {"name": "both", "count": 1, "skills": {"sales": 5, "support": 5}},
        ],
        "contact_types": [
            {"name": "s", "channel": "voice", "queue": "sales", "requires": {"sales": 1},
             "arrivals": {"poisson": {"per_hour": 60}}, "handle_time": {"exponential": {"mean": 180}}},
            {"name": "t", "channel": "voice", "queue": "support", "requires": {"support": 1},
             "arrivals": {"poisson": {"per_hour": 40}}, "handle_time": {"exponential": {"mean": 240}}},
        ],
    })


@pytest.mark.parametrize(("both", "seed"), [(1.05, 2), (1.3, 1), (1.6, 2)])
def test_the_optimiser_finds_the_exhaustive_optimum_on_a_small_instance(both: float, seed: int) -> None:
    costs = {"sales": 1.0, "support": 1.0, "both": both}
    scn = small_center().replace(seed=seed)
    opt = staffing.optimize(scn, costs=costs, replications=8, validation=8)
    ref = staffing.exhaustive(scn, {g: range(0, 8) for g in costs}, costs=costs, replications=8, validation=8)
    assert opt.feasible and ref.feasible
    assert opt.cost == pytest.approx(ref.cost)
    assert opt.bound <= opt.cost
    two = staffing.two_step(scn, costs=costs, replications=8, validation=8)
    assert two.feasible and two.cost >= opt.cost


def test_wallace_whitt_chaining_recovers_most_of_the_pooling_benefit() -> None:
    base = sim.load_scenario(WW).replace(duration=3 * 3600.0, warmup=1800.0)
    skills = [f"s{i}" for i in range(1, 7)]

    def variant(width: int) -> sim.Scenario:
        groups = [dataclasses.replace(g, skills={skills[(i + k) % 6]: 5 for k in range(width)})
                  for i, g in enumerate(base.agent_groups)]
        return base.replace(agent_groups=groups)

    targets = {f"type {i}": 0.8 for i in range(1, 7)}
    total = {w: sum(staffing.optimize(variant(w), targets=targets, by="type", replications=6,
                                      validation=6).staffing.values()) for w in (1, 2, 6)}
    single, chained, pooled = total[1], total[2], total[6]
    assert single > chained >= pooled, total
    assert (single - chained) >= 0.7 * (single - pooled), total


def test_per_interval_staffing_follows_the_arrivals() -> None:
    scn = mmc(4.0)
    t = dataclasses.replace(scn.contact_types[0], arrivals=sim.PiecewisePoisson(3600, [60, 240, 240, 60]))
    res = staffing.optimize(scn.replace(contact_types=[t], warmup=0.0), intervals="1h", replications=8, validation=8)
    counts = res.staffing["agents"]
    assert res.feasible and len(counts) == 4
    assert counts[1] > counts[0] and counts[2] > counts[3]
    assert {e["interval"] for e in res.estimates} == {0, 1, 2, 3}
    assert res.cost == pytest.approx(sum(counts))  # one hour each, cost 1 per agent-hour


def test_caps_confidence_and_bad_arguments() -> None:
    loose = staffing.optimize(mmc(), replications=10, validation=10)
    capped = staffing.optimize(mmc(), targets={"calls": {"service_level": 0.8, "asa": 5.0}}, replications=10,
                               validation=10)
    assert capped.cost > loose.cost
    sure = staffing.optimize(mmc(), confidence=0.99, replications=10, validation=10)
    assert sure.cost >= loose.cost
    with pytest.raises(ValueError, match="no queue 'nope'"):
        staffing.optimize(mmc(), targets={"nope": 0.8})
    with pytest.raises(ValueError, match="unknown metric 'speed'"):
        staffing.optimize(mmc(), targets={"calls": {"speed": 1}})
    with pytest.raises(ValueError, match="no agent group 'x'"):
        staffing.optimize(mmc(), costs={"x": 2.0})
    with pytest.raises(ValueError, match="confidence"):
        staffing.optimize(mmc(), confidence=1.5)
    with pytest.raises(ValueError, match="service_level must be a fraction"):
        staffing.optimize(mmc(), targets={"calls": 80})


def test_the_command_line_staffs_a_scenario_and_plots_the_search(tmp_path: pathlib.Path) -> None:
    plot, saved = tmp_path / "search.png", tmp_path / "staffed.yaml"
    out = subprocess.run(
        [sys.executable, "-m", "ccroute.cli", "staff", "--scenario", str(MMC), "--reps", "5", "--validation", "5",
         "--compare-two-step", "--plot", str(plot), "--save", str(saved), "--quiet"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "lower bound" in out.stdout and "two-step" in out.stdout and "yes" in out.stdout
    assert plot.stat().st_size > 0
    assert sim.load_scenario(saved).agent_groups[0].count >= 10
    bad = subprocess.run([sys.executable, "-m", "ccroute.cli", "staff", "--scenario", str(MMC), "--sl", "calls"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert bad.returncode == 2 and "--sl takes NAME=VALUE" in bad.stderr


def two_queues(**changes) -> sim.Scenario:
    def ct(name: str, queue: str) -> dict:
        return {"name": name, "channel": "voice", "queue": queue, "arrivals": {"poisson": {"per_hour": 120}},
                "handle_time": {"exponential": {"mean": 180}}}

    data = {
        "name": "two queues", "duration": "4h", "seed": 3, "channels": [{"name": "voice"}],
        "queues": [{"name": "a", "sl_target": 0.8}, {"name": "b", "sl_target": 0.8}],
        "routing_profiles": [{"name": "pa", "queues": [{"queue": "a"}]}, {"name": "pb", "queues": [{"queue": "b"}]}],
        "agent_groups": [{"name": "ga", "count": 5, "routing_profile": "pa"},
                         {"name": "gb", "count": 5, "routing_profile": "pb"}],
        "contact_types": [ct("ta", "a"), ct("tb", "b")],
    }
    data.update(changes)
    return sim.Scenario.from_dict(data)


def test_routing_profiles_decide_who_can_serve_and_durations_may_be_strings() -> None:
    costs = {"ga": 1.0, "gb": 1.5}
    res = staffing.optimize(two_queues(), costs=costs, replications=6, validation=6)
    two = staffing.two_step(two_queues(), costs=costs, replications=6, validation=6)
    assert res.feasible and res.staffing["gb"] > 0  # queue b has only gb
    assert two.staffing["gb"] > 0
    assert all(e["met"] or e["mean"] > 0.7 for e in res.estimates)


def test_a_queue_nobody_serves_is_named_and_the_default_targets_stay() -> None:
    nobody = two_queues(agent_groups=[{"name": "ga", "count": 5, "routing_profile": "pa"}])
    with pytest.raises(ValueError, match="queue 'b' has a target .* but no agent group can serve"):
        staffing.optimize(nobody)
    # Dropping the target makes it solvable; a cap adds to the default target.
    res = staffing.optimize(nobody, targets={"b": {"service_level": None}}, replications=6, validation=6)
    assert [e["constraint"] for e in res.estimates] == ["a service_level ≥ 0.8"]
    capped = staffing.optimize(mmc(), targets={"calls": {"asa": 120.0}}, replications=10, validation=10)
    assert {e["metric"] for e in capped.estimates} == {"service_level", "asa"}


def test_the_bound_counts_concurrency_and_patience() -> None:
    chat = sim.Scenario.from_dict({
        "name": "chat", "duration": "4h", "warmup": "30m", "seed": 1,
        "channels": [{"name": "chat", "cost": 34, "max_per_agent": 3}],
        "queues": [{"name": "q", "sl_target": 0.8, "sl_threshold": 60}],
        "agent_groups": [{"name": "g", "count": 5}],
        "contact_types": [{"name": "c", "channel": "chat", "queue": "q", "arrivals": {"poisson": {"per_hour": 150}},
                           "handle_time": {"exponential": {"mean": 420}}}],
    })
    res = staffing.optimize(chat, replications=8, validation=8)
    assert res.bound <= res.cost
    scn = mmc()
    t = dataclasses.replace(scn.contact_types[0], patience=sim.Exponential(mean=30.0))
    res = staffing.optimize(scn.replace(contact_types=[t]), replications=8, validation=8)
    assert res.bound <= res.cost + 1  # Erlang A's approximation of the simulated queue, within one agent
