"""Python API throughput: contacts per second through ``submit_many``.

The benchmark scenario of the core benches (10,000 agents over 200 skill
profiles drawn from 50 skills, 300 contact types on voice, chat and email,
four queues), driven from Python. Agents have room for every contact of a
round, so each submitted contact is assigned in the same call: one routing
decision per contact (submit -> Assigned event).

Timed: ``router.submit_many(batch, now)`` for batches of 10,000 prebuilt
``Contact`` objects, including the conversion of every contact into the
core and of every event back into Python objects. Also reported: the same
with the ``Contact`` objects built inside the timed region, and one-by-one
``submit`` calls. Untimed between rounds: the contacts are completed.

Run: ``make bench-core`` (or ``.venv/bin/python benches/python_throughput.py``).
"""

from __future__ import annotations

import random
import statistics
import time

import ccroute as cc

AGENTS, PROFILES, SKILLS, TYPES = 10_000, 200, 50, 300
BATCH, ROUNDS = 10_000, 12
CHANNELS = ("voice", "chat", "email")
QUEUES = ("sales", "support", "billing", "vip")


def build(seed: int = 7) -> tuple[cc.Router, list[dict]]:
    rng = random.Random(seed)
    profiles = []
    for _ in range(PROFILES):
        skills = rng.sample(range(SKILLS), rng.randint(4, 8))
        profiles.append({f"skill{s:02d}": rng.randint(1, 10) for s in skills})
    # Room for a whole round: 5 chats, 5 emails, 1 voice per agent.
    router = cc.Router(
        channels=[
            cc.Channel("voice", cost=100, max_per_agent=1),
            cc.Channel("chat", cost=10, max_per_agent=5),
            cc.Channel("email", cost=10, max_per_agent=5),
        ],
        queues=[cc.Queue(q) for q in QUEUES],
        retain_finished=0,
    )
    for i in range(AGENTS):
        router.add_agent(cc.Agent(f"agent{i:05d}", skills=profiles[i % PROFILES], capacity=200), now=0.0)
    types = []
    for t in range(TYPES):
        prof = profiles[rng.randrange(PROFILES)]
        reqs = dict(rng.sample(sorted(prof.items()), rng.randint(1, 2)))
        types.append(
            {
                "channel": "chat" if t % 2 else "email",
                "queue": QUEUES[t % 4],
                "priority": rng.randint(0, 2),
                "requires": {s: rng.randint(1, lvl) for s, lvl in reqs.items()},
            }
        )
    return router, types


def contacts(types: list[dict], start: int, n: int, rng: random.Random) -> list[cc.Contact]:
    return [cc.Contact(f"c{start + i}", **types[rng.randrange(TYPES)]) for i in range(n)]


def main() -> None:
    router, types = build()
    rng = random.Random(1)
    now, next_id = 0.0, 0
    rates_prebuilt, rates_built, rates_single = [], [], []
    for r in range(ROUNDS):
        now += 1.0
        batch = contacts(types, next_id, BATCH, rng)
        next_id += BATCH
        t0 = time.perf_counter()
        events = router.submit_many(batch, now)
        dt = time.perf_counter() - t0
        assigned = [e.contact for e in events if isinstance(e, cc.Assigned)]
        assert len(assigned) == BATCH, f"round {r}: {len(assigned)} of {BATCH} assigned"
        if r >= 2:  # warm-up rounds excluded
            rates_prebuilt.append(BATCH / dt)
        for c in assigned:
            router.complete(c, now)

        now += 1.0
        t0 = time.perf_counter()
        events = router.submit_many(contacts(types, next_id, BATCH, rng), now)
        dt = time.perf_counter() - t0
        next_id += BATCH
        if r >= 2:
            rates_built.append(BATCH / dt)
        for e in events:
            router.complete(e.contact, now)

        now += 1.0
        single = contacts(types, next_id, BATCH // 10, rng)
        next_id += BATCH // 10
        t0 = time.perf_counter()
        for c in single:
            router.submit(c, now)
        dt = time.perf_counter() - t0
        if r >= 2:
            rates_single.append(len(single) / dt)
        for c in single:
            router.complete(c.id, now)
    router.check_invariants()

    def row(name: str, rates: list[float]) -> str:
        return f"{name:<46} {statistics.median(rates):>12,.0f} {max(rates):>12,.0f}"

    print(f"Python API, {AGENTS:,} agents / {PROFILES} profiles / {SKILLS} skills, batches of {BATCH:,}")
    print(f"{'contacts per second (submit -> assigned)':<46} {'median':>12} {'best':>12}")
    print(row("submit_many, prebuilt Contact objects", rates_prebuilt))
    print(row("submit_many, Contact objects built in loop", rates_built))
    print(row("submit, one call per contact", rates_single))


if __name__ == "__main__":
    main()
