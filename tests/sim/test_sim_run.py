"""Running scenarios: determinism, common random numbers, results and exports."""

from __future__ import annotations

import csv
import io
import json
import math
import pathlib

import pytest

from ccroute import policies, sim

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "scenarios"


def mmc(agents: int = 10, load: float = 8.5, aht: float = 100.0, hours: float = 20.0, reps: int = 4,
        patience: sim.Distribution | None = None) -> sim.Scenario:
    return sim.Scenario(
        channels=[sim.Channel("voice")],
        queues=[sim.Queue("q", sl_threshold=20)],
        agent_groups=[sim.AgentGroup("agents", count=agents)],
        contact_types=[sim.ContactType("call", "voice", "q", sim.Poisson(per_hour=load / aht * 3600),
                                       sim.Exponential(aht), patience=patience)],
        duration=hours * 3600, warmup=3600, replications=reps, seed=42, interval=3600,
    )


def test_same_seed_same_result_bit_for_bit() -> None:
    scn = sim.load_scenario(EXAMPLES / "multichannel.yaml").replace(replications=2)
    a = sim.run(scn).to_json()
    b = sim.run(scn, threads=2).to_json()
    assert json.loads(a)["per_replication"] == json.loads(b)["per_replication"]
    c = sim.run(scn, seed=8)
    assert c.replications != json.loads(a)["per_replication"]


def test_golden_figures_are_the_same_on_every_machine() -> None:
    # Draws use ChaCha8 streams and pure-Rust libm only, so these exact
    # figures must come out on any platform. Routing among identical agents
    # does not change waits, so core policy changes leave them alone.
    r = sim.run(mmc(hours=5, reps=1)).replications[0]["total"]
    assert (r["offered"], r["answered"], r["answered_in_sl"]) == GOLDEN_COUNTS
    assert r["mean_wait"].hex() == GOLDEN_MEAN_WAIT


GOLDEN_COUNTS = (1252, 1252, 772)
GOLDEN_MEAN_WAIT = "0x1.e0ef9b163dc03p+4"


def test_replications_are_plain_json_values() -> None:
    # The native run builds the results dict directly (no JSON text in
    # between); it must hold exactly what JSON would: dicts, lists, str,
    # int, float, None, with no NaN or infinity.
    scn = sim.load_scenario(EXAMPLES / "multichannel.yaml").replace(replications=1)
    rep = sim.run(scn).replications[0]

    def plain(v: object) -> bool:
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        if isinstance(v, float):
            return math.isfinite(v)
        return v is None or isinstance(v, (str, int))

    assert plain(rep)
    assert json.loads(json.dumps(rep)) == rep
    assert list(rep) == ["policy", "replication", "seed", "queues", "channels", "types", "total", "groups",
                         "interval", "series", "contacts", "live_peak", "decisions", "policy_errors", "end_time"]
    assert all(isinstance(u, list) and len(u) == 2 for g in rep["groups"] for u in g["utilisation"])


def test_common_random_numbers_across_policies() -> None:
    cmp = sim.compare(mmc(reps=3), ["longest_idle", "random", "fewest_handled"])
    base = cmp.results["longest_idle"]
    for p in ("random", "fewest_handled"):
        # Identical agents: who answers changes, when never does.
        assert cmp.results[p].replications[0]["total"] == base.replications[0]["total"]
        assert cmp.differences[p]["total"]["asa"].mean == 0.0
    assert cmp.results["random"].handled_per_agent("agents") != base.handled_per_agent("agents")
    assert cmp.policies == ["longest_idle", "random", "fewest_handled"]


def test_compare_reports_paired_differences_with_intervals() -> None:
    scn = sim.load_scenario(EXAMPLES / "multichannel.yaml").replace(replications=4)
    cmp = sim.compare(scn, "longest_idle, most_skilled")
    d = cmp.differences["most_skilled"]["groups"]["backoffice"]["occupancy"]
    # most_skilled sends email to the support agents (level 8) before the backoffice (5).
    assert d.high is not None and d.high < 0
    rows = cmp.rows()
    assert {r["policy"] for r in rows} == {"longest_idle", "most_skilled", "most_skilled - longest_idle"}
    with pytest.raises(ValueError, match="at least two differently labelled policies"):
        sim.compare(scn, ["longest_idle"])


def test_progress_and_bad_policies() -> None:
    seen: list[tuple[int, int]] = []
    sim.run(mmc(hours=2, reps=3), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(TypeError, match="policy must be a built-in policy name"):
        sim.run(mmc(hours=2, reps=1), policy=object())  # type: ignore[arg-type]
    with pytest.raises(sim.ScenarioError, match="unknown policy 'nope'"):
        sim.run(mmc(hours=2, reps=1), policy="nope")


class PreferBackoffice(policies.Policy):
    """Sends every email it can to the backoffice group (a plug-in policy)."""

    def __init__(self) -> None:
        self.calls = 0

    def score(self, contact: policies.PolicyContact, agent: policies.PolicyAgent) -> float:
        self.calls += 1
        return 1.0 if agent.attributes["group"] == "backoffice" else -agent.load


class Broken(policies.Policy):
    def score(self, contact: policies.PolicyContact, agent: policies.PolicyAgent) -> float:
        raise LookupError("no score today")


def test_plug_in_policies_run_in_the_simulator() -> None:
    scn = sim.load_scenario(EXAMPLES / "multichannel.yaml").replace(replications=2, duration=7200)
    plugin = PreferBackoffice()
    cmp = sim.compare(scn, ["most_skilled", plugin])
    assert plugin.calls > 0
    assert cmp.policies == ["most_skilled", "PreferBackoffice"]
    res = cmp.results["PreferBackoffice"]
    assert all(r["policy_errors"] == 0 for r in res.replications)
    # most_skilled sends email to support agents first; the plug-in to the backoffice.
    d = cmp.differences["PreferBackoffice"]["groups"]["backoffice"]["occupancy"]
    assert d.low is not None and d.low > 0
    # Deterministic plug-in, same seed: same result.
    assert sim.run(scn, PreferBackoffice()).replications == res.replications


def test_a_failing_plug_in_falls_back_or_raises_when_strict() -> None:
    scn = mmc(hours=2, reps=1).replace(agent_groups=[sim.AgentGroup("a", 3), sim.AgentGroup("b", 3)])
    res = sim.run(scn, Broken())
    assert res.replications[0]["policy_errors"] > 0
    assert res.total["answered"].mean == res.total["offered"].mean
    with pytest.raises(LookupError, match="no score today"):
        sim.run(scn, Broken(), strict=True)


def test_policy_compositions() -> None:
    chain = policies.Chain("least_occupied", "fewest_handled")
    res = sim.run(mmc(hours=2, reps=1), chain)
    assert res.policy == str(chain)


def test_results_add_up_and_cover_every_scope() -> None:
    scn = sim.load_scenario(EXAMPLES / "multichannel.yaml").replace(replications=2)
    res = sim.run(scn)
    for rep in res.replications:
        t = rep["total"]
        assert t["offered"] == t["answered"] + t["abandoned"] + t["refused"] + t["unfinished"]
        assert t["offered"] == sum(q["offered"] for q in rep["queues"]) == sum(c["offered"] for c in rep["channels"])
        assert sum(s for s in rep["series"][-1]["offered"]) == rep["contacts"]
    assert set(res.queues) == {"sales", "support", "backlog"}
    assert set(res.channels) == {"voice", "chat", "email"}
    assert set(res.groups) == {"sales", "support", "backoffice"}
    occ = res.groups["support"]["occupancy"].mean
    assert occ is not None and 0 < occ < 1
    assert set(res.groups["sales"]) >= {"utilisation.voice", "utilisation.chat", "utilisation.email"}
    # Shifts: the support group works 7.5 of the 8 hours.
    staffed = res.groups["support"]["staffed_time"].mean
    assert staffed == pytest.approx(14 * 7.5 * 3600)
    assert len(res.series["sales"]["service_level"]) == 16
    assert len(res.handled_per_agent("sales")) == 12


def test_exports(tmp_path: pathlib.Path) -> None:
    res = sim.run(mmc(hours=3, reps=2))
    data = json.loads(res.to_json(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text()) == data
    assert data["summary"]["total"]["service_level"]["mean"] == res.total["service_level"].mean
    assert len(data["per_replication"]) == 2
    text = res.to_csv(tmp_path / "r.csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0].keys() == {"policy", "scope", "name", "metric", "mean", "low", "high", "n"}
    assert any(r["scope"] == "group" and r["metric"] == "occupancy" for r in rows)
    assert (tmp_path / "r.csv").read_text() == text
    cmp = sim.compare(mmc(hours=3, reps=2), ["longest_idle", "round_robin"])
    assert json.loads(cmp.to_json())["baseline"] == "longest_idle"
    assert "round_robin - longest_idle" in cmp.to_csv()


def test_dataframe_export() -> None:
    pd = pytest.importorskip("pandas")
    df = sim.run(mmc(hours=2, reps=2)).to_dataframe()
    assert isinstance(df, pd.DataFrame) and {"metric", "mean", "low", "high"} <= set(df.columns)


def test_plot_writes_an_image(tmp_path: pathlib.Path) -> None:
    pytest.importorskip("matplotlib")
    cmp = sim.compare(mmc(hours=4, reps=2), ["longest_idle", "random"])
    sim.plot(cmp, tmp_path / "sl.png")
    assert (tmp_path / "sl.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="unknown queue 'x'"):
        sim.plot(cmp, tmp_path / "x.png", queue="x")


def test_estimate_confidence_interval() -> None:
    e = sim.Estimate.of([1.0, 2.0, 3.0, None])
    assert e.mean == 2.0
    assert e.half_width == pytest.approx(4.303 * 1.0 / math.sqrt(3))
    assert e.contains(2.5) and not e.contains(10)
    assert sim.Estimate.of([None]).mean is None
    assert sim.Estimate.of([5.0]).low is None
    assert format(sim.Estimate.of([1.0, 3.0]), ".1f") == "2.0 ± 12.7"
    assert sim.t_quantile(1000) == pytest.approx(1.9623, abs=1e-3)
    assert sim.t_quantile(31) == pytest.approx(2.0395, abs=1e-3)


def test_trace_replays_rows_and_memory_stays_flat() -> None:
    scn = sim.load_scenario(EXAMPLES / "trace.yaml")
    r = sim.run(scn).replications[0]
    assert r["contacts"] == 99 and r["total"]["offered"] == 99
    # No per-contact record: a long run's result is as big as a short one's.
    few = sim.run(mmc(aht=100, hours=50, reps=1))
    many = sim.run(mmc(aht=1, hours=50, reps=1))
    assert many.contacts > 90 * few.contacts
    assert many.replications[0]["live_peak"] < 200 < many.contacts
    assert len(many.to_json()) < 1.2 * len(few.to_json())


def test_full_queues_refuse_and_overflow_moves_contacts() -> None:
    scn = mmc(agents=2, load=3.0, hours=4, reps=2).replace(
        queues=[sim.Queue("q", max_waiting=3, overflow_to="spill", overflow_after=30), sim.Queue("spill")],
        agent_groups=[sim.AgentGroup("front", 2), sim.AgentGroup("back", 1, skills={"spill": 1})],
        contact_types=[sim.ContactType("call", "voice", "q", sim.Poisson(per_hour=108), sim.Exponential(100),
                                       patience=sim.Exponential(300))],
    )
    res = sim.run(scn)
    for rep in res.replications:
        t = rep["total"]
        assert t["refused"] > 0
        assert t["offered"] == t["answered"] + t["abandoned"] + t["refused"] + t["unfinished"]
    # Contacts count with the queue they arrived in, overflowed or not.
    assert res.queues["spill"]["offered"].mean == 0
