"""Staffing a multi-skill, multichannel center by simulation.

:func:`optimize` finds the lowest-cost number of agents per group (and per
interval, with ``intervals=``) such that every queue (or contact type)
meets its service-level target, and optionally abandonment and ASA caps,
on the simulator's estimates::

    from ccroute import staffing
    res = staffing.optimize("examples/scenarios/multichannel.yaml",
                            costs={"sales": 1.0, "support": 1.2, "backoffice": 0.8})
    print(res.staffing, res.cost, res.bound, res.gap)
    res.plot("search.png")

The method is the simulation-based cutting-plane algorithm of Cezik and
L'Ecuyer (2008), "Staffing multiskill call centers via linear programming
and simulation", Management Science 54(2), on a sample-average
approximation (SAA): every staffing is simulated on the same replications
(common random numbers), so the constraints are deterministic functions of
the staffing that the search compares exactly.

1. **Lower bound.** An integer program over the agents with the fluid
   capacity constraints (for every set of contact types, the groups that
   can serve any of them have the agents their load needs: arrival rate ×
   handle time ÷ contacts an agent holds at once) and, per constraint, the
   Erlang C (Erlang A with patience) staffing of its load on the groups
   that can serve it. Its optimum is :attr:`StaffingResult.bound`: a
   center cheaper than that cannot meet the targets (up to the Erlang
   approximation of each queue on its own).
2. **Cuts.** Solve the program (HiGHS, through ``scipy.optimize.milp``),
   simulate the solution; for each constraint it misses, estimate the
   subgradient of the metric in the staffing by forward differences (one
   agent more in each variable, same random numbers) and add the cut
   ``g(y) + q·(x − y) ≥ target``. Repeat until the solution meets every
   constraint. Where the metric is not concave the cut may cut off good
   staffings; Cezik and L'Ecuyer report this is rare near the optimum.
3. **Local search.** Take one agent out of a variable (most expensive
   first), move one to a cheaper variable of the same interval, or (for
   a day's staffing of up to 4 groups) replace two agents by one that
   costs less, whenever the staffing stays feasible, until no move does: the
   cuts approximate metrics that are not concave everywhere, and single
   moves recover what they cut off near the solution.

The solution is then simulated again on independent replications
(``validation`` seeds) and its figures reported with 95 % confidence
intervals (:attr:`StaffingResult.estimates`). ``confidence=0.95`` makes the
search require the one-sided lower confidence bound of each service level
(upper bound of each cap) to meet the target instead of the mean.

:func:`exhaustive` enumerates every staffing in given ranges on the same
SAA (the check on small instances), :func:`two_step` is the usual
practice to compare against (Erlang per queue, then agents added where
simulation shows the largest gain until feasible).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from ..sim._serving import served_types, slots_per_agent
from ..sim.processes import PiecewisePoisson, Poisson, Trace
from ..sim.processes import mean_of as dist_mean
from ..sim.results import t_quantile
from ..sim.run import PolicyArg, _scenario
from ..sim.run import run as _sim_run
from ..sim.scenario import AgentGroup, Scenario

__all__ = ["optimize", "exhaustive", "two_step", "StaffingResult", "Constraint", "dist_mean"]

ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]
#: A staffing: agents per variable (group, or group and interval).
_Staffing = Union[Sequence[int], np.ndarray]
#: ``progress(evaluations, best_cost)`` after every simulated staffing.
Progress = Callable[[int, Optional[float]], None]


@dataclass(frozen=True)
class Constraint:
    """One target: ``metric`` of a queue or contact type (``name``), over
    the day or in interval ``interval``, at least (``service_level``) or at
    most (``abandon_rate``, ``asa``) ``bound``."""

    kind: str  # "queue" or "type"
    name: str
    metric: str
    bound: float
    interval: Optional[int] = None

    @property
    def sign(self) -> float:
        return 1.0 if self.metric == "service_level" else -1.0

    def label(self) -> str:
        at = "" if self.interval is None else f"@{self.interval}"
        op = "≥" if self.sign > 0 else "≤"
        return f"{self.name}{at} {self.metric} {op} {self.bound:g}"


@dataclass
class StaffingResult:
    """What :func:`optimize` (or :func:`two_step`, :func:`exhaustive`)
    found."""

    #: Agents per group, or per group a list per interval.
    staffing: dict[str, Any]
    cost: float
    #: The lower bound (fluid and Erlang integer program) and the relative
    #: gap ``(cost - bound) / cost``.
    bound: float
    gap: float
    feasible: bool
    #: Per constraint on the validation replications: label, mean, 95 %
    #: half-width, bound, met.
    estimates: list[dict[str, Any]]
    #: Along the search: one entry per simulated staffing (cost, the
    #: smallest slack, feasible, phase).
    trace: list[dict[str, Any]]
    evaluations: int
    seconds: float
    scenario: Scenario
    method: str = "cutting planes (Cezik & L'Ecuyer 2008) on SAA"
    cuts: int = 0

    def plot(self, path: str, title: Optional[str] = None) -> None:
        """The search: left, the cost of each simulated staffing in search
        order (green feasible, red not) against the lower bound; right,
        each staffing's smallest slack to its targets (service level above
        its target; caps below theirs) against its cost, the solution
        marked."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4))
        costs = np.array([t["cost"] for t in self.trace])
        slack = np.array([t["slack"] for t in self.trace])
        ok = np.array([t["feasible"] for t in self.trace], dtype=bool)
        order = np.arange(len(costs))
        ax.plot(order, costs, color="grey", lw=0.6, zorder=1)
        ax.scatter(order[ok], costs[ok], c="tab:green", s=10, label="meets every target", zorder=2)
        ax.scatter(order[~ok], costs[~ok], c="tab:red", s=10, label="misses a target", zorder=2)
        ax.axhline(self.bound, ls="--", color="tab:blue", label=f"lower bound {self.bound:g}")
        ax.axhline(self.cost, ls=":", color="black", label=f"solution {self.cost:g}")
        ax.set_xlabel("simulated staffing, in search order")
        ax.set_ylabel("cost")
        ax.legend(fontsize=8)
        bx.scatter(costs[ok], slack[ok], c="tab:green", s=10)
        bx.scatter(costs[~ok], slack[~ok], c="tab:red", s=10)
        bx.axhline(0.0, color="black", lw=0.6)
        bx.axvline(self.cost, ls=":", color="black")
        bx.set_xlabel("cost")
        bx.set_ylabel("smallest slack to the targets (SL above target)")
        fig.suptitle(title or f"staffing search ({self.method})", fontsize=10)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)


class _Problem:
    """The staffing problem of a scenario: variables, constraints, the
    scenario of a staffing, and the SAA evaluation (memoised)."""

    def __init__(
        self,
        scenario: Scenario,
        targets: Optional[Mapping[str, Any]],
        costs: Optional[Mapping[str, float]],
        intervals: Optional[float],
        by: str,
        policy: Optional[PolicyArg],
        replications: int,
        seed: int,
        confidence: Optional[float],
        max_agents: Optional[Mapping[str, int]],
        threads: Optional[int],
    ) -> None:
        if by not in ("queue", "type"):
            raise ValueError(f"by must be 'queue' or 'type', got {by!r}")
        if replications < 2:
            raise ValueError(f"replications must be at least 2, got {replications}")
        if confidence is not None and not 0.5 <= confidence < 1:
            raise ValueError(f"confidence must be in [0.5, 1) or None, got {confidence}")
        from ..sim import parse_duration

        self.base = scenario
        self.duration = parse_duration(scenario.duration)
        self.policy = policy
        self.reps = replications
        self.seed = seed
        self.threads = threads
        self.z = 0.0 if confidence is None else _normal_quantile(confidence)
        self.groups = [g.name for g in scenario.agent_groups]
        core = scenario.to_core()
        self.queues = [q["name"] for q in core["queues"]]
        self.types = [t.name for t in scenario.contact_types]
        costs = dict(costs or {})
        for name in costs:
            if name not in self.groups:
                raise ValueError(f"costs: no agent group {name!r}; groups are {self.groups}")
        if intervals is not None:
            if intervals <= 0 or self.duration / intervals > 96:
                raise ValueError(f"intervals must be positive and cut the day into at most 96, got {intervals}")
            self.n_int = int(math.ceil(self.duration / intervals - 1e-9))
            self.length: Optional[float] = float(intervals)
        else:
            self.n_int, self.length = 1, None
        per = self.n_int if self.length else 1
        self.var_names = [f"{g}@{t}" if self.length else g for g in self.groups for t in range(per)]
        # Per agent (day staffing) or per agent-hour of its interval (the
        # last interval may be shorter).
        self.cost = np.array([
            float(costs.get(g, 1.0)) * (min(self.length, self.duration - t * self.length) / 3600.0 if self.length else 1.0)
            for g in self.groups for t in range(per)
        ])
        self.constraints = self._constraints(targets, by, core)
        self._serve_cache: Optional[dict[str, list[bool]]] = None
        self.serves = self._serves()
        for k, c in enumerate(self.constraints):
            if not self.serves[:, k].any():
                raise ValueError(
                    f"targets: {c.kind} {c.name!r} has a target ({c.label()}) but no agent group can serve its "
                    "contacts (channel, skills or routing profile); give it a group or drop the target "
                    "(service_level: None)"
                )  # variable x constraint: the group can serve it (in its interval)
        self.ub = self._upper(max_agents)
        self.cache: dict[tuple[int, ...], np.ndarray] = {}
        self.evaluations = 0
        self.trace: list[dict[str, Any]] = []
        self.progress: Optional[Progress] = None
        self.best: Optional[float] = None

    # -- model ----------------------------------------------------------------

    def _constraints(self, targets: Optional[Mapping[str, Any]], by: str, core: Mapping[str, Any]) -> list[Constraint]:
        names = self.queues if by == "queue" else self.types
        default = {q["name"]: q.get("sl_target", 0.8) for q in core["queues"]}
        type_queue = {t.name: t.queue for t in self.base.contact_types}
        # Every queue's (or type's) own service-level target, with what
        # `targets` gives over it (``service_level: None`` drops it).
        spec: dict[str, dict[str, Any]] = {
            n: {"service_level": default[n] if by == "queue" else default[type_queue[n]]} for n in names
        }
        for n, v in (targets or {}).items():
            if n not in names:
                raise ValueError(f"targets: no {by} {n!r}; {by}s are {names}")
            if isinstance(v, Mapping):
                for metric, bound in v.items():
                    spec[n][metric] = bound
            else:
                spec[n]["service_level"] = v
        out = []
        for n, items in spec.items():
            for metric, bound in items.items():
                if bound is None:
                    continue
                metric = {"sl": "service_level", "abandon": "abandon_rate", "abandonment": "abandon_rate"}.get(metric, metric)
                if metric not in ("service_level", "abandon_rate", "asa"):
                    raise ValueError(f"targets[{n!r}]: unknown metric {metric!r} (service_level, abandon_rate, asa)")
                if isinstance(bound, bool) or not isinstance(bound, (int, float)) or not math.isfinite(bound):
                    raise ValueError(f"targets[{n!r}].{metric} must be a number, got {bound!r}")
                if metric != "asa" and not 0 <= float(bound) <= 1:
                    raise ValueError(f"targets[{n!r}].{metric} must be a fraction in [0, 1], got {bound!r}")
                if self.length and (by == "type" or metric != "service_level"):
                    raise ValueError("per-interval staffing takes service-level targets per queue (by='queue')")
                for t in range(self.n_int) if self.length else [None]:
                    out.append(Constraint(by, n, metric, float(bound), t))
        if not out:
            raise ValueError("targets: no constraint to meet")
        return out

    def _type_serves(self, g: AgentGroup) -> list[bool]:
        """Per contact type: whether agents of the group can ever serve it
        (the engine's own rule, see :mod:`ccroute.sim._serving`)."""
        if self._serve_cache is None:
            self._serve_cache = served_types(self.base)
        return self._serve_cache[g.name]

    def _serves(self) -> np.ndarray:
        per = self.n_int if self.length else 1
        m = np.zeros((len(self.var_names), len(self.constraints)), dtype=bool)
        for gi, g in enumerate(self.base.agent_groups):
            can = self._type_serves(g)
            for ti in range(per):
                v = gi * per + ti
                for k, c in enumerate(self.constraints):
                    if self.length and c.interval is not None and c.interval not in (ti, ti - 1):
                        continue  # an interval's agents serve that interval (and what spills over from the one before)
                    if c.kind == "type":
                        m[v, k] = can[self.types.index(c.name)]
                    else:
                        m[v, k] = any(can[i] for i, t in enumerate(self.base.contact_types) if t.queue == c.name)
        return m

    def loads(self) -> np.ndarray:
        """Per contact type and interval: offered load in agents (arrival
        rate × handle time ÷ contacts an agent holds at once)."""
        chans = {c["name"]: c for c in self.base.to_core()["channels"]}
        n = self.n_int
        out = np.zeros((len(self.types), n))
        for i, t in enumerate(self.base.contact_types):
            rates = _rates(t.arrivals, self.length or self.duration, n, self.duration)
            ch = chans[t.channel]
            out[i] = rates * _handle_mean(t) / slots_per_agent(ch)
        return out

    def _upper(self, max_agents: Optional[Mapping[str, int]]) -> np.ndarray:
        load = self.loads()
        total = float(load.sum(axis=0).max())
        default = int(math.ceil(2 * total + 10 * math.sqrt(total + 1) + 5))
        ub = np.full(len(self.var_names), default, dtype=np.float64)
        per = self.n_int if self.length else 1
        for name, cap in (max_agents or {}).items():
            if name not in self.groups:
                raise ValueError(f"max_agents: no agent group {name!r}")
            gi = self.groups.index(name)
            ub[gi * per:(gi + 1) * per] = cap
        return ub

    def lower_rows(self) -> tuple[list[np.ndarray], list[float]]:
        """The fluid and Erlang constraints of the bound (rows, right-hand
        sides); rows no variable serves are left out (their targets were
        refused at setup)."""
        rows, rhs = [], []
        load = self.loads()
        per = self.n_int if self.length else 1
        can = np.array([self._type_serves(g) for g in self.base.agent_groups])  # group x type
        # Types some group can serve (the others' load can go nowhere and
        # has no target: see the check at setup).
        served = [i for i in range(len(self.types)) if can[:, i].any()]
        subsets: list[tuple[int, ...]] = []
        if len(served) <= 10:
            for r in range(1, len(served) + 1):
                subsets.extend(itertools.combinations(served, r))
        else:
            subsets = [(i,) for i in served] + [tuple(served)]
        for t in range(per):
            col = load[:, t] if self.length else load.mean(axis=1)
            for s in subsets:
                need = float(col[list(s)].sum())
                if need <= 0:
                    continue
                row = np.zeros(len(self.var_names))
                for gi in range(len(self.groups)):
                    if can[gi, list(s)].any():
                        row[gi * per + t] = 1.0
                rows.append(row)
                rhs.append(need)
        for k, c in enumerate(self.constraints):
            if c.metric != "service_level" or c.bound <= 0:
                continue
            n = self.erlang_agents(c)
            if n <= 0:
                continue
            row = np.zeros(len(self.var_names))
            for v in range(len(self.var_names)):
                t = v % per
                if self.serves[v, k] and (c.interval is None or t == c.interval):
                    row[v] = 1.0
            rows.append(row)
            rhs.append(float(n))
        return rows, rhs

    def erlang_agents(self, c: Constraint) -> int:
        """Agents a service-level target needs by Erlang on its own: the
        types it covers pooled (arrival-weighted handle time), Erlang A
        with their mean patience when they abandon, Erlang C otherwise,
        counted in contact slots and divided by the slots an agent has on
        the channel (the smallest over the types). 0 with no load."""
        from .. import erlang

        core = self.base.to_core()
        chans = {ch["name"]: ch for ch in core["channels"]}
        idx = [i for i, t in enumerate(self.base.contact_types)
               if (t.name == c.name if c.kind == "type" else t.queue == c.name)]
        length = self.length or self.duration
        rates = np.array([_rates(self.base.contact_types[i].arrivals, length, self.n_int, self.duration)[
            c.interval if c.interval is not None else 0] if c.interval is not None else
            float(np.mean(_rates(self.base.contact_types[i].arrivals, length, self.n_int, self.duration)))
            for i in idx])
        lam = float(rates.sum())
        if lam <= 0:
            return 0
        ahts = np.array([_handle_mean(self.base.contact_types[i]) for i in idx])
        aht = float((rates * ahts).sum() / lam)
        patience = [pt for i in idx if (pt := self.base.contact_types[i].patience) is not None]
        mean_patience = (float(np.average([dist_mean(pt) for pt in patience], weights=rates))
                         if len(patience) == len(idx) else None)
        conc = min(slots_per_agent(chans[self.base.contact_types[i].channel]) for i in idx)
        try:
            slots = erlang.required_agents(lam, aht, target=min(c.bound, 0.999), threshold=self._threshold(c),
                                           patience=mean_patience)
        except ValueError:
            return 0
        return int(math.ceil(slots / conc))

    def _threshold(self, c: Constraint) -> float:
        core = {q["name"]: q for q in self.base.to_core()["queues"]}
        queue = c.name if c.kind == "queue" else next(t.queue for t in self.base.contact_types if t.name == c.name)
        return float(core[queue].get("sl_threshold", 20.0))

    # -- scenarios and evaluation ---------------------------------------------

    def scenario_of(self, x: _Staffing) -> Scenario:
        groups = []
        per = self.n_int if self.length else 1
        for gi, g in enumerate(self.base.agent_groups):
            if not self.length:
                groups.append(_replace_group(g, count=int(x[gi])))
                continue
            for t in range(per):
                start = t * self.length
                end = (t + 1) * self.length if t < per - 1 else self.duration + 24 * 3600.0
                groups.append(_replace_group(g, name=f"{g.name}@{t}", count=int(x[gi * per + t]), shifts=[(start, end)]))
        changes: dict[str, Any] = {"agent_groups": groups, "replications": self.reps, "seed": self.seed}
        if self.length:
            changes["interval"] = self.length
        return self.base.replace(**changes)

    def values(self, x: _Staffing, seed: Optional[int] = None, reps: Optional[int] = None) -> np.ndarray:
        """Per replication x constraint: the metric, signed so that larger
        is better (``sign * value``)."""
        key = tuple(int(v) for v in x)
        if seed is None and key in self.cache:
            return self.cache[key]
        scn = self.scenario_of(key)
        if seed is not None or reps is not None:
            scn = scn.replace(seed=self.seed if seed is None else seed, replications=reps or self.reps)
        import warnings

        from ..sim import UnservableWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnservableWarning)  # a group at 0 agents
            res = _sim_run(scn, self.policy, threads=self.threads)
        out = np.zeros((len(res.replications), len(self.constraints)))
        for r, rep in enumerate(res.replications):
            for k, c in enumerate(self.constraints):
                out[r, k] = c.sign * _metric(rep, c, self.queues)
        if seed is None:
            self.cache[key] = out
            self.evaluations += 1
        return out

    def slack(self, vals: np.ndarray) -> np.ndarray:
        """Per constraint: estimate minus bound (signed), with the
        confidence margin when asked."""
        mean = vals.mean(axis=0)
        if self.z > 0:
            mean = mean - self.z * vals.std(axis=0, ddof=1) / math.sqrt(vals.shape[0])
        bounds = np.array([c.sign * c.bound for c in self.constraints])
        return np.asarray(mean - bounds)

    def check(self, x: _Staffing, phase: str) -> tuple[bool, np.ndarray]:
        vals = self.values(x)
        s = self.slack(vals)
        feasible = bool((s >= -1e-12).all())
        cost = float(self.cost @ np.asarray(x, dtype=np.float64))
        self.trace.append({"cost": cost, "slack": float(s.min()), "feasible": feasible, "phase": phase,
                           "staffing": [int(v) for v in x]})
        if feasible and (self.best is None or cost < self.best):
            self.best = cost
        if self.progress is not None:
            self.progress(self.evaluations, self.best)
        return feasible, s

    def staffing_dict(self, x: _Staffing) -> dict[str, Any]:
        per = self.n_int if self.length else 1
        if not self.length:
            return {g: int(x[i]) for i, g in enumerate(self.groups)}
        return {g: [int(v) for v in x[i * per:(i + 1) * per]] for i, g in enumerate(self.groups)}

    def estimates(self, x: _Staffing, seed: int, reps: int) -> list[dict[str, Any]]:
        vals = self.values(x, seed=seed, reps=reps)
        out = []
        for k, c in enumerate(self.constraints):
            v = c.sign * vals[:, k]
            mean = float(v.mean())
            half = float(t_quantile(len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v))) if len(v) > 1 else math.nan
            met = mean >= c.bound if c.sign > 0 else mean <= c.bound
            out.append({"constraint": c.label(), "name": c.name, "interval": c.interval, "metric": c.metric,
                        "mean": mean, "ci95": half, "bound": c.bound, "met": bool(met)})
        return out


def _handle_mean(t: Any) -> float:
    """A type's mean handle time: its trace's recorded ones when it has
    them, else its distribution's."""
    recorded = getattr(t.arrivals, "handle_times", None)
    if recorded:
        return float(np.mean([h for h in recorded if h is not None] or [dist_mean(t.handle_time)]))
    return dist_mean(t.handle_time)


def _replace_group(g: AgentGroup, **changes: Any) -> AgentGroup:
    import dataclasses

    return dataclasses.replace(g, **changes)


def _rates(arrivals: Any, length: float, n: int, duration: float) -> np.ndarray:
    """Mean arrival rate (per second) in each of ``n`` intervals of ``length``."""
    out = np.zeros(n)
    for t in range(n):
        lo, hi = t * length, min((t + 1) * length, duration)
        if hi <= lo:
            continue
        if isinstance(arrivals, Poisson):
            out[t] = arrivals.per_hour / 3600.0
        elif isinstance(arrivals, PiecewisePoisson):
            total, k = 0.0, 0
            while k * arrivals.interval < hi:
                a, b = max(lo, k * arrivals.interval), min(hi, (k + 1) * arrivals.interval)
                if b > a:
                    rate = arrivals.per_hour[k] if k < len(arrivals.per_hour) else 0.0
                    total += rate / 3600.0 * (b - a)
                k += 1
            out[t] = total / (hi - lo)
        elif isinstance(arrivals, Trace):
            times = np.asarray(arrivals.times, dtype=np.float64)
            out[t] = float(((times >= lo) & (times < hi)).sum()) / (hi - lo)
        else:
            raise ValueError(f"arrivals of kind {type(arrivals).__name__} are not supported for staffing")
    return out


def _metric(rep: Mapping[str, Any], c: Constraint, queues: list[str]) -> float:
    """The constraint's metric in one replication. A figure with no
    contact behind it meets any target; an ASA with contacts offered and
    none answered is infinite (it misses any cap)."""
    if c.interval is not None:
        series = next(s for s in rep["series"] if s["name"] == c.name)
        v = series["service_level"][c.interval] if c.interval < len(series["service_level"]) else None
        offered = series["offered"][c.interval] if c.interval < len(series["offered"]) else 0
    else:
        block = next(m for m in rep["queues" if c.kind == "queue" else "types"] if m["name"] == c.name)
        v = block[c.metric]
        offered = block["offered"]
    if v is None:
        if c.metric == "asa" and offered > 0:
            return math.inf
        return 1.0 if c.metric == "service_level" else 0.0
    return float(v)


def _normal_quantile(p: float) -> float:
    """The standard normal quantile."""
    from statistics import NormalDist

    return NormalDist().inv_cdf(p)


#: HiGHS limits per integer program: a relative optimality gap and a
#: branch-and-bound node limit (the best solution found by then is used;
#: the cuts make some programs slow to prove optimal, and the local search
#: follows anyway). A node limit, not a time limit, so that the same input
#: gives the same staffing on any machine; the time limit is a backstop.
MIP_GAP = 0.01
MIP_NODES = 100
MIP_SECONDS = 60.0


@contextlib.contextmanager
def _c_stdout_silenced() -> Iterator[None]:
    """Sends file descriptor 1 to /dev/null meanwhile: some HiGHS builds
    print solver diagnostics from C++ whatever ``disp`` says."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no file descriptor 1 (embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _solve(cost: np.ndarray, rows: list[np.ndarray], rhs: list[float], ub: np.ndarray,
           floor: Optional[np.ndarray] = None) -> np.ndarray:
    """See :func:`_solve_bounded` (the solution only)."""
    return _solve_bounded(cost, rows, rhs, ub, floor)[0]


def _solve_bounded(cost: np.ndarray, rows: list[np.ndarray], rhs: list[float], ub: np.ndarray,
                   floor: Optional[np.ndarray] = None) -> tuple[np.ndarray, float]:
    """The integer program: min cost·x, rows·x ≥ rhs, floor ≤ x ≤ ub
    (rows with the same support keep only the largest right-hand side)."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    lo = np.zeros(len(cost)) if floor is None else floor.astype(np.float64)
    kept: dict[bytes, tuple[np.ndarray, float]] = {}
    for row, b in zip(rows, rhs, strict=True):
        key = row.tobytes()
        if key not in kept or kept[key][1] < b:
            kept[key] = (row, b)
    cons = []
    if kept:
        a = np.vstack([r for r, _ in kept.values()])
        cons = [LinearConstraint(a, lb=np.array([b for _, b in kept.values()]), ub=np.inf)]
    with _c_stdout_silenced():
        res = milp(cost, constraints=cons, integrality=np.ones(len(cost)), bounds=Bounds(lo, ub),
                   options={"mip_rel_gap": MIP_GAP, "node_limit": MIP_NODES, "time_limit": MIP_SECONDS,
                            "disp": False})
    if res.x is None:
        raise RuntimeError(f"the staffing program has no solution within the agent limits ({res.message})")
    # HiGHS's proven lower bound on the program's optimum (the solution
    # itself may stop within the gap or the node limit).
    dual = getattr(res, "mip_dual_bound", None)
    x = np.rint(res.x).astype(int)
    return x, float(dual) if dual is not None and math.isfinite(dual) else float(cost @ x)


def _setup(
    scenario: ScenarioLike, targets: Any, costs: Any, intervals: Any, by: str, policy: Any,
    replications: int, seed: Optional[int], confidence: Optional[float], max_agents: Any, threads: Optional[int],
) -> _Problem:
    scn = _scenario(scenario, None, None)
    if isinstance(intervals, str):
        from ..sim import parse_duration

        intervals = parse_duration(intervals)
    return _Problem(scn, targets, costs, intervals, by, policy, replications,
                    scn.seed if seed is None else seed, confidence, max_agents, threads)


def _finish(p: _Problem, x: np.ndarray, bound: float, feasible: bool, started: float, method: str,
            validation: int, cuts: int = 0) -> StaffingResult:
    cost = float(p.cost @ x)
    return StaffingResult(
        staffing=p.staffing_dict(x),
        cost=cost,
        bound=bound,
        gap=(cost - bound) / cost if cost > 0 else 0.0,
        feasible=feasible,
        estimates=p.estimates(x, seed=p.seed + 1_000_003, reps=validation),
        trace=p.trace,
        evaluations=p.evaluations,
        seconds=time.perf_counter() - started,
        scenario=p.scenario_of(x),
        method=method,
        cuts=cuts,
    )


def optimize(
    scenario: ScenarioLike,
    targets: Optional[Mapping[str, Any]] = None,
    costs: Optional[Mapping[str, float]] = None,
    intervals: Union[None, float, str] = None,
    *,
    by: str = "queue",
    policy: Optional[PolicyArg] = None,
    replications: int = 20,
    seed: Optional[int] = None,
    confidence: Optional[float] = None,
    max_agents: Optional[Mapping[str, int]] = None,
    max_iterations: int = 50,
    validation: int = 30,
    threads: Optional[int] = None,
    progress: Optional[Progress] = None,
) -> StaffingResult:
    """The lowest-cost staffing meeting every target (see the module
    documentation for the method).

    ``targets``: per queue (``by="queue"``) or contact type (``by="type"``)
    a service-level fraction, or a mapping with ``service_level``,
    ``abandon_rate`` and/or ``asa`` (seconds); default: each queue's
    ``sl_target``. ``costs``: per agent group, per agent (per agent-hour
    with ``intervals``); default 1. ``intervals``: seconds (or ``"1h"``)
    to staff each interval of the day separately (service-level targets
    per queue and interval). ``replications`` per simulated staffing (the
    SAA sample; same seeds for every staffing), ``validation``
    independent replications for the reported estimates. Raises
    ``ValueError`` naming a bad argument."""
    started = time.perf_counter()
    p = _setup(scenario, targets, costs, intervals, by, policy, replications, seed, confidence, max_agents, threads)
    p.progress = progress
    rows, rhs = p.lower_rows()
    x, bound = _solve_bounded(p.cost, rows, rhs, p.ub)
    cuts = 0
    feasible, slack = p.check(x, "cuts")
    for _ in range(max_iterations):
        if feasible:
            break
        base = p.values(x).mean(axis=0)
        violated = [k for k in range(len(p.constraints)) if slack[k] < 0]
        grads = np.zeros((len(x), len(p.constraints)))
        for i in range(len(x)):
            if x[i] >= p.ub[i] or not p.serves[i, violated].any():
                continue
            y = x.copy()
            y[i] += 1
            grads[i] = p.values(y).mean(axis=0) - base
            p.check(y, "gradient")
        for k in violated:
            q = np.maximum(grads[:, k], 0.0)
            if q.sum() <= 1e-12:
                # No single agent helps: at least one more where it may.
                row = p.serves[:, k].astype(np.float64)
                rows.append(row)
                rhs.append(float(row @ x) + 1.0)
            else:
                # g(x) + q·(x' - x) must reach g(x) - slack (the bound, plus
                # the confidence margin): q·x' >= q·x - slack. Coefficients
                # below 1 % of the largest are dropped and the rest rounded
                # (the program stays well conditioned; the cut stays valid
                # up to that rounding).
                q = np.where(q >= 0.01 * q.max(), np.round(q, 4), 0.0)
                rows.append(q)
                rhs.append(float(q @ x - slack[k]))
            cuts += 1
        x = _solve(p.cost, rows, rhs, p.ub)
        feasible, slack = p.check(x, "cuts")
    if feasible:
        x = _remove(p, x)
    return _finish(p, x, bound, feasible, started, StaffingResult.method, validation, cuts)


def _remove(p: _Problem, x: np.ndarray) -> np.ndarray:
    """Phase 3, a local search from the feasible solution: take one agent
    out of a variable (most expensive first), move one agent to a
    cheaper variable of the same interval, or (a day's staffing of up to
    4 groups) replace two agents by one that costs less, whenever the
    staffing stays feasible, until no move improves it. (The cuts approximate a
    metric that is not concave everywhere; moving single agents recovers
    what they cut off near the solution.)"""
    per = p.n_int if p.length else 1
    order = np.argsort(-p.cost, kind="stable")
    while True:
        moves: list[np.ndarray] = []
        for i in order:
            if x[i] == 0:
                continue
            y = x.copy()
            y[i] -= 1
            moves.append(y)
        for i in order:
            if x[i] == 0:
                continue
            for j in order[::-1]:
                if p.cost[j] >= p.cost[i] or j % per != i % per or x[j] >= p.ub[j]:
                    continue
                y = x.copy()
                y[i] -= 1
                y[j] += 1
                moves.append(y)
        if per == 1 and len(x) <= 4:
            # Two agents out, one in (a specialist pair for a generalist):
            # on day staffings of a few groups only (cubic in the groups).
            for i, j in itertools.combinations(order, 2):
                if x[i] == 0 or x[j] == 0:
                    continue
                for k in order[::-1]:
                    if k in (i, j) or p.cost[k] >= p.cost[i] + p.cost[j] or x[k] >= p.ub[k]:
                        continue
                    y = x.copy()
                    y[i] -= 1
                    y[j] -= 1
                    y[k] += 1
                    moves.append(y)
        for y in moves:
            ok, _ = p.check(y, "local search")
            if ok:
                x = y
                break
        else:
            return x


def exhaustive(
    scenario: ScenarioLike,
    ranges: Mapping[str, Sequence[int]],
    targets: Optional[Mapping[str, Any]] = None,
    costs: Optional[Mapping[str, float]] = None,
    *,
    by: str = "queue",
    policy: Optional[PolicyArg] = None,
    replications: int = 20,
    seed: Optional[int] = None,
    validation: int = 30,
    threads: Optional[int] = None,
) -> StaffingResult:
    """The cheapest feasible staffing among every combination of
    ``ranges`` (agents per group), on the same SAA as :func:`optimize`:
    the reference on small instances. Ties go to the first in
    lexicographic order."""
    started = time.perf_counter()
    p = _setup(scenario, targets, costs, None, by, policy, replications, seed, None, None, threads)
    for g in p.groups:
        if g not in ranges:
            raise ValueError(f"ranges: give a range for every group; {g!r} has none")
    rows, rhs = p.lower_rows()
    bound = _solve_bounded(p.cost, rows, rhs, p.ub)[1]
    best: Optional[np.ndarray] = None
    combos = [np.array(c, dtype=int) for c in itertools.product(*(list(ranges[g]) for g in p.groups))]
    combos.sort(key=lambda x: (float(p.cost @ x), tuple(x)))
    for x in combos:  # cheapest first: the first feasible is the optimum
        ok, _ = p.check(x, "exhaustive")
        if ok:
            best = x
            break
    if best is None:
        raise ValueError("no staffing in the ranges meets the targets")
    return _finish(p, best, bound, True, started, "exhaustive search on SAA", validation)


def two_step(
    scenario: ScenarioLike,
    targets: Optional[Mapping[str, Any]] = None,
    costs: Optional[Mapping[str, float]] = None,
    intervals: Union[None, float, str] = None,
    *,
    by: str = "queue",
    policy: Optional[PolicyArg] = None,
    replications: int = 20,
    seed: Optional[int] = None,
    max_steps: int = 500,
    validation: int = 30,
    threads: Optional[int] = None,
) -> StaffingResult:
    """The usual two-step method: Erlang C staffing of each queue's load on
    its own, placed on the cheapest groups that can serve it (the Erlang
    rows of the bound alone, no fluid pooling), then, while simulation
    shows a target missed, one agent added where it raises the smallest
    slack the most per unit of cost."""
    started = time.perf_counter()
    p = _setup(scenario, targets, costs, intervals, by, policy, replications, seed, None, None, threads)
    rows, rhs = p.lower_rows()
    bound = _solve_bounded(p.cost, rows, rhs, p.ub)[1]
    # Step 1: each constraint's Erlang staffing on dedicated agents (its
    # cheapest eligible variable), summed: no pooling assumed.
    x = np.zeros(len(p.var_names), dtype=int)
    per = p.n_int if p.length else 1
    for k, c in enumerate(p.constraints):
        if c.metric != "service_level":
            continue
        n = p.erlang_agents(c)
        if n <= 0:
            continue
        cands = [v for v in range(len(x)) if p.serves[v, k] and (c.interval is None or v % per == c.interval)]
        v = min(cands, key=lambda v: p.cost[v])
        x[v] += n
    feasible, slack = p.check(x, "two-step")
    for _ in range(max_steps):
        if feasible:
            break
        best, best_gain = None, -math.inf
        for i in range(len(x)):
            y = x.copy()
            y[i] += 1
            s = p.slack(p.values(y))
            gain = (float(np.minimum(s, 0).sum()) - float(np.minimum(slack, 0).sum())) / p.cost[i]
            if gain > best_gain:
                best, best_gain = y, gain
        assert best is not None
        x = best
        feasible, slack = p.check(x, "two-step")
    return _finish(p, x, bound, feasible, started, "two-step: Erlang per queue, then greedy simulation", validation)
