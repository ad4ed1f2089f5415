//! Contacts: submit, accept, reject, complete, cancel.

use super::bulk::ContactRef;
use super::index::{satisfies, SigId, SkillSet};
use super::{timers::TimerKind, Finished, Router, SharedAttrs};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::model::{Condition, ContactSpec, StepSpec};
use crate::sink::{EventSink, Handoff};
use crate::types::{check_time, ContactStatus, Id, Time};
use rustc_hash::FxHashSet;

/// A contact validated and compiled, ready to enter the router.
#[derive(Clone, Debug)]
pub(super) struct Compiled {
    pub(super) id: Id,
    pub(super) channel: u32,
    pub(super) queue: u32,
    pub(super) priority: i64,
    pub(super) sig: SigId,
    pub(super) steps: Vec<(Time, SigId, Option<Condition>)>,
    pub(super) prefers: SkillSet,
    pub(super) sel: Option<Box<super::selecting::SelState>>,
    pub(super) customer: Option<Id>,
    pub(super) preferred_agent: Option<Id>,
    pub(super) preferred_wait: Time,
    pub(super) attributes: SharedAttrs,
    /// When it enters its queue (0: at once).
    pub(super) not_before: Time,
    pub(super) callback: Option<crate::model::Callback>,
}

impl Router {
    /// Validates a contact. Skill names and requirement signatures are
    /// interned; a caller that then refuses the call rolls them back
    /// ([`Router::refused`]), so a refused call changes nothing.
    fn compile_contact(&mut self, spec: &ContactSpec) -> Result<Compiled> {
        self.check_new_contact_id(&spec.id)?;
        self.compile_body(spec)
    }

    /// Undoes the interning done since `mark` and returns `err`: for a call
    /// refused after compiling its input.
    pub(super) fn refused<T>(&mut self, mark: super::index::Mark, err: Error) -> Result<T> {
        self.index.rollback(mark);
        Err(err)
    }

    /// Refuses an empty id or one in use (live, or ended and remembered).
    pub(super) fn check_new_contact_id(&self, id: &str) -> Result<()> {
        if id.is_empty() {
            return Err(Error::invalid("contact id must not be empty"));
        }
        if self.contact_ids.contains_key(id)
            || (!self.finished.is_empty() && self.finished.contains_key(id))
        {
            return Err(Error::duplicate("contact", id));
        }
        Ok(())
    }

    /// Validates everything of a contact but its id.
    pub(super) fn compile_body(&mut self, spec: &ContactSpec) -> Result<Compiled> {
        let what = || format!("contact {:?}", spec.id);
        let channel = self
            .channel_id(&spec.channel)
            .map_err(|e| Error::invalid(format!("{}: {e}", what())))?;
        let queue =
            self.queue_id(&spec.queue).map_err(|e| Error::invalid(format!("{}: {e}", what())))?;
        if spec.preferred_wait != 0.0 {
            check_time(&format!("{}: preferred_wait", what()), spec.preferred_wait)?;
        }
        let reqs = self.compile_skills(what, &spec.requires)?;
        let prefers = self.compile_skills(|| format!("{} (prefers)", what()), &spec.prefers)?;
        let steps = self.compile_steps(what, &reqs, &spec.steps)?;
        let sel = self.compile_selection(&what, spec)?;
        if let Some(t) = spec.not_before {
            check_time(&format!("{}: not_before", what()), t)?;
        }
        if let Some(cb) = &spec.callback {
            check_callback(&what(), cb)?;
        }
        Ok(Compiled {
            id: spec.id.as_str().into(),
            channel,
            queue,
            priority: spec.priority,
            sig: self.sig_with(reqs, sel.as_deref(), 0.0),
            steps,
            prefers,
            sel,
            customer: spec.customer.as_deref().map(Into::into),
            preferred_agent: spec.preferred_agent.as_deref().map(Into::into),
            preferred_wait: spec.preferred_wait,
            attributes: SharedAttrs::new(spec.attributes.clone()),
            not_before: spec.not_before.unwrap_or(0.0),
            callback: spec.callback.clone(),
        })
    }

    /// Validates relaxation steps that follow the requirements `base`: in
    /// order of `after`, each widening the pool of the one before.
    pub(super) fn compile_steps(
        &mut self,
        what: impl Fn() -> String,
        base: &SkillSet,
        specs: &[StepSpec],
    ) -> Result<Vec<(Time, SigId, Option<Condition>)>> {
        let mut steps = Vec::with_capacity(specs.len());
        let mut prev_after = 0.0;
        let mut prev = base.clone();
        for (i, step) in specs.iter().enumerate() {
            let swhat = || format!("{} step {i}", what());
            check_time(&format!("{}: after", swhat()), step.after)?;
            if step.after < prev_after {
                return Err(Error::invalid(format!(
                    "{}: after {} is earlier than the previous step's {prev_after}",
                    swhat(),
                    step.after
                )));
            }
            let sreqs = self.compile_skills(swhat, &step.requires)?;
            if !satisfies(&prev, &sreqs) {
                let (new, old) = (self.index.named(&sreqs), self.index.named(&prev));
                let lacking: Vec<String> = new
                    .iter()
                    .filter(|(s, l)| !old.iter().any(|(o, m)| o == s && m >= l))
                    .map(|(s, l)| format!("{s}>={l}"))
                    .collect();
                return Err(Error::invalid(format!(
                    "{}: requirements {new:?} do not widen the pool of the step before ({old:?}): an agent \
                     meeting those may lack {}; every agent who meets a step's requirements must meet the next's",
                    swhat(),
                    lacking.join(", ")
                )));
            }
            prev_after = step.after;
            prev = sreqs.clone();
            if let Some(Condition::LongestWaitAbove(t)) = &step.when {
                check_time(&format!("{}: longest wait condition", swhat()), *t)?;
            }
            steps.push((step.after, self.index.sig(sreqs), step.when.clone()));
        }
        Ok(steps)
    }

    pub(super) fn queue_full(&self, q: u32) -> bool {
        let queue = &self.queues[q as usize];
        queue.max_waiting.is_some_and(|m| queue.live.len() >= m)
    }

    /// Whether a new contact must be refused: its queue is full and it
    /// would wait there. In auto-accept mode a contact that an agent takes
    /// the moment it arrives never occupies a waiting place, so a full
    /// queue does not refuse it. In offer mode an offered contact counts
    /// against `max_waiting` until it is accepted (it may come back), so a
    /// full queue refuses every new contact.
    /// A closed queue decides on arrival (its `closed_action`).
    pub(super) fn refuses(&self, c: &Compiled, customer: Option<&str>) -> bool {
        c.not_before <= self.now
            && self.queue_full(c.queue)
            && self.queues[c.queue as usize].open
            && !self.routable_now(c, customer)
    }

    /// The agent a new contact goes to first, if it is logged in: its
    /// preferred agent, else (with affinity) its customer's last agent; and
    /// how long the contact waits for that agent alone.
    /// (Generic over the key type so that the hot path looks ids up as
    /// `Id`s, without a detour through `str`.)
    #[inline]
    fn known_agent<P, C>(
        &self,
        preferred: Option<&P>,
        preferred_wait: Time,
        customer: Option<&C>,
    ) -> (Option<u32>, Time)
    where
        Id: std::borrow::Borrow<P> + std::borrow::Borrow<C>,
        P: std::hash::Hash + Eq + ?Sized,
        C: std::hash::Hash + Eq + ?Sized,
    {
        match preferred {
            Some(id) => (self.agent_ids.get(id).copied(), preferred_wait),
            None if self.config.affinity => (
                customer
                    .and_then(|cust| self.last_agent.get(cust))
                    .and_then(|a| self.agent_ids.get(a).copied()),
                self.config.affinity_wait,
            ),
            None => (None, 0.0),
        }
    }

    /// Whether a new contact would be assigned on arrival: the mirror of
    /// `insert_contact`'s first routing, read-only. Conservative where it
    /// cannot be sure (a conditional step at arrival, batch mode): false.
    fn routable_now(&self, c: &Compiled, customer: Option<&str>) -> bool {
        if self.config.batch_window.is_some() || self.config.offer_timeout.is_some() {
            return false;
        }
        let mut sig = c.sig;
        for (after, s, when) in &c.steps {
            if *after > 0.0 || when.is_some() {
                break;
            }
            if c.sel.is_some() {
                return false; // its selector after the step is made on arrival
            }
            sig = *s;
        }
        let ch = c.channel as usize;
        let fits = |ai: u32| {
            let a = self.agent(ai);
            a.ready[ch]
                && self.index.compatible(a.profile, sig)
                && self.sig_admits(sig, ai)
                && self.routes_to(a.profile, c.queue, self.now)
        };
        let (target, wait) =
            self.known_agent(c.preferred_agent.as_deref(), c.preferred_wait, customer);
        if let Some(ai) = target {
            if fits(ai) {
                return true;
            }
            if wait > 0.0 {
                return false;
            }
        }
        let residual = self.index.sigs[sig as usize].residual;
        self.index.sigs[sig as usize].profiles.iter().any(|&p| {
            let ready = &self.index.profiles[p as usize].ready[ch];
            let any = match residual {
                false => !ready.is_empty(),
                true => ready
                    .iter()
                    .any(|k| self.index.key_admits(sig, k) && self.sig_admits(sig, k.idx)),
            };
            any && self.routes_to(p, c.queue, self.now)
        })
    }

    /// The error of a submit refused because queue `q` is full.
    #[cold]
    pub(super) fn full_queue_error(&self, q: u32, contact: &str) -> Error {
        let q = &self.queues[q as usize];
        Error::new(
            ErrorKind::QueueFull,
            format!(
                "queue {:?} is full ({} waiting, max_waiting {}); contact {contact:?} refused",
                q.name,
                q.live.len(),
                q.max_waiting.unwrap_or(0),
            ),
        )
    }

    /// Submits one contact and routes it.
    ///
    /// Errors: `DuplicateId`; `InvalidInput` for an unknown channel or queue,
    /// a level outside 1–10, steps that narrow the pool or a backwards time;
    /// `QueueFull` when the queue holds its maximum.
    pub fn submit<S: EventSink>(&mut self, spec: &ContactSpec, now: Time, sink: S) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let mark = self.index.mark();
        let c = match self.compile_contact(spec) {
            Ok(c) => c,
            Err(e) => return self.refused(mark, e),
        };
        let mut ev = self.begin(now);
        if self.refuses(&c, c.customer.as_deref()) {
            let err = self.full_queue_error(c.queue, &spec.id);
            self.index.rollback(mark);
            return self.fail(ev, err);
        }
        self.insert_contact(&c, c.id.clone(), true, c.priority, c.customer.clone(), &mut ev);
        self.advance_to(now, &mut ev); // timers it set for `now` (overflow after 0)
        Ok(self.deliver(ev, sink))
    }

    /// Submits many contacts at one time, in order. Every contact is
    /// validated first: one bad contact fails the call and none enters. A
    /// contact whose queue is full is `Refused` (an event; it is not
    /// offered to the queue and its id stays free, as after a single submit
    /// to a full queue) while the others go on.
    pub fn submit_many<'a, S: EventSink>(
        &mut self,
        specs: impl IntoIterator<Item = &'a ContactSpec>,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let specs = specs.into_iter();
        let mut compiled = Vec::with_capacity(specs.size_hint().0);
        let mut seen = FxHashSet::default();
        let mark = self.index.mark();
        for spec in specs {
            if !seen.insert(spec.id.as_str()) {
                let err =
                    Error::duplicate("contact", &spec.id).with_context("listed twice in one batch");
                return self.refused(mark, err);
            }
            match self.compile_contact(spec) {
                Ok(c) => compiled.push(c),
                Err(e) => return self.refused(mark, e),
            }
        }
        let mut ev = self.begin(now);
        ev.reserve(compiled.len());
        for c in compiled {
            if self.refuses(&c, c.customer.as_deref()) {
                self.queues[c.queue as usize].counters.refused += 1;
                // As a single submit to a full queue: not offered, and the
                // id stays free for a retry (the event is the only record).
                ev.push(Event::Refused {
                    contact: c.id,
                    queue: self.queues[c.queue as usize].tag.clone(),
                    channel: self.channels[c.channel as usize].tag.clone(),
                    reason: crate::event::RefusedReason::Full,
                    at: now,
                });
            } else {
                self.insert_contact(
                    &c,
                    c.id.clone(),
                    true,
                    c.priority,
                    c.customer.clone(),
                    &mut ev,
                );
                self.advance_to(now, &mut ev); // timers it set for `now` (overflow after 0)
            }
        }
        Ok(self.deliver(ev, sink))
    }

    /// Puts a compiled contact in the router and routes it.
    /// `c` gives everything but the id, priority and customer; `indexed`
    /// enters the id in the id index. Returns its slot.
    pub(super) fn insert_contact(
        &mut self,
        c: &Compiled,
        id: Id,
        indexed: bool,
        priority: i64,
        customer: Option<Id>,
        ev: &mut Vec<Event>,
    ) -> u32 {
        self.insert_contact_at(c, id, indexed, priority, customer, c.not_before, ev)
    }

    /// [`Router::insert_contact`] entering its queue at `not_before` (at
    /// once if that is not later than now).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(super) fn insert_contact_at(
        &mut self,
        c: &Compiled,
        id: Id,
        indexed: bool,
        priority: i64,
        customer: Option<Id>,
        not_before: Time,
        ev: &mut Vec<Event>,
    ) -> u32 {
        let now = self.now;
        let seq = self.seq();
        let ci = self.free_contacts.pop().unwrap_or(self.contacts.len() as u32);
        if indexed {
            self.contact_ids.insert(id.clone(), ci);
        }
        self.contacts.take_slot(ci as usize).refill(c, id, indexed, seq, priority, now, customer);
        if not_before > now {
            let slot = self.contact_mut(ci);
            slot.status = ContactStatus::Scheduled;
            slot.arrival = not_before;
            slot.queue_entered = not_before;
            self.schedule(not_before, TimerKind::Activate { ci, seq });
            return ci;
        }
        if self.queues[self.contact(ci).queue as usize].open || self.arrive_closed(ci, ev) {
            self.admit(ci, ev);
        }
        ci
    }

    /// A scheduled contact is due: it enters its queue, or is refused
    /// (`Refused`) if the queue is full.
    pub(super) fn activate(&mut self, ci: u32, ev: &mut Vec<Event>) {
        let q = self.contact(ci).queue;
        if !self.queues[q as usize].open {
            if self.arrive_closed(ci, ev) {
                self.contact_mut(ci).status = ContactStatus::Waiting;
                self.admit(ci, ev);
            }
            return;
        }
        if self.queue_full(q) {
            self.queues[q as usize].counters.refused += 1;
            let (queue, channel) = self.tags(ci);
            ev.push(Event::Refused {
                contact: self.contact(ci).id.clone(),
                queue,
                channel,
                reason: crate::event::RefusedReason::Full,
                at: self.now,
            });
            self.finish(ci, ContactStatus::Refused);
            return;
        }
        self.contact_mut(ci).status = ContactStatus::Waiting;
        self.admit(ci, ev);
    }

    /// A new waiting contact enters its queue (counted offered and live,
    /// steps due at once applied, its queue's timers set) and is routed.
    #[inline]
    fn admit(&mut self, ci: u32, ev: &mut Vec<Event>) {
        let now = self.now;
        let c = self.contact(ci);
        let (seq, q) = (c.seq, c.queue);
        let queue = &mut self.queues[q as usize];
        queue.counters.offered += 1;
        queue.live.insert(now, seq);
        if let Some(sel) = self.contact_mut(ci).sel.as_mut() {
            sel.since.get_or_insert(now); // its first arrival
        }
        // Steps due at arrival are in force before the first routing.
        self.apply_due_steps(ci, ev);
        if self.contact(ci).sel.is_some() {
            self.schedule_expiry(ci);
        }
        self.enter_queue(ci);
        if self.queues[q as usize].rules.is_some() && self.arrival_rules(ci, ev) {
            return; // a rule moved or ended it
        }
        if !self.queues[q as usize].open {
            return self.hold(ci); // it waits for the opening
        }
        if self.contact(ci).callback.is_some() && self.park_callback(ci) {
            return;
        }

        // A known agent first: the preferred one, else the customer's last agent.
        let (target, wait) = {
            let c = self.contact(ci);
            self.known_agent(c.preferred_agent.as_ref(), c.preferred_wait, c.customer.as_ref())
        };
        let held_back = {
            let c = self.contact(ci);
            c.callback.is_some() && self.callbacks_full(c.queue, c.channel, 0)
        };
        if let Some(ai) = target.filter(|_| !held_back && self.external.is_none()) {
            if self.eligible(ai, ci) {
                self.assign(ci, ai, ev);
                self.refresh_agent(ai);
                return;
            }
            if wait > 0.0 {
                self.contact_mut(ci).pinned = Some(ai);
                self.enqueue(ci);
                self.schedule(now + wait, TimerKind::Pin { ci, seq });
                return;
            }
        }
        // Agent surplus: the best free eligible agent takes it straight
        // away; otherwise it waits in its group.
        if self.external.is_some() {
            self.enqueue(ci);
            return self.ask(super::external::Ask::Contact(ci));
        }
        let batched = self.request_batch();
        match if batched { None } else { self.best_agent(ci) } {
            Some(ai) => {
                self.assign(ci, ai, ev);
                self.refresh_agent(ai);
            }
            None => self.enqueue(ci),
        }
    }

    /// The agent accepts an offered contact: it is answered now.
    ///
    /// Errors: `UnknownId`; `InvalidState` when the contact is not offered to
    /// that agent (never offered, expired, or offered to someone else).
    pub fn accept<S: EventSink>(
        &mut self,
        contact: &str,
        agent: &str,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.open(&sink);
        let (ci, ai, mut ev) = self.begin_answer(contact, agent, now)?;
        self.answer(ci, ai, &mut ev);
        Ok(self.deliver(ev, sink))
    }

    /// The agent rejects an offered contact: it goes back to its queue with
    /// its original arrival time, and that agent is never offered it again.
    ///
    /// Errors: as [`Router::accept`].
    pub fn reject<S: EventSink>(
        &mut self,
        contact: &str,
        agent: &str,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.open(&sink);
        let (ci, ai, mut ev) = self.begin_answer(contact, agent, now)?;
        let (queue, channel) = self.tags(ci);
        ev.push(Event::OfferRejected {
            contact: self.contact(ci).id.clone(),
            agent: self.agent(ai).id.clone(),
            queue,
            channel,
            at: now,
        });
        self.return_offer(ci, ai, "rejected", &mut ev);
        Ok(self.deliver(ev, sink))
    }

    /// Puts an offered contact back in its queue, excluding the agent, and
    /// routes both.
    /// In a warm transfer the offer's return ends the transfer instead
    /// (`reason` says why).
    pub(super) fn return_offer(&mut self, ci: u32, ai: u32, reason: &str, ev: &mut Vec<Event>) {
        if self.warm_fails_on_return(ci, true) {
            self.warm_failed(ci, reason, ev);
            self.route_agent(ai, ev);
            return;
        }
        let uid = self.agent(ai).uid;
        self.release_slot(ai, ci);
        self.contact_mut(ci).excluded.push(uid);
        self.schedule_unexclude(ci);
        self.requeue(ci);
        self.route_contact(ci, ev);
        self.route_agent(ai, ev);
    }

    /// Starts `accept` or `reject`: the contact's and agent's slots and the
    /// call's events so far, once the timers due by `now` have fired and
    /// the contact is found offered to the agent.
    fn begin_answer(
        &mut self,
        contact: &str,
        agent: &str,
        now: Time,
    ) -> Result<(u32, u32, Vec<Event>)> {
        self.check_now(now)?;
        let ci = self.contact_ix(contact)?;
        let ai = self.agent_ix(agent)?;
        let ev = self.begin_on(ci, now)?;
        match self.check_offered(ci, ai, contact, agent) {
            Ok(()) => Ok((ci, ai, ev)),
            Err(e) => self.fail(ev, e),
        }
    }

    fn check_offered(&self, ci: u32, ai: u32, contact: &str, agent: &str) -> Result<()> {
        let c = self.contact(ci);
        if c.status != ContactStatus::Offered || c.agent != Some(ai) {
            let now = match c.agent {
                Some(other) if c.status == ContactStatus::Offered => {
                    format!("offered to agent {:?}", &*self.agent(other).id)
                }
                Some(other) => format!("{} to agent {:?}", c.status, &*self.agent(other).id),
                None => c.status.to_string(),
            };
            return Err(Error::state(format!(
                "contact {contact:?} is not offered to agent {agent:?} (it is {now})"
            )));
        }
        Ok(())
    }

    /// The agent finished the contact. Wrap-up, if the channel has any, keeps
    /// the slot until it ends. The contact is named by its id or by the
    /// [`ContactKey`] a template submit returned.
    ///
    /// Errors: `UnknownId`; `InvalidState` unless the contact is assigned.
    pub fn complete<S: EventSink>(
        &mut self,
        contact: impl ContactRef,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.on_contact(contact, now, sink, Self::complete_ix)
    }

    /// A call on one live contact named by id or key: `work` does it on the
    /// contact's slot and returns its events.
    #[inline]
    fn on_contact<S: EventSink>(
        &mut self,
        contact: impl ContactRef,
        now: Time,
        sink: S,
        work: fn(&mut Self, u32, Time) -> Result<Vec<Event>>,
    ) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let ci = contact.locate(self)?;
        let ev = work(self, ci, now)?;
        Ok(self.deliver(ev, sink))
    }

    /// [`Router::complete`] of the live contact in slot `ci`: its events.
    fn complete_ix(&mut self, ci: u32, now: Time) -> Result<Vec<Event>> {
        // Checked after the timers due by `now` (they may assign it).
        let mut ev = self.begin_on(ci, now)?;
        if self.contact(ci).warm.is_some() {
            // The first agent completes it during a warm transfer: the
            // transfer ends and the contact completes with that agent.
            let offered_to = self.contact(ci).agent;
            self.warm_failed(ci, "completed", &mut ev);
            if let Some(b) = offered_to {
                self.route_agent(b, &mut ev);
            }
        }
        if self.contact(ci).status != ContactStatus::Assigned {
            let c = self.contact(ci);
            let err = Error::state(format!(
                "contact {:?} is {}, only an assigned contact can be completed",
                &*c.id, c.status
            ));
            return self.fail(ev, err);
        }
        if self.contact(ci).paused != 0 {
            let err = Error::state(format!(
                "contact {:?} is paused; resume it before completing it",
                &*self.contact(ci).id
            ));
            return self.fail(ev, err);
        }
        let ai = self.contact(ci).agent.expect("assigned contact has an agent");
        let (ch, q) = (self.contact(ci).channel, self.contact(ci).queue);
        match self.by_key {
            true => {
                let contact = self.key_of(ci);
                self.handoffs.push(Handoff::Completed { contact, at: now });
            }
            false => {
                let (queue, channel) = self.tags(ci);
                ev.push(Event::Completed {
                    contact: self.contact(ci).id.clone(),
                    agent: self.agent(ai).id.clone(),
                    queue,
                    channel,
                    at: now,
                })
            }
        }
        self.queues[q as usize].counters.completed += 1;
        self.agent_mut(ai).handled += 1;
        let wrapping = self.let_go(ai, ci, ch, q);
        self.finish(ci, ContactStatus::Completed);
        if wrapping {
            self.refresh_agent(ai);
        } else {
            self.route_agent(ai, &mut ev);
        }
        Ok(ev)
    }

    /// The agent lets go of contact `ci`, which it held on channel `ch`
    /// from queue `q` (completed or transferred): its slot is freed, or
    /// kept for the channel's wrap-up (true). Does not route the agent.
    #[inline]
    pub(super) fn let_go(&mut self, ai: u32, ci: u32, ch: u32, q: u32) -> bool {
        let wrap_up = self.channels[ch as usize].cfg.wrap_up;
        self.agent_mut(ai).contacts.retain(|&x| x != ci);
        if wrap_up > 0.0 {
            let now = self.now;
            let cid = self.contact(ci).id.clone();
            let wid = self.seq();
            let uid = self.agent(ai).uid;
            let queue = self.queues[q as usize].tag.clone();
            self.agent_mut(ai).wrapups.push((wid, ch, cid, now + wrap_up, queue));
            self.schedule(now + wrap_up, TimerKind::WrapUp { ai, uid, wid });
            true
        } else {
            self.free_units(ai, ch);
            false
        }
    }

    /// The customer left before being answered (waiting or offered).
    ///
    /// Errors: `UnknownId`; `InvalidState` for an assigned contact (complete
    /// it instead) or one that has ended.
    pub fn cancel<S: EventSink>(
        &mut self,
        contact: impl ContactRef,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.on_contact(contact, now, sink, Self::cancel_ix)
    }

    /// [`Router::cancel`] of the live contact in slot `ci`: its events.
    fn cancel_ix(&mut self, ci: u32, now: Time) -> Result<Vec<Event>> {
        // Checked after the timers due by `now` (they may assign it).
        let mut ev = self.begin_on(ci, now)?;
        if let Some(w) = &self.contact(ci).warm {
            let err = Error::state(format!(
                "contact {:?} is with agent {:?} during a warm transfer; complete it instead of cancelling",
                &*self.contact(ci).id,
                &*self.agent(w.from).id
            ));
            return self.fail(ev, err);
        }
        if self.contact(ci).status == ContactStatus::Scheduled {
            // Not in its queue yet: it ends without counting anywhere.
            self.finish(ci, ContactStatus::Cancelled);
            return Ok(ev);
        }
        if self.contact(ci).status == ContactStatus::Assigned {
            let ai = self.contact(ci).agent.expect("assigned");
            let err = Error::state(format!(
                "contact {:?} is assigned to agent {:?}; complete it instead of cancelling",
                &*self.contact(ci).id,
                &*self.agent(ai).id
            ));
            return self.fail(ev, err);
        }
        let (queue, channel) = self.tags(ci);
        let c = self.contact(ci);
        let wait = now - c.arrival;
        let q = c.queue as usize;
        ev.push(Event::Abandoned { contact: c.id.clone(), queue, channel, at: now, wait });
        let offered_to = match c.status {
            ContactStatus::Offered | ContactStatus::Calling => c.agent,
            _ => None,
        };
        let was_calling = c.status == ContactStatus::Calling;
        if was_calling {
            self.queues[q].calling -= 1;
        }
        let counters = &mut self.queues[q].counters;
        counters.abandoned += 1;
        counters.abandon_wait_sum += wait;
        let in_sl = wait <= self.queues[q].sl_threshold;
        if in_sl {
            self.queues[q].counters.abandoned_in_sl += 1;
        }
        if self.queues[q].outcomes.is_some() {
            self.note_outcome(q, in_sl);
        }
        match offered_to {
            Some(ai) => {
                self.release_slot(ai, ci);
                self.finish(ci, ContactStatus::Abandoned);
                self.route_agent(ai, &mut ev);
            }
            None => {
                self.dequeue(ci);
                self.finish(ci, ContactStatus::Abandoned);
            }
        }
        if was_calling {
            self.release_callbacks(q as u32, &mut ev);
        }
        Ok(ev)
    }

    /// Ends a live contact: drops it from its queue's live set and keeps a
    /// short record for look-ups.
    pub(super) fn finish(&mut self, ci: u32, status: ContactStatus) {
        let c = self.contacts.get(ci as usize).expect("live contact");
        if c.indexed {
            self.contact_ids.remove(&c.id);
        }
        if matches!(
            c.status,
            ContactStatus::Waiting | ContactStatus::Offered | ContactStatus::Calling
        ) {
            self.queues[c.queue as usize].live.remove(c.arrival, c.seq);
        }
        // Ended contacts are remembered by id: only indexed ones.
        let record = (c.indexed && self.config.retain_finished != Some(0)).then(|| {
            let answered = matches!(status, ContactStatus::Completed);
            let record = Finished {
                status,
                channel: c.channel,
                queue: c.queue,
                agent: if answered { c.agent.map(|a| self.agent(a).id.clone()) } else { None },
                arrival: c.arrival,
                answered_at: answered.then_some(c.answered_at),
                ended_at: self.now,
                step: c.step,
            };
            (c.id.clone(), record)
        });
        self.contacts.free(ci as usize);
        self.free_contacts.push(ci);
        if let Some((id, record)) = record {
            self.remember(id, record);
        }
    }

    /// Records an ended contact, evicting the oldest beyond the retention limit.
    fn remember(&mut self, id: Id, record: Finished) {
        if self.config.retain_finished == Some(0) {
            return;
        }
        self.finished.insert(id.clone(), record);
        self.finished_order.push_back(id);
        if let Some(limit) = self.config.retain_finished {
            while self.finished_order.len() > limit {
                if let Some(old) = self.finished_order.pop_front() {
                    self.finished.remove(&old);
                }
            }
        }
    }
}

/// Refuses a callback with no attempts or a bad time.
pub(super) fn check_callback(what: &str, cb: &crate::model::Callback) -> Result<()> {
    if cb.number_of_attempts == 0 {
        return Err(Error::invalid(format!(
            "{what}: callback number_of_attempts 0 allows no call; give at least 1"
        )));
    }
    check_time(&format!("{what}: callback retry_after"), cb.retry_after)?;
    if let Some(t) = cb.not_before {
        check_time(&format!("{what}: callback not_before"), t)?;
    }
    Ok(())
}

impl Error {
    /// Appends context to the message.
    pub(crate) fn with_context(self, context: &str) -> Self {
        Error::new(self.kind(), format!("{}: {context}", self.message()))
    }
}

impl Router {
    /// Forces a waiting contact onto an agent (a supervisor's move, or an
    /// agent picking a contact from the queue): skills and agent state are
    /// not checked, capacity is. The contact is answered at once, also in
    /// offer mode.
    ///
    /// Errors: `UnknownId`; `InvalidState` unless the contact is waiting;
    /// `Capacity` when the agent has no free slot on the channel or too few
    /// free units.
    pub fn force_assign<S: EventSink>(
        &mut self,
        contact: &str,
        agent: &str,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let ci = self.contact_ix(contact)?;
        let ai = self.agent_ix(agent)?;
        let mut ev = self.begin_on(ci, now)?;
        let c = self.contact(ci);
        if c.status != ContactStatus::Waiting {
            let err = Error::state(format!(
                "contact {contact:?} is {}, only a waiting contact can be assigned",
                c.status
            ));
            return self.fail(ev, err);
        }
        if c.warm.as_ref().is_some_and(|w| w.from == ai) {
            let err = Error::state(format!(
                "contact {contact:?} is in a warm transfer from agent {agent:?}, who still holds it"
            ));
            return self.fail(ev, err);
        }
        let ch = c.channel as usize;
        let a = self.agent(ai);
        let cfg = &self.channels[ch].cfg;
        if a.held[ch] >= a.max[ch] || a.capacity - a.used < cfg.cost {
            let err = Error::new(
                ErrorKind::Capacity,
                format!(
                    "agent {agent:?} cannot take contact {contact:?}: {} of {} {} slots and {} of {} units in use, the contact needs {} units",
                    a.held[ch], a.max[ch], cfg.name, a.used, a.capacity, cfg.cost
                ),
            );
            return self.fail(ev, err);
        }
        self.dequeue(ci);
        self.contact_mut(ci).pinned = None;
        self.place(ci, ai, None, &mut ev); // connected at once, even in offer mode
        self.refresh_agent(ai);
        Ok(self.deliver(ev, sink))
    }
}
