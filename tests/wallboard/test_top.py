"""``ccroute top``: the same figures in a terminal, from a running server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import ccroute as cc
from ccroute.cli import main
from ccroute.client import RouterClient

from .conftest import Watched

ROOT = Path(__file__).resolve().parents[2]
Start = Callable[..., Watched]


def test_top_once_prints_queues_and_agents(watched: Start, capsys: pytest.CaptureFixture[str]) -> None:
    w = watched()
    assert w.clock is not None
    client = w.client()
    client.add_agent(cc.Agent("a1", skills={"en": 5}, state="away"))
    for i in range(4):
        client.submit(cc.Contact(f"c{i}", "voice", "support"))
    w.clock.advance(75.0)
    client.set_agent_state("a1", "available")  # answers c0 after 75 s: support falls short
    assert main(["top", "--server", w.target, "--once"]) == 0
    out = capsys.readouterr().out
    support = next(line for line in out.splitlines() if "support" in line)
    assert support.split()[1:4] == ["3", "1:15", "0%"]  # waiting, longest wait, service level
    assert "90% in 30 s" in support and "1:15" in support
    sales = next(line for line in out.splitlines() if "sales" in line)
    assert sales.split()[1:4] == ["0", "0", "s"]
    assert "available 1" in out and "busy 1" in out


def test_a_wide_top_shows_callbacks_and_transfers() -> None:
    from rich.console import Console

    from ccroute._cli_top import render

    r = cc.Router.from_config({"channels": [{"name": "voice"}], "queues": [{"name": "sales"}, {"name": "support"}]})
    r.add_agent(cc.Agent("a"), 0.0)
    r.add_agent(cc.Agent("b"), 0.0)
    r.submit(cc.Contact("c1", "voice", "sales"), 0.0)
    r.transfer("c1", 1.0, queue="support")  # b takes it
    r.submit(cc.Contact("cb", "voice", "sales", callback={"number_of_attempts": 2}), 2.0)  # a calls it
    r.submit(cc.Contact("cb2", "voice", "sales", callback={"number_of_attempts": 2}), 3.0)
    console = Console(width=130, record=True)
    console.print(render(r.stats(), r.agents_by_state(), width=130))
    out = console.export_text()
    assert "Callbacks" in out and "Transfers" in out
    sales = next(line for line in out.splitlines() if line.strip().startswith("sales"))
    assert sales.split()[-2:] == ["1+1", "0/1"]  # one waiting + one being called; transferred in / out
    support = next(line for line in out.splitlines() if line.strip().startswith("support"))
    assert support.split()[-2:] == ["0+0", "1/0"]
    narrow = Console(width=90, record=True)
    narrow.print(render(r.stats(), r.agents_by_state(), width=90))
    assert "Callbacks" not in narrow.export_text()


def test_top_reports_an_unreachable_server(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["top", "--server", "127.0.0.1:1", "--once"]) == 1
    assert "cannot reach 127.0.0.1:1" in capsys.readouterr().err


def test_top_reads_a_tenant_and_tells_a_refusal_from_an_unreachable_server(
    watched: Start, capsys: pytest.CaptureFixture[str]
) -> None:
    w = watched()
    w.client().create_tenant("acme")
    with RouterClient(w.target, tenant="acme") as acme:
        acme.add_agent(cc.Agent("x1", skills={"s": 1}))
    assert main(["top", "--server", w.target, "--tenant", "acme", "--once"]) == 0
    out = capsys.readouterr().out
    assert f"{w.target} tenant acme" in out
    assert main(["top", "--server", w.target, "--tenant", "nope", "--once"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ccroute top: refused by {w.target}: ") and "unknown tenant 'nope'" in err, err


def test_top_refreshes_until_interrupted(watched: Start) -> None:
    w = watched(manual_clock=False)
    env = dict(os.environ, COLUMNS="120", TERM="xterm")
    proc = subprocess.Popen([sys.executable, "-m", "ccroute.cli", "top", "--server", w.target, "--interval", "0.2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
                            # A test run started in the background ignores SIGINT, and a child
                            # inherits that: give `top` the default handling a terminal gives it.
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        time.sleep(1.0)
        w.client().submit(cc.Contact("late", "voice", "sales"))
        time.sleep(1.5)  # a loaded machine starts the process slowly: let it draw a frame or two
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise AssertionError(f"ccroute top did not stop on SIGINT: {err[-2000:]}") from None
    assert proc.returncode == 0, err
    assert "sales" in out and "support" in out
