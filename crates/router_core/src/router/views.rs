//! Read-only views and statistics, plus the invariant check the tests use.

use super::Router;
use crate::error::Result;
use crate::types::{AgentState, Attrs, ContactStatus, Id, Time};
use serde::{Deserialize, Serialize};

/// Cumulative counters of a queue.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Contacts that entered the queue (submitted or overflowed in).
    pub offered: u64,
    /// Contacts answered (assigned, or accepted in offer mode).
    pub answered: u64,
    /// Answered within the service-level threshold.
    pub answered_in_sl: u64,
    /// Contacts abandoned while in this queue.
    pub abandoned: u64,
    /// Abandoned within the service-level threshold.
    pub abandoned_in_sl: u64,
    /// Answered contacts completed.
    pub completed: u64,
    /// Contacts that arrived by overflow from another queue.
    pub overflowed_in: u64,
    /// Contacts that left for another queue by overflow.
    pub overflowed_out: u64,
    /// Contacts refused because the queue was full.
    pub refused: u64,
    /// Contacts refused because the queue was closed (its hours).
    pub refused_closed: u64,
    /// Contacts that arrived while the queue was closed and waited for
    /// its opening (`ClosedAction::Hold`).
    pub held: u64,
    /// Exception rules fired (`Exception` events).
    pub exceptions: u64,
    /// Pauses of this queue's contacts (interruptions and by hand).
    pub paused: u64,
    /// Contacts a rule cancelled.
    pub cancelled: u64,
    /// Offers of this queue's contacts that expired (the agent did not
    /// accept in time).
    pub missed_offers: u64,
    /// Contacts transferred into this queue (each also counts as offered).
    pub transferred_in: u64,
    /// Contacts answered from this queue that were transferred away.
    pub transferred_out: u64,
    /// Waits in this queue that ended by a failed warm transfer: the
    /// contact went back to its first agent.
    pub transfers_failed: u64,
    /// Calls placed for callbacks (each attempt).
    pub callback_calls: u64,
    /// Callbacks that ended with every call unanswered.
    pub callbacks_failed: u64,
    /// Sum of the waits of answered contacts.
    pub wait_sum: f64,
    /// Sum of the waits of abandoned contacts.
    pub abandon_wait_sum: f64,
}

/// What [`Router::stats`] counts over the live contacts of a queue.
#[derive(Clone, Copy, Default)]
struct Pending {
    /// Offered to an agent now (offers may be out without offer mode:
    /// made before a reconfiguration).
    offering: usize,
    /// Callbacks waiting for an agent or for their next call.
    callbacks_waiting: usize,
    /// Submitted for later.
    scheduled: usize,
}

/// Real-time and cumulative figures of one queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueStats {
    /// Queue name.
    pub name: String,
    /// Contacts waiting now (including those offered but not accepted).
    pub waiting: usize,
    /// Of those, contacts offered to an agent now.
    pub offering: usize,
    /// Seconds the oldest waiting contact has waited (0 when none).
    pub longest_wait: Time,
    /// Of the waiting contacts, callbacks whose customer is off the line,
    /// waiting for an agent or for the time of their next call (not being
    /// called now).
    pub callbacks_waiting: usize,
    /// Callbacks an agent is calling now (also counted in `waiting`).
    pub callbacks_calling: usize,
    /// Contacts submitted for later (`not_before`), not in the queue yet
    /// (not counted in `waiting`).
    pub scheduled: usize,
    /// Cumulative counters.
    pub counters: Counters,
    /// answered within threshold / (answered + abandoned); `None` before any.
    pub service_level: Option<f64>,
    /// Average speed of answer (mean wait of answered contacts); `None` before any.
    pub asa: Option<f64>,
    /// abandoned / (answered + abandoned); `None` before any.
    pub abandon_rate: Option<f64>,
    /// Service-level target fraction.
    pub sl_target: f64,
    /// Service-level threshold in seconds.
    pub sl_threshold: Time,
    /// Open now by its opening hours (always, without hours).
    pub open: bool,
}

/// Agent counts by state. `busy` and `idle` split the logged-in agents by
/// whether they hold anything (contacts, offers or wrap-up).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentsByState {
    /// Agents offline.
    pub offline: usize,
    /// Agents available.
    pub available: usize,
    /// Agents away.
    pub away: usize,
    /// Agents holding at least one contact, offer or wrap-up.
    pub busy: usize,
    /// Available agents holding nothing.
    pub idle: usize,
}

/// A snapshot of one agent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentView {
    /// Agent id.
    pub id: String,
    /// State.
    pub state: AgentState,
    /// Skills with levels.
    pub skills: Vec<(String, u8)>,
    /// Total capacity units.
    pub capacity: u32,
    /// Units in use.
    pub used: u32,
    /// used / capacity.
    pub load: f64,
    /// Contacts offered to or held by the agent.
    pub contacts: Vec<String>,
    /// Its paused contacts (assigned to it, holding no slot), oldest first.
    pub paused: Vec<String>,
    /// Per channel: (name, slots in use, maximum).
    pub channels: Vec<(String, u32, u32)>,
    /// Slots in wrap-up.
    pub wrap_ups: usize,
    /// Contacts completed.
    pub handled: u64,
    /// Idle since (last became available or freed a slot).
    pub idle_since: Time,
    /// Free-form attributes.
    pub attributes: Attrs,
    /// Name of the agent's routing profile, if any.
    pub routing_profile: Option<String>,
    /// Whether the agent named no channels: it serves every channel at its
    /// default maximum, new channels too.
    pub all_channels: bool,
    /// When the agent entered its current state and reason.
    pub state_since: Time,
    /// The reason code of its state, if one was given (`not_responding`
    /// after a missed offer).
    pub reason: Option<String>,
}

/// A snapshot of one contact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactView {
    /// Contact id.
    pub id: String,
    /// Status.
    pub status: ContactStatus,
    /// Channel name.
    pub channel: String,
    /// Queue name (the current one, after any overflow).
    pub queue: String,
    /// Priority (`None` once ended).
    pub priority: Option<i64>,
    /// Arrival time.
    pub arrival: Time,
    /// Seconds waited: until now while waiting, until answered once answered.
    pub wait: Time,
    /// Agent offered to, assigned to, or who completed it.
    pub agent: Option<String>,
    /// Requirements in force (empty once ended).
    pub requires: Vec<(String, u8)>,
    /// Relaxation steps applied so far.
    pub step: usize,
    /// Free-form attributes (empty once ended).
    pub attributes: Attrs,
    /// How many changes calls made to it (updates, transfers), from 1 at
    /// submit; what `ContactUpdate::if_version` compares with. 0 once ended.
    pub version: u64,
}

impl Router {
    /// Statistics of every queue, in configuration order.
    pub fn stats(&self) -> Vec<QueueStats> {
        let counts = self.pending(None);
        (0..self.queues.len()).map(|q| self.queue_stats_at(q, counts[q])).collect()
    }

    /// Statistics of one queue. Errors: `InvalidInput` for an unknown queue.
    pub fn queue_stats(&self, name: &str) -> Result<QueueStats> {
        let q = self.queue_id(name)? as usize;
        Ok(self.queue_stats_at(q, self.pending(Some(q))[q]))
    }

    /// Per queue (of queue `only` or of every queue), counted in one pass
    /// over the live contacts: [`Pending`].
    fn pending(&self, only: Option<usize>) -> Vec<Pending> {
        let mut n = vec![Pending::default(); self.queues.len()];
        for c in self.contacts.iter() {
            let q = c.queue as usize;
            if only.is_some_and(|o| o != q) {
                continue;
            }
            let p = &mut n[q];
            match c.status {
                ContactStatus::Offered => p.offering += 1,
                ContactStatus::Scheduled => p.scheduled += 1,
                _ => {}
            }
            if c.callback.is_some()
                && matches!(c.status, ContactStatus::Waiting | ContactStatus::Offered)
            {
                p.callbacks_waiting += 1;
            }
        }
        n
    }

    fn queue_stats_at(&self, q: usize, p: Pending) -> QueueStats {
        let queue = &self.queues[q];
        let c = &queue.counters;
        let Pending { offering, callbacks_waiting, scheduled } = p;
        let handled = c.answered + c.abandoned;
        QueueStats {
            name: queue.name.clone(),
            waiting: queue.live.len(),
            offering,
            longest_wait: queue.live.oldest().map_or(0.0, |a| self.now - a),
            callbacks_waiting,
            callbacks_calling: queue.calling as usize,
            scheduled,
            counters: c.clone(),
            service_level: (handled > 0).then(|| c.answered_in_sl as f64 / handled as f64),
            asa: (c.answered > 0).then(|| c.wait_sum / c.answered as f64),
            abandon_rate: (handled > 0).then(|| c.abandoned as f64 / handled as f64),
            sl_target: queue.sl_target,
            sl_threshold: queue.sl_threshold,
            open: queue.open,
        }
    }

    /// Agent counts by state.
    pub fn agents_by_state(&self) -> AgentsByState {
        let mut s = AgentsByState::default();
        for a in self.agents.iter().flatten() {
            match a.state {
                AgentState::Offline => s.offline += 1,
                AgentState::Available => s.available += 1,
                AgentState::Away => s.away += 1,
            }
            if a.used > 0 {
                s.busy += 1;
            } else if a.state == AgentState::Available {
                s.idle += 1;
            }
        }
        s
    }

    /// Ids of every agent, in id order.
    pub fn agent_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.agent_ids.keys().map(|k| k.to_string()).collect();
        ids.sort_unstable();
        ids
    }

    /// Number of live contacts (scheduled, waiting, offered, calling or
    /// assigned).
    pub fn live_contacts(&self) -> usize {
        self.contacts.len() - self.free_contacts.len()
    }

    /// Ids of the contacts waiting (or offered) in a queue, in the order
    /// they will be served within it: the queue's ordering (priority,
    /// aging, LIFO), then arrival.
    pub fn waiting_ids(&self, queue: &str) -> Result<Vec<String>> {
        let q = self.queue_id(queue)? as usize;
        // The order agents take them in: the queue's own key (priority,
        // aging and its cap, LIFO), as in its wait groups.
        let mut out: Vec<(super::index::WaitKey, String)> = self
            .contacts
            .enumerate()
            .filter(|(_, c)| {
                c.queue as usize == q
                    && matches!(
                        c.status,
                        ContactStatus::Waiting | ContactStatus::Offered | ContactStatus::Calling
                    )
            })
            .map(|(ci, c)| (self.wait_key(ci as u32), c.id.to_string()))
            .collect();
        out.sort_by_key(|e| e.0);
        Ok(out.into_iter().map(|(_, id)| id).collect())
    }

    /// A snapshot of one agent. Errors: `UnknownId`.
    pub fn agent_view(&self, id: &str) -> Result<AgentView> {
        let a = self.agent(self.agent_ix(id)?);
        Ok(AgentView {
            id: a.id.to_string(),
            state: a.state,
            skills: self.index.named(&self.index.profiles[a.profile as usize].skills),
            capacity: a.capacity,
            used: a.used,
            load: f64::from(a.used) / f64::from(a.capacity),
            contacts: a.contacts.iter().map(|&ci| self.contact(ci).id.to_string()).collect(),
            paused: a.paused.iter().map(|&ci| self.contact(ci).id.to_string()).collect(),
            channels: self
                .channels
                .iter()
                .enumerate()
                .map(|(c, ch)| (ch.cfg.name.clone(), a.held[c], a.max[c]))
                .collect(),
            wrap_ups: a.wrapups.len(),
            handled: a.handled,
            idle_since: a.idle_since,
            attributes: a.attributes.clone(),
            routing_profile: self.index.profiles[a.profile as usize]
                .routing
                .map(|r| self.config.routing_profiles[r as usize].name.clone()),
            all_channels: a.all_channels,
            state_since: a.state_since,
            reason: (!a.reason.is_empty()).then(|| a.reason.clone()),
        })
    }

    /// A snapshot of one contact, live or ended (ended ones are kept up to
    /// the retention limit). Errors: `UnknownId`.
    pub fn contact_view(&self, id: &str) -> Result<ContactView> {
        if let Some(&ci) = self.contact_ids.get(id) {
            let c = self.contact(ci);
            let wait = match c.status {
                ContactStatus::Assigned => c.answered_at - c.arrival,
                ContactStatus::Scheduled => 0.0,
                _ => self.now - c.arrival,
            };
            return Ok(ContactView {
                id: c.id.to_string(),
                status: c.status,
                channel: self.channels[c.channel as usize].cfg.name.clone(),
                queue: self.queues[c.queue as usize].name.clone(),
                priority: Some(c.priority),
                arrival: c.arrival,
                wait,
                agent: c.agent.map(|a| self.agent(a).id.to_string()),
                requires: self.index.named(&self.index.sigs[c.sig as usize].reqs),
                step: c.step,
                attributes: c.attributes.get().clone(),
                version: c.version,
            });
        }
        let f = self.finished.get(id).ok_or_else(|| crate::Error::unknown("contact", id))?;
        Ok(ContactView {
            id: id.to_string(),
            status: f.status,
            channel: self.channel_name(f.channel).to_owned(),
            queue: self.queue_name(f.queue).to_owned(),
            priority: None,
            arrival: f.arrival,
            wait: f.answered_at.unwrap_or(f.ended_at) - f.arrival,
            agent: f.agent.as_ref().map(|a| a.to_string()),
            requires: Vec::new(),
            step: f.step,
            attributes: Attrs::new(),
            version: 0,
        })
    }

    /// Checks every internal invariant; returns a description of the first
    /// one broken. Costs a full scan: for tests and debugging.
    pub fn check_invariants(&self) -> std::result::Result<(), String> {
        // Tie-break ranks order the live agents as their ids do.
        let mut ranked: Vec<(&str, u64)> =
            self.agents.iter().flatten().map(|a| (&*a.id, a.rank)).collect();
        ranked.sort_unstable();
        if let Some(w) = ranked.windows(2).find(|w| w[0].1 >= w[1].1) {
            return Err(format!("agents {:?} and {:?} ranked out of id order", w[0].0, w[1].0));
        }
        let mut in_groups = 0usize;
        for (g, grp) in self.index.groups.iter().enumerate() {
            if self.index.heads[g].key != grp.set.first().copied() {
                return Err(format!("stale head of wait group {g}"));
            }
            for k in &grp.set {
                let c = self.contacts.get(k.idx as usize).ok_or("group holds a dead contact")?;
                if c.status != ContactStatus::Waiting
                    || c.slot.map(|s| s.0) != Some(g as u32)
                    || c.pinned.is_some()
                {
                    return Err(format!("contact {:?} misplaced in wait group {g}", c.id));
                }
                if (c.queue, c.channel, c.sig, c.capped, c.callback.is_some())
                    != (grp.queue, grp.channel, grp.sig, grp.capped, grp.callback)
                    || *k != self.wait_key(k.idx)
                    || c.slot.map(|s| s.1) != Some(*k)
                {
                    return Err(format!(
                        "contact {:?} sits in wait group {g} under a stale key",
                        c.id
                    ));
                }
                in_groups += 1;
            }
        }
        let mut pinned = 0usize;
        for (ai, a) in self.agents.iter().enumerate() {
            let Some(a) = a else { continue };
            if a.used > a.capacity {
                return Err(format!("agent {:?} uses {} of {} units", a.id, a.used, a.capacity));
            }
            // Summed wide: a corrupt snapshot must not overflow the check.
            let mut used = 0u64;
            let mut held = vec![0u64; self.channels.len()];
            for &ci in &a.contacts {
                let c = self.contact(ci);
                // During a warm transfer the first agent holds the contact
                // (on its first channel) while it waits for or is offered
                // to its target: both slots count.
                let ch = match &c.warm {
                    Some(w) if w.from == ai as u32 => w.channel,
                    _ if c.agent == Some(ai as u32)
                        && matches!(
                            c.status,
                            ContactStatus::Offered
                                | ContactStatus::Assigned
                                | ContactStatus::Calling
                        ) =>
                    {
                        c.channel
                    }
                    _ => {
                        return Err(format!(
                            "agent {:?} lists contact {:?} it does not hold",
                            a.id, c.id
                        ))
                    }
                };
                held[ch as usize] += 1;
                used += u64::from(self.channels[ch as usize].cfg.cost);
            }
            for w in &a.wrapups {
                held[w.1 as usize] += 1;
                used += u64::from(self.channels[w.1 as usize].cfg.cost);
            }
            for &ci in &a.paused {
                let c = self.contact(ci);
                if c.paused == 0
                    || c.agent != Some(ai as u32)
                    || c.status != ContactStatus::Assigned
                {
                    return Err(format!(
                        "agent {:?} lists contact {:?} as paused, which it is not",
                        a.id, c.id
                    ));
                }
            }
            if used != u64::from(a.used)
                || !held.iter().zip(&a.held).all(|(h, &ah)| *h == u64::from(ah))
            {
                return Err(format!("agent {:?} load out of step with its contacts", a.id));
            }
            if !self.candidate_facts_agree(ai as u32) {
                return Err(format!(
                    "agent {:?}: the facts kept for plug-in candidates are stale",
                    a.id
                ));
            }
            if a.key.is_some_and(|k| k.rank != a.rank || k.idx != ai as u32) {
                return Err(format!(
                    "agent {:?}: ready key out of step with its rank or slot",
                    a.id
                ));
            }
            for c in 0..self.channels.len() {
                if a.held[c] > a.max[c] {
                    return Err(format!("agent {:?} over its maximum on channel {c}", a.id));
                }
                let should = self.can_take(a, c);
                let is = a
                    .key
                    .as_ref()
                    .is_some_and(|k| self.index.profiles[a.profile as usize].ready[c].contains(k));
                if should != a.ready[c] || should != is {
                    return Err(format!("agent {:?} ready index wrong on channel {c}", a.id));
                }
            }
            for &ci in &a.pinned {
                let c = self.contact(ci);
                if c.pinned != Some(ai as u32) || c.status != ContactStatus::Waiting {
                    return Err(format!("contact {:?} wrongly pinned to {:?}", c.id, a.id));
                }
                pinned += 1;
            }
        }
        // Routing is complete: no ready agent could take a waiting contact
        // (checked per agent over its compatible groups, not per pair).
        // In batch mode contacts wait for the next batch on purpose; under
        // step-wise control the caller may hold them.
        let batch_mode = self.config.batch_window.is_some() || self.external.is_some();
        for a in self.agents.iter().flatten().filter(|_| !batch_mode) {
            let prof = &self.index.profiles[a.profile as usize];
            for (ch, groups) in prof.groups.iter().enumerate() {
                if !a.ready[ch] {
                    continue;
                }
                for &g in groups {
                    let head = &self.index.heads[g as usize];
                    if head.callback && self.callbacks_full(head.queue, ch as u32, 0) {
                        continue; // held back for live callers
                    }
                    let delay = self
                        .index
                        .serves(a.profile, self.index.heads[g as usize].queue)
                        .map_or(0.0, |d| d.1);
                    let could = |k: &&super::WaitKey| {
                        self.now
                            >= self.queues[self.index.heads[g as usize].queue as usize]
                                .order
                                .arrival(k)
                                + delay
                            && !self.contact(k.idx).excluded.contains(&a.uid)
                            && self.index.admits(
                                self.contact(k.idx).sig,
                                a.profile,
                                a.class,
                                &a.attributes,
                            )
                    };
                    if let Some(k) = self.index.groups[g as usize].set.iter().find(could) {
                        return Err(format!(
                            "contact {:?} waits while agent {:?} could take it",
                            self.contact(k.idx).id,
                            a.id
                        ));
                    }
                }
            }
            for &ci in &a.pinned {
                let c = self.contact(ci);
                if a.ready[c.channel as usize]
                    && (c.callback.is_none() || !self.callbacks_full(c.queue, c.channel, 0))
                    && self.index.compatible(a.profile, c.sig)
                    && self.index.admits(c.sig, a.profile, a.class, &a.attributes)
                    && self
                        .index
                        .serves(a.profile, c.queue)
                        .is_some_and(|(_, d)| self.now >= c.age_origin() + d)
                {
                    return Err(format!(
                        "contact {:?} waits for agent {:?}, who could take it",
                        c.id, a.id
                    ));
                }
            }
        }
        for c in self.contacts.iter() {
            let order = &self.queues[c.queue as usize].order;
            if c.capped && order.cap_time(c.age_origin()).is_none_or(|t| self.now < t) {
                return Err(format!(
                    "contact {:?} marked capped before its aging reached the cap (arrival {}, now {}, queue {:?})",
                    c.id, c.arrival, self.now, self.queues[c.queue as usize].name
                ));
            }
        }
        // Availability counters: per profile and channel, the available
        // agents who serve that channel.
        let mut available: Vec<Vec<u32>> =
            self.index.profiles.iter().map(|p| vec![0; p.available.len()]).collect();
        for a in self.agents.iter().flatten().filter(|a| a.state == AgentState::Available) {
            for (c, &m) in a.max.iter().enumerate() {
                if m > 0 {
                    available[a.profile as usize][c] += 1;
                }
            }
        }
        for (p, counts) in available.iter().enumerate() {
            if *counts != self.index.profiles[p].available {
                return Err(format!("available agents of profile {p} miscounted"));
            }
        }
        // The last-group cache names the group its key maps to.
        if let Some((k, g)) = self.index.last_group() {
            if self.index.group_ids.get(&k) != Some(&g) {
                return Err(format!("last-group cache points at group {g}, not its key's"));
            }
        }
        // The id index and the live sets: each live contact once, by its id
        // (unless reached by key only) and in its queue's live set.
        let mut live: Vec<Vec<(u64, u64)>> = vec![Vec::new(); self.queues.len()];
        for (ci, c) in self.contacts.enumerate() {
            if c.indexed && self.contact_ids.get(&c.id).map(|&i| i as usize) != Some(ci) {
                return Err(format!("contact {:?} not found under its id", c.id));
            }
            if matches!(
                c.status,
                ContactStatus::Waiting | ContactStatus::Offered | ContactStatus::Calling
            ) {
                live[c.queue as usize].push((c.arrival.to_bits(), c.seq));
            }
        }
        for (q, mut expect) in live.into_iter().enumerate() {
            expect.sort_unstable();
            let mut have: Vec<(u64, u64)> =
                self.queues[q].live.entries().into_iter().map(|(t, s)| (t.to_bits(), s)).collect();
            have.sort_unstable();
            if have != expect {
                return Err(format!("queue {:?}: live set out of step", self.queues[q].name));
            }
        }
        for (id, &ci) in &self.contact_ids {
            match self.contacts.get(ci as usize) {
                Some(c) if c.indexed && c.id == *id => {}
                _ => return Err(format!("the id index sends {id:?} to a slot that is not it")),
            }
        }
        let parked =
            |c: &super::Contact| c.callback.as_ref().is_some_and(|cb| cb.parked_until.is_some());
        let waiting = self
            .contacts
            .iter()
            .filter(|c| c.status == ContactStatus::Waiting && !parked(c) && !c.held)
            .count();
        if let Some(c) = self.contacts.iter().find(|c| {
            c.paused != 0
                && !c.agent.is_some_and(|a| {
                    self.agents.get(a as usize).and_then(|x| x.as_ref()).is_some_and(|x| {
                        x.paused
                            .iter()
                            .any(|&p| self.contacts.get(p as usize).is_some_and(|y| y.seq == c.seq))
                    })
                })
        }) {
            return Err(format!("contact {:?} paused but not in its agent's paused list", c.id));
        }
        if let Some(c) = self.contacts.iter().find(|c| {
            c.held && (c.status != ContactStatus::Waiting || self.queues[c.queue as usize].open)
        }) {
            return Err(format!(
                "contact {:?} held while {} in an open queue or not waiting",
                c.id, c.status
            ));
        }
        if waiting != in_groups + pinned {
            return Err(format!(
                "{waiting} waiting contacts (not parked) but {in_groups} in groups and {pinned} pinned"
            ));
        }
        if let Some(c) = self.contacts.iter().find(|c| {
            parked(c) && !matches!(c.status, ContactStatus::Waiting | ContactStatus::Scheduled)
        }) {
            return Err(format!("callback {:?} parked while {}", c.id, c.status));
        }
        for (q, queue) in self.queues.iter().enumerate() {
            let calling = self
                .contacts
                .iter()
                .filter(|c| c.status == ContactStatus::Calling && c.queue as usize == q)
                .count();
            if calling != queue.calling as usize {
                return Err(format!(
                    "queue {:?} counts {} callbacks being called, {calling} are",
                    queue.name, queue.calling
                ));
            }
        }
        for q in &self.queues {
            let c = &q.counters;
            let ended = u128::from(c.answered)
                + u128::from(c.abandoned)
                + u128::from(c.overflowed_out)
                + u128::from(c.transfers_failed)
                + u128::from(c.callbacks_failed)
                + u128::from(c.cancelled);
            if u128::from(c.offered) != ended + q.live.len() as u128 {
                return Err(format!("queue {:?} counters do not add up", q.name));
            }
        }
        Ok(())
    }
}

impl Router {
    /// The name of channel `c`, live or retired (an ended contact's).
    pub(super) fn channel_name(&self, c: u32) -> &str {
        let c = c as usize;
        match self.channels.get(c) {
            Some(ch) => &ch.cfg.name,
            None => &self.retired_channels[c - self.channels.len()],
        }
    }

    /// The queue and channel names of live contact `ci`, as events carry them.
    #[inline]
    pub(super) fn tags(&self, ci: u32) -> (Id, Id) {
        let c = self.contact(ci);
        (self.queue_tag(c.queue), self.channels[c.channel as usize].tag.clone())
    }

    /// The name of queue `q` as events carry it, live or retired.
    #[inline]
    pub(super) fn queue_tag(&self, q: u32) -> Id {
        match self.queues.get(q as usize) {
            Some(queue) => queue.tag.clone(),
            None => Id::from(self.queue_name(q)),
        }
    }

    /// The name of queue `q`, live or retired (an ended contact's).
    pub(super) fn queue_name(&self, q: u32) -> &str {
        let q = q as usize;
        match self.queues.get(q) {
            Some(queue) => &queue.name,
            None => &self.retired_queues[q - self.queues.len()],
        }
    }
}
