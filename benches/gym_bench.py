"""Decisions per second under step-wise control, in one process, in one run.

For each scenario (M/M/10 at 85 % load; the multichannel example day) and
a trivial policy (always the first valid action), the script times, from
the innermost layer out:

1. ``sim.run``: the same day with the built-in policy deciding inside
   Rust (no stepping): the ceiling.
2. the native stepper's ``step_class`` in a bare Python loop: one call per
   decision, the observation and totals written into numpy buffers;
3. ``ContactCenterEnv.step`` (the environment itself: reward, action
   mask, info dict, copies of the observation);
4. the same environment from ``gymnasium.make`` (with Gymnasium's
   order-enforcing and passive-checker wrappers);
5. ``make_vec`` with 8 environments in one process (decisions summed).

and prints decisions per second for each, and the share of a step's time
each layer adds, so that where the time goes is measured, not guessed::

    python benches/gym_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import time

import gymnasium as gym
import numpy as np

import ccroute.gym as cg
from ccroute import sim
from ccroute.sim.run import _native

SCENARIOS = {
    "M/M/10": "examples/scenarios/mmc.yaml",
    "multichannel": "examples/scenarios/multichannel.yaml",
}


def bare(scn: sim.Scenario, reps: int) -> tuple[int, float]:
    native = _native(scn)
    env = cg.ContactCenterEnv(scn)
    obs, tot = np.zeros(len(env.observation_names)), np.zeros(len(sim.TOTALS))
    mask = np.zeros(env.hold + 1, dtype=np.int8)
    n, start = 0, time.perf_counter()
    for rep in range(reps):
        st = native.stepper(rep)
        kind, _ = st.step_class(None, obs, tot, mask)
        while kind >= 0:
            # The first valid action: the first group or type with a candidate.
            kind, _ = st.step_class(int(np.argmax(mask)), obs, tot, mask)
            n += 1
    return n, time.perf_counter() - start


def first_valid(obs: np.ndarray, info: dict) -> int:
    return int(np.argmax(info["action_mask"]))


def episodes(env: gym.Env, reps: int) -> tuple[int, float]:
    n, start = 0, time.perf_counter()
    for rep in range(reps):
        obs, info = env.reset(seed=rep)
        while True:
            obs, _, terminated, truncated, info = env.step(first_valid(obs, info))
            n += 1
            if terminated or truncated:
                break
    return n, time.perf_counter() - start


def vector(scn: sim.Scenario, steps: int, num_envs: int = 8) -> tuple[int, float]:
    envs = cg.make_vec(scn, num_envs)
    obs, info = envs.reset(seed=0)
    start = time.perf_counter()
    for _ in range(steps):
        actions = np.argmax(info["action_mask"], axis=1)
        obs, _, _, _, info = envs.step(actions)
    elapsed = time.perf_counter() - start
    envs.close()
    return steps * num_envs, elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="fewer days (a smoke run)")
    args = p.parse_args()
    reps = 1 if args.quick else 5
    print(f"{'scenario':<14}{'layer':<34}{'decisions':>11}{'seconds':>10}{'decisions/s':>14}{'µs/decision':>13}")
    for label, path in SCENARIOS.items():
        scn = sim.load_scenario(path).replace(warmup=0.0)
        rows = []
        start = time.perf_counter()
        res = sim.run(scn, "longest_idle", replications=reps, threads=1)
        rows.append(("sim.run (built-in, no stepping)", sum(r["decisions"] for r in res.replications), time.perf_counter() - start))
        rows.append(("native stepper, bare loop", *bare(scn, reps)))
        rows.append(("ContactCenterEnv.step", *episodes(cg.ContactCenterEnv(scn), reps)))
        rows.append(("gymnasium.make (wrapped)", *episodes(gym.make(cg.ENV_ID, scenario=scn), reps)))
        rows.append(("make_vec, 8 envs", *vector(scn, 500 if args.quick else 3000)))
        for name, n, secs in rows:
            print(f"{label:<14}{name:<34}{n:>11}{secs:>10.2f}{n / secs:>14,.0f}{1e6 * secs / n:>13.2f}")
        us = [1e6 * secs / n for _, n, secs in rows]
        print(
            f"{'':<14}per decision: engine {us[0]:.2f} µs; stepping adds {us[1] - us[0]:.2f} µs (Python call, "
            f"observation); the environment {us[2] - us[1]:.2f} µs (reward, mask, info); wrappers {us[3] - us[2]:.2f} µs"
        )


if __name__ == "__main__":
    main()
