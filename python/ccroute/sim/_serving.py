"""Which agent groups of a scenario can serve which contact types: the
engine's own rule, not a copy of it.

The native check behind ``UnservableWarning`` (channel, the skills of the
requirements or of a relaxation step, capacity, the queue or one it
overflows to in the group's routing profile) is asked of the scenario
with one group at a time; the staffing optimiser and the environment's
baselines read the answer.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

__all__ = ["served_types", "slots_per_agent"]

_TYPE_INDEX = re.compile(r"contact_types\[(\d+)\]")


def served_types(scenario: Any) -> dict[str, list[bool]]:
    """Per agent group (by name): per contact type (scenario order),
    whether the group's agents can ever serve it."""
    from .. import _ccroute

    out: dict[str, list[bool]] = {}
    n = len(scenario.contact_types)
    for g in scenario.agent_groups:
        alone = scenario.replace(agent_groups=[dataclasses.replace(g, count=1, shifts=[])], unservable="warn")
        native = _ccroute.Simulation(json.dumps(alone.to_core()))
        bad = {int(m.group(1)) for msg in native.unservable if (m := _TYPE_INDEX.match(msg))}
        out[g.name] = [i not in bad for i in range(n)]
    return out


def slots_per_agent(channel: Any) -> int:
    """Contacts of a channel (its core form: ``cost``, ``max_per_agent``)
    an agent of the default capacity (100 units) holds at once."""
    return max(1, min(int(channel["max_per_agent"] or 1), 100 // max(1, int(channel["cost"]))))
