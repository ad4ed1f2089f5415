"""The router's own records in a scenario.

A scenario's channels, queues, routing profiles and relaxation steps are
the engine's records, :class:`ccroute.Channel`, :class:`ccroute.Queue`,
:class:`ccroute.RoutingProfile` and :class:`ccroute.Step`, given as those
objects or as plain data in their ``to_dict()`` form (the names and forms
of the router's YAML). The engine reads them (``from_dict``), so every
field it has is a scenario field, with its defaults, and an unknown or
mistyped field is refused naming it (``queues[1].ordering: unknown variant
...``). A scenario file may also write the fields in seconds as durations
(``"90s"``, ``"15m"``). The policy is a built-in name, a
:class:`ccroute.policies.Chain` or :class:`~ccroute.policies.Weighted`, or
their plain form (``{chain: [names]}``, ``{weighted: {feature: weight}}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar, Union

from .._ccroute import Channel, Queue, RoutingProfile, Step, builtin_policies, normalize_config
from ..errors import InvalidInput
from ..policies import Chain, Weighted
from ._checks import _fail, parse_duration

__all__ = ["record", "PolicyArg", "policy_form", "policy_object"]

#: A record class of the engine that a scenario holds.
R = TypeVar("R", Channel, Queue, RoutingProfile, Step)

#: What a scenario's ``policy`` may be.
PolicyArg = Union[str, Chain, Weighted, Mapping[str, Any]]

# The fields in seconds, which a file may write as durations: `a.b` is
# field b of mapping a, `a[].b` field b of each item of list a.
_DURATIONS: dict[type, tuple[str, ...]] = {
    Channel: ("wrap_up",),
    Queue: ("sl_threshold", "overflow.after"),
    RoutingProfile: ("queues[].delay",),
    Step: ("after", "when.longest_wait_above"),
}

# The start of an engine error that names a field: `ordering: ...`,
# `overflow.after: ...`, `queues[0].priority: ...`.
_FIELD = re.compile(r"^[A-Za-z_]\w*(?:\[\d+\]|\.[^\s:]+)*: ")


def record(cls: type[R], value: Any, path: str) -> R:
    """``value`` (a ``cls`` object or its plain data) as a ``cls`` object;
    raises :class:`ScenarioError` naming the field under ``path``."""
    if isinstance(value, cls):
        data: dict[str, Any] = value.to_dict()
    elif isinstance(value, Mapping):
        data = {k: _copy(v) for k, v in value.items()}
    else:
        raise _fail(path, f"must be a {cls.__name__} or a mapping of its fields, got {value!r}")
    for spec in _DURATIONS[cls]:
        _seconds(data, spec.split("."), path)
    try:
        return cls.from_dict(data)
    except InvalidInput as exc:
        raise _named(path, str(exc)) from None


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


def _seconds(data: Any, keys: list[str], path: str) -> None:
    """Reads the duration at ``keys`` of ``data`` in seconds, in place."""
    if not isinstance(data, dict):
        return
    key, rest = keys[0], keys[1:]
    if key.endswith("[]"):
        items = data.get(key[:-2])
        if isinstance(items, list):
            for i, item in enumerate(items):
                _seconds(item, rest, f"{path}.{key[:-2]}[{i}]")
        return
    if key not in data or data[key] is None:
        return
    if rest:
        _seconds(data[key], rest, f"{path}.{key}")
    else:
        data[key] = parse_duration(data[key], f"{path}.{key}")


def _named(path: str, message: str) -> InvalidInput:
    """The engine's ``what: field: problem`` as ``path.field: problem``."""
    rest = message.partition(": ")[2] or message
    if _FIELD.match(rest):
        field, _, problem = rest.partition(": ")
        return _fail(f"{path}.{field}", problem)
    return _fail(path, rest)


# -- the policy ---------------------------------------------------------------

_CHECK = {"channels": [{"name": "c"}], "queues": [{"name": "q"}]}


def policy_form(policy: Any, path: str = "policy") -> Union[str, dict[str, Any]]:
    """The policy's plain form, checked by the engine: a name,
    ``{"chain": [names]}`` or ``{"weighted": {feature: weight}}``."""
    if isinstance(policy, (Chain, Weighted)):
        native: Any = policy._spec
    elif isinstance(policy, str) and policy not in builtin_policies():
        raise _fail(path, f"unknown policy {policy!r}; built-in policies are {builtin_policies()}")
    elif isinstance(policy, (str, Mapping)):
        native = policy
    else:
        raise _fail(path, f"must be a built-in policy name, a Chain or Weighted, or their plain form, got {policy!r}")
    try:
        form: Union[str, dict[str, Any]] = normalize_config({**_CHECK, "policy": native})["policy"]
    except InvalidInput as exc:
        message = str(exc).partition(": ")[2]
        head, _, problem = message.partition(": ")
        raise _fail(path + head[len("policy"):], problem) from None
    return form


def policy_object(policy: Any, path: str = "policy") -> Union[str, Chain, Weighted]:
    """The policy as :func:`ccroute.sim.run` takes it: a name, a
    :class:`Chain` or a :class:`Weighted` (from any form
    :func:`policy_form` reads)."""
    form = policy_form(policy, path)
    if isinstance(form, str):
        return form
    if "chain" in form:
        return Chain(*form["chain"])
    return Weighted(form["weighted"])
