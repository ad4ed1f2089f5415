"""Learn a routing policy on the real engine, then compare it with the
built-in baselines on held-out days.

The policy is linear-softmax over the environment's observation (plain
numpy): the logits of the actions are ``W @ log1p(obs)``, invalid actions
masked, and it acts greedily (the highest logit). ``W`` is trained with
the cross-entropy method (CEM): each iteration draws a population of
weight matrices around the current mean, scores each on the same training
days (common random numbers), and moves the mean to the best quarter.
The reward is minus the contact-minutes waited and a cost per abandonment.
Evaluation runs on days (seeds) never used in training and reports each
policy's mean with a 95 % confidence interval::

    python examples/gym_train.py                 # about a minute on 2 cores
    python examples/gym_train.py --iterations 2 --population 6 --hours 1   # a quick look
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

import ccroute.gym as cg
from ccroute import sim

SCENARIO = "examples/scenarios/multichannel.yaml"


class Linear:
    """Greedy linear policy: action = argmax over valid actions of
    ``W @ [log1p(obs), 1]``."""

    def __init__(self, weights: np.ndarray) -> None:
        self.w = weights

    def __call__(self, obs: np.ndarray, info: dict[str, Any]) -> int:
        x = np.log1p(obs)
        logits = self.w[:, :-1] @ x + self.w[:, -1]
        logits[info["action_mask"] == 0] = -np.inf
        return int(np.argmax(logits))


def episode_return(env: cg.ContactCenterEnv, policy: Any, seed: int) -> float:
    obs, info = env.reset(seed=seed)
    total = 0.0
    while True:
        obs, reward, terminated, truncated, info = env.step(policy(obs, info))
        total += reward
        if terminated or truncated:
            return total


def train(env: cg.ContactCenterEnv, iterations: int, population: int, days: int, seed: int) -> np.ndarray:
    """CEM over the weight matrix; returns the final mean."""
    rng = np.random.default_rng(seed)
    shape = (int(env.action_space.n), env.observation_space.shape[0] + 1)
    mean, sd = np.zeros(shape), np.full(shape, 0.5)
    n_elite = max(2, population // 4)
    for it in range(iterations):
        seeds = [seed * 1000 + it * days + k for k in range(days)]  # the same days for everyone
        pop = mean + sd * rng.standard_normal((population, *shape))
        scores = np.array([np.mean([episode_return(env, Linear(w), s) for s in seeds]) for w in pop])
        elite = pop[np.argsort(scores)[-n_elite:]]
        mean, sd = elite.mean(axis=0), elite.std(axis=0) + 0.02
        print(f"iteration {it + 1}/{iterations}: best {scores.max():10.1f}  elite mean {np.sort(scores)[-n_elite:].mean():10.1f}")
    return mean


def main(argv: Any = None) -> dict[str, dict[str, Any]]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", default=SCENARIO)
    p.add_argument("--hours", type=float, default=4.0, help="length of a simulated day (episode), hours")
    p.add_argument("--iterations", type=int, default=6)
    p.add_argument("--population", type=int, default=16)
    p.add_argument("--train-days", type=int, default=2, help="training days per candidate per iteration")
    p.add_argument("--eval-days", type=int, default=10, help="held-out days for the comparison")
    p.add_argument("--abandon-cost", type=float, default=5.0, help="cost of an abandonment, in contact-minutes")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)

    scn = sim.load_scenario(args.scenario).replace(duration=args.hours * 3600.0, warmup=0.0)
    env = cg.ContactCenterEnv(scn, reward=cg.Reward(wait=1.0, abandon=args.abandon_cost))
    start = time.perf_counter()
    weights = train(env, args.iterations, args.population, args.train_days, args.seed)
    print(f"trained in {time.perf_counter() - start:.1f} s")

    held_out = 1_000_000  # far from every training seed
    policies = {"learned (CEM)": Linear(weights), "longest_idle": cg.LongestIdle(env), "c-mu": cg.CMu(env)}
    report = {name: cg.evaluate(env, pol, episodes=args.eval_days, seed=held_out) for name, pol in policies.items()}
    print(f"\n{args.eval_days} held-out days of {args.hours:g} h, mean ± 95 % CI")
    print(f"{'policy':<16}{'return':>22}{'service level':>22}{'ASA (s)':>20}{'abandoned':>18}")
    for name, r in report.items():
        cells = [f"{r[k]['mean']:.3f} ± {r[k]['ci95']:.3f}" for k in ("return", "service_level", "asa", "abandon_rate")]
        print(f"{name:<16}{cells[0]:>22}{cells[1]:>22}{cells[2]:>20}{cells[3]:>18}")
    return report


if __name__ == "__main__":
    main()
