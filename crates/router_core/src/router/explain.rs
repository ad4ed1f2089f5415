//! Why a contact waits: [`Router::explain`] reads, for one live contact,
//! its place in its queue, the requirements in force, how many agents could
//! take it now and, for the others, the first reason each cannot, and the
//! next timer that will change its situation. Read-only and O(agents): a
//! debugging call, not for the hot path.

use super::timers::TimerKind;
use super::Router;
use crate::error::Result;
use crate::types::{AgentState, ContactStatus, Time};
use serde::{Deserialize, Serialize};

/// Agents that cannot take the contact now, counted by the first reason
/// that applies to each, in this order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ineligible {
    /// The contact waits for one agent only (its preferred agent or its
    /// customer's last agent), and this is another.
    pub reserved: u32,
    /// Not available (offline or away).
    pub state: u32,
    /// Its routing profile does not serve the contact's queue.
    pub routing_profile: u32,
    /// Its routing profile serves the queue only once the contact has waited
    /// a delay, not yet over.
    pub profile_delay: u32,
    /// Skill levels below the requirements in force.
    pub skills: u32,
    /// Not admitted by the selector in force (see
    /// [`Explanation::selector_clauses`] for which clause).
    pub selector: u32,
    /// Does not serve the contact's channel, or every slot of it is in use.
    pub channel: u32,
    /// Too few free capacity units.
    pub capacity: u32,
    /// Rejected the contact or let its offer expire (until the exclusion
    /// expires).
    pub excluded: u32,
}

impl Ineligible {
    /// The counts by reason name, in the order above.
    pub fn by_reason(&self) -> [(&'static str, u32); 9] {
        [
            ("reserved", self.reserved),
            ("state", self.state),
            ("routing_profile", self.routing_profile),
            ("profile_delay", self.profile_delay),
            ("skills", self.skills),
            ("selector", self.selector),
            ("channel", self.channel),
            ("capacity", self.capacity),
            ("excluded", self.excluded),
        ]
    }
}

/// The next timer that changes a contact's situation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NextTimer {
    /// When it fires.
    pub at: Time,
    /// What it does: `step 1` (a relaxation step, 0-based), `overflow to
    /// <queue>`, `offer expires`, `wait for <agent> ends`, `aging cap`,
    /// `routing profile delay ends`, `exclusions expire`, `enters its
    /// queue` (scheduled), `callback released` (its next call),
    /// `selector clauses expire`.
    pub what: String,
}

/// Why a contact is where it is (see [`Router::explain`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Contact id.
    pub contact: String,
    /// Its status (scheduled, waiting, offered, calling or assigned).
    pub status: ContactStatus,
    /// Its queue and channel.
    pub queue: String,
    /// Channel name.
    pub channel: String,
    /// 1-based place among its queue's waiting contacts in service order;
    /// `None` unless waiting.
    pub position: Option<usize>,
    /// Contacts waiting in its queue (offered ones included).
    pub queue_waiting: usize,
    /// Requirements in force (a map of skill to minimum level in
    /// human-readable forms).
    #[serde(with = "crate::forms::pairs")]
    pub requires: Vec<(String, u8)>,
    /// The selector in force (its structured clauses that still apply
    /// included); empty: none.
    pub selector: String,
    /// Per top-level clause of the selector in force, the agents counted
    /// under `ineligible.selector` that this clause was the first to
    /// exclude, in the clauses' order.
    #[serde(with = "crate::forms::pairs")]
    pub selector_clauses: Vec<(String, u32)>,
    /// Relaxation steps applied so far.
    pub step: usize,
    /// The one agent it waits for, if it waits for one only.
    pub waits_for: Option<String>,
    /// The agent it is offered to or assigned to.
    pub agent: Option<String>,
    /// Agents that could take it now (outside batch mode and while it
    /// waits, none: it would have been routed).
    pub eligible: u32,
    /// The others, by reason.
    pub ineligible: Ineligible,
    /// The next timer that changes its situation, if any.
    pub next_timer: Option<NextTimer>,
}

impl Router {
    /// Explains a live contact: its place, the requirements in force, the
    /// agents that could take it and why the others cannot, and its next
    /// timer. Errors: `UnknownId`; `InvalidState` for a contact that has
    /// ended (its record says what became of it).
    pub fn explain(&self, contact: &str) -> Result<Explanation> {
        let ci = self.contact_ix(contact)?;
        let c = self.contact(ci);
        let queue = self.queue_name(c.queue).to_owned();
        let waiting = self.waiting_ids(&queue)?;
        let position = match c.status {
            ContactStatus::Waiting => waiting.iter().position(|id| id == contact).map(|p| p + 1),
            _ => None,
        };
        let ch = c.channel as usize;
        let cost = self.channels[ch].cfg.cost;
        let mut eligible = 0;
        let mut no = Ineligible::default();
        let sig = &self.index.sigs[c.sig as usize];
        let sel = sig.sel.map(|x| &self.index.sels[x as usize]);
        let clauses: Vec<&crate::selector::Expr> =
            sel.map(|s| s.expr.conjuncts()).unwrap_or_default();
        let mut by_clause = vec![0u32; clauses.len()];
        for (ai, a) in self.agents.iter().enumerate() {
            let Some(a) = a else { continue };
            let delay = self.index.serves(a.profile, c.queue);
            let count = if c.pinned.is_some_and(|p| p as usize != ai) {
                &mut no.reserved
            } else if a.state != AgentState::Available {
                &mut no.state
            } else if delay.is_none() {
                &mut no.routing_profile
            } else if delay.is_some_and(|(_, d)| self.now < c.age_origin() + d) {
                &mut no.profile_delay
            } else if !super::index::satisfies(
                &self.index.profiles[a.profile as usize].skills,
                &sig.reqs,
            ) {
                &mut no.skills
            } else if let Some(i) = {
                let view = super::index::View {
                    ids: &self.index.skill_ids,
                    skills: &self.index.profiles[a.profile as usize].skills,
                    attrs: &a.attributes,
                };
                clauses.iter().position(|e| !e.matches(&view))
            } {
                by_clause[i] += 1;
                &mut no.selector
            } else if a.held[ch] >= a.max[ch] {
                &mut no.channel
            } else if a.capacity - a.used < cost {
                &mut no.capacity
            } else if c.excluded.contains(&a.uid) {
                &mut no.excluded
            } else {
                &mut eligible
            };
            *count += 1;
        }
        Ok(Explanation {
            contact: contact.to_owned(),
            status: c.status,
            channel: self.channels[ch].cfg.name.clone(),
            position,
            queue_waiting: waiting.len(),
            queue,
            requires: self.index.named(&self.index.sigs[c.sig as usize].reqs),
            selector: sel.map(|s| s.text.clone()).unwrap_or_default(),
            selector_clauses: clauses.iter().map(|e| e.to_string()).zip(by_clause).collect(),
            step: c.step,
            waits_for: c.pinned.map(|p| self.agent(p).id.to_string()),
            agent: c.agent.map(|a| self.agent(a).id.to_string()),
            eligible,
            ineligible: no,
            next_timer: self.next_timer_of(ci),
        })
    }

    /// The earliest pending timer about live contact `ci`.
    fn next_timer_of(&self, ci: u32) -> Option<NextTimer> {
        let c = self.contact(ci);
        let mut best: Option<(Time, u64, &TimerKind)> = None;
        for std::cmp::Reverse(t) in self.timers.iter() {
            // Only timers still in force: a superseded one fires as a no-op.
            let waits = !matches!(c.status, ContactStatus::Assigned | ContactStatus::Calling);
            let about = match t.kind {
                TimerKind::Step { ci: x, seq, step } => {
                    (x, seq) == (ci, c.seq) && waits && c.step == step
                }
                TimerKind::Overflow { ci: x, seq, queue, entered } => {
                    (x, seq) == (ci, c.seq)
                        && waits
                        && c.queue == queue
                        && entered.0 == c.queue_entered
                }
                TimerKind::Offer { ci: x, seq, offer } => {
                    (x, seq) == (ci, c.seq)
                        && c.status == ContactStatus::Offered
                        && c.offer_seq == offer
                }
                TimerKind::Pin { ci: x, seq } => (x, seq) == (ci, c.seq) && c.pinned.is_some(),
                TimerKind::Cap { ci: x, seq, queue } => {
                    (x, seq) == (ci, c.seq) && waits && !c.capped && c.queue == queue
                }
                TimerKind::Recheck { ci: x, seq } => {
                    (x, seq) == (ci, c.seq) && c.status == ContactStatus::Waiting
                }
                TimerKind::Unexclude { ci: x, seq, count } => {
                    (x, seq) == (ci, c.seq) && waits && c.excluded.len() == count as usize
                }
                TimerKind::Activate { ci: x, seq } => {
                    (x, seq) == (ci, c.seq) && c.status == ContactStatus::Scheduled
                }
                TimerKind::Unpark { ci: x, seq } => {
                    (x, seq) == (ci, c.seq)
                        && c.callback.as_ref().is_some_and(|cb| cb.parked_until.is_some())
                }
                TimerKind::Expire { ci: x, seq } => (x, seq) == (ci, c.seq) && waits,
                TimerKind::Rule { ci: x, seq, queue, entered, .. } => {
                    (x, seq) == (ci, c.seq)
                        && c.status == ContactStatus::Waiting
                        && c.queue == queue
                        && entered.0 == c.queue_entered
                }
                TimerKind::Calendar { queue, at } => {
                    c.held
                        && c.queue == queue
                        && self.queues[queue as usize].hours.as_ref().and_then(|h| h.next)
                            == Some(at.0)
                }
                TimerKind::WrapUp { .. } | TimerKind::Batch => false,
            };
            if about && best.is_none_or(|(at, order, _)| (t.at.0, t.order) < (at, order)) {
                best = Some((t.at.0, t.order, &t.kind));
            }
        }
        let (at, _, kind) = best?;
        let what = match *kind {
            TimerKind::Step { step, .. } => format!("step {step}"),
            TimerKind::Overflow { queue, .. } => match self.queues[queue as usize].overflow {
                Some((to, _)) => format!("overflow to {}", self.queue_name(to)),
                None => "overflow".to_owned(),
            },
            TimerKind::Offer { .. } => "offer expires".to_owned(),
            TimerKind::Pin { .. } => match c.pinned {
                Some(p) => format!("wait for {} ends", &*self.agent(p).id),
                None => "wait for one agent ends".to_owned(),
            },
            TimerKind::Cap { .. } => "aging cap".to_owned(),
            TimerKind::Recheck { .. } => "routing profile delay ends".to_owned(),
            TimerKind::Unexclude { .. } => "exclusions expire".to_owned(),
            TimerKind::Activate { .. } => "enters its queue".to_owned(),
            TimerKind::Unpark { .. } => "callback released".to_owned(),
            TimerKind::Expire { .. } => "selector clauses expire".to_owned(),
            TimerKind::Calendar { .. } => "queue opens".to_owned(),
            TimerKind::Rule { queue, rule, .. } => {
                let name = self.queues[queue as usize]
                    .rules
                    .as_ref()
                    .and_then(|r| r.rules.get(rule as usize))
                    .map(|r| r.name.to_string())
                    .unwrap_or_default();
                format!("rule {name}")
            }
            TimerKind::WrapUp { .. } | TimerKind::Batch => unreachable!("not about a contact"),
        };
        Some(NextTimer { at, what })
    }
}
