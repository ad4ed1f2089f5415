"""``ccroute serve``: run the gRPC routing server."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``serve`` sub-command."""
    p = subparsers.add_parser(
        "serve",
        help="run the gRPC routing server",
        description=(
            "Run the ccroute gRPC server (ccroute.v1.Router, with health checking and "
            "reflection). SIGTERM or SIGINT drains in-flight calls and exits 0; SIGHUP re-reads "
            "--config and applies its router settings live, as Configure does (a file that fails "
            "changes nothing and is logged). Logs go to stderr, as text with time and level or as "
            "JSON lines (--log-format json)."
        ),
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=50051, help="port (default 50051; 0 picks a free one)")
    p.add_argument("--config", metavar="FILE",
                   help="router configuration, YAML (default: built-in). With --redis it must equal the "
                        "configuration stored with the history (a different one is refused, naming the "
                        "differences); without --config a durable server uses the stored one")
    p.add_argument("--token-file", metavar="FILE",
                   help="bearer tokens, one per line as 'sha256:<hex> role=<role> tenant=<tenant|*> "
                        "[agent=<id>] [name=<label>]' (`ccroute token create` makes them); calls must send "
                        "'authorization: Bearer <token>' and may make only what the role allows")
    p.add_argument("--tls-cert", metavar="C", help="PEM certificate chain (with --tls-key)")
    p.add_argument("--tls-key", metavar="K", help="PEM private key (with --tls-cert)")
    p.add_argument("--http-port", type=int, metavar="PORT",
                   help="also serve Prometheus /metrics, /healthz and the live wallboard (/) over HTTP "
                        "on this port (0 picks a free one)")
    p.add_argument("--http-host", metavar="HOST", help="address for --http-port (default: --host)")
    p.add_argument("--http-plain", action="store_true",
                   help="with --http-port and --tls-cert: serve the HTTP port without TLS (behind a proxy "
                        "that terminates TLS); by default it serves HTTPS with the same certificate, as "
                        "it carries tokens")
    p.add_argument("--sl-interval", type=float, metavar="MIN",
                   help="with --http-port: minutes of the reporting interval whose service level the "
                        "wallboard shows (default 15, aligned to the clock)")
    p.add_argument("--sl-window", type=float, metavar="MIN",
                   help="with --http-port: minutes of the rolling window whose service level the "
                        "wallboard shows and colours by (default 30)")
    p.add_argument("--clock", choices=("server", "client"), default="server",
                   help="where the router's time comes from: server (its own clock, the default) or "
                        "client (the `now` of each call, so a script drives it in virtual time)")
    p.add_argument("--redis", metavar="URL",
                   help="durable state in Redis (redis://HOST:PORT/DB): every accepted command is "
                        "persisted before it is acknowledged; a second server waits as a standby")
    p.add_argument("--json-api", action="store_true",
                   help="with --http-port: serve every call as JSON over HTTP too (POST /v1/<Method>, "
                        "server-sent events for WatchEvents, the OpenAPI document at /v1/openapi.json), "
                        "with the same tokens; off by default, as the HTTP port is otherwise read-only")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="with --json-api: let browser pages of ORIGIN (scheme://host[:port], or '*' for any) "
                        "call the JSON API; repeat for several. Tokens still decide what a call may do")
    p.add_argument("--advertise", metavar="HOST:PORT",
                   help="with --redis: scale out. Every server of the database serves and the tenants are "
                        "spread among them, each owned by one server at a time; a call for a tenant owned "
                        "elsewhere is answered UNAVAILABLE naming the owner (this address is what the others "
                        "name). Without it, one server serves every tenant and the others wait as standbys")
    p.add_argument("--advertise-http", metavar="URL",
                   help="with --advertise and --http-port: the base URL of this server's HTTP port as clients "
                        "reach it (default: the host of --advertise, the HTTP port); other servers name it "
                        "when a JSON call or a wallboard is for a tenant this one owns")
    p.add_argument("--webhook-private", action="store_true",
                   help="let tenants' webhooks call loopback, private and link-local addresses (receivers on "
                        "this server's own network); refused by default, so that a tenant cannot make the "
                        "server call internal services")
    p.add_argument("--lease-ms", type=int,
                   help="with --redis: lease time in ms; a standby takes over within it (default 5000)")
    p.add_argument("--snapshot-every", type=int,
                   help="with --redis: commands between snapshots (default 10000)")
    p.add_argument("--log-format", choices=("text", "json"), default="text",
                   help="stderr logs: text (time, level, logger, message; the default) or json (one object "
                        "per line: ts, level, logger, event, msg and the event's fields)")
    p.add_argument("--slow-call-ms", type=float, default=500.0, metavar="MS",
                   help="log a unary call slower than this (event slow_call; default 500)")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from .server.logs import configure

    configure(args.log_format)
    if (args.tls_cert is None) != (args.tls_key is None):
        print("ccroute serve: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    for needs, flags in (("--http-port", ("--http-host", "--sl-interval", "--sl-window")),
                         ("--redis", ("--lease-ms", "--snapshot-every"))):
        given = [f for f in flags if getattr(args, f[2:].replace("-", "_")) is not None]
        if given and getattr(args, needs[2:].replace("-", "_")) is None:
            print(f"ccroute serve: {', '.join(given)} need{'s' if len(given) == 1 else ''} {needs}",
                  file=sys.stderr)
            return 2
    try:
        from .errors import RoutingError
        from .server import load_config, serve

        if args.http_port is not None:
            import prometheus_client  # noqa: F401  (--http-port needs it)
        if args.redis is not None:
            import redis  # noqa: F401  (--redis needs it)
    except ModuleNotFoundError as exc:  # the server extra is not installed
        print(f"ccroute serve: needs the server extra (pip install 'ccroute[server]'): {exc}",
              file=sys.stderr)
        return 2
    try:
        config = load_config(args.config)
        return serve(config, args.host, args.port, token_file=args.token_file,
                     tls_cert_file=args.tls_cert, tls_key_file=args.tls_key,
                     http_port=args.http_port, http_host=args.http_host,
                     redis_url=args.redis, lease_ms=5000 if args.lease_ms is None else args.lease_ms,
                     snapshot_every=10_000 if args.snapshot_every is None else args.snapshot_every,
                     stored_config=args.config is None,
                     sl_interval_minutes=15.0 if args.sl_interval is None else args.sl_interval,
                     sl_window_minutes=30.0 if args.sl_window is None else args.sl_window,
                     clock=args.clock, config_file=args.config, slow_call_ms=args.slow_call_ms,
                     advertise=args.advertise, json_api=args.json_api,
                     private_webhooks=args.webhook_private, cors_origins=args.cors_origin,
                     http_plain=args.http_plain, advertise_http=args.advertise_http)
    except RoutingError as exc:
        print(f"ccroute serve: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"ccroute serve: {exc}", file=sys.stderr)
        return 1
