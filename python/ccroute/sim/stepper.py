"""Step-wise control: a simulated day that stops at every routing decision
and takes the decision from the caller.

The Rust event loop runs at full speed between decisions; at each one it
stops with a :class:`Decision`:

* ``"route"``: a contact is waiting (it arrived, its requirements relaxed,
  it overflowed) and free agents may take it. One candidate per agent
  group: the group's eligible agent idle the longest.
* ``"pick"``: an agent has room (it freed capacity, came on shift, or took
  a contact and can take more) and waiting contacts may go to it. One
  candidate per contact type: the type's contact first in the router's
  own order (priority, then wait). Contacts of two types that share a
  queue and requirements wait in one group; only its first in line is a
  candidate.

Answer with a candidate's index (it is assigned) or ``None`` (hold: the
contact waits on, the agent stays free until the next event asks again)::

    from ccroute import sim
    st = sim.Stepper("examples/scenarios/mmc.yaml", replication=0)
    while (d := st.next()) is not None:
        best = max(range(len(d.candidates)), key=lambda i: d.candidates[i].idle)
        st.decide(best)
    print(st.results().total["service_level"])

Every other rule of the router applies as in production: timers,
relaxation steps, overflow, abandonment, wrap-up, shifts, opening hours.
Preferred and last agents (affinity) are not applied: the caller decides
every assignment. A scenario with a ``batch_window`` cannot be stepped.
Same scenario, same replication and same answers: the same run, bit for
bit; the contacts' draws are those of :func:`ccroute.sim.run` (common
random numbers), so a stepped policy compares with a built-in one on the
same contacts. :meth:`Stepper.observe` gives the state as a vector
(:attr:`Stepper.observation_names`), which :mod:`ccroute.gym` builds on.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple, Optional, Union

import numpy as np

from ..errors import InvalidState
from .results import Results
from .run import _native, _scenario
from .scenario import Scenario

__all__ = ["Stepper", "Decision", "Candidate", "TOTALS"]

#: The running totals, in the order :meth:`Stepper.totals` and the
#: environment's buffers hold them.
TOTALS = (
    "time",
    "arrived",
    "answered",
    "answered_in_sl",
    "abandoned",
    "waiting",
    "wait_area",
    "decisions",
    "holds",
)


class Candidate(NamedTuple):
    """One possible answer: an agent and a contact the router accepts
    together. Names are the scenario's; ``agent`` is the agent's id."""

    agent: str
    agent_group: str
    contact_type: str
    queue: str
    #: Seconds the contact has waited in its queue.
    wait: float
    #: Seconds since the agent's last contact ended (or it became free).
    idle: float
    priority: int
    #: The agent's free capacity units.
    free_units: int


@dataclass(frozen=True)
class Decision:
    """A routing decision posed to the caller (see the module docs)."""

    kind: str
    time: float
    #: Route: the waiting contact's type, queue and wait so far.
    contact_type: Optional[str]
    queue: Optional[str]
    wait: float
    #: Pick: the agent's id and group.
    agent: Optional[str]
    agent_group: Optional[str]
    candidates: tuple[Candidate, ...]


ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]


class Stepper:
    """Replication ``replication`` of ``scenario`` (a :class:`Scenario` or a
    file path), run step by step; ``seed`` replaces the scenario's. Raises
    :class:`~ccroute.sim.ScenarioError` for a bad scenario and
    ``InvalidInput`` for one with a batch window."""

    def __init__(self, scenario: ScenarioLike, replication: int = 0, seed: Optional[int] = None) -> None:
        if isinstance(replication, bool) or not isinstance(replication, int) or not 0 <= replication < 2**32:
            raise ValueError(f"replication must be an integer in [0, 2**32), got {replication!r}")
        self.scenario = _scenario(scenario, None, seed)
        self.replication = replication
        self._native = _native(self.scenario).stepper(replication)
        self.types = [t.name for t in self.scenario.contact_types]
        self.groups = [g.name for g in self.scenario.agent_groups]
        self.queues = [q["name"] for q in self.scenario.to_core()["queues"]]
        self._decision: Optional[Decision] = None
        #: Totals and handled counts kept when the results are taken.
        self._final: Optional[tuple[dict[str, float], np.ndarray]] = None

    @property
    def observation_names(self) -> list[str]:
        """Names of :meth:`observe`'s entries, in order (see
        ``router_core::sim::Stepper::observation_names``): ``time``; the
        decision's kind, subject (contact type or agent group, one-hot) and
        wait; per queue waiting, longest wait and service level so far; per
        type waiting; per group available, idle and units in use per
        channel; per group its route candidate (flag, idle seconds); per
        type its pick candidate (flag, wait)."""
        names: list[str] = self._native.observation_names
        return names

    def next(self) -> Optional[Decision]:
        """Runs to the next decision and returns it (the same one until it
        is answered); ``None`` once the replication is over."""
        if self._decision is not None:
            return self._decision
        raw = self._native.decision
        if raw is None:
            return None
        agent = raw["agent"]
        group = raw["agent_group"]
        ty = raw["contact_type"]
        queue = raw["queue"]
        self._decision = Decision(
            kind=raw["kind"],
            time=raw["time"],
            contact_type=None if ty is None else self.types[ty],
            queue=None if queue is None else self.queues[queue],
            wait=raw["wait"],
            agent=None if agent is None else str(agent),
            agent_group=None if group is None else self.groups[group],
            candidates=tuple(
                Candidate(str(a), self.groups[g], self.types[t], self.queues[q], w, i, p, u)
                for (a, g, t, q, w, i, p, u) in raw["candidates"]
            ),
        )
        return self._decision

    def decide(self, choice: Optional[int]) -> None:
        """Answers the open decision: a candidate's index, or ``None`` to
        hold. Raises ``InvalidState`` with no decision open and
        ``InvalidInput`` for an index out of range (the decision stays
        open)."""
        if choice is not None and (isinstance(choice, bool) or not isinstance(choice, (int, np.integer))):
            raise TypeError(f"choice must be a candidate index or None, got {choice!r}")
        if choice is not None and choice < 0:
            raise ValueError(f"choice must be a candidate index (0 or more) or None, got {choice!r}")
        self._native.decide(None if choice is None else int(choice))
        self._decision = None

    def observe(self, out: Optional[np.ndarray] = None) -> np.ndarray:
        """The state as a float64 vector (:attr:`observation_names`); fills
        ``out`` when given."""
        if out is None:
            arr: np.ndarray = self._native.observe()
            return arr
        self._native.observe(out)
        return out

    def totals(self) -> dict[str, float]:
        """Running totals from time 0 (every contact, whatever the
        warm-up): time, arrived, answered, answered_in_sl, abandoned,
        waiting now, wait_area (contact-seconds waited, the waits going on
        included), decisions and holds answered."""
        if self._final is not None:
            return dict(self._final[0])
        totals: dict[str, float] = self._native.totals()
        return totals

    def handled(self) -> np.ndarray:
        """Contacts handled so far per agent (agent id = index)."""
        if self._final is not None:
            return self._final[1].copy()
        handled: np.ndarray = self._native.handled()
        return handled

    @property
    def done(self) -> bool:
        """Whether the replication is over."""
        return self._final is not None or bool(self._native.done)

    def results(self, label: str = "stepped") -> Results:
        """The replication's results once it is over: the same figures as
        :func:`ccroute.sim.run` reports (contacts still waiting at the end
        are counted ``unfinished``). Raises ``InvalidState`` before the
        end."""
        if self._final is not None:
            raise InvalidState("the stepper's results were already taken")
        totals, handled = self._native.totals(), self._native.handled()
        out: dict[str, Any] = self._native.finish(label)
        self._final = (totals, handled)
        return Results(label, self.scenario.name, [out])

    def play(self, policy: Callable[[Decision], Optional[int]], label: str = "stepped") -> Results:
        """Answers every decision with ``policy(decision)`` to the end and
        returns the results."""
        while (d := self.next()) is not None:
            self.decide(policy(d))
        return self.results(label)
