"""Parameter sweeps: the same frames whatever runs them (in-process, the
local pool, Dask, Ray), common random numbers across policies and cells,
grid errors naming the parameter, the command line, and estimates that
agree with ``sim.run``.

One Dask cluster and one Ray instance (two CPUs each, on loopback) serve
the whole module: starting them is most of its run time."""

from __future__ import annotations

import math
import pathlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

import ccroute as cc
from ccroute import sim
from ccroute.cli import main
from ccroute.sim._grid import parse_grid_arg

pd = pytest.importorskip("pandas")

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "scenarios"

GRID: dict[str, list[Any]] = {"agents.agents": [3, 4], "arrivals.scale": [0.9, 1.1]}
POLICIES = ["longest_idle", "most_skilled"]


def scenario(reps: int = 3) -> sim.Scenario:
    """M/M/c-like: two groups (so that policies differ), an hour a replication."""
    return sim.Scenario(
        channels=[sim.Channel("voice")],
        queues=[sim.Queue("q", sl_threshold=20)],
        agent_groups=[sim.AgentGroup("agents", count=3, skills={"s": 5}),
                      sim.AgentGroup("experts", count=1, skills={"s": 9})],
        contact_types=[sim.ContactType("call", "voice", "q", sim.Poisson(per_hour=80), sim.Exponential(150),
                                       patience=sim.Exponential(120), requires={"s": 1})],
        duration=3600, replications=reps, seed=11, interval=900, name="small",
    )


@pytest.fixture(scope="module")
def dask_address() -> Any:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


@pytest.fixture(scope="module")
def ray_started() -> Any:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()


class Alternating(cc.Policy):
    """A stateful plug-in: carried-over state would change a replication."""

    def __init__(self) -> None:
        self.decisions = 0

    def reset(self) -> None:
        self.decisions = 0

    def score(self, contact: Any, agent: Any) -> float:
        self.decisions += 1
        return float((sum(map(ord, agent.id)) + self.decisions) % 5)


def test_plugin_policies_reach_the_pool_forked_or_from_the_fork_server() -> None:
    grid = {"agents.agents": [2, 3]}
    policies: dict[str, sim.PolicyArg] = {"alt": Alternating(), "li": "longest_idle"}
    one = sim.sweep(scenario(reps=2), grid, policies, workers=1).frame
    assert list(one["policy"].unique()) == ["alt", "li"]
    # The pool forks only while no other thread runs (this test comes
    # before the Dask and Ray fixtures start theirs), else starts from a
    # fork server (the plug-in then travels by pickle): same frames.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        served = sim.sweep(scenario(reps=2), grid, policies, workers=2).frame
    finally:
        stop.set()
        other.join()
    forked = sim.sweep(scenario(reps=2), grid, policies, workers=2).frame
    pd.testing.assert_frame_equal(served, one, check_exact=True)
    pd.testing.assert_frame_equal(forked, one, check_exact=True)


def test_frames_are_bit_identical_whatever_runs_them(dask_address: str, ray_started: Any) -> None:
    distributed = pytest.importorskip("distributed")
    one = sim.sweep(scenario(), GRID, POLICIES, workers=1)
    frame = one.frame
    assert len(frame) == 4 * 2 * 3
    assert list(frame.columns[:4]) == ["agents.agents", "arrivals.scale", "policy", "replication"]
    assert {"service_level", "asa", "abandon_rate", "occupancy", "queue.q.asa", "group.experts.occupancy"} <= set(frame)
    runs = {
        "pool": sim.sweep(scenario(), GRID, POLICIES, workers=2),
        "dask address": sim.sweep(scenario(), GRID, POLICIES, executor="dask://" + dask_address.split("://")[1]),
        "ray": sim.sweep(scenario(), GRID, POLICIES, executor="ray"),
        "threads": sim.sweep(scenario(), GRID, POLICIES, executor=ThreadPoolExecutor(2)),
    }
    with distributed.Client(dask_address, set_as_default=False) as client:
        runs["dask client"] = sim.sweep(scenario(), GRID, POLICIES, executor=client)
    for name, res in runs.items():
        pd.testing.assert_frame_equal(res.frame, frame, check_exact=True, obj=name)


def test_common_random_numbers_across_policies_and_cells() -> None:
    res = sim.sweep(scenario(reps=3), {"agents.agents": [3, 5]}, POLICIES + [cc.Chain("least_occupied", "fewest_handled")],
                    workers=1)
    f = res.frame
    assert res.policies == ["longest_idle", "most_skilled", "chain(least_occupied, fewest_handled)"]
    by = {(c, p): g["offered"].tolist() for (c, p), g in f.groupby(["agents.agents", "policy"], sort=False)}
    # Every policy and every staffing sees the same arrivals, replication by replication ...
    assert len(set(map(tuple, by.values()))) == 1
    # ... which differ between replications.
    assert len(set(by[(3, "longest_idle")])) > 1
    # The policies do route differently.
    cell = f[f["agents.agents"] == 3]
    occ = cell.groupby("policy", sort=False)["group.experts.occupancy"].apply(tuple)
    assert occ["longest_idle"] != occ["most_skilled"]


def test_grid_values_are_parsed_from_the_command_line() -> None:
    assert parse_grid_arg("agents.sales=8:14") == ("agents.sales", list(range(8, 15)))
    assert parse_grid_arg("agents.sales=2:10:4") == ("agents.sales", [2, 6, 10])
    assert parse_grid_arg("arrivals.scale=0.8:1.2:0.1") == ("arrivals.scale", [0.8, 0.9, 1.0, 1.1, 1.2])
    assert parse_grid_arg("x=1, 2.5,fifo,true,15m") == ("x", [1, 2.5, "fifo", True, "15m"])
    assert parse_grid_arg("arrivals.scale=1e-1,2") == ("arrivals.scale", [0.1, 2])
    for bad, match in [("agents.sales", "PARAM=VALUES"), ("a=", "PARAM=VALUES"), ("a=5:1", "ends"),
                       ("a=1.5:3", "integers"), ("a=1:5:0", "step")]:
        with pytest.raises(ValueError, match=match):
            parse_grid_arg(bad)


def test_paths_address_list_entries_by_name(tmp_path: pathlib.Path) -> None:
    grid: dict[str, list[Any]] = {"queues.q.sl_threshold": [10, "1m"], "contact_types.call.handle_time.mean": [100.0],
            "contact_types.call.patience.exponential.mean": [60], "agent_groups.experts.count": [2]}
    res = sim.sweep(scenario(reps=1), grid, workers=1)
    assert [c["queues.q.sl_threshold"] for c in res.cells] == [10, "1m"]
    scn = res._cells[1].scenario
    assert scn.queues[0].sl_threshold == 60.0  # type: ignore[union-attr]
    assert scn.contact_types[0].handle_time == sim.Exponential(100.0)
    assert scn.contact_types[0].patience == sim.Exponential(60.0)
    assert scn.agent_groups[1].count == 2
    # A grid column mixing numbers and text is text, and writes to Parquet.
    assert res.frame["queues.q.sl_threshold"].tolist() == ["10", "1m"]
    res.to_parquet(tmp_path / "mixed.parquet")
    assert pd.read_parquet(tmp_path / "mixed.parquet")["queues.q.sl_threshold"].tolist() == ["10", "1m"]
    assert res.to_csv(tmp_path / "mixed.csv").splitlines()[0].startswith("queues.q.sl_threshold,")


@pytest.mark.parametrize("grid, match", [
    ({"agents.nobody": [3]}, r"grid agents\.nobody=3: unknown agent group 'nobody'; agent_groups are \['agents', 'experts'\]"),
    ({"agents.agents": [3, -1]}, r"grid agents\.agents=-1: agent_groups\[0\]\.count: must be at least 0"),
    ({"agents.agents": [2.5]}, r"grid agents\.agents=2\.5: .*must be an integer"),
    ({"queues.sales.sl_threshold": [20]}, r"grid queues\.sales\.sl_threshold=20: no entry 'sales' in queues"),
    ({"queues.q.sl_treshold": [20]}, r"grid queues\.q\.sl_treshold=20: unknown key 'sl_treshold' in queues\.q"),
    ({"queues.q.sl_threshold": ["soon"]}, r"grid queues\.q\.sl_threshold='soon': .*sl_threshold"),
    ({"queues.q.overflow.after": [30]}, r"grid queues\.q\.overflow\.after=30: queues\.q\.overflow is not set"),
    ({"arrivals.scale": [1.0, -2]}, r"grid arrivals\.scale=-2: a scale must be a finite, non-negative number"),
    ({"arrivals.sms.scale": [2]}, r"grid arrivals\.sms\.scale=2: unknown contact type 'sms'"),
    ({"seed": [1, 2]}, r"seed cannot be a grid parameter"),
    ({"agents.agents": [3, 3]}, r"grid agents\.agents: the value 3 is given twice"),
    ({"duration": [1800, 3600], "warmup": [0, 2700]},
     r"grid cell duration=1800, warmup=2700: warmup: 2700\.0 s leaves nothing to measure"),
])
def test_bad_grid_entries_name_the_parameter_before_anything_runs(grid: dict[str, list[Any]], match: str) -> None:
    ran: list[int] = []
    with pytest.raises(sim.ScenarioError, match=match):
        sim.sweep(scenario(), grid, workers=1, progress=lambda done, total: ran.append(done))
    assert ran == []


def test_unservable_cells_warn_once_or_are_refused_naming_the_cell() -> None:
    grid: dict[str, list[Any]] = {"agents.agents": [3, 4], "contact_types.call.requires.s": [10]}
    with pytest.warns(sim.UnservableWarning, match="no agent group can ever serve it") as caught:
        sim.sweep(scenario(reps=1), grid, workers=1)
    assert len(caught) == 1
    with pytest.raises(sim.ScenarioError, match=r"grid cell agents\.agents=3, contact_types\.call\.requires\.s=10: "
                                                 r"contact_types\[0\] \(\"call\"\): no agent group can ever serve it"):
        sim.sweep(scenario(reps=1).replace(unservable="refuse"), grid, workers=1)


def test_trace_arrivals_cannot_be_scaled_but_sweep_otherwise() -> None:
    with pytest.raises(sim.ScenarioError, match=r"grid arrivals\.scale=1\.2: contact type 'call' has Trace "
                                                 r"arrivals, which cannot be scaled"):
        sim.sweep(EXAMPLES / "trace.yaml", {"arrivals.scale": [1.2]}, workers=1)
    with pytest.raises(sim.ScenarioError, match=r"contact_types\.call\.arrivals is a Trace"):
        sim.sweep(EXAMPLES / "trace.yaml", {"contact_types.call.arrivals.times": [[1.0]]}, workers=1)
    res = sim.sweep(EXAMPLES / "trace.yaml", {"agents.agents": [2, 3]}, workers=1)
    assert res.frame.groupby("agents.agents")["offered"].first().nunique() == 1


def test_summary_agrees_with_run_for_a_cell() -> None:
    scn = scenario(reps=4)
    res = sim.sweep(scn, {"agents.agents": [3, 4]}, POLICIES, seed=5, workers=1)
    alone = sim.run(scn.replace(agent_groups=[sim.AgentGroup("agents", count=4, skills={"s": 5}),
                                              scn.agent_groups[1]]), "most_skilled", seed=5, threads=1)
    summary = res.summary()
    assert len(summary) == 4 and (summary["n"] == 4).all()
    row = summary[(summary["agents.agents"] == 4) & (summary["policy"] == "most_skilled")].iloc[0]
    for m in sim.METRICS:
        e = alone.total[m]
        for part in ("mean", "half_width", "low", "high"):
            want, got = getattr(e, part), row[f"{m}.{part}"]
            assert (want is None and math.isnan(got)) or got == want, (m, part)
    assert res.results("most_skilled", **{"agents.agents": 4}).replications == alone.replications
    assert res.summary(["queue.q.asa"]).columns[-1] == "queue.q.asa.high"
    with pytest.raises(ValueError, match="unknown metric"):
        res.summary(["nope"])


def test_cli_sweep_writes_parquet_and_a_heat_map(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, summary, png = tmp_path / "r.parquet", tmp_path / "s.csv", tmp_path / "heat.png"
    code = main(["sweep", str(EXAMPLES / "mmc.yaml"), "--grid", "agents.agents=10:11", "--grid",
                 "arrivals.scale=0.9,1.0", "--policy", "longest_idle", "--policy", "most_skilled",
                 "--replications", "2", "--seed", "3", "--workers", "1", "--out", str(out), "--summary",
                 str(summary), "--plot", str(png), "--quiet"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "4 cells × 2 policies × 2 replications" in text and "service level" in text
    frame = pd.read_parquet(out)
    assert len(frame) == 4 * 2 * 2 and frame["agents.agents"].tolist()[:4] == [10, 10, 10, 10]
    assert summary.read_text().startswith("agents.agents,arrivals.scale,policy,n,offered.mean")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_cli_sweep_errors_name_the_argument(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sweep", str(EXAMPLES / "mmc.yaml"), "--grid", "agents.sales=8:10", "--quiet"]) == 2
    assert "grid agents.sales=8: unknown agent group 'sales'" in capsys.readouterr().err
    assert main(["sweep", str(EXAMPLES / "mmc.yaml"), "--grid", "agents.agents=8:10", "--out", "x.txt"]) == 2
    assert "--out 'x.txt': write a .parquet or a .csv file" in capsys.readouterr().err


def test_plots_hold_the_parameters_they_do_not_show(tmp_path: pathlib.Path) -> None:
    res = sim.sweep(scenario(reps=2), {**GRID, "queues.q.sl_threshold": [20, 30]}, POLICIES, workers=1)
    res.plot(tmp_path / "line.png", metric="asa", x="arrivals.scale",
             where={"agents.agents": 4, "queues.q.sl_threshold": 20})
    res.plot(tmp_path / "heat.svg", metric="occupancy", where={"queues.q.sl_threshold": 30})
    assert (tmp_path / "line.png").read_bytes()[:4] == b"\x89PNG"
    assert b"<svg" in (tmp_path / "heat.svg").read_bytes()[:500]
    with pytest.raises(ValueError, match=r"hold \['queues\.q\.sl_threshold'\] at one value each"):
        res.plot(tmp_path / "x.png")
    with pytest.raises(ValueError, match=r"agents\.agents is held by where= and shown on an axis"):
        res.plot(tmp_path / "x.png", x="agents.agents", where={"agents.agents": 4, "queues.q.sl_threshold": 20})
    with pytest.raises(ValueError, match=r"where agents\.agents=7: not one of its values \[3, 4\]"):
        res.plot(tmp_path / "x.png", where={"agents.agents": 7})
