//! A contact's life after it arrives: updates to a waiting or offered
//! contact.

use super::bulk::ContactRef;
use super::index::{satisfies, SigId, SkillSet};
use super::{timers::TimerKind, Router, SharedAttrs};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::model::{Condition, ContactUpdate};
use crate::sink::EventSink;
use crate::types::{ContactStatus, Time};

/// A [`ContactUpdate`] validated against its contact.
struct CompiledUpdate {
    priority: Option<i64>,
    sig: Option<SigId>,
    prefers: Option<SkillSet>,
    steps: Option<Vec<(Time, SigId, Option<Condition>)>>,
    attributes: Option<SharedAttrs>,
    age_offset: Option<Time>,
}

impl Router {
    /// Changes a waiting or offered contact (priority, requirements,
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
        self.check_now(now)?;
        self.open(&sink);
        let ci = contact.locate(self)?;
        let mark = self.index.mark();
        let compiled = match self.compile_update(ci, update) {
            Ok(u) => u,
            Err(e) => return self.refused(mark, e),
        };
        let mut ev = self.begin(now);
        if let Err(e) = self.check_updatable(ci, update.if_version) {
            self.index.rollback(mark);
            return self.fail(ev, e);
        }
        self.apply_update(ci, compiled, &mut ev);
        self.advance_to(now, &mut ev); // timers the update set for `now`
        Ok(self.deliver(ev, sink))
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
        Ok(CompiledUpdate {
            priority: u.priority,
            sig: reqs.map(|r| self.index.sig(r)),
            prefers,
            steps,
            attributes: u.attributes.clone().map(SharedAttrs::new),
            age_offset: u.age_offset,
        })
    }

    /// Refuses an update of a contact that is not waiting or offered, or
    /// not at the expected version.
    fn check_updatable(&self, ci: u32, if_version: Option<u64>) -> Result<()> {
        let c = self.contact(ci);
        if !matches!(c.status, ContactStatus::Waiting | ContactStatus::Offered) {
            let agent = c.agent.map(|a| format!(" to agent {:?}", &*self.agent(a).id));
            return Err(Error::state(format!(
                "contact {:?} is {}{}; only a waiting or offered contact can be updated",
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
        let waiting = self.contact(ci).status == ContactStatus::Waiting;
        if waiting {
            self.dequeue(ci);
        }
        let ages = u.age_offset.is_some_and(|o| o != self.contact(ci).age_offset);
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
        let new_steps = u.steps.is_some();
        if let Some(steps) = u.steps {
            c.steps = steps;
            c.step = 0;
        }
        if ages {
            self.age_changed(ci);
        }
        if new_steps {
            self.apply_due_steps(ci, ev);
        }
        if waiting {
            self.enqueue(ci);
            self.route_contact(ci, ev);
            return;
        }
        // Offered: the offer stands while its agent still fits.
        let ai = self.contact(ci).agent.expect("offered contact has an agent");
        let (a, c) = (self.agent(ai), self.contact(ci));
        let fits = self.index.compatible(a.profile, c.sig)
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
