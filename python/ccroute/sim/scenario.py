"""Scenario objects, and loading them from YAML, TOML or plain dicts.

A scenario is a contact center to simulate: the router's options (its
channels, queues, routing profiles, policy and the rest), agent groups and
contact types, the horizon, the warm-up, the number of replications and
the seed. Channels, queues, routing profiles and relaxation steps are the
engine's own records (:class:`ccroute.Channel`, :class:`ccroute.Queue`,
:class:`ccroute.RoutingProfile`, :class:`ccroute.Step`, also exported here),
given as objects or as plain data with the same fields
(``{name: q, ordering: lifo, overflow: {to: r, after: 30}}``). Times are
seconds (a file may also write ``"90s"``, ``"15m"``, ``"8h"``); arrival
rates are contacts **per hour**. Distributions and arrival processes are in
:mod:`ccroute.sim.processes`.

Every check names the offending field the way it is written in a file, e.g.
``contact_types[2].handle_time.mean: must be a positive number, got -3``,
and raises :class:`ScenarioError` (a :class:`ccroute.InvalidInput`, hence
also a ``ValueError``).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from .._ccroute import Channel, Queue, RoutingProfile, Simulation, Step
from ..router import unix_epoch
from . import _records
from ._checks import ScenarioError, _fail, _int, _name, _number, _skills, parse_duration
from .processes import (
    _DISTS,
    ArrivalProcess,
    Constant,
    Distribution,
    Empirical,
    PiecewisePoisson,
    Poisson,
    Trace,
)

__all__ = [
    "Channel",
    "Queue",
    "RoutingProfile",
    "AgentGroup",
    "Step",
    "ContactType",
    "Scenario",
    "NOT_SIMULATED",
    "load_scenario",
]

#: The fields of the router's configuration (``Router.config()``) that a
#: scenario does not carry: simulated agents take what they are given, so
#: there are no offers (``offer_timeout``, ``missed_offer_state``,
#: ``exclusion_expires_after``); ended contacts are forgotten
#: (``retain_finished``); a plug-in policy is given to :func:`run`, not to
#: the scenario (``plugin``); the router's generator is seeded per
#: replication from the scenario's ``seed`` (``seed``). Every other field is
#: a :class:`Scenario` field of the same name and form.
NOT_SIMULATED: tuple[str, ...] = tuple(Simulation.NOT_SIMULATED)

#: A channel, queue, routing profile or step: the engine's object or its
#: plain data.
ChannelLike = Union[Channel, Mapping[str, Any]]
QueueLike = Union[Queue, Mapping[str, Any]]
RoutingProfileLike = Union[RoutingProfile, Mapping[str, Any]]
StepLike = Union[Step, Mapping[str, Any]]


# -- the center ---------------------------------------------------------------


@dataclass
class AgentGroup:
    """``count`` identical agents: skills with levels 1–10, capacity units,
    per-channel maxima (``None``: every channel at its default), the name
    of their ``routing_profile`` (``None``: every queue) and ``shifts`` as
    ``(start, end)`` pairs in seconds (empty: always on), and typed
    ``attributes`` that contact types' selectors read (``group`` is the
    group's name unless given). The fields are those of
    :class:`ccroute.Agent` but its id and state."""

    name: str
    count: int
    skills: dict[str, int] = field(default_factory=dict)
    capacity: int = 100
    channels: Optional[dict[str, int]] = None
    shifts: list[tuple[float, float]] = field(default_factory=list)
    routing_profile: Optional[str] = None
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass
class ContactType:
    """A kind of contact: its channel and queue, priority, required and
    preferred skills, relaxation steps (:class:`ccroute.Step` objects or
    their plain data, conditional ones included), arrival process,
    handle-time and patience distributions (``None``: never abandons), and
    the share of contacts from ``returning`` customers (drawn from a
    population of ``customers``) for last-agent affinity."""

    name: str
    channel: str
    queue: str
    arrivals: ArrivalProcess
    handle_time: Distribution
    patience: Optional[Distribution] = None
    priority: int = 0
    requires: dict[str, int] = field(default_factory=dict)
    prefers: dict[str, int] = field(default_factory=dict)
    steps: Sequence[StepLike] = field(default_factory=list)
    returning: float = 0.0
    customers: int = 10_000
    #: Transfers after service: ``{"probability": 0.2, "queue": "billing",
    #: "mode": "cold" | "warm", "keep_age": True, "requires": {...},
    #: "channel": ..., "handle_time": <distribution>}`` (the waits after a
    #: transfer are reported per target queue, ``Replication.transfers``).
    transfer: Optional[Mapping[str, Any]] = None
    #: Callers who choose a callback: ``{"share": 0.3, "after": 60.0,
    #: "number_of_attempts": 3, "retry_after": 300.0, "answer_probability":
    #: 1.0, "call_time": 20.0}`` (reported per queue, ``callbacks``).
    callback: Optional[Mapping[str, Any]] = None
    #: Scheduled work: ``{"share": 0.5, "delay": <distribution>}``: that
    #: share enters its queue ``delay`` after it is submitted.
    scheduled: Optional[Mapping[str, Any]] = None
    #: Which agents may take these contacts beyond their skills, in the
    #: selector language (``agent.language HAS "es"``); ``""``: any.
    selector: str = ""
    #: Structured selector clauses (``{"key", "op", "value",
    #: "expires_after", "expedite"}``) and weighted preferences
    #: (``{"selector", "weight"}``), as on :class:`ccroute.Contact`.
    selectors: Sequence[Mapping[str, Any]] = field(default_factory=list)
    preferences: Sequence[Mapping[str, Any]] = field(default_factory=list)


def _rule(rule: Optional[Mapping[str, Any]], p: str, dists: tuple[str, ...]) -> Optional[dict[str, Any]]:
    """A type's transfer, callback or scheduling rule in the native form:
    its distributions (objects or plain data) in theirs; the engine checks
    the rest, naming the field."""
    if rule is None:
        return None
    if not isinstance(rule, Mapping):
        raise _fail(p, f"must be a mapping or None, got {rule!r}")
    out = dict(rule)
    for k in dists:
        v = out.get(k)
        if v is not None and isinstance(v, tuple(_DISTS.values())):
            out[k] = v._core(f"{p}.{k}")  # type: ignore[attr-defined]
    return out


@dataclass
class Scenario:
    """A contact center to simulate.

    Arrivals happen in ``[0, duration)``; contacts arriving before
    ``warmup`` are simulated but not counted; after ``duration`` the center
    drains (every counted contact is followed until answered or abandoned).
    ``interval`` is the length of the per-interval series (memory grows with
    ``duration / interval``, never with the number of contacts). ``skills``, when
    given, lists every skill name so that a typo is an error. ``unservable``
    says what to do with a contact type that no agent group can ever serve
    (no group with its channel, the skills of its requirements or of one of
    its steps and, with a routing profile, its queue or one it overflows
    to): ``"warn"`` (an :class:`UnservableWarning` when the scenario is run)
    or ``"refuse"`` (a :class:`ScenarioError`).

    The router's options, with the names, forms and defaults of
    ``Router.config()`` (see :data:`NOT_SIMULATED` for the few a scenario
    does not carry): ``channels``, ``queues`` and ``routing_profiles``
    (engine objects or their plain data); ``policy``, the default policy
    of a run (a built-in name, a ``Chain``/``Weighted`` or their plain form
    ``{"chain": [...]}``/``{"weighted": {...}}``); ``affinity`` and
    ``affinity_wait`` (last-agent routing of returning customers; off by
    default in a scenario); ``condition_interval`` (seconds between checks
    of a conditional step's condition); ``batch_window`` (batch mode: solve
    the assignment of everything waiting every that many seconds);
    ``epoch`` (the wall-clock instant of simulated time 0, Unix seconds or
    an ISO 8601 string with an offset, which queues' opening hours read the
    simulated time against).
    """

    channels: Sequence[ChannelLike]
    queues: Sequence[QueueLike]
    agent_groups: list[AgentGroup]
    contact_types: list[ContactType]
    duration: float
    warmup: float = 0.0
    replications: int = 1
    seed: int = 0
    interval: float = 900.0
    policy: _records.PolicyArg = "longest_idle"
    affinity: bool = False
    affinity_wait: float = 0.0
    skills: Optional[list[str]] = None
    name: str = ""
    unservable: str = "warn"
    routing_profiles: Sequence[RoutingProfileLike] = field(default_factory=list)
    condition_interval: float = 5.0
    batch_window: Optional[float] = None
    epoch: Union[float, str] = 0.0

    # -- loading ------------------------------------------------------------
    @classmethod
    def load(cls, path: Union[str, os.PathLike[str]]) -> "Scenario":
        """Reads a scenario from a ``.yaml``/``.yml``, ``.toml`` or ``.json``
        file. Relative trace paths are read from the file's folder."""
        return load_scenario(path)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], base_dir: Union[str, os.PathLike[str], None] = None) -> "Scenario":
        """Builds a scenario from plain data (as read from YAML/TOML/JSON)."""
        return _from_dict(data, os.fspath(base_dir) if base_dir is not None else os.getcwd())

    def replace(self, **changes: Any) -> "Scenario":
        """A copy with some fields changed (``duration=``, ``seed=``, ...)."""
        return dataclasses.replace(self, **changes)

    def validate(self) -> None:
        """Checks every field; raises :class:`ScenarioError` naming the first bad one."""
        self.to_core()

    # -- the native form ------------------------------------------------------
    def to_core(self) -> dict[str, Any]:
        """The JSON-ready form the native simulator reads (rates per second)."""
        for key, what in (("channels", "channel"), ("queues", "queue"), ("agent_groups", "agent group"),
                          ("contact_types", "contact type")):
            value = getattr(self, key)
            if not isinstance(value, (list, tuple)) or not value:
                raise _fail(key, f"a scenario needs at least one {what}")
        if not isinstance(self.routing_profiles, (list, tuple)):
            raise _fail("routing_profiles", f"must be a list, got {self.routing_profiles!r}")
        known = None if self.skills is None else [_name(s, f"skills[{i}]") for i, s in enumerate(self.skills)]
        channels = _checked_records(Channel, self.channels, "channels")
        channel_names = [str(c["name"]) for c in channels]
        queues = _checked_records(Queue, self.queues, "queues")
        queue_names = [str(q["name"]) for q in queues]
        for i, q in enumerate(queues):
            if q["sl_target"] > 1:
                raise _fail(f"queues[{i}].sl_target", f"must be a fraction between 0 and 1, got {q['sl_target']!r}")
            if q["overflow"] is not None and q["overflow"]["to"] not in queue_names:
                raise _fail(f"queues[{i}].overflow.to",
                            f"unknown queue {q['overflow']['to']!r}; queues are {queue_names}")
        profiles = _checked_records(RoutingProfile, self.routing_profiles, "routing_profiles")
        for i, prof in enumerate(profiles):
            for j, pq in enumerate(prof["queues"]):
                if pq["queue"] not in queue_names:
                    raise _fail(f"routing_profiles[{i}].queues[{j}].queue",
                                f"unknown queue {pq['queue']!r}; queues are {queue_names}")
        profile_names = [str(prof["name"]) for prof in profiles]
        duration = parse_duration(self.duration, "duration")
        if duration <= 0:
            raise _fail("duration", f"must be positive, got {self.duration!r}")
        groups: list[dict[str, Any]] = []
        for i, g in enumerate(self.agent_groups):
            p = f"agent_groups[{i}]"
            if not isinstance(g, AgentGroup):
                raise _fail(p, f"must be an AgentGroup, got {g!r}")
            ch: Optional[dict[str, int]] = None
            if g.channels is not None:
                if not isinstance(g.channels, Mapping):
                    raise _fail(f"{p}.channels", f"must map channel names to maxima, got {g.channels!r}")
                ch = {}
                for k, v in g.channels.items():
                    if k not in channel_names:
                        raise _fail(f"{p}.channels.{k}", f"unknown channel {k!r}; channels are {channel_names}")
                    ch[k] = _int(v, f"{p}.channels.{k}")
            if g.routing_profile is not None and g.routing_profile not in profile_names:
                raise _fail(f"{p}.routing_profile",
                            f"unknown routing profile {g.routing_profile!r}; routing_profiles are {profile_names}")
            groups.append({
                "name": _name(g.name, f"{p}.name"),
                "count": _int(g.count, f"{p}.count"),
                "skills": _skills(g.skills, f"{p}.skills", known),
                "capacity": _int(g.capacity, f"{p}.capacity", minimum=1),
                "channels": ch,
                "routing_profile": g.routing_profile,
                "shifts": _shifts(g.shifts, f"{p}.shifts"),
                "attributes": _attributes(g.attributes, f"{p}.attributes"),
            })
        _unique([str(g["name"]) for g in groups], "agent_groups")
        types = [_type_core(t, f"contact_types[{i}]", channel_names, queue_names, known)
                 for i, t in enumerate(self.contact_types)]
        _unique([str(t["name"]) for t in types], "contact_types")
        warmup = parse_duration(self.warmup, "warmup")
        if warmup >= duration:
            raise _fail("warmup", f"{warmup} s leaves nothing to measure (duration is {duration} s)")
        if not isinstance(self.affinity, bool):
            raise _fail("affinity", f"must be true or false, got {self.affinity!r}")
        if self.unservable not in ("warn", "refuse"):
            raise _fail("unservable", f"must be 'warn' or 'refuse', got {self.unservable!r}")
        seed = _int(self.seed, "seed")
        if seed >= 2**64:
            raise _fail("seed", f"must fit in 64 bits, got {seed}")
        return {
            "name": str(self.name),
            "channels": channels,
            "queues": queues,
            "routing_profiles": profiles,
            "agent_groups": groups,
            "contact_types": types,
            "duration": duration,
            "warmup": warmup,
            "replications": _int(self.replications, "replications", minimum=1),
            "seed": seed,
            "interval": _positive(self.interval, "interval"),
            "policy": _records.policy_form(self.policy),
            "affinity": self.affinity,
            "affinity_wait": parse_duration(self.affinity_wait, "affinity_wait"),
            "condition_interval": _positive(self.condition_interval, "condition_interval"),
            "batch_window": None if self.batch_window is None else _positive(self.batch_window, "batch_window"),
            "unservable": self.unservable,
            "epoch": unix_epoch(self.epoch),
        }

    def to_dict(self) -> dict[str, Any]:
        """The scenario as plain data in the file form (times in seconds,
        rates per hour): ``Scenario.from_dict(s.to_dict())`` gives ``s``
        back. A trace read from a CSV file with per-row handle times,
        patience or priorities has no inline form and is refused naming
        it."""
        core = self.to_core()
        out: dict[str, Any] = {"name": self.name}
        for k in ("channels", "queues", "routing_profiles"):
            out[k] = core[k]
        out["agent_groups"] = [
            {**dataclasses.asdict(g), "shifts": [list(s) for s in g.shifts]} for g in self.agent_groups
        ]
        types = []
        for i, t in enumerate(self.contact_types):
            d = {f.name: getattr(t, f.name) for f in dataclasses.fields(t)}
            d["arrivals"] = _arrivals_data(t.arrivals, f"contact_types[{i}].arrivals")
            d["handle_time"] = _dist_data(t.handle_time)
            d["patience"] = None if t.patience is None else _dist_data(t.patience)
            d["steps"] = core["contact_types"][i]["steps"]
            d["requires"], d["prefers"] = dict(t.requires), dict(t.prefers)
            d["selectors"] = [dict(x) for x in t.selectors]
            d["preferences"] = [dict(x) for x in t.preferences]
            types.append(d)
        out["contact_types"] = types
        out["policy"] = core["policy"]
        for k in ("duration", "warmup", "replications", "seed", "interval", "affinity", "affinity_wait",
                  "condition_interval", "batch_window", "skills", "unservable", "epoch"):
            out[k] = getattr(self, k)
        return out

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickles and copies through the plain form (:meth:`to_dict`): the
        router records inside are native objects that do not pickle."""
        return (Scenario.from_dict, (self.to_dict(),))

    def to_json(self) -> str:
        """The scenario as JSON in the file form (see :meth:`to_dict`):
        :meth:`load` and :func:`load_scenario` read it back."""
        return json.dumps(self.to_dict(), indent=2)

    def save(self, path: Union[str, os.PathLike[str]]) -> None:
        """Writes the scenario to a ``.json``, ``.yaml`` or ``.yml`` file
        that :meth:`load` reads back."""
        p = os.fspath(path)
        ext = os.path.splitext(p)[1].lower()
        if ext == ".json":
            text = self.to_json() + "\n"
        elif ext in (".yaml", ".yml"):
            import yaml

            text = yaml.safe_dump(self.to_dict(), sort_keys=False)
        else:
            raise ScenarioError(f"cannot save a scenario as {ext!r} (use .json, .yaml or .yml)")
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)


def _dist_data(d: Distribution) -> dict[str, Any]:
    kind = next(k for k, cls in _DISTS.items() if type(d) is cls)
    params = dataclasses.asdict(d)  # type: ignore[call-overload]
    if kind == "empirical":
        params["samples"] = list(params["samples"])
    return {kind: params}


def _arrivals_data(a: ArrivalProcess, path: str) -> dict[str, Any]:
    if isinstance(a, Poisson):
        return {"poisson": {"per_hour": a.per_hour}}
    if isinstance(a, PiecewisePoisson):
        return {"piecewise": {"interval": a.interval, "per_hour": list(a.per_hour)}}
    if isinstance(a, Trace):
        extra = [n for n in ("handle_times", "patience", "priorities") if getattr(a, n) is not None]
        if extra:
            raise _fail(path, f"a trace with per-row {', '.join(extra)} has no inline form; keep its CSV file")
        return {"trace": {"times": list(a.times)}}
    raise _fail(path, f"must be Poisson, PiecewisePoisson or Trace, got {a!r}")


def _positive(value: Any, path: str) -> float:
    seconds = parse_duration(value, path)
    if seconds <= 0:
        raise _fail(path, f"must be a positive duration, got {value!r}")
    return seconds


def _checked_records(cls: type[_records.R], items: Sequence[Any], path: str) -> list[dict[str, Any]]:
    """Each item as the engine's record (plain data, every field), names
    checked and unique."""
    out = []
    for i, item in enumerate(items):
        data = _records.record(cls, item, f"{path}[{i}]").to_dict()
        _name(data["name"], f"{path}[{i}].name")
        out.append(data)
    _unique([str(d["name"]) for d in out], path)
    return out


def _shifts(value: Any, path: str) -> list[list[float]]:
    if not isinstance(value, (list, tuple)):
        raise _fail(path, f"must be a list of (start, end) pairs, got {value!r}")
    shifts: list[list[float]] = []
    for j, shift in enumerate(value):
        sp = f"{path}[{j}]"
        pair: Any = shift
        if isinstance(pair, Mapping):
            pair = (pair.get("start"), pair.get("end"))
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise _fail(sp, f"must be a (start, end) pair, got {shift!r}")
        start, end = parse_duration(pair[0], f"{sp}.start"), parse_duration(pair[1], f"{sp}.end")
        if end <= start:
            raise _fail(sp, f"ends ({end}) before it starts ({start})")
        if shifts and start < shifts[-1][1]:
            raise _fail(sp, f"starts ({start}) before the previous shift ends ({shifts[-1][1]})")
        shifts.append([start, end])
    return shifts


def _steps(steps: Any, path: str, known: Optional[Sequence[str]]) -> list[dict[str, Any]]:
    """The steps as the engine's records (plain data)."""
    if not isinstance(steps, (list, tuple)):
        raise _fail(path, f"must be a list, got {steps!r}")
    out = []
    for j, step in enumerate(steps):
        p = f"{path}[{j}]"
        if isinstance(step, Mapping):
            _skills(step.get("requires"), f"{p}.requires", known)
        data = _records.record(Step, step, p).to_dict()
        _skills(data["requires"], f"{p}.requires", known)
        out.append(data)
    return out


def _type_core(t: Any, p: str, channel_names: list[str], queue_names: list[str],
               known: Optional[Sequence[str]]) -> dict[str, Any]:
    """A contact type in the native form (rates per second)."""
    if not isinstance(t, ContactType):
        raise _fail(p, f"must be a ContactType, got {t!r}")
    if t.channel not in channel_names:
        raise _fail(f"{p}.channel", f"unknown channel {t.channel!r}; channels are {channel_names}")
    if t.queue not in queue_names:
        raise _fail(f"{p}.queue", f"unknown queue {t.queue!r}; queues are {queue_names}")
    if not hasattr(t.arrivals, "_core") or isinstance(t.arrivals, tuple(_DISTS.values())):
        raise _fail(f"{p}.arrivals", f"must be Poisson, PiecewisePoisson or Trace, got {t.arrivals!r}")
    if not isinstance(t.handle_time, tuple(_DISTS.values())):
        raise _fail(f"{p}.handle_time", f"must be a distribution, got {t.handle_time!r}")
    if t.patience is not None and not isinstance(t.patience, tuple(_DISTS.values())):
        raise _fail(f"{p}.patience", f"must be a distribution or None, got {t.patience!r}")
    returning = _number(t.returning, f"{p}.returning")
    if returning > 1:
        raise _fail(f"{p}.returning", f"must be a share between 0 and 1, got {t.returning!r}")
    if isinstance(t.priority, bool) or not isinstance(t.priority, int):
        raise _fail(f"{p}.priority", f"must be an integer, got {t.priority!r}")
    return {
        "name": _name(t.name, f"{p}.name"),
        "channel": t.channel,
        "queue": t.queue,
        "priority": t.priority,
        "requires": _skills(t.requires, f"{p}.requires", known),
        "prefers": _skills(t.prefers, f"{p}.prefers", known),
        "steps": _steps(t.steps, f"{p}.steps", known),
        "arrivals": t.arrivals._core(f"{p}.arrivals", ""),
        "handle_time": t.handle_time._core(f"{p}.handle_time"),
        "patience": None if t.patience is None else t.patience._core(f"{p}.patience"),
        "returning": returning,
        "customers": _int(t.customers, f"{p}.customers", minimum=1),
        "transfer": _rule(t.transfer, f"{p}.transfer", ("handle_time",)),
        "callback": _rule(t.callback, f"{p}.callback", ()),
        "scheduled": _rule(t.scheduled, f"{p}.scheduled", ("delay",)),
        "selector": _text(t.selector, f"{p}.selector"),
        "selectors": _plain_list(t.selectors, f"{p}.selectors"),
        "preferences": _plain_list(t.preferences, f"{p}.preferences"),
    }


def _attributes(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, f"must map names to values, got {value!r}")
    out: dict[str, Any] = {}
    for k, v in value.items():
        ok = isinstance(v, (bool, int, float, str)) or (
            isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v))
        if not isinstance(k, str) or not ok:
            raise _fail(f"{path}.{k}", f"must be a bool, int, float, str or list of str, got {v!r}")
        out[k] = list(v) if isinstance(v, (list, tuple)) else v
    return out


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _fail(path, f"must be a string, got {value!r}")
    return value


def _plain_list(value: Any, path: str) -> list[dict[str, Any]]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(x, Mapping) for x in value):
        raise _fail(path, f"must be a list of mappings, got {value!r}")
    return [dict(x) for x in value]


def _unique(names: list[str], path: str) -> None:
    seen: set[str] = set()
    for i, n in enumerate(names):
        if n in seen:
            raise _fail(f"{path}[{i}].name", f"{n!r} is used twice")
        seen.add(n)


# -- from plain data ----------------------------------------------------------


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(path, f"must be a mapping, got {value!r}")
    return value


def _take(d: Mapping[str, Any], path: str, allowed: Sequence[str], required: Sequence[str] = ()) -> dict[str, Any]:
    for k in d:
        if k not in allowed:
            raise _fail(f"{path}.{k}" if path else str(k), f"unknown field; expected one of {sorted(allowed)}")
    for k in required:
        if k not in d:
            raise _fail(f"{path}.{k}" if path else k, "is required")
    return dict(d)


def _kind_and_params(value: Any, path: str, kinds: Sequence[str]) -> tuple[str, dict[str, Any], str]:
    """``{kind: x, ...}`` or ``{x: {...}}`` → (x, params, path of params)."""
    d = _mapping(value, path)
    if "kind" in d:
        params = dict(d)
        kind = params.pop("kind")
    elif len(d) == 1:
        kind, params = next(iter(d.items()))
        if not isinstance(params, Mapping):
            raise _fail(f"{path}.{kind}", f"must be a mapping of parameters, got {params!r}")
        params = dict(params)
        path = f"{path}.{kind}"
    else:
        raise _fail(path, f"give one of {list(kinds)} as 'kind: NAME' or 'NAME: {{...}}', got {dict(d)!r}")
    if kind not in kinds:
        raise _fail(path, f"unknown kind {kind!r}; expected one of {list(kinds)}")
    return str(kind), params, path


def _dist(value: Any, path: str) -> Distribution:
    if isinstance(value, tuple(_DISTS.values())):
        return value  # type: ignore[return-value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Constant(float(value))
    kind, params, path = _kind_and_params(value, path, list(_DISTS))
    fields = {"exponential": ["mean"], "lognormal": ["mean", "sd"], "gamma": ["mean", "sd"],
              "constant": ["value"], "empirical": ["samples"]}[kind]
    _take(params, path, fields, fields)
    if kind == "empirical":
        if not isinstance(params["samples"], list):
            raise _fail(f"{path}.samples", f"must be a list of seconds, got {params['samples']!r}")
        return Empirical([parse_duration(v, f"{path}.samples[{i}]") for i, v in enumerate(params["samples"])])
    return _DISTS[kind](**{k: parse_duration(v, f"{path}.{k}") for k, v in params.items()})  # type: ignore[no-any-return]


def _arrivals(value: Any, path: str, base_dir: str) -> ArrivalProcess:
    if isinstance(value, (Poisson, PiecewisePoisson, Trace)):
        return value
    kind, params, path = _kind_and_params(value, path, ["poisson", "piecewise", "trace"])
    if kind == "poisson":
        _take(params, path, ["per_hour"], ["per_hour"])
        return Poisson(_number(params["per_hour"], f"{path}.per_hour"))
    if kind == "piecewise":
        _take(params, path, ["interval", "per_hour"], ["interval", "per_hour"])
        rates = params["per_hour"]
        if not isinstance(rates, list):
            raise _fail(f"{path}.per_hour", f"must be a list of rates per hour, got {rates!r}")
        return PiecewisePoisson(parse_duration(params["interval"], f"{path}.interval"),
                                [_number(r, f"{path}.per_hour[{i}]") for i, r in enumerate(rates)])
    _take(params, path, ["path", "time", "handle_time", "patience", "priority", "where", "times"], [])
    if "times" in params:
        return Trace(times=params["times"])
    if "path" not in params:
        raise _fail(f"{path}.path", "is required (the CSV file to replay)")
    file = os.path.join(base_dir, str(params["path"]))
    if not os.path.exists(file):
        raise _fail(f"{path}.path", f"file {file!r} does not exist")
    kw = {k: params[k] for k in ("time", "handle_time", "patience", "priority", "where") if k in params}
    return Trace.from_csv(file, **kw)


def _fields(cls: type) -> tuple[list[str], list[str]]:
    """A dataclass's field names, and those without a default."""
    fs = dataclasses.fields(cls)
    required = [f.name for f in fs if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    return [f.name for f in fs], required


def _from_dict(data: Mapping[str, Any], base_dir: str) -> Scenario:
    d = _take(_mapping(data, "scenario"), "", *_fields(Scenario))

    def items(key: str) -> list[tuple[str, Any]]:
        v = d.get(key, [])
        if not isinstance(v, list):
            raise _fail(key, f"must be a list, got {v!r}")
        return [(f"{key}[{i}]", x) for i, x in enumerate(v)]

    channels = [_records.record(Channel, c, p) for p, c in items("channels")]
    queues = [_records.record(Queue, q, p) for p, q in items("queues")]
    profiles = [_records.record(RoutingProfile, r, p) for p, r in items("routing_profiles")]
    groups = []
    for p, g in items("agent_groups"):
        g = _take(_mapping(g, p), p, *_fields(AgentGroup))
        if "shifts" in g and not isinstance(g["shifts"], list):
            raise _fail(f"{p}.shifts", f"must be a list of (start, end) pairs, got {g['shifts']!r}")
        if g.get("skills") is None:
            g["skills"] = {}
        groups.append(AgentGroup(**g))
    types = []
    for p, t in items("contact_types"):
        t = _take(_mapping(t, p), p, *_fields(ContactType))
        t["arrivals"] = _arrivals(t["arrivals"], f"{p}.arrivals", base_dir)
        t["handle_time"] = _dist(t["handle_time"], f"{p}.handle_time")
        pat = t.get("patience")
        t["patience"] = None if pat is None or pat == "none" else _dist(pat, f"{p}.patience")
        steps = t.get("steps") or []
        if not isinstance(steps, list):
            raise _fail(f"{p}.steps", f"must be a list, got {steps!r}")
        for j, step in enumerate(steps):
            if isinstance(step, Mapping):
                _skills(step.get("requires"), f"{p}.steps[{j}].requires")
        t["steps"] = [_records.record(Step, step, f"{p}.steps[{j}]") for j, step in enumerate(steps)]
        for key in ("requires", "prefers"):
            if t.get(key) is None:
                t[key] = {}
        types.append(ContactType(**t))
    rest = {k: v for k, v in d.items()
            if k not in ("name", "channels", "queues", "routing_profiles", "agent_groups", "contact_types")}
    for k in ("duration", "warmup", "interval", "affinity_wait", "condition_interval", "batch_window"):
        if rest.get(k) is not None:
            rest[k] = parse_duration(rest[k], k)
    if "policy" in rest:
        rest["policy"] = _records.policy_object(rest["policy"])
    scn = Scenario(channels=channels, queues=queues, routing_profiles=profiles, agent_groups=groups,
                   contact_types=types, name=str(d.get("name", "")), **rest)
    scn.validate()
    return scn


def load_scenario(path: Union[str, os.PathLike[str]]) -> Scenario:
    """Reads a scenario from a YAML (``.yaml``/``.yml``), TOML (``.toml``)
    or JSON file; errors name the file and the field."""
    p = os.fspath(path)
    ext = os.path.splitext(p)[1].lower()
    if ext not in (".yaml", ".yml", ".toml", ".json"):
        raise ScenarioError(f"scenario {p!r}: unknown format {ext!r} (use .yaml, .yml, .toml or .json)")
    try:
        with open(p, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise ScenarioError(f"cannot read scenario {p!r}: {exc.strerror}") from None
    try:
        if ext in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(raw)
        elif ext == ".toml":
            import tomllib

            data = tomllib.loads(raw.decode("utf-8"))
        elif ext == ".json":
            data = json.loads(raw)
        else:
            raise ScenarioError(f"scenario {p!r}: unknown format {ext!r} (use .yaml, .yml, .toml or .json)")
    except ScenarioError:
        raise
    except Exception as exc:  # the parser's own message says where
        raise ScenarioError(f"scenario {p!r} is not valid {ext[1:].upper()}: {exc}") from exc
    try:
        return _from_dict(data if data is not None else {}, os.path.dirname(os.path.abspath(p)))
    except ScenarioError as exc:
        raise ScenarioError(f"{p}: {exc}") from None
