"""The shared scenarios of ``tests/scenarios/*.json`` (see its README),
run through the Python package. The core's suite runs the same files
(``crates/router_core/tests/it/scenarios.rs``), so a behaviour is written
down once and checked in both languages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import ccroute as cc

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.json"))
#: Event fields as the scenarios name them, where an event has them.
FIELDS = ("contact", "agent", "queue", "channel", "from_queue", "to_queue", "state", "step", "at", "wait", "expires")


def _flat(e: Any) -> dict[str, Any]:
    out = {"kind": e.kind}
    for name in FIELDS:
        if hasattr(e, name):
            out[name] = getattr(e, name)
    return out


def _matches(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    """Every expected field equal; every actual field expected but
    ``queue`` and ``channel``, which an expectation may leave out."""
    return all(actual.get(k, object()) == v for k, v in expected.items()) and all(
        k in expected or k in ("queue", "channel") for k in actual)


def _call(r: cc.Router, step: dict[str, Any]) -> list[Any]:
    now = step["now"]
    calls = [k for k in step if k not in ("now", "events", "error", "agents", "stats", "waiting", "explain")]
    assert len(calls) == 1, f"one call per step, got {calls}"
    name, arg = calls[0], step[calls[0]]
    if name == "add_agent":
        return r.add_agent(cc.Agent.from_dict(arg), now)
    if name == "submit":
        return r.submit(cc.Contact.from_dict(arg), now)
    if name in ("accept", "reject"):
        return getattr(r, name)(arg["contact"], arg["agent"], now)  # type: ignore[no-any-return]
    if name in ("complete", "cancel"):
        return getattr(r, name)(arg["contact"], now)  # type: ignore[no-any-return]
    if name == "set_agent_state":
        return r.set_agent_state(arg["agent"], arg["state"], now, arg.get("reason") or "")
    if name == "remove_agent":
        return r.remove_agent(arg["agent"], now)
    if name == "advance":
        return r.advance(now)
    raise AssertionError(f"unknown call {name!r}")


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shared_scenario_holds_in_python(path: Path) -> None:
    scenario = json.loads(path.read_text())
    r = cc.Router.from_config(scenario["config"])
    for i, step in enumerate(scenario["steps"]):
        where = f"{path.name}, step {i} (at {step['now']})"
        if "error" in step:
            with pytest.raises(cc.RoutingError) as raised:
                _call(r, step)
            assert type(raised.value).__name__ == step["error"], where
        else:
            actual = [_flat(e) for e in _call(r, step)]
            expected = step.get("events")
            if expected is not None:
                assert len(actual) == len(expected) and all(map(_matches, expected, actual)), (
                    f"{where}: events: expected {expected}, got {actual}")
        for agent_id, fields in step.get("agents", {}).items():
            view = r.agent(agent_id)
            for k, v in fields.items():
                assert getattr(view, k) == v, f"{where}: agent {agent_id}.{k}"
        for queue, fields in step.get("stats", {}).items():
            stats = r.stats()[queue]
            for k, v in fields.items():
                assert getattr(stats, k) == v, f"{where}: queue {queue}.{k}"
        for contact, fields in step.get("explain", {}).items():
            why = r.explain(contact).to_dict()
            for k, v in fields.items():
                assert why[k] == v, f"{where}: explain({contact}).{k}: {why[k]!r} != {v!r}"
        for queue, ids in step.get("waiting", {}).items():
            assert r.waiting(queue) == ids, f"{where}: waiting in {queue}"
        r.check_invariants()


def test_the_scenarios_are_there() -> None:
    assert len(SCENARIOS) >= 3
