//! # Batch assignment: the maximum-score assignment of a batch of contacts
//!
//! ccroute normally routes greedily, one event at a time. In batch mode the
//! router collects, at one moment, the waiting contacts and the free agent
//! capacity and asks this module for the assignment of maximum total score.
//! The module is pure and self-contained: plain indices and numbers in,
//! pairs out, nothing from the router's internals, no clock, no randomness.
//!
//! ## The model
//! * A [`Demand`] is one waiting contact: its channel and the capacity units
//!   it takes.
//! * A [`Room`] is one agent's free capacity: free units, and free slots per
//!   channel (`free_slots[c]`; a channel past the end of the vector has no
//!   slot).
//! * An [`Edge`] is an eligible (contact, agent) pair and its value.
//!   Only edges with both indices in range and a finite weight `> 0` count;
//!   any other edge is ignored. When a pair is listed twice its highest
//!   weight counts (in [`solve`], [`greedy`] and [`feasible`] alike).
//! * An [`Assignment`] is feasible ([`feasible`]) when every contact is
//!   assigned at most once, only along an edge, and for every agent the
//!   contacts of each channel `c` number at most `free_slots[c]` and their
//!   units add up to at most `free_units`.
//!
//! With the slot constraints alone the problem is a maximum-weight
//! *b-matching*, which min-cost flow solves exactly. The units constraint
//! couples the channels of an agent (voice 100 units vs chat 25 units in a
//! 100-unit agent) and turns the general problem into a *generalized
//! assignment problem*, which is NP-hard. [`solve`] is therefore exact
//! where it can be and a sound heuristic elsewhere; [`SolveStats`] says
//! which.
//!
//! ## The algorithm ([`solve`])
//! 1. **Relaxation.** A flow network `root → contact (cap 1) → (agent,
//!    channel) (cap k) → agent (cap N) → root`, cost `−weight` on the
//!    contact arc. Only pairs that could ever be assigned get an arc (the
//!    channel has a free slot and the contact's units fit the agent's free
//!    units). `k = min(free_slots[c], ⌊free_units / u_min⌋)` where `u_min`
//!    is the smallest units among the agent's eligible contacts of that
//!    channel, and `N` is the largest number of contacts that can fit in the
//!    agent's units at all (smallest units first, per-channel caps
//!    respected). Every feasible assignment is a flow of this network, so
//!    its optimum is an **upper bound** ([`SolveStats::upper_bound`]).
//! 2. **Exact min-cost flow** on the relaxation, by successive shortest
//!    paths with potentials (Dijkstra on reduced costs), inserting contacts
//!    one at a time (best edge first): adding contact `i` augments along the
//!    cheapest residual cycle through `root → i` if it has negative cost,
//!    i.e. `i` takes a slot, possibly displacing other contacts along a
//!    chain, or leaving one of them unassigned. After each insertion the
//!    flow is optimal for the contacts inserted so far (no negative residual
//!    cycle), so after the last one it is the optimum of the relaxation. A
//!    search stops as soon as its distance reaches the gain contact `i`
//!    could bring (`π(i) − π(root)`), so contacts that cannot beat the
//!    current "prices" cost almost nothing.
//! 3. **Repair** when the units constraint binds. For each agent whose
//!    units are exceeded, keep the subset of its contacts of highest weight
//!    that fits (exact branch and bound up to 20 contacts, weight per unit
//!    beyond), drop the others, forbid the dropped pairs, and *freeze* the
//!    agent at what it keeps (its per-channel arcs are closed at their
//!    current flow). Freezing only removes residual arcs (the agent's
//!    `agent → root` arc gains residual capacity but the agent can no
//!    longer be entered), so the flow stays optimal for the restricted
//!    network and the potentials stay valid: the dropped contacts are
//!    simply re-inserted (warm start, no re-solve). Re-inserted contacts
//!    may overload other agents, so this repeats until no agent is over;
//!    every round forbids at least one pair, so it terminates.
//! 4. **Fill.** Agents frozen by the repair may still have room (the kept
//!    subset rarely uses every unit): unassigned contacts are offered the
//!    remaining room along their edges, best weight first, under the true
//!    constraints.
//! 5. **Safety net.** [`greedy`] is computed too and the better of the two
//!    is returned (the flow's on a tie). So [`solve`] is always feasible and
//!    never worse than [`greedy`].
//!
//! ## When it is exact
//! * **Per agent, detected up front** ([`SolveStats::units_safe`]): if even
//!   the heaviest mix the relaxation allows (at most `k` per channel, at
//!   most `N` in all, largest units first) fits in the agent's free units,
//!   units can never bind for that agent. When that holds for every agent,
//!   the relaxation *is* the problem and the flow optimum is exact. Typical
//!   cases: a chat-only or voice-only agent; an agent whose free units are
//!   below the voice size (75 units left: only chats fit, and `k` caps them
//!   at 3); any problem where units are generous. The common idle blended
//!   agent (100 units; voice 100 × 1, chat 25 × 4) is **not** safe: voice
//!   plus a chat exceeds 100. There the relaxation may pick a mix that
//!   does not fit and the repair takes over.
//! * **Detected after the fact** ([`SolveStats::proven_optimal`]): if the
//!   relaxation's optimum happens to respect every agent's units, it is
//!   optimal for the real problem (it is an upper bound that is feasible),
//!   whatever the agents. Otherwise the answer is within
//!   `upper_bound − total` of the optimum.
//!
//! ## Complexity
//! With `n` contacts, `m` agents, `E` edges and `V = n + m + (agent,
//! channel) pairs` nodes: building is `O(E log E)`; each insertion is one
//! Dijkstra, `O(E log V)` in the worst case but usually a small region
//! thanks to the gain bound; there are `n` insertions plus one per pair
//! dropped by the repair (at most `E`). [`greedy`] is `O(E log E)` (it
//! normalises the edges) and the fill pass `O(E log E)`. Memory `O(V + E)`.
//!
//! ## Why it respects capacity
//! The flow's per-(agent, channel) arc capacity never exceeds the free
//! slots, so slots are respected by construction; units are checked agent by
//! agent after the flow and the repair loop does not stop while one is over;
//! the fill pass and [`greedy`] add a pair only if slots and units still
//! allow it. The result is checked by the same rules as [`feasible`] in the
//! tests.
//!
//! ## Determinism
//! No randomness and no hash maps: edges are sorted, contacts inserted in a
//! fixed order (best weight first, then index), Dijkstra breaks ties by
//! node index, the repair and the fill by index. Same input, same output.
//!
//! ## Why hand-written, no crate
//! The registry cannot be searched from here, and what is known to exist
//! does not fit: `pathfinding`'s Kuhn–Munkres is a dense, one-to-one
//! assignment on integer weights (no capacities, no "leave unassigned"),
//! `petgraph` has no min-cost flow, and general min-cost-flow or LP crates
//! would need integer costs or a solver library and none would expose the
//! warm start the repair relies on (freeze an agent, drop pairs, re-insert
//! contacts without re-solving). The specialised network simplex-free
//! successive shortest paths here is about 300 lines, float-exact and
//! deterministic.

mod flow;
#[cfg(test)]
mod tests;

/// One waiting contact: its channel and the capacity units it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    /// Channel index (into [`Room::free_slots`]).
    pub channel: usize,
    /// Capacity units the contact takes.
    pub units: u32,
}

/// One agent's free capacity.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Room {
    /// Free capacity units.
    pub free_units: u32,
    /// Free slots per channel (index = channel; missing = 0).
    pub free_slots: Vec<u32>,
}

/// An eligible (contact, agent) pair and its value (`> 0`, finite).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Edge {
    /// Contact index (into [`Problem::demands`]).
    pub contact: usize,
    /// Agent index (into [`Problem::rooms`]).
    pub agent: usize,
    /// Value of assigning the contact to the agent.
    pub weight: f64,
}

/// A batch: the waiting contacts, the agents' free capacity and the
/// eligible pairs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Problem {
    /// The waiting contacts.
    pub demands: Vec<Demand>,
    /// The agents.
    pub rooms: Vec<Room>,
    /// The eligible pairs.
    pub edges: Vec<Edge>,
}

/// An assignment: `(contact, agent)` pairs sorted by contact, and their
/// total weight.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Assignment {
    /// `(contact, agent)`, sorted by contact, each contact at most once.
    pub pairs: Vec<(usize, usize)>,
    /// Sum of the pairs' weights (summed in contact order).
    pub total: f64,
}

/// What [`solve_with_stats`] found out on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveStats {
    /// Optimum of the slot relaxation: no feasible assignment does better.
    pub upper_bound: f64,
    /// Units cannot bind for any agent (detected up front): the relaxation
    /// is the problem and the answer is optimal.
    pub units_safe: bool,
    /// The answer is optimal: the relaxation's optimum was feasible (always
    /// true when `units_safe`).
    pub proven_optimal: bool,
    /// Repair rounds (0 when the relaxation's optimum was feasible).
    pub repair_rounds: u32,
    /// Pairs dropped (and forbidden) by the repair.
    pub dropped: usize,
    /// Pairs added by the fill pass.
    pub filled: usize,
    /// Total of [`greedy`].
    pub greedy_total: f64,
    /// The greedy answer was strictly better and was returned.
    pub from_greedy: bool,
}

/// The maximum-total-weight feasible assignment (exact when the units
/// constraint cannot bind, see the module docs; never worse than
/// [`greedy`], always [`feasible`]).
pub fn solve(p: &Problem) -> Assignment {
    solve_with_stats(p).0
}

/// [`solve`], with what it found out on the way.
pub fn solve_with_stats(p: &Problem) -> (Assignment, SolveStats) {
    let norm = Norm::new(p);
    let base = greedy_norm(p, &norm);
    let mut net = flow::Network::build(p, &norm);
    net.run();
    let mut of = net.assigned();
    let upper_bound = total_of(&norm, &of);
    let (repair_rounds, dropped) = net.repair(p);
    let mut filled = 0;
    if repair_rounds > 0 {
        of = net.assigned();
        filled = fill(p, &norm, &mut of);
    }
    let flow = to_assignment(&norm, &of);
    let mut stats = SolveStats {
        upper_bound: upper_bound.max(flow.total),
        units_safe: net.units_safe(),
        proven_optimal: repair_rounds == 0,
        repair_rounds,
        dropped,
        filled,
        greedy_total: base.total,
        from_greedy: false,
    };
    if base.total > flow.total {
        stats.from_greedy = true;
        (base, stats)
    } else {
        (flow, stats)
    }
}

/// The baseline: contacts in index order, each to its highest-weight agent
/// that still has room (ties: lowest agent index).
pub fn greedy(p: &Problem) -> Assignment {
    greedy_norm(p, &Norm::new(p))
}

/// `Ok` when `a` is a feasible assignment of `p`: pairs sorted by contact,
/// each contact at most once, only along an edge, per agent at most
/// `free_slots[c]` contacts of channel `c` and at most `free_units` units,
/// and `total` the sum of the pairs' weights (to 1e-9 relative).
pub fn feasible(p: &Problem, a: &Assignment) -> Result<(), String> {
    let norm = Norm::new(p);
    let mut load = Load::new(p);
    let mut sum = 0.0;
    let mut prev: Option<usize> = None;
    for &(c, ag) in &a.pairs {
        if let Some(q) = prev {
            if c == q {
                return Err(format!("contact {c} assigned twice"));
            }
            if c < q {
                return Err(format!("pairs not sorted by contact ({q} before {c})"));
            }
        }
        prev = Some(c);
        if c >= p.demands.len() {
            return Err(format!("contact {c} out of range"));
        }
        if ag >= p.rooms.len() {
            return Err(format!("agent {ag} out of range"));
        }
        let Some(w) = norm.weight(c, ag) else {
            return Err(format!("no edge between contact {c} and agent {ag}"));
        };
        if !load.fits(p, c, ag) {
            let d = p.demands[c];
            return Err(format!(
                "agent {ag} cannot take contact {c} (channel {}, {} units): {} of {} slots used, {} of {} units used",
                d.channel,
                d.units,
                load.slots(ag, d.channel),
                slots(p, ag, d.channel),
                load.units[ag],
                p.rooms[ag].free_units
            ));
        }
        load.add(p, c, ag);
        sum += w;
    }
    if (a.total - sum).abs() > 1e-9 * sum.abs().max(1.0) {
        return Err(format!("total {} differs from the pairs' sum {}", a.total, sum));
    }
    Ok(())
}

/// Free slots of agent `a` on channel `c` (0 past the end).
fn slots(p: &Problem, a: usize, c: usize) -> u32 {
    p.rooms[a].free_slots.get(c).copied().unwrap_or(0)
}

/// The valid edges, deduplicated (highest weight), sorted by (contact,
/// agent), with a per-contact index.
pub(crate) struct Norm {
    /// `(contact, agent, weight)`.
    edges: Vec<(u32, u32, f64)>,
    /// `edges[start[i]..start[i + 1]]` are contact `i`'s.
    start: Vec<usize>,
}

impl Norm {
    fn new(p: &Problem) -> Norm {
        let (n, m) = (p.demands.len(), p.rooms.len());
        let mut edges: Vec<(u32, u32, f64)> = p
            .edges
            .iter()
            .filter(|e| e.contact < n && e.agent < m && e.weight.is_finite() && e.weight > 0.0)
            .map(|e| (e.contact as u32, e.agent as u32, e.weight))
            .collect();
        // Highest weight first within a pair, so dedup keeps it.
        edges.sort_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)).then(y.2.total_cmp(&x.2)));
        edges.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
        let mut start = vec![0usize; n + 1];
        for e in &edges {
            start[e.0 as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        Norm { edges, start }
    }

    /// Contact `i`'s edges, by agent.
    fn of(&self, i: usize) -> &[(u32, u32, f64)] {
        &self.edges[self.start[i]..self.start[i + 1]]
    }

    fn weight(&self, i: usize, a: usize) -> Option<f64> {
        let es = self.of(i);
        es.binary_search_by(|e| e.1.cmp(&(a as u32))).ok().map(|k| es[k].2)
    }
}

/// Capacity used so far, per agent.
struct Load {
    units: Vec<u64>,
    slots: Vec<Vec<u32>>,
}

impl Load {
    fn new(p: &Problem) -> Load {
        Load {
            units: vec![0; p.rooms.len()],
            slots: p.rooms.iter().map(|r| vec![0; r.free_slots.len()]).collect(),
        }
    }

    fn slots(&self, a: usize, c: usize) -> u32 {
        self.slots[a].get(c).copied().unwrap_or(0)
    }

    fn fits(&self, p: &Problem, i: usize, a: usize) -> bool {
        let d = p.demands[i];
        self.slots(a, d.channel) < slots(p, a, d.channel)
            && self.units[a] + u64::from(d.units) <= u64::from(p.rooms[a].free_units)
    }

    fn add(&mut self, p: &Problem, i: usize, a: usize) {
        let d = p.demands[i];
        self.units[a] += u64::from(d.units);
        self.slots[a][d.channel] += 1;
    }
}

fn greedy_norm(p: &Problem, norm: &Norm) -> Assignment {
    let mut load = Load::new(p);
    let mut of = vec![None; p.demands.len()];
    for (i, slot) in of.iter_mut().enumerate() {
        let mut best: Option<(u32, f64)> = None;
        for &(_, a, w) in norm.of(i) {
            if best.map_or(true, |(_, bw)| w > bw) && load.fits(p, i, a as usize) {
                best = Some((a, w));
            }
        }
        if let Some((a, _)) = best {
            load.add(p, i, a as usize);
            *slot = Some(a as usize);
        }
    }
    to_assignment(norm, &of)
}

/// Offers the room left to the unassigned contacts, best edge first (ties:
/// contact, then agent index). Returns the number of pairs added.
fn fill(p: &Problem, norm: &Norm, of: &mut [Option<usize>]) -> usize {
    let mut load = Load::new(p);
    for (i, a) in of.iter().enumerate() {
        if let Some(a) = *a {
            load.add(p, i, a);
        }
    }
    let mut cand: Vec<(u32, u32, f64)> = norm
        .edges
        .iter()
        .copied()
        .filter(|e| of[e.0 as usize].is_none() && load.fits(p, e.0 as usize, e.1 as usize))
        .collect();
    cand.sort_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    let mut added = 0;
    for (i, a, _) in cand {
        let (i, a) = (i as usize, a as usize);
        if of[i].is_none() && load.fits(p, i, a) {
            load.add(p, i, a);
            of[i] = Some(a);
            added += 1;
        }
    }
    added
}

fn total_of(norm: &Norm, of: &[Option<usize>]) -> f64 {
    to_assignment(norm, of).total
}

fn to_assignment(norm: &Norm, of: &[Option<usize>]) -> Assignment {
    let mut out = Assignment::default();
    for (i, a) in of.iter().enumerate() {
        if let Some(a) = *a {
            out.pairs.push((i, a));
            out.total += norm.weight(i, a).expect("assigned along an edge");
        }
    }
    out
}
