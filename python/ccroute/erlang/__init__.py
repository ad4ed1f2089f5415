"""Staffing calculators for contact centers: Erlang B, Erlang C and Erlang A.

All functions are pure Python (standard library only) and work in whatever
time unit the caller chooses, as long as one call uses a single unit: the
offered *load* in Erlangs is ``arrival_rate * aht`` (calls per second times
seconds per call, or calls per hour times hours per call, ...), and
thresholds, patience and the returned waiting times are in the unit of
``aht``.

Models
------
Erlang B (M/M/n/n, blocked calls cleared)
    :func:`erlang_b` is the probability that an arrival finds all ``n``
    agents busy and is lost.  It is computed with the recurrence
    ``B(0) = 1``, ``B(k) = a B(k-1) / (k + a B(k-1))``, which never forms a
    factorial or a power and is stable for any number of agents (each step
    maps ``[0, 1]`` into itself with no cancellation).

Erlang C (M/M/n, infinitely patient callers)
    :func:`erlang_c` is the probability of waiting,
    ``C(n, a) = n B / (n - a (1 - B))`` with ``B = B(n, a)``.  Service
    level (:func:`service_level`) is ``P(W <= t)`` over all arrivals,
    ``1 - C(n, a) exp(-(n - a) t / aht)``; :func:`asa` is the mean wait of
    all arrivals (those answered at once count as zero),
    ``C(n, a) aht / (n - a)``.  When ``n <= a`` the queue is unstable and
    grows without bound: ``erlang_c`` returns ``1.0``, ``service_level``
    ``0.0`` and ``asa`` ``math.inf``.

Erlang A (M/M/n+M, Palm's model with exponential patience)
    Callers abandon once their patience, exponentially distributed with
    mean ``patience``, runs out before an agent answers.  The queue is
    always stable.  :func:`erlang_a` uses the exact performance measures
    of the M/M/n+G queue (Baccelli & Hebuterne 1981; Mandelbaum & Zeltyn,
    "The M/M/n+G queue: summary of performance measures", Technion, 2004;
    Garnett, Mandelbaum & Reiman, "Designing a call center with impatient
    customers", M&SOM 4(3), 2002).  With ``mu = 1/aht`` and
    ``theta = 1/patience`` the *offered* wait ``V`` (the wait an infinitely
    patient arrival would have) has an atom ``P(V = 0)`` and, for ``x > 0``,
    the density::

        v(x) = lambda pi_{n-1} exp(-n mu x + (lambda/theta)(1 - exp(-theta x)))

    where ``pi_{n-1}`` is the stationary probability of ``n - 1`` busy
    agents; for the states below ``n`` the chain is the Erlang loss
    system, so ``pi_{n-1} = B(n - 1, a) P(V = 0)`` and the normalisation
    ``P(V = 0) + integral(v) = 1`` fixes everything.  An arrival with
    offered wait ``x`` is answered iff its patience exceeds ``x``
    (probability ``exp(-theta x)``), so

    * ``p_wait      = P(V > 0)``,
    * ``p_abandon   = integral v(x) (1 - exp(-theta x)) dx``,
    * ``service_level(t) = P(V = 0) + integral_0^t v(x) exp(-theta x) dx``
      (answered within ``t``, as a fraction of *all* arrivals),
    * ``asa = integral x v(x) exp(-theta x) dx / P(answered)``
      (mean wait of the *answered* calls),
    * mean wait of all arrivals ``= p_abandon * patience`` (Little's law
      applied to the abandonment flow).

    The integrands are log-concave, so each integral is evaluated in log
    space around its mode: the mode is found by bisection on the
    derivative, break points are placed where the log-integrand has
    dropped by 0.5, 2, 4.5, ..., 84.5 from the mode (anything further out
    is below ``exp(-84)`` of the total), and every panel is integrated with
    adaptive Gauss-Kronrod (7/15).  The exponent is centred at its
    maximum, so nothing overflows even for thousands of agents, heavy
    overload or very long patience, and the cost does not grow with the
    number of agents beyond the O(n) Erlang B recurrence.

Staffing
    :func:`required_agents` returns the smallest head count meeting a
    service-level target (Erlang C, or Erlang A when ``patience`` is
    given), an ASA target, an occupancy cap, or any combination, grossed up
    for shrinkage; :func:`staffing` returns the same with the performance
    figures at that head count.

Every bad argument raises :class:`ValueError` naming the argument and the
value.

Layout
------
The public names are all here; the modules behind them follow the models
above, so each can be read against its section: ``_erlang_bc`` (Erlang B
and C), ``_erlang_a`` (Erlang A), ``_logspace`` (the quadrature Erlang A
needs, which is numerics, not queueing), ``_staffing`` (the search over
head counts, reusing the models' kernels so its figures match theirs) and
``_args`` (the argument checks all of them share). None imports anything
outside the standard library.
"""

from __future__ import annotations

from ._erlang_a import ErlangAResult, erlang_a
from ._erlang_bc import asa, erlang_b, erlang_c, occupancy, service_level
from ._staffing import StaffingResult, required_agents, staffing

__all__ = [
    "ErlangAResult",
    "StaffingResult",
    "asa",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "occupancy",
    "required_agents",
    "service_level",
    "staffing",
]
