"""Routing policies: built-in compositions and the plug-in API.

Built-in (Rust, no Python on the hot path):

* a name: ``"longest_idle"``, ``"most_skilled"``, ``"least_occupied"``,
  ``"fewest_handled"``, ``"round_robin"``, ``"random"``;
* :class:`Chain` — policies applied in order, each breaking the ties of
  the one before, like ``ORDER BY``:
  ``Chain("most_skilled", "least_occupied", "longest_idle")``;
* :class:`Weighted` — the highest ``Σ weight × feature`` wins:
  ``Weighted({"skill": 1.0, "idle": 0.01, "load": -2.0})``. Features:
  ``skill`` (sum of levels on the required skills), ``preferred`` (on the
  preferred skills), ``level:<skill>`` (level on one skill), ``idle``
  (seconds idle), ``load`` (used / total capacity), ``handled`` (contacts
  completed), ``free`` (free capacity units).

Plug-in (Python): subclass :class:`Policy` and pass an instance as
``Router(policy=...)``.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Union

from . import _ccroute
from ._ccroute import AgentBatch, PolicyAgent, PolicyContact, RouterState

if TYPE_CHECKING:
    import numpy.typing as npt

    from .events import Event

__all__ = [
    "Policy",
    "Chain",
    "Weighted",
    "PolicyContact",
    "PolicyAgent",
    "AgentBatch",
    "RouterState",
    "PolicyLike",
]


class _Builtin:
    """A built-in policy composition, compiled once in Rust."""

    __slots__ = ("_spec",)
    _spec: _ccroute.PolicySpec

    def __str__(self) -> str:
        return str(self._spec)

    def __repr__(self) -> str:
        return f"{type(self).__name__}<{self._spec}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Builtin) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))


class Chain(_Builtin):
    """Built-in policies applied in order, each breaking the ties of the one
    before; ties left fall to longest idle, then agent id. At most four
    policies; ``"random"`` only alone.

    Raises ``InvalidInput`` for an unknown name or a bad chain."""

    __slots__ = ()

    def __init__(self, *policies: str) -> None:
        self._spec = _ccroute.PolicySpec.chain(list(policies))


class Weighted(_Builtin):
    """The eligible agent with the highest ``Σ weight × feature`` wins; ties
    to longest idle, then agent id. See the module docstring for features.

    Raises ``InvalidInput`` for an unknown feature or a non-finite weight."""

    __slots__ = ()

    def __init__(self, weights: Mapping[str, float]) -> None:
        self._spec = _ccroute.PolicySpec.weighted(dict(weights))


class Policy(abc.ABC):
    """A plug-in routing policy written in Python.

    The router hands a policy only candidates that already satisfy
    eligibility (agent available, every required skill at level, a free
    slot on the channel, enough capacity units), so a policy cannot break
    an invariant; it only ranks. Views are read-only and cheap.

    Implement :meth:`score` (one call per candidate), or override
    :meth:`score_many` (one call per decision, vectorised with numpy: much
    faster). Optionally implement :meth:`contact_score` to choose which
    waiting contact an agent with room takes.

    **What a policy may do.** Compute; keep its own state. It runs inside
    every routing decision: it must not block (no network or disk I/O) and
    must be deterministic if the simulator's "same seed, same result" is to
    hold.

    **When it fails.** If a hook raises, returns the wrong number of
    scores, or returns NaN or infinity, that decision falls back to the
    router's ``fallback`` built-in policy: the contact is never lost. The
    failure is counted (``Router.policy_errors``) and the first one is
    logged on the ``ccroute.policy`` logger with the original exception.
    With ``Router(strict=True)`` the original exception is re-raised
    unchanged from the call instead (the routing it made with the fallback
    stands; that call's events come with the next call).
    """

    #: Built-in policy used when this one fails, and to break its ties.
    fallback: Union[str, Chain, Weighted] = "longest_idle"

    #: ``True``: every decision's ``contact.router`` is a read-only
    #: :class:`RouterState` of the router as it stands (``queues`` by name
    #: with their ``waiting``, ``longest_wait``, ... and ``agents`` by
    #: state), for state-dependent policies (keep agents in reserve while
    #: the VIP queue grows). It costs a pass over the agents per decision,
    #: so it is off by default. The router itself must not be called from
    #: a hook: it is in the middle of the decision.
    sees_router: bool = False

    @abc.abstractmethod
    def score(self, contact: PolicyContact, agent: PolicyAgent) -> float:
        """Score of ``agent`` for ``contact``: higher is better."""

    def score_many(self, contact: PolicyContact, agents: AgentBatch) -> Union[Sequence[float], "npt.NDArray"]:
        """Scores of every candidate for ``contact``, in ``agents`` order.

        ``agents`` has numpy columns (``load``, ``idle``, ``handled``,
        ``free_units``, ``level(skill)``, ``ids``) and is also a sequence of
        :class:`PolicyAgent`. The default calls :meth:`score` per agent;
        override it to score all candidates in one vectorised pass.
        """
        return [self.score(contact, agents[i]) for i in range(len(agents))]

    # reset and on_event are optional hooks: they do nothing unless a policy
    # overrides them, so they are neither abstract nor meant to be (B027).
    def reset(self) -> None:  # noqa: B027
        """Forget what earlier runs taught: the simulator calls it before
        every replication (each starts from the same state, so replications
        are independent and results do not depend on how many run at once).
        The default does nothing; a stateful policy clears its state."""

    def on_event(self, event: "Event") -> None:  # noqa: B027
        """Called by the simulator with every router event (``Assigned``,
        ``Completed``, ``Abandoned``, ...; ``event.at`` is the simulated
        clock) once the simulator has accounted for it, when a policy
        overrides it (a simulation then runs slower). An embedded router
        returns its events to the caller instead. If it raises, the failure
        counts like a failed decision (``strict`` re-raises it)."""

    def contact_score(self, agent: PolicyAgent, contact: PolicyContact) -> float:
        """Score of a waiting ``contact`` for an ``agent`` with room (higher
        is better). Candidates are the next contact of each queue group the
        agent can serve. Not implemented by default: the agent takes
        contacts in queue order."""
        raise NotImplementedError


#: What ``Router(policy=...)`` accepts.
PolicyLike = Union[str, Chain, Weighted, Policy]


def _overrides(obj: Policy, name: str) -> bool:
    return getattr(type(obj), name) is not getattr(Policy, name)


def _native_policy(policy: object) -> Union[str, _ccroute.PolicySpec]:
    """The native form of a built-in policy (a name or a compiled spec);
    anything else is passed on for the router to refuse with a clear error."""
    if isinstance(policy, _Builtin):
        return policy._spec
    return policy  # type: ignore[return-value]


def _plugin_flags(policy: Policy) -> tuple[bool, bool]:
    """(vectorised, contact_side) for a plug-in policy."""
    return _overrides(policy, "score_many"), _overrides(policy, "contact_score")
