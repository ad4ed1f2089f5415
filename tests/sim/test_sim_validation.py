"""The simulator against queueing theory and against a real day.

How the tolerances are set: each check runs R independent replications and
takes the Student-t 95 % confidence interval of the mean across them (its
half-width h ≈ 2.26 standard errors for R = 10). A figure passes when it is
within 2h of the theoretical value, i.e. within about 4.5 standard errors:
a correct simulator fails that with probability about 0.2 % over seeds, and
the seeds are fixed, so the test is deterministic. Each check also requires
h to be small (a few percent of the value), so that passing means something:
the sample size is chosen for that (e.g. 10 × 40,000 contacts for Erlang C,
where the ASA has a relative standard error of about 2 % per replication).
The warm-up (one hour, about 40 mean handle times) removes the empty-start
bias, which decays on the scale of a few busy periods.

The ``slow`` variants (``make test-sim-slow``) use 20× the contacts and
half the relative tolerance.
"""

from __future__ import annotations

import math
import os
import pathlib

import pytest

from ccroute import erlang, sim

#: The large-sample checks run only under ``make test-sim-slow``.
slow = pytest.mark.skipif(not os.environ.get("CCROUTE_SIM_SLOW"), reason="long statistical check: make test-sim-slow")

DATA = pathlib.Path(__file__).resolve().parents[2].parent / "shared" / "data" / "anonymous_bank_feb1999.txt"


def agrees(est: sim.Estimate, theory: float, what: str, max_rel_half_width: float) -> None:
    """``est`` is within twice its 95 % half-width of ``theory``, and that
    half-width is below ``max_rel_half_width`` of the value."""
    assert est.mean is not None and est.half_width is not None, what
    hw = est.half_width
    print(f"\n  {what:<26} simulated {est.mean:10.4f} ± {hw:.4f}   theory {theory:10.4f}", end="")
    assert hw <= max_rel_half_width * max(abs(theory), 1e-9), f"{what}: interval too wide ({est}) to test {theory:.4g}"
    assert abs(est.mean - theory) <= 2 * hw, f"{what}: simulated {est} vs theory {theory:.4g}"


def single(agents: int, load: float, aht: float, contacts: float, reps: int,
           patience: sim.Distribution | None = None, threshold: float = 20.0) -> sim.Scenario:
    rate = load / aht
    return sim.Scenario(
        channels=[sim.Channel("voice")],
        queues=[sim.Queue("q", sl_threshold=threshold)],
        agent_groups=[sim.AgentGroup("agents", count=agents)],
        contact_types=[sim.ContactType("call", "voice", "q", sim.Poisson(per_hour=rate * 3600),
                                       sim.Exponential(aht), patience=patience)],
        duration=3600 + contacts / rate, warmup=3600, replications=reps, seed=20260,
    )


def check_erlang_c(scale: float, rel: float) -> None:
    n, a, aht, t = 10, 8.5, 100.0, 20.0
    res = sim.run(single(n, a, aht, 40_000 * scale, 10), threads=None)
    print(f"\nErlang C: M/M/10, load 8.5, AHT 100 s, 10 replications, {res.contacts:,} contacts", end="")
    c = erlang.erlang_c(a, n)
    f = res.total
    agrees(f["p_wait"], c, "P(wait)", 0.03 * rel)
    agrees(f["service_level"], erlang.service_level(a, n, aht, t), "service level", 0.03 * rel)
    agrees(f["asa"], erlang.asa(a, n, aht), "ASA", 0.06 * rel)
    p90 = math.log(c / 0.1) * aht / (n - a)  # P(W > x) = C exp(-(n - a) x / aht)
    agrees(f["wait_p90"], p90, "90th percentile of wait", 0.06 * rel)
    agrees(res.groups["agents"]["occupancy"], a / n, "occupancy", 0.01 * rel)


def check_erlang_a(scale: float, rel: float) -> None:
    n, a, aht, patience, t = 10, 10.0, 100.0, 100.0, 20.0
    res = sim.run(single(n, a, aht, 40_000 * scale, 10, patience=sim.Exponential(patience)), threads=None)
    th = erlang.erlang_a(a / aht, aht, patience, n, t)
    print(f"\nErlang A: M/M/10+M, load 10, AHT 100 s, patience 100 s, {res.contacts:,} contacts", end="")
    f = res.total
    agrees(f["abandon_rate"], th.p_abandon, "P(abandon)", 0.05 * rel)
    agrees(f["p_wait"], th.p_wait, "P(wait)", 0.03 * rel)
    agrees(f["service_level"], th.service_level, "service level", 0.03 * rel)
    agrees(f["asa"], th.asa, "ASA of answered calls", 0.06 * rel)
    agrees(f["mean_wait"], th.mean_wait, "mean wait of all calls", 0.06 * rel)


def check_priority(scale: float, rel: float) -> None:
    # Two classes in one queue, M/M/c non-preemptive priority with equal
    # service rates (Cobham 1954): W_k = C(c, a) / (c mu) / ((1 - s_{k-1})(1 - s_k)),
    # s_k the load of classes 1..k over c, class 1 highest.
    n, aht = 10, 100.0
    lam = (0.03, 0.055)  # per second: loads 3 and 5.5 of 10 agents
    scn = sim.Scenario(
        channels=[sim.Channel("voice")],
        queues=[sim.Queue("q")],
        agent_groups=[sim.AgentGroup("agents", count=n)],
        contact_types=[
            sim.ContactType("high", "voice", "q", sim.Poisson(per_hour=lam[0] * 3600), sim.Exponential(aht), priority=1),
            sim.ContactType("low", "voice", "q", sim.Poisson(per_hour=lam[1] * 3600), sim.Exponential(aht)),
        ],
        duration=3600 + 160_000 * scale / sum(lam), warmup=3600, replications=10, seed=1954,
    )
    res = sim.run(scn, threads=None)
    print(f"\nNon-preemptive priority (Cobham): M/M/10, loads 3 + 5.5, {res.contacts:,} contacts", end="")
    a = sum(lam) * aht
    w0 = erlang.erlang_c(a, n) * aht / n
    s1 = lam[0] * aht / n
    s2 = s1 + lam[1] * aht / n
    agrees(res.types["high"]["mean_wait"], w0 / (1 - s1), "class 1 mean wait", 0.06 * rel)
    agrees(res.types["low"]["mean_wait"], w0 / ((1 - s1) * (1 - s2)), "class 2 mean wait", 0.06 * rel)


def test_mmc_agrees_with_erlang_c() -> None:
    check_erlang_c(1, 1)


def test_mmc_with_exponential_patience_agrees_with_erlang_a() -> None:
    check_erlang_a(1, 1)


def test_two_priority_classes_agree_with_the_non_preemptive_formula() -> None:
    check_priority(1, 1)


@pytest.mark.slow
@slow
def test_erlang_c_large_sample() -> None:
    check_erlang_c(20, 0.5)


@pytest.mark.slow
@slow
def test_erlang_a_large_sample() -> None:
    check_erlang_a(20, 0.5)


@pytest.mark.slow
@slow
def test_priority_large_sample() -> None:
    check_priority(20, 0.5)


def wallace_whitt(design: str) -> sim.Scenario:
    """Six call types, 90 agents, 13.5 Erlangs per type (Wallace & Whitt 2005):
    one skill per agent, two skills chained (i, i+1), or all six."""
    base = sim.load_scenario(pathlib.Path(__file__).resolve().parents[2] / "examples" / "scenarios" / "wallace_whitt.toml")
    skills = [f"s{i}" for i in range(1, 7)]
    if design == "one":
        groups = [sim.AgentGroup(s, 15, skills={s: 5}) for s in skills]
    elif design == "chained":
        groups = base.agent_groups
    else:
        groups = [sim.AgentGroup("all", 90, skills={s: 5 for s in skills})]
    return base.replace(agent_groups=groups, replications=6)


def test_wallace_whitt_two_chained_skills_recover_most_of_the_pooling_benefit() -> None:
    asa = {}
    sl = {}
    for design in ("one", "chained", "all"):
        res = sim.run(wallace_whitt(design), threads=None)
        asa[design] = res.total["asa"].mean
        sl[design] = res.total["service_level"].mean
    # One skill: six separate M/M/15 queues at 90 % load.
    assert asa["one"] == pytest.approx(erlang.asa(13.5, 15, 100.0), rel=0.15)
    recovered = (asa["one"] - asa["chained"]) / (asa["one"] - asa["all"])
    print(f"\nWallace & Whitt: ASA one skill {asa['one']:.1f} s, two chained {asa['chained']:.1f} s, "
          f"all {asa['all']:.1f} s -> {100 * recovered:.0f} % of the benefit; "
          f"SL {sl['one']:.3f} / {sl['chained']:.3f} / {sl['all']:.3f}")
    assert recovered > 0.8
    assert sl["one"] < sl["chained"] <= sl["all"] + 0.02


@pytest.mark.skipif(not DATA.exists(), reason=f"{DATA} is not present")
def test_anonymous_bank_busiest_days_replayed() -> None:
    from ccroute.sim import bank

    calls = bank.read_calls(DATA)
    queued = [c for c in calls if c.wait > 0 or not c.served]
    # The README's figures: 18,058 calls reached the queue, 21.9 % abandoned.
    assert abs(len(queued) - 18_058) <= 10
    assert sum(not c.served for c in queued) / len(queued) == pytest.approx(0.219, abs=0.001)
    lines = []
    for day in bank.busiest_days(calls, 3):
        rec = bank.recorded(calls, day)
        res = sim.run(bank.day_scenario(calls, day))
        f = res.total
        assert f["offered"].mean == rec.calls and f["unfinished"].mean == 0
        ab, w = f["abandon_rate"].mean, f["mean_wait"].mean
        lines.append(f"{day}: {rec.calls} calls, {rec.agents} agents; abandoned recorded {100 * rec.abandon_rate:.1f} % "
                     f"simulated {100 * ab:.1f} %; mean wait recorded {rec.mean_wait:.1f} s simulated {w:.1f} s; "
                     f"SL(20 s) recorded {100 * rec.service_level:.1f} % simulated {100 * f['service_level'].mean:.1f} %")
        # Same shape: the reconstruction (shifts read from the services,
        # served callers' patience from Kaplan-Meier) reproduces the level of
        # both within a factor that the module docstring explains.
        assert 0.5 * rec.abandon_rate <= ab <= 1.2 * rec.abandon_rate
        assert 0.4 * rec.mean_wait <= w <= 1.5 * rec.mean_wait
    print("\n" + "\n".join(lines))


def test_cores_do_not_change_results() -> None:
    scn = single(10, 8.5, 100.0, 5_000, 4)
    a = sim.run(scn, threads=1).replications
    b = sim.run(scn, threads=os.cpu_count() or 2).replications
    assert a == b
