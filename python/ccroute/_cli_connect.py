"""Connection options shared by the sub-commands that talk to a running
``ccroute serve`` (``top``, ``explain``): one set of flags, one way to
read them."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Optional, Union

__all__ = ["add_connection_arguments", "connect", "unreachable"]


def add_connection_arguments(p: argparse.ArgumentParser, *, tenant: bool = True,
                             server_default: Optional[str] = "127.0.0.1:50051",
                             server_help: str = "the server's gRPC address (default 127.0.0.1:50051)") -> None:
    """``--server``, ``--tenant`` (unless told), ``--token``, ``--tls`` and ``--ca``."""
    p.add_argument("--server", default=server_default, metavar="HOST:PORT", help=server_help)
    if tenant:
        p.add_argument("--tenant", default="default",
                       help="the tenant whose router to read (default: default)")
    p.add_argument("--token", help="bearer token (when the server runs with --token-file)")
    p.add_argument("--tls", action="store_true", help="connect with TLS (system trust store)")
    p.add_argument("--ca", metavar="FILE",
                   help="connect with TLS, trusting the PEM CA certificates in FILE (e.g. the server's "
                        "self-signed certificate)")


def connect(args: argparse.Namespace, prog: str, timeout: float) -> Union[Any, int]:
    """A ``RouterClient`` for the parsed options, or an exit code (2) after
    saying on stderr what is wrong."""
    try:
        from .client import RouterClient
    except ModuleNotFoundError as exc:  # the server extra is not installed
        print(f"{prog}: needs the server extra (pip install 'ccroute[server]'): {exc}", file=sys.stderr)
        return 2
    roots = None
    if args.ca is not None:
        try:
            with open(args.ca, "rb") as f:
                roots = f.read()
        except OSError as exc:
            print(f"{prog}: cannot read --ca {args.ca!r}: {exc.strerror}", file=sys.stderr)
            return 2
    return RouterClient(args.server, token=args.token, tls=args.tls, root_certificates=roots,
                        timeout=timeout, retries=0, tenant=getattr(args, "tenant", "default"))


def unreachable(exc: BaseException) -> bool:
    """Whether a failed call means the server could not be reached (as
    opposed to a refusal it answered)."""
    from .server.errors import ServiceTimeout, ServiceUnavailable

    return type(exc) in (ServiceUnavailable, ServiceTimeout)  # not NotOwner, Fenced...: the server answered
