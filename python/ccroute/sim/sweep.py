"""Parameter sweeps: one scenario over a grid of parameter values and
several policies, every replication on the same random numbers, run here,
on a local process pool, or on a Dask or Ray cluster::

    from ccroute import sim
    res = sim.sweep("examples/scenarios/mmc.yaml",
                    grid={"agents.agents": range(9, 13), "arrivals.scale": [0.9, 1.0, 1.1]},
                    policies=["longest_idle", "most_skilled"], replications=10)
    res.frame          # one row per cell x policy x replication (pandas)
    res.summary()      # one row per cell x policy: mean and 95 % CI per metric
    res.to_parquet("sweep.parquet"); res.plot("sl.png", metric="service_level")

The grid's parameters are described in :mod:`ccroute.sim._grid`
(``agents.<group>``, ``arrivals.scale``, ``arrivals.<type>.scale`` and any
dotted path into the scenario's file form, list entries by name). Every
cell is built and checked before anything runs.

Replication ``r`` of every cell and policy runs on the scenario's seed (or
``seed``) with index ``r``: policies and neighbouring cells see the same
contacts (common random numbers), so their differences are measured with
far less noise than their levels, and the results are the same, bit for
bit, whatever the executor and the number of workers.
"""

from __future__ import annotations

import json
import math
import os
import time
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional, Union

from ..errors import InvalidInput
from ._checks import ScenarioError, UnservableWarning
from ._executors import ExecutorArg, Job, open_executor
from ._grid import Cell, cells, grid_values
from ._records import policy_form
from .results import GROUP_METRICS, METRICS, Estimate, Results
from .run import PolicyArg, Progress, ScenarioLike, _resolve, _scenario

__all__ = ["sweep", "SweepResults", "SUMMARY_METRICS"]

#: The metrics :meth:`SweepResults.summary` reports by default: the total
#: figures of every contact, and the occupancy of every agent.
SUMMARY_METRICS: tuple[str, ...] = (*METRICS, "occupancy")

#: Metric columns of each queue and of each agent group in the frame
#: (``queue.<name>.<metric>``, ``group.<name>.<metric>``).
_QUEUE_METRICS = METRICS
_GROUP_METRICS = GROUP_METRICS


def _policies(policies: Union[None, str, Sequence[PolicyArg], Mapping[str, PolicyArg]],
              default: Any) -> list[tuple[str, Any]]:
    """(label, policy in a form that pickles) per policy, labels unique."""
    if policies is None:
        items: list[tuple[Optional[str], Any]] = [(None, default)]
    elif isinstance(policies, str):
        items = [(None, p.strip()) for p in policies.split(",") if p.strip()]
    elif isinstance(policies, Mapping):
        items = [(str(k), v) for k, v in policies.items()]
    else:
        items = [(None, p) for p in policies]
    if not items:
        raise ValueError("policies: give at least one policy (or None for the scenario's)")
    out = []
    for label, p in items:
        resolved = _resolve(p)  # checks it, and names it
        spec = p if resolved.plugin is not None or isinstance(p, str) else policy_form(p)
        out.append((label if label is not None else resolved.label, spec))
    labels = [label for label, _ in out]
    if len(set(labels)) != len(labels):
        raise ValueError(f"policies need different labels, got {labels!r}; to sweep settings of one plug-in "
                         "class give a mapping {label: policy}")
    return out


def _compile(core: str, seen: set[str]) -> None:
    """Compiles the cell's scenario once here, so that a native refusal is
    a :class:`ScenarioError` before anything runs; each warning is shown once."""
    from .. import _ccroute

    try:
        native = _ccroute.Simulation(core)  # type: ignore[attr-defined]
    except InvalidInput as exc:
        raise ScenarioError(str(exc)) from None
    for message in native.unservable:
        if message not in seen:
            seen.add(message)
            warnings.warn(message, UnservableWarning, stacklevel=3)


def sweep(
    scenario: ScenarioLike,
    grid: Optional[Mapping[str, Iterable[Any]]] = None,
    policies: Union[None, str, Sequence[PolicyArg], Mapping[str, PolicyArg]] = None,
    replications: Optional[int] = None,
    seed: Optional[int] = None,
    executor: ExecutorArg = None,
    workers: Optional[int] = None,
    progress: Optional[Progress] = None,
    *,
    strict: bool = False,
) -> "SweepResults":
    """Simulates every cell of ``grid`` (parameter → list of values; the
    cells are the cartesian product) of ``scenario`` (a :class:`Scenario`
    or a file path) under each of ``policies`` (built-in names,
    ``Chain``/``Weighted``, plug-in ``Policy`` objects, a comma-separated
    string of names or a mapping ``{label: policy}``; default: the
    scenario's) for ``replications`` replications (default: the
    scenario's) from ``seed`` (default: the scenario's).

    ``executor=None`` runs on a local process pool of ``workers`` processes
    (default: every core; ``workers=1`` runs here, in this process);
    ``"dask://host:port"`` or a ``distributed.Client`` on a Dask cluster;
    ``"ray"`` on Ray (started locally unless this process already
    initialised it), ``"ray://host:port"`` or ``"ray:<address>"`` on a Ray
    cluster; a ``concurrent.futures.Executor`` on that executor. Dask and
    Ray need ``pip install 'ccroute[cluster]'``, and ccroute installed on
    their workers; a plug-in policy must pickle to leave this process.
    ``progress(done, total)`` is called as replications finish.

    Raises :class:`ScenarioError` naming the parameter and value of a bad
    grid entry before anything runs; a failed replication's exception is
    re-raised as it is. ``strict`` is :func:`run`'s."""
    scn = _scenario(scenario, replications, seed)
    values = grid_values(grid or {})
    labelled = _policies(policies, scn.policy)
    built = cells(scn, values)
    cores = [json.dumps(c.scenario.to_core()) for c in built]
    seen: set[str] = set()
    compiled: set[str] = set()
    for cell, core in zip(built, cores, strict=True):
        if core not in compiled:
            compiled.add(core)
            try:
                _compile(core, seen)
            except ScenarioError as exc:
                if not cell.params:
                    raise
                raise ScenarioError(f"grid cell {', '.join(f'{p}={v!r}' for p, v in cell.params.items())}: "
                                    f"{exc}") from None
    reps = scn.replications
    runner = open_executor(executor, workers)
    try:
        total = len(built) * len(labelled) * reps
        target = max(1, math.ceil(total / (4 * runner.parallelism)))
        chunk = reps if runner.parallelism == 1 else min(reps, target)
        jobs: list[Job] = []
        where: list[tuple[int, int]] = []
        for ci, core in enumerate(cores):
            for pi, (label, spec) in enumerate(labelled):
                for start in range(0, reps, chunk):
                    jobs.append((core, spec, label, strict, tuple(range(start, min(reps, start + chunk)))))
                    where.append((ci, pi))
        done = [0]

        def tick(n: int) -> None:
            done[0] += n
            if progress is not None:
                progress(done[0], total)

        t0 = time.perf_counter()
        results = runner.map(jobs, tick)
        wall = time.perf_counter() - t0
    finally:
        runner.close()
    per: list[list[list[dict[str, Any]]]] = [[[] for _ in labelled] for _ in built]
    for (ci, pi), out in zip(where, results, strict=True):
        per[ci][pi].extend(out)
    return SweepResults(scn.name, values, [label for label, _ in labelled], built, per, wall_time=wall)


# -- results ------------------------------------------------------------------


def _occupancy(rep: Mapping[str, Any], capacities: Sequence[int]) -> Optional[float]:
    """Occupancy of every agent: the groups' occupancies weighted by the
    capacity units they had on shift."""
    num = den = 0.0
    for g, cap in zip(rep["groups"], capacities, strict=True):
        if g["occupancy"] is not None and g["staffed_time"]:
            units = cap * g["staffed_time"]
            num += g["occupancy"] * units
            den += units
    return num / den if den else None


def _row(params: Mapping[str, Any], label: str, rep: Mapping[str, Any], capacities: Sequence[int]) -> dict[str, Any]:
    row: dict[str, Any] = {**params, "policy": label, "replication": rep["replication"]}
    row.update({m: rep["total"][m] for m in METRICS})
    row["occupancy"] = _occupancy(rep, capacities)
    row["contacts"] = rep["contacts"]
    for q in rep["queues"]:
        row.update({f"queue.{q['name']}.{m}": q[m] for m in _QUEUE_METRICS})
    for g in rep["groups"]:
        row.update({f"group.{g['name']}.{m}": g[m] for m in _GROUP_METRICS})
    return row


def _kind(v: Any) -> str:
    """A grid value's kind for a column: number, bool, text or other."""
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return "text" if isinstance(v, str) else type(v).__name__


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("sweep results as DataFrames need pandas: pip install 'ccroute[pandas]'") from exc
    return pd


class SweepResults:
    """The results of :func:`sweep`.

    Attributes:
        scenario: the scenario's name.
        grid: parameter → its values, in grid order.
        policies: the policies' labels.
        cells: each cell's parameter values, in grid order (the last
            parameter varies fastest).
        replications: replications per cell and policy.
        wall_time: seconds the replications took.
    """

    def __init__(self, scenario: str, grid: Mapping[str, Sequence[Any]], policies: Sequence[str],
                 cells: Sequence[Cell], replications: Sequence[Sequence[Sequence[Mapping[str, Any]]]],
                 wall_time: float = 0.0) -> None:
        self.scenario = scenario
        self.grid = {k: list(v) for k, v in grid.items()}
        self.policies = list(policies)
        self._cells = list(cells)
        self.cells = [dict(c.params) for c in self._cells]
        self._reps = replications
        self.replications = len(replications[0][0]) if replications and replications[0] else 0
        self.wall_time = wall_time
        self._rows: Optional[list[dict[str, Any]]] = None
        self._frame: Any = None

    def rows(self) -> list[dict[str, Any]]:
        """One dict per cell × policy × replication: the grid parameters,
        ``policy``, ``replication``, the total metrics (:data:`METRICS`,
        ``occupancy`` of every agent, ``contacts`` simulated), then
        ``queue.<name>.<metric>`` and ``group.<name>.<metric>`` (``None``
        where a replication had nothing to measure)."""
        if self._rows is None:
            rows: list[dict[str, Any]] = []
            for cell, per_policy in zip(self._cells, self._reps, strict=True):
                caps = [g.capacity for g in cell.scenario.agent_groups]
                for label, reps in zip(self.policies, per_policy, strict=True):
                    rows.extend(_row(cell.params, label, r, caps) for r in reps)
            self._rows = rows
        return self._rows

    @property
    def frame(self) -> Any:
        """:meth:`rows` as a tidy pandas DataFrame (missing figures are
        NaN; a grid column that mixes numbers and text, such as ``[20,
        "1m"]``, is text, so that it writes to Parquet). Needs pandas."""
        if self._frame is None:
            frame = _pandas().DataFrame(self.rows())
            for param, values in self.grid.items():
                if len({_kind(v) for v in values}) > 1:
                    frame[param] = frame[param].map(str)
            self._frame = frame
        return self._frame

    def results(self, policy: Optional[str] = None, **params: Any) -> Results:
        """The :class:`Results` of one cell under one policy (default: the
        first), with every figure :func:`run` reports (series, per type and
        channel); ``params`` names the cell, e.g. ``results("most_skilled",
        **{"agents.sales": 10})``."""
        label = self.policies[0] if policy is None else policy
        if label not in self.policies:
            raise KeyError(f"unknown policy {label!r}; the sweep ran {self.policies}")
        matches = [i for i, c in enumerate(self.cells) if all(c.get(k) == v for k, v in params.items())]
        if set(params) - set(self.grid) or len(matches) != 1:
            raise KeyError(f"{params!r} names {len(matches)} cells; give a value for each of {list(self.grid)}")
        cell = self._cells[matches[0]]
        return Results(label, cell.scenario.name, self._reps[matches[0]][self.policies.index(label)])

    def estimates(self, metrics: Optional[Sequence[str]] = None) -> list[dict[str, Any]]:
        """One dict per cell × policy: the grid parameters, ``policy``,
        ``n`` (replications) and an :class:`Estimate` per metric (default:
        :data:`SUMMARY_METRICS`; any metric column of :meth:`rows`), the
        same figures :func:`run` reports for that cell."""
        names = list(SUMMARY_METRICS if metrics is None else metrics)
        rows = self.rows()
        if rows and (missing := [m for m in names if m not in rows[0]]):
            known = [k for k in rows[0] if k not in self.grid and k not in ("policy", "replication")]
            raise ValueError(f"unknown metric(s) {missing}; the metrics are {known}")
        out = []
        n = self.replications
        for k in range(0, len(rows), n or 1):
            block = rows[k:k + n]
            head = {p: block[0][p] for p in self.grid}
            est = {m: Estimate.of([r[m] for r in block]) for m in names}
            out.append({**head, "policy": block[0]["policy"], "n": len(block), **est})
        return out

    def summary(self, metrics: Optional[Sequence[str]] = None) -> Any:
        """One row per cell × policy: the grid parameters, ``policy``,
        ``n``, and per metric (default: :data:`SUMMARY_METRICS`)
        ``<metric>.mean``, ``.half_width``, ``.low`` and ``.high`` (the
        95 % confidence interval across replications, as :func:`run`
        reports it). A pandas DataFrame; needs pandas."""
        names = list(SUMMARY_METRICS if metrics is None else metrics)
        flat = []
        for e in self.estimates(names):
            row = {k: v for k, v in e.items() if not isinstance(v, Estimate)}
            for m in names:
                est: Estimate = e[m]
                row.update({f"{m}.mean": est.mean, f"{m}.half_width": est.half_width,
                            f"{m}.low": est.low, f"{m}.high": est.high})
            flat.append(row)
        return _pandas().DataFrame(flat)

    def to_csv(self, path: Union[str, "os.PathLike[str]", None] = None) -> str:
        """CSV text of :attr:`frame`; also written to ``path`` if given."""
        text: str = self.frame.to_csv(index=False, lineterminator="\n")
        if path is not None:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        return text

    def to_parquet(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes :attr:`frame` to a Parquet file (needs pyarrow:
        ``pip install 'ccroute[cluster]'``)."""
        try:
            import pyarrow  # noqa: F401
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("Parquet output needs pyarrow: pip install 'ccroute[cluster]' (or pyarrow)") from exc
        self.frame.to_parquet(os.fspath(path), engine="pyarrow", index=False)

    def plot(self, path: Union[str, "os.PathLike[str]"], metric: str = "service_level", x: Optional[str] = None,
             y: Optional[str] = None, where: Optional[Mapping[str, Any]] = None, title: str = "") -> None:
        """Writes a figure of ``metric``'s mean per cell (PNG, SVG or PDF by
        the extension): a heat map over two grid parameters (``x`` and
        ``y``, default the first two), one panel per policy; a line per
        policy with its 95 % interval over one (``x``). Further parameters
        are held at the values ``where`` gives. Needs matplotlib."""
        from ._sweep_plot import plot_sweep

        plot_sweep(self, path, metric, x, y, where, title)

    def __repr__(self) -> str:
        return (f"SweepResults(cells={len(self.cells)}, policies={self.policies!r}, "
                f"replications={self.replications}, grid={list(self.grid)!r})")
