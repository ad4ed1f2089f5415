"""Fairness within a team: balance the number of contacts handled.

Agents carry a ``team`` attribute. Among the eligible agents, the one whose
handled count is furthest below its team's average (over the candidates
seen) wins; skill only breaks near-ties. This keeps incentive schemes
counted per contact fair inside each team without starving any team.
Vectorised.

Run: ``.venv/bin/python examples/policies/team_fairness.py``
"""

from __future__ import annotations

from typing import Any

import numpy as np

import ccroute as cc


class TeamFairness(cc.Policy):
    """Score = (team's mean handled − agent's handled) + 0.01 × skill level."""

    fallback = "fewest_handled"

    def score(self, contact: cc.policies.PolicyContact, agent: cc.policies.PolicyAgent) -> float:
        # Without the other candidates, fall back on the raw count.
        skill = next(iter(contact.requires), "")
        return -float(agent.handled) + 0.01 * agent.level(skill)

    def score_many(self, contact: cc.policies.PolicyContact, agents: cc.policies.AgentBatch) -> Any:
        handled = agents.handled
        teams = np.array([str(agents[i].attributes.get("team", "")) for i in range(len(agents))])
        score = np.empty(len(agents))
        for team in np.unique(teams):
            mask = teams == team
            score[mask] = handled[mask].mean() - handled[mask]
        skill = next(iter(contact.requires), "")
        return score + 0.01 * agents.level(skill)


def main() -> None:
    router = cc.Router(
        channels=[cc.Channel("voice", cost=100, max_per_agent=1)],
        queues=[cc.Queue("sales")],
        policy=TeamFairness(),
    )
    for aid, team in (("a1", "red"), ("a2", "red"), ("b1", "blue")):
        router.add_agent(cc.Agent(aid, skills={"sales": 5}, attributes={"team": team}), now=0.0)
    now = 0.0
    for i in range(9):
        now += 1.0
        (assigned,) = router.submit(cc.Contact(f"c{i}", channel="voice", queue="sales"), now=now)
        router.complete(assigned.contact, now=now + 0.5)
    print({a: router.agent(a).handled for a in router.agent_ids()})


if __name__ == "__main__":
    main()
