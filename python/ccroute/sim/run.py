"""Running a scenario: one policy (:func:`run`) or several on the same
random numbers (:func:`compare`).

A policy is a built-in name (``"longest_idle"``, ...), a composition
(``ccroute.policies.Chain``/``Weighted``) or a plug-in
``ccroute.policies.Policy`` object. Each replication runs in the native
event loop with the GIL released, so ``threads > 1`` runs replications in
parallel; the results do not depend on it (every replication has its own
random streams). ``threads=None`` (the default, as on the command line)
uses every core for built-in policies and one worker for a plug-in. A
plug-in re-attaches to the interpreter for each decision it scores, so it
works the same way, only slower; its ``reset()`` runs before every
replication, and with ``threads > 1`` its replications run in worker
processes, each on its own copy, so the results are the same whatever the
number of workers (the policy must then pickle).
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional, Union

from .. import _ccroute
from ..errors import InvalidInput
from ..policies import Chain, Policy, Weighted, _native_policy, _plugin_flags
from ..router import POLICIES
from ._checks import ScenarioError, UnservableWarning
from ._records import policy_object
from .results import Comparison, Results
from .scenario import Scenario, load_scenario

__all__ = ["run", "compare", "Progress", "PolicyArg"]

#: ``progress(done, total)`` is called after each replication.
Progress = Callable[[int, int], None]

ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]


def _scenario(scenario: ScenarioLike, replications: Optional[int], seed: Optional[int]) -> Scenario:
    scn = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    changes: dict[str, Any] = {}
    if replications is not None:
        changes["replications"] = replications
    if seed is not None:
        changes["seed"] = seed
    return scn.replace(**changes) if changes else scn


#: What :func:`run` and :func:`compare` accept as a policy.
PolicyArg = Union[str, Chain, Weighted, Policy]


class _Resolved:
    """A policy ready for the native run: its label, its native built-in
    form (``None``: the scenario's) and the plug-in object, if any."""

    def __init__(self, label: str, native: Any, plugin: Optional[Policy]) -> None:
        self.label = label
        self.native = native
        self.plugin = plugin

    def kwargs(self, strict: bool) -> dict[str, Any]:
        kw: dict[str, Any] = {"label": self.label, "strict": strict}
        if self.native is not None:
            kw["policy"] = self.native
        if self.plugin is not None:
            vectorised, contact_side = _plugin_flags(self.plugin)
            kw.update(plugin=self.plugin, vectorised=vectorised, contact_side=contact_side)
        return kw


def _resolve(policy: Any) -> _Resolved:
    if isinstance(policy, Mapping):  # a scenario's plain form: {chain: [...]} or {weighted: {...}}
        policy = policy_object(policy)
    if isinstance(policy, str):
        if policy not in POLICIES:
            raise ScenarioError(f"policy: unknown policy {policy!r}; built-in policies are {list(POLICIES)}")
        return _Resolved(policy, policy, None)
    if isinstance(policy, (Chain, Weighted)):
        return _Resolved(str(policy), _native_policy(policy), None)
    if isinstance(policy, Policy):
        return _Resolved(type(policy).__name__, _native_policy(policy.fallback), policy)
    raise TypeError(
        f"policy must be a built-in policy name {list(POLICIES)}, a ccroute.policies.Chain or Weighted, "
        f"or a ccroute.policies.Policy plug-in, got {policy!r}"
    )


def _native(scn: Scenario) -> Any:
    """The compiled scenario; warns of each contact type nobody can serve
    (with ``unservable="refuse"`` compiling refuses them)."""
    core = json.dumps(scn.to_core())
    try:
        native = _ccroute.Simulation(core)  # type: ignore[attr-defined]
    except InvalidInput as exc:  # the native check names the field too
        raise ScenarioError(str(exc)) from None
    for message in native.unservable:
        warnings.warn(message, UnservableWarning, stacklevel=3)
    return native


def _run_reps(native: Any, policy: _Resolved, strict: bool, reps: int, threads: Optional[int],
              tick: Callable[[], None], core: str) -> list[dict[str, Any]]:
    kwargs = policy.kwargs(strict)
    plugin = policy.plugin
    threads = 1 if threads is None and plugin is not None else _threads(threads)

    def one(rep: int) -> dict[str, Any]:
        if plugin is not None:
            plugin.reset()
        out: dict[str, Any] = native.run(rep, **kwargs)
        tick()
        return out

    if threads <= 1 or reps == 1:
        return [one(r) for r in range(reps)]
    if plugin is not None:
        # A Python plug-in holds the interpreter while it decides, and its
        # state must not be shared: each replication runs in a worker
        # process on its own copy, reset first.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        jobs = [(core, rep, policy.label, plugin, strict) for rep in range(reps)]
        ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
        out = []
        with ProcessPoolExecutor(max_workers=min(threads, reps), mp_context=ctx) as procs:
            for result in procs.map(_plugin_replication, jobs):
                out.append(result)
                tick()
        return out
    with ThreadPoolExecutor(max_workers=min(threads, reps)) as pool:
        return list(pool.map(one, range(reps)))


def _plugin_replication(job: tuple[str, int, str, Policy, bool]) -> dict[str, Any]:
    """One replication of a plug-in policy, in a worker process."""
    core, rep, label, plugin, strict = job
    plugin.reset()
    native = _ccroute.Simulation(core)  # type: ignore[attr-defined]
    out: dict[str, Any] = native.run(rep, **_Resolved(label, _native_policy(plugin.fallback), plugin).kwargs(strict))
    return out


def _threads(threads: Optional[int]) -> int:
    if threads is None:
        return os.cpu_count() or 1
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    return threads


def run(
    scenario: ScenarioLike,
    policy: Optional[PolicyArg] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    *,
    threads: Optional[int] = None,
    progress: Optional[Progress] = None,
    strict: bool = False,
    label: Optional[str] = None,
) -> Results:
    """Simulates ``scenario`` (a :class:`Scenario` or a file path) under
    ``policy`` (a built-in name, a ``Chain``/``Weighted`` composition or a
    plug-in ``Policy``; default: the scenario's) for ``replications``
    replications (default: the scenario's) from ``seed`` (default: the
    scenario's). ``threads=None`` uses every core (one thread for a
    plug-in); ``label`` names the run in the results (default: the policy's
    name or the plug-in's class name). Same seed, same result,
    bit for bit (for a plug-in: if it is deterministic). A plug-in's failed
    decisions fall back to its ``fallback`` policy and are counted in each
    replication's ``policy_errors``; with ``strict=True`` the first
    exception it raises is re-raised unchanged. Raises
    :class:`ScenarioError` naming a bad field."""
    _threads(threads)
    scn = _scenario(scenario, replications, seed)
    resolved = _resolve(scn.policy if policy is None else policy)
    if label is not None:
        resolved.label = str(label)
    native = _native(scn)
    reps = scn.replications
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], reps)

    start = time.perf_counter()
    out = _run_reps(native, resolved, strict, reps, threads, tick, json.dumps(scn.to_core()))
    return Results(resolved.label, scn.name, out, wall_time=time.perf_counter() - start)


def compare(
    scenario: ScenarioLike,
    policies: Union[str, Sequence[PolicyArg], Mapping[str, PolicyArg]],
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    *,
    threads: Optional[int] = None,
    progress: Optional[Progress] = None,
    strict: bool = False,
) -> Comparison:
    """Runs the same scenario and seeds under each policy (names,
    compositions or plug-ins, or one comma-separated string of names) with
    common random numbers, and returns a :class:`Comparison` whose
    ``differences`` are paired per-replication differences from the first
    policy, with 95 % confidence intervals. Give a mapping ``{label:
    policy}`` to compare two settings of one plug-in class (labels name the
    runs in the results)."""
    _threads(threads)
    if isinstance(policies, str):
        policies = [p.strip() for p in policies.split(",") if p.strip()]
    if isinstance(policies, Mapping):
        resolved = []
        for name, p in policies.items():
            r = _resolve(p)
            r.label = str(name)
            resolved.append(r)
    else:
        resolved = [_resolve(p) for p in policies]
    labels = [r.label for r in resolved]
    if len(labels) < 2 or len(set(labels)) != len(labels):
        raise ValueError(
            f"compare needs at least two differently labelled policies, got {labels!r}; "
            "to compare settings of one policy class give a mapping {label: policy}"
        )
    scn = _scenario(scenario, replications, seed)
    native = _native(scn)
    core = json.dumps(scn.to_core())
    reps = scn.replications
    total = reps * len(resolved)
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    results = {}
    for r in resolved:
        start = time.perf_counter()
        out = _run_reps(native, r, strict, reps, threads, tick, core)
        results[r.label] = Results(r.label, scn.name, out, wall_time=time.perf_counter() - start)
    return Comparison(results)
