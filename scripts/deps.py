"""Print the project's requirements, one per line: what building it needs,
its dependencies and those of the extras named on the command line, read
from pyproject.toml so that they are declared in one place (the Makefile
installs these). An extra may name others of the project's own extras
(``ccroute[pandas]``, as pip understands it); they are listed in its place."""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path


def main(extras: list[str]) -> int:
    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    project = pyproject["project"]
    known = project.get("optional-dependencies", {})
    own = re.compile(rf"\s*{re.escape(project['name'])}\s*\[([^\]]*)\]\s*$", re.IGNORECASE)
    unknown = [e for e in extras if e not in known]
    if unknown:
        print(f"deps.py: unknown extra(s) {', '.join(unknown)}; pyproject.toml has {', '.join(known)}", file=sys.stderr)
        return 2
    seen: list[str] = []
    expanded: set[str] = set()

    def add(reqs: Iterable[str]) -> None:
        for req in reqs:
            m = own.match(req)
            if m is None:
                if req not in seen:
                    seen.append(req)
                continue
            for extra in (e.strip() for e in m.group(1).split(",")):
                if extra not in known:
                    raise SystemExit(f"deps.py: {req!r} names an extra pyproject.toml does not have")
                if extra not in expanded:
                    expanded.add(extra)
                    add(known[extra])

    add(pyproject.get("build-system", {}).get("requires", []))
    add(project.get("dependencies", []))
    for extra in extras:
        add(known[extra])
    print("\n".join(seen))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
