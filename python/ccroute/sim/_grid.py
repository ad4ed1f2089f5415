"""The cells of a parameter sweep: a grid of parameter values applied to a
scenario's plain form, each cell checked before anything runs.

A grid maps parameters to lists of values; its cells are their cartesian
product (the last parameter varies fastest). A parameter is one of

* ``agents.<group>``: the agent count of that group;
* ``arrivals.scale``: a factor on every contact type's arrival rate(s);
* ``arrivals.<type>.scale``: a factor on that type's arrival rate(s);
* a dotted path into the scenario's plain form (:meth:`Scenario.to_dict`,
  the form of a scenario file), list entries addressed by their ``name``
  (or by their index): ``queues.sales.sl_threshold``, ``duration``,
  ``contact_types.chat.patience.exponential.mean``. The kind of a
  distribution or arrival process may be left out when it is the only key
  there: ``contact_types.chat.patience.mean``.

Only Poisson and piecewise Poisson arrivals scale: recorded arrivals
(:class:`Trace`) are replayed as they are, and a factor on them is refused
naming the contact type. Every value is applied alone and checked first
(a :class:`ScenarioError` names the parameter and the value), then every
cell as a whole.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ._checks import ScenarioError
from .processes import Poisson, Trace
from .scenario import Scenario

__all__ = ["Cell", "grid_values", "parse_grid_arg", "plain_form", "cells"]

#: Scenario fields a grid may not vary: the sweep's own arguments say them.
_RESERVED = {"replications": "replications=", "seed": "seed=", "name": "the scenario's name"}


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell of a sweep: its parameter values (grid order) and its
    scenario."""

    params: dict[str, Any]
    scenario: Scenario


def _plain_value(v: Any) -> Any:
    """A grid value as plain Python (numpy scalars become int/float)."""
    item = getattr(v, "item", None)
    if item is not None and type(v).__module__ == "numpy":
        return item()
    return v


def grid_values(grid: Mapping[str, Iterable[Any]]) -> dict[str, list[Any]]:
    """The grid with each parameter's values as a list, checked: names are
    non-empty strings, values non-empty lists without repeats."""
    if not isinstance(grid, Mapping):
        raise ScenarioError(f"grid must map parameter names to lists of values, got {grid!r}")
    out: dict[str, list[Any]] = {}
    for param, values in grid.items():
        if not isinstance(param, str) or not param or param.startswith(".") or param.endswith("."):
            raise ScenarioError(f"grid: parameter names are dotted paths such as 'agents.sales', got {param!r}")
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            raise ScenarioError(f"grid {param}: give a list of values, got {values!r}")
        vals = [_plain_value(v) for v in values]
        if not vals:
            raise ScenarioError(f"grid {param}: no values")
        for i, v in enumerate(vals):
            if any(_same(v, w) for w in vals[:i]):
                raise ScenarioError(f"grid {param}: the value {v!r} is given twice")
        out[param] = vals
    return out


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


# -- the command line's form --------------------------------------------------

_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def _scalar(text: str) -> Any:
    """``"12"`` → 12, ``"0.8"`` → 0.8, ``"true"`` → True, else the text."""
    t = text.strip()
    if re.fullmatch(r"[-+]?\d+", t):
        return int(t)
    if _NUMBER.match(t):
        return float(t)
    if t.lower() in ("true", "false"):
        return t.lower() == "true"
    return t


def parse_grid_arg(text: str) -> tuple[str, list[Any]]:
    """``PARAM=VALUES`` as given to ``ccroute sweep --grid``: ``a:b`` is the
    inclusive integer range, ``a:b:step`` steps by ``step`` (integers or
    decimals), commas list values (integers, decimals, ``true``/``false``
    or text). Raises ``ValueError`` naming the argument."""
    param, sep, spec = text.partition("=")
    param, spec = param.strip(), spec.strip()
    if not sep or not param or not spec:
        raise ValueError(f"--grid {text!r}: expected PARAM=VALUES, e.g. agents.sales=8:14 or arrivals.scale=0.8,1,1.2")
    parts = spec.split(":")
    if len(parts) in (2, 3) and all(_NUMBER.match(p.strip()) for p in parts):
        return param, _range(text, [_scalar(p) for p in parts])
    return param, [_scalar(v) for v in spec.split(",") if v.strip()]


def _range(text: str, nums: list[Any]) -> list[Any]:
    start, stop = nums[0], nums[1]
    step = nums[2] if len(nums) == 3 else 1
    if len(nums) == 2 and not (isinstance(start, int) and isinstance(stop, int)):
        raise ValueError(f"--grid {text!r}: a:b is a range of integers; give a step (a:b:step) for decimals")
    if step <= 0:
        raise ValueError(f"--grid {text!r}: the step must be positive, got {step!r}")
    if stop < start:
        raise ValueError(f"--grid {text!r}: the range ends ({stop!r}) before it starts ({start!r})")
    if all(isinstance(n, int) for n in (start, stop, step)):
        return list(range(start, stop + 1, step))
    # Decimals: count the steps once, and round away the drift of repeated
    # additions (0.8 + 0.1 + 0.1 ...) to the digits the user wrote.
    digits = max(_decimals(n) for n in (start, stop, step))
    count = math.floor((stop - start) / step + 1e-9) + 1
    return [round(start + i * step, digits) for i in range(count)]


def _decimals(n: Any) -> int:
    text = repr(float(n))
    return len(text.partition(".")[2]) if "e" not in text else 12


# -- the plain form and the changes ---------------------------------------------


def plain_form(scn: Scenario) -> dict[str, Any]:
    """The scenario's plain (file) form, with recorded arrivals kept as
    :class:`Trace` objects (a trace with per-row columns has no inline
    form, and a long one is not worth copying into lists and back)."""
    traces = {i: t.arrivals for i, t in enumerate(scn.contact_types) if isinstance(t.arrivals, Trace)}
    stub = scn.replace(contact_types=[
        dataclasses.replace(t, arrivals=Poisson(0.0)) if i in traces else t for i, t in enumerate(scn.contact_types)
    ]) if traces else scn
    data = stub.to_dict()
    for i, trace in traces.items():
        data["contact_types"][i]["arrivals"] = trace
    return data


def _copy(value: Any) -> Any:
    """A copy of the plain form's dicts and lists (other values are shared:
    they are immutable, or a Trace that a cell never changes)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _named(items: list[Any], where: str, what: str, name: str) -> dict[str, Any]:
    for item in items:
        if isinstance(item, dict) and item.get("name") == name:
            return item
    names = [item.get("name") for item in items if isinstance(item, dict)]
    raise ScenarioError(f"unknown {what} {name!r}; {where} are {names}")


def _scale(types: list[dict[str, Any]], factor: Any, only: str | None) -> None:
    if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not math.isfinite(factor) or factor < 0:
        raise ScenarioError(f"a scale must be a finite, non-negative number, got {factor!r}")
    chosen = types if only is None else [_named(types, "contact_types", "contact type", only)]
    for t in chosen:
        arrivals = t["arrivals"]
        if isinstance(arrivals, dict) and "poisson" in arrivals:
            p = arrivals["poisson"]
            p["per_hour"] = p["per_hour"] * factor
        elif isinstance(arrivals, dict) and "piecewise" in arrivals:
            p = arrivals["piecewise"]
            p["per_hour"] = [r * factor for r in p["per_hour"]]
        else:
            kind = type(arrivals).__name__ if not isinstance(arrivals, dict) else next(iter(arrivals), "?")
            raise ScenarioError(
                f"contact type {t['name']!r} has {kind} arrivals, which cannot be scaled (only Poisson and "
                "PiecewisePoisson rates can); leave it out with arrivals.<type>.scale on the other types")


def _set_path(data: dict[str, Any], param: str, value: Any) -> None:
    """Sets the value at the dotted path ``param`` of the plain form."""
    keys = param.split(".")
    node: Any = data
    where = ""
    i = 0
    while True:
        if isinstance(node, dict):
            key, j = _match(keys, i, node)
            if key is None and len(node) == 1 and isinstance(next(iter(node.values())), dict):
                # {exponential: {mean: 180}}: the kind may be left out.
                kind = next(iter(node))
                key, j = _match(keys, i, node[kind])
                if key is not None:
                    where, node = _join(where, kind), node[kind]
            if key is None:
                expected = sorted(map(str, node))
                if len(node) == 1 and isinstance(next(iter(node.values())), dict):
                    expected += [f"{k}" for k in next(iter(node.values()))]
                raise ScenarioError(f"unknown key {keys[i]!r} in {where or 'the scenario'}; "
                                    f"expected one of {expected}")
            if j == len(keys):
                node[key] = value
                return
            where, node, i = _join(where, key), node[key], j
        elif isinstance(node, list):
            names = [item.get("name") if isinstance(item, dict) else None for item in node]
            name, j = _match(keys, i, [n for n in names if isinstance(n, str)])
            if name is not None:
                index = names.index(name)
            elif keys[i].isdigit() and int(keys[i]) < len(node):
                index, j = int(keys[i]), i + 1
            else:
                shown = [n for n in names if n is not None] or list(range(len(node)))
                raise ScenarioError(f"no entry {keys[i]!r} in {where}; its entries are {shown}")
            entry = _join(where, name if name is not None else index)
            if j == len(keys):
                raise ScenarioError(f"{entry} is an entry of {where}: name one of its fields after it")
            where, node, i = entry, node[index], j
        elif isinstance(node, Trace):
            raise ScenarioError(f"{where} is a Trace (recorded arrivals), which a grid cannot change")
        else:
            what = "not set (null)" if node is None else f"{node!r}, not a mapping or a list"
            raise ScenarioError(f"{where} is {what}: there is no {'.'.join(keys[i:])!r} in it")


def _match(keys: list[str], i: int, names: Iterable[Any]) -> tuple[Any, int]:
    """The longest run of ``keys[i:]`` joined by dots that is one of
    ``names`` (names may hold dots), and the index after it."""
    names = [n for n in names if isinstance(n, str)]
    for j in range(len(keys), i, -1):
        joined = ".".join(keys[i:j])
        if joined in names:
            return joined, j
    return None, i


def _join(where: str, key: Any) -> str:
    return f"{where}.{key}" if where else str(key)


def _apply(data: dict[str, Any], param: str, value: Any) -> None:
    """Applies one grid parameter to the plain form, in place."""
    head, _, rest = param.partition(".")
    if param in _RESERVED:
        raise ScenarioError(f"{param} cannot be a grid parameter; give it as {_RESERVED[param]} of the sweep")
    if head == "agents" and rest:
        _named(data["agent_groups"], "agent_groups", "agent group", rest)["count"] = value
    elif param == "arrivals.scale":
        _scale(data["contact_types"], value, None)
    elif head == "arrivals" and rest.endswith(".scale"):
        _scale(data["contact_types"], value, rest[: -len(".scale")])
    else:
        _set_path(data, param, value)


def _build(base: dict[str, Any], changes: Mapping[str, Any]) -> Scenario:
    data = _copy(base)
    for param, value in changes.items():
        _apply(data, param, value)
    return Scenario.from_dict(data)  # checks every field


def _describe(changes: Mapping[str, Any]) -> str:
    return ", ".join(f"{p}={v!r}" for p, v in changes.items())


def cells(scn: Scenario, grid: Mapping[str, Sequence[Any]]) -> list[Cell]:
    """The sweep's cells over ``scn``, in grid order. Each value is first
    applied alone, so that an error names its parameter and value; then
    each cell is built and checked whole."""
    base = plain_form(scn)
    for param, values in grid.items():
        for value in values:
            try:
                _build(base, {param: value})
            except ScenarioError as exc:
                raise ScenarioError(f"grid {param}={value!r}: {exc}") from None
    out = []
    for combo in itertools.product(*grid.values()):
        changes = dict(zip(grid, combo, strict=True))
        try:
            out.append(Cell(changes, _build(base, changes)))
        except ScenarioError as exc:
            raise ScenarioError(f"grid cell {_describe(changes)}: {exc}") from None
    return out
