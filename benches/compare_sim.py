"""ccroute vs Ciw vs SimPy on the same M/M/c model, in one run.

M/M/10 at 85 % load (Poisson arrivals at 0.085/s, exponential service with
a mean of 100 s, FIFO, nobody abandons). Each tool simulates the model in
replications; the script prints, per tool: contacts simulated, wall time,
contacts per second, the mean wait with its 95 % confidence interval
across replications, and whether the Erlang C value lies inside it; then
the throughput ratios of ccroute to the others (targets: 100× Ciw, 30×
SimPy). All on one core: ccroute runs its replications sequentially.

Each tool gets enough contacts for a stable rate and a useful interval; the
slower tools get fewer (their rate does not depend on the run length).
The first 10 % of each replication's contacts are a warm-up, not measured.

    python benches/compare_sim.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable

from ccroute import erlang, sim

C, LAM, AHT = 10, 0.085, 100.0
MU = 1.0 / AHT


def ci(values: list[float]) -> tuple[float, float]:
    """Mean and 95 % half-width (Student t)."""
    n = len(values)
    m = math.fsum(values) / n
    s = math.sqrt(math.fsum((v - m) ** 2 for v in values) / (n - 1))
    return m, sim.t_quantile(n - 1) * s / math.sqrt(n)


def run_ccroute(n: int, seed: int) -> tuple[float, int]:
    """Mean wait after warm-up, contacts simulated."""
    scn = sim.Scenario(
        channels=[sim.Channel("voice")],
        queues=[sim.Queue("q")],
        agent_groups=[sim.AgentGroup("agents", count=C)],
        contact_types=[sim.ContactType("call", "voice", "q", sim.Poisson(per_hour=LAM * 3600), sim.Exponential(AHT))],
        duration=n / LAM, warmup=0.1 * n / LAM, seed=seed,
    )
    rep = sim.run(scn).replications[0]
    return rep["total"]["mean_wait"], rep["contacts"]


def run_ciw(n: int, seed: int) -> tuple[float, int]:
    import ciw

    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=LAM)],
        service_distributions=[ciw.dists.Exponential(rate=MU)],
        number_of_servers=[C],
    )
    ciw.seed(seed)
    q = ciw.Simulation(network)
    horizon = n / LAM
    q.simulate_until_max_time(horizon)
    records = q.get_all_records()
    waits = [r.waiting_time for r in records if r.arrival_date >= 0.1 * horizon]
    return math.fsum(waits) / len(waits), len(records)


def run_simpy(n: int, seed: int) -> tuple[float, int]:
    import simpy

    rng = random.Random(seed)
    env = simpy.Environment()
    agents = simpy.Resource(env, capacity=C)
    warm = 0.1 * n / LAM
    total = [0.0, 0]

    def call(env: simpy.Environment) -> object:
        arrived = env.now
        with agents.request() as req:
            yield req
            if arrived >= warm:
                total[0] += env.now - arrived
                total[1] += 1
            yield env.timeout(rng.expovariate(MU))

    def source(env: simpy.Environment) -> object:
        for _ in range(n):
            yield env.timeout(rng.expovariate(LAM))
            env.process(call(env))

    env.process(source(env))
    env.run()
    return total[0] / total[1], n


def measure(name: str, fn: Callable[[int, int], tuple[float, int]], n: int, reps: int) -> dict[str, float]:
    waits = []
    contacts = 0
    start = time.perf_counter()
    for r in range(reps):
        w, k = fn(n, 1000 + r)
        waits.append(w)
        contacts += k
    wall = time.perf_counter() - start
    mean, hw = ci(waits)
    return {"name": name, "contacts": contacts, "wall": wall, "rate": contacts / wall, "mean": mean, "hw": hw}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the contacts (smoke test)")
    args = ap.parse_args()
    k = 0.1 if args.quick else 1.0
    theory = erlang.asa(LAM * AHT, C, AHT)
    print(f"M/M/{C} at {100 * LAM * AHT / C:.0f} % load, mean service {AHT:g} s; Erlang C mean wait {theory:.3f} s")
    rows = [
        measure("ccroute", run_ccroute, int(2_000_000 * k), 10),
        measure("SimPy", run_simpy, int(100_000 * k), 10),
        measure("Ciw", run_ciw, int(20_000 * k), 10),
    ]
    print(f"{'tool':<8} {'contacts':>10} {'seconds':>8} {'contacts/s':>12} {'mean wait (95 % CI)':>22}  Erlang C inside")
    for r in rows:
        inside = abs(r["mean"] - theory) <= r["hw"]
        print(f"{r['name']:<8} {r['contacts']:>10,} {r['wall']:>8.2f} {r['rate']:>12,.0f} "
              f"{r['mean']:>12.3f} ± {r['hw']:<7.3f}  {'yes' if inside else 'NO'}")
    cc, simpy_, ciw_ = rows
    print(f"ccroute / Ciw:   {cc['rate'] / ciw_['rate']:,.0f}x  (target 100x)")
    print(f"ccroute / SimPy: {cc['rate'] / simpy_['rate']:,.0f}x  (target 30x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
