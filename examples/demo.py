"""A small blended contact center, routed step by step.

Three agents with different skills share voice, chat and email; contacts
arrive with skill requirements, priorities and a relaxation step; one
agent takes a break and comes back. The script prints every routing event
and then the queue statistics. Run it with ``make demo``.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

import ccroute as cc


def build() -> cc.Router:
    return cc.Router(
        channels=[
            cc.Channel("voice", cost=100, max_per_agent=1, wrap_up=10.0),
            cc.Channel("chat", cost=25, max_per_agent=3),
            cc.Channel("email", cost=20, max_per_agent=2),
        ],
        queues=[
            cc.Queue("sales", sl_target=0.8, sl_threshold=20.0),
            cc.Queue("support", sl_target=0.9, sl_threshold=30.0, aging_rate=0.05),
        ],
        policy="most_skilled",
    )


def main() -> None:
    console = Console(width=110)
    router = build()
    log: list[tuple[float, str, cc.Event]] = []

    def run(what: str, events: list[cc.Event], now: float) -> None:
        for e in events:
            log.append((now, what, e))

    run("add ana", router.add_agent(cc.Agent("ana", skills={"spanish": 8, "billing": 5}), now=0.0), 0.0)
    run("add ben", router.add_agent(cc.Agent("ben", skills={"billing": 9, "tech": 4}, channels={"chat": 3, "email": 2}), now=0.0), 0.0)
    run("add cleo", router.add_agent(cc.Agent("cleo", skills={"tech": 9, "spanish": 3}), now=0.0), 0.0)

    arrivals = [
        (1.0, cc.Contact("call-1", channel="voice", queue="sales", requires={"spanish": 5})),
        (2.0, cc.Contact("chat-1", channel="chat", queue="support", requires={"tech": 3}, prefers={"tech": 1})),
        (3.0, cc.Contact("chat-2", channel="chat", queue="support", requires={"billing": 6})),
        (4.0, cc.Contact("call-2", channel="voice", queue="sales", priority=2, requires={"spanish": 7},
                         steps=[cc.Step(after=15.0, requires={"spanish": 3})])),
        (5.0, cc.Contact("mail-1", channel="email", queue="support", requires={"billing": 2})),
        (6.0, cc.Contact("call-3", channel="voice", queue="support", requires={"tech": 8})),
    ]
    for now, contact in arrivals:
        run(f"submit {contact.id}", router.submit(contact, now), now)
    run("cleo away", router.set_agent_state("cleo", "away", 8.0), 8.0)
    run("advance", router.advance(20.0), 20.0)
    run("complete call-1", router.complete("call-1", 40.0), 40.0)
    run("cleo back", router.set_agent_state("cleo", "available", 45.0), 45.0)
    run("advance", router.advance(55.0), 55.0)
    for cid in ("chat-1", "chat-2", "mail-1"):
        run(f"complete {cid}", router.complete(cid, 60.0), 60.0)

    events = Table(title="Routing events")
    for col in ("time", "call", "event", "contact", "agent", "detail"):
        events.add_column(col)
    for now, what, e in log:
        detail = ""
        if isinstance(e, (cc.Assigned, cc.Abandoned)):
            detail = f"waited {e.wait:.0f} s"
        elif isinstance(e, cc.StepAdvanced):
            detail = f"requirements relaxed (step {e.step + 1})"
        events.add_row(f"{now:.0f}", what, e.kind, e.contact, getattr(e, "agent", ""), detail)
    console.print(events)

    stats = Table(title="Queue statistics")
    for col in ("queue", "offered", "answered", "waiting", "service level", "ASA (s)", "longest wait (s)"):
        stats.add_column(col, justify="right")
    for name, s in router.stats().items():
        sl = "-" if s.service_level is None else f"{s.service_level:.0%} (target {s.sl_target:.0%}/{s.sl_threshold:.0f}s)"
        asa = "-" if s.asa is None else f"{s.asa:.1f}"
        stats.add_row(name, str(s.offered), str(s.answered), str(s.waiting), sl, asa, f"{s.longest_wait:.0f}")
    console.print(stats)
    console.print("Agents:", router.agents_by_state())


if __name__ == "__main__":
    main()
