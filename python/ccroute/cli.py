"""The ``ccroute`` command line.

Each feature area contributes its sub-commands through a module with a
``register(subparsers)`` function; the modules are listed in
``_COMMAND_MODULES`` and imported on start. A command's handler receives
the parsed arguments and returns a process exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Optional

from . import __version__

__all__ = ["main", "build_parser"]

#: Modules that add sub-commands (``register(subparsers)``), in help order.
_COMMAND_MODULES: tuple[str, ...] = (
    "ccroute._cli_sim",
    "ccroute._cli_serve",
    "ccroute._cli_token",
    "ccroute._cli_top",
    "ccroute._cli_explain",
    "ccroute._cli_replay",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available sub-command."""
    parser = argparse.ArgumentParser(
        prog="ccroute",
        description="Contact-center routing engine: route, simulate, staff, serve.",
    )
    parser.add_argument("--version", action="version", version=f"ccroute {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that feature is not part of this build
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the ``ccroute`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    return int(handler(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
