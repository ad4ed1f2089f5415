"""A day at a queue with opening hours, minute by minute.

Calls arrive around the clock (Poisson, more in the daytime) at queue
``sales``, open 08:00-20:00 in Paris with a lunch-time override closed;
while it is closed, arrivals are held (they wait and are answered from the
opening) and an exception rule moves any call waiting over 10 minutes to
``backup``. Six agents work 07:45-20:15. The script prints what happened
at each opening and closing and writes ``target/hours_day.png``: the calls
waiting in each queue over the day, with the closed hours shaded.

    python examples/hours_day.py
"""

from __future__ import annotations

import pathlib
import random

import ccroute as cc

HOURS = {"time_zone": "Europe/Paris",
         "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri"], "open": "08:00", "close": "20:00"}],
         "overrides": [{"date": "2026-12-07", "hours": [{"open": "08:00", "close": "12:30"},
                                                         {"open": "13:30", "close": "20:00"}],
                        "name": "team meeting at lunch"}]}
EPOCH = "2026-12-07T00:00:00+01:00"  # Monday, local midnight: router time is seconds since then
MINUTE, HOUR = 60.0, 3600.0


def main() -> None:
    rng = random.Random(7)
    router = cc.Router(
        [cc.Channel("voice", wrap_up=30.0)],
        [cc.Queue("sales", hours=HOURS, closed_action="hold",
                  rules=[{"name": "too_long", "trigger": {"wait_longer_than": 600}, "action": {"overflow": "backup"}}]),
         cc.Queue("backup")],
        epoch=EPOCH,
    )
    agents = [f"a{i}" for i in range(6)]
    # Arrivals: 6 per hour at night, 40 per hour between 08:00 and 20:00.
    t, arrivals = 0.0, []
    while t < 24 * HOUR:
        rate = 40.0 if 8 * HOUR <= t < 20 * HOUR else 6.0
        t += rng.expovariate(rate / HOUR)
        arrivals.append(t)
    ends: dict[str, float] = {}  # contact -> when its agent completes it
    waiting = {"sales": [], "backup": []}
    opened, closed = [], []
    n, last_open = 0, router.is_open("sales", 0.0)
    for minute in range(24 * 60 + 1):
        now = minute * MINUTE
        events = router.advance(now)
        if minute == 7 * 60 + 45:
            for a in agents:
                events += router.add_agent(cc.Agent(a), now)
        if minute == 20 * 60 + 15:
            for a in agents:
                events += router.set_agent_state(a, "offline", now)
        while n < len(arrivals) and arrivals[n] <= now:
            events += router.submit(cc.Contact(f"c{n}", "voice", "sales"), now)
            n += 1
        for c, end in sorted(ends.items(), key=lambda kv: kv[1]):
            if end <= now:
                events += router.complete(c, now)
                del ends[c]
        for e in events:
            if isinstance(e, cc.Assigned):
                ends[e.contact] = e.at + rng.expovariate(1 / 240.0)
        is_open = router.is_open("sales", now)
        if is_open != last_open:
            (opened if is_open else closed).append(now)
            label = "opens" if is_open else "closes"
            print(f"{int(now // HOUR):02d}:{int(now % HOUR // MINUTE):02d} sales {label}: "
                  f"{router.stats()['sales'].waiting} waiting in sales, {router.stats()['backup'].waiting} in backup")
            last_open = is_open
        for q in waiting:
            waiting[q].append(router.stats()[q].waiting)
    s = router.stats()["sales"]
    print(f"sales: {s.entered} entered, {s.held} held for the opening, {s.answered} answered, "
          f"{s.exceptions} moved by the rule; backup answered {router.stats()['backup'].answered}")
    plot(waiting, opened, closed)


def plot(waiting: dict[str, list[int]], opened: list[float], closed: list[float]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    fig, ax = plt.subplots(figsize=(9, 4))
    hours = [m / 60 for m in range(len(waiting["sales"]))]
    for q, series in waiting.items():
        ax.step(hours, series, where="post", label=f"waiting in {q}")
    edges = [0.0] + sorted(opened + closed) + [24 * HOUR]
    for a, b in zip(edges[::2], edges[1::2], strict=False):  # closed spans: midnight to the first opening, ...
        ax.axvspan(a / HOUR, b / HOUR, color="grey", alpha=0.15, lw=0)
    ax.set_xlabel("time of day (h), Europe/Paris; shaded: sales closed")
    ax.set_ylabel("contacts waiting")
    ax.set_xlim(0, 24)
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    out = pathlib.Path("target") / "hours_day.png"
    out.parent.mkdir(exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"plot written to {out}")


if __name__ == "__main__":
    main()
