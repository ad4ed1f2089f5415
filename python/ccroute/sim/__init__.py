"""Simulation for researchers: the real router in virtual time.

Describe a contact center as a :class:`Scenario` (objects, or a YAML/TOML
file) whose channels, queues, routing profiles and relaxation steps are the
router's own records, with every option of the router but the few in
:data:`NOT_SIMULATED`; run it under a built-in policy and read the results
with 95 % confidence intervals across replications::

    from ccroute import sim
    scn = sim.Scenario.load("examples/scenarios/mmc.yaml")
    res = sim.run(scn, policy="longest_idle", replications=10, seed=1)
    print(res.total["service_level"], res.total["asa"])
    res.to_json("results.json"); res.to_csv("results.csv")
    cmp = sim.compare(scn, ["longest_idle", "most_skilled"])
    sim.plot(cmp, "sl.png")

The event loop runs in Rust (``router_core::sim``) and drives the same
``Router`` production uses, so every routing decision is the real one. Same
seed, same result, bit for bit; policies compared on the same seed see the
same contacts (common random numbers). A policy is a built-in name, a
``ccroute.policies.Chain``/``Weighted`` composition, or a plug-in
``ccroute.policies.Policy`` written in Python (slower: the loop stays in
Rust but calls into Python for each decision it scores).
"""

from __future__ import annotations

from ._checks import ScenarioError, UnservableWarning, parse_duration
from .calibrate import calibrate
from .logs import ContactLog, LogError, LoggedContact, log_from_events, read_log
from .plot import plot
from .processes import (
    ArrivalProcess,
    Constant,
    Distribution,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
    PiecewisePoisson,
    Poisson,
    Trace,
)
from .replay import RecordedMetrics, ReplayComparison, recorded_metrics, replay, replay_scenario
from .results import GROUP_METRICS, METRICS, Comparison, Estimate, Results, t_quantile
from .run import PolicyArg, Progress, compare, run
from .scenario import (
    NOT_SIMULATED,
    AgentGroup,
    Channel,
    ContactType,
    Queue,
    RoutingProfile,
    Scenario,
    Step,
    load_scenario,
)
from .stepper import TOTALS, Candidate, Decision, Stepper
from .sweep import sweep

__all__ = [
    # scenario
    "Scenario",
    "Channel",
    "Queue",
    "RoutingProfile",
    "AgentGroup",
    "ContactType",
    "Step",
    "Poisson",
    "PiecewisePoisson",
    "Trace",
    "ArrivalProcess",
    "Exponential",
    "LogNormal",
    "Gamma",
    "Constant",
    "Empirical",
    "Distribution",
    "ScenarioError",
    "UnservableWarning",
    "load_scenario",
    "parse_duration",
    "NOT_SIMULATED",
    # running
    "run",
    "compare",
    "Progress",
    "PolicyArg",
    "sweep",
    # step-wise control
    "Stepper",
    "Decision",
    "Candidate",
    "TOTALS",
    # logs: replay and calibration
    "read_log",
    "log_from_events",
    "ContactLog",
    "LoggedContact",
    "LogError",
    "replay",
    "replay_scenario",
    "recorded_metrics",
    "ReplayComparison",
    "RecordedMetrics",
    "calibrate",
    # results
    "Results",
    "Comparison",
    "Estimate",
    "METRICS",
    "GROUP_METRICS",
    "t_quantile",
    "plot",
]
