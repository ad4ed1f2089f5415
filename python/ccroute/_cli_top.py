"""``ccroute top``: the wallboard's figures in a terminal, refreshed every second.

Talks to ``ccroute serve`` through :class:`ccroute.client.RouterClient`
(``GetQueueStats`` and ``GetStatus``); draws with rich.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from typing import Any, Optional

from ._cli_connect import add_connection_arguments, connect, unreachable

__all__ = ["register", "render"]


def register(subparsers: Any) -> None:
    """Add the ``top`` sub-command."""
    p = subparsers.add_parser(
        "top",
        help="live terminal view of a running server's queues and agents",
        description=(
            "Show a running ccroute server's queues (waiting, longest wait, service level "
            "against its target, ASA, abandonment) and agents by state, refreshed every "
            "second. Ctrl-C quits."
        ),
    )
    add_connection_arguments(p)
    p.add_argument("--interval", type=float, default=1.0, metavar="S", help="seconds between refreshes (default 1)")
    p.add_argument("--once", action="store_true", help="print one view and exit (scripts, tests)")
    p.set_defaults(handler=_run)


def _pct(x: Optional[float], digits: int = 0) -> str:
    return "—" if x is None else f"{100 * x:.{digits}f}%"


def _duration(s: Optional[float]) -> str:
    if s is None:
        return "—"
    s = round(s)
    if s < 60:
        return f"{s} s"
    h, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def render(stats: Mapping[str, Any], agents: Mapping[str, int], *, server: str = "",
           policy: str = "", error: Optional[str] = None, width: int = 120) -> Any:
    """A rich renderable of the figures (queue table and agents line);
    below 100 columns the offered and answered counts are left out, below
    120 the callbacks (waiting + being called) and transfers (in / out)."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    title = Text.assemble(("ccroute top", "bold"), f"  {server}", ("  policy ", "dim"), policy,
                          ("  " + time.strftime("%H:%M:%S"), "dim"))
    wide = width >= 100
    table = Table(expand=True, header_style="bold", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("Queue", ratio=1, overflow="ellipsis", no_wrap=True)
    wider = width >= 120
    headers = ["Waiting", "Longest", "SL", "Goal", "ASA", "Abandon"] + (["Offered", "Answered"] if wide else []) + (
        ["Callbacks", "Transfers"] if wider else [])
    for name in headers:
        table.add_column(name, justify="right", no_wrap=True)
    for name, q in stats.items():
        sl = q.service_level
        style = "dim" if sl is None else ("green" if sl + 1e-9 >= q.sl_target else "bold red")
        waiting_style = "yellow" if q.waiting and q.longest_wait >= q.sl_threshold else ""
        table.add_row(
            name,
            Text(str(q.waiting), style=waiting_style),
            _duration(q.longest_wait if q.waiting else 0),
            Text(_pct(sl), style=style),
            f"{_pct(q.sl_target)} in {_duration(q.sl_threshold)}",
            _duration(q.asa),
            _pct(q.abandon_rate, 1),
            *((str(q.entered), str(q.answered)) if wide else ()),
            # callbacks waiting + being called; transfers in / out
            *((f"{q.callbacks_waiting}+{q.callbacks_calling}", f"{q.transferred_in}/{q.transferred_out}")
              if wider else ()),
        )
    line = Text.assemble(
        ("Agents  ", "bold"),
        ("available ", "dim"), (str(agents.get("available", 0)), "green"),
        ("   away ", "dim"), (str(agents.get("away", 0)), "yellow"),
        ("   offline ", "dim"), str(agents.get("offline", 0)),
        ("   busy ", "dim"), str(agents.get("busy", 0)),
        ("   idle ", "dim"), str(agents.get("idle", 0)),
    )
    parts: list[Any] = [title, table, line]
    if error:
        parts.append(Text(error, style="bold red"))
    return Group(*parts)


def _run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.live import Live

    from .errors import RoutingError

    if args.interval <= 0:
        print("ccroute top: --interval must be positive", file=sys.stderr)
        return 2
    client = connect(args, "ccroute top", timeout=max(args.interval, 2.0))
    if isinstance(client, int):
        return client
    console = Console()
    where = args.server if args.tenant == "default" else f"{args.server} tenant {args.tenant}"

    def frame(last: Optional[Any]) -> tuple[Any, Any]:
        try:
            status = client.status()
            stats = client.stats()
        except RoutingError as exc:
            if last is None:
                raise
            return last, render(*last, server=where, error=f"{exc} (retrying)", width=console.width)
        data = (stats, status.agents_by_state)
        return data, render(*data, server=where, policy=status.policy, width=console.width)

    try:
        if args.once:
            console.print(frame(None)[1])
            return 0
        last, view = frame(None)
        with Live(view, console=console, refresh_per_second=4, screen=False) as live:
            while True:
                time.sleep(args.interval)
                last, view = frame(last)
                live.update(view)
    except KeyboardInterrupt:
        return 0
    except RoutingError as exc:
        said = "cannot reach" if unreachable(exc) else "refused by"
        print(f"ccroute top: {said} {args.server}: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
