"""``ccroute explain CONTACT``: why a contact on a running server is where
it is (``ExplainContact``), for an operator at a terminal or a script
(``--json``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ._cli_connect import add_connection_arguments, connect

__all__ = ["register", "render"]


def register(subparsers: Any) -> None:
    """Add the ``explain`` sub-command."""
    p = subparsers.add_parser(
        "explain",
        help="why a contact on a running server waits (place, requirements, agents, next timer)",
        description=(
            "Ask a running ccroute server why a live contact is where it is: its place in its "
            "queue, the requirements in force, how many agents could take it now and why the "
            "others cannot, and the next timer that changes things."
        ),
    )
    p.add_argument("contact", help="the contact's id")
    add_connection_arguments(p)
    p.add_argument("--json", action="store_true", help="print the explanation as JSON")
    p.set_defaults(handler=_run)


def render(why: dict[str, Any], now: float) -> str:
    """The explanation as lines of text; ``now``: the server's time."""
    place = f", place {why['position']} of {why['queue_waiting']}" if why["position"] is not None else ""
    holder = f" to {why['agent']}" if why["agent"] else ""
    lines = [f"{why['contact']}: {why['status']}{holder} in {why['queue']} ({why['channel']}){place}, "
             f"step {why['step']} applied"]
    requires = ", ".join(f"{s} >= {lvl}" for s, lvl in sorted(why["requires"].items())) or "nothing"
    lines.append(f"  requires  {requires}")
    if why.get("selector"):
        lines.append(f"  selector  {why['selector']}")
        for clause, n in why.get("selector_clauses", {}).items():
            if n:
                lines.append(f"            {n} excluded by {clause}")
    if why["waits_for"]:
        lines.append(f"  waits for {why['waits_for']} only")
    cannot = {k: n for k, n in why["ineligible"].items() if n}
    reasons = ", ".join(f"{k} {n}" for k, n in cannot.items()) or "none"
    lines.append(f"  agents    {why['eligible']} could take it now; cannot: {reasons}")
    timer = why["next_timer"]
    if timer is None:
        lines.append("  next      no timer pending")
    else:
        lines.append(f"  next      {timer['what']} at {timer['at']:g} (in {max(timer['at'] - now, 0.0):g} s)")
    return "\n".join(lines)


def _run(args: argparse.Namespace) -> int:
    from .errors import RoutingError

    client = connect(args, "ccroute explain", timeout=5.0)
    if isinstance(client, int):
        return client
    try:
        why = client.explain(args.contact).to_dict()
        now = client.status().now
    except RoutingError as exc:
        print(f"ccroute explain: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    print(json.dumps(why) if args.json else render(why, now))
    return 0
