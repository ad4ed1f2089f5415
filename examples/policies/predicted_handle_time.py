"""Predicted handle time: send each contact to the agent expected to finish
it fastest, using a fitted model's coefficients.

The model is a linear regression of handle time (seconds) on agent
features, fitted offline (for instance on the simulator's output or on a
call log); only its coefficients live here. The score is the negated
prediction, so the shortest expected handle time wins. Vectorised.

Run: ``.venv/bin/python examples/policies/predicted_handle_time.py``
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import ccroute as cc


@dataclass(frozen=True)
class HandleTimeModel:
    """handle_time ≈ intercept + per_level × level(topic skill) + per_load ×
    load + per_handled × log1p(handled) (experience)."""

    intercept: float = 420.0
    per_level: float = -25.0
    per_load: float = 90.0
    per_handled: float = -12.0

    def predict(self, level: Any, load: Any, handled: Any) -> Any:
        return (
            self.intercept
            + self.per_level * level
            + self.per_load * load
            + self.per_handled * np.log1p(handled)
        )


class PredictedHandleTime(cc.Policy):
    """Highest score = shortest predicted handle time for the contact's
    topic (its first required skill, or the ``topic`` attribute)."""

    def __init__(self, model: HandleTimeModel) -> None:
        self.model = model

    @staticmethod
    def _topic(contact: cc.policies.PolicyContact) -> str:
        topic = contact.attributes.get("topic")
        if isinstance(topic, str):
            return topic
        return next(iter(contact.requires), "")

    def score(self, contact: cc.policies.PolicyContact, agent: cc.policies.PolicyAgent) -> float:
        t = self._topic(contact)
        return -float(self.model.predict(agent.level(t), agent.load, agent.handled))

    def score_many(self, contact: cc.policies.PolicyContact, agents: cc.policies.AgentBatch) -> Any:
        t = self._topic(contact)
        return -self.model.predict(agents.level(t), agents.load, agents.handled)


def main() -> None:
    router = cc.Router(
        channels=[cc.Channel("chat", cost=25, max_per_agent=4)],
        queues=[cc.Queue("orders")],
        policy=PredictedHandleTime(HandleTimeModel()),
    )
    router.add_agent(cc.Agent("new-hire", skills={"returns": 8}), now=0.0)
    router.add_agent(cc.Agent("veteran", skills={"returns": 6}), now=0.0)
    for i in range(3):
        router.submit(cc.Contact(f"warm-up-{i}", channel="chat", queue="orders", requires={"returns": 1}), now=1.0)
    for cid in ("warm-up-0", "warm-up-1", "warm-up-2"):
        router.complete(cid, now=2.0)
    events = router.submit(
        cc.Contact("c1", channel="chat", queue="orders", requires={"returns": 3}, attributes={"topic": "returns"}),
        now=3.0,
    )
    print(events, {a: router.agent(a).handled for a in router.agent_ids()})


if __name__ == "__main__":
    main()
