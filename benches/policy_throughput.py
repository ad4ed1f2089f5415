"""Decisions per second by policy kind, on the core benchmark scenario.

10,000 agents over 200 skill profiles drawn from 50 skills, 300 contact
types (the scenario of ``benches/python_throughput.py``). Each contact
arrives while most agents are free: the policy picks among every eligible
free agent (agent surplus), which is where a policy's cost shows. One
decision = one contact submitted and assigned. Compared in one run:

* a built-in policy (``longest_idle``) and a built-in chain
  (``most_skilled`` → ``least_occupied`` → ``longest_idle``) and a weighted
  policy, all in Rust;
* a Python plug-in with a per-candidate ``score``;
* the same plug-in vectorised with ``score_many`` over numpy columns.

Run: ``make bench-core`` (or ``.venv/bin/python benches/policy_throughput.py``).
"""

from __future__ import annotations

import os

# numpy's BLAS worker threads spin on this 2-core machine; none of the
# element-wise work here uses them.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import random
import statistics
import time
from typing import Any

import numpy as np

import ccroute as cc
from python_throughput import TYPES, build


class PerCandidate(cc.Policy):
    """Prefer skill on the contact's first requirement, then low load."""

    def score(self, contact: cc.policies.PolicyContact, agent: cc.policies.PolicyAgent) -> float:
        skill = next(iter(contact.requires), None)
        level = agent.level(skill) if skill else 0
        return level - 2.0 * agent.load + 0.001 * agent.idle


class Vectorised(PerCandidate):
    """The same score over numpy columns, one call per decision."""

    def score_many(self, contact: cc.policies.PolicyContact, agents: cc.policies.AgentBatch) -> Any:
        skill = next(iter(contact.requires), None)
        level = agents.level(skill) if skill else np.zeros(len(agents))
        return level - 2.0 * agents.load + 0.001 * agents.idle


def rate(policy: cc.policies.PolicyLike, contacts: int, batch: int) -> float:
    router, types = build()
    # Rebuild with the policy under test (same agents and types).
    fresh = cc.Router(
        channels=[cc.Channel("voice", cost=100, max_per_agent=1), cc.Channel("chat", cost=10, max_per_agent=5),
                  cc.Channel("email", cost=10, max_per_agent=5)],
        queues=[cc.Queue(q) for q in ("sales", "support", "billing", "vip")],
        policy=policy,
        retain_finished=0,
    )
    for aid in router.agent_ids():
        fresh.add_agent(cc.Agent(aid, skills=dict(router.agent(aid).skills), capacity=200), now=0.0)
    rng = random.Random(3)
    now, made, spent, n = 0.0, 0, 0.0, 0
    while made < contacts:
        now += 1.0
        chunk = [cc.Contact(f"c{n + i}", **types[rng.randrange(TYPES)]) for i in range(batch)]
        n += batch
        t0 = time.perf_counter()
        events = fresh.submit_many(chunk, now)
        spent += time.perf_counter() - t0
        assigned = [e.contact for e in events if isinstance(e, cc.Assigned)]
        made += len(assigned)
        for c in assigned:
            fresh.complete(c, now)
    assert fresh.policy_errors == 0
    return made / spent


def median_rate(policy: cc.policies.PolicyLike, contacts: int, batch: int, runs: int = 3) -> float:
    """Median of ``runs`` measurements (each on a fresh router)."""
    return statistics.median(rate(policy, contacts, batch) for _ in range(runs))


def main() -> None:
    rows = [
        ("built-in longest_idle", median_rate("longest_idle", 40_000, 2_000)),
        ("built-in chain(most_skilled, least_occupied, longest_idle)",
         median_rate(cc.Chain("most_skilled", "least_occupied", "longest_idle"), 40_000, 2_000)),
        ("built-in weighted(skill, idle, load)",
         median_rate(cc.Weighted({"skill": 1.0, "idle": 0.01, "load": -2.0}), 40_000, 2_000)),
        ("Python score, per candidate", median_rate(PerCandidate(), 1_000, 200)),
        ("Python score_many, vectorised (numpy)", median_rate(Vectorised(), 6_000, 200)),
    ]
    base = rows[0][1]
    print("Decisions per second by policy (agent surplus, 10,000 agents / 200 profiles / 50 skills),")
    print("median of 3 runs each")
    print(f"{'policy':<62} {'decisions/s':>12} {'vs longest_idle':>16}")
    for name, r in rows:
        print(f"{name:<62} {r:>12,.0f} {r / base:>15.2f}x")
    print(f"score_many / score (vectorised speed-up): {rows[4][1] / rows[3][1]:.1f}x")
    print(f"chain / single built-in: {rows[1][1] / base:.2f}x")


if __name__ == "__main__":
    main()
