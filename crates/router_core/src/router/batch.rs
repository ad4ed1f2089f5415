//! Optimal batch assignment: instead of routing one event at a time, solve
//! the maximum-score assignment of the waiting contacts to the free agent
//! capacity at one moment (`assign_batch`, or every `batch_window` seconds
//! in batch mode).
//!
//! The problem handed to the solver (`crate::batch`): one demand per
//! waiting contact (its channel and units), one room per agent with free
//! capacity (free units, free slots per channel), one edge per eligible
//! pair. When capacity is short, only the contacts the queues would serve
//! first (by the usual contact order) take part, as many as there are free
//! slots, so batching never overrides priorities. Edge weights make the
//! solver assign as many of them as possible, then maximise the total
//! score: the plug-in policy's score, the weighted policy's score, or the
//! skill match (levels on required, then preferred skills) for built-ins.

use super::Router;
use crate::batch::{solve_with, Demand, Edge, Options, Problem, Room};
use crate::error::Result;
use crate::event::Event;
use crate::policy::most_skilled::level_sum;
use crate::policy::Policy;
use crate::sink::EventSink;
use crate::types::{ContactStatus, Time};

/// What a batch did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchReport {
    /// Contacts that took part.
    pub contacts: usize,
    /// Agents with room that took part.
    pub agents: usize,
    /// Assignments made.
    pub assigned: usize,
    /// Total score of the assignments made.
    pub score: f64,
}

impl Router {
    /// Solves and applies the maximum-score assignment of waiting contacts
    /// to free capacity now. Works in any mode; in batch mode it is what
    /// the `batch_window` timer runs.
    ///
    /// Errors: `InvalidInput` for a bad or backwards time.
    pub fn assign_batch<S: EventSink>(&mut self, now: Time, sink: S) -> Result<(S, BatchReport)> {
        self.check_now(now)?;
        self.open(&sink);
        let mut ev = self.begin(now);
        let report = self.run_batch(&mut ev);
        Ok((self.deliver(ev, sink), report))
    }

    /// In batch mode, makes sure a batch is scheduled and returns `true`
    /// (the caller then leaves the decision to it); `false` otherwise.
    #[inline]
    pub(super) fn request_batch(&mut self) -> bool {
        let Some(window) = self.config.batch_window else { return false };
        if self.batch_due.is_none() {
            let at = self.now + window;
            self.batch_due = Some(at);
            self.schedule(at, super::timers::TimerKind::Batch);
        }
        true
    }

    /// The score of agent `ai` for contact `ci` under a built-in policy.
    fn builtin_score(&self, ci: u32, ai: u32) -> f64 {
        let c = self.contact(ci);
        let a = self.agent(ai);
        let prof = &self.index.profiles[a.profile as usize].skills;
        let reqs = &self.index.sigs[c.sig as usize].reqs;
        match &self.config.policy {
            Policy::Weighted(_) => {
                let key = a
                    .key
                    .as_ref()
                    .map_or([crate::types::OrdF64(0.0); crate::policy::KEY_LEN], |k| k.primary);
                let bonus = self.pref_bonus(ci, a.profile, &a.attributes);
                -self.config.policy.rank(&key, prof, reqs, &c.prefers, bonus)[0].0
            }
            Policy::Chain(_) => {
                let pref =
                    level_sum(prof, &c.prefers) + self.pref_bonus(ci, a.profile, &a.attributes);
                f64::from(level_sum(prof, reqs)) + f64::from(pref) / 100.0
            }
        }
    }

    pub(super) fn run_batch(&mut self, ev: &mut Vec<Event>) -> BatchReport {
        // Agents with room, and their free slots.
        let n_ch = self.channels.len();
        let mut agent_ix: Vec<u32> = Vec::new();
        let mut room_of = rustc_hash::FxHashMap::default();
        for (ai, a) in self.agents.iter().enumerate() {
            let Some(a) = a else { continue };
            if (0..n_ch).any(|c| self.can_take(a, c)) {
                room_of.insert(ai as u32, agent_ix.len());
                agent_ix.push(ai as u32);
            }
        }
        if agent_ix.is_empty() {
            return BatchReport::default();
        }
        let total_slots: u32 = agent_ix
            .iter()
            .map(|&ai| {
                let a = self.agent(ai);
                (0..n_ch).map(|c| a.max[c] - a.held[c]).sum::<u32>()
            })
            .sum();
        // Waiting contacts in service order (best first), capped at the slots.
        let now = self.now;
        let mut waiting: Vec<(super::ContactRank, u32)> = self
            .contacts
            .enumerate()
            .filter(|(_, c)| {
                c.status == ContactStatus::Waiting
                    && !c.held
                    && c.callback.as_ref().is_none_or(|cb| cb.parked_until.is_none())
            })
            .map(|(ci, _)| ci as u32)
            .map(|ci| {
                let order = &self.queues[self.contact(ci).queue as usize].order;
                (order.rank(&self.wait_key(ci), now, 0), ci)
            })
            .collect();
        waiting.sort_unstable();
        waiting.truncate(total_slots as usize);
        // Eligible pairs and their scores.
        let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
        for (k, &(_, ci)) in waiting.iter().enumerate() {
            let c = self.contact(ci);
            let cands: Vec<u32> = match c.pinned {
                Some(pa) => room_of
                    .contains_key(&pa)
                    .then_some(pa)
                    .filter(|&pa| self.eligible(pa, ci))
                    .into_iter()
                    .collect(),
                None => {
                    let ch = c.channel as usize;
                    self.index.sigs[c.sig as usize]
                        .profiles
                        .iter()
                        .filter(|&&p| self.routes_to(p, c.queue, c.age_origin()))
                        .flat_map(|&p| {
                            self.index.profiles[p as usize].ready[ch].iter().map(|key| key.idx)
                        })
                        .filter(|&ai| !c.excluded.contains(&self.agent(ai).uid))
                        .filter(|&ai| self.admits(ci, ai))
                        .collect()
                }
            };
            if cands.is_empty() {
                continue;
            }
            let scores = match self.plugin_scores(ci, &cands) {
                Some(s) => s,
                None => cands.iter().map(|&ai| self.builtin_score(ci, ai)).collect(),
            };
            for (&ai, s) in cands.iter().zip(scores) {
                pairs.push((k, room_of[&ai], s));
            }
        }
        if pairs.is_empty() {
            return BatchReport { agents: agent_ix.len(), ..Default::default() };
        }
        // Cardinality first, then score: every weight exceeds the spread of scores times the contacts.
        let lo = pairs.iter().map(|p| p.2).fold(f64::INFINITY, f64::min);
        let hi = pairs.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
        let base = (hi - lo + 1.0) * (waiting.len() as f64 + 1.0);
        let problem = Problem {
            demands: waiting
                .iter()
                .map(|&(_, ci)| {
                    let ch = self.contact(ci).channel as usize;
                    Demand { channel: ch, units: self.channels[ch].cfg.cost }
                })
                .collect(),
            rooms: agent_ix
                .iter()
                .map(|&ai| {
                    let a = self.agent(ai);
                    Room {
                        free_units: a.capacity - a.used,
                        free_slots: (0..n_ch)
                            .map(|c| if self.can_take(a, c) { a.max[c] - a.held[c] } else { 0 })
                            .collect(),
                    }
                })
                .collect(),
            edges: pairs
                .iter()
                .map(|&(c, a, s)| Edge { contact: c, agent: a, weight: base + s - lo + 1.0 })
                .collect(),
        };
        // A few Lagrangian rounds keep a batch's latency bounded; the
        // answer is feasible and never worse than greedy either way.
        let (solution, _) =
            solve_with(&problem, &Options { max_iterations: 4, local_search: true });
        let score_of: rustc_hash::FxHashMap<(usize, usize), f64> =
            pairs.iter().map(|&(c, a, s)| ((c, a), s)).collect();
        let mut report =
            BatchReport { contacts: waiting.len(), agents: agent_ix.len(), ..Default::default() };
        let mut touched = Vec::new();
        for &(k, r) in &solution.pairs {
            let (ci, ai) = (waiting[k].1, agent_ix[r]);
            self.assign(ci, ai, ev);
            report.assigned += 1;
            report.score += score_of[&(k, r)];
            touched.push(ai);
        }
        touched.sort_unstable();
        touched.dedup();
        for ai in touched {
            self.refresh_agent(ai);
        }
        report
    }
}
