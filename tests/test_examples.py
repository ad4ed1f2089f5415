"""The shipped examples run and print what their docstrings promise."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def run(path: pathlib.Path) -> str:
    out = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_routing_demo_prints_events_and_statistics() -> None:
    out = run(ROOT / "examples" / "demo.py")
    assert "Routing events" in out and "Queue statistics" in out
    assert "Assigned" in out and "StepAdvanced" in out


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("skill_weighted.py", "agent='network-pro'"),
        ("predicted_handle_time.py", "Assigned(contact='c1'"),
        ("team_fairness.py", "{'a1': 3, 'a2': 3, 'b1': 3}"),
    ],
)
def test_policy_examples(name: str, expected: str) -> None:
    assert expected in run(ROOT / "examples" / "policies" / name)


def test_hours_example_opens_closes_and_plots() -> None:
    out = run(ROOT / "examples" / "hours_day.py")
    assert "08:00 sales opens" in out and "12:30 sales closes" in out and "20:00 sales closes" in out
    assert "held for the opening" in out


def test_gym_training_example_learns_and_compares_on_held_out_days() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "gym_train.py"), "--iterations", "2", "--population", "4",
         "--hours", "0.5", "--eval-days", "2", "--train-days", "1"],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr
    assert "iteration 2/2" in out.stdout and "2 held-out days" in out.stdout
    for name in ("learned (CEM)", "longest_idle", "c-mu"):
        assert name in out.stdout
