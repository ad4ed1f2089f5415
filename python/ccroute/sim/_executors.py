"""Where a sweep's replications run: in this process, in a local process
pool, on a Dask cluster or on a Ray cluster.

A job is one (cell, policy) pair and some of its replication indices: the
cell's compiled-scenario JSON (a plain string, cheap to ship), the policy
in a form that pickles (a built-in name, the plain form of a ``Chain`` or
``Weighted``, or the plug-in object), its label, ``strict`` and the
indices. A worker compiles each scenario once (:func:`_simulation` keeps
the last few per process) and returns the replications' dicts. A
replication depends only on the scenario, its index and the policy, so the
results are the same, bit for bit, wherever and in whatever order the jobs
run.

The local pool forks its processes when the calling process runs no other
thread, as :func:`ccroute.sim.run` does for plug-ins: a script without a
``__main__`` guard, or a plug-in policy defined in the script or a
notebook, then works as it is. When other threads run (a progress bar, a
Dask or Ray client), a forked child could inherit a lock one of them holds,
so the pool starts from a fork server instead (``spawn`` where there is
none); the script must then guard its entry point, and a plug-in policy
must be importable by the workers.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from typing import Any, Optional, Union

from .. import _ccroute
from .run import _resolve

__all__ = ["Job", "run_job", "open_executor", "Runner", "ExecutorArg"]

#: (core JSON, policy, label, strict, replication indices).
Job = tuple[str, Any, str, bool, tuple[int, ...]]

#: What ``sweep(executor=...)`` accepts: ``None`` (the local pool), an
#: address string (``"dask://host:port"``, ``"ray"``, ``"ray://host:port"``,
#: ``"ray:<address>"``), a ``distributed.Client`` or a
#: ``concurrent.futures.Executor``.
ExecutorArg = Union[None, str, Any]

_CACHE: "OrderedDict[str, Any]" = OrderedDict()
_CACHE_SIZE = 8
_CACHE_LOCK = threading.Lock()  # a Dask worker may run jobs on several threads


def _simulation(core: str) -> Any:
    """The compiled scenario of ``core``, compiled once per process (the
    last few are kept: jobs of one cell tend to come together)."""
    with _CACHE_LOCK:
        native = _CACHE.get(core)
        if native is not None:
            _CACHE.move_to_end(core)
            return native
    native = _ccroute.Simulation(core)  # type: ignore[attr-defined]
    with _CACHE_LOCK:
        _CACHE[core] = native
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return native


def run_job(job: Job) -> list[dict[str, Any]]:
    """Runs one job's replications; returns their dicts in index order. A
    plug-in policy is reset before each replication, as in
    :func:`ccroute.sim.run`."""
    core, spec, label, strict, reps = job
    native = _simulation(core)
    resolved = _resolve(spec)
    resolved.label = label
    kwargs = resolved.kwargs(strict)
    out = []
    for rep in reps:
        if resolved.plugin is not None:
            resolved.plugin.reset()
        out.append(native.run(rep, **kwargs))
    return out


#: ``tick(n)``: ``n`` more replications are done.
Tick = Callable[[int], None]


class Runner:
    """Runs jobs somewhere; :attr:`parallelism` is how many at once."""

    parallelism: int = 1

    def map(self, jobs: Sequence[Job], tick: Tick) -> list[list[dict[str, Any]]]:
        """Each job's result, in job order."""
        out = []
        for job in jobs:
            out.append(run_job(job))
            tick(len(job[4]))
        return out

    def close(self) -> None:
        """Releases what the runner started (not what it was given)."""


class _Futures(Runner):
    """A ``concurrent.futures`` executor: the local process pool, or one
    the caller gives (a thread pool does well for built-in policies: the
    native loop runs without the GIL)."""

    def __init__(self, pool: Executor, parallelism: int, owned: bool) -> None:
        self.pool = pool
        self.parallelism = parallelism
        self.owned = owned

    def map(self, jobs: Sequence[Job], tick: Tick) -> list[list[dict[str, Any]]]:
        futures: dict[Future[list[dict[str, Any]]], int] = {self.pool.submit(run_job, j): i for i, j in enumerate(jobs)}
        out: list[Any] = [None] * len(jobs)
        try:
            for fut in as_completed(futures):
                i = futures[fut]
                out[i] = fut.result()
                tick(len(jobs[i][4]))
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
        return out

    def close(self) -> None:
        if self.owned:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _local_pool(workers: int) -> Runner:
    methods = multiprocessing.get_all_start_methods()
    ctx: Any
    if "fork" in methods and threading.active_count() == 1:
        ctx = multiprocessing.get_context("fork")
    elif "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
    else:  # pragma: no cover - Windows
        ctx = multiprocessing.get_context("spawn")
    return _Futures(ProcessPoolExecutor(max_workers=workers, mp_context=ctx), workers, owned=True)


class _Dask(Runner):
    """A ``distributed.Client``: jobs go out with ``client.map`` and come
    back as they finish."""

    def __init__(self, client: Any, owned: bool) -> None:
        self.client = client
        self.owned = owned
        self.parallelism = max(1, sum(client.nthreads().values()))

    def map(self, jobs: Sequence[Job], tick: Tick) -> list[list[dict[str, Any]]]:
        from distributed import as_completed as dask_completed

        futures = self.client.map(run_job, list(jobs), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(jobs)
        try:
            for fut in dask_completed(futures, loop=self.client.loop):
                i = index[fut.key]
                out[i] = fut.result()
                tick(len(jobs[i][4]))
        except BaseException:
            self.client.cancel(futures)
            raise
        return out

    def close(self) -> None:
        if self.owned:
            self.client.close()


class _Ray(Runner):
    """Ray tasks of one CPU each; a Ray this process had not initialised
    is started (local) or connected to, and left running for the next
    sweep (Ray shuts it down when the process exits)."""

    def __init__(self, address: Optional[str]) -> None:
        import ray

        if not ray.is_initialized():
            if address is None:
                ray.init()
            else:
                ray.init(address=address)
        self.ray = ray
        self.remote = ray.remote(num_cpus=1)(run_job)
        self.parallelism = max(1, int(ray.cluster_resources().get("CPU", 1)))

    def map(self, jobs: Sequence[Job], tick: Tick) -> list[list[dict[str, Any]]]:
        ray = self.ray
        refs = [self.remote.remote(job) for job in jobs]
        index = {ref: i for i, ref in enumerate(refs)}
        pending = list(refs)
        out: list[Any] = [None] * len(jobs)
        try:
            while pending:
                done, pending = ray.wait(pending, num_returns=1)
                for ref in done:
                    i = index[ref]
                    out[i] = _ray_get(ray, ref)
                    tick(len(jobs[i][4]))
        except BaseException:
            for ref in pending:
                ray.cancel(ref)
            raise
        return out


def _ray_get(ray: Any, ref: Any) -> Any:
    """``ray.get``, re-raising a failed job's own exception (Ray wraps it)."""
    try:
        return ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = getattr(exc, "cause", None)
        if isinstance(cause, BaseException):
            raise cause from None
        raise


def _missing(what: str, exc: ImportError) -> ImportError:
    return ImportError(f"executor {what} needs {exc.name or 'a package that is missing'}, which cannot be imported: "
                       "pip install 'ccroute[cluster]'")


def open_executor(executor: ExecutorArg, workers: Optional[int]) -> Runner:
    """The runner for ``sweep(executor=..., workers=...)``."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    if executor is None:
        n = workers if workers is not None else (os.cpu_count() or 1)
        return Runner() if n == 1 else _local_pool(n)
    if workers is not None:
        raise ValueError("workers sizes the local process pool; a cluster or an executor you give sizes itself")
    if isinstance(executor, Executor):
        size = getattr(executor, "_max_workers", None)
        return _Futures(executor, size if isinstance(size, int) and size > 0 else (os.cpu_count() or 1), owned=False)
    if isinstance(executor, str):
        if executor.startswith(("dask://", "tcp://", "tls://")):
            try:
                from distributed import Client
            except ImportError as exc:
                raise _missing(repr(executor), exc) from exc
            scheduler = "tcp://" + executor[len("dask://"):] if executor.startswith("dask://") else executor
            return _Dask(Client(scheduler, set_as_default=False), owned=True)
        if executor == "ray" or executor.startswith("ray:"):
            address = None if executor == "ray" else (executor if executor.startswith("ray://") else executor[4:])
            try:
                return _Ray(address or None)
            except ImportError as exc:
                raise _missing(repr(executor), exc) from exc
        raise ValueError(f"unknown executor {executor!r}: give 'dask://host:port', 'ray', 'ray://host:port' "
                         "or 'ray:<address>'")
    if type(executor).__module__.split(".")[0] == "distributed":
        return _Dask(executor, owned=False)
    raise TypeError(f"executor must be None, an address string, a distributed.Client or a "
                    f"concurrent.futures.Executor, got {executor!r}")
