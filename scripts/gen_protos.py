#!/usr/bin/env python3
"""Regenerate the Python code of the ccroute protocol from ``proto/``.

``proto/ccroute/v1/*.proto`` is compiled with ``-Iproto`` into ``python/``,
so the generated modules land in ``python/ccroute/v1/`` and import each
other as ``from ccroute.v1 import model_pb2``. The generated files are
committed; ``--check`` regenerates them into a temporary directory and
fails, listing the stale files, when they differ from the committed ones.

Usage::

    python scripts/gen_protos.py           # rewrite python/ccroute/v1/
    python scripts/gen_protos.py --check   # exit 1 when the files are stale
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "proto"
PACKAGE = Path("ccroute") / "v1"
OUT_ROOT = ROOT / "python"

MYPY_HEADER = "# mypy: ignore-errors\n"

INIT = '''"""Generated protocol code of ``ccroute.v1`` (see ``proto/ccroute/v1/``).

Do not edit: ``make proto`` (``scripts/gen_protos.py``) rewrites this package.
"""
'''


def generate(out_root: Path) -> list[Path]:
    """Compile every ``.proto`` under ``proto/ccroute/v1`` into ``out_root``
    and return the paths written, relative to ``out_root``."""
    from grpc_tools import protoc  # the build tool, needed only here

    protos = sorted((PROTO_ROOT / PACKAGE).glob("*.proto"))
    if not protos:
        raise SystemExit(f"no .proto files in {PROTO_ROOT / PACKAGE}")
    include = Path(protoc.__file__).parent / "_proto"  # google/protobuf/*.proto
    with_services = [p for p in protos if "\nservice " in p.read_text()]
    base = ["grpc_tools.protoc", f"-I{PROTO_ROOT}", f"-I{include}"]

    def rel(paths: list[Path]) -> list[str]:
        return [str(p.relative_to(PROTO_ROOT)) for p in paths]

    # Messages for every file; gRPC stubs only for the files with a service.
    runs = [
        [*base, f"--python_out={out_root}", f"--pyi_out={out_root}", *rel(protos)],
        [*base, f"--grpc_python_out={out_root}", *rel(with_services)],
    ]
    for args in runs:
        code = protoc.main(args)
        if code != 0:
            raise SystemExit(f"protoc failed with exit code {code}")
    for path in (out_root / PACKAGE).iterdir():
        if path.suffix in (".py", ".pyi"):
            # Generated code imports the untyped grpc and protobuf packages;
            # type checkers skip it (its .pyi stubs still type the callers).
            path.write_text(MYPY_HEADER + path.read_text())
    (out_root / PACKAGE / "__init__.py").write_text(INIT)
    for proto in protos:  # shipped with the package: the OpenAPI document's descriptions, other languages
        shutil.copyfile(proto, out_root / PACKAGE / proto.name)
    return sorted(p.relative_to(out_root) for p in (out_root / PACKAGE).iterdir() if p.is_file())


def check() -> int:
    """Regenerate into a temporary directory and compare; 0 when up to date."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        current = sorted(
            p.relative_to(OUT_ROOT)
            for p in (OUT_ROOT / PACKAGE).iterdir()
            if p.is_file() and p.suffix in (".py", ".pyi", ".proto")
        )
        stale: list[str] = []
        for rel in sorted(set(fresh) | set(current)):
            new, old = Path(tmp) / rel, OUT_ROOT / rel
            if not old.exists():
                stale.append(f"missing: {rel}")
            elif not new.exists():
                stale.append(f"not generated from any .proto: {rel}")
            elif not filecmp.cmp(new, old, shallow=False):
                diff = difflib.unified_diff(
                    old.read_text().splitlines(), new.read_text().splitlines(),
                    f"committed/{rel}", f"generated/{rel}", lineterm="", n=1,
                )
                stale.append(f"differs: {rel}\n" + "\n".join(list(diff)[:20]))
    if stale:
        print("generated protobuf code is stale; run `make proto` and commit:", file=sys.stderr)
        for s in stale:
            print(f"  {s}", file=sys.stderr)
        return 1
    print(f"generated protobuf code is up to date ({len(fresh)} files in python/{PACKAGE})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail when the committed files are stale")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    target = OUT_ROOT / PACKAGE
    if target.exists():  # drop modules of .proto files that were removed
        for p in target.iterdir():
            if p.is_file() and (p.name.endswith(("_pb2.py", "_pb2.pyi", "_pb2_grpc.py", ".proto"))):
                p.unlink()
    written = generate(OUT_ROOT)
    print(f"wrote {len(written)} files to python/{PACKAGE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
