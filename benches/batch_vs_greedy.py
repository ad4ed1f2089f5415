"""Optimal batch assignment against greedy routing: quality and cost.

Scenario: the start of a shift in a blended center. 600 agents over 60 skill
profiles (4-8 of 30 skills, levels 1-10) log in while 1,500 contacts
(120 types: 1-2 required skills, voice / chat / email) are already
waiting. Capacity 100: voice 100 (max 1), chat 25 (max 3), email 50
(max 2).

* greedy: the agents become available one after the other, and each takes
  the best waiting contacts in queue order (ccroute's normal routing);
* batch: the agents are available and ``assign_batch`` solves the
  assignment of all waiting contacts at once.

Both are scored with the same measure, the skill match of each assignment
(sum of the agent's levels on the contact's required skills), and timed.
Run: ``make bench-core`` (or ``.venv/bin/python benches/batch_vs_greedy.py``).
"""

from __future__ import annotations

import random
import time

import ccroute as cc

AGENTS, PROFILES, SKILLS, TYPES, CONTACTS = 600, 60, 30, 120, 1_500
CHANNELS = ("voice", "chat", "email")


def scenario(seed: int = 11) -> tuple[list[cc.Agent], list[cc.Contact]]:
    rng = random.Random(seed)
    profiles = []
    for _ in range(PROFILES):
        skills = rng.sample(range(SKILLS), rng.randint(4, 8))
        profiles.append({f"s{s:02d}": rng.randint(1, 10) for s in skills})
    types = []
    for t in range(TYPES):
        prof = profiles[rng.randrange(PROFILES)]
        reqs = dict(rng.sample(sorted(prof.items()), rng.randint(1, 2)))
        types.append({"channel": CHANNELS[t % 3], "queue": "q", "requires": {s: rng.randint(1, lvl) for s, lvl in reqs.items()}})
    agents = [cc.Agent(f"a{i:04d}", skills=profiles[i % PROFILES], state="away") for i in range(AGENTS)]
    contacts = [cc.Contact(f"c{i}", **types[rng.randrange(TYPES)]) for i in range(CONTACTS)]
    return agents, contacts


def router() -> cc.Router:
    return cc.Router(
        channels=[cc.Channel("voice", cost=100, max_per_agent=1), cc.Channel("chat", cost=25, max_per_agent=3),
                  cc.Channel("email", cost=50, max_per_agent=2)],
        queues=[cc.Queue("q")],
        policy="most_skilled",
    )


def skill_match(r: cc.Router, events: list[cc.Event], contacts: dict[str, cc.Contact]) -> tuple[int, float]:
    n, total = 0, 0.0
    for e in events:
        if isinstance(e, cc.Assigned):
            skills = r.agent(e.agent).skills
            total += sum(skills.get(s, 0) for s in contacts[e.contact].requires)
            n += 1
    return n, total


def main() -> None:
    agents, contacts = scenario()
    by_id = {c.id: c for c in contacts}

    g = router()
    for a in agents:
        g.add_agent(a, now=0.0)
    g.submit_many(contacts, now=1.0)
    t0 = time.perf_counter()
    events = []
    for a in agents:
        events += g.set_agent_state(a.id, "available", now=2.0)
    greedy_time = time.perf_counter() - t0
    greedy_n, greedy_score = skill_match(g, events, by_id)
    g.check_invariants()

    b2 = cc.Router(
        channels=[cc.Channel("voice", cost=100, max_per_agent=1), cc.Channel("chat", cost=25, max_per_agent=3),
                  cc.Channel("email", cost=50, max_per_agent=2)],
        queues=[cc.Queue("q")], policy="most_skilled", batch_window=3600.0,
    )
    for a in agents:
        b2.add_agent(a, now=0.0)
    b2.submit_many(contacts, now=1.0)
    for a in agents:
        b2.set_agent_state(a.id, "available", now=2.0)
    t0 = time.perf_counter()
    events = b2.assign_batch(now=2.0)
    batch_time = time.perf_counter() - t0
    batch_n, batch_score = skill_match(b2, events, by_id)
    b2.check_invariants()

    print(f"Batch vs greedy: {AGENTS} agents log in, {CONTACTS:,} contacts waiting ({PROFILES} profiles, {SKILLS} skills)")
    print(f"{'':<10} {'assigned':>9} {'skill match':>12} {'per contact':>12} {'time (ms)':>10}")
    print(f"{'greedy':<10} {greedy_n:>9} {greedy_score:>12.0f} {greedy_score / greedy_n:>12.2f} {greedy_time * 1e3:>10.1f}")
    print(f"{'batch':<10} {batch_n:>9} {batch_score:>12.0f} {batch_score / batch_n:>12.2f} {batch_time * 1e3:>10.1f}")
    print(f"batch / greedy total skill match: {batch_score / greedy_score:.3f}; assignments {batch_n - greedy_n:+d}")
    print(f"batch report: {b2.last_batch}")


if __name__ == "__main__":
    main()
