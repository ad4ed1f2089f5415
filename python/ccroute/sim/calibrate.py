"""Calibration: a scenario fitted to a contact log, to simulate what the
log did not show (more calls, another staffing, another policy) with
the center's own rates, durations, patience and agents.

:func:`calibrate` gives a normal :class:`Scenario` (it runs with
``sim.run`` and ``ccroute simulate`` and saves to YAML):

* **arrivals**: per contact type (and priority, when a type has several:
  its durations and patience are then fitted on that priority's contacts
  when they are enough, :data:`MIN_SAMPLES` and :data:`MIN_ABANDONS`,
  else on the type's), a piecewise Poisson process whose rate in each interval of the day is
  the log's count in that interval averaged over the days it covers;
* **handle time**: per type, the distribution among exponential,
  log-normal and gamma with the lowest AIC (Akaike's criterion, 2k − 2 log
  L) under maximum likelihood on the recorded handle times (positive
  ones). Maximum likelihood rather than matching mean and sd because it
  weighs the whole shape, which drives the waits (the Erlang-C view that
  only the mean matters holds for exponential times alone), and AIC
  because exponential has one parameter to the others' two. Call-center
  service times are usually log-normal (Brown et al., JASA 2005, on the
  same bank log this package ships an example of); the fit says so when
  they are and picks another when it fits better;
* **patience**: per type, exponential with the censored maximum-likelihood
  rate: abandonments / total time waited (abandoned contacts count their
  wait as an event, answered ones are censored at their wait and
  unfinished ones at the log's end); no abandonment means no patience
  limit;
* **agents**: one group per skill set (the distinct sets of types agents
  served, skills at ten times each type's share of the set's contacts),
  staffed per interval with the mean number of its agents on duty then
  (recorded, or inferred from service activity as the replay does),
  rounded by largest remainders so that each interval keeps its rounded
  total; agent ``j`` of a set works the intervals with at least ``j``;
* **channels and queues** as the replay reads them (concurrency, wrap-up
  inferred from the time agents let waiting customers wait after a
  service, service-level thresholds).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Callable, Optional, TypeVar, Union

from . import _center
from ._center import Staffing, WrapUp
from .logs import ContactLog, LogError
from .processes import Constant, Distribution, Exponential, Gamma, LogNormal, PiecewisePoisson
from .scenario import ContactType, Scenario

__all__ = ["calibrate", "fit_duration", "fit_patience", "Fit"]

T = TypeVar("T")

_DAY = 86400.0
#: A type split by priority is fitted on its own with at least this many
#: handle times (abandonments), else on the type's contacts of every priority.
MIN_SAMPLES = 30
MIN_ABANDONS = 10


class Fit:
    """A fitted duration distribution: ``distribution``, the candidates'
    ``aic`` (lower is better; ``None`` where a candidate cannot be fitted)
    and the sample's ``n``, ``mean`` and ``sd``."""

    def __init__(self, distribution: Distribution, aic: dict[str, Optional[float]], n: int, mean: float,
                 sd: float) -> None:
        self.distribution = distribution
        self.aic = aic
        self.n = n
        self.mean = mean
        self.sd = sd

    @property
    def kind(self) -> str:
        """``"exponential"``, ``"lognormal"``, ``"gamma"`` or ``"constant"``."""
        return {Exponential: "exponential", LogNormal: "lognormal", Gamma: "gamma"}.get(
            type(self.distribution), "constant")

    def __repr__(self) -> str:
        return f"Fit({self.distribution!r}, n={self.n}, aic={self.aic})"


def _digamma(x: float) -> float:
    out = 0.0
    while x < 6:
        out -= 1 / x
        x += 1
    f = 1 / (x * x)
    return out + math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))))


def _trigamma(x: float) -> float:
    out = 0.0
    while x < 6:
        out += 1 / (x * x)
        x += 1
    f = 1 / (x * x)
    return out + 1 / x + f / 2 + f / x * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)))


def _gamma_shape(s: float) -> float:
    """The gamma MLE shape ``k`` solving ``ln k − ψ(k) = s`` (Minka's start, Newton)."""
    k = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    for _ in range(50):
        step = (math.log(k) - _digamma(k) - s) / (1 / k - _trigamma(k))
        k_new = k - step
        if k_new <= 0:
            k_new = k / 2
        if abs(k_new - k) < 1e-10 * k:
            return k_new
        k = k_new
    return k


def fit_duration(samples: Sequence[float]) -> Fit:
    """The maximum-likelihood fit of exponential, log-normal and gamma to
    the positive ``samples`` (seconds), keeping the lowest AIC; one value,
    or values all equal, give a constant. Raises ``ValueError`` with no
    positive value."""
    xs = [float(x) for x in samples if x > 0 and math.isfinite(x)]
    n = len(xs)
    if not n:
        raise ValueError("no positive duration to fit")
    mean = math.fsum(xs) / n
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1)) if n > 1 else 0.0
    logs = [math.log(x) for x in xs]
    mlog = math.fsum(logs) / n
    if n < 2 or sd <= 1e-9 * mean:
        return Fit(Constant(mean), {"exponential": None, "lognormal": None, "gamma": None}, n, mean, sd)
    aic: dict[str, Optional[float]] = {}
    fits: dict[str, Distribution] = {}
    ll = -n * math.log(mean) - n
    aic["exponential"], fits["exponential"] = 2 - 2 * ll, Exponential(mean)
    var_log = math.fsum((v - mlog) ** 2 for v in logs) / n
    if var_log > 0:
        sigma = math.sqrt(var_log)
        ll = -math.fsum(logs) - n * math.log(sigma) - n / 2 * math.log(2 * math.pi) - n / 2
        m = math.exp(mlog + var_log / 2)
        aic["lognormal"] = 4 - 2 * ll
        fits["lognormal"] = LogNormal(mean=m, sd=m * math.sqrt(math.expm1(var_log)))
    else:
        aic["lognormal"] = None
    s = math.log(mean) - mlog
    if s > 0:
        k = _gamma_shape(s)
        theta = mean / k
        ll = (k - 1) * math.fsum(logs) - n * k * math.log(theta) - n * math.lgamma(k) - n * k
        aic["gamma"], fits["gamma"] = 4 - 2 * ll, Gamma(mean=mean, sd=math.sqrt(k) * theta)
    else:
        aic["gamma"] = None
    best = min((k for k in fits if aic[k] is not None), key=lambda k: aic[k])  # type: ignore[arg-type,return-value]
    return Fit(fits[best], aic, n, mean, sd)


def fit_patience(waits: Sequence[float], abandoned: Sequence[bool]) -> Optional[Exponential]:
    """Exponential patience by censored maximum likelihood: rate =
    abandonments / total time waited (``abandoned[i]``: wait ``i`` ended
    in an abandonment, else it is censored there); ``None`` (no limit)
    with no abandonment."""
    events = sum(1 for a in abandoned if a)
    exposure = math.fsum(waits)
    if not events:
        return None
    if exposure <= 0:
        raise ValueError("abandonments with no time waited: patience cannot be fitted")
    return Exponential(mean=exposure / events)


def _folded(log: ContactLog, interval: float) -> tuple[int, int]:
    """(days covered, intervals of a day up to the last arrival)."""
    days = len({int(c.arrival // _DAY) for c in log.contacts})
    last = max(c.arrival % _DAY for c in log.contacts)
    n = min(math.ceil((last + 1) / interval), math.ceil(_DAY / interval))
    return days, max(n, 1)


def _mean_staffing(log: ContactLog, gap: float, interval: float, days: int, n: int) -> dict[str, list[int]]:
    """Per skill set, the mean number of its agents on duty in each
    interval of the day, rounded so that each interval's total is the
    rounded total (largest remainders)."""
    served = log.source.served_by()
    on = _center.presence(log, gap)
    seconds: dict[str, list[float]] = defaultdict(lambda: [0.0] * n)
    for agent, spans in on.items():
        if agent not in served:
            continue
        key = "+".join(sorted(served[agent]))
        row = seconds[key]
        for start, end in spans:
            t = start
            while t < end:
                day = math.floor(t / _DAY)
                tod = t - day * _DAY
                k = int(tod // interval)
                stop = min(end, day * _DAY + (k + 1) * interval)
                if k < n:
                    row[k] += stop - t
                t = stop
    means = {key: [s / (days * interval) for s in row] for key, row in seconds.items()}
    out = {key: [math.floor(v) for v in row] for key, row in means.items()}
    for k in range(n):  # largest remainders: the total on duty rounds as a whole
        short = round(sum(row[k] for row in means.values())) - sum(row[k] for row in out.values())
        for key in sorted(means, key=lambda g: means[g][k] - out[g][k], reverse=True)[:max(short, 0)]:
            out[key][k] += 1
    return out


def calibrate(
    log: ContactLog,
    interval: Union[float, str] = 1800.0,
    *,
    threshold: Union[float, Mapping[str, float], None] = None,
    gap: float = 300.0,
    wrap_up: WrapUp = "infer",
    staffing: Optional[Staffing] = None,
    replications: int = 10,
    seed: int = 0,
    name: Optional[str] = None,
) -> Scenario:
    """A scenario fitted to ``log`` (see the module docstring), with
    intervals of ``interval`` seconds (or ``"30m"``) for the arrival rates
    and the staffing, a day long (up to the last interval with an arrival)
    when the log covers days; ``staffing`` per skill set overrides the
    recorded presence (as in :func:`ccroute.sim.replay.replay_scenario`);
    ``threshold``, ``gap`` and ``wrap_up`` as there."""
    from .replay import _interval

    if not isinstance(log, ContactLog):
        raise TypeError(f"log must be a ContactLog (see read_log), got {log!r}")
    if not log.contacts:
        raise LogError(f"{log.name or 'the log'}: no contacts to calibrate on")
    step = _interval(interval)
    days, n = _folded(log, step)
    priorities: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for c in log.contacts:
        priorities[(c.type, c.queue, c.channel)].add(c.priority)

    def key_of(t: str, q: str, ch: str, prio: int) -> tuple[str, ...]:
        """A type with several priorities is one scenario type per priority."""
        return (t, q, ch, str(prio)) if len(priorities[(t, q, ch)]) > 1 else (t, q, ch)

    keys = list(dict.fromkeys(key_of(c.type, c.queue, c.channel, c.priority) for c in log.contacts))
    names = _center.type_names(keys)
    counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0] * n)
    handle: dict[tuple[str, ...], list[float]] = defaultdict(list)
    waits: dict[tuple[str, ...], list[tuple[float, bool]]] = defaultdict(list)
    for c in log.contacts:
        key = key_of(c.type, c.queue, c.channel, c.priority)
        k = int((c.arrival % _DAY) // step)
        if k < n:
            counts[key][k] += 1
        h = c.handle_time
        if h is not None and h > 0:
            handle[key].append(h)
        w = c.wait
        waits[key].append((log.end - c.arrival, False) if w is None else (w, c.outcome == "abandoned"))
    all_handle = [h for hs in handle.values() for h in hs]
    if not all_handle:
        raise LogError(f"{log.name or 'the log'}: no handle time is recorded (answered contacts with an end time)")
    types = []
    for key in keys:
        t, q, ch = key[:3]
        samples = _enough(handle.get(key, []), [h for k2, hs in handle.items() if k2[:3] == key[:3] for h in hs],
                          MIN_SAMPLES, lambda xs: len(xs)) or all_handle
        seen = _enough(waits[key], [x for k2, ws in waits.items() if k2[:3] == key[:3] for x in ws], MIN_ABANDONS,
                       lambda ws: sum(a for _, a in ws))
        types.append(ContactType(
            name=names[key], channel=ch, queue=q, requires={t: 1},
            priority=int(key[3]) if len(key) > 3 else next(iter(priorities[key])),
            arrivals=PiecewisePoisson(step, [round(x / days / (step / 3600.0), 4) for x in counts[key]]),
            handle_time=_rounded(fit_duration(samples).distribution),
            patience=fit_patience([x for x, _ in seen], [a for _, a in seen]),
        ))
    if staffing is None:
        if not log.agents:
            raise _center.no_agents(log)
        staffing = _mean_staffing(log, gap, step, days, n)
    groups = _center.staffing_groups(log, staffing, step)
    if not groups:
        raise _center.no_agents(log)
    thr = _center.thresholds(log, threshold)
    return Scenario(
        name=name or f"calibrated from {log.name or 'a contact log'}",
        channels=_center.channels(log, wrap_up, gap), queues=_center.queues(log, thr), agent_groups=groups,
        contact_types=types, duration=n * step, interval=step, replications=replications, seed=seed,
    )


def _enough(own: list[T], pooled: list[T], minimum: int, size: Callable[[list[T]], int]) -> list[T]:
    """``own`` if it holds ``minimum`` (by ``size``), else ``pooled`` if that does, else ``own``."""
    if size(own) >= minimum or size(pooled) < minimum:
        return own
    return pooled


def _rounded(d: Distribution) -> Distribution:
    """Parameters to 0.1 ms, for a readable scenario file."""
    def r(x: float) -> float:
        return round(x, 4)

    if isinstance(d, Exponential):
        return Exponential(r(d.mean))
    if isinstance(d, (LogNormal, Gamma)):
        return type(d)(mean=r(d.mean), sd=r(d.sd))
    if isinstance(d, Constant):
        return Constant(r(d.value))
    return d

