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
//!    channel, and `N` is the largest number of contacts that fit in the
//!    agent's units at all (smallest units first, per-channel caps
//!    respected). Every feasible assignment is a flow of this network, so
//!    its optimum is an upper bound.
//! 2. **Exact min-cost flow** on it (private module `flow`, hand-written):
//!    successive shortest paths with potentials (Dijkstra on reduced
//!    costs), inserting the contacts one at a time, best edge first.
//!    Adding contact `i` augments along the cheapest residual cycle through
//!    `root → i` if its cost is negative: `i` takes a slot, possibly
//!    displacing other contacts along a chain or leaving one of them out.
//!    After each insertion the flow is optimal for the contacts inserted so
//!    far (no negative residual cycle), so after the last one it is the
//!    relaxation's optimum. A search stops once its distance reaches the
//!    gain the contact could bring (`π(i) − π(root)`), so contacts that
//!    cannot beat the current "prices" cost next to nothing.
//! 3. **Repair** when the units constraint binds. For each agent whose
//!    units are exceeded, keep the subset of its contacts of highest weight
//!    that fits (exact branch and bound up to 20 contacts, weight per unit
//!    beyond), drop the others, forbid the dropped pairs, and *freeze* the
//!    agent at what it keeps (its per-channel arcs are closed at their
//!    current flow). Freezing only removes residual arcs (the agent's
//!    `agent → root` arc gains residual capacity but the agent can no
//!    longer be entered), so the flow stays optimal for the restricted
//!    network and the potentials stay valid: the dropped contacts are
//!    re-inserted (warm start, no re-solve). Re-inserted contacts may
//!    overload other agents, so this repeats until no agent is over; every
//!    round forbids at least one pair, so it terminates.
//! 4. **Fill and local search** (private module `improve`). Agents frozen
//!    by the repair may still have room: unassigned contacts are offered it
//!    along their edges, best weight first. Then ejection moves: contact
//!    `j` goes to agent `a` (from nowhere or from another agent), the subset
//!    of `a`'s contacts that is cheapest to lose (weight there less the best
//!    spot each can still find) is ejected to make room, and each ejected
//!    contact takes the best spot left. A move is kept only if the total
//!    grows (up to 8 passes; skipped when the candidate already meets the
//!    bound). This fixes what the repair cannot see, typically a voice call
//!    left out while an idle agent serves chats that had other places to go.
//! 5. **Lagrangian iterations.** Steps 1–4 run again with a price `λ_a`
//!    per unit of agent `a`'s capacity (contact arc weights `w − λ_a·units`),
//!    raised on the agents the relaxation overfills and lowered on the
//!    others (projected subgradient, Polyak step). Each relaxation then
//!    gives the bound `flow value + Σ λ_a·free_units_a`; the smallest is
//!    [`SolveStats::upper_bound`]. Each repaired flow is a candidate; the
//!    best is kept. It stops when the best candidate meets the bound
//!    (proven optimal), when the relaxation respects every agent's units
//!    with complementary slackness, or after [`Options::max_iterations`]
//!    (default 20).
//! 6. **Safety net.** [`greedy`] is computed too and the better of the two
//!    is returned (the flow's on a tie). So [`solve`] is always feasible and
//!    never worse than [`greedy`].
//!
//! ## When it is exact
//! * **Detected up front, per agent** ([`SolveStats::units_safe`] when it
//!   holds for every agent): if even the heaviest mix the relaxation allows
//!   (at most `k` per channel, at most `N` in all, largest units first)
//!   fits in the agent's free units, units can never bind there. When that
//!   holds for every agent the relaxation *is* the problem and the first
//!   flow is the exact optimum (one iteration, no repair). Typical cases: a
//!   chat-only or voice-only agent; an agent whose free units are below the
//!   voice size (75 units left: only chats fit, and `k` caps them at 3); an
//!   agent offered one voice call and one chat (`N = 1`); generous units.
//!   The common *idle blended* agent (100 units; voice 100 × 1, chat
//!   25 × 4) offered a call and two chats is **not** safe: voice plus a chat
//!   exceeds 100, and the relaxation may pick such a mix.
//! * **Proven after the fact** ([`SolveStats::proven_optimal`]): whenever
//!   the answer's total meets the upper bound, whatever the agents. This
//!   happens when a relaxation's optimum is feasible, and often when the
//!   batch has more contacts than room (the prices then separate voice and
//!   chat agents cleanly). Otherwise the answer is within
//!   `upper_bound − total` of the optimum (the Lagrangian bound cannot
//!   close an integrality gap: one 100-unit agent, chats worth 1 + 1, a
//!   call worth 3: optimum 3, bound 10/3).
//!
//! ## Complexity
//! With `n` contacts, `m` agents, `E` edges and `V = n + m + (agent,
//! channel) pairs` nodes: building is `O(E log E)`; each insertion is one
//! Dijkstra, `O(E log V)` in the worst case but usually a small region
//! thanks to the gain bound; one iteration has `n` insertions plus one per
//! pair the repair drops (at most `E` in all). The local search is
//! `O(passes × E × 2^h × d)` with `h ≤ 10` the contacts an agent holds and
//! `d` the edges per contact (8 passes at most). At most
//! [`Options::max_iterations`] iterations, one when the relaxation is
//! exact. [`greedy`] and [`feasible`] are `O(E log E)` (they normalise the
//! edges). Memory `O(V + E)`.
//!
//! ## Why it respects capacity
//! The flow's per-(agent, channel) arc capacity never exceeds the free
//! slots, so slots are respected by construction; units are checked agent
//! by agent after the flow and the repair loop does not stop while one is
//! over; the fill, the local search and [`greedy`] add a pair only if slots
//! and units still allow it. The tests check every answer with
//! [`feasible`].
//!
//! ## Determinism
//! No randomness, no clock and no hash maps: edges are sorted, contacts
//! inserted in a fixed order (best weight first, then index), Dijkstra
//! breaks ties by node index, the repair, the fill and the local search go
//! by index, and the number of iterations does not depend on time. Same
//! input, same output.
//!
//! ## Why hand-written, no crate
//! The registry cannot be searched from here, and what is known to exist
//! does not fit: `pathfinding`'s Kuhn–Munkres is a dense one-to-one
//! assignment on integer weights (no capacities, no "leave unassigned"),
//! `petgraph` has no min-cost flow, and general min-cost-flow or LP crates
//! want integer costs or an external solver, and none exposes the warm
//! start the repair relies on (freeze an agent, drop pairs, re-insert
//! contacts without re-solving). The successive-shortest-paths engine
//! here is about 550 lines with its comments, works on `f64` weights and is
//! deterministic.

mod flow;
mod improve;
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
    /// The smallest Lagrangian bound (the first is the slot relaxation's
    /// optimum): no feasible assignment does better (to 1e-9).
    pub upper_bound: f64,
    /// Units cannot bind for any agent (detected up front): the relaxation
    /// is the problem and the answer is optimal.
    pub units_safe: bool,
    /// The answer is optimal: its total meets `upper_bound` (to 1e-9
    /// relative). Always true when `units_safe`.
    pub proven_optimal: bool,
    /// Lagrangian iterations run (1 when the first relaxation was feasible).
    pub iterations: u32,
    /// Repair rounds of the iteration that gave the flow's best candidate
    /// (0: that relaxation's optimum was feasible as it was).
    pub repair_rounds: u32,
    /// Pairs dropped (and forbidden) by those repair rounds.
    pub dropped: usize,
    /// Pairs then added by the fill pass.
    pub filled: usize,
    /// Improving moves then made by the local search.
    pub moves: usize,
    /// Total of [`greedy`].
    pub greedy_total: f64,
    /// The greedy answer was strictly better and was returned.
    pub from_greedy: bool,
}

/// The maximum-total-weight feasible assignment: exact when the units
/// constraint cannot bind (and whenever [`SolveStats::proven_optimal`]),
/// a Lagrangian heuristic with a bound otherwise; never worse than
/// [`greedy`], always [`feasible`]. See the module docs.
pub fn solve(p: &Problem) -> Assignment {
    solve_with_stats(p).0
}

/// Knobs of [`solve_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Most Lagrangian iterations (each one min-cost flow solve; at least
    /// one is run). More close more of the gap when units bind.
    pub max_iterations: u32,
    /// Run the local search on every candidate that does not meet the
    /// bound.
    pub local_search: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { max_iterations: 20, local_search: true }
    }
}

/// [`solve`], with what it found out on the way.
pub fn solve_with_stats(p: &Problem) -> (Assignment, SolveStats) {
    solve_with(p, &Options::default())
}

/// [`solve`] with explicit [`Options`], and what it found out on the way.
pub fn solve_with(p: &Problem, opts: &Options) -> (Assignment, SolveStats) {
    let norm = Norm::new(p);
    let base = greedy_norm(p, &norm);
    let mut net = flow::Network::build(p, &norm);
    let m = p.rooms.len();
    let cap: Vec<f64> = p.rooms.iter().map(|r| f64::from(r.free_units)).collect();
    let tol = |x: f64| 1e-9 * x.abs().max(1.0);
    let mut lambda = vec![0.0; m];
    let mut best: Option<(Assignment, u32, usize, usize, usize)> = None;
    let mut upper = f64::INFINITY;
    let (mut theta, mut stale, mut iterations) = (1.0, 0, 0);
    for it in 0..opts.max_iterations.max(1) {
        iterations = it + 1;
        if it > 0 {
            net.reset(&lambda);
        }
        net.run();
        // The relaxation's optimum under the penalised weights, plus the
        // penalty on every agent's full room: an upper bound.
        let relaxed = net.assigned();
        let mut used = vec![0.0; m];
        for (i, a) in relaxed.iter().enumerate() {
            if let Some(a) = *a {
                used[a] += f64::from(p.demands[i].units);
            }
        }
        let bound = net.value() + lambda.iter().zip(&cap).map(|(l, c)| l * c).sum::<f64>();
        if bound < upper {
            upper = bound;
            stale = 0;
        } else {
            stale += 1;
            if stale >= 2 {
                theta /= 2.0;
                stale = 0;
            }
        }
        // A feasible candidate from it: repair, fill, local search.
        let (rounds, dropped) = net.repair(p);
        let mut of = net.assigned();
        let (mut filled, mut moves) = (0, 0);
        if rounds > 0 {
            filled = fill(p, &norm, &mut of);
        }
        let mut cand = to_assignment(&norm, &of);
        if opts.local_search && upper - cand.total > tol(upper) {
            moves = improve::improve(p, &norm, &mut of);
            if moves > 0 {
                cand = to_assignment(&norm, &of);
            }
        }
        if best.as_ref().is_none_or(|b| cand.total > b.0.total) {
            best = Some((cand, rounds, dropped, filled, moves));
        }
        let lb = best.as_ref().map_or(0.0, |b| b.0.total);
        if upper - lb <= tol(upper) {
            break;
        }
        // Projected subgradient step (Polyak): raise the price of the
        // agents the relaxation overfilled, lower the others'.
        let g: Vec<f64> = (0..m).map(|a| used[a] - cap[a]).collect();
        let norm2: f64 =
            (0..m).filter(|&a| g[a] > 0.0 || lambda[a] > 0.0).map(|a| g[a] * g[a]).sum();
        if norm2 == 0.0 {
            break;
        }
        let t = theta * (bound - lb).max(tol(upper)) / norm2;
        for a in 0..m {
            lambda[a] = (lambda[a] + t * g[a]).max(0.0);
        }
    }
    let (flow, repair_rounds, dropped, filled, moves) = best.unwrap_or_default();
    let upper_bound = upper.max(flow.total).max(base.total);
    let greedy_total = base.total;
    let from_greedy = base.total > flow.total;
    let answer = if from_greedy { base } else { flow };
    let stats = SolveStats {
        upper_bound,
        units_safe: net.safe().iter().all(|&s| s),
        proven_optimal: upper_bound - answer.total <= tol(upper_bound),
        iterations,
        repair_rounds,
        dropped,
        filled,
        moves,
        greedy_total,
        from_greedy,
    };
    (answer, stats)
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
            if best.is_none_or(|(_, bw)| w > bw) && load.fits(p, i, a as usize) {
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
