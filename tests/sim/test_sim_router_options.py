"""Every router option in a scenario: queue orderings and aging caps,
routing profiles, conditional steps, policy compositions and batch mode,
written as a file would write them; and errors that name the field."""

from __future__ import annotations

from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from ccroute import policies, sim

BASE = """
duration: 60h
warmup: 1h
replications: 2
seed: 3
channels: [{name: voice}]
queues: [{name: q}]
agent_groups: [{name: agents, count: 10}]
contact_types:
  - {name: call, channel: voice, queue: q, arrivals: {poisson: {per_hour: 324}}, handle_time: {exponential: {mean: 100}}}
"""


def scenario(patch: str = "", **changes: Any) -> sim.Scenario:
    data = yaml.safe_load(BASE)
    data.update(yaml.safe_load(patch) or {})
    data.update(changes)
    return sim.Scenario.from_dict(data)


def mean(res: sim.Results, scope: str, name: str, metric: str) -> float:
    table = res.queues if scope == "queue" else res.types if scope == "type" else None
    value = res.total[metric] if table is None else table[name][metric]
    return float(value.mean)


def handled(res: sim.Results, group: int) -> float:
    return sum(sum(r["groups"][group]["handled"]) for r in res.replications) / len(res.replications)


def test_lifo_answers_most_contacts_sooner() -> None:
    fifo = sim.run(scenario())
    lifo = sim.run(scenario("queues: [{name: q, ordering: lifo}]"))
    assert mean(lifo, "all", "", "p_wait") == pytest.approx(mean(fifo, "all", "", "p_wait"), abs=0.03)
    assert mean(lifo, "all", "", "service_level") > mean(fifo, "all", "", "service_level") + 0.05
    assert mean(lifo, "all", "", "wait_p90") < mean(fifo, "all", "", "wait_p90")


def test_greatest_need_and_an_aging_cap_reorder_the_waiting() -> None:
    two_queues = """
    contact_types:
      - {name: a, channel: voice, queue: tight, arrivals: {poisson: {per_hour: 162}}, handle_time: {exponential: {mean: 100}}}
      - {name: b, channel: voice, queue: loose, arrivals: {poisson: {per_hour: 162}}, handle_time: {exponential: {mean: 100}}}
    """
    need = sim.run(scenario(two_queues + """
    queues: [{name: tight, sl_threshold: 10s, ordering: greatest_need}, {name: loose, sl_threshold: 2m, ordering: greatest_need}]
    """))
    assert mean(need, "queue", "tight", "asa") < 0.5 * mean(need, "queue", "loose", "asa")
    # One queue, b with priority 10: aging lets a contact of a overtake a
    # b 10 s younger; capped at 5 points it never does.
    one_queue = two_queues.replace("queue: tight", "queue: q").replace("queue: loose", "queue: q, priority: 10")
    aging = sim.run(scenario(one_queue + "queues: [{name: q, aging_rate: 1.0}]"))
    capped = sim.run(scenario(one_queue + "queues: [{name: q, aging_rate: 1.0, aging_max: 5}]"))
    assert mean(capped, "type", "b", "asa") < mean(aging, "type", "b", "asa")
    assert mean(capped, "type", "a", "asa") > mean(aging, "type", "a", "asa")


def test_a_routing_profile_keeps_a_group_to_its_queue() -> None:
    patch = """
    queues: [{name: q}, {name: other}]
    routing_profiles: [{name: other only, queues: [{queue: other, priority: 1}]}]
    agent_groups: [{name: kept, count: 5, routing_profile: other only}, {name: open, count: 7}]
    """
    res = sim.run(scenario(patch))
    assert handled(res, 0) == 0 and handled(res, 1) > 0
    assert mean(res, "all", "", "answered") == mean(res, "all", "", "offered")
    with pytest.warns(sim.UnservableWarning, match=r'in queue "q"'):
        sim.run(scenario(patch.replace("{name: open, count: 7}", "{name: open, count: 0}"), duration="2h"))


def test_a_conditional_step_lets_juniors_help_only_when_the_queue_is_long() -> None:
    def run(steps: str) -> sim.Results:
        return sim.run(scenario(f"""
        agent_groups: [{{name: experts, count: 4, skills: {{sales: 8}}}}, {{name: juniors, count: 4, skills: {{sales: 2}}}}]
        contact_types:
          - {{name: call, channel: voice, queue: q, requires: {{sales: 5}}, steps: {steps},
             arrivals: {{poisson: {{per_hour: 126}}}}, handle_time: {{exponential: {{mean: 100}}}}}}
        """))

    always = run("[{after: 0, requires: {sales: 1}}]")
    busy = run("[{after: 0, requires: {sales: 1}, when: {queue_longer_than: 2}}]")
    assert 0 < handled(busy, 1) < handled(always, 1) / 2


def test_chain_and_weighted_policies_decide_who_answers() -> None:
    patch = """
    agent_groups: [{name: experts, count: 5, skills: {sales: 9}}, {name: juniors, count: 5, skills: {sales: 2}}]
    contact_types:
      - {name: call, channel: voice, queue: q, requires: {sales: 1}, arrivals: {poisson: {per_hour: 144}},
         handle_time: {exponential: {mean: 100}}}
    """
    idle = sim.run(scenario(patch))
    chain = sim.run(scenario(patch + "policy: {chain: [most_skilled, longest_idle]}"))
    weighted = sim.run(scenario(patch + "policy: {weighted: {'level:sales': -1.0}}"))
    assert chain.policy == "chain(most_skilled, longest_idle)"
    assert handled(chain, 0) > handled(idle, 0)
    assert handled(weighted, 1) > handled(idle, 1)
    # The scenario's chain is the same run as the chain given to run().
    same = sim.run(scenario(patch), policy=policies.Chain("most_skilled", "longest_idle"))
    assert same.replications == chain.replications


def test_batch_mode_answers_everyone_at_the_end_of_a_window() -> None:
    immediate = sim.run(scenario(), replications=1)
    batched = sim.run(scenario(batch_window="10s"), replications=1)
    assert mean(batched, "all", "", "answered") == mean(batched, "all", "", "offered")
    assert mean(batched, "all", "", "asa") > mean(immediate, "all", "", "asa") + 4


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ("queues: [{name: q}, {name: r, ordering: fifo}]", r"^queues\[1\]\.ordering: unknown variant `fifo`"),
        ("queues: [{name: q, overflow: {to: r, after: 30}}]", r"^queues\[0\]\.overflow\.to: unknown queue 'r'"),
        ("queues: [{name: q, overflow: {to: q, after: soon}}]", r"^queues\[0\]\.overflow\.after: cannot read 'soon'"),
        ("queues: [{name: q, colour: red}]", r"^queues\[0\]\.colour: unknown field"),
        ("routing_profiles: [{name: p, queues: [{queue: nowhere}]}]",
         r"^routing_profiles\[0\]\.queues\[0\]\.queue: unknown queue 'nowhere'"),
        ("agent_groups: [{name: a, count: 1, routing_profile: p}]", r"^agent_groups\[0\]\.routing_profile: unknown"),
        ("contact_types: [{name: c, channel: voice, queue: q, arrivals: {poisson: {per_hour: 1}}, "
         "handle_time: 60, steps: [{after: 5, when: soon}]}]", r"^contact_types\[0\]\.steps\[0\]\.when: unknown variant"),
        ("policy: {chain: [random, longest_idle]}", r"^policy: \"random\" cannot be part of a chain"),
        ("policy: {weighted: {speed: 1}}", r"^policy\.weighted: unknown feature \"speed\""),
        ("condition_interval: 0", r"^condition_interval: must be a positive duration"),
        ("batch_window: -1", r"^batch_window: must be a finite, non-negative duration"),
    ],
)
def test_errors_name_the_field(patch: str, message: str) -> None:
    with pytest.raises(sim.ScenarioError, match=message):
        scenario(patch)


def test_a_queue_the_router_refuses_is_named_by_its_place() -> None:
    with pytest.raises(sim.ScenarioError, match=r'^queues\[0\] \("q"\): queue "q": LIFO ordering does not combine'):
        sim.run(scenario("queues: [{name: q, ordering: lifo, aging_rate: 0.1}]"), replications=1)
