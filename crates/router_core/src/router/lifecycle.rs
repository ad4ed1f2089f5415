//! A contact's life after it arrives: updates to a waiting or offered
//! contact, transfers of an assigned one (cold and warm).

use super::bulk::ContactRef;
use super::index::{satisfies, SigId, SkillSet};
use super::{timers::TimerKind, Router, SharedAttrs, WarmLeg};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::model::{Condition, ContactUpdate, TransferMode, TransferSpec};
use crate::sink::EventSink;
use crate::types::{ContactStatus, Time};

/// A [`ContactUpdate`] validated against its contact.
struct CompiledUpdate {
    priority: Option<i64>,
    sig: Option<SigId>,
    prefers: Option<SkillSet>,
    steps: Option<Vec<(Time, SigId, Option<Condition>)>>,
    /// The new steps' selector changes (with `steps`).
    step_sels: Vec<super::selecting::StepSel>,
    /// A new selector in force (`Some(None)`: none).
    base: Option<Option<super::index::SelId>>,
    prefs: Option<Vec<(super::index::SelId, u32)>>,
    attributes: Option<SharedAttrs>,
    age_offset: Option<Time>,
    callback: Option<crate::model::Callback>,
}

impl Router {
    /// Changes a waiting, offered or scheduled contact (priority, requirements,
    /// preferred skills, steps, attributes, routing age) and routes it again
    /// at once: the call may assign it. The contact's version goes up by
    /// one. An offered contact keeps its offer while its agent still fits
    /// the new requirements; otherwise the offer is withdrawn (`Requeued`,
    /// the agent not excluded) and the contact routed again.
    ///
    /// Errors: `UnknownId`; `InvalidState` for an assigned contact;
    /// `VersionConflict` when `if_version` is given and differs from the
    /// contact's version; `InvalidInput` as for a submit (a level outside
    /// 1–10, steps that narrow the pool, a non-finite age offset), and when
    /// new requirements are wider than the contact's remaining steps.
    pub fn update_contact<S: EventSink>(
        &mut self,
        contact: impl ContactRef,
        update: &ContactUpdate,
        now: Time,
        sink: S,
    ) -> Result<S> {
        let (ci, compiled, mut ev) = self.start_on(
            contact,
            now,
            &sink,
            |r, ci| r.compile_update(ci, update),
            |r, ci, _| r.check_updatable(ci, update),
        )?;
        self.apply_update(ci, compiled, &mut ev);
        self.advance_to(now, &mut ev); // timers the update set for `now`
        Ok(self.deliver(ev, sink))
    }

    /// Starts a call on one contact that compiles its input first: locates
    /// the contact, `compile`s (interning rolled back if the call is then
    /// refused), fires the timers due by `now` and `check`s the contact's
    /// state. Returns the contact's slot, the compiled input and the
    /// events so far.
    fn start_on<T, S: EventSink>(
        &mut self,
        contact: impl ContactRef,
        now: Time,
        sink: &S,
        compile: impl FnOnce(&mut Self, u32) -> Result<T>,
        check: impl FnOnce(&Self, u32, &T) -> Result<()>,
    ) -> Result<(u32, T, Vec<Event>)> {
        self.check_now(now)?;
        self.open(sink);
        let ci = contact.locate(self)?;
        let mark = self.index.mark();
        let compiled = match compile(self, ci) {
            Ok(c) => c,
            Err(e) => return self.refused(mark, e),
        };
        let ev = match self.begin_on(ci, now) {
            Ok(ev) => ev,
            Err(e) => return self.refused(mark, e),
        };
        if let Err(e) = check(self, ci, &compiled) {
            self.index.rollback(mark);
            return self.fail(ev, e);
        }
        Ok((ci, compiled, ev))
    }

    /// Validates an update of the contact in slot `ci`.
    fn compile_update(&mut self, ci: u32, u: &ContactUpdate) -> Result<CompiledUpdate> {
        let id = self.contact(ci).id.clone();
        let what = || format!("update of contact {:?}", &*id);
        if let Some(offset) = u.age_offset {
            if !offset.is_finite() {
                return Err(Error::invalid(format!(
                    "{}: age_offset {offset:?} is not a finite number of seconds",
                    what()
                )));
            }
        }
        let reqs = match &u.requires {
            Some(list) => Some(self.compile_skills(what, list)?),
            None => None,
        };
        let prefers = match &u.prefers {
            Some(list) => Some(self.compile_skills(|| format!("{} (prefers)", what()), list)?),
            None => None,
        };
        let c = self.contact(ci);
        let base = reqs.clone().unwrap_or_else(|| self.index.sigs[c.sig as usize].reqs.clone());
        let steps = match &u.steps {
            Some(list) => Some(self.compile_steps(what, &base, list)?),
            None => {
                // The remaining steps must still widen the new requirements.
                let c = self.contact(ci);
                if let (Some(r), Some((_, next, _))) = (&reqs, c.steps.get(c.step)) {
                    let next = &self.index.sigs[*next as usize].reqs;
                    if !satisfies(r, next) {
                        return Err(Error::invalid(format!(
                            "{}: requirements {:?} are wider than its next relaxation step's {:?}; \
                             give steps (or steps=[] to drop them) with the new requirements",
                            what(),
                            self.index.named(r),
                            self.index.named(next)
                        )));
                    }
                }
                None
            }
        };
        if let Some(cb) = &u.callback {
            super::contacts::check_callback(&what(), cb)?;
        }
        let base = u.selector.as_ref().map(|s| self.compile_selector(s));
        let prefs = match &u.preferences {
            Some(p) => Some(self.compile_preferences(&what, p)?),
            None => None,
        };
        let step_sels = match &u.steps {
            Some(list) => self.compile_step_sels(list),
            None => Vec::new(),
        };
        Ok(CompiledUpdate {
            callback: u.callback.clone(),
            priority: u.priority,
            sig: reqs.map(|r| self.index.sig(r)),
            prefers,
            steps,
            step_sels,
            base,
            prefs,
            attributes: u.attributes.clone().map(SharedAttrs::new),
            age_offset: u.age_offset,
        })
    }

    /// Refuses an update of a contact that is not waiting or offered, or
    /// not at the expected version.
    fn check_updatable(&self, ci: u32, update: &ContactUpdate) -> Result<()> {
        let if_version = update.if_version;
        let c = self.contact(ci);
        if update.callback.is_some() && (c.status != ContactStatus::Waiting || c.callback.is_some())
        {
            let now = if c.callback.is_some() { "already a callback" } else { c.status.as_str() };
            return Err(Error::state(format!(
                "contact {:?} is {now}; only a waiting live contact can become a callback",
                &*c.id
            )));
        }
        if let Some(w) = &c.warm {
            return Err(Error::state(format!(
                "contact {:?} is in a warm transfer from agent {:?}; it cannot be updated until the transfer ends",
                &*c.id,
                &*self.agent(w.from).id
            )));
        }
        if !matches!(
            c.status,
            ContactStatus::Waiting | ContactStatus::Offered | ContactStatus::Scheduled
        ) {
            let agent = c.agent.map(|a| format!(" to agent {:?}", &*self.agent(a).id));
            return Err(Error::state(format!(
                "contact {:?} is {}{}; only a waiting, offered or scheduled contact can be updated",
                &*c.id,
                c.status,
                agent.unwrap_or_default()
            )));
        }
        match if_version {
            Some(v) if v != c.version => Err(Error::new(
                ErrorKind::VersionConflict,
                format!(
                    "contact {:?} is at version {}, the update expected version {v}; nothing changed",
                    &*c.id, c.version
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Applies a validated update and routes the contact.
    fn apply_update(&mut self, ci: u32, u: CompiledUpdate, ev: &mut Vec<Event>) {
        let status = self.contact(ci).status;
        let waiting = status == ContactStatus::Waiting;
        if waiting {
            self.dequeue(ci);
        }
        // A scheduled contact is timed when it enters its queue.
        let scheduled = status == ContactStatus::Scheduled;
        let ages = !scheduled && u.age_offset.is_some_and(|o| o != self.contact(ci).age_offset);
        let c = self.contact_mut(ci);
        c.version += 1;
        if let Some(p) = u.priority {
            c.priority = p;
        }
        if let Some(sig) = u.sig {
            c.sig = sig;
        }
        if let Some(p) = u.prefers {
            c.prefers = p;
        }
        if let Some(a) = u.attributes {
            c.attributes = a;
        }
        if let Some(o) = u.age_offset {
            c.age_offset = o;
        }
        let parks = match &u.callback {
            Some(cb) => {
                c.callback = Some(Box::new(super::CallbackState::new(cb)));
                true
            }
            None => false,
        };
        let new_steps = u.steps.is_some();
        if let Some(steps) = u.steps {
            c.steps = steps;
            c.step = 0;
        }
        let selects = c.sel.is_some()
            || u.base.is_some()
            || u.prefs.is_some()
            || u.step_sels.iter().any(|s| *s != super::selecting::StepSel::Keep);
        if selects {
            let n = c.steps.len();
            let mut sel = c.sel.take().unwrap_or_default();
            if let Some(b) = u.base {
                sel.base = b;
            }
            if let Some(p) = u.prefs {
                sel.prefs = p;
            }
            if new_steps {
                sel.steps = u.step_sels;
            }
            sel.steps.resize(n, super::selecting::StepSel::Keep);
            let reqs = self.index.sigs[self.contact(ci).sig as usize].reqs.clone();
            let sig = self.sig_with(reqs, Some(&sel), self.now);
            let c = self.contact_mut(ci);
            c.sel = Some(sel);
            c.sig = sig;
        }
        if ages {
            self.age_changed(ci);
        }
        if new_steps && !scheduled {
            self.apply_due_steps(ci, ev);
        }
        if scheduled {
            return;
        }
        if waiting {
            if parks {
                self.park_callback(ci); // its place is kept while parked
            }
            self.enqueue(ci);
            self.route_contact(ci, ev);
            return;
        }
        // Offered: the offer stands while its agent still fits.
        let ai = self.contact(ci).agent.expect("offered contact has an agent");
        let (a, c) = (self.agent(ai), self.contact(ci));
        let fits = self.index.compatible(a.profile, c.sig)
            && self.admits(ci, ai)
            && !c.excluded.contains(&a.uid)
            && self.routes_to(a.profile, c.queue, c.age_origin());
        if !fits {
            let (queue, channel) = self.tags(ci);
            ev.push(Event::Requeued {
                contact: self.contact(ci).id.clone(),
                agent: self.agent(ai).id.clone(),
                queue,
                channel,
                at: self.now,
            });
            self.release_slot(ai, ci);
            self.requeue(ci);
            self.route_contact(ci, ev);
            self.route_agent(ai, ev);
        }
    }

    /// After a contact's routing age moved: its aging cap and the
    /// routing-profile delays of its queue are timed again.
    fn age_changed(&mut self, ci: u32) {
        let now = self.now;
        let c = self.contact(ci);
        let (seq, q, origin) = (c.seq, c.queue, c.age_origin());
        let queue = &self.queues[q as usize];
        let order = queue.order;
        let rechecks: Vec<Time> =
            queue.delays.iter().map(|d| origin + d).filter(|&t| t > now).collect();
        let capped = order.capped(origin, now);
        self.contact_mut(ci).capped = capped;
        if !capped {
            if let Some(at) = order.cap_time(origin) {
                self.schedule(at, TimerKind::Cap { ci, seq, queue: q });
            }
        }
        for at in rechecks {
            self.schedule(at, TimerKind::Recheck { ci, seq });
        }
    }
}

/// A [`TransferSpec`] resolved: the target queue, agent, channel and
/// requirements by index.
struct Target {
    queue: u32,
    agent: Option<u32>,
    channel: u32,
    sig: Option<SigId>,
    mode: TransferMode,
    keep_age: bool,
}

impl Router {
    /// Sends an assigned contact to another queue (with new requirements
    /// and channel if given) or to a named agent.
    ///
    /// * **Cold**: the first agent lets go at once (the channel's wrap-up
    ///   applies) and the contact waits in the target queue, or goes to the
    ///   named agent (offered, in offer mode). `Transferred` says so.
    /// * **Warm**: the first agent keeps the contact (and its slot) while it
    ///   waits for or is offered to the target; when the target answers,
    ///   the first agent lets go (`Transferred`). If the named agent cannot
    ///   take it, the target queue is full, or the offer is rejected or
    ///   expires (or the named agent leaves), the contact stays with the
    ///   first agent and `TransferFailed` says why.
    ///
    /// The first agent is never offered the contact again unless named. With
    /// `keep_age` the contact keeps its routing age (its place counts from
    /// its first arrival); its wait in the new queue is measured from the
    /// transfer either way, since the time with the first agent was not a
    /// wait. Each wait counts once as offered in its queue; the queues count
    /// `transferred_out` and `transferred_in`. The contact's version goes up
    /// by one.
    ///
    /// Errors: `UnknownId` (contact, agent); `InvalidInput` for an unknown
    /// queue or channel, bad requirements, no queue and no agent, or the
    /// agent who holds it named as the target; `InvalidState` unless the
    /// contact is assigned (and not in a warm transfer already), or, cold,
    /// when the named agent cannot take it now; `QueueFull`, cold, when the
    /// target queue is full.
    pub fn transfer<S: EventSink>(
        &mut self,
        contact: impl ContactRef,
        spec: &TransferSpec,
        now: Time,
        sink: S,
    ) -> Result<S> {
        let (ci, target, mut ev) = self.start_on(
            contact,
            now,
            &sink,
            |r, ci| r.compile_transfer(ci, spec),
            |r, ci, t| r.check_transfer(ci, t),
        )?;
        match target.mode {
            TransferMode::Cold => self.transfer_cold(ci, &target, &mut ev),
            TransferMode::Warm => self.transfer_warm(ci, &target, &mut ev),
        }
        self.advance_to(now, &mut ev); // timers it set for `now`
        Ok(self.deliver(ev, sink))
    }

    fn compile_transfer(&mut self, ci: u32, spec: &TransferSpec) -> Result<Target> {
        let c = self.contact(ci);
        let id = c.id.clone();
        let what = || format!("transfer of contact {:?}", &*id);
        if spec.queue.is_none() && spec.agent.is_none() {
            return Err(Error::invalid(format!("{}: name a queue or an agent", what())));
        }
        let queue = match &spec.queue {
            Some(q) => self.queue_id(q).map_err(|e| Error::invalid(format!("{}: {e}", what())))?,
            None => c.queue,
        };
        let channel = match &spec.channel {
            Some(ch) => {
                self.channel_id(ch).map_err(|e| Error::invalid(format!("{}: {e}", what())))?
            }
            None => c.channel,
        };
        let agent = match &spec.agent {
            Some(a) => Some(self.agent_ix(a)?),
            None => None,
        };
        let sig = match &spec.requires {
            Some(list) => {
                let reqs = self.compile_skills(what, list)?;
                let sel = self.contact_mut(ci).sel.take();
                let now = self.now;
                let sig = self.sig_with(reqs, sel.as_deref(), now);
                self.contact_mut(ci).sel = sel;
                Some(sig)
            }
            None => None,
        };
        Ok(Target { queue, agent, channel, sig, mode: spec.mode, keep_age: spec.keep_age })
    }

    /// Refuses a transfer the contact's state does not allow (checked after
    /// the timers due by now).
    fn check_transfer(&self, ci: u32, t: &Target) -> Result<()> {
        let c = self.contact(ci);
        if c.status != ContactStatus::Assigned {
            let during = if c.warm.is_some() { " (in a warm transfer)" } else { "" };
            return Err(Error::state(format!(
                "contact {:?} is {}{during}; only an assigned contact can be transferred",
                &*c.id, c.status
            )));
        }
        if c.paused != 0 {
            return Err(Error::state(format!(
                "contact {:?} is paused; resume it before transferring it",
                &*c.id
            )));
        }
        let holder = c.agent.expect("assigned contact has an agent");
        if t.agent == Some(holder) {
            return Err(Error::invalid(format!(
                "contact {:?} is already with agent {:?}; name another agent or a queue",
                &*c.id,
                &*self.agent(holder).id
            )));
        }
        if t.mode == TransferMode::Cold {
            if let Some(b) = t.agent {
                let a = self.agent(b);
                if !self.can_take(a, t.channel as usize) {
                    return Err(Error::state(format!(
                        "agent {:?} cannot take contact {:?} now ({}, {} of {} {} slots and {} of {} units in use)",
                        &*a.id,
                        &*c.id,
                        a.state,
                        a.held[t.channel as usize],
                        a.max[t.channel as usize],
                        self.channels[t.channel as usize].cfg.name,
                        a.used,
                        a.capacity
                    )));
                }
            } else if self.queue_full(t.queue) {
                return Err(self.full_queue_error(t.queue, &c.id));
            }
        }
        Ok(())
    }

    /// Moves the contact (assigned, or in a warm transfer) into the target
    /// queue as a new wait: its agent's hold is left to the caller.
    fn enter_target(&mut self, ci: u32, t: &Target, exclude: u64) {
        let now = self.now;
        let c = self.contact_mut(ci);
        let origin = c.age_origin();
        c.queue = t.queue;
        c.channel = t.channel;
        if let Some(sig) = t.sig {
            c.sig = sig;
            c.steps.clear();
            c.step = 0;
        }
        c.arrival = now;
        c.queue_entered = now;
        c.age_offset = if t.keep_age { now - origin } else { 0.0 };
        c.capped = false;
        c.status = ContactStatus::Waiting;
        c.agent = None;
        c.pinned = None;
        c.excluded.truncate(c.fixed_exclusions as usize);
        c.excluded.insert(0, exclude);
        c.fixed_exclusions += 1;
        c.answered_at = 0.0;
        c.version += 1;
        let seq = c.seq;
        let queue = &mut self.queues[t.queue as usize];
        queue.counters.offered += 1;
        queue.live.insert(now, seq);
    }

    /// Routes a contact that just entered its target: to the named agent,
    /// else as a new wait in its queue.
    fn route_target(&mut self, ci: u32, agent: Option<u32>, ev: &mut Vec<Event>) {
        self.enter_queue(ci);
        self.apply_due_steps(ci, ev);
        match agent {
            Some(b) => {
                self.assign(ci, b, ev);
                self.refresh_agent(b);
            }
            None => {
                self.enqueue(ci);
                self.route_contact(ci, ev);
            }
        }
    }

    fn transfer_cold(&mut self, ci: u32, t: &Target, ev: &mut Vec<Event>) {
        let c = self.contact(ci);
        let (ai, from_q, from_ch) = (c.agent.expect("assigned"), c.queue, c.channel);
        let uid = self.agent(ai).uid;
        let wrapping = self.let_go(ai, ci, from_ch, from_q);
        self.enter_target(ci, t, uid);
        self.note_transfer(ci, (ai, from_q), t.agent, TransferMode::Cold, ev);
        self.route_target(ci, t.agent, ev);
        if wrapping {
            self.refresh_agent(ai);
        } else {
            self.route_agent(ai, ev);
        }
    }

    fn transfer_warm(&mut self, ci: u32, t: &Target, ev: &mut Vec<Event>) {
        let c = self.contact(ci);
        let ai = c.agent.expect("assigned");
        let unavailable =
            t.agent.is_some_and(|b| !self.can_take(self.agent(b), t.channel as usize));
        let reason = if unavailable {
            Some("agent_unavailable")
        } else if t.agent.is_none() && self.queue_full(t.queue) {
            Some("queue_full")
        } else {
            None
        };
        if let Some(reason) = reason {
            self.note_transfer_failed(ci, ai, t.queue, reason, ev);
            return;
        }
        let leg = WarmLeg {
            from: ai,
            from_uid: self.agent(ai).uid,
            queue: c.queue,
            channel: c.channel,
            to_agent: t.agent,
            sig: c.sig,
            step: c.step,
            steps: c.steps.clone(),
            arrival: c.arrival,
            queue_entered: c.queue_entered,
            age_offset: c.age_offset,
            answered_at: c.answered_at,
            excluded: c.excluded.clone(),
            fixed_exclusions: c.fixed_exclusions,
        };
        let uid = leg.from_uid;
        let from = leg.from;
        self.contact_mut(ci).warm = Some(Box::new(leg));
        if self.any_interruptible {
            // A contact in a warm transfer cannot be paused: the agent's
            // room changes (it is routed at the end of the call).
            self.refresh_agent(from);
            self.deferred.push(from);
        }
        self.enter_target(ci, t, uid);
        self.route_target(ci, t.agent, ev);
    }

    /// A warm transfer's target answered (agent `to`): the first agent lets
    /// go.
    pub(super) fn warm_done(&mut self, ci: u32, to: u32, ev: &mut Vec<Event>) {
        let leg = self.contact_mut(ci).warm.take().expect("warm transfer under way");
        let wrapping = self.let_go(leg.from, ci, leg.channel, leg.queue);
        self.note_transfer(ci, (leg.from, leg.queue), Some(to), TransferMode::Warm, ev);
        // Routed once the target's assignment is over (not in its middle).
        self.refresh_agent(leg.from);
        if !wrapping {
            self.deferred.push(leg.from);
        }
    }

    /// Routes the agents freed in the middle of an assignment.
    #[cold]
    pub(super) fn route_deferred(&mut self, ev: &mut Vec<Event>) {
        while let Some(ai) = self.deferred.pop() {
            if self.agents.get(ai as usize).is_some_and(Option::is_some) {
                self.route_agent(ai, ev);
            }
        }
    }

    /// Whether a returned offer of contact `ci` ends its warm transfer:
    /// always for a named agent, and for a queue's agent who rejected it or
    /// let it expire (`ends_queue_leg`), not for one who left.
    pub(super) fn warm_fails_on_return(&self, ci: u32, ends_queue_leg: bool) -> bool {
        self.contact(ci).warm.as_ref().is_some_and(|w| w.to_agent.is_some() || ends_queue_leg)
    }

    /// A warm transfer failed: the contact leaves the target (its wait
    /// there counted as `transfers_failed`) and is the first agent's again,
    /// as before the transfer. The caller routes the target agent it was
    /// offered to, if any.
    pub(super) fn warm_failed(&mut self, ci: u32, reason: &str, ev: &mut Vec<Event>) {
        let c = self.contact(ci);
        match (c.status, c.agent) {
            (ContactStatus::Offered, Some(b)) => self.release_slot(b, ci),
            _ => self.dequeue(ci),
        }
        let c = self.contact(ci);
        let (q, arrival, seq) = (c.queue, c.arrival, c.seq);
        let queue = &mut self.queues[q as usize];
        queue.live.remove(arrival, seq);
        queue.counters.transfers_failed += 1;
        let c = self.contact_mut(ci);
        let leg = *c.warm.take().expect("warm transfer under way");
        c.status = ContactStatus::Assigned;
        c.agent = Some(leg.from);
        c.pinned = None;
        c.queue = leg.queue;
        c.channel = leg.channel;
        c.sig = leg.sig;
        c.step = leg.step;
        c.steps = leg.steps;
        c.arrival = leg.arrival;
        c.queue_entered = leg.queue_entered;
        c.age_offset = leg.age_offset;
        c.answered_at = leg.answered_at;
        c.excluded = leg.excluded;
        c.fixed_exclusions = leg.fixed_exclusions;
        c.capped = false;
        if c.sel.is_some() {
            // Clauses may have expired during the warm leg.
            let sel = c.sel.take();
            let reqs = self.index.sigs[leg.sig as usize].reqs.clone();
            let sig = self.sig_with(reqs, sel.as_deref(), self.now);
            let c = self.contact_mut(ci);
            c.sel = sel;
            c.sig = sig;
        }
        if self.any_interruptible {
            self.refresh_agent(leg.from); // its contact may be paused again
            self.deferred.push(leg.from);
        }
        self.note_transfer_failed(ci, leg.from, q, reason, ev);
    }

    /// A transfer of contact `ci` (now in its target queue, on its target
    /// channel) from agent and queue `from` is made: each queue counts it,
    /// and `Transferred` says so.
    fn note_transfer(
        &mut self,
        ci: u32,
        (from_agent, from_q): (u32, u32),
        to_agent: Option<u32>,
        mode: TransferMode,
        ev: &mut Vec<Event>,
    ) {
        let c = self.contact(ci);
        let (to_q, ch) = (c.queue as usize, c.channel as usize);
        self.queues[from_q as usize].counters.transferred_out += 1;
        self.queues[to_q].counters.transferred_in += 1;
        ev.push(Event::Transferred {
            contact: self.contact(ci).id.clone(),
            from_agent: self.agent(from_agent).id.clone(),
            from_queue: self.queues[from_q as usize].tag.clone(),
            to_queue: self.queues[to_q].tag.clone(),
            to_agent: to_agent.map(|b| self.agent(b).id.clone()),
            channel: self.channels[ch].tag.clone(),
            mode,
            at: self.now,
        });
    }

    /// `TransferFailed`: contact `ci` stays with `agent` (on its channel);
    /// the transfer to queue `q` failed for `reason`.
    fn note_transfer_failed(&self, ci: u32, agent: u32, q: u32, reason: &str, ev: &mut Vec<Event>) {
        let c = self.contact(ci);
        ev.push(Event::TransferFailed {
            contact: c.id.clone(),
            agent: self.agent(agent).id.clone(),
            queue: self.queue_tag(q),
            channel: self.channels[c.channel as usize].tag.clone(),
            reason: reason.to_owned(),
            at: self.now,
        });
    }
}
