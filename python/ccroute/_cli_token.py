"""``ccroute token create``: a fresh bearer token and its token-file line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._cli_connect import add_connection_arguments, connect

__all__ = ["register"]

_ROLES = ("admin", "service", "agent", "observer")  # ccroute.server.tokens.ROLES, without importing the server


def register(subparsers: Any) -> None:
    """Add the ``token`` sub-command."""
    p = subparsers.add_parser(
        "token",
        help="make bearer tokens for ccroute serve --token-file, or issue, revoke and list them on a server",
        description="Bearer tokens for `ccroute serve --token-file`: made offline (a token-file line), or "
                    "issued, revoked and listed through a running server's API (--server).",
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
    add_connection_arguments(create, tenant=False, server_default=None,
                             server_help="issue the token through this running server's API (CreateToken, an "
                                         "admin --token): kept by the server (in Redis, or in its token file) "
                                         "and working at once, instead of printing a token-file line")
    revoke = sub.add_parser(
        "revoke",
        help="revoke tokens through a running server's API (RevokeToken)",
        description="Revoke a token by the SHA-256 `ccroute token list` shows, or every token of a --name; "
                    "refused from its next call (with --redis on every server of the database).",
    )
    revoke.add_argument("sha256", nargs="?", default="", help="the token's SHA-256, 64 hex digits")
    revoke.add_argument("--name", default="", metavar="LABEL", help="every token of this name instead")
    add_connection_arguments(revoke, tenant=False)
    listing = sub.add_parser(
        "list",
        help="list the tokens a running server accepts (ListTokens): digests and grants, never a token",
        description="List the tokens of the tenants the --token covers: SHA-256, role, tenant, agent, name "
                    "and where each is kept (file or api).",
    )
    add_connection_arguments(listing, tenant=False)
    p.set_defaults(handler=_run, parser=p)


def _run(args: argparse.Namespace) -> int:
    if args.token_command not in ("create", "revoke", "list"):
        args.parser.print_help()
        return 2
    if args.token_command == "create" and args.server is None:
        return _offline(args)
    return _remote(args)


def _offline(args: argparse.Namespace) -> int:
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


def _remote(args: argparse.Namespace) -> int:
    prog = f"ccroute token {args.token_command}"
    client = connect(args, prog, timeout=10.0)
    if isinstance(client, int):
        return client
    from .errors import RoutingError

    try:
        if args.token_command == "create":
            token, info = client.create_token(args.role, args.tenant, agent=args.agent, name=args.name)
            print(token, flush=True)
            print(_describe(info), file=sys.stderr, flush=True)
        elif args.token_command == "revoke":
            for info in client.revoke_token(args.sha256, name=args.name):
                print(f"revoked {_describe(info)}", flush=True)
        else:
            for info in client.tokens():
                print(_describe(info), flush=True)
    except RoutingError as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


def _describe(info: Any) -> str:
    g = info.grant
    return " ".join([f"sha256:{info.sha256}", f"role={g.role}", f"tenant={g.tenant}",
                     *([f"agent={g.agent}"] if g.agent else []), *([f"name={g.name}"] if g.name else []),
                     f"source={info.source}"])
