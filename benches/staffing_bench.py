"""Staffing by simulation vs the two-step method, in one run.

The instance is ``examples/scenarios/staffing_6x5.yaml``: six contact types
on voice, chat and email, five agent groups with overlapping skills,
arrivals changing every hour over an 8-hour day, staffed per hour (40
variables, 24 service-level constraints: three queues × eight hours).
Agent-hour costs: specialists 1.0-1.1, the bilingual group 1.25, the
universal group 1.4. Both methods simulate each staffing on the same 10
replications (common random numbers) and report their solution on 30
independent ones. The script prints, for each, the wall time on this
machine (every core: replications run in parallel threads), the staffings
simulated, the cost, and the cost of the two-step solution relative to the
optimiser's, with the optimiser's lower bound and gap::

    python benches/staffing_bench.py
"""

from __future__ import annotations

import os
import pathlib
import time

from ccroute import staffing

SCENARIO = pathlib.Path(__file__).resolve().parents[1] / "examples" / "scenarios" / "staffing_6x5.yaml"
COSTS = {"sales": 1.0, "billing": 1.0, "tech": 1.1, "bilingual": 1.25, "universal": 1.4}


def main() -> None:
    kw = dict(costs=COSTS, intervals="1h", replications=10, validation=30)
    print(f"{SCENARIO.name}: 6 types x 5 groups x 8 hourly intervals, {os.cpu_count()} cores")
    rows = []
    for name, fn in (("cutting planes + local search", staffing.optimize), ("two-step (Erlang, then greedy)", staffing.two_step)):
        start = time.perf_counter()
        res = fn(SCENARIO, **kw)
        rows.append((name, res, time.perf_counter() - start))
    print(f"{'method':<32}{'seconds':>9}{'simulated':>11}{'cost':>9}{'feasible':>10}{'worst target (30 reps)':>26}")
    for name, res, secs in rows:
        worst = min(res.estimates, key=lambda e: e["mean"] - e["bound"])
        print(f"{name:<32}{secs:>9.1f}{res.evaluations:>11}{res.cost:>9.2f}{str(res.feasible):>10}"
              f"{worst['constraint'][:16]:>17} {100 * worst['mean']:.1f}%")
    opt, two = rows[0][1], rows[1][1]
    print(f"two-step costs {100 * (two.cost - opt.cost) / opt.cost:+.1f}% more than the optimiser; "
          f"optimiser: lower bound {opt.bound:.2f}, gap {100 * opt.gap:.1f}%, {opt.cuts} cuts")
    for g, counts in opt.staffing.items():
        print(f"  {g:<10} optimiser {counts}  two-step {two.staffing[g]}")


if __name__ == "__main__":
    main()
