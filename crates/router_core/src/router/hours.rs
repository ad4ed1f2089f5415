//! Opening hours: what a queue does with arrivals while it is closed
//! (`ClosedAction`), with its waiting contacts when it closes (`OnClose`),
//! and with the contacts it held when it opens.
//!
//! A queue with hours knows whether it is open now (`Queue::open`) and
//! when that next changes (a `Calendar` timer); arrivals read the flag
//! only, so hours that do not change cost routing nothing. The state is a
//! function of the configuration and the router's time, so a snapshot
//! carries only the timer, and a restore recomputes the flag.

use super::timers::TimerKind;
use super::Router;
use crate::calendar::CompiledCalendar;
use crate::error::{Error, Result};
use crate::event::{Event, RefusedReason};
use crate::model::{Callback, ClosedAction, OnClose, QueueConfig};
use crate::types::{ContactStatus, OrdF64, Time};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

/// A queue's compiled hours.
#[derive(Debug, Clone)]
pub(super) struct QueueHours {
    pub calendar: CompiledCalendar,
    /// Arrivals while closed: refuse, hold, or overflow to a queue.
    pub closed: Closed,
    /// Waiting contacts at closing time.
    pub on_close: Closing,
    /// When the open state next changes (router time), if it does.
    pub next: Option<Time>,
}

/// [`ClosedAction`] with the queue resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Closed {
    Refuse,
    Hold,
    Overflow(u32),
}

/// [`OnClose`] with the queue resolved.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Closing {
    Keep,
    Overflow(u32),
    Callback(Callback),
}

/// Compiles a queue's hours and actions (`None`: no hours). Actions without
/// hours are refused: they would never apply.
pub(super) fn compile(
    q: &QueueConfig,
    queue_ids: &FxHashMap<String, u32>,
) -> Result<Option<Box<QueueHours>>> {
    let what = format!("queue {:?}", q.name);
    let target = |field: &str, to: &str| -> Result<u32> {
        if to == q.name {
            return Err(Error::invalid(format!("{what}: {field} overflows to the queue itself")));
        }
        queue_ids.get(to).copied().ok_or_else(|| {
            Error::invalid(format!("{what}: {field} overflows to unknown queue {to:?}"))
        })
    };
    let closed = match &q.closed_action {
        ClosedAction::Refuse => Closed::Refuse,
        ClosedAction::Hold => Closed::Hold,
        ClosedAction::Overflow(to) => Closed::Overflow(target("closed_action", to)?),
    };
    let on_close = match &q.on_close {
        OnClose::Keep => Closing::Keep,
        OnClose::Overflow(to) => Closing::Overflow(target("on_close", to)?),
        OnClose::Callback(cb) => {
            super::contacts::check_callback(&format!("{what}: on_close"), cb)?;
            if cb.not_before.is_some() {
                return Err(Error::invalid(format!(
                    "{what}: on_close callback sets not_before {:?}; its calls start when the queue opens",
                    cb.not_before
                )));
            }
            Closing::Callback(cb.clone())
        }
    };
    let Some(cal) = &q.hours else {
        if closed != Closed::Refuse || on_close != Closing::Keep {
            return Err(Error::invalid(format!(
                "{what}: closed_action and on_close need opening hours (hours is not set)"
            )));
        }
        return Ok(None);
    };
    let calendar = cal.compile(&format!("{what}: hours"))?;
    Ok(Some(Box::new(QueueHours { calendar, closed, on_close, next: None })))
}

/// Where an arrival goes, its queue being closed.
enum Arrival {
    /// To this queue (open, or holding its arrivals).
    Enter(u32),
    /// Refused by this queue.
    Refuse(u32),
}

impl Router {
    /// The Unix instant of router time `t`.
    fn unix(&self, t: Time) -> f64 {
        self.config.epoch + t
    }

    /// Sets every queue's open state at the router's time and schedules
    /// each change (a new router, a restored or reconfigured one). A
    /// change timer already in the heap is not set twice.
    pub(super) fn init_hours(&mut self) {
        for q in 0..self.queues.len() as u32 {
            if self.queues[q as usize].hours.is_some() {
                self.time_hours(q, true);
            }
        }
    }

    /// Reads queue `q`'s open state at now and schedules its next change.
    fn time_hours(&mut self, q: u32, dedup: bool) {
        let unix = self.unix(self.now);
        let epoch = self.config.epoch;
        let queue = &mut self.queues[q as usize];
        let h = queue.hours.as_mut().expect("a queue with hours");
        queue.open = h.calendar.is_open(unix);
        h.next = h.calendar.next_change(unix).map(|u| u - epoch);
        let Some(at) = h.next else { return };
        let kind = TimerKind::Calendar { queue: q, at: OrdF64(at) };
        if dedup && self.timers.iter().any(|t| t.0.kind == kind) {
            return;
        }
        self.schedule(at, kind);
    }

    /// Whether nothing is left to happen but queues opening and closing:
    /// no live contact, and every pending timer a change of hours (a
    /// simulation's drain stops there).
    pub fn only_hours_pending(&self) -> bool {
        self.live_contacts() == 0
            && self.timers.iter().all(|t| matches!(t.0.kind, TimerKind::Calendar { .. }))
    }

    /// Whether queue `queue` is open at router time `at`.
    ///
    /// Errors: `UnknownId` for an unknown queue; `InvalidInput` for a bad time.
    pub fn is_open(&self, queue: &str, at: Time) -> Result<bool> {
        let q = self.queue_ix(queue)?;
        crate::types::check_time("time", at)?;
        Ok(match &self.queues[q as usize].hours {
            None => true,
            Some(h) => h.calendar.is_open(self.unix(at)),
        })
    }

    /// The first router time after `at` at which queue `queue` opens or
    /// closes; `None` if that never happens (no hours, or none to come).
    ///
    /// Errors: `UnknownId` for an unknown queue; `InvalidInput` for a bad time.
    pub fn next_change(&self, queue: &str, at: Time) -> Result<Option<Time>> {
        let q = self.queue_ix(queue)?;
        crate::types::check_time("time", at)?;
        let epoch = self.config.epoch;
        Ok(self.queues[q as usize]
            .hours
            .as_ref()
            .and_then(|h| h.calendar.next_change(self.unix(at)))
            .map(|u| u - epoch))
    }

    fn queue_ix(&self, queue: &str) -> Result<u32> {
        self.queue_ids.get(queue).copied().ok_or_else(|| Error::unknown("queue", queue))
    }

    /// Follows closed queues' `overflow` actions from `q` to the queue an
    /// arrival enters, or the queue that refuses it (a loop of closed
    /// queues refuses at the first).
    fn arrival(&self, q: u32) -> Arrival {
        let mut cur = q;
        for _ in 0..=self.queues.len() {
            let queue = &self.queues[cur as usize];
            if queue.open {
                return Arrival::Enter(cur);
            }
            match queue.hours.as_ref().map(|h| h.closed) {
                None => return Arrival::Enter(cur),
                Some(Closed::Hold) => return Arrival::Enter(cur),
                Some(Closed::Refuse) => return Arrival::Refuse(cur),
                Some(Closed::Overflow(to)) => cur = to,
            }
        }
        Arrival::Refuse(q)
    }

    /// A new contact arrives at a closed queue: it is refused (it ends
    /// `refused`), enters a queue its closed queues overflow it to, or
    /// waits held. Returns whether it entered (the caller admits it).
    #[cold]
    #[inline(never)]
    pub(super) fn arrive_closed(&mut self, ci: u32, ev: &mut Vec<Event>) -> bool {
        let from = self.contact(ci).queue;
        let to = match self.arrival(from) {
            Arrival::Enter(to) if to != from && self.queue_full(to) => {
                return self.refuse(ci, to, RefusedReason::Full, ev);
            }
            Arrival::Enter(to) => to,
            Arrival::Refuse(q) => return self.refuse(ci, q, RefusedReason::Closed, ev),
        };
        if to != from {
            let now = self.now;
            let f = &mut self.queues[from as usize].counters;
            f.offered += 1;
            f.overflowed_out += 1;
            self.queues[to as usize].counters.overflowed_in += 1;
            let c = self.contact_mut(ci);
            c.queue = to;
            c.queue_entered = now;
            let (to_queue, channel) = self.tags(ci);
            ev.push(Event::Overflowed {
                contact: self.contact(ci).id.clone(),
                from_queue: self.queue_tag(from),
                to_queue,
                channel,
                at: now,
            });
        }
        true
    }

    /// Ends an arriving contact as refused by queue `q`.
    fn refuse(&mut self, ci: u32, q: u32, reason: RefusedReason, ev: &mut Vec<Event>) -> bool {
        let counters = &mut self.queues[q as usize].counters;
        match reason {
            RefusedReason::Closed => counters.refused_closed += 1,
            RefusedReason::Full => counters.refused += 1,
        }
        let channel = self.channels[self.contact(ci).channel as usize].tag.clone();
        ev.push(Event::Refused {
            contact: self.contact(ci).id.clone(),
            queue: self.queue_tag(q),
            channel,
            reason,
            at: self.now,
        });
        self.contact_mut(ci).status = ContactStatus::Scheduled; // not in its queue's live set
        self.finish(ci, ContactStatus::Refused);
        false
    }

    /// A contact admitted to a closed queue (its `hold` action) waits
    /// there, in no group, until the queue opens.
    #[cold]
    pub(super) fn hold(&mut self, ci: u32) {
        let c = self.contact_mut(ci);
        c.held = true;
        c.pinned = None;
        let q = c.queue as usize;
        self.queues[q].counters.held += 1;
    }

    /// A queue's open state changes (its `Calendar` timer): on opening,
    /// the contacts it held join their groups and are routed; on closing,
    /// its `on_close` applies to its waiting contacts.
    pub(super) fn fire_hours(&mut self, q: u32, at: Time, ev: &mut Vec<Event>) {
        let Some(h) = self.queues.get(q as usize).and_then(|x| x.hours.as_ref()) else { return };
        if h.next != Some(at) {
            return; // a timer of hours since replaced
        }
        let was_open = self.queues[q as usize].open;
        if self.live_contacts() == 0 && self.until > self.now {
            // No contact at all (none scheduled either): the changes up to
            // the call's time do nothing, so the queue moves straight to
            // its state then (a first call long after the epoch does not
            // replay each day).
            let now = std::mem::replace(&mut self.now, self.until);
            self.time_hours(q, false);
            self.now = now;
            return;
        }
        self.time_hours(q, false);
        let open = self.queues[q as usize].open;
        if open == was_open {
            return;
        }
        let mut changed: SmallVec<[(u32, u64); 4]> = SmallVec::new();
        let in_queue: Vec<u32> = (0..self.contacts.len() as u32)
            .filter(|&ci| {
                self.contacts.get(ci as usize).is_some_and(|c| {
                    c.queue == q && c.status == ContactStatus::Waiting && c.warm.is_none()
                })
            })
            .collect();
        if open {
            for ci in in_queue {
                if self.contact(ci).held {
                    self.enqueue(ci); // open now: it leaves the hold
                    changed.push((ci, self.contact(ci).seq));
                }
            }
            self.route_changed(&mut changed, ev);
            return;
        }
        let closing = self.queues[q as usize].hours.as_ref().map(|h| h.on_close.clone());
        match closing {
            None | Some(Closing::Keep) => {}
            Some(Closing::Overflow(to)) => {
                // Oldest first, so that a target with little room takes the
                // longest waiting.
                let mut by_age: Vec<(OrdF64, u64, u32)> = in_queue
                    .iter()
                    .map(|&ci| {
                        let c = self.contact(ci);
                        (OrdF64(c.arrival), c.seq, ci)
                    })
                    .collect();
                by_age.sort_unstable();
                for (_, seq, ci) in by_age {
                    if self.queue_full(to) {
                        break; // the rest stay where they are
                    }
                    self.move_waiting(ci, q, to, ev);
                    changed.push((ci, seq));
                }
                self.route_changed(&mut changed, ev);
            }
            Some(Closing::Callback(cb)) => {
                let opens = self.queues[q as usize].hours.as_ref().and_then(|h| h.next);
                for ci in in_queue {
                    let c = self.contact(ci);
                    if c.callback.is_some() || c.held {
                        continue;
                    }
                    self.dequeue(ci);
                    let mut cb = cb.clone();
                    cb.not_before = opens;
                    let c = self.contact_mut(ci);
                    c.pinned = None;
                    c.callback = Some(Box::new(super::CallbackState::new(&cb)));
                    c.version += 1;
                    self.park_callback(ci);
                    self.enqueue(ci);
                    let (queue, channel) = self.tags(ci);
                    ev.push(Event::CallbackScheduled {
                        contact: self.contact(ci).id.clone(),
                        queue,
                        channel,
                        not_before: opens,
                        at: self.now,
                    });
                }
            }
        }
    }

    /// Moves a waiting contact from queue `from` to queue `to`
    /// (`Overflowed`): counted out of one and into the other, re-timed
    /// under its new queue. The caller routes it.
    pub(super) fn move_waiting(&mut self, ci: u32, from: u32, to: u32, ev: &mut Vec<Event>) {
        let c = self.contact(ci);
        let in_group = c.slot.is_some() || c.held;
        let key = (c.arrival, c.seq);
        if c.slot.is_some() {
            self.dequeue(ci);
        }
        let f = &mut self.queues[from as usize];
        f.live.remove(key.0, key.1);
        f.counters.overflowed_out += 1;
        let t = &mut self.queues[to as usize];
        t.live.insert(key.0, key.1);
        t.counters.overflowed_in += 1;
        t.counters.offered += 1;
        let now = self.now;
        let c = self.contact_mut(ci);
        c.queue = to;
        c.queue_entered = now;
        // A cap reached in the old queue does not follow the contact: the
        // new queue's ordering decides afresh.
        c.capped = false;
        let id = c.id.clone();
        self.enter_queue(ci);
        if in_group {
            self.enqueue(ci); // a held contact leaves the hold if `to` is open
        }
        let (to_queue, channel) = self.tags(ci);
        ev.push(Event::Overflowed {
            contact: id,
            from_queue: self.queue_tag(from),
            to_queue,
            channel,
            at: now,
        });
    }
}
