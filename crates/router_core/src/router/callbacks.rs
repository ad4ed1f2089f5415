//! Callbacks that keep their place: a callback waits in its queue in its
//! arrival order like a live caller, in wait groups of its own (so that a
//! queue's cap on callbacks being placed never holds up the live callers
//! behind one). Released to a free agent, it is `calling` (held by the
//! agent, still waiting for an answer) until the agent reports the
//! outcome: answered connects it; otherwise it is parked (in its queue, its
//! place kept, in no wait group) until `retry_after` has passed, or ends
//! when its calls run out (`CallbackFailed`).

use super::bulk::ContactRef;
use super::{timers::TimerKind, Router};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::model::CallbackOutcome;
use crate::sink::EventSink;
use crate::types::{ContactStatus, Time};

impl Router {
    /// Reports how the call an agent placed for a callback went. Answered:
    /// the contact is connected (`Assigned`, its wait measured from its
    /// arrival to now). No answer or busy: the agent is free again and the
    /// callback goes back to its original place in its queue after its
    /// `retry_after`, or, with its calls used up, ends (`CallbackFailed`).
    ///
    /// Errors: `UnknownId`; `InvalidState` unless the contact is a callback
    /// being called.
    pub fn callback_result<S: EventSink>(
        &mut self,
        contact: impl ContactRef,
        outcome: CallbackOutcome,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let ci = contact.locate(self)?;
        let mut ev = self.begin_on(ci, now)?;
        let c = self.contact(ci);
        if c.status != ContactStatus::Calling {
            let err = Error::state(format!(
                "contact {:?} is {}; only a callback being called has a call outcome",
                &*c.id, c.status
            ));
            return self.fail(ev, err);
        }
        let ai = c.agent.expect("a callback being called has an agent");
        let q = c.queue as usize;
        self.queues[q].calling -= 1;
        self.release_after_result(ci, ai, outcome, &mut ev);
        self.release_callbacks(q as u32, &mut ev);
        Ok(self.deliver(ev, sink))
    }

    /// The outcome's effect on the callback and its agent.
    fn release_after_result(
        &mut self,
        ci: u32,
        ai: u32,
        outcome: CallbackOutcome,
        ev: &mut Vec<Event>,
    ) {
        let now = self.now;
        let q = self.contact(ci).queue as usize;
        match outcome {
            CallbackOutcome::Answered => {
                self.contact_mut(ci).callback = None;
                self.connect(ci, ai, ev);
            }
            CallbackOutcome::NoAnswer | CallbackOutcome::Busy => {
                self.agent_mut(ai).idle_since = now; // before its slot's release ranks it
                self.release_slot(ai, ci);
                let c = self.contact_mut(ci);
                c.status = ContactStatus::Waiting;
                let cb = c.callback.as_mut().expect("a callback");
                if cb.made >= cb.attempts {
                    let attempts = cb.made;
                    let (queue, channel) = self.tags(ci);
                    ev.push(Event::CallbackFailed {
                        contact: self.contact(ci).id.clone(),
                        queue,
                        channel,
                        attempts,
                        at: now,
                    });
                    self.queues[q].counters.callbacks_failed += 1;
                    self.finish(ci, ContactStatus::Abandoned);
                } else {
                    cb.parked_until = Some(now + cb.retry_after);
                    let parked = self.park_callback(ci);
                    debug_assert!(parked || cb_zero_retry(self, ci));
                    if !parked {
                        self.enqueue(ci);
                        self.route_contact(ci, ev);
                    }
                }
                self.route_agent(ai, ev);
            }
        }
    }

    /// A callback whose release time is still to come waits for it: parks
    /// it (true) and sets the timer that releases it; otherwise clears the
    /// time (false).
    pub(super) fn park_callback(&mut self, ci: u32) -> bool {
        let now = self.now;
        let c = self.contact_mut(ci);
        let seq = c.seq;
        let cb = c.callback.as_mut().expect("a callback");
        match cb.parked_until {
            Some(t) if t > now => {
                self.schedule(t, TimerKind::Unpark { ci, seq });
                true
            }
            _ => {
                cb.parked_until = None;
                false
            }
        }
    }

    /// The release timer of a parked callback: it joins its wait group
    /// (the caller routes it).
    pub(super) fn unpark(&mut self, ci: u32) -> bool {
        let now = self.now;
        let c = self.contact_mut(ci);
        if c.status != ContactStatus::Waiting {
            return false;
        }
        match c.callback.as_mut() {
            Some(cb) if cb.parked_until.is_some_and(|t| t <= now) => {
                cb.parked_until = None;
                self.enqueue(ci);
                true
            }
            _ => false,
        }
    }

    /// Whether queue `q` may not release another callback on channel `ch`
    /// now: the callbacks being placed are at least its share of the
    /// agents free for it plus those placing callbacks. `deciding` counts
    /// an agent choosing its next contact that is not in the ready groups
    /// yet (1), or none (0).
    pub(super) fn callbacks_full(&self, q: u32, ch: u32, deciding: usize) -> bool {
        let queue = &self.queues[q as usize];
        let free: usize = self
            .index
            .profiles
            .iter()
            .enumerate()
            .filter(|(p, _)| self.index.serves(*p as u32, q).is_some())
            .map(|(_, prof)| prof.ready[ch as usize].len())
            .sum();
        let calling = f64::from(queue.calling);
        calling >= queue.callback_share * ((free + deciding) as f64 + calling)
    }

    /// After a callback of queue `q` stopped being called: the callbacks
    /// the queue's cap held back may go to free agents now, oldest first
    /// within each of its callback groups.
    pub(super) fn release_callbacks(&mut self, q: u32, ev: &mut Vec<Event>) {
        self.release_callbacks_of(|grp| grp.queue == q, ev);
    }

    /// [`Router::release_callbacks`] for every queue.
    #[cold]
    pub(super) fn release_all_callbacks(&mut self, ev: &mut Vec<Event>) {
        self.release_callbacks_of(|_| true, ev);
    }

    fn release_callbacks_of(
        &mut self,
        which: impl Fn(&super::index::WaitGroup) -> bool,
        ev: &mut Vec<Event>,
    ) {
        let groups: smallvec::SmallVec<[u32; 4]> = self
            .index
            .callback_groups
            .iter()
            .copied()
            .filter(|&g| {
                let grp = &self.index.groups[g as usize];
                which(grp) && !grp.set.is_empty()
            })
            .collect();
        for g in groups {
            // Until the head stays (no agent, or the cap reached again).
            while let Some(k) = self.index.heads[g as usize].key {
                self.route_contact(k.idx, ev);
                if self.index.heads[g as usize].key.is_some_and(|h| h.idx == k.idx) {
                    break;
                }
            }
        }
    }

    /// A callback is released to agent `ai`, who places the call.
    pub(super) fn dial(&mut self, ci: u32, ai: u32, ev: &mut Vec<Event>) {
        let now = self.now;
        let c = self.contact_mut(ci);
        c.status = ContactStatus::Calling;
        let cb = c.callback.as_mut().expect("a callback");
        cb.parked_until = None; // placed early (force_assign): its release timer has nothing to do
        cb.made += 1;
        let attempt = cb.made;
        let q = c.queue as usize;
        self.queues[q].calling += 1;
        self.queues[q].counters.callback_calls += 1;
        let (queue, channel) = self.tags(ci);
        ev.push(Event::CallbackOffered {
            contact: self.contact(ci).id.clone(),
            agent: self.agent(ai).id.clone(),
            queue,
            channel,
            attempt,
            at: now,
        });
    }
}

/// Whether the callback at `ci` retries at once (`retry_after` 0).
fn cb_zero_retry(r: &Router, ci: u32) -> bool {
    r.contact(ci).callback.as_ref().is_some_and(|cb| cb.retry_after == 0.0)
}
