//! Agents: add, remove, change state, and keep the ready groups current.

use super::index::{AgentKey, SkillSet};
use super::ordered::OrderedSet;
use super::{Agent, Router};
use crate::error::{Error, Result};
use crate::event::Event;
use crate::model::AgentSpec;
use crate::policy::AgentFacts;
use crate::sink::EventSink;
use crate::types::{AgentState, ContactStatus, Id, OrdF64, Time};

/// Longest agent state reason accepted, in bytes: room for any reason the
/// server accepts (256 characters of up to 4 bytes each).
pub const MAX_REASON: usize = 1024;

impl Router {
    /// Adds an agent. Routing runs at once if it is available and contacts wait.
    ///
    /// Errors: `DuplicateId` for an id in use; `InvalidInput` for an empty
    /// id, a level outside 1–10, an unknown channel, a capacity of 0 or a
    /// backwards time.
    pub fn add_agent<S: EventSink>(&mut self, spec: &AgentSpec, now: Time, sink: S) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        if spec.id.is_empty() {
            return Err(Error::invalid("agent id must not be empty"));
        }
        if self.agent_ids.contains_key(spec.id.as_str()) {
            return Err(Error::duplicate("agent", &spec.id));
        }
        let what = format!("agent {:?}", spec.id);
        let (max, skills, routing, _) = self.compile_agent(&what, spec)?;
        let mut ev = self.begin(now);
        let class = self.index.class(&spec.attributes);
        let profile = self.index.profile(skills, routing);
        let n = self.channels.len();
        let id: Id = spec.id.as_str().into();
        let agent = Agent {
            id: id.clone(),
            uid: self.seq(),
            profile,
            capacity: spec.capacity,
            used: 0,
            max: max.into(),
            all_channels: spec.channels.is_none(),
            held: smallvec::smallvec![0; n],
            state: spec.state,
            idle_since: now,
            handled: 0,
            last_assigned: 0,
            contacts: Vec::new(),
            wrapups: Vec::new(),
            pinned: Vec::new(),
            paused: Vec::new(),
            state_since: now,
            reason: String::new(),
            key: None,
            rank: 0,
            ready: smallvec::smallvec![false; n],
            attributes: spec.attributes.clone(),
            class,
        };
        let ai = match self.free_agents.pop() {
            Some(i) => {
                self.agents[i as usize] = Some(agent);
                i
            }
            None => {
                self.agents.push(Some(agent));
                (self.agents.len() - 1) as u32
            }
        };
        match self.id_order.insert(&id) {
            Some(rank) => self.agent_mut(ai).rank = rank,
            None => self.rerank_agents(),
        }
        self.agent_ids.insert(id, ai);
        self.count_available(ai, 1);
        self.route_agent(ai, &mut ev);
        Ok(self.deliver(ev, sink))
    }

    /// Changes an agent's skills, capacity, channel maxima, attributes and
    /// routing profile in place, also while it holds contacts (they stay
    /// with it); its state is left as it is (see `set_agent_state`).
    /// Pending offers go back to their queues (`Requeued`) unless only the
    /// attributes change; if the agent is available it then routes as
    /// after any change of its load.
    ///
    /// Errors: `UnknownId`; `InvalidInput` as for `add_agent` (the spec's
    /// id names the agent); `CapacityError` when the new capacity or a
    /// channel maximum is below what the agent holds now.
    pub fn update_agent<S: EventSink>(
        &mut self,
        spec: &AgentSpec,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let ai = self.agent_ix(&spec.id)?;
        let what = format!("agent {:?}", spec.id);
        let (max, skills, routing, mark) = self.compile_agent(&what, spec)?;
        // Checked after the timers due by `now`: they may change its load.
        let mut ev = self.begin(now);
        let a = self.agent(ai);
        if spec.capacity < a.used {
            let err = Error::new(
                crate::error::ErrorKind::Capacity,
                format!(
                    "{what}: capacity {} is below the {} units it holds now",
                    spec.capacity, a.used
                ),
            );
            self.index.rollback(mark);
            return self.fail(ev, err);
        }
        if let Some(c) = (0..max.len()).find(|&c| max[c] < a.held[c]) {
            let err = Error::new(
                crate::error::ErrorKind::Capacity,
                format!(
                "{what}: maximum {} on channel {:?} is below the {} contacts it holds there now",
                max[c], self.channels[c].cfg.name, a.held[c]
            ),
            );
            self.index.rollback(mark);
            return self.fail(ev, err);
        }
        let class = self.index.class(&spec.attributes);
        let profile = self.index.profile(skills, routing);
        let a = self.agent(ai);
        // An agent whose attribute class changes may no longer pass the
        // selectors of the contacts offered to it.
        let only_attributes = profile == a.profile
            && spec.capacity == a.capacity
            && a.max[..] == max[..]
            && class == a.class;
        let back = if only_attributes { Vec::new() } else { self.withdraw_offers(ai, &mut ev) };
        // Out of the old profile's groups and counts, changed, then in again.
        let state = self.agent(ai).state;
        self.count_available(ai, -1);
        self.agent_mut(ai).state = AgentState::Offline;
        self.refresh_agent(ai);
        {
            let a = self.agent_mut(ai);
            a.profile = profile;
            a.capacity = spec.capacity;
            a.max = max.into();
            a.all_channels = spec.channels.is_none();
            a.state = state;
        }
        {
            let a = self.agent_mut(ai);
            a.attributes = spec.attributes.clone();
            if a.class != class {
                a.class = class;
                a.key = None; // out of its ready groups: re-keyed with its class
            }
        }
        self.count_available(ai, 1);
        self.refresh_agent(ai);
        if state == AgentState::Available {
            self.route_agent(ai, &mut ev);
        }
        for ci in back {
            self.route_contact(ci, &mut ev);
        }
        Ok(self.deliver(ev, sink))
    }

    /// Validates an agent spec but its id: capacity, channel maxima, routing
    /// profile and skills. The skills are interned; on error they are rolled
    /// back here, otherwise the returned mark lets a caller that refuses the
    /// call later roll them back.
    #[allow(clippy::type_complexity)]
    fn compile_agent(
        &mut self,
        what: &str,
        spec: &AgentSpec,
    ) -> Result<(Vec<u32>, SkillSet, Option<u32>, super::index::Mark)> {
        if spec.capacity == 0 {
            return Err(Error::invalid(format!(
                "{what}: capacity {} is outside the allowed range 1..={}",
                spec.capacity,
                u32::MAX
            )));
        }
        let max = self.channel_limits(what, spec.channels.as_deref())?;
        let routing = match &spec.routing_profile {
            None => None,
            Some(name) => Some(*self.routing_ids.get(name).ok_or_else(|| {
                Error::invalid(format!("{what}: unknown routing profile {name:?}"))
            })?),
        };
        let mark = self.index.mark();
        match self.compile_skills(|| what.to_owned(), &spec.skills) {
            Ok(skills) => Ok((max, skills, routing, mark)),
            Err(e) => self.refused(mark, e),
        }
    }

    /// Resolves an agent's per-channel maxima (`None`: every channel at its default).
    fn channel_limits(&self, what: &str, limits: Option<&[(String, u32)]>) -> Result<Vec<u32>> {
        match limits {
            None => Ok(self.channels.iter().map(|c| c.cfg.max_per_agent).collect()),
            Some(list) => {
                let mut max = vec![0; self.channels.len()];
                let mut seen = vec![false; self.channels.len()];
                for (name, m) in list {
                    let c = self.channel_ids.get(name.as_str()).copied().ok_or_else(|| {
                        Error::invalid(format!("{what}: unknown channel {name:?}"))
                    })? as usize;
                    if std::mem::replace(&mut seen[c], true) {
                        return Err(Error::invalid(format!(
                            "{what}: channel {name:?} is listed twice"
                        )));
                    }
                    max[c] = *m;
                }
                Ok(max)
            }
        }
    }

    /// Removes an agent. Offers it holds go back to their queues (`Requeued`),
    /// contacts waiting for it alone join the general pool, wrap-up is dropped.
    ///
    /// Errors: `UnknownId`; `InvalidState` while it holds assigned contacts
    /// (complete them first).
    pub fn remove_agent<S: EventSink>(&mut self, id: &str, now: Time, sink: S) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let ai = self.agent_ix(id)?;
        // Checked after the timers due by `now`: they may assign contacts to it.
        let mut ev = self.begin(now);
        let held: Vec<&str> = self
            .agent(ai)
            .contacts
            .iter()
            .chain(&self.agent(ai).paused)
            .map(|&ci| self.contact(ci))
            .filter(|c| {
                matches!(c.status, ContactStatus::Assigned | ContactStatus::Calling)
                    || c.warm.as_ref().is_some_and(|w| w.from == ai)
            })
            .map(|c| &*c.id)
            .collect();
        if !held.is_empty() {
            let err = Error::state(format!(
                "agent {id:?} still holds contacts {held:?}; complete them before removing the agent"
            ));
            return self.fail(ev, err);
        }
        let mut back = self.withdraw_offers(ai, &mut ev);
        let pinned = std::mem::take(&mut self.agent_mut(ai).pinned);
        self.count_available(ai, -1);
        self.agent_mut(ai).state = AgentState::Offline;
        self.refresh_agent(ai);
        self.agents[ai as usize] = None;
        self.agent_ids.remove(id);
        self.id_order.remove(id);
        self.free_agents.push(ai);
        for &ci in &pinned {
            self.unpin(ci);
        }
        back.extend(pinned);
        for ci in back {
            self.route_contact(ci, &mut ev);
        }
        Ok(self.deliver(ev, sink))
    }

    /// Sets an agent's state, with a reason code (`break`, `lunch`, ...;
    /// empty: none). Leaving `available` withdraws pending offers
    /// (`Requeued`); becoming `available` starts its idle time and routes.
    /// The agent's `state_since` moves to `now` when its state or reason
    /// changes.
    ///
    /// Errors: `UnknownId`; `InvalidInput` for a backwards time or a reason
    /// longer than [`MAX_REASON`] bytes.
    pub fn set_agent_state<S: EventSink>(
        &mut self,
        id: &str,
        state: AgentState,
        reason: &str,
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        let ai = self.agent_ix(id)?;
        if reason.len() > MAX_REASON {
            return Err(Error::invalid(format!(
                "agent {id:?}: reason of {} bytes is longer than the limit of {MAX_REASON}",
                reason.len()
            )));
        }
        let mut ev = self.begin(now);
        let old = self.agent(ai).state;
        if old != state || self.agent(ai).reason != reason {
            let a = self.agent_mut(ai);
            a.state_since = now;
            a.reason.clear();
            a.reason.push_str(reason);
        }
        if old == state {
            return Ok(self.deliver(ev, sink));
        }
        self.count_available(ai, -1);
        self.agent_mut(ai).state = state;
        self.count_available(ai, 1);
        if state == AgentState::Available {
            self.agent_mut(ai).idle_since = now;
            self.route_agent(ai, &mut ev);
        } else if old == AgentState::Available {
            self.refresh_agent(ai);
            let freed = self.withdraw_offers(ai, &mut ev);
            for ci in freed {
                self.route_contact(ci, &mut ev);
            }
        }
        Ok(self.deliver(ev, sink))
    }

    /// The agent let the offer of contact `ci` expire: the contact goes back
    /// to its queue excluding that agent (as after a reject), the agent
    /// moves to state `to` (`NotResponding`; its other offers are
    /// `Requeued`), then the contacts are routed.
    pub(super) fn not_responding(&mut self, ci: u32, ai: u32, to: AgentState, ev: &mut Vec<Event>) {
        if self.warm_fails_on_return(ci, true) {
            self.warm_failed(ci, "expired", ev);
        } else {
            let uid = self.agent(ai).uid;
            self.release_slot(ai, ci);
            self.contact_mut(ci).excluded.push(uid);
            self.schedule_unexclude(ci);
            self.requeue(ci);
        }
        self.count_available(ai, -1);
        let now = self.now;
        let a = self.agent_mut(ai);
        a.state = to;
        a.state_since = now;
        a.reason.clear();
        a.reason.push_str(super::NOT_RESPONDING);
        self.count_available(ai, 1);
        self.refresh_agent(ai);
        let (queue, channel) = self.tags(ci);
        ev.push(Event::NotResponding {
            contact: self.contact(ci).id.clone(),
            agent: self.agent(ai).id.clone(),
            queue,
            channel,
            state: to,
            at: self.now,
        });
        let freed = self.withdraw_offers(ai, ev);
        self.route_contact(ci, ev);
        for other in freed {
            self.route_contact(other, ev);
        }
    }

    /// Returns the agent's pending offers to their queues (`Requeued`), and
    /// the contacts that went back, for the caller to route once the agent's
    /// own state is settled.
    fn withdraw_offers(&mut self, ai: u32, ev: &mut Vec<Event>) -> Vec<u32> {
        let offered: Vec<u32> = self
            .agent(ai)
            .contacts
            .iter()
            .copied()
            .filter(|&ci| {
                let c = self.contact(ci);
                c.status == ContactStatus::Offered && c.agent == Some(ai)
            })
            .collect();
        let mut back = Vec::with_capacity(offered.len());
        for ci in offered {
            if self.warm_fails_on_return(ci, false) {
                self.warm_failed(ci, "agent_left", ev);
                continue;
            }
            back.push(ci);
            self.release_slot(ai, ci);
            self.requeue(ci);
            let (queue, channel) = self.tags(ci);
            ev.push(Event::Requeued {
                contact: self.contact(ci).id.clone(),
                agent: self.agent(ai).id.clone(),
                queue,
                channel,
                at: self.now,
            });
        }
        back
    }

    /// Counts the agent in (`+1`) or out of (`-1`) its profile's available
    /// agents, if it is available.
    pub(super) fn count_available(&mut self, ai: u32, delta: i32) {
        let a = self.agents[ai as usize].as_ref().expect("live agent");
        if a.state == AgentState::Available {
            let p = &mut self.index.profiles[a.profile as usize];
            for (c, &m) in a.max.iter().enumerate() {
                if m > 0 {
                    p.available[c] = p.available[c]
                        .checked_add_signed(delta)
                        .expect("available count stays non-negative");
                }
            }
        }
    }

    /// Whether agent `a` could take one more contact on channel `c` now.
    pub(super) fn can_take(&self, a: &Agent, c: usize) -> bool {
        let (free, cost) = (a.capacity - a.used, self.channels[c].cfg.cost);
        a.state == AgentState::Available
            && a.held[c] < a.max[c]
            && (free >= cost
                || (self.any_interruptible
                    && !self.channels[c].cfg.interruptible
                    && free + super::interrupt::pausable(a, &self.contacts, &self.channels)
                        >= cost))
    }

    /// Ranks every agent afresh (see `id_order`) and re-keys the ready
    /// agents; the order of agents does not change.
    pub(super) fn rerank_agents(&mut self) {
        for i in 0..self.agents.len() {
            let Some(a) = self.agents[i].as_mut() else { continue };
            let prof = &mut self.index.profiles[a.profile as usize];
            for c in 0..a.ready.len() {
                if a.ready[c] {
                    prof.ready[c].remove(a.key.as_ref().expect("a ready agent has a key"));
                    a.ready[c] = false;
                }
            }
            a.key = None;
        }
        self.id_order.renumber();
        for i in 0..self.agents.len() as u32 {
            let Some(a) = self.agents[i as usize].as_mut() else { continue };
            a.rank = self.id_order.rank(&a.id);
            self.refresh_agent(i);
        }
    }

    /// Puts the agent in exactly the ready groups it belongs to, under its
    /// current policy key. Called after every change of load, state or key;
    /// touches only the groups whose membership or key changed.
    // Index loops over the per-channel slices: the iterator forms clippy
    // suggests compile to more instructions on this hot path.
    #[allow(clippy::needless_range_loop)]
    pub(super) fn refresh_agent(&mut self, ai: u32) {
        let policy = &self.config.policy;
        let channels = &self.channels[..];
        let n = channels.len();
        let a = self.agents[ai as usize].as_mut().expect("live agent");
        let prof = &mut self.index.profiles[a.profile as usize];
        let available = a.state == AgentState::Available;
        let free = a.capacity - a.used;
        // Units an uninterruptible contact may take by pausing work.
        let pausable = match self.any_interruptible {
            false => 0,
            true => super::interrupt::pausable(a, &self.contacts, channels),
        };
        // The per-channel vectors as plain slices, looked up once.
        let (held, max, ready) = (&a.held[..n], &a.max[..n], &mut a.ready[..n]);
        let fits = |c: usize| {
            available
                && held[c] < max[c]
                && (free >= channels[c].cfg.cost
                    || (!channels[c].cfg.interruptible && free + pausable >= channels[c].cfg.cost))
        };
        // Common when an agent takes or finishes work: it fits no channel
        // (it is busy, or not available). Its key is only read while it is
        // ready (and recomputed before it is), so it only leaves the ready
        // groups it was in, under the key they hold.
        if !(0..n).any(fits) {
            leave_ready(ready, &mut prof.ready, a.key.as_ref());
            self.plugin.facts.note(ai, a);
            return;
        }
        // The key's policy part and idle time; its id and slot are the
        // agent's own and never change, so they are only copied when the
        // key does.
        let parts = available.then(|| {
            let facts = AgentFacts {
                used: a.used,
                capacity: a.capacity,
                handled: a.handled,
                last_assigned: a.last_assigned,
            };
            (policy.agent_key(&facts, a.idle_since), OrdF64(a.idle_since))
        });
        let same_key = match (&parts, &a.key) {
            (None, None) => true,
            (Some((primary, idle)), Some(k)) => k.primary == *primary && k.idle == *idle,
            _ => false,
        };
        if !same_key {
            let new = parts.map(|(primary, idle)| AgentKey {
                primary,
                idle,
                rank: a.rank,
                idx: ai,
                class: a.class,
            });
            leave_ready(ready, &mut prof.ready, a.key.as_ref());
            a.key = new;
        }
        for c in 0..n {
            let fit = fits(c);
            if fit == ready[c] {
                continue;
            }
            let key = a.key.expect("an available agent has a key");
            if fit {
                prof.ready[c].insert(key);
            } else {
                prof.ready[c].remove(&key);
            }
            ready[c] = fit;
        }
        self.plugin.facts.note(ai, a);
    }
}

/// Takes an agent out of every ready group it is in (`ready`, per
/// channel), under the key those groups hold.
// An index loop, as in `refresh_agent`: fewer instructions than the zip.
#[allow(clippy::needless_range_loop)]
#[inline]
fn leave_ready(ready: &mut [bool], groups: &mut [OrderedSet<AgentKey>], key: Option<&AgentKey>) {
    for c in 0..ready.len() {
        if ready[c] {
            groups[c].remove(key.expect("a ready agent has a key"));
            ready[c] = false;
        }
    }
}
