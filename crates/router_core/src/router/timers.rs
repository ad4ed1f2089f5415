//! Time-driven behaviour: relaxation steps, overflow, offer timeouts,
//! preferred-agent and affinity waits, wrap-up end.
//!
//! Timers sit in one min-heap. A timer is never removed when it becomes
//! moot; it carries enough to tell, when it fires, whether it still applies
//! (the contact's sequence number, the offer's, the step index, ...).

use super::index::SigId;
use super::Router;
use crate::error::Result;
use crate::event::Event;
use crate::model::Condition;
use crate::sink::EventSink;
use crate::types::{AgentState, ContactStatus, OrdF64, Time};
use smallvec::SmallVec;
use std::cmp::Reverse;

/// A scheduled timer; ordered by time, then by [`TimerKind::phase`], then
/// by scheduling order.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct Timer {
    pub at: OrdF64,
    pub order: u64,
    pub kind: TimerKind,
}

impl Ord for Timer {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.at, self.kind.phase(), self.order).cmp(&(other.at, other.kind.phase(), other.order))
    }
}

impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// What a timer does.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub(super) enum TimerKind {
    /// Apply relaxation step `step` of the contact.
    Step { ci: u32, seq: u64, step: usize },
    /// Move the contact from `queue` to that queue's overflow target.
    Overflow { ci: u32, seq: u64, queue: u32, entered: OrdF64 },
    /// The offer numbered `offer` times out.
    Offer { ci: u32, seq: u64, offer: u64 },
    /// The contact stops waiting for its preferred or last agent.
    Pin { ci: u32, seq: u64 },
    /// The agent's wrap-up `wid` ends.
    WrapUp { ai: u32, uid: u64, wid: u64 },
    /// The contact reaches the aging cap of `queue`.
    Cap { ci: u32, seq: u64, queue: u32 },
    /// The contact has waited a routing profile's delay: route it again.
    Recheck { ci: u32, seq: u64 },
    /// Batch mode: solve the assignment of everything waiting.
    Batch,
    /// A scheduled contact enters its queue.
    Activate { ci: u32, seq: u64 },
    /// A parked callback is released to its wait group.
    Unpark { ci: u32, seq: u64 },
    /// The contact's exclusions (agents that rejected or missed its offer)
    /// expire: `count` is how many it had when this was scheduled.
    Unexclude { ci: u32, seq: u64, count: u32 },
    /// Structured selector clauses of the contact stop applying.
    Expire { ci: u32, seq: u64 },
    /// Queue `queue` opens or closes (its hours), at `at`.
    Calendar { queue: u32, at: OrdF64 },
    /// The contact has waited `wait_longer_than` of rule `rule` of `queue`,
    /// which it entered at `entered`.
    Rule { ci: u32, seq: u64, queue: u32, entered: OrdF64, rule: u32 },
}

impl TimerKind {
    /// The order of timers due at the same instant. What happens to waiting
    /// contacts at an instant (a relaxation step, an overflow, the end of a
    /// wait for one agent, an aging cap) is in force before any agent freed
    /// at that instant (an offer timing out, a wrap-up ending) picks its next
    /// contact, so that an agent sees every contact as it stands at that
    /// instant. A routing-profile recheck follows them, and a batch solve
    /// comes last, over everything the instant changed.
    fn phase(&self) -> u8 {
        match self {
            TimerKind::Step { .. }
            | TimerKind::Overflow { .. }
            | TimerKind::Pin { .. }
            | TimerKind::Cap { .. }
            | TimerKind::Unexclude { .. }
            | TimerKind::Expire { .. }
            | TimerKind::Calendar { .. }
            | TimerKind::Rule { .. }
            | TimerKind::Activate { .. }
            | TimerKind::Unpark { .. } => 0,
            TimerKind::Offer { .. } | TimerKind::WrapUp { .. } => 1,
            TimerKind::Recheck { .. } => 2,
            TimerKind::Batch => 3,
        }
    }
}

impl Router {
    /// Fires every timer due at or before `now` and routes what they make
    /// possible. Returns the events, in order.
    ///
    /// Errors: `InvalidInput` for a NaN, negative or backwards time.
    pub fn advance<S: EventSink>(&mut self, now: Time, sink: S) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let ev = self.begin(now);
        Ok(self.deliver(ev, sink))
    }

    pub(super) fn schedule(&mut self, at: Time, kind: TimerKind) {
        let order = self.seq();
        self.timers.push(Reverse(Timer { at: OrdF64(at), order, kind }));
    }

    #[inline]
    pub(super) fn advance_to(&mut self, now: Time, ev: &mut Vec<Event>) {
        if self.timers.peek().is_some_and(|Reverse(t)| t.at.0 <= now) {
            self.index.firing = true;
            self.until = now;
            self.fire_due(now, ev);
            if !self.deferred.is_empty() {
                self.route_deferred(ev);
            }
            self.index.firing = false;
        }
        self.settled = self.now;
        self.now = now;
    }

    /// Fires the timers due at or before `now`, in order. The contacts that
    /// the first phase of an instant changes (relaxation steps, overflow,
    /// the end of a wait for one agent) are routed together once that
    /// phase is over, best first (effective priority, then longest wait),
    /// not in the order their timers were set.
    fn fire_due(&mut self, now: Time, ev: &mut Vec<Event>) {
        let mut changed: SmallVec<[(u32, u64); 4]> = SmallVec::new();
        loop {
            let next = self
                .timers
                .peek()
                .map(|Reverse(t)| (t.at.0, t.kind.phase()))
                .filter(|&(at, _)| at <= now);
            if !changed.is_empty() && next.is_none_or(|(at, phase)| at > self.now || phase != 0) {
                // Routing may set timers due by `now` (an offer's): look again.
                self.route_changed(&mut changed, ev);
                continue;
            }
            if next.is_none() {
                break;
            }
            let Reverse(t) = self.timers.pop().expect("peeked");
            self.now = self.now.max(t.at.0);
            if let Some(ci) = self.fire(t.kind, ev) {
                changed.push((ci, self.contact(ci).seq));
            }
        }
    }

    /// Routes the contacts changed at this instant, best first.
    pub(super) fn route_changed(
        &mut self,
        changed: &mut SmallVec<[(u32, u64); 4]>,
        ev: &mut Vec<Event>,
    ) {
        if changed.len() > 1 {
            let now = self.now;
            let mut ranked: SmallVec<[(super::ContactRank, u32, u64); 4]> = SmallVec::new();
            for &(ci, seq) in changed.iter() {
                if self.live(ci, seq) && !ranked.iter().any(|r| r.1 == ci) {
                    let order = &self.queues[self.contact(ci).queue as usize].order;
                    ranked.push((order.rank(&self.wait_key(ci), now, 0), ci, seq));
                }
            }
            ranked.sort_unstable_by_key(|r| r.0);
            changed.clear();
            changed.extend(ranked.into_iter().map(|(_, ci, seq)| (ci, seq)));
        }
        for (ci, seq) in changed.drain(..) {
            if self.live(ci, seq) {
                self.route_contact(ci, ev);
            }
        }
    }

    /// After an agent was excluded from contact `ci` (a rejected or missed
    /// offer): schedules the lifting of its exclusions, if configured.
    pub(super) fn schedule_unexclude(&mut self, ci: u32) {
        if let Some(after) = self.config.exclusion_expires_after {
            let c = self.contact(ci);
            let (seq, count) = (c.seq, c.excluded.len() as u32);
            self.schedule(self.now + after, TimerKind::Unexclude { ci, seq, count });
        }
    }

    /// The live contact at `ci` if it is still the one numbered `seq`.
    fn live(&self, ci: u32, seq: u64) -> bool {
        matches!(self.contacts.get(ci as usize), Some(c) if c.seq == seq)
    }

    /// Sets up what a contact's (new) queue times: its overflow, its aging
    /// cap, and the routing-profile delays after which it is routed again.
    /// The contact is not in a wait group yet.
    #[inline]
    pub(super) fn enter_queue(&mut self, ci: u32) {
        let queue = &self.queues[self.contact(ci).queue as usize];
        if queue.overflow.is_none()
            && queue.order.max.is_none()
            && queue.delays.is_empty()
            && queue.rules.is_none()
        {
            return; // the queue times nothing (`capped` stays false)
        }
        self.time_queue(ci);
    }

    /// [`Router::enter_queue`] for a queue that times something.
    #[inline(never)]
    fn time_queue(&mut self, ci: u32) {
        let now = self.now;
        let c = self.contact(ci);
        let (seq, q, arrival) = (c.seq, c.queue, c.age_origin());
        let queue = &self.queues[q as usize];
        let order = queue.order;
        let overflow = queue.overflow.map(|(_, after)| c.queue_entered + after);
        let rechecks: Vec<Time> =
            queue.delays.iter().map(|d| arrival + d).filter(|&t| t > now).collect();
        if let Some(at) = overflow {
            let entered = OrdF64(self.contact(ci).queue_entered);
            self.schedule(at, TimerKind::Overflow { ci, seq, queue: q, entered });
        }
        let capped = order.capped(arrival, now);
        self.contact_mut(ci).capped = capped;
        if !capped {
            if let Some(at) = order.cap_time(arrival) {
                self.schedule(at, TimerKind::Cap { ci, seq, queue: q });
            }
        }
        for at in rechecks {
            self.schedule(at, TimerKind::Recheck { ci, seq });
        }
        self.time_rules(ci);
    }

    /// Applies, in order, every relaxation step that is due (waited long
    /// enough, condition holding), and schedules the next check.
    #[inline]
    pub(super) fn apply_due_steps(&mut self, ci: u32, ev: &mut Vec<Event>) {
        let c = self.contact(ci);
        if c.step >= c.steps.len() {
            return;
        }
        self.apply_steps(ci, ev);
    }

    /// [`Router::apply_due_steps`] for a contact with steps left.
    #[inline(never)]
    fn apply_steps(&mut self, ci: u32, ev: &mut Vec<Event>) {
        let now = self.now;
        loop {
            let c = self.contact(ci);
            let (step, seq) = (c.step, c.seq);
            let Some((after, sig, cond)) = c.steps.get(step) else { return };
            let (due, sig) = (c.arrival + after, *sig);
            if now < due {
                self.schedule(due, TimerKind::Step { ci, seq, step });
                return;
            }
            if let Some(cond) = cond {
                if !self.condition_holds(ci, cond) {
                    self.schedule(
                        now + self.config.condition_interval,
                        TimerKind::Step { ci, seq, step },
                    );
                    return;
                }
            }
            let sig = match self.contact(ci).sel.is_some() {
                false => sig,
                true => self.stepped_sig(ci, step, sig),
            };
            let c = self.contact(ci);
            let in_group = c.slot.is_some();
            if in_group {
                self.dequeue(ci);
            }
            let c = self.contact_mut(ci);
            c.sig = sig;
            c.step = step + 1;
            let id = c.id.clone();
            if in_group {
                self.enqueue(ci);
            }
            let (queue, channel) = self.tags(ci);
            ev.push(Event::StepAdvanced { contact: id, queue, channel, step, at: now });
        }
    }

    /// The signature step `step` (requirements `reqs_sig`) gives a
    /// contact with selectors, its selector in force changed as the step
    /// says.
    fn stepped_sig(&mut self, ci: u32, step: usize, reqs_sig: SigId) -> SigId {
        let mut sel = self.contact_mut(ci).sel.take().expect("a contact with selectors");
        let change = sel.steps.get(step).copied().unwrap_or(super::selecting::StepSel::Keep);
        sel.base = self.step_base(sel.base, change);
        let reqs = self.index.sigs[reqs_sig as usize].reqs.clone();
        let sig = self.sig_with(reqs, Some(&sel), self.now);
        self.contact_mut(ci).sel = Some(sel);
        sig
    }

    /// Schedules the next expiry of a contact's structured clauses.
    pub(super) fn schedule_expiry(&mut self, ci: u32) {
        let c = self.contact(ci);
        let Some(sel) = c.sel.as_deref() else { return };
        if let Some(t) = sel.next_expiry(self.now) {
            let seq = c.seq;
            self.schedule(t, TimerKind::Expire { ci, seq });
        }
    }

    /// The selector in force of a contact again, with the clauses that
    /// stopped applying left out; re-grouped if it waits.
    pub(super) fn reselect(&mut self, ci: u32) {
        let c = self.contact(ci);
        let reqs = self.index.sigs[c.sig as usize].reqs.clone();
        let sel = self.contact_mut(ci).sel.take();
        let sig = self.sig_with(reqs, sel.as_deref(), self.now);
        self.contact_mut(ci).sel = sel;
        if sig == self.contact(ci).sig {
            return;
        }
        let in_group = self.contact(ci).slot.is_some();
        if in_group {
            self.dequeue(ci);
        }
        self.contact_mut(ci).sig = sig;
        if in_group {
            self.enqueue(ci);
        }
    }

    /// Whether a conditional step's condition holds for the contact now.
    fn condition_holds(&self, ci: u32, cond: &Condition) -> bool {
        let c = self.contact(ci);
        let queue = &self.queues[c.queue as usize];
        match cond {
            Condition::QueueLongerThan(n) => queue.live.len() > *n,
            Condition::LongestWaitAbove(t) => {
                queue.live.oldest().is_some_and(|a| self.now - a > *t)
            }
            Condition::NoAgentAvailable if self.index.sigs[c.sig as usize].residual => {
                // The selector reads attributes: counts per profile do not
                // say whether an available agent passes it; look at each.
                let ch = c.channel as usize;
                !self.agents.iter().flatten().any(|a| {
                    a.state == AgentState::Available
                        && a.max[ch] > 0
                        && self.index.compatible(a.profile, c.sig)
                        && self.index.serves(a.profile, c.queue).is_some()
                        && self.index.admits(c.sig, a.profile, a.class, &a.attributes)
                })
            }
            Condition::NoAgentAvailable => {
                !self.index.sigs[c.sig as usize].profiles.iter().any(|&p| {
                    self.index.profiles[p as usize].available[c.channel as usize] > 0
                        && self.index.serves(p, c.queue).is_some()
                })
            }
        }
    }

    /// Fires one timer. Returns the contact to route when the timer changed
    /// a waiting contact (the caller routes such contacts together).
    fn fire(&mut self, kind: TimerKind, ev: &mut Vec<Event>) -> Option<u32> {
        match kind {
            TimerKind::Step { ci, seq, step } => {
                if !self.live(ci, seq) || self.contact(ci).step != step {
                    return None;
                }
                if matches!(
                    self.contact(ci).status,
                    ContactStatus::Assigned | ContactStatus::Calling
                ) {
                    return None;
                }
                self.apply_due_steps(ci, ev);
                Some(ci)
            }
            TimerKind::Overflow { ci, seq, queue, entered } => {
                if !self.live(ci, seq) {
                    return None;
                }
                let c = self.contact(ci);
                if c.queue != queue
                    || c.queue_entered != entered.0
                    || matches!(c.status, ContactStatus::Assigned | ContactStatus::Calling)
                {
                    return None;
                }
                let (to, _) = self.queues[queue as usize].overflow?;
                if self.queue_full(to) {
                    return None; // the target is full: the contact stays where it is
                }
                self.move_waiting(ci, queue, to, ev);
                // The new queue's agents may differ (routing profiles).
                Some(ci)
            }
            TimerKind::Offer { ci, seq, offer } => {
                if !self.live(ci, seq) {
                    return None;
                }
                let c = self.contact(ci);
                if c.status != ContactStatus::Offered || c.offer_seq != offer {
                    return None;
                }
                let ai = c.agent.expect("offered contact has an agent");
                let q = c.queue as usize;
                let (queue, channel) = self.tags(ci);
                ev.push(Event::OfferExpired {
                    contact: self.contact(ci).id.clone(),
                    agent: self.agent(ai).id.clone(),
                    queue,
                    channel,
                    at: self.now,
                });
                self.queues[q].counters.missed_offers += 1;
                let to = self.config.missed_offer_state;
                if to == AgentState::Available || self.agent(ai).state != AgentState::Available {
                    self.return_offer(ci, ai, "expired", ev);
                } else {
                    self.not_responding(ci, ai, to, ev);
                }
                None
            }
            TimerKind::Rule { ci, seq, queue, entered, rule } => {
                if !self.live(ci, seq) {
                    return None;
                }
                self.fire_rule(ci, queue, entered.0, rule, ev)
            }
            TimerKind::Calendar { queue, at } => {
                self.fire_hours(queue, at.0, ev);
                None
            }
            TimerKind::Expire { ci, seq } => {
                if !self.live(ci, seq) {
                    return None;
                }
                self.reselect(ci);
                self.schedule_expiry(ci);
                (self.contact(ci).status == ContactStatus::Waiting).then_some(ci)
            }
            TimerKind::Unexclude { ci, seq, count } => {
                if !self.live(ci, seq) {
                    return None;
                }
                let c = self.contact(ci);
                // Only the latest exclusion's timer lifts them, and only
                // from a contact still waiting: nobody else took it. One
                // offered to another agent now is checked again later.
                if c.excluded.len() != count as usize || c.status == ContactStatus::Assigned {
                    return None;
                }
                if c.status == ContactStatus::Offered {
                    let after = self.config.exclusion_expires_after.unwrap_or(0.0);
                    self.schedule(self.now + after, TimerKind::Unexclude { ci, seq, count });
                    return None;
                }
                if c.status != ContactStatus::Waiting {
                    return None;
                }
                let in_group = c.slot.is_some();
                if in_group {
                    self.dequeue(ci);
                }
                let c = self.contact_mut(ci);
                c.excluded.truncate(c.fixed_exclusions as usize);
                if in_group {
                    self.enqueue(ci);
                }
                Some(ci)
            }
            TimerKind::Pin { ci, seq } => {
                if !self.live(ci, seq) {
                    return None;
                }
                let c = self.contact(ci);
                if c.pinned.is_none() || c.status != ContactStatus::Waiting {
                    return None;
                }
                self.unpin(ci);
                Some(ci)
            }
            TimerKind::Cap { ci, seq, queue } => {
                if !self.live(ci, seq) {
                    return None;
                }
                let c = self.contact(ci);
                if c.queue != queue
                    || c.capped
                    || matches!(c.status, ContactStatus::Assigned | ContactStatus::Calling)
                {
                    return None;
                }
                if !self.queues[queue as usize].order.capped(c.age_origin(), self.now) {
                    return None; // not due (only a restored, damaged timer fires early)
                }
                let in_group = c.slot.is_some();
                if in_group {
                    self.dequeue(ci);
                }
                self.contact_mut(ci).capped = true;
                if in_group {
                    self.enqueue(ci);
                }
                None
            }
            TimerKind::Recheck { ci, seq } => {
                if self.live(ci, seq) {
                    self.route_contact(ci, ev);
                }
                None
            }
            TimerKind::Unpark { ci, seq } => (self.live(ci, seq) && self.unpark(ci)).then_some(ci),
            TimerKind::Activate { ci, seq } => {
                if self.live(ci, seq) && self.contact(ci).status == ContactStatus::Scheduled {
                    self.activate(ci, ev);
                }
                None
            }
            TimerKind::Batch => {
                self.batch_due = None;
                self.run_batch(ev);
                None
            }
            TimerKind::WrapUp { ai, uid, wid } => {
                let Some(Some(a)) = self.agents.get_mut(ai as usize) else { return None };
                if a.uid != uid {
                    return None;
                }
                let pos = a.wrapups.iter().position(|w| w.0 == wid)?;
                let (_, ch, contact, _, queue) = a.wrapups.remove(pos);
                let agent = a.id.clone();
                self.free_units(ai, ch);
                let channel = self.channels[ch as usize].tag.clone();
                ev.push(Event::WrapUpEnded { contact, agent, queue, channel, at: self.now });
                self.route_agent(ai, ev);
                None
            }
        }
    }
}
