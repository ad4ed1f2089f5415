//! Local search on a feasible assignment: ejection moves (see [`improve`]).

use super::{slots, Norm, Problem};

/// Up to this many contacts held by an agent, a move into it considers
/// every subset of them to eject; beyond, subsets of at most two (and
/// beyond 32, none).
const EJECT_ALL: usize = 6;
/// Most passes over the contacts.
const PASSES: usize = 8;

/// A feasible assignment with its loads.
struct Sol<'a> {
    p: &'a Problem,
    norm: &'a Norm,
    of: Vec<Option<usize>>,
    held: Vec<Vec<usize>>,
    units: Vec<u64>,
    slots: Vec<Vec<u32>>,
}

impl Sol<'_> {
    fn fits(&self, i: usize, a: usize) -> bool {
        let d = self.p.demands[i];
        let used = self.slots[a].get(d.channel).copied().unwrap_or(0);
        used < slots(self.p, a, d.channel)
            && self.units[a] + u64::from(d.units) <= u64::from(self.p.rooms[a].free_units)
    }

    fn assign(&mut self, i: usize, a: usize) {
        let d = self.p.demands[i];
        self.units[a] += u64::from(d.units);
        self.slots[a][d.channel] += 1;
        self.held[a].push(i);
        self.of[i] = Some(a);
    }

    fn unassign(&mut self, i: usize) {
        let a = self.of[i].take().expect("assigned");
        let d = self.p.demands[i];
        self.units[a] -= u64::from(d.units);
        self.slots[a][d.channel] -= 1;
        let k = self.held[a].iter().position(|&x| x == i).expect("held");
        self.held[a].remove(k);
    }

    fn w(&self, i: usize, a: usize) -> f64 {
        self.norm.weight(i, a).expect("edge")
    }

    fn value(&self, i: usize) -> f64 {
        self.of[i].map_or(0.0, |a| self.w(i, a))
    }

    /// Best agent other than `not` that contact `i` fits now (ties: lowest
    /// index).
    fn best_spot(&self, i: usize, not: usize) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for &(_, a, w) in self.norm.of(i) {
            let a = a as usize;
            if a != not && best.is_none_or(|b| w > b.1) && self.fits(i, a) {
                best = Some((a, w));
            }
        }
        best
    }
}

/// Improves a feasible assignment `of` in place by moves "contact `j` goes
/// to agent `a` (from nowhere or from another agent), the cheapest subset
/// of `a`'s contacts is ejected to make room, and each ejected contact
/// takes the best spot left elsewhere". A move is kept only if the total
/// strictly grows, so the assignment stays feasible and never gets worse.
/// Deterministic (contacts, agents and subsets in index order).
pub(super) fn improve(p: &Problem, norm: &Norm, of: &mut Vec<Option<usize>>) -> usize {
    let m = p.rooms.len();
    let mut s = Sol {
        p,
        norm,
        of: vec![None; of.len()],
        held: vec![Vec::new(); m],
        units: vec![0; m],
        slots: p.rooms.iter().map(|r| vec![0; r.free_slots.len()]).collect(),
    };
    for (i, a) in of.iter().enumerate() {
        if let Some(a) = *a {
            s.assign(i, a);
        }
    }
    let wmax = norm.edges.iter().map(|e| e.2).fold(0.0, f64::max);
    let eps = 1e-12 * wmax.max(1e-300);
    let mut moves = 0;
    let mut log: Vec<(usize, Option<usize>)> = Vec::new();
    let mut subsets: Vec<u64> = Vec::new();
    for _ in 0..PASSES {
        let mut improved = false;
        for j in 0..of.len() {
            let cur = s.of[j];
            let dj = p.demands[j];
            let base = s.value(j);
            // The best (estimated) move of j.
            let mut best: Option<(f64, usize, u64)> = None;
            for &(_, a, w) in norm.of(j) {
                let a = a as usize;
                if Some(a) == cur || w <= base + eps {
                    continue;
                }
                if slots(p, a, dj.channel) == 0 || dj.units > p.rooms[a].free_units {
                    continue;
                }
                let held = &s.held[a];
                if held.len() > 32 && !s.fits(j, a) {
                    continue;
                }
                // Loss of ejecting each held contact: its weight here less
                // the best it can find elsewhere now.
                let loss: Vec<f64> = held
                    .iter()
                    .map(|&x| s.w(x, a) - s.best_spot(x, a).map_or(0.0, |b| b.1))
                    .collect();
                let free = u64::from(p.rooms[a].free_units);
                let room = slots(p, a, dj.channel);
                masks(held.len(), &mut subsets);
                for &mask in &subsets {
                    let (mut u, mut c, mut l) = (s.units[a], s.slots[a][dj.channel], 0.0);
                    for (k, &x) in held.iter().enumerate() {
                        if mask >> k & 1 == 1 {
                            let d = p.demands[x];
                            u -= u64::from(d.units);
                            if d.channel == dj.channel {
                                c -= 1;
                            }
                            l += loss[k];
                        }
                    }
                    if c >= room || u + u64::from(dj.units) > free {
                        continue;
                    }
                    let gain = w - base - l;
                    if gain > eps && best.is_none_or(|b| gain > b.0) {
                        best = Some((gain, a, mask));
                    }
                }
            }
            let Some((_, a, mask)) = best else { continue };
            // Apply, measure exactly, undo if not better.
            log.clear();
            let mut before = base;
            let ejected: Vec<usize> = s.held[a]
                .iter()
                .enumerate()
                .filter(|(k, _)| mask >> k & 1 == 1)
                .map(|(_, &x)| x)
                .collect();
            if cur.is_some() {
                log.push((j, cur));
                s.unassign(j);
            }
            for &x in &ejected {
                before += s.w(x, a);
                log.push((x, Some(a)));
                s.unassign(x);
            }
            log.push((j, None));
            s.assign(j, a);
            let mut after = s.w(j, a);
            let mut order = ejected.clone();
            order.sort_by(|&x, &y| s.w(y, a).total_cmp(&s.w(x, a)).then(x.cmp(&y)));
            for x in order {
                if let Some((b, wb)) = s.best_spot(x, a) {
                    log.push((x, None));
                    s.assign(x, b);
                    after += wb;
                }
            }
            if after > before + eps {
                moves += 1;
                improved = true;
            } else {
                // Undo in reverse: (contact, agent it had before the step).
                while let Some((x, prev)) = log.pop() {
                    if s.of[x].is_some() {
                        s.unassign(x);
                    }
                    if let Some(b) = prev {
                        s.assign(x, b);
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
    *of = s.of;
    moves
}

/// The subsets (bit masks, in increasing order) of `h` held contacts that
/// a move considers ejecting: all of them up to [`EJECT_ALL`], else those
/// of at most two (only the empty one beyond 32).
fn masks(h: usize, out: &mut Vec<u64>) {
    out.clear();
    if h <= EJECT_ALL {
        out.extend(0..1u64 << h);
    } else {
        out.push(0);
        if h <= 32 {
            for x in 0..h {
                out.push(1 << x);
                for y in x + 1..h {
                    out.push(1 << x | 1 << y);
                }
            }
            out.sort_unstable();
        }
    }
}
