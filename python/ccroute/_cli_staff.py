"""``ccroute staff --scenario``: staffing a scenario by simulation
(:mod:`ccroute.staffing`), with a progress bar, a table of the solution,
its simulated figures with confidence intervals, the bound and the gap,
and optionally a plot of the search and the staffed scenario."""

from __future__ import annotations

import argparse
from typing import Any, Callable

__all__ = ["add_scenario_arguments", "staff_scenario"]


def add_scenario_arguments(p: argparse.ArgumentParser) -> None:
    """The flags of the simulation mode."""
    g = p.add_argument_group("staffing a scenario by simulation")
    g.add_argument("--scenario", help="scenario file (YAML/TOML/JSON): staff it by simulation")
    g.add_argument("--sl", action="append", default=[], metavar="NAME=FRACTION",
                   help="service-level target of a queue (or type with --by type); default: each queue's sl_target")
    g.add_argument("--abandon", action="append", default=[], metavar="NAME=FRACTION",
                   help="abandonment cap of a queue or type")
    g.add_argument("--asa-cap", action="append", default=[], metavar="NAME=SECONDS", help="ASA cap of a queue or type")
    g.add_argument("--cost", action="append", default=[], metavar="GROUP=COST", help="cost of an agent of a group (default 1)")
    g.add_argument("--by", choices=["queue", "type"], default="queue", help="targets per queue (default) or contact type")
    g.add_argument("--per-interval", metavar="DURATION", help="staff each interval of this length separately, e.g. 1h")
    g.add_argument("--policy", help="routing policy (default: the scenario's)")
    g.add_argument("--reps", type=int, default=20, help="replications per simulated staffing (default 20)")
    g.add_argument("--validation", type=int, default=30, help="independent replications for the report (default 30)")
    g.add_argument("--confidence", type=float, help="require the one-sided lower confidence bound to meet targets")
    g.add_argument("--seed", type=int, help="seed (default: the scenario's)")
    g.add_argument("--compare-two-step", action="store_true", help="also run the two-step method and compare")
    g.add_argument("--plot", help="write cost and slack along the search to this image")
    g.add_argument("--save", help="write the staffed scenario to this YAML/JSON file")
    g.add_argument("--quiet", action="store_true", help="no progress bar")


def _pairs(items: list[str], flag: str, cast: Callable[[str], Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.rpartition("=")
        if not sep or not name:
            raise ValueError(f"{flag} takes NAME=VALUE, got {item!r}")
        try:
            out[name] = cast(value)
        except ValueError:
            raise ValueError(f"{flag} {item!r}: {value!r} is not a number") from None
    return out


def staff_scenario(args: argparse.Namespace, out: Any, err: Any, error: Callable[[str], int]) -> int:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from . import staffing
    from .sim import ScenarioError

    try:
        targets: dict[str, Any] = {}
        for flag, items, metric in (("--sl", args.sl, "service_level"), ("--abandon", args.abandon, "abandon_rate"),
                                    ("--asa-cap", args.asa_cap, "asa")):
            for name, value in _pairs(items, flag, float).items():
                targets.setdefault(name, {})[metric] = value
        costs = _pairs(args.cost, "--cost", float)
        kwargs: dict[str, Any] = dict(
            targets=targets or None, costs=costs or None, intervals=args.per_interval, by=args.by,
            policy=args.policy, replications=args.reps, seed=args.seed, validation=args.validation,
        )
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      transient=True, console=err, disable=args.quiet) as bar:
            task = bar.add_task("staffing: simulating", total=None)

            def tick(evaluations: int, best: Any) -> None:
                best_txt = "none feasible yet" if best is None else f"best cost {best:g}"
                bar.update(task, description=f"staffing: {evaluations} staffings simulated, {best_txt}")

            res = staffing.optimize(args.scenario, confidence=args.confidence, progress=tick, **kwargs)
            two = staffing.two_step(args.scenario, **kwargs) if args.compare_two_step else None
    except (ValueError, ScenarioError, RuntimeError) as exc:
        return error(str(exc))

    t = Table(title=f"Staffing by simulation: {res.method}")
    t.add_column("agent group")
    t.add_column("agents", justify="right")
    if two is not None:
        t.add_column("two-step", justify="right")
    for g, n in res.staffing.items():
        row = [g, _fmt(n)]
        if two is not None:
            row.append(_fmt(two.staffing[g]))
        t.add_row(*row)
    cost_row = ["cost", f"{res.cost:g}"] + ([f"{two.cost:g}"] if two is not None else [])
    t.add_row(*cost_row)
    out.print(t)
    e = Table(title=f"Simulated on {args.validation} independent replications (95 % CI)")
    for col in ("target", "estimate", "met"):
        e.add_column(col, justify="right" if col != "target" else "left")
    for est in res.estimates:
        scale, unit = (1.0, " s") if est["metric"] == "asa" else (100.0, "%")
        e.add_row(est["constraint"], f"{scale * est['mean']:.1f} ± {scale * est['ci95']:.1f}{unit}",
                  "yes" if est["met"] else "NO")
    out.print(e)
    out.print(f"cost {res.cost:g}, lower bound {res.bound:g}, gap {100 * res.gap:.1f}%; "
              f"{res.evaluations} staffings simulated, {res.cuts} cuts, {res.seconds:.1f} s"
              + ("" if res.feasible else " — NO feasible staffing found within the limits"))
    if two is not None:
        out.print(f"two-step: cost {two.cost:g} ({100 * (two.cost - res.cost) / res.cost:+.1f}% vs the optimiser), "
                  f"{two.evaluations} staffings simulated, {two.seconds:.1f} s")
    if args.plot:
        res.plot(args.plot)
        out.print(f"plot written to {args.plot}")
    if args.save:
        res.scenario.save(args.save)
        out.print(f"staffed scenario written to {args.save}")
    return 0 if res.feasible else 1


def _fmt(n: Any) -> str:
    return " ".join(str(v) for v in n) if isinstance(n, list) else str(n)
