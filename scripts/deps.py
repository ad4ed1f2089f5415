"""Print the project's requirements, one per line: its dependencies and
those of the extras named on the command line, read from pyproject.toml so
that they are declared in one place (the Makefile installs these)."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path


def main(extras: list[str]) -> int:
    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())["project"]
    known = project.get("optional-dependencies", {})
    unknown = [e for e in extras if e not in known]
    if unknown:
        print(f"deps.py: unknown extra(s) {', '.join(unknown)}; pyproject.toml has {', '.join(known)}", file=sys.stderr)
        return 2
    seen: list[str] = []
    for req in project.get("dependencies", []) + [r for e in extras for r in known[e]]:
        if req not in seen:
            seen.append(req)
    print("\n".join(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
