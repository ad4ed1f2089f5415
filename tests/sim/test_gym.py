"""The Gymnasium environment: API conformance, reproducibility, masks,
rewards, baselines and the vector form."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import ccroute.gym as cg
from ccroute import sim

MMC = "examples/scenarios/mmc.yaml"
MULTI = "examples/scenarios/multichannel.yaml"


def short(path: str, hours: float = 2.0) -> sim.Scenario:
    return sim.load_scenario(path).replace(duration=hours * 3600.0, warmup=0.0)


@pytest.mark.parametrize("path", [MMC, MULTI])
def test_the_environment_passes_gymnasiums_checker(path: str) -> None:
    env = gym.make(cg.ENV_ID, scenario=short(path), render_mode="ansi")
    check_env(env.unwrapped)
    env.reset(seed=0)
    assert "decision=" in env.render()


def run_episode(env: gym.Env, policy, seed: int) -> tuple[list[np.ndarray], float, dict]:
    obs, info = env.reset(seed=seed)
    seen, total = [obs], 0.0
    while True:
        obs, reward, terminated, truncated, info = env.step(policy(obs, info))
        seen.append(obs)
        total += reward
        if terminated or truncated:
            return seen, total, info


def test_seeded_episodes_are_reproducible_and_seeds_differ() -> None:
    env = cg.ContactCenterEnv(short(MULTI))
    policy = cg.LongestIdle(env)
    a, ra, _ = run_episode(env, policy, seed=7)
    b, rb, _ = run_episode(env, policy, seed=7)
    c, rc, _ = run_episode(env, policy, seed=8)
    assert ra == rb and len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    assert rc != ra


def test_the_default_reward_sums_to_minus_the_minutes_waited() -> None:
    env = cg.ContactCenterEnv(short(MULTI, 1.0))
    _, total, info = run_episode(env, cg.LongestIdle(env), seed=1)
    wait_area = info["totals"][sim.TOTALS.index("wait_area")]
    assert total == pytest.approx(-wait_area / 60.0)
    assert wait_area > 0
    assert info["episode_results"]["offered"] > 0


def test_masks_invalid_actions_and_holds() -> None:
    env = cg.ContactCenterEnv(short(MULTI))
    obs, info = env.reset(seed=3)
    hold = env.action_space.n - 1
    assert info["action_mask"][hold] == 1
    assert np.array_equal(env.action_masks(), info["action_mask"])
    invalid = [a for a in range(hold) if info["action_mask"][a] == 0]
    assert invalid, "some group has no candidate at the first decision"
    before = info["totals"].copy()
    obs, _, _, _, info = env.step(invalid[0])
    assert info["valid_action"] is False
    assert info["totals"][sim.TOTALS.index("holds")] == before[sim.TOTALS.index("holds")] + 1
    with pytest.raises(ValueError, match="action must be in"):
        env.step(hold + 1)


def test_truncation_after_n_decisions_or_contacts() -> None:
    env = cg.ContactCenterEnv(MULTI, max_decisions=50)
    seen, _, _ = run_episode(env, cg.CMu(env), seed=0)
    assert len(seen) == 51
    env = cg.ContactCenterEnv(MULTI, max_contacts=30)
    _, _, info = run_episode(env, cg.CMu(env), seed=0)
    assert info["totals"][sim.TOTALS.index("arrived")] >= 30
    with pytest.raises(ValueError, match="max_decisions"):
        cg.ContactCenterEnv(MULTI, max_decisions=0)
    with pytest.raises(ValueError, match="Reward.wait"):
        cg.Reward(wait=float("nan"))


def test_the_longest_idle_baseline_is_the_built_in_policy_on_one_group() -> None:
    scn = short(MMC, 3.0)
    env = cg.ContactCenterEnv(scn)
    env.reset(seed=0, options={"replication": 4})
    policy = cg.LongestIdle(env)
    _, _, info = run_episode_from(env, policy)
    built_in = sim.run(scn, "longest_idle", replications=5).replications[4]["total"]
    assert info["episode_results"] == built_in


def run_episode_from(env: cg.ContactCenterEnv, policy):
    obs = env._obs.copy()
    info = env._info(True)
    total = 0.0
    while True:
        obs, reward, terminated, truncated, info = env.step(policy(obs, info))
        total += reward
        if terminated or truncated:
            return obs, total, info


def test_rewards_for_abandonment_service_level_and_fairness() -> None:
    scn = short(MULTI, 1.0)
    env = cg.ContactCenterEnv(scn, reward=cg.Reward(wait=0.0, abandon=2.0, sl=1.0, fairness=0.5))
    _, total, info = run_episode(env, cg.LongestIdle(env), seed=2)
    t = dict(zip(sim.TOTALS, info["totals"], strict=True))
    handled = env._stepper  # finished: spread read before
    assert handled is not None
    assert total == pytest.approx(t["answered_in_sl"] - 2.0 * t["abandoned"] - 0.5 * env._spread)


def test_evaluate_reports_means_with_confidence_intervals() -> None:
    env = cg.ContactCenterEnv(short(MULTI, 1.0))
    out = cg.evaluate(env, cg.CMu(env), episodes=3, seed=100)
    for key in ("return", "service_level", "asa", "abandon_rate"):
        assert len(out[key]["values"]) == 3
        assert out[key]["ci95"] >= 0
    assert 0 < out["service_level"]["mean"] <= 1


def test_vector_form_steps_many_environments_in_one_process() -> None:
    envs = cg.make_vec(short(MULTI, 1.0), num_envs=3)
    obs, info = envs.reset(seed=10)
    assert obs.shape == (3, len(envs.get_attr("observation_names")[0]))
    hold = envs.single_action_space.n - 1
    for _ in range(200):
        obs, reward, terminated, truncated, info = envs.step(np.full(3, hold))
        assert reward.shape == (3,)
    envs.close()
    made = gym.make_vec(cg.ENV_ID, num_envs=2, vectorization_mode="sync", scenario=short(MMC, 1.0))
    obs, _ = made.reset(seed=1)
    assert obs.shape[0] == 2
    made.close()
