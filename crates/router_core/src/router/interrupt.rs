//! Interruptible work: pausing and resuming an agent's contacts.
//!
//! A channel may be `interruptible`. An agent whose free capacity is too
//! small for a contact on an uninterruptible channel still fits it when
//! pausing its interruptible contacts would make the room: they are paused
//! when the contact is offered or assigned to it (`Paused`), and resumed
//! (`Resumed`), oldest first and as far as they fit, once the agent holds
//! no uninterruptible work any more (its wrap-up over). A paused contact
//! stays with its agent (assigned) but holds no slot and no capacity.
//! `pause` and `resume` do the same by hand; a contact paused by hand
//! waits for `resume`.

use super::slots::ContactSlots;
use super::{Agent, Channel, Router};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::sink::EventSink;
use crate::types::{ContactStatus, Time};

/// Interrupted (resumed when the agent is free of uninterruptible work).
const INTERRUPTED: u8 = 1;
/// Paused by `pause` (resumed by `resume`).
const BY_HAND: u8 = 2;

/// The units agent `a` would free by pausing its interruptible contacts.
pub(super) fn pausable(a: &Agent, contacts: &ContactSlots, channels: &[Channel]) -> u32 {
    a.contacts
        .iter()
        .filter_map(|&ci| contacts.get(ci as usize))
        .filter(|c| can_pause(c, channels))
        .map(|c| channels[c.channel as usize].cfg.cost)
        .sum()
}

/// Whether an interruption may pause this contact of its agent: assigned
/// (not an offer, not a callback being dialled, not mid-transfer) on an
/// interruptible channel.
fn can_pause(c: &super::Contact, channels: &[Channel]) -> bool {
    c.status == ContactStatus::Assigned
        && c.warm.is_none()
        && channels[c.channel as usize].cfg.interruptible
}

impl Router {
    /// Before agent `ai` takes contact `ci`: if the contact's channel is
    /// uninterruptible and the agent lacks the room, pauses its
    /// interruptible contacts.
    #[inline]
    pub(super) fn make_room(&mut self, ai: u32, ci: u32, ev: &mut Vec<Event>) {
        if !self.any_interruptible {
            return;
        }
        let ch = &self.channels[self.contact(ci).channel as usize].cfg;
        let a = self.agent(ai);
        if ch.interruptible || a.capacity - a.used >= ch.cost {
            return;
        }
        let list: Vec<u32> = a
            .contacts
            .iter()
            .copied()
            .filter(|&x| can_pause(self.contact(x), &self.channels))
            .collect();
        for x in list {
            self.pause_ix(x, ai, INTERRUPTED, ev);
        }
    }

    /// Pauses assigned contact `ci` of agent `ai`: its slot and units are
    /// freed, it stays with the agent.
    fn pause_ix(&mut self, ci: u32, ai: u32, how: u8, ev: &mut Vec<Event>) {
        let ch = self.contact(ci).channel as usize;
        let cost = self.channels[ch].cfg.cost;
        let a = self.agent_mut(ai);
        a.contacts.retain(|&x| x != ci);
        a.paused.push(ci);
        a.held[ch] -= 1;
        a.used -= cost;
        self.contact_mut(ci).paused = how;
        let q = self.contact(ci).queue as usize;
        self.queues[q].counters.paused += 1;
        let (queue, channel) = self.tags(ci);
        ev.push(Event::Paused {
            contact: self.contact(ci).id.clone(),
            agent: self.agent(ai).id.clone(),
            by_hand: how == BY_HAND,
            queue,
            channel,
            at: self.now,
        });
    }

    /// Resumes paused contact `ci` of agent `ai` (the caller checked that
    /// it fits).
    fn resume_ix(&mut self, ci: u32, ai: u32, ev: &mut Vec<Event>) {
        let ch = self.contact(ci).channel as usize;
        let cost = self.channels[ch].cfg.cost;
        let a = self.agent_mut(ai);
        a.paused.retain(|&x| x != ci);
        a.contacts.push(ci);
        a.held[ch] += 1;
        a.used += cost;
        self.contact_mut(ci).paused = 0;
        let (queue, channel) = self.tags(ci);
        ev.push(Event::Resumed {
            contact: self.contact(ci).id.clone(),
            agent: self.agent(ai).id.clone(),
            queue,
            channel,
            at: self.now,
        });
    }

    /// Whether paused contact `ci` fits its agent `ai` again.
    fn fits_again(&self, ci: u32, ai: u32) -> bool {
        let ch = self.contact(ci).channel as usize;
        let a = self.agent(ai);
        a.held[ch] < a.max[ch] && a.capacity - a.used >= self.channels[ch].cfg.cost
    }

    /// Before agent `ai` picks new work: once it holds no uninterruptible
    /// work (wrap-ups included), its interrupted contacts resume, oldest
    /// first, as far as they fit.
    #[inline]
    pub(super) fn resume_interrupted(&mut self, ai: u32, ev: &mut Vec<Event>) {
        let a = self.agent(ai);
        if a.paused.is_empty() {
            return;
        }
        let busy = a
            .contacts
            .iter()
            .map(|&ci| self.contact(ci).channel)
            .chain(a.wrapups.iter().map(|w| w.1))
            .any(|ch| !self.channels[ch as usize].cfg.interruptible);
        if busy {
            return;
        }
        let list: Vec<u32> = a.paused.clone();
        for ci in list {
            if self.contact(ci).paused == INTERRUPTED && self.fits_again(ci, ai) {
                self.resume_ix(ci, ai, ev);
            }
        }
    }

    /// Pauses an assigned contact by hand (a supervisor, or the agent
    /// switching to other work): it stays with its agent, holding no slot
    /// and no capacity, until `resume`. The freed room is routed.
    ///
    /// Errors: `UnknownId`; `InvalidState` unless the contact is assigned
    /// and not paused (a callback being dialled, or one in a warm transfer,
    /// cannot be paused).
    pub fn pause<S: EventSink>(&mut self, contact: &str, now: Time, sink: S) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let ci = self.contact_ix(contact)?;
        let mut ev = self.begin_on(ci, now)?;
        let c = self.contact(ci);
        if c.status != ContactStatus::Assigned || c.warm.is_some() || c.paused != 0 {
            let what = match (c.paused, c.warm.is_some()) {
                (0, true) => "in a warm transfer".to_owned(),
                (0, false) => c.status.as_str().to_owned(),
                _ => "paused already".to_owned(),
            };
            let err = Error::state(format!(
                "contact {contact:?} is {what}; only an assigned contact can be paused"
            ));
            return self.fail(ev, err);
        }
        let ai = c.agent.expect("an assigned contact has an agent");
        self.pause_ix(ci, ai, BY_HAND, &mut ev);
        self.route_agent(ai, &mut ev);
        Ok(self.deliver(ev, sink))
    }

    /// Resumes a paused contact (paused by hand or interrupted): it takes
    /// its slot and capacity again.
    ///
    /// Errors: `UnknownId`; `InvalidState` for a contact not paused, or
    /// when its agent has no room for it now (naming the slots and units).
    pub fn resume<S: EventSink>(&mut self, contact: &str, now: Time, sink: S) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let ci = self.contact_ix(contact)?;
        let mut ev = self.begin_on(ci, now)?;
        let c = self.contact(ci);
        if c.paused == 0 {
            let err = Error::state(format!(
                "contact {contact:?} is {} and not paused; only a paused contact can be resumed",
                c.status
            ));
            return self.fail(ev, err);
        }
        let ai = c.agent.expect("a paused contact has an agent");
        if !self.fits_again(ci, ai) {
            let ch = c.channel as usize;
            let a = self.agent(ai);
            let err = Error::state(format!(
                "agent {:?} has no room to resume contact {contact:?}: {} of {} {} slots held, {} of {} units used, {} needed",
                &*a.id,
                a.held[ch],
                a.max[ch],
                self.channels[ch].cfg.name,
                a.used,
                a.capacity,
                self.channels[ch].cfg.cost
            ));
            return self.fail(ev, err);
        }
        self.resume_ix(ci, ai, &mut ev);
        self.refresh_agent(ai);
        Ok(self.deliver(ev, sink))
    }
}
