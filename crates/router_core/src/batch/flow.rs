//! The min-cost-flow engine of the batch solver (see [`super`] for the
//! model and the algorithm).
//!
//! Network: node 0 is the root (source and sink at once: the flow is a
//! circulation), contact `i` is node `1 + i`, then one node per (agent,
//! channel) pair that has an eligible edge, then one node per agent. Arcs
//! come in pairs, `e` forward and `e ^ 1` its reverse; `cap` is the
//! *residual* capacity, so the flow on a forward arc is `cap[e ^ 1]`. Costs
//! are `−weight` on contact arcs, 0 elsewhere. Potentials `pi` keep every
//! residual arc that a search can reach at a reduced cost
//! `cost + pi[u] − pi[v] ≥ 0`, so Dijkstra applies.

use super::{slots, Norm, Problem};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const ROOT: u32 = 0;
const NONE: u32 = u32::MAX;
/// Largest number of contacts of one agent whose best feasible subset the
/// repair finds exactly (branch and bound); beyond it, weight per unit.
const EXACT_KNAPSACK: usize = 20;

pub(super) struct Network {
    /// First (agent, channel) node; `ac_base + k` is pair `k`.
    ac_base: u32,
    /// Agent of pair `k`.
    ac_agent: Vec<u32>,
    /// Forward arc (agent, channel) → agent of pair `k`.
    ac_arc: Vec<u32>,
    /// Pairs of agent `a`: `agent_ac[a]..agent_ac[a + 1]`.
    agent_ac: Vec<u32>,
    /// Forward arc agent → root of agent `a`.
    agent_arc: Vec<u32>,
    /// Units can never bind for agent `a`.
    safe: Vec<bool>,
    /// Forward arc root → contact of contact `i`.
    root_arc: Vec<u32>,
    /// Contacts with an eligible edge, in insertion order.
    order: Vec<u32>,
    /// Position of contact `i` in `order`.
    rank: Vec<u32>,
    /// Contact arcs are `edge_lo..edge_hi`.
    edge_lo: u32,
    edge_hi: u32,
    /// Reverse arcs (ac → contact) of the contacts pair `k` holds.
    held: Vec<Vec<u32>>,
    /// Weight and units of contact arc `edge_lo + 2k`.
    weight: Vec<f64>,
    units: Vec<u32>,
    /// Capacities before any flow.
    cap0: Vec<i32>,
    to: Vec<u32>,
    cap: Vec<i32>,
    cost: Vec<f64>,
    adj_start: Vec<u32>,
    adj: Vec<u32>,
    pi: Vec<f64>,
    dist: Vec<f64>,
    parent: Vec<u32>,
    done: Vec<bool>,
    touched: Vec<u32>,
    settled: Vec<u32>,
    heap: BinaryHeap<Reverse<(u64, u32)>>,
    /// Gains below this are ignored (float noise).
    eps: f64,
}

impl Network {
    /// The slot relaxation of `p` (see the module docs of [`super`]).
    pub(super) fn build(p: &Problem, norm: &Norm) -> Network {
        let (n, m) = (p.demands.len(), p.rooms.len());
        // Eligible edges, by (agent, channel, contact).
        let mut el: Vec<(u32, usize, u32, f64)> = norm
            .edges
            .iter()
            .filter_map(|&(i, a, w)| {
                let d = p.demands[i as usize];
                let ok = slots(p, a as usize, d.channel) > 0
                    && d.units <= p.rooms[a as usize].free_units;
                ok.then_some((a, d.channel, i, w))
            })
            .collect();
        el.sort_by_key(|x| (x.0, x.1, x.2));

        // (agent, channel) groups: node, cap.
        let mut ac_agent = Vec::new();
        let mut ac_cap = Vec::new();
        let mut agent_ac = vec![0u32; m + 1];
        let mut agent_n = vec![0u32; m];
        let mut safe = vec![true; m];
        let mut group = vec![0u32; el.len()];
        let mut lo: Vec<u64> = Vec::new();
        let mut hi: Vec<u64> = Vec::new();
        let mut s = 0;
        while s < el.len() {
            let a = el[s].0;
            let free = u64::from(p.rooms[a as usize].free_units);
            lo.clear();
            hi.clear();
            while s < el.len() && el[s].0 == a {
                let c = el[s].1;
                let mut t = s;
                while t < el.len() && el[t].0 == a && el[t].1 == c {
                    t += 1;
                }
                let mut us: Vec<u64> =
                    el[s..t].iter().map(|x| u64::from(p.demands[x.2 as usize].units)).collect();
                us.sort_unstable();
                let by_units = free.checked_div(us[0]).unwrap_or(u64::MAX);
                let k =
                    u64::from(slots(p, a as usize, c)).min(by_units).min(us.len() as u64) as usize;
                lo.extend_from_slice(&us[..k]);
                hi.extend_from_slice(&us[us.len() - k..]);
                for g in &mut group[s..t] {
                    *g = ac_agent.len() as u32;
                }
                ac_agent.push(a);
                ac_cap.push(k as i32);
                s = t;
            }
            // At most `cnt` contacts fit at all (smallest units first); the
            // heaviest such mix decides whether units can bind.
            lo.sort_unstable();
            let (mut cnt, mut sum) = (0usize, 0u64);
            for &u in &lo {
                if sum + u > free {
                    break;
                }
                sum += u;
                cnt += 1;
            }
            hi.sort_unstable_by(|x, y| y.cmp(x));
            let heaviest: u64 = hi[..cnt].iter().sum();
            safe[a as usize] = heaviest <= free;
            agent_n[a as usize] = cnt as u32;
            agent_ac[a as usize + 1] = ac_agent.len() as u32;
        }
        for a in 0..m {
            agent_ac[a + 1] = agent_ac[a + 1].max(agent_ac[a]);
        }

        let nac = ac_agent.len();
        let ac_base = 1 + n as u32;
        let agent_base = ac_base + nac as u32;
        let nodes = agent_base as usize + m;
        let mut b = Arcs::default();
        let root_arc: Vec<u32> = (0..n).map(|i| b.add(ROOT, 1 + i as u32, 0, 0.0)).collect();
        let edge_lo = b.to.len() as u32;
        // Contact arcs by (contact, agent): a contact's arcs are adjacent in
        // memory (its node's scan is the hot loop of the searches).
        let mut by_contact: Vec<usize> = (0..el.len()).collect();
        by_contact.sort_unstable_by_key(|&k| (el[k].2, el[k].0));
        for &k in &by_contact {
            b.add(1 + el[k].2, ac_base + group[k], 1, -el[k].3);
        }
        let edge_hi = b.to.len() as u32;
        let ac_arc: Vec<u32> = (0..nac)
            .map(|k| b.add(ac_base + k as u32, agent_base + ac_agent[k], ac_cap[k], 0.0))
            .collect();
        let agent_arc: Vec<u32> =
            (0..m).map(|a| b.add(agent_base + a as u32, ROOT, agent_n[a] as i32, 0.0)).collect();

        // Adjacency (CSR), arcs of a node in index order.
        let mut adj_start = vec![0u32; nodes + 1];
        for e in 0..b.to.len() {
            adj_start[b.to[e ^ 1] as usize + 1] += 1;
        }
        for v in 0..nodes {
            adj_start[v + 1] += adj_start[v];
        }
        let mut fill = adj_start.clone();
        let mut adj = vec![0u32; b.to.len()];
        for e in 0..b.to.len() {
            let t = b.to[e ^ 1] as usize;
            adj[fill[t] as usize] = e as u32;
            fill[t] += 1;
        }

        let wmax = el.iter().map(|x| x.3).fold(0.0, f64::max);
        let mut net = Network {
            ac_base,
            ac_agent,
            ac_arc,
            agent_ac,
            agent_arc,
            safe,
            root_arc,
            order: Vec::new(),
            rank: vec![u32::MAX; n],
            edge_lo,
            edge_hi,
            held: vec![Vec::new(); nac],
            weight: by_contact.iter().map(|&k| el[k].3).collect(),
            units: by_contact.iter().map(|&k| p.demands[el[k].2 as usize].units).collect(),
            cap0: b.cap.clone(),
            to: b.to,
            cap: b.cap,
            cost: b.cost,
            adj_start,
            adj,
            pi: vec![0.0; nodes],
            dist: vec![f64::INFINITY; nodes],
            parent: vec![NONE; nodes],
            done: vec![false; nodes],
            touched: Vec::new(),
            settled: Vec::new(),
            heap: BinaryHeap::new(),
            eps: 1e-12 * wmax.max(1e-300),
        };
        net.reset(&vec![0.0; m]);
        net
    }

    /// Back to no flow, with contact arc weights `weight − lambda[agent] ×
    /// units` (arcs whose weight is not positive are closed) and contacts
    /// inserted best (penalised) edge first, then by index.
    pub(super) fn reset(&mut self, lambda: &[f64]) {
        let n = self.root_arc.len();
        self.cap.copy_from_slice(&self.cap0);
        self.held.iter_mut().for_each(Vec::clear);
        self.pi.iter_mut().for_each(|x| *x = 0.0);
        let mut best = vec![f64::NEG_INFINITY; n];
        for k in 0..self.weight.len() {
            let e = self.edge_lo as usize + 2 * k;
            let a = self.ac_agent[(self.to[e] - self.ac_base) as usize] as usize;
            let w = self.weight[k] - lambda[a] * f64::from(self.units[k]);
            if w > self.eps {
                self.cost[e] = -w;
                self.cost[e ^ 1] = w;
                let i = self.to[e ^ 1] as usize - 1;
                best[i] = best[i].max(w);
            } else {
                self.cap[e] = 0;
            }
        }
        self.order = (0..n as u32).filter(|&i| best[i as usize] > 0.0).collect();
        self.order.sort_by(|&x, &y| best[y as usize].total_cmp(&best[x as usize]).then(x.cmp(&y)));
        self.rank.iter_mut().for_each(|r| *r = u32::MAX);
        for (r, &i) in self.order.iter().enumerate() {
            self.rank[i as usize] = r as u32;
        }
    }

    /// Whether units can never bind for agent `a`.
    pub(super) fn safe(&self) -> &[bool] {
        &self.safe
    }

    /// Value of the current flow under the current (penalised) weights.
    pub(super) fn value(&self) -> f64 {
        (0..self.root_arc.len())
            .filter_map(|i| self.assigned_arc(i))
            .map(|e| -self.cost[e as usize])
            .sum()
    }

    /// Inserts every contact: afterwards the flow is the relaxation's
    /// optimum.
    pub(super) fn run(&mut self) {
        for r in 0..self.order.len() {
            self.insert(self.order[r] as usize);
        }
    }

    /// Agent of each contact (`None`: unassigned).
    pub(super) fn assigned(&self) -> Vec<Option<usize>> {
        (0..self.root_arc.len())
            .map(|i| {
                self.assigned_arc(i)
                    .map(|e| self.ac_agent[(self.to[e as usize] - self.ac_base) as usize] as usize)
            })
            .collect()
    }

    /// The contact arc carrying contact `i`'s flow.
    fn assigned_arc(&self, i: usize) -> Option<u32> {
        self.out(1 + i as u32).find(|&e| self.is_edge(e) && self.cap[e as usize ^ 1] > 0)
    }

    fn is_edge(&self, e: u32) -> bool {
        e & 1 == 0 && (self.edge_lo..self.edge_hi).contains(&e)
    }

    fn out(&self, v: u32) -> impl Iterator<Item = u32> + '_ {
        let (s, t) = (self.adj_start[v as usize] as usize, self.adj_start[v as usize + 1] as usize);
        self.adj[s..t].iter().copied()
    }

    /// Adds contact `i` (not in the flow, its root arc closed) and augments
    /// along the cheapest residual cycle through it if that has a negative
    /// cost. Returns whether it did.
    fn insert(&mut self, i: usize) -> bool {
        let v = 1 + i as u32;
        // A potential that makes every arc out of the contact non-negative.
        let mut top = f64::NEG_INFINITY;
        for e in self.out(v) {
            if self.is_edge(e) && self.cap[e as usize] > 0 {
                top = top.max(self.pi[self.to[e as usize] as usize] - self.cost[e as usize]);
            }
        }
        if top == f64::NEG_INFINITY {
            return false;
        }
        self.pi[v as usize] = top;
        // Cycle cost = reduced distance to the root − this; only a positive
        // gain is worth augmenting.
        let bound = top - self.pi[ROOT as usize] - self.eps;
        if bound <= 0.0 {
            return false;
        }
        self.dist[v as usize] = 0.0;
        self.touched.push(v);
        self.heap.push(Reverse((0.0f64.to_bits(), v)));
        let mut reached = None;
        while let Some(Reverse((bits, u))) = self.heap.pop() {
            let d = f64::from_bits(bits);
            let uu = u as usize;
            if self.done[uu] || d > self.dist[uu] {
                continue;
            }
            if u == ROOT {
                reached = Some(d);
                break;
            }
            self.done[uu] = true;
            self.settled.push(u);
            let k = uu.wrapping_sub(self.ac_base as usize);
            if k < self.ac_agent.len() {
                // An (agent, channel) node: its arc to the agent and the
                // reverse arcs of the contacts it holds (the other reverse
                // arcs carry nothing).
                self.relax(uu, d, self.ac_arc[k] as usize, bound);
                for h in 0..self.held[k].len() {
                    self.relax(uu, d, self.held[k][h] as usize, bound);
                }
            } else {
                for k in self.adj_start[uu] as usize..self.adj_start[uu + 1] as usize {
                    self.relax(uu, d, self.adj[k] as usize, bound);
                }
            }
        }
        self.heap.clear();
        if let Some(big) = reached {
            let mut u = ROOT;
            while u != v {
                let e = self.parent[u as usize] as usize;
                self.cap[e] -= 1;
                self.cap[e ^ 1] += 1;
                u = self.to[e ^ 1];
                if (self.edge_lo as usize..self.edge_hi as usize).contains(&e) {
                    if e & 1 == 0 {
                        // A contact arc now carries flow.
                        let k = (self.to[e] - self.ac_base) as usize;
                        self.held[k].push(e as u32 ^ 1);
                    } else {
                        // A contact leaves (reverse arc ac → contact used).
                        self.unhold(e ^ 1);
                    }
                }
            }
            let r = self.root_arc[i] as usize;
            self.cap[r] = 0;
            self.cap[r ^ 1] = 1;
            // Settled nodes move by their slack to the root; the others
            // (distance ≥ the root's) keep theirs. Reduced costs stay ≥ 0
            // and are 0 along the path.
            for &u in &self.settled {
                self.pi[u as usize] -= big - self.dist[u as usize];
            }
        }
        for &u in &self.touched {
            self.dist[u as usize] = f64::INFINITY;
            self.done[u as usize] = false;
        }
        self.touched.clear();
        self.settled.clear();
        reached.is_some()
    }

    /// Relaxes arc `e` out of settled node `u` at distance `d`.
    #[inline]
    fn relax(&mut self, u: usize, d: f64, e: usize, bound: f64) {
        if self.cap[e] <= 0 {
            return;
        }
        let w = self.to[e] as usize;
        if self.done[w] {
            return;
        }
        // Distances are ≥ 0, so their bits order like the values.
        let nd = d + (self.cost[e] + self.pi[u] - self.pi[w]).max(0.0);
        if nd < self.dist[w] && nd < bound {
            if self.dist[w] == f64::INFINITY {
                self.touched.push(w as u32);
            }
            self.dist[w] = nd;
            self.parent[w] = e as u32;
            self.heap.push(Reverse((nd.to_bits(), w as u32)));
        }
    }

    /// Forward contact arc `e` stops carrying flow: off its node's list.
    fn unhold(&mut self, e: usize) {
        let k = (self.to[e] - self.ac_base) as usize;
        let h = self.held[k].iter().position(|&x| x as usize == e ^ 1).expect("held");
        self.held[k].swap_remove(h);
    }

    /// Repairs the units constraint (see the module docs of [`super`]).
    /// Returns (rounds, pairs dropped).
    pub(super) fn repair(&mut self, p: &Problem) -> (u32, usize) {
        let (mut rounds, mut dropped) = (0u32, 0usize);
        loop {
            // (agent, contact, arc) of every assigned contact.
            let mut held: Vec<(u32, u32, u32)> = (0..self.root_arc.len())
                .filter_map(|i| {
                    let e = self.assigned_arc(i)?;
                    Some((
                        self.ac_agent[(self.to[e as usize] - self.ac_base) as usize],
                        i as u32,
                        e,
                    ))
                })
                .collect();
            held.sort_unstable();
            let mut back = Vec::new();
            let mut s = 0;
            while s < held.len() {
                let a = held[s].0;
                let mut t = s;
                while t < held.len() && held[t].0 == a {
                    t += 1;
                }
                let grp = &held[s..t];
                let free = u64::from(p.rooms[a as usize].free_units);
                let used: u64 = grp.iter().map(|x| u64::from(p.demands[x.1 as usize].units)).sum();
                if used > free {
                    let items: Vec<(f64, u64)> = grp
                        .iter()
                        .map(|x| {
                            (-self.cost[x.2 as usize], u64::from(p.demands[x.1 as usize].units))
                        })
                        .collect();
                    let keep = best_subset(&items, free);
                    for (x, k) in grp.iter().zip(keep) {
                        if !k {
                            self.detach(x.1 as usize, x.2 as usize);
                            back.push(x.1);
                        }
                    }
                    self.freeze(a as usize);
                }
                s = t;
            }
            if back.is_empty() {
                return (rounds, dropped);
            }
            rounds += 1;
            dropped += back.len();
            back.sort_by_key(|&i| self.rank[i as usize]);
            for i in back {
                self.insert(i as usize);
            }
        }
    }

    /// Takes contact `i` off its contact arc `e`, forbids that pair and
    /// takes the contact out of the flow.
    fn detach(&mut self, i: usize, e: usize) {
        let k = (self.to[e] - self.ac_base) as usize;
        let a = self.ac_agent[k] as usize;
        self.unhold(e);
        self.cap[e] = 0;
        self.cap[e ^ 1] = 0;
        for f in [self.ac_arc[k] as usize, self.agent_arc[a] as usize] {
            self.cap[f] += 1;
            self.cap[f ^ 1] -= 1;
        }
        let r = self.root_arc[i] as usize;
        self.cap[r] = 0;
        self.cap[r ^ 1] = 0;
    }

    /// Closes agent `a`'s (agent, channel) arcs at their current flow: no
    /// search can enter the agent any more, so its `agent → root` arc (whose
    /// residual grew) is never used, and the other residual arcs only lost
    /// capacity: the potentials stay valid.
    fn freeze(&mut self, a: usize) {
        for k in self.agent_ac[a]..self.agent_ac[a + 1] {
            self.cap[self.ac_arc[k as usize] as usize] = 0;
        }
    }
}

/// Arc pairs under construction.
#[derive(Default)]
struct Arcs {
    to: Vec<u32>,
    cap: Vec<i32>,
    cost: Vec<f64>,
}

impl Arcs {
    /// Adds `u → v` and its reverse; returns the forward arc.
    fn add(&mut self, u: u32, v: u32, cap: i32, cost: f64) -> u32 {
        let e = self.to.len() as u32;
        self.to.extend([v, u]);
        self.cap.extend([cap, 0]);
        self.cost.extend([cost, -cost]);
        e
    }
}

/// The subset of `items` (weight, units) of highest weight within `cap`
/// units: exact (branch and bound, heavier items tried first) up to
/// [`EXACT_KNAPSACK`] items, by weight per unit beyond. Ties: the first
/// found, so deterministic.
pub(super) fn best_subset(items: &[(f64, u64)], cap: u64) -> Vec<bool> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    let mut keep = vec![false; items.len()];
    if items.len() > EXACT_KNAPSACK {
        // Weight per unit, descending (0 units first).
        idx.sort_by(|&x, &y| {
            let r = |k: usize| {
                if items[k].1 == 0 {
                    f64::INFINITY
                } else {
                    items[k].0 / items[k].1 as f64
                }
            };
            r(y).total_cmp(&r(x)).then(x.cmp(&y))
        });
        let mut used = 0;
        for k in idx {
            if used + items[k].1 <= cap {
                used += items[k].1;
                keep[k] = true;
            }
        }
        return keep;
    }
    idx.sort_by(|&x, &y| items[y].0.total_cmp(&items[x].0).then(x.cmp(&y)));
    let mut suffix = vec![0.0; idx.len() + 1];
    for k in (0..idx.len()).rev() {
        suffix[k] = suffix[k + 1] + items[idx[k]].0;
    }
    struct Bb<'a> {
        items: &'a [(f64, u64)],
        idx: &'a [usize],
        suffix: &'a [f64],
        cap: u64,
        cur: Vec<bool>,
        best: f64,
        best_set: Vec<bool>,
    }
    fn go(b: &mut Bb<'_>, k: usize, used: u64, val: f64) {
        if val > b.best {
            b.best = val;
            b.best_set.clone_from(&b.cur);
        }
        if k == b.idx.len() || val + b.suffix[k] <= b.best {
            return;
        }
        let it = b.items[b.idx[k]];
        if used + it.1 <= b.cap {
            b.cur[b.idx[k]] = true;
            go(b, k + 1, used + it.1, val + it.0);
            b.cur[b.idx[k]] = false;
        }
        go(b, k + 1, used, val);
    }
    let mut b = Bb {
        items,
        idx: &idx,
        suffix: &suffix,
        cap,
        cur: vec![false; items.len()],
        best: 0.0,
        best_set: vec![false; items.len()],
    };
    go(&mut b, 0, 0, 0.0);
    keep = b.best_set;
    keep
}
