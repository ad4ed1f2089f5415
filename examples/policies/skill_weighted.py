"""A skill-weighted scorer: how well an agent's levels cover the contact.

Each required skill counts by how far the agent's level exceeds the
minimum, weighted by how much the business values that skill; preferred
skills add a smaller bonus; a loaded agent is penalised so that work
spreads. Vectorised with ``score_many`` (one numpy pass per decision).

Run: ``.venv/bin/python examples/policies/skill_weighted.py``
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

import ccroute as cc


class SkillWeighted(cc.Policy):
    """Σ weight(skill) × (level − minimum) over required skills, plus half
    of that over preferred skills, minus ``load_penalty`` × load."""

    fallback = "most_skilled"

    def __init__(self, weights: Mapping[str, float], load_penalty: float = 2.0) -> None:
        self.weights = dict(weights)
        self.load_penalty = load_penalty

    def score(self, contact: cc.policies.PolicyContact, agent: cc.policies.PolicyAgent) -> float:
        s = sum(self.weights.get(k, 1.0) * (agent.level(k) - lvl) for k, lvl in contact.requires.items())
        s += 0.5 * sum(self.weights.get(k, 1.0) * agent.level(k) for k in contact.prefers)
        return s - self.load_penalty * agent.load

    def score_many(self, contact: cc.policies.PolicyContact, agents: cc.policies.AgentBatch) -> Any:
        s = np.zeros(len(agents))
        for k, lvl in contact.requires.items():
            s += self.weights.get(k, 1.0) * (agents.level(k) - lvl)
        for k in contact.prefers:
            s += 0.5 * self.weights.get(k, 1.0) * agents.level(k)
        return s - self.load_penalty * agents.load


def main() -> None:
    router = cc.Router(
        channels=[cc.Channel("voice", cost=100, max_per_agent=1)],
        queues=[cc.Queue("support")],
        policy=SkillWeighted({"networking": 3.0, "billing": 1.0}),
    )
    router.add_agent(cc.Agent("generalist", skills={"networking": 5, "billing": 9}), now=0.0)
    router.add_agent(cc.Agent("network-pro", skills={"networking": 9, "billing": 3}), now=0.0)
    events = router.submit(
        cc.Contact("c1", channel="voice", queue="support", requires={"networking": 4, "billing": 2}), now=1.0
    )
    print(events)  # network-pro: 3×5 + 1×1 = 16 beats generalist: 3×1 + 1×7 = 10


if __name__ == "__main__":
    main()
