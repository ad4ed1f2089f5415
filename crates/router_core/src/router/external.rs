//! Step-wise control: the router leaves its routing decisions to the
//! caller (the simulator's [`crate::sim::Stepper`]).
//!
//! With external decisions on, the two decision regimes of
//! [`super::routing`] do not assign: a waiting contact that could go to a
//! free agent, and an agent with room that could take a waiting contact,
//! are noted as *asks* instead. The caller reads them after each call
//! ([`Router::take_asks`]), lists the candidates of each
//! ([`Router::agent_candidates`], [`Router::contact_candidates`]) and
//! answers with [`Router::assign_external`] or not at all (the contact
//! waits on, the agent stays free: a hold). Everything else runs as
//! usual: timers, relaxation steps, overflow, abandonment, wrap-up, paused
//! work resuming, opening hours. A preferred or last agent (affinity) is
//! not applied: the caller decides every assignment. The mode is not part
//! of the configuration and is not persisted.
//!
//! The invariant "no waiting contact could be served by a ready agent"
//! does not hold under external decisions (a hold breaks it on purpose),
//! so [`Router::check_invariants`] does not check it in this mode.

use super::{ContactRank, Router};
use crate::error::{Error, Result};
use crate::sink::EventSink;
use crate::types::{AgentState, ContactStatus, Time};

/// A decision the router left to its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ask {
    /// Contact slot `ci` waits and a free agent may fit.
    Contact(u32),
    /// Agent slot `ai` has room and a waiting contact may fit.
    Agent(u32),
}

/// The asks noted since the caller last took them.
#[derive(Debug, Default)]
pub(crate) struct Asks {
    list: Vec<Ask>,
}

impl Router {
    /// Turns external decisions on (the caller decides every assignment)
    /// or off. Refused in batch mode and with a plug-in scorer, which are
    /// other ways of deciding.
    pub(crate) fn set_external(&mut self, on: bool) -> Result<()> {
        if on && self.config.batch_window.is_some() {
            return Err(Error::invalid(
                "batch_window: step-wise control decides each assignment; a batch window cannot apply",
            ));
        }
        if on && self.plugin.scorer.is_some() {
            return Err(Error::invalid(
                "plugin: step-wise control decides each assignment; a plug-in policy cannot apply",
            ));
        }
        self.external = on.then(Asks::default);
        Ok(())
    }

    /// Notes an ask (external mode only).
    #[inline]
    pub(super) fn ask(&mut self, ask: Ask) {
        if let Some(asks) = &mut self.external {
            asks.list.push(ask);
        }
    }

    /// Moves the asks noted so far to the end of `out`.
    pub(crate) fn take_asks(&mut self, out: &mut Vec<Ask>) {
        if let Some(asks) = &mut self.external {
            out.append(&mut asks.list);
        }
    }

    /// Calls `f` with every free agent slot that may take waiting contact
    /// `ci` now (its routing profile serves the contact's queue, its
    /// selectors admit it, it is not excluded, it has the slot and the
    /// units). Nothing for a contact that is not waiting in a group.
    pub(crate) fn agent_candidates(&self, ci: u32, mut f: impl FnMut(u32)) {
        let Some(c) = self.contacts.get(ci as usize) else { return };
        if c.status != ContactStatus::Waiting || c.held || c.slot.is_none() {
            return;
        }
        if let Some(cb) = &c.callback {
            if cb.parked_until.is_some() || self.callbacks_full(c.queue, c.channel, 0) {
                return;
            }
        }
        let ch = c.channel as usize;
        let sig = &self.index.sigs[c.sig as usize];
        for &p in &sig.profiles {
            if !self.routes_to(p, c.queue, c.age_origin()) {
                continue;
            }
            for k in &self.index.profiles[p as usize].ready[ch] {
                if (c.excluded.is_empty() || !c.excluded.contains(&self.agent(k.idx).uid))
                    && (!sig.residual || self.sig_admits(c.sig, k.idx))
                {
                    f(k.idx);
                }
            }
        }
    }

    /// Calls `f` with the contacts agent slot `ai` could take next, as the
    /// router itself would choose among them: the first in line of each
    /// wait group it serves on each channel it has room on, with its rank
    /// (lower first). Nothing for an agent with no room.
    pub(crate) fn contact_candidates(&self, ai: u32, f: impl FnMut(ContactRank, u32)) {
        match self.agents.get(ai as usize) {
            Some(Some(a)) if a.state == AgentState::Available => self.scan_contacts(ai, f),
            _ => {}
        }
    }

    /// The caller's decision: waiting contact slot `ci` goes to agent slot
    /// `ai`, which must be eligible for it now. When the agent still has
    /// room afterwards, that is a new ask. Errors: `InvalidState` naming
    /// what does not hold; nothing changes then.
    pub(crate) fn assign_external<S: EventSink>(
        &mut self,
        ci: u32,
        ai: u32,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let mut ev = self.begin(now);
        let waiting = matches!(self.contacts.get(ci as usize),
            Some(c) if c.status == ContactStatus::Waiting && c.slot.is_some());
        let free = matches!(self.agents.get(ai as usize), Some(Some(_)));
        if !waiting || !free || !self.eligible(ai, ci) {
            return self.fail(
                ev,
                Error::state("step: the chosen agent cannot take the chosen contact now"),
            );
        }
        self.assign(ci, ai, &mut ev);
        self.refresh_agent(ai);
        let a = self.agent(ai);
        if (0..self.channels.len()).any(|c| self.can_take(a, c)) {
            self.ask(Ask::Agent(ai));
        }
        Ok(self.deliver(ev, sink))
    }

    /// The number of contacts waiting in queue `q` and the arrival of the
    /// oldest (into the queue), if any.
    pub(crate) fn queue_waiting(&self, q: usize) -> (usize, Option<Time>) {
        let live = &self.queues[q].live;
        (live.len(), live.oldest())
    }

    /// Facts of agent slot `ai` for an observation: routable (available),
    /// units used, capacity, contacts held per channel, idle since.
    pub(crate) fn agent_load(&self, ai: u32) -> Option<(bool, u32, u32, &[u32], Time)> {
        let a = self.agents.get(ai as usize)?.as_ref()?;
        Some((
            a.state == AgentState::Available,
            a.used,
            a.capacity,
            &a.held[..self.channels.len()],
            a.idle_since,
        ))
    }

    /// Facts of contact slot `ci` for a candidate: effective priority and
    /// the time its wait in its queue began.
    pub(crate) fn contact_facts(&self, ci: u32) -> Option<(i64, Time)> {
        let c = self.contacts.get(ci as usize)?;
        Some((c.priority, c.queue_entered))
    }
}
