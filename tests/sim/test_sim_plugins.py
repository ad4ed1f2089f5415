"""Plug-in policies across replications: each replication starts from a
reset policy, plug-ins see the simulated clock and the router's events,
and the results do not depend on the number of workers."""

from __future__ import annotations

import ccroute as cc
from ccroute import sim


def scenario(reps: int = 3) -> sim.Scenario:
    return sim.Scenario(
        channels=[sim.Channel("voice")], queues=[sim.Queue("q")],
        agent_groups=[sim.AgentGroup("g", count=4)],
        contact_types=[sim.ContactType("call", "voice", "q", sim.Poisson(per_hour=90), sim.Exponential(120))],
        duration=2 * 3600, replications=reps, seed=9, interval=3600,
    )


class Alternating(cc.Policy):
    """Stateful: prefers agents by a rotating offset that grows with every
    decision, so carried-over state would change a replication."""

    def __init__(self) -> None:
        self.decisions = 0

    def reset(self) -> None:
        self.decisions = 0

    def score(self, contact, agent):
        return float((hash(agent.id) + self.decisions) % 7)

    def score_many(self, contact, agents):
        self.decisions += 1
        return [float((sum(map(ord, agents[i].id)) + self.decisions) % 7) for i in range(len(agents))]


def figures(res: sim.Results) -> list:
    return [(r["total"]["answered"], r["total"]["mean_wait"], [g["handled"] for g in r["groups"]])
            for r in res.replications]


def test_replications_start_from_a_reset_policy_whatever_the_workers():
    one = figures(sim.run(scenario(), Alternating(), threads=1))
    two = figures(sim.run(scenario(), Alternating(), threads=2))
    assert one == two
    # Each replication is what it is alone: replication 2 run by itself.
    alone = sim.run(scenario(reps=3), Alternating(), threads=1)
    assert figures(alone)[2] == one[2]
    # Two runs with one policy object give the same figures.
    pol = Alternating()
    assert figures(sim.run(scenario(), pol)) == figures(sim.run(scenario(), pol))


class Watcher(cc.Policy):
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.events: list = []
        self.clock: list[float] = []

    def score(self, contact, agent):
        self.clock.append(contact.now)
        assert contact.now >= contact.wait
        return -agent.handled

    def on_event(self, event) -> None:
        self.events.append(event)


def test_plugins_see_the_simulated_clock_and_completions():
    pol = Watcher()
    res = sim.run(scenario(reps=1), pol, strict=True)
    completed = [e for e in pol.events if isinstance(e, cc.Completed)]
    assigned = [e for e in pol.events if isinstance(e, cc.Assigned)]
    assert completed and len(assigned) >= len(completed)
    assert all(a.at <= b.at for a, b in zip(pol.events, pol.events[1:], strict=False))
    assert pol.clock and pol.clock == sorted(pol.clock) and pol.clock[-1] <= res.replications[0]["end_time"]
    # Following events does not change what the simulation measures.
    class Same(Watcher):
        on_event = cc.Policy.on_event

    assert figures(sim.run(scenario(reps=1), Same())) == figures(res)
