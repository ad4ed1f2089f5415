"""Step-wise control from Python: the caller's answers drive the real router."""

from __future__ import annotations

import numpy as np
import pytest

from ccroute import sim
from ccroute.errors import InvalidInput, InvalidState

MMC = "examples/scenarios/mmc.yaml"
MULTI = "examples/scenarios/multichannel.yaml"


def longest_idle(d: sim.Decision) -> int:
    return max(range(len(d.candidates)), key=lambda i: d.candidates[i].idle)


def test_answering_as_longest_idle_reproduces_the_built_in_run() -> None:
    # One group, one type: the candidate is the built-in policy's choice.
    scn = sim.load_scenario(MMC).replace(duration=3 * 3600.0, warmup=0.0)
    stepped = sim.Stepper(scn, replication=1).play(longest_idle, label="longest_idle")
    built_in = sim.run(scn, "longest_idle", replications=2)
    assert stepped.replications[0]["total"] == built_in.replications[1]["total"]


def test_holding_everything_serves_nobody_and_hides_nobody() -> None:
    scn = sim.load_scenario(MULTI).replace(duration=3600.0)
    st = sim.Stepper(scn)
    res = st.play(lambda d: None)
    t = st.totals()
    assert t["answered"] == 0 and t["decisions"] == 0 and t["holds"] > 0
    total = res.replications[0]["total"]
    assert total["answered"] == 0
    assert total["offered"] == total["abandoned"] + total["unfinished"] + total["refused"]


def test_decisions_observations_and_totals() -> None:
    st = sim.Stepper(MULTI, replication=0)
    names = st.observation_names
    obs = np.zeros(len(names))
    seen = set()
    for _ in range(500):
        d = st.next()
        assert d is not None
        st.observe(obs)
        assert obs[names.index("time")] == d.time
        assert obs[names.index(f"decision.{d.kind}")] == 1.0
        if d.kind == "route":
            assert d.contact_type is not None and d.agent is None
            for c in d.candidates:
                assert obs[names.index(f"route.{c.agent_group}.candidate")] == 1.0
                assert c.contact_type == d.contact_type
        else:
            assert d.agent_group is not None
            assert {c.agent for c in d.candidates} == {d.agent}
            for c in d.candidates:
                assert obs[names.index(f"pick.{c.contact_type}.wait")] == pytest.approx(c.wait)
        seen.add(d.kind)
        st.decide(len(d.candidates) - 1)
    assert seen == {"route", "pick"}
    assert len(st.observe()) == len(names)
    t = st.totals()
    assert t["decisions"] == 500 and t["arrived"] >= t["answered"] > 0


def test_the_same_answers_give_the_same_run() -> None:
    def play() -> dict:
        st = sim.Stepper(MULTI, replication=3, seed=5)
        k = 0
        while (d := st.next()) is not None:
            k += 1
            st.decide(None if k % 4 == 0 else k % len(d.candidates))
        return st.results().replications[0]

    assert play() == play()


def test_misuse_is_refused_and_leaves_the_decision_open() -> None:
    st = sim.Stepper(MMC)
    with pytest.raises(InvalidState, match="no decision is open"):
        st.decide(0)
    d = st.next()
    assert d is not None
    with pytest.raises(InvalidInput, match="candidate 5 is out of range"):
        st.decide(5)
    with pytest.raises(ValueError, match="candidate index"):
        st.decide(-1)
    with pytest.raises(TypeError, match="candidate index"):
        st.decide(True)
    assert st.next() == d
    with pytest.raises(InvalidState, match="not over"):
        st.results()
    with pytest.raises(ValueError, match="replication"):
        sim.Stepper(MMC, replication=-1)
    batch = sim.load_scenario(MMC).replace(batch_window=2.0)
    with pytest.raises(InvalidInput, match="batch_window"):
        sim.Stepper(batch)


def test_results_are_taken_once_and_totals_stay_readable() -> None:
    st = sim.Stepper(sim.load_scenario(MMC).replace(duration=1800.0, warmup=0.0))
    res = st.play(longest_idle)
    assert st.done
    # No warm-up: the running totals and the results count the same contacts.
    assert st.totals()["answered"] == res.replications[0]["total"]["answered"]
    assert st.totals()["arrived"] == res.replications[0]["total"]["offered"]
    with pytest.raises(InvalidState, match="already taken"):
        st.results()


def test_distributions_sample_with_the_simulator_algorithm() -> None:
    e = sim.Exponential(mean=120.0)
    a, b = e.sample(20_000, seed=3), e.sample(20_000, seed=3)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, e.sample(20_000, seed=4))
    assert a.mean() == pytest.approx(120.0, rel=0.03)
    assert isinstance(sim.LogNormal(mean=60, sd=30).sample(), float)
    g = sim.Gamma(mean=10.0, sd=5.0).sample(20_000, seed=1)
    assert g.std() == pytest.approx(5.0, rel=0.05)
    assert set(sim.Empirical([1.0, 2.0]).sample(100)) <= {1.0, 2.0}
    assert sim.Constant(4.0).sample(3).tolist() == [4.0, 4.0, 4.0]
    with pytest.raises(sim.ScenarioError, match="mean"):
        sim.Exponential(mean=-1).sample(3)
    with pytest.raises(ValueError, match="size"):
        e.sample(-1)
