"""``ccroute serve --clock client``: the server runs on each call's ``now``,
so the same workload gives the same events and figures embedded and
remote (switching is one line), and a bad ``now`` is refused."""

from __future__ import annotations

import random
from typing import Any, Callable

import pytest

import ccroute as cc
from ccroute import _ccroute
from ccroute.errors import InvalidInput, RoutingError
from ccroute.server import ClientClock, RouterSettings

from .conftest import Running

CONFIG: dict[str, Any] = {
    "channels": [{"name": "voice", "cost": 100, "max_per_agent": 1, "wrap_up": 3.0},
                 {"name": "chat", "cost": 25, "max_per_agent": 3}],
    "queues": [
        {"name": "sales", "ordering": "lifo", "max_waiting": 6, "overflow": {"to": "general", "after": 40.0}},
        {"name": "support", "ordering": "greatest_need", "sl_threshold": 30.0},
        {"name": "general", "aging_rate": 0.2, "aging_max": 4.0},
    ],
    "routing_profiles": [{"name": "front", "queues": [{"queue": "sales", "priority": 2},
                                                      {"queue": "general", "priority": 1, "delay": 10.0}]}],
    "policy": {"chain": ["least_occupied", "longest_idle"]},
    "condition_interval": 2.0,
    "retain_finished": None,
}
SKILLS = ("en", "es", "billing")


def _workload(seed: int, offers: bool) -> list[tuple[Any, ...]]:
    """(method, args) or (method, args, kwargs) calls with non-decreasing
    times, every option in use."""
    rng = random.Random(seed)
    calls: list[tuple[Any, ...]] = []
    t = 0.0
    for i in range(6):
        skills = {s: rng.randint(1, 10) for s in rng.sample(SKILLS, rng.randint(1, 3))}
        calls.append(("add_agent", (cc.Agent(
            f"a{i}", skills, capacity=100, channels=rng.choice([None, {"chat": 2}, {"voice": 1, "chat": 1}]),
            state=rng.choice(["available", "available", "away"]), attributes={"site": rng.choice(["x", "y"])},
            routing_profile=rng.choice([None, "front"])), t)))
    for n in range(90):
        t += rng.expovariate(1 / 4)
        kind = rng.random()
        if kind < 0.55:
            steps = []
            if rng.random() < 0.5:
                steps.append(cc.Step(rng.uniform(5, 30), {}, when=rng.choice(
                    [None, "no_agent_available", {"queue_longer_than": 1}, {"longest_wait_above": 15.0}])))
            calls.append(("submit", (cc.Contact(
                f"c{n}", rng.choice(["voice", "chat"]), rng.choice(["sales", "support", "general"]),
                priority=rng.randint(0, 3),
                requires={s: rng.randint(1, 6) for s in rng.sample(SKILLS, rng.randint(0, 2))},
                prefers={s: rng.randint(1, 9) for s in rng.sample(SKILLS, rng.randint(0, 1))},
                customer=rng.choice([None, "k1", "k2"]), preferred_agent=rng.choice([None, "a1"]),
                preferred_wait=rng.choice([0.0, 8.0]), steps=steps, attributes={"vip": rng.random() < 0.2},
                callback=rng.choice([None, None, None, {"number_of_attempts": 2, "retry_after": 10.0}]),
                not_before=rng.choice([None, None, None, None, t + 12.0])), t)))
            if offers and rng.random() < 0.6:  # an agent takes an offer
                calls.append(("accept", (("offered", rng.randrange(1000)), None, t)))
        elif kind < 0.72:
            calls.append(("complete", (f"c{rng.randrange(n + 1)}", t)))
        elif kind < 0.78:
            calls.append(("cancel", (f"c{rng.randrange(n + 1)}", t)))
        elif kind < 0.84:
            calls.append(("set_agent_state", (f"a{rng.randrange(6)}", rng.choice(["available", "away"]), t)))
        elif kind < 0.87:
            update: dict[str, Any] = rng.choice([
                {"priority": rng.randint(0, 5)}, {"requires": {}}, {"age_offset": rng.choice([0.0, 20.0])},
                {"requires": {"en": rng.randint(1, 10)}, "steps": []}, {"prefers": {"es": 3}, "if_version": 1},
            ])
            target = rng.choice([f"c{rng.randrange(max(0, n - 5), n + 1)}", ("waiting", rng.randrange(1000))])
            calls.append(("update_contact", (target, t), update))
        elif kind < 0.92:
            transfer: dict[str, Any] = rng.choice([
                {"queue": rng.choice(["sales", "support", "general"])}, {"agent": f"a{rng.randrange(6)}"},
                {"queue": "general", "mode": "warm", "keep_age": False, "requires": {}},
                {"agent": f"a{rng.randrange(6)}", "mode": "warm"}, {"queue": "sales", "channel": "chat"},
            ])
            calls.append(("transfer", (("assigned", rng.randrange(1000)), t), transfer))
        elif kind < 0.95:
            calls.append(("callback_result", (("calling", rng.randrange(1000)),
                                              rng.choice(["answered", "no_answer", "busy"]), t)))
        elif offers and kind < 0.98:
            verb = rng.choice(["accept", "reject"])
            if rng.random() < 0.5:
                calls.append((verb, (f"c{rng.randrange(n + 1)}", f"a{rng.randrange(6)}", t)))
            else:  # an offered contact, by the agent it is offered to
                calls.append((verb, (("offered", rng.randrange(1000)), None, t)))
        else:
            calls.append(("advance", (t,)))
    calls.append(("advance", (t + 500.0,)))
    return calls


def _engine_events(events: list[Any]) -> list[Any]:
    """The router's own events (a server adds Queued, AgentAdded, ...)."""
    return [e for e in events if type(e).__module__.startswith("ccroute") and hasattr(_ccroute, type(e).__name__)
            and isinstance(e, getattr(_ccroute, type(e).__name__))]


def _pick(router: cc.Router, status: str, pick: int) -> str:
    """One of the live contacts in ``status`` (chosen by ``pick``), or an
    unknown id when there is none."""
    live = {c for q in router.stats() for c in router.waiting(q)}
    live.update(c for a in router.agent_ids() for c in router.agent(a).contacts)
    found = sorted(c for c in live if router.contact(c).status == status)
    return found[pick % len(found)] if found else "nobody"


def _run(call: Callable[..., list[Any]], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    try:
        return _engine_events(call(*args, **kwargs))
    except RoutingError as exc:
        return type(exc).__name__


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("offers", [False, True])
def test_the_same_workload_gives_the_same_events_and_figures_embedded_and_remote(
        start_server: Callable[..., Running], seed: int, offers: bool) -> None:
    config = {**CONFIG, "offer_timeout": 12.0 if offers else None}
    embedded = cc.Router.from_config(config)
    running = start_server(RouterSettings(config), manual_clock=False, clock=ClientClock())
    remote = running.client()
    assert remote.config().to_dict() == embedded.config()
    calls = _workload(seed, offers)
    outcomes = updated = moved = 0
    for method, args, *kwargs in calls:
        if isinstance(args[0], tuple):  # a live contact in the status named
            args = (_pick(embedded, *args[0]), *args[1:])
            if args[1] is None:
                args = (args[0], embedded.contact(args[0]).agent if args[0] != "nobody" else "nobody", *args[2:])
        here = _run(getattr(embedded, method), args, *kwargs or [{}])
        there = _run(getattr(remote, method), args, *kwargs or [{}])
        assert there == here, f"{method}{args}{kwargs}: embedded {here}, remote {there}"
        outcomes += isinstance(here, list) and bool(here)
        updated += method == "update_contact" and isinstance(here, list)
        moved += method in ("transfer", "callback_result") and isinstance(here, list)
    assert outcomes > 10  # the workload routed, not only failed
    assert updated >= 1  # some updates went through (others found their contact ended)
    assert moved >= 1  # some transfers or callback outcomes went through
    local, far = embedded.stats(), remote.stats()
    assert set(local) == set(far)
    for name, s in local.items():
        for field in type(far[name]).__dataclass_fields__:
            assert getattr(far[name], field) == getattr(s, field), f"{name}.{field}"
    assert remote.status().now == embedded.now
    # The stream is in time order: what a call's timers did (at their own
    # times) comes before what the service says of the call (Queued, ...).
    last = remote.status().last_sequence
    watch = remote.watch_events(after_sequence=0)
    stream = [r for _, r in zip(range(last), watch, strict=False)]
    watch.cancel()
    assert [r.sequence for r in stream] == list(range(1, last + 1))
    times = [r.event.at for r in stream]
    late = [(a, b) for a, b in zip(stream, stream[1:], strict=False) if b.event.at < a.event.at]
    assert not late, f"{len(late)} events come after a later one, first: {late[0]}"
    assert times[-1] <= embedded.now


def test_a_call_without_now_or_with_an_earlier_one_is_refused_and_changes_nothing(
        start_server: Callable[..., Running]) -> None:
    running = start_server(RouterSettings(CONFIG), manual_clock=False, clock=ClientClock())
    client = running.client()
    client.add_agent(cc.Agent("a1", {"en": 5}), 10.0)
    with pytest.raises(InvalidInput, match="now is required"):
        client.submit(cc.Contact("c1", "voice", "sales"))
    with pytest.raises(InvalidInput, match=r"now 5\.0 is before the server's time 10\.0"):
        client.submit(cc.Contact("c1", "voice", "sales"), 5.0)
    assert client.status().now == 10.0
    assert [type(e).__name__ for e in client.submit(cc.Contact("c1", "voice", "sales"), 12.0)] == ["Assigned"]


def test_a_server_on_its_own_clock_ignores_the_callers_now(start_server: Callable[..., Running]) -> None:
    running = start_server()
    assert running.clock is not None
    running.clock.set(3.0)
    client = running.client()
    client.add_agent(cc.Agent("a1"), 1000.0)
    assert client.status().now == 3.0


def test_agent_state_changes_on_the_stream_follow_what_the_calls_timers_did(
        start_server: Callable[..., Running]) -> None:
    running = start_server(RouterSettings({**CONFIG, "offer_timeout": 10.0}), manual_clock=False, clock=ClientClock())
    client = running.client()
    client.add_agent(cc.Agent("a1", {"en": 5}), 0.0)
    client.submit(cc.Contact("c1", "voice", "support"), 0.0)  # offered to a1 until 10
    # At 10 the offer expires first (a1: away, not responding), then a1 goes on a break.
    client.set_agent_state("a1", "away", 10.0, reason="break")
    client.set_agent_state("a1", "away", 11.0)  # the reason is cleared: that is a change too
    client.set_agent_state("a1", "away", 12.0)  # nothing changes
    last = client.status().last_sequence
    watch = client.watch_events(after_sequence=0)
    stream = [r.event for _, r in zip(range(last), watch, strict=False)]
    watch.cancel()
    changes = [(e.previous, e.state, e.reason, e.at) for e in stream if e.kind == "AgentStateChanged"]
    assert changes == [("away", "away", "break", 10.0), ("away", "away", "", 11.0)]
    view = client.agent("a1")
    assert (view.state, view.reason, view.state_since) == ("away", "", 11.0)
