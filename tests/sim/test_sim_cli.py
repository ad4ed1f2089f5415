"""The ``simulate``, ``compare`` and ``staff`` commands."""

from __future__ import annotations

import json
import pathlib

import pytest

from ccroute import erlang
from ccroute.cli import main

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples" / "scenarios"


def test_simulate_prints_tables_and_writes_files(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, csv_, png = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "sl.png"
    code = main(["simulate", str(EXAMPLES / "mmc.yaml"), "--reps", "3", "--seed", "5", "--policy", "round_robin",
                 "--out", str(out), "--csv", str(csv_), "--plot", str(png), "--quiet"])
    text = capsys.readouterr().out
    assert code == 0
    assert "policy round_robin, 3 replications" in text
    assert "queue calls" in text and "agent groups" in text and "contacts simulated" in text
    data = json.loads(out.read_text())
    assert data["policy"] == "round_robin" and data["replications"] == 3
    assert csv_.read_text().startswith("policy,scope,name,metric,mean,low,high,n")
    assert png.read_bytes()[:4] == b"\x89PNG"


def test_simulate_shows_progress_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(EXAMPLES / "trace.yaml")]) == 0
    assert "replayed morning" in capsys.readouterr().out


def test_compare_prints_differences(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "c.json"
    code = main(["compare", str(EXAMPLES / "multichannel.yaml"), "--policies", "longest_idle,most_skilled",
                 "--reps", "3", "--quiet", "--out", str(out), "--plot", str(tmp_path / "c.png")])
    text = capsys.readouterr().out
    assert code == 0
    assert "most_skilled − longest_idle" in text and "group backoffice" in text
    assert set(json.loads(out.read_text())["results"]) == {"longest_idle", "most_skilled"}


def test_errors_exit_2_with_the_field(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((EXAMPLES / "mmc.yaml").read_text().replace("count: 10", "count: -1"))
    assert main(["simulate", str(bad), "--quiet"]) == 2
    assert "agent_groups[0].count: must be at least 0" in capsys.readouterr().err
    assert main(["compare", str(EXAMPLES / "mmc.yaml"), "--policies", "longest_idle,nope", "--quiet"]) == 2
    assert "unknown policy 'nope'" in capsys.readouterr().err
    assert main(["staff", "--calls", "100", "--aht", "180", "--target", "80%"]) == 2
    assert "--target must look like 0.8/20" in capsys.readouterr().err


def test_staff_matches_the_erlang_module(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["staff", "--calls", "100", "--interval", "1800", "--aht", "180", "--target", "0.8/20",
                 "--patience", "120", "--shrinkage", "0.3"])
    text = capsys.readouterr().out
    res = erlang.staffing(100 / 1800, 180, 0.8, 20, patience=120, shrinkage=0.3)
    assert code == 0
    assert "Erlang A" in text
    assert f"│ agents on the phones   │ {res.agents_on_phones:>18} │" in text
    assert f"{res.scheduled} (shrinkage 30%)" in text
    assert main(["staff", "--calls", "100", "--aht", "180", "--target", "0.8/20"]) == 0
    assert "Erlang C" in capsys.readouterr().out
