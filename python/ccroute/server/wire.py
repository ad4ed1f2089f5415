"""Conversions between the protocol (``ccroute.v1``) and ccroute's classes.

Used by the servicer (requests in, events and views out) and by the client
(inputs out, events in). Field by field, nothing clever: the protocol
mirrors the Python classes, and every default left unset in a message is
the Python class's default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Optional

from .. import _ccroute
from .._ccroute import Agent, AgentView, Channel, Contact, ContactView, Queue, QueueStats, Step
from ..errors import InvalidInput
from ..events import Event
from ..v1 import events_pb2, model_pb2, router_pb2, views_pb2
from . import catalogue
from .config import DEFAULT_EXCLUSION_EXPIRY, DEFAULT_RETAIN_FINISHED, RouterSettings
from .events import EventRecord

__all__ = [
    "STATE_TO_PB", "STATE_FROM_PB",
    "channel_from_pb", "channel_to_pb", "queue_from_pb", "queue_to_pb",
    "settings_from_pb", "settings_to_pb", "agent_from_pb", "agent_to_pb",
    "contact_from_pb", "contact_to_pb", "contact_update_from_pb", "contact_update_to_pb",
    "transfer_from_pb", "transfer_to_pb", "update_record", "transfer_record", "OUTCOME_TO_PB", "OUTCOME_FROM_PB", "outcome_from_pb",
    "check_outcome",
    "event_to_pb", "events_to_pb", "event_from_pb",
    "queue_stats_to_pb", "agent_view_to_pb", "contact_view_to_pb", "explanation_to_pb",
    "attributes_from_pb", "attributes_to_pb",
]

STATE_TO_PB: dict[str, int] = {
    "offline": model_pb2.AGENT_STATE_OFFLINE,
    "available": model_pb2.AGENT_STATE_AVAILABLE,
    "away": model_pb2.AGENT_STATE_AWAY,
}
STATE_FROM_PB: dict[int, str] = {v: k for k, v in STATE_TO_PB.items()}
STATUS_TO_PB: dict[str, int] = {
    name: getattr(views_pb2, f"CONTACT_STATUS_{name.upper()}")
    for name in _ccroute.contact_statuses()  # every status the engine has: one missing here fails at import
}
STATUS_FROM_PB: dict[int, str] = {v: k for k, v in STATUS_TO_PB.items()}


def state_from_pb(value: int, what: str, default: Optional[str] = None) -> str:
    """An ``AgentState`` enum value as the router's state name."""
    name = STATE_FROM_PB.get(value)
    if name is None:
        if value == model_pb2.AGENT_STATE_UNSPECIFIED and default is not None:
            return default
        raise InvalidInput(f"{what}: state {_enum_name(model_pb2.AgentState, value)} is not "
                           "one of AGENT_STATE_OFFLINE, AGENT_STATE_AVAILABLE, AGENT_STATE_AWAY")
    return name


def _enum_name(enum: Any, value: int) -> str:
    try:
        return str(enum.Name(value))
    except ValueError:
        return str(value)


# -- attributes ---------------------------------------------------------------
def attributes_from_pb(m: Mapping[str, model_pb2.AttributeValue]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in m.items():
        kind = v.WhichOneof("kind")
        if kind is None:
            raise InvalidInput(f"attribute {k!r} has no value (set one of bool_value, "
                               "int_value, double_value, string_value, list_value)")
        out[k] = list(v.list_value.values) if kind == "list_value" else getattr(v, kind)
    return out


def attribute_value_from_pb(v: model_pb2.AttributeValue, what: str) -> Any:
    kind = v.WhichOneof("kind")
    if kind is None:
        raise InvalidInput(f"{what} has no value (set one of bool_value, int_value, double_value, "
                           "string_value, list_value)")
    return list(v.list_value.values) if kind == "list_value" else getattr(v, kind)


def attribute_value_to_pb(slot: model_pb2.AttributeValue, v: Any, what: str) -> None:
    if isinstance(v, bool):
        slot.bool_value = v
    elif isinstance(v, int):
        slot.int_value = v
    elif isinstance(v, float):
        slot.double_value = v
    elif isinstance(v, str):
        slot.string_value = v
    elif isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
        slot.list_value.SetInParent()
        slot.list_value.values.extend(v)
    else:
        raise InvalidInput(f"{what} has unsupported value {v!r} (use bool, int, float, str or a list of str)")


def attributes_to_pb(target: Any, attrs: Mapping[str, Any]) -> None:
    for k, v in attrs.items():
        attribute_value_to_pb(target[k], v, f"attribute {k!r}")


# -- selectors ------------------------------------------------------------------
_CLAUSE = frozenset({"key", "op", "value", "expires_after", "expedite"})
_PREFERENCE = frozenset({"selector", "weight"})


def clause_from_pb(pb: model_pb2.SelectorClause, what: str) -> dict[str, Any]:
    d: dict[str, Any] = {"key": pb.key, "op": pb.op, "expedite": pb.expedite,
                         "value": attribute_value_from_pb(pb.value, f"{what}.value"),
                         "expires_after": pb.expires_after if pb.HasField("expires_after") else None}
    return d


def clause_to_pb(pb: model_pb2.SelectorClause, d: Mapping[str, Any], what: str) -> None:
    _carried(what, d, _CLAUSE)
    pb.key, pb.op, pb.expedite = d["key"], d["op"], bool(d.get("expedite"))
    attribute_value_to_pb(pb.value, d["value"], f"{what}.value")
    if d.get("expires_after") is not None:
        pb.expires_after = d["expires_after"]


def preference_from_pb(pb: model_pb2.Preference) -> dict[str, Any]:
    return {"selector": pb.selector, "weight": pb.weight if pb.HasField("weight") else 1}


def preference_to_pb(pb: model_pb2.Preference, d: Mapping[str, Any], what: str) -> None:
    _carried(what, d, _PREFERENCE)
    pb.selector = d["selector"]
    if d.get("weight") is not None:
        pb.weight = d["weight"]


# -- configuration --------------------------------------------------------------
# Records travel in the core's plain-data form (``X.to_dict()``); each
# converter takes every field of its record or refuses the record naming
# the field it cannot carry (``_carried``), and tests/test_wire_schema.py
# checks the fields of every record against its message.
ORDERING_TO_PB: dict[str, int] = {
    "priority": model_pb2.QUEUE_ORDERING_PRIORITY,
    "lifo": model_pb2.QUEUE_ORDERING_LIFO,
    "greatest_need": model_pb2.QUEUE_ORDERING_GREATEST_NEED,
}
ORDERING_FROM_PB: dict[int, str] = {v: k for k, v in ORDERING_TO_PB.items()}


def _carried(what: str, d: Mapping[str, Any], fields: frozenset[str]) -> None:
    extra = set(d) - fields
    if extra:
        raise InvalidInput(f"{what}: field {sorted(extra)[0]!r} cannot be carried by the protocol "
                           "(client and server of different versions?)")


_CHANNEL = frozenset({"name", "cost", "max_per_agent", "wrap_up", "interruptible"})
_QUEUE = frozenset({"name", "sl_target", "sl_threshold", "ordering", "aging_rate", "aging_max", "max_waiting",
                    "overflow", "callbacks_per_free_agent", "hours", "closed_action", "on_close", "rules"})
_RULE = frozenset({"name", "trigger", "action"})
_HOURS = frozenset({"time_zone", "weekly", "overrides"})
_WEEKLY = frozenset({"days", "open", "close"})
_OVERRIDE = frozenset({"date", "through", "hours", "name"})
_DAY_HOURS = frozenset({"open", "close"})
_PROFILE = frozenset({"name", "queues"})
_PROFILE_QUEUE = frozenset({"queue", "priority", "delay"})
_CONFIG = frozenset({"channels", "queues", "policy", "offer_timeout", "seed", "affinity", "affinity_wait",
                     "retain_finished", "routing_profiles", "condition_interval", "batch_window",
                     "missed_offer_state", "exclusion_expires_after", "plugin", "epoch"})


def channel_dict_to_pb(d: Mapping[str, Any]) -> model_pb2.Channel:
    _carried(f"channel {d.get('name')!r}", d, _CHANNEL)
    return model_pb2.Channel(name=d["name"], cost=d["cost"], max_per_agent=d["max_per_agent"], wrap_up=d["wrap_up"],
                             interruptible=d.get("interruptible", False))


def channel_dict_from_pb(pb: model_pb2.Channel) -> dict[str, Any]:
    d: dict[str, Any] = {"name": pb.name, "wrap_up": pb.wrap_up, "interruptible": pb.interruptible}
    for name in ("cost", "max_per_agent"):
        if pb.HasField(name):
            d[name] = getattr(pb, name)
    return d


def queue_dict_to_pb(d: Mapping[str, Any]) -> model_pb2.Queue:
    _carried(f"queue {d.get('name')!r}", d, _QUEUE)
    pb = model_pb2.Queue(name=d["name"], sl_target=d["sl_target"], sl_threshold=d["sl_threshold"],
                         aging_rate=d["aging_rate"], ordering=ORDERING_TO_PB[d["ordering"]])  # type: ignore[arg-type]
    if d["aging_max"] is not None:
        pb.aging_max = d["aging_max"]
    if d.get("callbacks_per_free_agent", 1.0) != 1.0:
        pb.callbacks_per_free_agent = d["callbacks_per_free_agent"]
    if d["max_waiting"] is not None:
        pb.max_waiting = d["max_waiting"]
    if d["overflow"] is not None:
        pb.overflow_to = d["overflow"]["to"]
        pb.overflow_after = d["overflow"]["after"]
    _hours_to_pb(pb, d)
    for r in d.get("rules", ()):
        _rule_to_pb(pb.rules.add(), r, f"queue {d.get('name')!r}")
    return pb


def _rule_to_pb(pb: model_pb2.Rule, r: Mapping[str, Any], queue: str) -> None:
    what = f"{queue}: rule {r.get('name')!r}"
    _carried(what, r, _RULE)
    pb.name = r["name"]
    trigger, action = r["trigger"], r["action"]
    if trigger == "no_agent_logged_in":
        pb.no_agent_logged_in = True
    elif isinstance(trigger, Mapping) and len(trigger) == 1:
        (kind, value), = trigger.items()
        if kind == "wait_longer_than":
            pb.wait_longer_than = value
        elif kind == "waiting_more_than":
            pb.waiting_more_than = value
        elif kind == "sl_below":
            _carried(f"{what}: sl_below", value, frozenset({"fraction", "window"}))
            pb.sl_below.fraction = value["fraction"]
            if value.get("window") is not None:
                pb.sl_below.window = value["window"]
        else:
            raise InvalidInput(f"{what}: trigger {kind!r} cannot be carried by the protocol")
    else:
        raise InvalidInput(f"{what}: trigger {trigger!r} cannot be carried by the protocol")
    if action == "alert":
        pb.alert = True
    elif action == "offer_callback":
        pb.offer_callback = True
    elif isinstance(action, Mapping) and len(action) == 1:
        (kind, value), = action.items()
        if kind == "overflow":
            pb.overflow = value
        elif kind == "cancel":
            pb.cancel = value
        elif kind == "update":
            _carried(f"{what}: update", value, frozenset({"priority", "requires"}))
            pb.update.SetInParent()
            if value.get("priority") is not None:
                pb.update.priority = value["priority"]
            if value.get("requires") is not None:
                pb.update.has_requires = True
                pb.update.requires.update(value["requires"])
        else:
            raise InvalidInput(f"{what}: action {kind!r} cannot be carried by the protocol")
    else:
        raise InvalidInput(f"{what}: action {action!r} cannot be carried by the protocol")


def _rule_from_pb(pb: model_pb2.Rule, queue: str) -> dict[str, Any]:
    what = f"queue {queue!r}: rule {pb.name!r}"
    trigger: Any
    kind = pb.WhichOneof("trigger")
    if kind is None:
        raise InvalidInput(f"{what}: no trigger")
    if kind == "no_agent_logged_in":
        trigger = "no_agent_logged_in"
    elif kind == "sl_below":
        trigger = {"sl_below": {"fraction": pb.sl_below.fraction,
                                **({"window": pb.sl_below.window} if pb.sl_below.HasField("window") else {})}}
    else:
        trigger = {kind: getattr(pb, kind)}
    action: Any
    akind = pb.WhichOneof("action")
    if akind is None:
        raise InvalidInput(f"{what}: no action")
    if akind in ("alert", "offer_callback"):
        action = akind
    elif akind == "update":
        u = pb.update
        action = {"update": {"priority": u.priority if u.HasField("priority") else None,
                             "requires": dict(u.requires) if u.has_requires else None}}
    else:
        action = {akind: getattr(pb, akind)}
    return {"name": pb.name, "trigger": trigger, "action": action}


def _hours_to_pb(pb: model_pb2.Queue, d: Mapping[str, Any]) -> None:
    what = f"queue {d.get('name')!r}"
    hours = d.get("hours")
    if hours is not None:
        _carried(f"{what}: hours", hours, _HOURS)
        pb.hours.time_zone = hours["time_zone"]
        for w in hours.get("weekly", ()):
            _carried(f"{what}: weekly hours", w, _WEEKLY)
            pb.hours.weekly.add(days=w["days"], open=w["open"], close=w["close"])
        for o in hours.get("overrides", ()):
            _carried(f"{what}: override", o, _OVERRIDE)
            x = pb.hours.overrides.add(date=o["date"], name=o.get("name", ""))
            if o.get("through") is not None:
                x.through = o["through"]
            for h in o.get("hours", ()):
                _carried(f"{what}: override hours", h, _DAY_HOURS)
                x.hours.add(open=h["open"], close=h["close"])
    action = d.get("closed_action", "refuse")
    if action == "hold":
        pb.closed_action = model_pb2.CLOSED_ACTION_HOLD
    elif isinstance(action, Mapping) and set(action) == {"overflow"}:
        pb.closed_action = model_pb2.CLOSED_ACTION_OVERFLOW
        pb.closed_overflow_to = action["overflow"]
    elif action != "refuse":
        raise InvalidInput(f"{what}: closed_action {action!r} cannot be carried by the protocol")
    rule = d.get("on_close", "keep")
    if isinstance(rule, Mapping) and set(rule) == {"overflow"}:
        pb.on_close = model_pb2.ON_CLOSE_OVERFLOW
        pb.on_close_overflow_to = rule["overflow"]
    elif isinstance(rule, Mapping) and set(rule) == {"callback"}:
        pb.on_close = model_pb2.ON_CLOSE_CALLBACK
        callback_to_pb(pb.on_close_callback, rule["callback"])
    elif rule != "keep":
        raise InvalidInput(f"{what}: on_close {rule!r} cannot be carried by the protocol")


def _hours_from_pb(pb: model_pb2.Queue, d: dict[str, Any]) -> None:
    what = f"queue {pb.name!r}"
    if pb.HasField("hours"):
        h = pb.hours
        d["hours"] = {
            "time_zone": h.time_zone,
            "weekly": [{"days": list(w.days), "open": w.open, "close": w.close} for w in h.weekly],
            "overrides": [{"date": o.date, "through": o.through if o.HasField("through") else None,
                           "hours": [{"open": x.open, "close": x.close} for x in o.hours], "name": o.name}
                          for o in h.overrides],
        }
    action = pb.closed_action
    if action == model_pb2.CLOSED_ACTION_HOLD:
        d["closed_action"] = "hold"
    elif action == model_pb2.CLOSED_ACTION_OVERFLOW:
        d["closed_action"] = {"overflow": pb.closed_overflow_to}
    elif action not in (model_pb2.CLOSED_ACTION_UNSPECIFIED, model_pb2.CLOSED_ACTION_REFUSE):
        raise InvalidInput(f"{what}: closed_action {action} is not REFUSE (1), HOLD (2) or OVERFLOW (3)")
    if pb.closed_overflow_to and action != model_pb2.CLOSED_ACTION_OVERFLOW:
        raise InvalidInput(f"{what}: closed_overflow_to {pb.closed_overflow_to!r} needs closed_action OVERFLOW")
    rule = pb.on_close
    if rule == model_pb2.ON_CLOSE_OVERFLOW:
        d["on_close"] = {"overflow": pb.on_close_overflow_to}
    elif rule == model_pb2.ON_CLOSE_CALLBACK:
        d["on_close"] = {"callback": callback_from_pb(pb.on_close_callback)}
    elif rule not in (model_pb2.ON_CLOSE_UNSPECIFIED, model_pb2.ON_CLOSE_KEEP):
        raise InvalidInput(f"{what}: on_close {rule} is not KEEP (1), OVERFLOW (2) or CALLBACK (3)")
    if pb.on_close_overflow_to and rule != model_pb2.ON_CLOSE_OVERFLOW:
        raise InvalidInput(f"{what}: on_close_overflow_to {pb.on_close_overflow_to!r} needs on_close OVERFLOW")


def queue_dict_from_pb(pb: model_pb2.Queue) -> dict[str, Any]:
    d: dict[str, Any] = {"name": pb.name, "aging_rate": pb.aging_rate}
    for name in ("sl_target", "sl_threshold", "aging_max", "max_waiting", "callbacks_per_free_agent"):
        if pb.HasField(name):
            d[name] = getattr(pb, name)
    if pb.ordering:
        if pb.ordering not in ORDERING_FROM_PB:
            raise InvalidInput(f"queue {pb.name!r}: ordering {_enum_name(model_pb2.QueueOrdering, pb.ordering)} "
                               "is not one of QUEUE_ORDERING_PRIORITY, QUEUE_ORDERING_LIFO, "
                               "QUEUE_ORDERING_GREATEST_NEED")
        d["ordering"] = ORDERING_FROM_PB[pb.ordering]
    if pb.overflow_to or pb.HasField("overflow_after"):
        if not (pb.overflow_to and pb.HasField("overflow_after")):
            raise InvalidInput(f"queue {pb.name!r}: set overflow_to and overflow_after together")
        d["overflow"] = {"to": pb.overflow_to, "after": pb.overflow_after}
    _hours_from_pb(pb, d)
    if pb.rules:
        d["rules"] = [_rule_from_pb(r, pb.name) for r in pb.rules]
    return d


def profile_dict_to_pb(d: Mapping[str, Any]) -> model_pb2.RoutingProfile:
    what = f"routing profile {d.get('name')!r}"
    _carried(what, d, _PROFILE)
    pb = model_pb2.RoutingProfile(name=d["name"])
    for q in d["queues"]:
        _carried(what, q, _PROFILE_QUEUE)
        pb.queues.add(queue=q["queue"], priority=q["priority"], delay=q["delay"])
    return pb


def profile_dict_from_pb(pb: model_pb2.RoutingProfile) -> dict[str, Any]:
    return {"name": pb.name, "queues": [{"queue": q.queue, "priority": q.priority, "delay": q.delay}
                                        for q in pb.queues]}


def channel_from_pb(pb: model_pb2.Channel) -> Channel:
    return Channel.from_dict(channel_dict_from_pb(pb))


def channel_to_pb(c: Channel) -> model_pb2.Channel:
    return channel_dict_to_pb(c.to_dict())


def queue_from_pb(pb: model_pb2.Queue) -> Queue:
    return Queue.from_dict(queue_dict_from_pb(pb))


def queue_to_pb(q: Queue) -> model_pb2.Queue:
    return queue_dict_to_pb(q.to_dict())


def _policy_to_pb(pb: model_pb2.RouterConfig, policy: Any) -> None:
    if isinstance(policy, str):
        pb.policy = policy
    elif isinstance(policy, Mapping) and set(policy) == {"chain"}:
        pb.policy_chain.extend(policy["chain"])
    elif isinstance(policy, Mapping) and set(policy) == {"weighted"}:
        pb.policy_weights.update(policy["weighted"])
    else:
        raise InvalidInput(f"policy {policy!r} cannot be carried by the protocol")


def _policy_from_pb(pb: model_pb2.RouterConfig) -> Any:
    given = [n for n, v in (("policy", pb.policy), ("policy_chain", pb.policy_chain),
                            ("policy_weights", pb.policy_weights)) if v]
    if len(given) > 1:
        raise InvalidInput(f"{given[0]} and {given[1]} are both set; give one policy")
    if pb.policy_chain:
        return {"chain": list(pb.policy_chain)}
    if pb.policy_weights:
        return {"weighted": dict(pb.policy_weights)}
    return pb.policy or "longest_idle"


def settings_dict_to_pb(d: Mapping[str, Any]) -> model_pb2.RouterConfig:
    """A configuration record (``RouterSettings.to_dict()``) as a message."""
    _carried("configuration", d, _CONFIG)
    if d["plugin"] is not None:
        raise InvalidInput(f"plugin {d['plugin']!r} cannot be carried by the protocol (a server runs built-in "
                           "policies only)")
    pb = model_pb2.RouterConfig(
        channels=[channel_dict_to_pb(c) for c in d["channels"]],
        queues=[queue_dict_to_pb(q) for q in d["queues"]],
        routing_profiles=[profile_dict_to_pb(p) for p in d["routing_profiles"]],
        seed=d["seed"], affinity=d["affinity"], affinity_wait=d["affinity_wait"],
        missed_offer_state=d["missed_offer_state"], condition_interval=d["condition_interval"],
    )
    _policy_to_pb(pb, d["policy"])
    for name in ("offer_timeout", "batch_window"):
        if d[name] is not None:
            setattr(pb, name, d[name])
    if d.get("epoch", 0.0) != 0.0:
        pb.epoch = d["epoch"]
    if d["retain_finished"] is None:
        pb.retain_all_finished = True
    else:
        pb.retain_finished = d["retain_finished"]
    if d["exclusion_expires_after"] is None:
        pb.exclusions_never_expire = True
    else:
        pb.exclusion_expires_after = d["exclusion_expires_after"]
    return pb


def settings_dict_from_pb(pb: model_pb2.RouterConfig) -> dict[str, Any]:
    """The configuration record of a message (defaults for what is unset)."""
    d: dict[str, Any] = {
        "channels": [channel_dict_from_pb(c) for c in pb.channels],
        "queues": [queue_dict_from_pb(q) for q in pb.queues],
        "routing_profiles": [profile_dict_from_pb(p) for p in pb.routing_profiles],
        "policy": _policy_from_pb(pb),
        "seed": pb.seed,
        "affinity_wait": pb.affinity_wait,
        "missed_offer_state": pb.missed_offer_state or "away",
        "exclusion_expires_after": _exclusion_expiry(pb),
        "retain_finished": _retained(pb),
    }
    for name in ("offer_timeout", "affinity", "condition_interval", "batch_window", "epoch"):
        if pb.HasField(name):
            d[name] = getattr(pb, name)
    return d


def settings_from_pb(pb: model_pb2.RouterConfig) -> RouterSettings:
    return RouterSettings.from_dict(settings_dict_from_pb(pb))


def settings_to_pb(s: RouterSettings) -> model_pb2.RouterConfig:
    return settings_dict_to_pb(s.to_dict())


def _exclusion_expiry(pb: model_pb2.RouterConfig) -> Optional[float]:
    if pb.exclusions_never_expire:
        if pb.HasField("exclusion_expires_after"):
            raise InvalidInput("exclusion_expires_after is set but exclusions_never_expire is true")
        return None
    return pb.exclusion_expires_after if pb.HasField("exclusion_expires_after") else DEFAULT_EXCLUSION_EXPIRY


def _retained(pb: model_pb2.RouterConfig) -> Optional[int]:
    if pb.retain_all_finished:
        if pb.HasField("retain_finished"):
            raise InvalidInput("retain_finished is set but retain_all_finished is true")
        return None
    return pb.retain_finished if pb.HasField("retain_finished") else DEFAULT_RETAIN_FINISHED


# -- inputs ------------------------------------------------------------------------
def agent_from_pb(pb: model_pb2.Agent) -> Agent:
    kw: dict[str, Any] = {}
    if pb.skills:
        kw["skills"] = dict(pb.skills)
    if pb.HasField("capacity"):
        kw["capacity"] = pb.capacity
    if pb.channels or pb.only_listed_channels:
        kw["channels"] = dict(pb.channels)
    if pb.attributes:
        kw["attributes"] = attributes_from_pb(pb.attributes)
    if pb.HasField("routing_profile"):
        kw["routing_profile"] = pb.routing_profile
    kw["state"] = state_from_pb(pb.state, f"agent {pb.id!r}", default="available")
    return Agent(pb.id, **kw)


def agent_to_pb(a: Agent) -> model_pb2.Agent:
    pb = model_pb2.Agent(id=a.id, skills=a.skills, capacity=a.capacity, state=STATE_TO_PB[a.state])  # type: ignore[arg-type]
    if a.channels is not None:
        pb.channels.update(a.channels)
        pb.only_listed_channels = True
    if a.routing_profile is not None:
        pb.routing_profile = a.routing_profile
    attributes_to_pb(pb.attributes, a.attributes)
    return pb


def condition_from_pb(pb: model_pb2.StepCondition) -> Any:
    kind = pb.WhichOneof("kind")
    if kind is None:
        raise InvalidInput("step condition has no kind (set one of no_agent_available, queue_longer_than, "
                           "longest_wait_above)")
    if kind == "no_agent_available":
        if not pb.no_agent_available:
            raise InvalidInput("step condition no_agent_available must be true when set")
        return "no_agent_available"
    return {kind: getattr(pb, kind)}


def condition_to_pb(when: Any) -> model_pb2.StepCondition:
    if when == "no_agent_available":
        return model_pb2.StepCondition(no_agent_available=True)
    (kind, value), = when.items()
    return model_pb2.StepCondition(**{kind: value})


def step_from_pb(pb: model_pb2.Step) -> Step:
    return Step(pb.after, dict(pb.requires), condition_from_pb(pb.when) if pb.HasField("when") else None,
                pb.selector if pb.HasField("selector") else None, pb.replace_selector)


def step_to_pb(step: model_pb2.Step, s: Mapping[str, Any]) -> None:
    _carried("step", s, frozenset({"after", "requires", "when", "selector", "replace_selector"}))
    step.after = s["after"]
    step.requires.update(s["requires"])
    if s.get("when") is not None:
        step.when.CopyFrom(condition_to_pb(s["when"]))
    if s.get("selector") is not None:
        step.selector = s["selector"]
    step.replace_selector = bool(s.get("replace_selector"))


def contact_from_pb(pb: model_pb2.Contact) -> Contact:
    kw: dict[str, Any] = {}
    if pb.requires:
        kw["requires"] = dict(pb.requires)
    if pb.prefers:
        kw["prefers"] = dict(pb.prefers)
    if pb.HasField("customer"):
        kw["customer"] = pb.customer
    if pb.HasField("preferred_agent"):
        kw["preferred_agent"] = pb.preferred_agent
    if pb.preferred_wait:
        kw["preferred_wait"] = pb.preferred_wait
    if pb.steps:
        kw["steps"] = [step_from_pb(s) for s in pb.steps]
    if pb.attributes:
        kw["attributes"] = attributes_from_pb(pb.attributes)
    if pb.HasField("not_before"):
        kw["not_before"] = pb.not_before
    if pb.HasField("callback"):
        kw["callback"] = callback_from_pb(pb.callback)
    if pb.selector:
        kw["selector"] = pb.selector
    if pb.selectors:
        kw["selectors"] = [clause_from_pb(s, f"contact {pb.id!r}: selectors[{i}]") for i, s in enumerate(pb.selectors)]
    if pb.preferences:
        kw["preferences"] = [preference_from_pb(p) for p in pb.preferences]
    return Contact(pb.id, pb.channel, pb.queue, pb.priority, **kw)


#: A callback's fields with the engine's defaults.
_CALLBACK_DEFAULTS: dict[str, Any] = _ccroute.normalize_contact_update({"callback": {}})["callback"]


def callback_from_pb(pb: model_pb2.Callback) -> dict[str, Any]:
    """A callback in its full plain-data form (the engine's defaults where
    not set)."""
    return {name: getattr(pb, name) if pb.HasField(name) else default
            for name, default in _CALLBACK_DEFAULTS.items()}


def callback_to_pb(pb: model_pb2.Callback, d: Mapping[str, Any]) -> None:
    _carried("callback", d, frozenset({"number_of_attempts", "retry_after", "not_before"}))
    pb.SetInParent()
    for name in ("number_of_attempts", "retry_after", "not_before"):
        if d.get(name) is not None:
            setattr(pb, name, d[name])


def contact_to_pb(c: Contact) -> model_pb2.Contact:
    pb = model_pb2.Contact(id=c.id, channel=c.channel, queue=c.queue, priority=c.priority)
    requires = c.requires
    if requires:
        pb.requires.update(requires)
    prefers = c.prefers
    if prefers:
        pb.prefers.update(prefers)
    if c.customer is not None:
        pb.customer = c.customer
    if c.preferred_agent is not None:
        pb.preferred_agent = c.preferred_agent
    if c.preferred_wait:
        pb.preferred_wait = c.preferred_wait
    for s in c.steps:
        step_to_pb(pb.steps.add(), s.to_dict())
    pb.selector = c.selector
    for i, cl in enumerate(c.selectors):
        clause_to_pb(pb.selectors.add(), cl, f"contact {c.id!r}: selectors[{i}]")
    for i, p in enumerate(c.preferences):
        preference_to_pb(pb.preferences.add(), p, f"contact {c.id!r}: preferences[{i}]")
    attrs = c.attributes
    if attrs:
        attributes_to_pb(pb.attributes, attrs)
    if c.not_before is not None:
        pb.not_before = c.not_before
    callback = c.callback
    if callback is not None:
        callback_to_pb(pb.callback, callback)
    return pb


def _given(normalize: Callable[[Mapping[str, Any]], dict[str, Any]], given: Mapping[str, Any]) -> dict[str, Any]:
    record = normalize({k: v for k, v in given.items() if v is not None})
    return {k: v for k, v in record.items() if v is not None}


def update_record(**given: Any) -> dict[str, Any]:
    """A contact update's arguments (``None``: not given), checked as the
    engine reads them (``InvalidInput`` naming the field), in plain data
    holding the fields given: the form the log and the protocol carry."""
    return _given(_ccroute.normalize_contact_update, given)


def transfer_record(**given: Any) -> dict[str, Any]:
    """A transfer's arguments (``None``: not given), checked as the engine
    reads them, in plain data holding the fields given (mode and
    ``keep_age`` always, their defaults filled in)."""
    return _given(_ccroute.normalize_transfer, given)


#: Fields of a contact update record (``_ccroute.normalize_contact_update``).
_UPDATE = frozenset({"priority", "requires", "prefers", "steps", "attributes", "age_offset", "if_version",
                     "callback", "selector", "preferences"})
#: The update's maps and lists: given when their ``has_`` flag is set or they are not empty.
_UPDATE_FLAGGED = ("requires", "prefers", "steps", "attributes", "preferences")


def contact_update_to_pb(d: Mapping[str, Any]) -> model_pb2.ContactUpdate:
    """A contact update in plain data (the fields given; ``None`` or absent:
    not given) as a message."""
    _carried("contact update", d, _UPDATE)
    pb = model_pb2.ContactUpdate()
    for name in ("priority", "age_offset", "if_version"):
        if d.get(name) is not None:
            setattr(pb, name, d[name])
    for name in ("requires", "prefers"):
        if d.get(name) is not None:
            getattr(pb, name).update(d[name])
    if d.get("steps") is not None:
        for s in d["steps"]:
            step_to_pb(pb.steps.add(), s.to_dict() if isinstance(s, Step) else s)
    if d.get("selector") is not None:
        pb.selector = d["selector"]
    if d.get("preferences") is not None:
        for i, p in enumerate(d["preferences"]):
            preference_to_pb(pb.preferences.add(), p, f"contact update: preferences[{i}]")
    if d.get("attributes") is not None:
        attributes_to_pb(pb.attributes, d["attributes"])
    for name in _UPDATE_FLAGGED:
        if d.get(name) is not None:
            setattr(pb, f"has_{name}", True)
    if d.get("callback") is not None:
        callback_to_pb(pb.callback, d["callback"])
    return pb


def contact_update_from_pb(pb: model_pb2.ContactUpdate) -> dict[str, Any]:
    """The fields a message gives, in plain data (the form
    ``Router.update_contact`` takes as keyword arguments)."""
    d: dict[str, Any] = {}
    for name in ("priority", "age_offset", "if_version"):
        if pb.HasField(name):
            d[name] = getattr(pb, name)
    given = {name: getattr(pb, f"has_{name}") or len(getattr(pb, name)) > 0 for name in _UPDATE_FLAGGED}
    if given["requires"]:
        d["requires"] = dict(pb.requires)
    if given["prefers"]:
        d["prefers"] = dict(pb.prefers)
    if given["steps"]:
        d["steps"] = [step_from_pb(s).to_dict() for s in pb.steps]
    if given["attributes"]:
        d["attributes"] = attributes_from_pb(pb.attributes)
    if pb.HasField("callback"):
        d["callback"] = callback_from_pb(pb.callback)
    if pb.HasField("selector"):
        d["selector"] = pb.selector
    if given["preferences"]:
        d["preferences"] = [preference_from_pb(p) for p in pb.preferences]
    return d


#: Fields of a transfer record (``_ccroute.normalize_transfer``).
_TRANSFER = frozenset({"queue", "agent", "mode", "keep_age", "requires", "channel"})
_MODE_TO_PB = {"cold": model_pb2.TRANSFER_MODE_COLD, "warm": model_pb2.TRANSFER_MODE_WARM}
_MODE_FROM_PB = {model_pb2.TRANSFER_MODE_UNSPECIFIED: "cold", **{v: k for k, v in _MODE_TO_PB.items()}}


def transfer_to_pb(d: Mapping[str, Any]) -> model_pb2.TransferSpec:
    """A transfer in plain data (the fields given; ``None`` or absent: not
    given, the mode cold and ``keep_age`` true by default) as a message."""
    _carried("transfer", d, _TRANSFER)
    pb = model_pb2.TransferSpec()
    for name in ("queue", "agent", "channel", "keep_age"):
        if d.get(name) is not None:
            setattr(pb, name, d[name])
    mode = d.get("mode") or "cold"
    if mode not in _MODE_TO_PB:
        raise InvalidInput(f"transfer: unknown mode {mode!r}: expected 'cold' or 'warm'")
    pb.mode = _MODE_TO_PB[mode]  # type: ignore[assignment]
    if d.get("requires") is not None:
        pb.requires.update(d["requires"])
        pb.has_requires = True
    return pb


def transfer_from_pb(pb: model_pb2.TransferSpec) -> dict[str, Any]:
    """The fields a message gives, in plain data (the keyword arguments of
    ``Router.transfer``)."""
    if pb.mode not in _MODE_FROM_PB:
        raise InvalidInput(f"transfer: unknown mode {pb.mode} (a newer client?)")
    d: dict[str, Any] = {"mode": _MODE_FROM_PB[pb.mode]}
    for name in ("queue", "agent", "channel", "keep_age"):
        if pb.HasField(name):
            d[name] = getattr(pb, name)
    if pb.has_requires or len(pb.requires) > 0:
        d["requires"] = dict(pb.requires)
    return d


#: Callback outcomes, by name and by message value.
OUTCOME_TO_PB: dict[str, int] = {"answered": router_pb2.CALLBACK_OUTCOME_ANSWERED,
                                 "no_answer": router_pb2.CALLBACK_OUTCOME_NO_ANSWER,
                                 "busy": router_pb2.CALLBACK_OUTCOME_BUSY}
OUTCOME_FROM_PB: dict[int, str] = {v: k for k, v in OUTCOME_TO_PB.items()}


def check_outcome(outcome: str) -> str:
    """A callback outcome's name, checked (``InvalidInput`` naming it)."""
    if outcome not in OUTCOME_TO_PB:
        raise InvalidInput(f"unknown callback outcome {outcome!r}: expected 'answered', 'no_answer' or 'busy'")
    return outcome


def outcome_from_pb(value: int) -> str:
    """A callback outcome's name; ``InvalidInput`` for an unset or unknown value."""
    if value not in OUTCOME_FROM_PB:
        raise InvalidInput(f"callback outcome {value} is not answered (1), no_answer (2) or busy (3)")
    return OUTCOME_FROM_PB[value]


# -- events --------------------------------------------------------------------------
def _event_makers() -> dict[type, Callable[[int, Any], events_pb2.Event]]:
    """One function per event class: (sequence, event) -> pb Event."""
    makers: dict[type, Callable[[int, Any], events_pb2.Event]] = {}
    for field in events_pb2.Event.DESCRIPTOR.oneofs_by_name["kind"].fields:
        msg_cls = getattr(events_pb2, field.message_type.name)
        names = tuple(f.name for f in field.message_type.fields)
        py_cls = getattr(_ccroute, field.message_type.name, None)
        if py_cls is None:  # a service event: converted below
            continue

        def make(seq: int, e: Any, _f: str = field.name, _m: Any = msg_cls, _n: tuple[str, ...] = names) -> Any:
            return events_pb2.Event(sequence=seq, **{_f: _m(**{n: getattr(e, n) for n in _n})})

        makers[py_cls] = make
    # The hot one, written out.
    Assigned = events_pb2.Assigned

    def assigned(seq: int, e: Any) -> events_pb2.Event:
        return events_pb2.Event(sequence=seq, assigned=Assigned(
            contact=e.contact, agent=e.agent, at=e.at, wait=e.wait, queue=e.queue, channel=e.channel))

    makers[_ccroute.Assigned] = assigned
    St = STATE_TO_PB
    makers[catalogue.Queued] = lambda seq, e: events_pb2.Event(sequence=seq, queued=events_pb2.Queued(
        contact=e.contact, queue=e.queue, channel=e.channel, priority=e.priority, at=e.at))
    makers[catalogue.AgentStateChanged] = lambda seq, e: events_pb2.Event(
        sequence=seq, agent_state_changed=events_pb2.AgentStateChanged(
            agent=e.agent, state=St[e.state], previous=St[e.previous], reason=e.reason, at=e.at))  # type: ignore[arg-type]
    makers[catalogue.AgentAdded] = lambda seq, e: events_pb2.Event(sequence=seq, agent_added=events_pb2.AgentAdded(
        agent=e.agent, state=St[e.state], at=e.at))  # type: ignore[arg-type]
    makers[catalogue.AgentUpdated] = lambda seq, e: events_pb2.Event(
        sequence=seq, agent_updated=events_pb2.AgentUpdated(agent=e.agent, at=e.at))
    makers[catalogue.AgentRemoved] = lambda seq, e: events_pb2.Event(
        sequence=seq, agent_removed=events_pb2.AgentRemoved(agent=e.agent, at=e.at))
    makers[catalogue.ConfigChanged] = lambda seq, e: events_pb2.Event(
        sequence=seq, config_changed=events_pb2.ConfigChanged(config=settings_to_pb(e.settings), at=e.at))
    return makers


_TO_PB = _event_makers()


def event_to_pb(r: EventRecord) -> events_pb2.Event:
    """The protobuf form of a record, made once and cached on it."""
    pb = r.wire
    if pb is None:
        pb = r.wire = _TO_PB[type(r.event)](r.sequence, r.event)
        if r.wall:
            pb.wall_time = r.wall
    return pb


def events_to_pb(records: Any) -> list[events_pb2.Event]:
    return [event_to_pb(r) for r in records]


#: The optional fields of the engine's events (which queue and channel),
#: per class; ``None``: the rest.
_WHERE: dict[Any, tuple[str, ...]] = {
    None: ("queue", "channel"),
    _ccroute.Overflowed: ("channel",),
    _ccroute.Refused: ("channel",),
    _ccroute.Transferred: ("channel", "to_agent"),
}


def _event_readers() -> dict[str, Callable[[Any], Any]]:
    """Per event kind, a reader into the engine's event classes (or, for
    the service's own events, those of ``catalogue``)."""
    readers: dict[str, Callable[[Any], Any]] = {}
    for field in events_pb2.Event.DESCRIPTOR.oneofs_by_name["kind"].fields:
        names = tuple(f.name for f in field.message_type.fields)
        py_cls = getattr(_ccroute, field.message_type.name, None)
        if py_cls is None:  # a service event: read below
            continue

        def read(m: Any, _c: Any = py_cls, _n: tuple[str, ...] = names) -> Event:
            # An event from a server that does not send its queue and channel
            # reads as one that leaves them out (it matches any).
            args = {n: getattr(m, n) for n in _n}
            for n in _WHERE.get(_c, _WHERE[None]):
                args[n] = args[n] or None
            return _c(**args)  # type: ignore[no-any-return]

        readers[field.name] = read
    Sf = STATE_FROM_PB
    readers["callback_scheduled"] = lambda m: _ccroute.CallbackScheduled(
        contact=m.contact, not_before=m.not_before if m.HasField("not_before") else None, at=m.at,
        queue=m.queue or None, channel=m.channel or None)
    readers["queued"] = lambda m: catalogue.Queued(m.contact, m.queue, m.channel, m.priority, m.at)
    readers["agent_state_changed"] = lambda m: catalogue.AgentStateChanged(
        m.agent, Sf[m.state], Sf[m.previous], m.reason, m.at)
    readers["agent_added"] = lambda m: catalogue.AgentAdded(m.agent, Sf[m.state], m.at)
    readers["agent_updated"] = lambda m: catalogue.AgentUpdated(m.agent, m.at)
    readers["agent_removed"] = lambda m: catalogue.AgentRemoved(m.agent, m.at)
    readers["config_changed"] = lambda m: catalogue.ConfigChanged(settings_from_pb(m.config), m.at)
    return readers


_FROM_PB = _event_readers()


def event_from_pb(pb: events_pb2.Event) -> tuple[int, Event]:
    """(sequence, ccroute event) of a protobuf event."""
    kind = pb.WhichOneof("kind")
    if kind is None:
        raise InvalidInput(f"event {pb.sequence} has no kind (a newer server?)")
    return pb.sequence, _FROM_PB[kind](getattr(pb, kind))


# -- views ------------------------------------------------------------------------------
_STATS_FIELDS = ("name", "waiting", "offering", "longest_wait", "callbacks_waiting", "callbacks_calling", "scheduled",
                 "entered",
                 "answered", "answered_in_sl", "abandoned", "abandoned_in_sl", "completed", "overflowed_in",
                 "overflowed_out", "refused", "missed_offers", "transferred_in", "transferred_out",
                 "transfers_failed", "callback_calls", "callbacks_failed", "sl_target", "sl_threshold",
                 "refused_closed", "held", "exceptions", "cancelled", "open", "paused")
_STATS_OPTIONAL = ("service_level", "asa", "abandon_rate")


def queue_stats_to_pb(s: QueueStats) -> views_pb2.QueueStats:
    pb = views_pb2.QueueStats(**{n: getattr(s, n) for n in _STATS_FIELDS})
    for n in _STATS_OPTIONAL:
        v = getattr(s, n)
        if v is not None:
            setattr(pb, n, v)
    return pb


def agent_view_to_pb(v: AgentView) -> views_pb2.AgentView:
    """An agent's view."""
    pb = views_pb2.AgentView(
        id=v.id, state=STATE_TO_PB[v.state], skills=v.skills, capacity=v.capacity,  # type: ignore[arg-type]
        used=v.used, load=v.load, contacts=v.contacts, paused=v.paused, held=v.held, max=v.max,
        wrap_ups=v.wrap_ups, handled=v.handled, idle_since=v.idle_since, busy=v.busy,
    )
    attributes_to_pb(pb.attributes, v.attributes)
    if v.routing_profile is not None:
        pb.routing_profile = v.routing_profile
    if v.reason is not None:
        pb.reason = v.reason
    pb.state_since = v.state_since
    return pb


def explanation_to_pb(v: Any) -> views_pb2.Explanation:
    """``Router.explain``'s answer."""
    pb = views_pb2.Explanation(
        contact=v.contact, status=STATUS_TO_PB[v.status], queue=v.queue, channel=v.channel,  # type: ignore[arg-type]
        queue_waiting=v.queue_waiting, requires=v.requires, step=v.step, eligible=v.eligible,
        ineligible=v.ineligible, selector=v.selector,
    )
    for clause, n in v.selector_clauses.items():
        pb.selector_clauses.add(clause=clause, excluded=n)
    if v.position is not None:
        pb.position = v.position
    if v.waits_for is not None:
        pb.waits_for = v.waits_for
    if v.agent is not None:
        pb.agent = v.agent
    if v.next_timer is not None:
        pb.next_timer.at, pb.next_timer.what = v.next_timer["at"], v.next_timer["what"]
    return pb


def contact_view_to_pb(v: ContactView) -> views_pb2.ContactView:
    pb = views_pb2.ContactView(
        id=v.id, status=STATUS_TO_PB[v.status], channel=v.channel, queue=v.queue,  # type: ignore[arg-type]
        arrival=v.arrival, wait=v.wait, requires=v.requires, step=v.step, version=v.version,
    )
    if v.priority is not None:
        pb.priority = v.priority
    if v.agent is not None:
        pb.agent = v.agent
    attributes_to_pb(pb.attributes, v.attributes)
    return pb


def agent_counts_to_pb(c: Any) -> router_pb2.AgentsByState:
    return router_pb2.AgentsByState(offline=c.offline, available=c.available, away=c.away,
                                    busy=c.busy, idle=c.idle)
