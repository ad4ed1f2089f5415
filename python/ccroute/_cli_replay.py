"""The ``replay`` and ``calibrate`` sub-commands of ``ccroute``.

``replay`` replays a contact log (plain CSV, or the Anonymous Bank log)
under a policy and prints the recorded figures against the simulated ones
per queue and per interval; ``calibrate`` fits a scenario to a log and
writes it as YAML or JSON for ``ccroute simulate``.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable
from typing import Any, Optional

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Adds ``replay`` and ``calibrate`` to the ``ccroute`` parser."""
    p = subparsers.add_parser(
        "replay",
        help="replay a contact log under a policy and compare with what was recorded",
        description="Replay the contacts of a log (arrivals, handle times, patience as recorded; what the log "
        "leaves censored estimated) with the real router under a policy, and print the recorded figures "
        "against the simulated ones (mean ± 95 % CI over the replications) per queue and per interval.",
        epilog="The log is a CSV file with the columns arrival, type, queue, channel, answered, ended, abandoned, "
        "agent (times as ISO 8601 date-times or seconds), or the Technion Anonymous Bank log.",
    )
    p.add_argument("log", help="contact log (.csv)")
    p.add_argument("--policy", default="most_skilled", help="built-in policy to replay (default: most_skilled)")
    p.add_argument("--compare-to", default="recorded", dest="compare_to",
                   help="'recorded' (default) or another built-in policy run on the same replications")
    p.add_argument("--replications", "--reps", type=int, default=10, dest="reps", metavar="N",
                   help="replications, each drawing the censored values anew (default 10)")
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument("--day", help="replay one day of the log (YYYY-MM-DD, or a day number for a log of seconds)")
    p.add_argument("--patience", choices=("km", "unlimited"), default="km",
                   help="answered contacts' patience: Kaplan-Meier beyond their wait (default) or unlimited")
    p.add_argument("--wrap-up", default="infer", dest="wrap_up",
                   help="seconds of wrap-up after each contact, or 'infer' from the log (default)")
    _common(p)
    p.add_argument("--out", help="write the table (per queue and per interval) to this CSV file")
    p.add_argument("--plot", help="write recorded vs simulated per interval to this image (PNG/SVG/PDF)")
    p.add_argument("--queue", default="all", help="queue to plot and to list per interval (default: all)")
    p.add_argument("--jobs", type=int, help="replications at once (default: every core)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_replay)

    p = subparsers.add_parser(
        "calibrate",
        help="fit a scenario (rates, handle times, patience, agents) to a contact log",
        description="Fit a scenario to a contact log: arrival rates per interval and type, the best of "
        "exponential, log-normal and gamma handle times, exponential patience under censoring, agent groups "
        "per skill set staffed as recorded; write it for ccroute simulate.",
    )
    p.add_argument("log", help="contact log (.csv)")
    p.add_argument("--out", required=True, help="scenario file to write (.yaml, .yml or .json)")
    _common(p)
    p.set_defaults(handler=_calibrate)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--interval", default="30m", help="interval length: seconds or 15m, 1h ... (default 30m)")
    p.add_argument("--threshold", type=float, help="service-level threshold in seconds (default: 20)")
    p.add_argument("--gap", type=float, default=300.0,
                   help="idle seconds after which an agent is taken as away, when presence is inferred (default 300)")
    p.add_argument("--column", action="append", default=[], metavar="FIELD=NAME",
                   help="the CSV column holding FIELD when its name differs, e.g. arrival=start_time (repeat)")
    p.add_argument("--time-format", dest="time_format",
                   help="'seconds', 'iso' or a strptime format (default: either, as read)")


def _columns(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        field, sep, name = item.partition("=")
        if not sep or not field.strip() or not name.strip():
            raise ValueError(f"--column must look like FIELD=NAME (e.g. arrival=start_time), got {item!r}")
        out[field.strip()] = name.strip()
    return out


def _read(args: argparse.Namespace) -> Any:
    from .sim.logs import read_log

    log = read_log(args.log, columns=_columns(args.column), time_format=args.time_format)
    day = getattr(args, "day", None)
    if day is not None:
        log = log.day(int(day) if day.isdigit() else day)
    return log


def _wrap_up(text: str) -> Any:
    if text == "infer":
        return "infer"
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"--wrap-up must be seconds or 'infer', got {text!r}") from None


def _fmt(metric: str) -> Callable[[Optional[float]], str]:
    def pct(v: Optional[float]) -> str:
        return "—" if v is None or v != v else f"{100 * v:.1f}%"

    def sec(v: Optional[float]) -> str:
        return "—" if v is None or v != v else f"{v:.1f}s"

    def num(v: Optional[float]) -> str:
        if v is None or v != v:
            return "—"
        return f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}"

    if metric in ("abandon_rate", "service_level"):
        return pct
    return sec if metric in ("asa", "mean_wait", "wait_p90") else num


def _ci(mean: Any, low: Any, high: Any, fmt: Callable[[Optional[float]], str]) -> str:
    if low != low or high != high:  # NaN: one replication
        return fmt(mean)
    return f"{fmt(mean)} [{fmt(low)}, {fmt(high)}]"


def _difference(d: float, metric: str) -> str:
    if d != d:
        return "—"
    if metric in ("abandon_rate", "service_level"):
        return f"{100 * d:+.1f} pts"
    return f"{d:+.1f}s" if metric in ("asa", "mean_wait", "wait_p90") else f"{d:+,.1f}"


_LABELS = {"offered": "offered", "answered": "answered", "abandoned": "abandoned", "unfinished": "unfinished",
           "abandon_rate": "abandoned %", "service_level": "service level", "asa": "ASA", "mean_wait": "mean wait",
           "wait_p90": "p90 wait"}


def _tables(cmp: Any, queue: str) -> list[Any]:
    from rich.table import Table

    from ._cli_sim import SL_DEFINITION

    base = cmp.baseline is not None
    reps = len(cmp.simulated.replications)
    t = Table(title=f"{cmp.log.name or 'log'} — recorded vs {cmp.policy}"
                    f"{f' vs {cmp.compare_to}' if base else ''}, {reps} replications (simulated: mean [95 % CI])",
              caption=SL_DEFINITION)
    for col in ("queue", "", "recorded", cmp.policy, *([cmp.compare_to] if base else []),
                f"{cmp.policy} − {cmp.compare_to}"):
        t.add_column(col, justify="left" if col in ("queue", "") else "right")
    rows = cmp.queues
    if rows["queue"].nunique() == 2:  # one queue: its rows are the total's
        rows = rows[rows["queue"] != "all"]
    for _, row in rows.iterrows():
        fmt = _fmt(row["metric"])
        cells = [fmt(row["recorded"]), _ci(row["simulated"], row["low"], row["high"], fmt)]
        if base:
            cells.append(_ci(row["baseline"], row["baseline_low"], row["baseline_high"], fmt))
        diff = _difference(row["difference"], row["metric"])
        if base and row["difference_low"] == row["difference_low"]:
            lo, hi = (_difference(row[f"difference_{e}"], row["metric"]) for e in ("low", "high"))
            diff = f"{diff} [{lo}, {hi}]"
        t.add_row(row["queue"], _LABELS[row["metric"]], *cells, diff, style="bold" if row["queue"] == "all" else "")
    iv = cmp.intervals
    iv = iv[iv["queue"] == queue]
    u = Table(title=f"per interval of arrival, queue {queue} (recorded / {cmp.policy})")
    metrics = ("offered", "abandon_rate", "service_level", "asa")
    u.add_column("interval")
    for m in metrics:
        u.add_column(_LABELS[m], justify="right")
    for _, rows in iv.groupby("interval", sort=True):
        by = rows.set_index("metric")
        u.add_row(rows["clock"].iloc[0], *[f"{_fmt(m)(by.loc[m, 'recorded'])} / {_fmt(m)(by.loc[m, 'simulated'])}"
                                           for m in metrics])
    return [t, u]


def _replay(args: argparse.Namespace) -> int:
    from ._cli_sim import _console, _error, _progress, _warnings_shown
    from .sim.replay import replay

    try:
        log = _read(args)
        with _warnings_shown(), _progress(f"replaying {log.name or args.log}", args.quiet) as tick:
            cmp = replay(log, policy=args.policy, compare_to=args.compare_to, replications=args.reps,
                         seed=args.seed, interval=args.interval, threshold=args.threshold, patience=args.patience,
                         gap=args.gap, wrap_up=_wrap_up(args.wrap_up), threads=args.jobs, progress=tick)
        console = _console()
        for table in _tables(cmp, args.queue):
            console.print(table)
        console.print(f"{len(log):,} contacts replayed {len(cmp.simulated.replications)} times in "
                      f"{cmp.simulated.wall_time:.2f} s")
        if args.out:
            cmp.to_csv(args.out)
            console.print(f"table written to {args.out}")
        if args.plot:
            cmp.plot(args.plot, queue=args.queue)
            console.print(f"plot written to {args.plot}")
    except (ValueError, TypeError, KeyError, OSError, ImportError) as exc:
        return _error(str(exc))
    return 0


def _calibrate(args: argparse.Namespace) -> int:
    from rich.table import Table

    from ._cli_sim import _console, _error
    from .sim.calibrate import calibrate

    try:
        log = _read(args)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scn = calibrate(log, interval=args.interval, threshold=args.threshold, gap=args.gap)
        scn.save(args.out)
    except (ValueError, TypeError, KeyError, OSError) as exc:
        return _error(str(exc))
    t = Table(title=f"{scn.name} — {int(scn.interval // 60)}-minute intervals")
    for col in ("type", "queue", "contacts/day", "peak /h", "handle time", "patience"):
        t.add_column(col, justify="left" if col in ("type", "queue", "handle time") else "right")
    for ct in scn.contact_types:
        rates = list(getattr(ct.arrivals, "per_hour", ()))
        h = ct.handle_time
        kind = type(h).__name__
        params = ", ".join(f"{k} {v:.1f}s" for k, v in vars(h).items()) if kind != "Empirical" else ""
        t.add_row(ct.name, ct.queue, f"{sum(rates) * scn.interval / 3600:,.1f}", f"{max(rates, default=0):,.1f}",
                  f"{kind} ({params})", "none" if ct.patience is None else f"mean {ct.patience.mean:.0f}s")  # type: ignore[union-attr]
    g = Table(title="agent groups (skills: level 1-10 from the share of contacts served)")
    for col in ("group", "agents", "skills", "on duty"):
        g.add_column(col, justify="right" if col == "agents" else "left")
    for grp in scn.agent_groups:
        hours = sum(e - s for s, e in grp.shifts) / 3600
        g.add_row(grp.name, str(grp.count), ", ".join(f"{k} {v}" for k, v in grp.skills.items()),
                  f"{hours:.1f} h" if grp.shifts else "always")
    console = _console()
    console.print(t)
    console.print(g)
    ch = ", ".join(f"{c['name']}: {c['max_per_agent']} at once, wrap-up {c['wrap_up']:.1f}s"
                   for c in scn.to_core()["channels"])
    console.print(f"channels: {ch}")
    console.print(f"scenario written to {args.out}")
    return 0
