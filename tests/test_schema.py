"""One model, lossless everywhere.

The engine's records (``X.to_dict()``) are the schema. Every other form is
checked against them here: the proto messages field by field, and round
trips through the protocol, the server's YAML, the write-ahead log and the
snapshot over records with every field non-default somewhere. A field the
engine gains fails these tests until every form carries it.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ccroute as cc
from ccroute import _ccroute
from ccroute.errors import InvalidInput
from ccroute.server import commands as cmd
from ccroute.server import wire
from ccroute.server.config import RouterSettings, parse_config
from ccroute.server.persistence import codec
from ccroute.v1 import model_pb2

# -- the schema ------------------------------------------------------------------
CHANNEL = cc.Channel("voice").to_dict()
QUEUE = cc.Queue("q").to_dict()
PROFILE = cc.RoutingProfile("p", {"q": 1}).to_dict()
AGENT = cc.Agent("a").to_dict()
STEP = cc.Step(1.0).to_dict()
CONTACT = cc.Contact("c", "voice", "q").to_dict()
CLAUSE = cc.Contact("c", "voice", "q", selectors=[{"key": "k", "op": "equal", "value": 1}]).selectors[0]
PREFERENCE = cc.Contact("c", "voice", "q", preferences=[{"selector": "agent.k == 1"}]).preferences[0]
CONFIG = _ccroute.normalize_config({"channels": [CHANNEL], "queues": [QUEUE]})
UPDATE = _ccroute.normalize_contact_update({})
#: Fields of a contact update that a message spells with a `has_` flag (a
#: map or list cannot say "given, and empty" by itself).
FLAGGED = ("requires", "prefers", "steps", "attributes", "preferences")
TRANSFER = _ccroute.normalize_transfer({})

# Record field -> the proto fields that carry it. Where the protocol spells a
# value in more than one field (an option with a "none" flag, the policy's
# three forms), all are listed.
PROTO_FIELDS: dict[str, tuple[Any, dict[str, tuple[str, ...]]]] = {
    "channel": (model_pb2.Channel, {k: (k,) for k in CHANNEL}),
    "queue": (model_pb2.Queue, {**{k: (k,) for k in QUEUE if k not in ("overflow", "closed_action", "on_close")},
                                "overflow": ("overflow_to", "overflow_after"),
                                "closed_action": ("closed_action", "closed_overflow_to"),
                                "on_close": ("on_close", "on_close_overflow_to", "on_close_callback"),
                                "rules": ("rules",)}),
    "routing_profile": (model_pb2.RoutingProfile, {"name": ("name",), "queues": ("queues",)}),
    "profile_queue": (model_pb2.ProfileQueue, {k: (k,) for k in PROFILE["queues"][0]}),
    "agent": (model_pb2.Agent, {**{k: (k,) for k in AGENT if k != "channels"},
                                "channels": ("channels", "only_listed_channels")}),
    "step": (model_pb2.Step, {k: (k,) for k in STEP}),
    "contact": (model_pb2.Contact, {k: (k,) for k in CONTACT}),
    "selector_clause": (model_pb2.SelectorClause, {k: (k,) for k in CLAUSE}),
    "preference": (model_pb2.Preference, {k: (k,) for k in PREFERENCE}),
    "contact_update": (model_pb2.ContactUpdate, {**{k: (k,) for k in UPDATE if k not in FLAGGED},
                                                 **{k: (k, f"has_{k}") for k in FLAGGED}}),
    "transfer": (model_pb2.TransferSpec, {**{k: (k,) for k in TRANSFER if k != "requires"},
                                          "requires": ("requires", "has_requires")}),
    "config": (model_pb2.RouterConfig, {
        **{k: (k,) for k in CONFIG if k not in ("policy", "retain_finished", "exclusion_expires_after", "plugin")},
        "policy": ("policy", "policy_chain", "policy_weights"),
        "retain_finished": ("retain_finished", "retain_all_finished"),
        "exclusion_expires_after": ("exclusion_expires_after", "exclusions_never_expire"),
        # A server runs built-in policies only: a plug-in name is refused
        # by the converter (tested below), never dropped.
        "plugin": (),
    }),
}
RECORDS = {"channel": CHANNEL, "queue": QUEUE, "routing_profile": PROFILE, "profile_queue": PROFILE["queues"][0],
           "agent": AGENT, "step": STEP, "contact": CONTACT, "contact_update": UPDATE, "transfer": TRANSFER,
           "selector_clause": CLAUSE, "preference": PREFERENCE,
           "config": CONFIG}


def test_every_contact_status_has_its_proto_value_and_no_value_is_extra() -> None:
    from ccroute.v1 import views_pb2

    proto = {v.name.removeprefix("CONTACT_STATUS_").lower() for v in views_pb2.ContactStatus.DESCRIPTOR.values}
    assert proto - {"unspecified"} == set(_ccroute.contact_statuses())


@pytest.mark.parametrize("name", sorted(PROTO_FIELDS))
def test_every_record_field_has_its_proto_fields_and_no_proto_field_is_extra(name: str) -> None:
    message, table = PROTO_FIELDS[name]
    assert set(table) == set(RECORDS[name]), f"{name}: the record's fields changed; carry them in {message.__name__}"
    proto = {f.name for f in message.DESCRIPTOR.fields}
    carried = {p for ps in table.values() for p in ps}
    assert carried <= proto, f"{message.__name__} lacks {sorted(carried - proto)}"
    assert proto <= carried, f"{message.__name__} has fields no record field maps to: {sorted(proto - carried)}"


def test_the_server_yaml_takes_every_field_of_the_router_configuration() -> None:
    assert set(RouterSettings.fields()) == set(CONFIG)


# -- strategies: every field non-default somewhere --------------------------------------
names = st.text("abcdefgh", min_size=1, max_size=6)
seconds = st.floats(0, 1e6, allow_nan=False, allow_infinity=False)
levels = st.dictionaries(names, st.integers(1, 10), max_size=3)
attr_values = st.one_of(st.booleans(), st.integers(-(2**63), 2**63 - 1),
                        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=5),
                        st.lists(st.text(max_size=4), max_size=3))
selector_texts = st.sampled_from(["", "agent.tenure > 3", 'agent.langs HAS "es" OR NOT skill.x >= 2',
                                  'agent.team IN ["a", "b\\"c"] AND agent.vip == true', "agent.score <= -1.5"])
clauses = st.builds(
    lambda key, op_value, expires, expedite: _checked(CLAUSE, {"key": key, "op": op_value[0], "value": op_value[1],
                                                              "expires_after": expires, "expedite": expedite}),
    st.sampled_from(["team", "agent.tenure", "skill.x"]),
    st.sampled_from([("equal", 2), ("not_equal", 3), ("less_than", 1.5), ("greater_than_or_equal", 4),
                     ("less_than_or_equal", 0), ("greater_than", -2)]),
    st.none() | st.floats(0, 1e6), st.booleans())
preferences = st.builds(lambda sel, w: _checked(PREFERENCE, {"selector": sel, "weight": w}),
                        selector_texts.filter(bool), st.integers(1, 1000))
attrs = st.dictionaries(names, attr_values, max_size=3)
conditions = st.one_of(st.none(), st.just("no_agent_available"),
                       st.builds(lambda n: {"queue_longer_than": n}, st.integers(0, 10**6)),
                       st.builds(lambda t: {"longest_wait_above": t}, seconds))


def _checked(base: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    assert set(d) == set(base), f"strategy fields {sorted(d)} differ from the record's {sorted(base)}"
    return d


callbacks = st.builds(lambda n, retry, nb: {"number_of_attempts": n, "retry_after": retry, "not_before": nb},
                      st.integers(1, 2**32 - 1), st.floats(0, 10**6), st.none() | st.floats(0, 10**6))

steps = st.builds(lambda after, req, when, sel, replace: _checked(STEP, {
    "after": after, "requires": req, "when": when, "selector": sel, "replace_selector": replace}),
    seconds, levels, conditions, st.none() | selector_texts, st.booleans())


@st.composite
def contacts(draw: Any, channel: str = "voice", queue: str = "q") -> dict[str, Any]:
    return _checked(CONTACT, {
        "id": draw(names), "channel": channel, "queue": queue, "priority": draw(st.integers(-(2**63), 2**63 - 1)),
        "requires": draw(levels), "prefers": draw(levels), "customer": draw(st.none() | names),
        "preferred_agent": draw(st.none() | names), "preferred_wait": draw(seconds),
        "steps": draw(st.lists(steps, max_size=2)), "attributes": draw(attrs),
        "not_before": draw(st.none() | seconds), "callback": draw(st.none() | callbacks),
        "selector": draw(selector_texts), "selectors": draw(st.lists(clauses, max_size=2)),
        "preferences": draw(st.lists(preferences, max_size=2)),
    })


@st.composite
def updates(draw: Any) -> dict[str, Any]:
    """A contact update giving some fields (maps and lists empty at times),
    in its plain-data form: the fields given, as the engine writes them."""
    full = _checked(UPDATE, {
        "priority": draw(st.integers(-(2**63), 2**63 - 1)), "requires": draw(levels), "prefers": draw(levels),
        "steps": draw(st.lists(steps, max_size=2)), "attributes": draw(attrs), "age_offset": draw(seconds),
        "if_version": draw(st.integers(0, 2**64 - 1)), "callback": draw(callbacks),
        "selector": draw(selector_texts), "preferences": draw(st.lists(preferences, max_size=2)),
    })
    given = draw(st.sets(st.sampled_from(sorted(full))))
    record = _ccroute.normalize_contact_update({k: full[k] for k in given})
    return {k: v for k, v in record.items() if v is not None}


@st.composite
def agents(draw: Any, channels: tuple[str, ...] = ("voice",), profiles: tuple[str, ...] = ()) -> dict[str, Any]:
    return _checked(AGENT, {
        "id": draw(names), "skills": draw(levels), "capacity": draw(st.integers(1, 2**32 - 1)),
        "channels": draw(st.none() | st.dictionaries(st.sampled_from(channels), st.integers(0, 50))),
        "state": draw(st.sampled_from(["offline", "available", "away"])), "attributes": draw(attrs),
        "routing_profile": draw(st.none() | st.sampled_from(profiles)) if profiles else None,
    })


@st.composite
def configs(draw: Any) -> dict[str, Any]:
    chans = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    qnames = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    channels = [_checked(CHANNEL, {"name": n, "cost": draw(st.integers(1, 100)), "max_per_agent": draw(st.integers(1, 9)),
                                   "wrap_up": draw(seconds), "interruptible": draw(st.booleans())}) for n in chans]
    queues = []
    for n in qnames:
        ordering = draw(st.sampled_from(["priority", "lifo", "greatest_need"]))
        rate = draw(st.sampled_from([0.0, 0.5, 2.0])) if ordering != "lifo" else 0.0  # LIFO refuses aging
        others = qnames[qnames.index(n) + 1:]  # overflow only forward: no loops
        overflow = draw(st.none() | st.builds(lambda to, after: {"to": to, "after": after},
                                              st.sampled_from(others), seconds)) if others else None
        hours = draw(st.none() | st.builds(
            lambda tz, days, o, c, holiday: {
                "time_zone": tz, "weekly": [{"days": days, "open": o, "close": c}],
                "overrides": [{"date": holiday, "through": None, "hours": [], "name": "holiday"}]},
            st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"]),
            st.lists(st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"]), min_size=1, max_size=7,
                     unique=True),
            st.sampled_from(["00:00", "08:30", "22:00"]), st.sampled_from(["17:00", "24:00", "02:00"]),
            st.sampled_from(["2026-12-25", "2027-01-01"])))
        closed_action = (draw(st.sampled_from(["refuse", "hold"]
                                              + ([{"overflow": others[0]}] if others else [])))
                         if hours else "refuse")
        on_close = (draw(st.sampled_from(["keep", {"callback": {"number_of_attempts": 2, "retry_after": 60.0,
                                                                "not_before": None}}]
                                         + ([{"overflow": others[-1]}] if others else [])))
                    if hours else "keep")
        rules = draw(st.lists(st.builds(
            lambda trigger, action: {"trigger": trigger, "action": action},
            st.sampled_from([{"wait_longer_than": 30.0}, {"waiting_more_than": 5}, "no_agent_logged_in",
                             {"sl_below": {"fraction": 0.8, "window": 600.0}}]),
            st.sampled_from(["alert", "offer_callback", {"cancel": "busy"},
                             {"update": {"priority": 7, "requires": None}},
                             {"update": {"priority": None, "requires": {"abc": 3}}}]
                            + ([{"overflow": others[0]}] if others else []))), max_size=3))
        rules = [{"name": f"r{i}", **r} for i, r in enumerate(rules)]
        queues.append(_checked(QUEUE, {
            "rules": rules,
            "hours": hours, "closed_action": closed_action, "on_close": on_close,
            "name": n, "sl_target": draw(st.floats(0, 1)), "sl_threshold": draw(st.floats(0.5, 600)),
            "ordering": ordering, "aging_rate": rate,
            "aging_max": draw(st.none() | st.floats(0, 100)) if rate > 0 else None,
            "max_waiting": draw(st.none() | st.integers(0, 10**6)), "overflow": overflow,
            "callbacks_per_free_agent": draw(st.sampled_from([1.0, 0.25, 3.0])),
        }))
    profiles = [_checked(PROFILE, {"name": f"p{i}", "queues": [
        _checked(PROFILE["queues"][0], {"queue": q, "priority": draw(st.integers(-5, 5)), "delay": draw(seconds)})
        for q in draw(st.lists(st.sampled_from(qnames), min_size=1, unique=True))]})
        for i in range(draw(st.integers(0, 2)))]
    policy = draw(st.one_of(
        st.sampled_from(list(cc.POLICIES)),
        st.builds(lambda c: {"chain": c}, st.lists(st.sampled_from([p for p in cc.POLICIES if p != "random"]),
                                                   min_size=1, max_size=4)),
        st.builds(lambda w: {"weighted": w}, st.dictionaries(
            st.sampled_from(["skill", "preferred", "idle", "load", "handled", "free", "level:abc"]),
            st.floats(-10, 10), min_size=1)),
    ))
    return _checked(CONFIG, {
        "channels": channels, "queues": queues, "policy": policy,
        "offer_timeout": draw(st.none() | st.floats(0.5, 60)), "seed": draw(st.integers(0, 2**64 - 1)),
        "affinity": draw(st.booleans()), "affinity_wait": draw(seconds),
        "retain_finished": draw(st.none() | st.integers(0, 10**6)), "routing_profiles": profiles,
        "condition_interval": draw(st.floats(0.5, 60)), "batch_window": draw(st.none() | st.floats(0.5, 60)),
        "missed_offer_state": draw(st.sampled_from(["offline", "available", "away"])),
        "exclusion_expires_after": draw(st.none() | seconds), "plugin": None,
        "epoch": draw(st.sampled_from([0.0, 1796601600.0, 1.5e9])),
    })


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _normal(d: dict[str, Any]) -> dict[str, Any]:
    """A configuration as the engine writes it back (floats for seconds, ...)."""
    return _ccroute.normalize_config(d)


# -- round trips ------------------------------------------------------------------------
@SETTINGS
@given(configs())
def test_a_configuration_survives_the_protocol(d: dict[str, Any]) -> None:
    s = RouterSettings(d)
    back = wire.settings_from_pb(model_pb2.RouterConfig.FromString(wire.settings_to_pb(s).SerializeToString()))
    assert back.to_dict() == s.to_dict() == _normal(d)


@SETTINGS
@given(configs())
def test_a_configuration_survives_the_servers_yaml(d: dict[str, Any]) -> None:
    s = RouterSettings(d)
    text = yaml.safe_dump(s.to_dict(), sort_keys=False)
    assert parse_config(yaml.safe_load(text)).router == s


@SETTINGS
@given(configs())
def test_a_configuration_survives_the_log(d: dict[str, Any]) -> None:
    s = RouterSettings(d)
    (back,) = codec.decode_commands(codec.encode_commands([cmd.Configure(s)]))
    assert isinstance(back, cmd.Configure) and back.settings == s
    assert codec.settings_difference(s, back.settings) == []


@SETTINGS
@given(st.lists(contacts(), min_size=1, max_size=4), st.lists(agents(), min_size=1, max_size=3))
def test_contacts_and_agents_survive_the_protocol_and_the_log(cs: list[dict[str, Any]], ags: list[dict[str, Any]]) -> None:
    contacts_ = [cc.Contact.from_dict(c) for c in cs]
    agents_ = [cc.Agent.from_dict(a) for a in ags]
    for c, d in zip(contacts_, cs, strict=True):
        assert c.to_dict() == _ccroute.Contact.from_dict(d).to_dict()
        assert wire.contact_from_pb(model_pb2.Contact.FromString(wire.contact_to_pb(c).SerializeToString())) == c
    for a in agents_:
        assert wire.agent_from_pb(model_pb2.Agent.FromString(wire.agent_to_pb(a).SerializeToString())) == a
    logged = codec.decode_commands(codec.encode_commands(
        [cmd.Submit(tuple(contacts_), True, "k", None)] + [cmd.UpsertAgent(a, False) for a in agents_]))
    assert list(logged[0].contacts) == contacts_  # type: ignore[union-attr]
    assert [u.agent for u in logged[1:]] == agents_  # type: ignore[union-attr]


@SETTINGS
@given(updates())
def test_a_contact_update_survives_the_protocol_and_the_log(d: dict[str, Any]) -> None:
    pb = model_pb2.ContactUpdate.FromString(wire.contact_update_to_pb(d).SerializeToString())
    assert wire.contact_update_from_pb(pb) == d
    (logged,) = codec.decode_commands(codec.encode_commands([cmd.UpdateContact("c", d)]))
    assert logged == cmd.UpdateContact("c", d)


@st.composite
def transfers(draw: Any) -> dict[str, Any]:
    """A transfer giving some fields (requires empty at times), in the
    plain-data form the service logs: the fields given, mode and keep_age
    always."""
    full = _checked(TRANSFER, {"queue": draw(names), "agent": draw(names), "mode": draw(st.sampled_from(["cold", "warm"])),
                               "keep_age": draw(st.booleans()), "requires": draw(levels), "channel": draw(names)})
    given = draw(st.sets(st.sampled_from(sorted(full))))
    record = _ccroute.normalize_transfer({k: full[k] for k in given})
    return {k: v for k, v in record.items() if v is not None}


@SETTINGS
@given(transfers(), st.sampled_from(["answered", "no_answer", "busy"]))
def test_a_transfer_and_a_callback_outcome_survive_the_protocol_and_the_log(d: dict[str, Any], outcome: str) -> None:
    pb = model_pb2.TransferSpec.FromString(wire.transfer_to_pb(d).SerializeToString())
    assert wire.transfer_from_pb(pb) == d
    assert wire.outcome_from_pb(wire.OUTCOME_TO_PB[outcome]) == outcome
    commands = [cmd.Transfer("c", d), cmd.CallbackResult("c", outcome)]
    assert codec.decode_commands(codec.encode_commands(commands)) == commands


def test_a_transfer_the_protocol_cannot_carry_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInput, match="'priority'"):
        wire.transfer_to_pb({"queue": "q", "priority": 3})
    with pytest.raises(InvalidInput, match="mode 7"):
        wire.transfer_from_pb(model_pb2.TransferSpec(mode=7))  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="callback outcome 0"):
        wire.outcome_from_pb(0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs(), st.data())
def test_a_router_with_any_configuration_survives_its_snapshot(d: dict[str, Any], data: st.DataObject) -> None:
    r = cc.Router.from_config(d)
    chans = tuple(c["name"] for c in d["channels"])
    profiles = tuple(p["name"] for p in d["routing_profiles"])
    for i, a in enumerate(data.draw(st.lists(agents(chans, profiles), max_size=3))):
        r.add_agent(cc.Agent.from_dict({**a, "id": f"a{i}"}), 0.0)
    for i, c in enumerate(data.draw(st.lists(contacts(chans[0], d["queues"][0]["name"]), max_size=4))):
        try:
            r.submit(cc.Contact.from_dict({**c, "id": f"c{i}", "steps": [], "preferred_agent": None}), 1.0)
        except (cc.CapacityError, cc.QueueFull, InvalidInput):
            pass  # a full queue, a level the engine refuses: the state is what counts
    blob = r.snapshot()
    back = cc.Router.restore(blob)
    assert back.config() == r.config() == _normal(d)
    assert back.snapshot() == blob


# -- refusals name the field ------------------------------------------------------------
def test_a_form_that_cannot_carry_a_value_refuses_it_naming_the_field() -> None:
    d = {**CONFIG, "plugin": "my_policy"}
    with pytest.raises(InvalidInput, match="plugin"):
        RouterSettings(d)
    with pytest.raises(InvalidInput, match="plugin 'x' cannot be carried by the protocol"):
        wire.settings_dict_to_pb({**CONFIG, "plugin": "x"})
    with pytest.raises(InvalidInput, match="field 'colour' cannot be carried by the protocol"):
        wire.queue_dict_to_pb({**QUEUE, "colour": "red"})


@pytest.mark.parametrize(("data", "message"), [
    ({"queues": [{"name": "q", "ordering": "fifo"}]}, r"queues\[0\]\.ordering: unknown variant `fifo`"),
    ({"queues": [{"name": "q", "aging_max": "high"}]}, r"queues\[0\]\.aging_max: invalid type: string"),
    ({"affinity": "no"}, r"affinity: invalid type: string \"no\", expected a boolean"),
    ({"policy": {"chain": ["longest_idle", "fastest"]}}, r"policy\.chain\[1\]: unknown variant `fastest`"),
    ({"policy": {"weighted": {"speed": 1}}}, r"policy\.weighted: unknown feature \"speed\""),
    ({"routing_profiles": [{"name": "p", "queues": [{"queue": "q", "weight": 1}]}]},
     r"routing_profiles\[0\]\.queues\[0\]\.weight: unknown field `weight`"),
    ({"batch_window": float("nan")}, r"batch_window: NaN is not a finite number"),
])
def test_a_bad_configuration_names_the_field(data: dict[str, Any], message: str) -> None:
    d = {"channels": [{"name": "voice"}], "queues": [{"name": "q"}], **data}
    with pytest.raises(InvalidInput, match=message):
        parse_config(d, "router.yaml")
    with pytest.raises(InvalidInput, match=message):
        cc.Router.from_config(d)


def test_every_option_of_the_example_configuration_reaches_the_router() -> None:
    from ccroute.server.config import load_config

    conf = load_config("examples/router.yaml")
    r = conf.router.build()
    assert r.config() == conf.router.to_dict()
    assert {q.ordering for q in conf.router.queues} >= {"priority", "greatest_need"}
    assert conf.router.routing_profiles[0].name == "sales_team"
    assert conf.agents[0].routing_profile == "sales_team"
