"""Smaller defects a new user hits, each from the user's side: restoring a
router that used a plug-in, comparing two settings of one plug-in class,
saving a scenario and loading it back, the order ``waiting`` lists, the
command line's error words and the default number of threads."""

from __future__ import annotations

import json

import pytest

import ccroute as cc
from ccroute import sim
from ccroute.cli import main
from conftest import VOICE


class PreferB(cc.Policy):
    def score(self, contact, agent):
        return 1.0 if agent.id == "b" else 0.0


def plugin_router() -> cc.Router:
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")], policy=PreferB())
    r.add_agent(cc.Agent("a"), now=0.0)
    r.add_agent(cc.Agent("b"), now=1.0)
    return r


# -- restore and plug-ins ------------------------------------------------------


def test_restore_without_the_plugin_it_was_taken_with_is_refused_naming_it():
    snap = plugin_router().snapshot()
    with pytest.raises(cc.InvalidInput, match="plug-in policy 'PreferB'.*fallback_only=True"):
        cc.Router.restore(snap)
    # Asked for explicitly, the fallback routes (longest idle: a).
    r = cc.Router.restore(snap, fallback_only=True)
    assert [e.agent for e in r.submit(cc.Contact("c", channel="voice", queue="q"), now=2.0)] == ["a"]
    # With the plug-in, the same decisions as the original router.
    r = cc.Router.restore(snap, policy=PreferB())
    assert [e.agent for e in r.submit(cc.Contact("c", channel="voice", queue="q"), now=2.0)] == ["b"]


def test_restore_with_a_builtin_name_says_what_it_takes():
    snap = cc.Router(channels=[VOICE], queues=[cc.Queue("q")]).snapshot()
    with pytest.raises(cc.InvalidInput, match="restore takes a plug-in policy object.*'random'"):
        cc.Router.restore(snap, policy="random")  # type: ignore[arg-type]


# -- compare two settings of one policy class -----------------------------------


class Weighted(cc.Policy):
    def __init__(self, w: float) -> None:
        self.w = w

    def score(self, contact, agent):
        return self.w * agent.idle


def small_scenario() -> sim.Scenario:
    return sim.Scenario(
        channels=[sim.Channel("voice")], queues=[sim.Queue("q")],
        agent_groups=[sim.AgentGroup("g", count=3)],
        contact_types=[sim.ContactType("call", "voice", "q", sim.Poisson(per_hour=60), sim.Exponential(120))],
        duration=3600, replications=2, seed=5,
    )


def test_compare_two_settings_of_one_plugin_class_with_labels():
    with pytest.raises(ValueError, match="mapping"):
        sim.compare(small_scenario(), [Weighted(1.0), Weighted(-1.0)])
    cmp = sim.compare(small_scenario(), {"idle+": Weighted(1.0), "idle-": Weighted(-1.0)})
    assert cmp.policies == ["idle+", "idle-"]
    assert sim.run(small_scenario(), Weighted(1.0), label="mine").policy == "mine"


def test_run_and_the_cli_default_to_the_same_threads():
    import inspect

    assert inspect.signature(sim.run).parameters["threads"].default is None
    assert inspect.signature(sim.compare).parameters["threads"].default is None


# -- scenarios round trip --------------------------------------------------------


def test_a_saved_scenario_loads_back_equal(tmp_path):
    scn = small_scenario().replace(name="small", unservable="refuse")
    # Queues are the engine's (immutable) records: replaced, not mutated.
    scn = scn.replace(queues=[sim.Queue("q", overflow_to="r", overflow_after=0.0), sim.Queue("r", ordering="lifo")])
    scn.contact_types[0].steps = [sim.Step(after=30, requires={})]
    assert sim.Scenario.from_dict(json.loads(scn.to_json())) == scn
    for name in ("s.json", "s.yaml"):
        scn.save(tmp_path / name)
        assert sim.load_scenario(tmp_path / name) == scn


# -- waiting lists service order --------------------------------------------------------


def test_waiting_lists_contacts_in_the_order_they_will_be_served():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")])
    r.submit(cc.Contact("low", channel="voice", queue="q", priority=0), now=0.0)
    r.submit(cc.Contact("high", channel="voice", queue="q", priority=5), now=1.0)
    r.submit(cc.Contact("low2", channel="voice", queue="q", priority=0), now=2.0)
    assert r.waiting("q") == ["high", "low", "low2"]
    r.add_agent(cc.Agent("a"), now=3.0)
    assert r.agent("a").contacts == ["high"]
    lifo = cc.Router(channels=[VOICE], queues=[cc.Queue("q", ordering="lifo")])
    for i in range(3):
        lifo.submit(cc.Contact(f"c{i}", channel="voice", queue="q"), now=float(i))
    assert lifo.waiting("q") == ["c2", "c1", "c0"]


# -- ccroute staff speaks in flags ------------------------------------------------------


def test_staff_errors_name_the_command_line_flags(capsys):
    assert main(["staff", "--calls", "100", "--aht", "180"]) == 2
    err = capsys.readouterr().err
    assert "--asa" in err and "--target" in err and "asa_target" not in err
    assert main(["staff", "--calls", "100", "--aht", "180", "--target", "0.8/20", "--max-occupancy", "2"]) == 2
    err = capsys.readouterr().err
    assert "--max-occupancy must be in (0, 1]" in err and "max_occupancy" not in err


# -- what "widening" a step means ---------------------------------------------------------


def test_a_step_that_is_not_a_widening_is_refused_with_the_precise_rule():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")])
    step = cc.Contact("c", channel="voice", queue="q", requires={"expert": 5}, steps=[cc.Step(after=10, requires={"gen": 1})])
    with pytest.raises(cc.InvalidInput) as info:
        r.submit(step, now=0.0)
    message = str(info.value)
    assert "stricter" not in message
    assert "may lack gen>=1" in message and "must meet the next" in message
    # A real widening (a subset at lower levels) is accepted.
    ok = cc.Contact("d", channel="voice", queue="q", requires={"expert": 5, "gen": 2},
                    steps=[cc.Step(after=10, requires={"gen": 1})])
    r.submit(ok, now=0.0)
    r.check_invariants()


# -- one word, one meaning ----------------------------------------------------------------


def test_queue_stats_say_entered_with_offered_kept_as_an_alias():
    r = cc.Router(channels=[VOICE], queues=[cc.Queue("q")], offer_timeout=10.0)
    r.add_agent(cc.Agent("a"), now=0.0)
    r.submit(cc.Contact("c1", channel="voice", queue="q"), now=1.0)
    r.submit(cc.Contact("c2", channel="voice", queue="q"), now=1.0)
    s = r.stats()["q"]
    # Two contacts entered the queue; one Offered event (one reservation).
    assert s.entered == 2 and s.offering == 1
    assert s.offered == s.entered  # the old name, for one release
    assert s.to_dict()["entered"] == 2
