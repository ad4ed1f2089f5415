"""``ccroute token create``: a fresh bearer token and its token-file line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["register"]

_ROLES = ("admin", "service", "agent", "observer")  # ccroute.server.tokens.ROLES, without importing the server


def register(subparsers: Any) -> None:
    """Add the ``token`` sub-command."""
    p = subparsers.add_parser(
        "token",
        help="make bearer tokens for ccroute serve --token-file",
        description="Bearer tokens for `ccroute serve --token-file`.",
    )
    sub = p.add_subparsers(dest="token_command", metavar="COMMAND")
    create = sub.add_parser(
        "create",
        help="print a fresh token (stdout) and its token-file line (stderr)",
        description=(
            "Print a fresh random token on stdout, and on stderr the line to add to the token file, "
            "which holds only the token's SHA-256: "
            "`ccroute token create --role observer --name wallboard > wallboard.token 2>> tokens.txt`. "
            "Roles: admin (everything, configuration included), service (agents and contacts, and reads), "
            "agent (accept, reject, complete, pause, resume and set the state of one agent: --agent), "
            "observer (reads, WatchEvents, /metrics and the wallboard)."
        ),
    )
    create.add_argument("--role", required=True, choices=_ROLES, help="what the token may call")
    create.add_argument("--tenant", default="default",
                        help="the tenant it is for: a name, or '*' for every tenant (default: default, the "
                             "one router a server hosts)")
    create.add_argument("--agent", metavar="ID", help="with --role agent: the one agent the token acts for")
    create.add_argument("--name", metavar="LABEL", help="a label for people: who holds the token")
    p.set_defaults(handler=_run, parser=p)


def _run(args: argparse.Namespace) -> int:
    if args.token_command != "create":
        args.parser.print_help()
        return 2
    try:
        from .errors import InvalidInput
        from .server.tokens import Grant, new_token, token_line
    except ModuleNotFoundError as exc:  # the server extra is not installed
        print(f"ccroute token: needs the server extra (pip install 'ccroute[server]'): {exc}", file=sys.stderr)
        return 2
    try:
        grant = Grant(args.role, args.tenant, args.agent, args.name)
    except InvalidInput as exc:
        print(f"ccroute token create: {exc}", file=sys.stderr)
        return 2
    token = new_token()
    print(token, flush=True)
    print(token_line(token, grant), file=sys.stderr, flush=True)
    return 0
