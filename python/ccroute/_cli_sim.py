"""The ``simulate``, ``compare``, ``sweep`` and ``staff`` sub-commands of
``ccroute``.

``simulate`` and ``compare`` run a scenario file with a progress bar and
print results tables with 95 % confidence intervals; ``sweep`` runs it over
a grid of parameter values and policies (locally, or on Dask or Ray) and
prints one row per cell and policy; ``staff`` answers the staffing
question with Erlang C (or Erlang A with ``--patience``).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Optional

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Adds ``simulate``, ``compare``, ``sweep`` and ``staff`` to the ``ccroute`` parser."""
    p = subparsers.add_parser(
        "simulate",
        help="simulate a scenario file and print the results",
        description="Simulate a scenario (YAML/TOML/JSON) with the real router in virtual time.",
    )
    p.add_argument("scenario", help="scenario file (.yaml, .yml, .toml or .json)")
    p.add_argument("--policy", help="built-in policy (default: the scenario's)")
    _common(p)
    p.set_defaults(handler=_simulate)

    p = subparsers.add_parser(
        "compare",
        help="simulate a scenario under several policies on the same random numbers",
        description="Run one scenario and seeds under several policies (common random numbers) "
        "and report paired differences from the first policy with 95 %% confidence intervals.",
    )
    p.add_argument("scenario", help="scenario file (.yaml, .yml, .toml or .json)")
    p.add_argument("--policies", required=True, help="comma-separated built-in policies, baseline first")
    _common(p)
    p.set_defaults(handler=_compare)

    p = subparsers.add_parser(
        "sweep",
        help="simulate a scenario over a grid of parameter values and policies",
        description="Run a scenario for every cell of a grid of parameter values (the cartesian product of "
        "the --grid options) under each policy, all on the same random numbers, and print the mean and "
        "95 %% confidence interval of each cell and policy.",
        epilog="PARAM is agents.GROUP, arrivals.scale, arrivals.TYPE.scale or a dotted path into the scenario "
        "file with list entries by name (queues.sales.sl_threshold). VALUES is a:b (integers a to b), "
        "a:b:step, or a comma-separated list.",
    )
    p.add_argument("scenario", help="scenario file (.yaml, .yml, .toml or .json)")
    p.add_argument("--grid", action="append", default=[], metavar="PARAM=VALUES",
                   help="a grid parameter and its values, e.g. agents.sales=8:14 or arrivals.scale=0.8,1,1.2 "
                   "(repeat for more parameters)")
    p.add_argument("--policy", action="append", dest="policies", metavar="POLICY",
                   help="built-in policy (repeat, or separate with commas; default: the scenario's)")
    p.add_argument("--replications", "--reps", type=int, dest="reps", metavar="N",
                   help="replications per cell and policy (default: the scenario's)")
    p.add_argument("--seed", type=int, help="seed (default: the scenario's)")
    p.add_argument("--executor", help="dask://HOST:PORT, ray, ray://HOST:PORT or ray:ADDRESS "
                   "(default: a local process pool)")
    p.add_argument("--workers", type=int, help="processes of the local pool (default: every core; 1: no pool)")
    p.add_argument("--out", help="write one row per cell, policy and replication to this .parquet or .csv file")
    p.add_argument("--summary", help="write one row per cell and policy (means and CIs) to this .parquet or "
                   ".csv file")
    p.add_argument("--plot", help="write a heat map (two grid parameters) or lines (one) of --metric to this "
                   "image (PNG/SVG/PDF)")
    p.add_argument("--metric", default="service_level", help="metric to plot (default: service_level)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_sweep)

    p = subparsers.add_parser(
        "staff",
        help="agents needed for a service-level target (Erlang C/A, or by simulation with --scenario)",
        description="Staffing for one interval: how many agents meet the target (Erlang C, or Erlang A "
        "with --patience). With --scenario: the lowest-cost agents per group (and per interval) meeting "
        "every queue's target in simulation (see ccroute.staffing).",
    )
    p.add_argument("--calls", type=float, help="contacts arriving in the interval (Erlang mode)")
    p.add_argument("--interval", type=float, default=1800.0, help="interval length in seconds (default 1800)")
    p.add_argument("--aht", type=float, help="average handle time in seconds (Erlang mode)")
    p.add_argument("--target", help="service-level target as FRACTION/SECONDS, e.g. 0.8/20")
    p.add_argument("--asa", type=float, help="ASA target in seconds")
    p.add_argument("--patience", type=float, help="mean patience in seconds (Erlang A)")
    p.add_argument("--shrinkage", type=float, default=0.0, help="share of paid time off the phones, e.g. 0.3")
    p.add_argument("--max-occupancy", type=float, help="occupancy cap, e.g. 0.9")
    from ._cli_staff import add_scenario_arguments

    add_scenario_arguments(p)
    p.set_defaults(handler=_staff)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reps", type=int, help="replications (default: the scenario's)")
    p.add_argument("--seed", type=int, help="seed (default: the scenario's)")
    p.add_argument("--jobs", type=int, default=None, help="replications run in parallel (default: every core)")
    p.add_argument("--out", help="write the results as JSON to this file")
    p.add_argument("--csv", help="write the summary as CSV to this file")
    p.add_argument("--plot", help="write service level and ASA per interval to this image (PNG/SVG/PDF)")
    p.add_argument("--queue", default="all", help="queue to plot (default: all contacts)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _console() -> Any:
    from rich.console import Console

    # Piped or captured output gets room for the CI columns (rich's default is 80).
    return Console(width=None if sys.stdout.isatty() else 132)


@contextmanager
def _progress(label: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    if quiet:
        yield lambda done, total: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), transient=True, console=_err_console()) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def _error(message: str) -> int:
    print(f"ccroute: error: {message}", file=sys.stderr)
    return 2


def _pct(e: Any) -> str:
    if e.mean is None:
        return "—"
    hw = e.half_width
    return f"{100 * e.mean:.1f}%" if hw is None else f"{100 * e.mean:.1f} ± {100 * hw:.1f}%"


def _sec(e: Any) -> str:
    if e.mean is None:
        return "—"
    hw = e.half_width
    return f"{e.mean:.1f}s" if hw is None else f"{e.mean:.1f} ± {hw:.1f}s"


def _num(e: Any) -> str:
    if e.mean is None:
        return "—"
    return f"{e.mean:,.0f}" if e.mean >= 100 else f"{e.mean:.2f}"


#: How the results tables define service level (printed under them).
SL_DEFINITION = ("service level = answered within the queue's threshold / (answered + abandoned + "
                 "unfinished past the threshold); unfinished = still waiting when the simulation ended")


def _row(f: Any) -> list[str]:
    return [_num(f["offered"]), _num(f["answered"]), _pct(f["abandon_rate"]), _num(f["unfinished"]),
            _pct(f["service_level"]), _sec(f["asa"]), _sec(f["mean_wait"]), _sec(f["wait_p90"])]


def _results_tables(res: Any) -> list[Any]:
    from rich.table import Table

    tables = []
    t = Table(title=f"{res.scenario or 'scenario'} — policy {res.policy}, {len(res.replications)} replications "
                    f"(mean ± 95 % CI)", caption=SL_DEFINITION)
    for col in ("", "offered", "answered", "abandoned", "unfinished", "service level", "ASA", "mean wait",
                "p90 wait"):
        t.add_column(col, justify="left" if not col else "right")
    scopes = [("queue", res.queues), ("type", res.types), ("channel", res.channels)]
    for label, figs in scopes:
        for name, f in figs.items():
            t.add_row(f"{label} {name}", *_row(f))
    t.add_row("all", *_row(res.total), style="bold")
    tables.append(t)
    g = Table(title="agent groups")
    channels = list(res.channels)
    for col in ("group", "occupancy", *[f"util. {c}" for c in channels], "handled/agent", "CV"):
        g.add_column(col, justify="left" if col == "group" else "right")
    for name, f in res.groups.items():
        g.add_row(name, _pct(f["occupancy"]), *[_pct(f[f"utilisation.{c}"]) for c in channels],
                  _num(f["handled_mean"]), f"{f['handled_cv'].mean:.2f}" if f["handled_cv"].mean is not None else "—")
    tables.append(g)
    return tables


def _exports(args: argparse.Namespace, obj: Any) -> None:
    console = _console()
    if args.out:
        obj.to_json(args.out)
        console.print(f"results written to {args.out}")
    if args.csv:
        obj.to_csv(args.csv)
        console.print(f"summary written to {args.csv}")
    if args.plot:
        from .sim import plot

        plot(obj, args.plot, queue=args.queue)
        console.print(f"plot written to {args.plot}")


@contextmanager
def _warnings_shown() -> Iterator[None]:
    """Prints the scenario's warnings (e.g. a contact type nobody can serve)
    as ``ccroute: warning: ...`` lines on stderr."""
    from .sim import UnservableWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UnservableWarning)
        try:
            yield
        finally:
            for w in caught:
                if issubclass(w.category, UnservableWarning):
                    print(f"ccroute: warning: {w.message}", file=sys.stderr)
                else:
                    warnings.showwarning(w.message, w.category, w.filename, w.lineno)


def _simulate(args: argparse.Namespace) -> int:
    from . import sim

    try:
        scn = sim.load_scenario(args.scenario)
        with _warnings_shown(), _progress(f"simulating {scn.name or args.scenario}", args.quiet) as tick:
            res = sim.run(scn, policy=args.policy, replications=args.reps, seed=args.seed,
                          threads=args.jobs, progress=tick)
        console = _console()
        for t in _results_tables(res):
            console.print(t)
        console.print(f"{res.contacts:,} contacts simulated in {res.wall_time:.2f} s")
        _exports(args, res)
    except (ValueError, TypeError, OSError) as exc:
        return _error(str(exc))
    return 0


_COMPARE_ROWS = (
    ("service level", "service_level", _pct),
    ("abandoned", "abandon_rate", _pct),
    ("unfinished", "unfinished", _num),
    ("ASA", "asa", _sec),
    ("p90 wait", "wait_p90", _sec),
)


def _diff_cell(e: Any, fmt: Callable[[Any], str]) -> str:
    text = fmt(e)
    if e.low is not None and (e.low > 0 or e.high < 0):
        return f"[bold]{text}[/bold] *"
    return text


def _compare(args: argparse.Namespace) -> int:
    from rich.table import Table

    from . import sim

    try:
        scn = sim.load_scenario(args.scenario)
        policies = [p.strip() for p in args.policies.split(",") if p.strip()]
        with _warnings_shown(), _progress(f"comparing {', '.join(policies)}", args.quiet) as tick:
            cmp = sim.compare(scn, policies, replications=args.reps, seed=args.seed,
                              threads=args.jobs, progress=tick)
        base = cmp.baseline
        t = Table(title=f"{scn.name or args.scenario} — {len(cmp.results[base].replications)} replications, "
                        f"common random numbers (mean ± 95 % CI; * = difference significant)",
                  caption=SL_DEFINITION)
        t.add_column("")
        t.add_column("")
        for p in cmp.policies:
            t.add_column(p, justify="right")
        for p in cmp.policies[1:]:
            t.add_column(f"{p} − {base}", justify="right")
        for scope, names in (("queue", list(scn_queue_names(cmp))), ("", ["all"])):
            for name in names:
                for label, key, fmt in _COMPARE_ROWS:
                    cells = [fmt(_fig(cmp.results[p], scope, name, key)) for p in cmp.policies]
                    diffs = [_diff_cell(_fig_d(cmp.differences[p], scope, name, key), fmt) for p in cmp.policies[1:]]
                    t.add_row(f"{scope} {name}".strip(), label, *cells, *diffs)
        for g in cmp.results[base].groups:
            cells = [_pct(cmp.results[p].groups[g]["occupancy"]) for p in cmp.policies]
            diffs = [_diff_cell(cmp.differences[p]["groups"][g]["occupancy"], _pct) for p in cmp.policies[1:]]
            t.add_row(f"group {g}", "occupancy", *cells, *diffs)
            cells = [f"{cmp.results[p].groups[g]['handled_cv'].mean:.3f}" for p in cmp.policies]
            diffs = [_diff_cell(cmp.differences[p]["groups"][g]["handled_cv"], lambda e: f"{e.mean:+.3f}")
                     for p in cmp.policies[1:]]
            t.add_row("", "handled CV", *cells, *diffs)
        console = _console()
        console.print(t)
        total = sum(r.contacts for r in cmp.results.values())
        wall = sum(r.wall_time for r in cmp.results.values())
        console.print(f"{total:,} contacts simulated in {wall:.2f} s")
        _exports(args, cmp)
    except (ValueError, TypeError, OSError) as exc:
        return _error(str(exc))
    return 0


#: File formats of ``sweep --out`` and ``--summary``, by extension.
_TABLE_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}

#: The summary table of ``sweep``: heading, metric, format.
_SWEEP_COLUMNS = (
    ("offered", "offered", _num),
    ("service level", "service_level", _pct),
    ("ASA", "asa", _sec),
    ("abandoned", "abandon_rate", _pct),
    ("unfinished", "unfinished", _num),
    ("occupancy", "occupancy", _pct),
)


def _table_format(path: Optional[str], flag: str) -> Optional[str]:
    if path is None:
        return None
    ext = os.path.splitext(path)[1].lower()
    if ext not in _TABLE_FORMATS:
        raise ValueError(f"{flag} {path!r}: write a .parquet or a .csv file")
    return _TABLE_FORMATS[ext]


def _write_table(frame: Any, path: str, fmt: str) -> None:
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ImportError("Parquet output needs pyarrow: pip install 'ccroute[cluster]' (or pyarrow)") from None
        frame.to_parquet(path, engine="pyarrow", index=False)
    else:
        frame.to_csv(path, index=False, lineterminator="\n")


def _value(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _sweep(args: argparse.Namespace) -> int:
    from rich.table import Table

    from . import sim
    from .sim._grid import parse_grid_arg
    from .sim.sweep import SUMMARY_METRICS

    try:
        grid: dict[str, list[Any]] = {}
        for text in args.grid:
            param, values = parse_grid_arg(text)
            if param in grid:
                raise ValueError(f"--grid {param} is given twice")
            grid[param] = values
        out_format = _table_format(args.out, "--out")
        summary_format = _table_format(args.summary, "--summary")
        if args.plot and not 1 <= len(grid) <= 2:
            raise ValueError(f"--plot draws one or two grid parameters; this sweep has {len(grid)}")
        if not (args.metric in SUMMARY_METRICS or args.metric == "contacts"
                or args.metric.startswith(("queue.", "group."))):
            raise ValueError(f"--metric {args.metric!r}: give one of {list(SUMMARY_METRICS)}, "
                             "or queue.NAME.METRIC or group.NAME.METRIC")
        policies = [p.strip() for a in args.policies or [] for p in a.split(",") if p.strip()] or None
        scn = sim.load_scenario(args.scenario)
        n_cells = math.prod(len(v) for v in grid.values())
        with _warnings_shown(), _progress(f"sweeping {n_cells} cells", args.quiet) as tick:
            res = sim.sweep(scn, grid=grid, policies=policies, replications=args.reps, seed=args.seed,
                            executor=args.executor, workers=args.workers, progress=tick)
        t = Table(title=f"{scn.name or args.scenario} — {len(res.cells)} cells × {len(res.policies)} policies × "
                        f"{res.replications} replications, common random numbers (mean ± 95 % CI)",
                  caption=SL_DEFINITION)
        for param in res.grid:
            t.add_column(param, justify="right")
        t.add_column("policy")
        for heading, _, _ in _SWEEP_COLUMNS:
            t.add_column(heading, justify="right")
        for e in res.estimates([m for _, m, _ in _SWEEP_COLUMNS]):
            t.add_row(*[_value(e[p]) for p in res.grid], e["policy"], *[fmt(e[m]) for _, m, fmt in _SWEEP_COLUMNS])
        console = _console()
        console.print(t)
        runs = len(res.cells) * len(res.policies) * res.replications
        console.print(f"{runs:,} replications in {res.wall_time:.2f} s")
        if args.out and out_format:
            _write_table(res.frame, args.out, out_format)
            console.print(f"replications written to {args.out}")
        if args.summary and summary_format:
            _write_table(res.summary(), args.summary, summary_format)
            console.print(f"summary written to {args.summary}")
        if args.plot:
            res.plot(args.plot, metric=args.metric)
            console.print(f"plot written to {args.plot}")
    except (ValueError, TypeError, OSError, ImportError) as exc:
        return _error(str(exc))
    return 0


def scn_queue_names(cmp: Any) -> list[str]:
    """Queue names of a comparison, in scenario order."""
    return list(next(iter(cmp.results.values())).queues)


def _fig(res: Any, scope: str, name: str, key: str) -> Any:
    return res.queues[name][key] if scope == "queue" else res.total[key]


def _fig_d(diff: Any, scope: str, name: str, key: str) -> Any:
    return diff["queues"][name][key] if scope == "queue" else diff["total"][key]


def _parse_target(text: Optional[str]) -> tuple[Optional[float], Optional[float]]:
    if text is None:
        return None, None
    try:
        frac, secs = text.split("/")
        return float(frac), float(secs)
    except ValueError:
        raise ValueError(f"--target must look like 0.8/20 (fraction/seconds), got {text!r}") from None


#: The ``erlang.staffing`` argument behind each ``ccroute staff`` flag.
_STAFF_FLAGS = {
    "arrival_rate": "--calls/--interval", "aht": "--aht", "target": "--target", "threshold": "--target",
    "patience": "--patience", "max_occupancy": "--max-occupancy", "shrinkage": "--shrinkage",
    "asa_target": "--asa",
}


def _cli_names(message: str) -> str:
    """An ``erlang.staffing`` error in the words of the command line."""
    import re

    if message.startswith("give a service-level target"):
        return "give --target FRACTION/SECONDS (e.g. 0.8/20) and/or --asa SECONDS"
    message = re.sub(r"\b(target|threshold)=\S+?(, |$)", "", message)
    return re.sub(r"\b(" + "|".join(sorted(_STAFF_FLAGS, key=len, reverse=True)) + r")\b(?!-)",
                  lambda m: _STAFF_FLAGS[m.group(1)], message)


def _staff(args: argparse.Namespace) -> int:
    from rich.table import Table

    from . import erlang

    if args.scenario is not None:
        from ._cli_staff import staff_scenario

        return staff_scenario(args, _console(), _err_console(), _error)
    if args.calls is None or args.aht is None:
        return _error("give --calls and --aht (Erlang staffing of one interval), or --scenario FILE")

    try:
        target, threshold = _parse_target(args.target)
        if args.interval <= 0:
            raise ValueError(f"--interval must be positive, got {args.interval}")
        res = erlang.staffing(
            args.calls / args.interval, args.aht, target, threshold, patience=args.patience,
            max_occupancy=args.max_occupancy, shrinkage=args.shrinkage, asa_target=args.asa,
        )
    except ValueError as exc:
        return _error(_cli_names(str(exc)))
    model = "Erlang A" if res.model == "erlang_a" else "Erlang C"
    t = Table(title=f"{args.calls:g} contacts in {args.interval:g} s, AHT {args.aht:g} s — {model}")
    t.add_column("")
    t.add_column("value", justify="right")
    t.add_row("offered load", f"{res.load:.2f} Erlangs")
    t.add_row("agents on the phones", str(res.agents_on_phones))
    t.add_row("agents to schedule", f"{res.scheduled} (shrinkage {100 * res.shrinkage:.0f}%)")
    if res.service_level is not None:
        t.add_row(f"service level ({res.threshold:g} s)", f"{100 * res.service_level:.1f}%")
    t.add_row("ASA", f"{res.asa:.1f} s")
    t.add_row("probability of waiting", f"{100 * res.p_wait:.1f}%")
    if res.p_abandon is not None:
        t.add_row("abandoned", f"{100 * res.p_abandon:.1f}%")
    t.add_row("occupancy", f"{100 * res.occupancy:.1f}%")
    _console().print(t)
    return 0
