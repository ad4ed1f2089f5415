"""A Gymnasium environment over any scenario: learn a routing policy on the
production engine.

Each step is one routing decision of a simulated day (see
:mod:`ccroute.sim.stepper`): a *route* decision (a contact waits and free
agents may take it: which agent group serves it) or a *pick* decision (an
agent has room: which contact type it takes). Between decisions the Rust
event loop runs at full speed::

    import gymnasium as gym
    import ccroute.gym  # registers "ccroute/ContactCenter-v0"

    env = gym.make("ccroute/ContactCenter-v0", scenario="examples/scenarios/multichannel.yaml")
    obs, info = env.reset(seed=1)
    while True:
        action = env.action_space.sample(info["action_mask"])
        obs, reward, terminated, truncated, info = env.step(action)
        if terminated or truncated:
            break

* **Observation**: a float64 vector, named by ``env.unwrapped.observation_names``
  (time; the decision's kind, subject and wait; per queue waiting, longest
  wait and service level so far; per type waiting; per agent group agents
  available, idle and units in use per channel; the candidates: per group
  a flag and its agent's idle seconds, per type a flag and its contact's
  wait).
* **Action**: ``Discrete(max(groups, types) + 1)``. In a route decision
  action ``g`` sends the contact to group ``g``'s agent idle the longest; in
  a pick decision action ``t`` gives the agent the first in line of type
  ``t``; the last action holds (the contact waits on, the agent stays free
  until the next event). ``info["action_mask"]`` (and
  :meth:`ContactCenterEnv.action_masks`) marks the valid actions; an
  invalid action holds and ``info["valid_action"]`` is false.
* **Reward**: :class:`Reward` (waiting cost per contact-minute,
  abandonment cost, bonus per contact answered within its service-level
  threshold, fairness cost on the spread of agents' handled counts).
* **Episode**: the scenario's day (``terminated`` when it is over), or
  ``max_decisions`` decisions or ``max_contacts`` arrivals (``truncated``).
  ``reset(seed=s)`` makes it reproducible: each episode is one replication
  of the scenario, its index drawn from the environment's generator.
* **Vectorised**: :func:`make_vec` (or ``gym.make_vec``) runs many in one
  process (or one per process with ``vectorization_mode="async"``).

Baselines in the same interface (``policy(obs, info) -> action``):
:class:`LongestIdle` and :class:`CMu`; :func:`evaluate` runs a policy on
held-out seeds and reports means with 95 % confidence intervals.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import gymnasium
import numpy as np
from gymnasium import spaces

from ..sim._serving import served_types
from ..sim.processes import mean_of
from ..sim.results import t_quantile
from ..sim.run import _native, _scenario
from ..sim.scenario import Scenario
from ..sim.stepper import TOTALS

__all__ = [
    "ContactCenterEnv",
    "Reward",
    "LongestIdle",
    "CMu",
    "evaluate",
    "make_vec",
    "ENV_ID",
]

#: The id the environment is registered under.
ENV_ID = "ccroute/ContactCenter-v0"

ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]
_T = {name: i for i, name in enumerate(TOTALS)}
_WAIT_AREA, _ABANDONED, _IN_SL, _ARRIVED = _T["wait_area"], _T["abandoned"], _T["answered_in_sl"], _T["arrived"]
_KINDS = {0: "route", 1: "pick"}
#: Observations are counts, seconds and fractions: never negative, and
#: bounded in practice (a finite bound: Gymnasium's checker frowns on
#: infinite ones).
_HIGH = 1e12


@dataclass(frozen=True)
class Reward:
    """The reward of a step, from what happened since the previous one:

    ``-wait * (contact-minutes waited) - abandon * (abandonments)
    + sl * (contacts answered within their threshold)
    - fairness * (increase in the standard deviation of agents' handled
    counts)``. Over an episode the waiting term sums to the total waiting
    time (waits still going on included), so the default reward is minus
    the contact-minutes waited."""

    wait: float = 1.0
    abandon: float = 0.0
    sl: float = 0.0
    fairness: float = 0.0

    def __post_init__(self) -> None:
        for name in ("wait", "abandon", "sl", "fairness"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"Reward.{name} must be a finite number, got {value!r}")


class ContactCenterEnv(gymnasium.Env[np.ndarray, np.int64]):
    """Routing decisions of a simulated contact center as a Gymnasium
    environment (see the module documentation)."""

    metadata: dict[str, Any] = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(
        self,
        scenario: ScenarioLike,
        reward: Optional[Reward] = None,
        max_decisions: Optional[int] = None,
        max_contacts: Optional[int] = None,
        render_mode: Optional[str] = None,
    ) -> None:
        for name, value in (("max_decisions", max_decisions), ("max_contacts", max_contacts)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.scenario = _scenario(scenario, None, None)
        self.reward = reward if reward is not None else Reward()
        if not isinstance(self.reward, Reward):
            raise TypeError(f"reward must be a ccroute.gym.Reward, got {self.reward!r}")
        self.max_decisions = max_decisions
        self.max_contacts = max_contacts
        self.render_mode = render_mode
        self._sim = _native(self.scenario)
        self.types = [t.name for t in self.scenario.contact_types]
        self.groups = [g.name for g in self.scenario.agent_groups]
        names: list[str] = self._sim.stepper(0).observation_names
        self.observation_names = names
        self._route = np.array([names.index(f"route.{g}.candidate") for g in self.groups])
        self._pick = np.array([names.index(f"pick.{t}.candidate") for t in self.types])
        self.hold = max(len(self.groups), len(self.types))
        self.observation_space = spaces.Box(low=0.0, high=_HIGH, shape=(len(names),), dtype=np.float64)
        self.action_space = spaces.Discrete(self.hold + 1)
        self._obs = np.zeros(len(names))
        self._tot = np.zeros(len(TOTALS))
        self._prev = [0.0] * len(TOTALS)
        self._mask = np.zeros(self.hold + 1, dtype=np.int8)
        self._kind = -1
        self._steps = 0
        self._spread = 0.0
        self._stepper: Any = None
        self.replication: Optional[int] = None

    # -- the Gymnasium API ----------------------------------------------------

    def reset(
        self, *, seed: Optional[int] = None, options: Optional[dict[str, Any]] = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Starts an episode: replication ``options["replication"]`` when
        given, else one drawn from the environment's generator (seeded by
        ``seed``)."""
        super().reset(seed=seed)
        rep = (options or {}).get("replication")
        if rep is None:
            rep = int(self.np_random.integers(0, 2**31))
        self.replication = rep
        self._stepper = self._sim.stepper(rep)
        self._kind, _ = self._stepper.step_class(None, self._obs, self._tot, self._mask)
        self._prev = self._tot.tolist()
        self._steps = 0
        self._spread = 0.0
        return self._obs.copy(), self._info(True)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Answers the open decision with ``action`` and runs to the next
        one."""
        if self._stepper is None:
            raise RuntimeError("call reset() before step()")
        if self._kind < 0:
            raise RuntimeError("the episode is over: call reset()")
        a = int(action)
        if not 0 <= a <= self.hold:
            raise ValueError(f"action must be in [0, {self.hold}], got {action!r}")
        self._kind, valid = self._stepper.step_class(-1 if a == self.hold else a, self._obs, self._tot, self._mask)
        self._steps += 1
        reward = self._reward()
        terminated = self._kind < 0
        truncated = not terminated and (
            (self.max_decisions is not None and self._steps >= self.max_decisions)
            or (self.max_contacts is not None and self._prev[_ARRIVED] >= self.max_contacts)
        )
        info = self._info(valid or a == self.hold)
        if terminated:
            info["episode_results"] = self._results()
        return self._obs.copy(), reward, terminated, truncated, info

    def render(self) -> Optional[str]:  # type: ignore[override]
        """``"ansi"``: one line with the time, the decision and the totals."""
        if self.render_mode != "ansi":
            return None
        kind = {0: "route", 1: "pick"}.get(self._kind, "over")
        t = dict(zip(TOTALS, self._tot, strict=True))
        return (
            f"t={t['time']:.0f}s decision={kind} waiting={t['waiting']:.0f} "
            f"answered={t['answered']:.0f} abandoned={t['abandoned']:.0f}"
        )

    def action_masks(self) -> np.ndarray:
        """The valid actions of the open decision (1: valid); the hold is
        always valid."""
        return self._mask.copy()

    # -- details --------------------------------------------------------------

    def _info(self, valid: bool) -> dict[str, Any]:
        # The native step wrote the mask with the observation.
        return {
            "action_mask": self._mask.copy(),
            "decision": _KINDS.get(self._kind, "over"),
            "valid_action": valid,
            "totals": self._tot.copy(),
        }

    def _reward(self) -> float:
        """The step's reward; moves the previous totals on (a list of
        floats: plain arithmetic is cheaper than numpy's on 9 values)."""
        r, tot, prev = self.reward, self._tot.tolist(), self._prev
        value = 0.0
        if r.wait:
            value -= r.wait * (tot[_WAIT_AREA] - prev[_WAIT_AREA]) / 60.0
        if r.abandon:
            value -= r.abandon * (tot[_ABANDONED] - prev[_ABANDONED])
        if r.sl:
            value += r.sl * (tot[_IN_SL] - prev[_IN_SL])
        if r.fairness:
            spread = float(np.std(self._stepper.handled().astype(np.float64)))
            value -= r.fairness * (spread - self._spread)
            self._spread = spread
        self._prev = tot
        return value

    def _results(self) -> dict[str, Any]:
        """The finished replication's total figures."""
        out = self._stepper.finish("gym")
        total: dict[str, Any] = out["total"]
        return total


def make_vec(
    scenario: ScenarioLike, num_envs: int, asynchronous: bool = False, **kwargs: Any
) -> gymnasium.vector.VectorEnv:
    """``num_envs`` environments over ``scenario`` stepped together: in one
    process (``SyncVectorEnv``), or one worker process each with
    ``asynchronous=True`` (``AsyncVectorEnv``). ``kwargs`` go to
    :class:`ContactCenterEnv`. Seed with ``reset(seed=s)``: environment
    ``i`` is seeded ``s + i``."""
    if isinstance(num_envs, bool) or not isinstance(num_envs, int) or num_envs < 1:
        raise ValueError(f"num_envs must be a positive integer, got {num_envs!r}")
    scn = _scenario(scenario, None, None)
    fns = [lambda: ContactCenterEnv(scn, **kwargs) for _ in range(num_envs)]
    if asynchronous:
        return gymnasium.vector.AsyncVectorEnv(fns)
    return gymnasium.vector.SyncVectorEnv(fns)


# -- baselines ----------------------------------------------------------------


class LongestIdle:
    """The built-in ``longest_idle`` in the environment's interface: a
    route decision goes to the group whose candidate has been idle the
    longest; a pick takes the highest-priority type, then the longest
    wait. On a single-group, single-type scenario it makes the built-in
    policy's decisions exactly."""

    def __init__(self, env: gymnasium.Env[Any, Any]) -> None:
        e: ContactCenterEnv = env.unwrapped  # type: ignore[assignment]
        names = e.observation_names
        self.hold = e.hold
        self._route_idle = np.array([names.index(f"route.{g}.idle") for g in e.groups])
        self._pick_wait = np.array([names.index(f"pick.{t}.wait") for t in e.types])
        self._priority = np.array([t.priority for t in e.scenario.contact_types], dtype=np.float64)

    def __call__(self, obs: np.ndarray, info: dict[str, Any]) -> int:
        mask = info["action_mask"]
        if info["decision"] == "route":
            valid = mask[: len(self._route_idle)] > 0
            if not valid.any():
                return self.hold
            score = np.where(valid, obs[self._route_idle], -np.inf)
            return int(np.argmax(score))
        valid = mask[: len(self._pick_wait)] > 0
        if not valid.any():
            return self.hold
        # Priority first, then the wait (waits are far below 1e9 s).
        score = np.where(valid, self._priority * 1e9 + obs[self._pick_wait], -np.inf)
        return int(np.argmax(score))


class CMu:
    """A cμ-style index policy. A pick takes the type with the highest
    ``c_t * mu_t``, where ``mu_t`` is the type's service rate (1 / mean
    handle time) and ``c_t`` its waiting cost (default: 1 / its queue's
    service-level threshold, so tighter targets cost more), ties to the
    longer wait; the cμ rule is optimal for linear waiting costs in a
    single-server multi-class queue. A route sends the contact to the most
    specialised free group (the one whose agents can serve the fewest
    contact types, by the engine's own rule), keeping versatile agents free for the contacts only
    they can take; ties to the longest idle."""

    def __init__(self, env: gymnasium.Env[Any, Any], cost: Optional[Sequence[float]] = None) -> None:
        e: ContactCenterEnv = env.unwrapped  # type: ignore[assignment]
        scn = e.scenario
        names = e.observation_names
        self.hold = e.hold
        thresholds = {q["name"]: float(q["sl_threshold"]) for q in scn.to_core()["queues"]}
        if cost is None:
            c = np.array([1.0 / max(thresholds[t.queue], 1.0) for t in scn.contact_types])
        else:
            if len(cost) != len(scn.contact_types):
                raise ValueError(f"cost needs one value per contact type ({len(scn.contact_types)}), got {len(cost)}")
            c = np.asarray(cost, dtype=np.float64)
        mu = np.array([1.0 / mean_of(t.handle_time) for t in scn.contact_types])
        self.index = c * mu
        self._pick_wait = np.array([names.index(f"pick.{t}.wait") for t in e.types])
        self._route_idle = np.array([names.index(f"route.{g}.idle") for g in e.groups])
        serves = served_types(scn)
        self.versatility = np.array([sum(serves[g.name]) for g in scn.agent_groups], dtype=np.float64)

    def __call__(self, obs: np.ndarray, info: dict[str, Any]) -> int:
        mask = info["action_mask"]
        if info["decision"] == "route":
            valid = mask[: len(self._route_idle)] > 0
            if not valid.any():
                return self.hold
            idle = obs[self._route_idle]
            score = np.where(valid, -self.versatility * 1e9 + idle, -np.inf)
            return int(np.argmax(score))
        valid = mask[: len(self._pick_wait)] > 0
        if not valid.any():
            return self.hold
        wait = obs[self._pick_wait]
        order = np.lexsort((-wait, -self.index))  # highest index, then longest wait
        return int(next(i for i in order if valid[i]))


# -- evaluation ---------------------------------------------------------------

Policy = Callable[[np.ndarray, dict[str, Any]], int]


def evaluate(
    env: gymnasium.Env[Any, Any], policy: Policy, episodes: int = 10, seed: int = 10_000
) -> dict[str, Any]:
    """Runs ``episodes`` episodes of ``policy`` from seeds ``seed``,
    ``seed + 1``, ... (keep them apart from training seeds) and returns the
    per-episode returns and service levels with their means and 95 %
    confidence half-widths (Student t)."""
    returns, sls, asas, abandons = [], [], [], []
    for k in range(episodes):
        obs, info = env.reset(seed=seed + k)
        total = 0.0
        while True:
            obs, reward, terminated, truncated, info = env.step(policy(obs, info))
            total += float(reward)
            if terminated or truncated:
                break
        returns.append(total)
        res = info.get("episode_results") or {}
        sls.append(res.get("service_level") or float("nan"))
        asas.append(res.get("asa") or float("nan"))
        abandons.append(res.get("abandon_rate") or 0.0)
    out: dict[str, Any] = {"episodes": episodes}
    for name, xs in (("return", returns), ("service_level", sls), ("asa", asas), ("abandon_rate", abandons)):
        arr = np.asarray(xs, dtype=np.float64)
        mean = float(np.mean(arr))
        half = float(t_quantile(len(arr) - 1) * np.std(arr, ddof=1) / math.sqrt(len(arr))) if len(arr) > 1 else math.nan
        out[name] = {"values": arr.tolist(), "mean": mean, "ci95": half}
    return out


gymnasium.register(id=ENV_ID, entry_point="ccroute.gym:ContactCenterEnv")
