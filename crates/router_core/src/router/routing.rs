//! The two decision regimes and what an assignment changes.
//!
//! * Agent surplus ([`Router::route_contact`]): a contact is waiting and
//!   free agents may fit; the policy picks among the heads of the ready
//!   groups of the profiles compatible with its requirements.
//! * Contact surplus ([`Router::route_agent`]): an agent has room; it takes
//!   the waiting contact with the highest effective priority, then the
//!   longest wait, among the heads of the wait groups its profile serves on
//!   every channel it has room on, and the contacts waiting for it alone.
//!
//! Invariant kept by routing after every change: no waiting contact could be
//! served by a ready agent it does not exclude.

use super::index::{AgentKey, WaitKey};
use super::{timers::TimerKind, Router};
use crate::event::Event;
use crate::policy::Key;
use crate::sink::Handoff;
use crate::types::{ContactStatus, Time};
use rand::Rng;

use super::ordering::{ContactRank, QueueOrder};
use smallvec::SmallVec;

/// The best head so far of each LIFO queue an agent scans: (queue, rank
/// within the queue, rank, contact).
type LifoHeads = SmallVec<[(u32, ContactRank, ContactRank, u32); 4]>;

/// Passes a candidate head on to `f`, or, for a LIFO queue, keeps it if it
/// is that queue's best so far (passed on at the end of the scan).
#[inline]
fn offer_head(
    f: &mut impl FnMut(ContactRank, u32),
    lifo: &mut LifoHeads,
    order: &QueueOrder,
    queue: u32,
    key: &WaitKey,
    qprio: i64,
    now: f64,
) {
    let rank = order.rank(key, now, qprio);
    if !order.lifo {
        return f(rank, key.idx);
    }
    let within = order.lifo_rank(key, qprio);
    match lifo.iter_mut().find(|e| e.0 == queue) {
        Some(e) if within < e.1 => *e = (queue, within, rank, key.idx),
        Some(_) => {}
        None => lifo.push((queue, within, rank, key.idx)),
    }
}

impl Router {
    /// Whether agent `ai` may take contact `ci` now (state, skills in force,
    /// channel slot, capacity units, not excluded, and its routing profile
    /// serves the contact's queue and the contact has waited its delay).
    /// Used for a preferred or last agent: whatever chose the agent, the
    /// eligibility rules are the same.
    pub(super) fn eligible(&self, ai: u32, ci: u32) -> bool {
        let a = self.agent(ai);
        let c = self.contact(ci);
        a.ready[c.channel as usize]
            && !c.excluded.contains(&a.uid)
            && self.index.compatible(a.profile, c.sig)
            && self.admits(ci, ai)
            && self.routes_to(a.profile, c.queue, c.age_origin())
    }

    /// Agent surplus: routes a waiting contact to the best free eligible agent.
    pub(super) fn route_contact(&mut self, ci: u32, ev: &mut Vec<Event>) {
        let Some(c) = self.contacts.get(ci as usize) else { return };
        if c.status != ContactStatus::Waiting || c.held {
            return;
        }
        if let Some(cb) = &c.callback {
            if cb.parked_until.is_some() || self.callbacks_full(c.queue, c.channel, 0) {
                return;
            }
        }
        if self.external.is_some() {
            return self.ask(super::external::Ask::Contact(ci));
        }
        if self.request_batch() {
            return;
        }
        if let Some(ai) = self.best_agent(ci) {
            self.assign(ci, ai, ev);
            self.refresh_agent(ai);
        }
    }

    /// Contact surplus: lets an agent with room take waiting contacts, best
    /// first, until it is full or nothing it can serve waits; then puts the
    /// agent in the ready groups it still fits. The agent's own ready-group
    /// membership may be stale on entry (its load or state just changed):
    /// the search reads its room directly.
    pub(super) fn route_agent(&mut self, ai: u32, ev: &mut Vec<Event>) {
        self.resume_interrupted(ai, ev);
        if self.external.is_some() {
            self.refresh_agent(ai);
            return self.ask(super::external::Ask::Agent(ai));
        }
        if self.request_batch() {
            self.refresh_agent(ai);
            return;
        }
        while let Some(ci) = self.best_contact(ai) {
            self.assign(ci, ai, ev);
            // Usually the agent is now full: no second search.
            let a = self.agent(ai);
            if !(0..self.channels.len()).any(|c| self.can_take(a, c)) {
                break;
            }
        }
        self.refresh_agent(ai);
        if !self.index.callback_groups.is_empty() {
            // One more free agent loosens the queues' caps on callbacks: a
            // callback held back may go to another agent now. An agent who
            // filled up again loosens nothing.
            let a = self.agent(ai);
            if (0..self.channels.len()).any(|c| self.can_take(a, c)) {
                self.release_all_callbacks(ev);
            }
        }
    }

    /// Whether agents of profile `p` may take contact `c` by their routing
    /// profile: they serve its queue and it has waited the queue's delay.
    pub(super) fn routes_to(&self, p: u32, queue: u32, arrival: f64) -> bool {
        // Same arithmetic as the timer set at `arrival + delay`.
        self.index.serves(p, queue).is_some_and(|(_, delay)| self.now >= arrival + delay)
    }

    pub(super) fn best_agent(&mut self, ci: u32) -> Option<u32> {
        let c = self.contact(ci);
        if c.callback.is_some() && self.callbacks_full(c.queue, c.channel, 0) {
            return None; // held back for live callers (`callbacks_per_free_agent`)
        }
        if let Some(pa) = c.pinned {
            return self.eligible(pa, ci).then_some(pa);
        }
        if self.plugin.scorer.is_some() {
            if let Some(choice) = self.plugin_best_agent(ci) {
                return choice;
            }
        }
        let c = self.contact(ci);
        let ch = c.channel as usize;
        let sig = &self.index.sigs[c.sig as usize];
        let policy = &self.config.policy;
        // Agents of a compatible profile this contact still cannot take:
        // excluded ones, and those its selector's per-agent part refuses.
        let filtered = !c.excluded.is_empty() || sig.residual;
        // The selector's bits by attribute class, looked up once.
        let row: &[u64] = match sig.sel {
            Some(x) if sig.residual => &self.index.sel_bits[x as usize],
            _ => &[],
        };
        let excluded = |k: &AgentKey| {
            let class = k.class as usize;
            (sig.residual
                && (row[class / 64] & (1 << (class % 64)) == 0
                    || (sig.mixed && !self.sig_admits(c.sig, k.idx))))
                || (!c.excluded.is_empty() && c.excluded.contains(&self.agent(k.idx).uid))
        };
        if policy.is_random() {
            // Uniform over every eligible agent: count per compatible group,
            // draw, then walk to the drawn one.
            let count = |p: u32| {
                if !self.routes_to(p, c.queue, c.age_origin()) {
                    return 0;
                }
                let set = &self.index.profiles[p as usize].ready[ch];
                if !filtered {
                    set.len()
                } else {
                    set.iter().filter(|k| !excluded(k)).count()
                }
            };
            let total: usize = sig.profiles.iter().map(|&p| count(p)).sum();
            if total == 0 {
                return None;
            }
            let mut r = self.rng.gen_range(0..total);
            let c = self.contact(ci);
            let sig = &self.index.sigs[c.sig as usize];
            let excluded = |k: &AgentKey| {
                (!c.excluded.is_empty() && c.excluded.contains(&self.agent(k.idx).uid))
                    || (sig.residual
                        && !(self.index.key_admits(c.sig, k)
                            && (!sig.mixed || self.sig_admits(c.sig, k.idx))))
            };
            for &p in &sig.profiles {
                if !self.routes_to(p, c.queue, c.age_origin()) {
                    continue;
                }
                let set = &self.index.profiles[p as usize].ready[ch];
                let n =
                    if !filtered { set.len() } else { set.iter().filter(|k| !excluded(k)).count() };
                if r < n {
                    return set.iter().filter(|k| !excluded(k)).nth(r).map(|k| k.idx);
                }
                r -= n;
            }
            unreachable!("random draw within the counted candidates");
        }
        let by_profile = policy.scores_profiles();
        let prefs_max: u32 = match (by_profile, c.sel.as_deref()) {
            (true, Some(sel)) => sel.prefs.iter().map(|p| p.1).sum(),
            _ => 0,
        };
        let mut best: Option<(Key, &AgentKey)> = None;
        for &p in &sig.profiles {
            let prof = &self.index.profiles[p as usize];
            let set = &prof.ready[ch];
            if set.is_empty() || !self.routes_to(p, c.queue, c.age_origin()) {
                continue;
            }
            let head = if !filtered {
                set.first()
            } else {
                // Walk to the first agent the contact may take, but no
                // further than the best candidate so far: within a
                // profile the rank follows the key (unless selector
                // preferences score agents apart), so every later agent
                // of this profile is worse.
                let mut found = None;
                for k in set.iter() {
                    if let Some((br, bk)) = best.filter(|_| prefs_max == 0) {
                        let r = match by_profile {
                            false => k.primary,
                            true => policy.rank(&k.primary, &prof.skills, &sig.reqs, &c.prefers, 0),
                        };
                        if (r, k.idle, k.rank) >= (br, bk.idle, bk.rank) {
                            break;
                        }
                    }
                    if !excluded(k) {
                        found = Some(k);
                        break;
                    }
                }
                found
            };
            let Some(mut head) = head else { continue };
            let rank = if by_profile {
                // Selector preferences differ between agents of a profile:
                // each eligible agent is ranked with its own points; the
                // walk stops where even the most points could not win.
                let rank_of = |k: &AgentKey, bonus: u32| {
                    policy.rank(&k.primary, &prof.skills, &sig.reqs, &c.prefers, bonus)
                };
                if prefs_max == 0 {
                    rank_of(head, 0)
                } else {
                    let mut top: Option<(Key, &AgentKey)> = None;
                    for k in set.iter().filter(|k| !filtered || !excluded(k)) {
                        // The best rank any points could give it (a
                        // negative `preferred` weight makes none best).
                        let bound = (rank_of(k, prefs_max).min(rank_of(k, 0)), k.idle, k.rank);
                        if top.is_some_and(|(r, t)| bound >= (r, t.idle, t.rank)) {
                            break;
                        }
                        let b = self.pref_bonus(ci, p, &self.agent(k.idx).attributes);
                        let r = rank_of(k, b);
                        if top.is_none_or(|(tr, t)| (r, k.idle, k.rank) < (tr, t.idle, t.rank)) {
                            top = Some((r, k));
                        }
                    }
                    let (r, k) = top.expect("the head is eligible");
                    head = k;
                    r
                }
            } else {
                head.primary
            };
            let better = match &best {
                None => true,
                Some((br, bk)) => (rank, head.idle, head.rank) < (*br, bk.idle, bk.rank),
            };
            if better {
                best = Some((rank, head));
            }
        }
        best.map(|(_, k)| k.idx)
    }

    fn best_contact(&mut self, ai: u32) -> Option<u32> {
        if self.plugin.scorer.as_ref().is_some_and(|s| s.scores_contacts()) {
            let mut cands = Vec::new();
            self.scan_contacts(ai, |rank, ci| cands.push((rank, ci)));
            if let Some(ci) = self.plugin_best_contact(ai, &cands) {
                return Some(ci);
            }
            return cands.iter().min().map(|&(_, ci)| ci);
        }
        let mut best: Option<(ContactRank, u32)> = None;
        self.scan_contacts(ai, |rank, ci| {
            if best.as_ref().is_none_or(|(b, _)| rank < *b) {
                best = Some((rank, ci));
            }
        });
        best.map(|(_, ci)| ci)
    }

    /// Calls `f` with every contact the agent could take next: the best
    /// contact of each compatible wait group on each channel it has room
    /// on (skipping contacts that exclude it or have not waited its routing
    /// profile's delay), and those waiting for it alone. The heads of a
    /// LIFO queue's groups first compete among themselves, newest first;
    /// only the best of them is passed on.
    pub(super) fn scan_contacts(&self, ai: u32, mut f: impl FnMut(ContactRank, u32)) {
        let a = self.agent(ai);
        let now = self.now;
        let prof = &self.index.profiles[a.profile as usize];
        // Per LIFO queue: (queue, rank within the queue, rank, contact).
        let mut lifo: LifoHeads = SmallVec::new();
        // The agent itself is free but may not sit in its ready groups yet.
        let deciding = |ch: usize| usize::from(!a.ready[ch]);
        // Which selectors its attribute class passes (one row, read once).
        let bits = &self.index.class_bits[a.class as usize];
        for (ch, groups) in prof.groups.iter().enumerate() {
            if !self.can_take(a, ch) {
                continue;
            }
            for &g in groups {
                let head = &self.index.heads[g as usize];
                let Some(mut key) = head.key else { continue };
                if head.residual
                    && (bits[head.sel as usize / 64] & (1 << (head.sel % 64)) == 0
                        || (head.mixed && !self.sig_admits(self.index.groups[g as usize].sig, ai)))
                {
                    continue; // the group's selector refuses this agent
                }
                if head.callback && self.callbacks_full(head.queue, ch as u32, deciding(ch)) {
                    continue;
                }
                let order = &self.queues[head.queue as usize].order;
                let (qprio, delay) = match prof.routing {
                    None => (0, 0.0),
                    Some(_) => self.index.serves(a.profile, head.queue).unwrap_or((0, 0.0)),
                };
                if key.excludes || (delay > 0.0 && now < order.arrival(&key) + delay) {
                    let found = self.index.groups[g as usize].set.iter().find(|k| {
                        now >= order.arrival(k) + delay
                            && (!k.excludes || !self.contact(k.idx).excluded.contains(&a.uid))
                    });
                    match found {
                        Some(k) => key = *k,
                        None => continue,
                    }
                }
                offer_head(&mut f, &mut lifo, order, head.queue, &key, qprio, now);
            }
        }
        for &ci in &a.pinned {
            let c = self.contact(ci);
            if c.status == ContactStatus::Waiting
                && self.can_take(a, c.channel as usize)
                && (c.callback.is_none()
                    || !self.callbacks_full(c.queue, c.channel, deciding(c.channel as usize)))
                && self.index.compatible(a.profile, c.sig)
                && self.admits(ci, ai)
                && self.routes_to(a.profile, c.queue, c.age_origin())
            {
                let order = &self.queues[c.queue as usize].order;
                let qprio = self.index.serves(a.profile, c.queue).map_or(0, |s| s.0);
                offer_head(&mut f, &mut lifo, order, c.queue, &self.wait_key(ci), qprio, now);
            }
        }
        for (_, _, rank, ci) in lifo {
            f(rank, ci);
        }
    }

    /// The wait key of a contact under its queue's ordering.
    #[inline]
    pub(super) fn wait_key(&self, ci: u32) -> WaitKey {
        let c = self.contact(ci);
        let order = &self.queues[c.queue as usize].order;
        let priority = match self.index.sigs[c.sig as usize].expedite {
            false => c.priority,
            true => c.priority.saturating_add(super::selecting::EXPEDITE),
        };
        order.key(priority, c.age_origin(), c.seq, ci, c.capped, !c.excluded.is_empty())
    }

    /// Assigns (or offers, in offer mode) a waiting contact to an agent.
    /// The caller puts the agent back in its ready groups (`refresh_agent`
    /// or `route_agent`).
    #[inline]
    pub(super) fn assign(&mut self, ci: u32, ai: u32, ev: &mut Vec<Event>) {
        self.place(ci, ai, self.config.offer_timeout, ev);
    }

    /// [`Router::assign`] with the offer timeout given: `None` connects the
    /// contact at once whatever the mode (`force_assign`).
    pub(super) fn place(
        &mut self,
        ci: u32,
        ai: u32,
        offer_timeout: Option<Time>,
        ev: &mut Vec<Event>,
    ) {
        let c = self.contact(ci);
        if c.slot.is_some() || c.pinned.is_some() {
            self.dequeue(ci); // not for a contact routed as it arrives
        }
        self.make_room(ai, ci, ev);
        let now = self.now;
        let seq = self.seq();
        self.decisions += 1;
        let ch = self.contact(ci).channel as usize;
        let cost = self.channels[ch].cfg.cost;
        {
            let a = self.agent_mut(ai);
            a.contacts.push(ci);
            a.held[ch] += 1;
            a.used += cost;
            a.last_assigned = seq;
        }
        let c = self.contact_mut(ci);
        c.agent = Some(ai);
        c.pinned = None;
        match offer_timeout {
            Some(timeout) => {
                c.status = ContactStatus::Offered;
                c.offer_seq = seq;
                c.offered_at = now;
                let cseq = c.seq;
                let (queue, channel) = self.tags(ci);
                ev.push(Event::Offered {
                    contact: self.contact(ci).id.clone(),
                    agent: self.agent(ai).id.clone(),
                    queue,
                    channel,
                    at: now,
                    expires: now + timeout,
                });
                self.schedule(now + timeout, TimerKind::Offer { ci, seq: cseq, offer: seq });
            }
            None => self.answer(ci, ai, ev),
        }
    }

    /// The agent takes the contact: a callback is called
    /// ([`Router::dial`]); any other contact is connected.
    #[inline]
    pub(super) fn answer(&mut self, ci: u32, ai: u32, ev: &mut Vec<Event>) {
        if self.contact(ci).callback.is_some() {
            return self.dial(ci, ai, ev);
        }
        self.connect(ci, ai, ev);
    }

    /// The contact is connected: its wait ends and it counts as answered.
    #[inline]
    pub(super) fn connect(&mut self, ci: u32, ai: u32, ev: &mut Vec<Event>) {
        let now = self.now;
        let c = self.contact_mut(ci);
        c.status = ContactStatus::Assigned;
        c.answered_at = now;
        let wait = now - c.arrival;
        let (q, arrival, seq) = (c.queue as usize, c.arrival, c.seq);
        let customer = c.customer.clone();
        let queue = &mut self.queues[q];
        queue.live.remove(arrival, seq);
        queue.counters.answered += 1;
        queue.counters.wait_sum += wait;
        let in_sl = wait <= queue.sl_threshold;
        if in_sl {
            queue.counters.answered_in_sl += 1;
        }
        if queue.outcomes.is_some() {
            self.note_outcome(q, in_sl);
        }
        if let Some(cust) = customer {
            let aid = self.agent(ai).id.clone();
            self.last_agent.insert(cust, aid);
        }
        if self.any_interruptible
            && self.channels[self.contact(ci).channel as usize].cfg.interruptible
        {
            // An answered interruptible contact may be paused: the agent
            // may have room for a call now (routed at the end of the call).
            self.deferred.push(ai);
        }
        match self.by_key {
            true => {
                let contact = self.key_of(ci);
                let agent = crate::sink::AgentHandle(ai);
                self.handoffs.push(Handoff::Assigned { contact, agent, at: now, wait });
            }
            false => {
                let (queue, channel) = self.tags(ci);
                ev.push(Event::Assigned {
                    contact: self.contact(ci).id.clone(),
                    agent: self.agent(ai).id.clone(),
                    queue,
                    channel,
                    at: now,
                    wait,
                })
            }
        }
        if self.contact(ci).warm.is_some() {
            self.warm_done(ci, ai, ev);
        }
    }

    /// Gives back the agent's slot for a contact it no longer holds (offer
    /// returned or abandoned). Does not route.
    pub(super) fn release_slot(&mut self, ai: u32, ci: u32) {
        let ch = self.contact(ci).channel;
        self.agent_mut(ai).contacts.retain(|&x| x != ci);
        self.contact_mut(ci).agent = None;
        let ch_ix = ch as usize;
        let cost = self.channels[ch_ix].cfg.cost;
        let a = self.agent_mut(ai);
        a.held[ch_ix] -= 1;
        a.used -= cost;
        self.refresh_agent(ai);
    }

    /// Frees a slot after a contact ended on it (completion or wrap-up end):
    /// the agent's idle time restarts. Does not route; the caller's
    /// `route_agent` refreshes the agent's ready groups.
    #[inline]
    pub(super) fn free_units(&mut self, ai: u32, ch: u32) {
        let now = self.now;
        let cost = self.channels[ch as usize].cfg.cost;
        let a = self.agent_mut(ai);
        a.held[ch as usize] -= 1;
        a.used -= cost;
        a.idle_since = now;
    }

    /// A contact goes back to waiting (offer returned), original arrival kept.
    pub(super) fn requeue(&mut self, ci: u32) {
        self.contact_mut(ci).status = ContactStatus::Waiting;
        self.enqueue(ci);
    }

    /// Puts a waiting contact where agents look for it: its wait group, or
    /// the list of the one agent it waits for.
    pub(super) fn enqueue(&mut self, ci: u32) {
        let c = self.contact(ci);
        if c.held {
            if !self.queues[c.queue as usize].open {
                self.contact_mut(ci).pinned = None;
                return; // it waits for its queue to open
            }
            self.contact_mut(ci).held = false;
        }
        let c = self.contact(ci);
        if c.callback.as_ref().is_some_and(|cb| cb.parked_until.is_some()) {
            // A parked callback waits in no group until released, and for
            // no agent: its wait for a preferred agent ends here.
            self.contact_mut(ci).pinned = None;
            return;
        }
        if let Some(pa) = c.pinned {
            self.agent_mut(pa).pinned.push(ci);
            return;
        }
        let gk = (c.queue, c.channel, c.sig, c.capped, c.callback.is_some());
        let key = self.wait_key(ci);
        let g = self.index.group(gk);
        self.index.groups[g as usize].set.insert(key);
        self.contact_mut(ci).slot = Some((g, key));
        self.update_head(g);
    }

    /// Takes a waiting contact out of its group or its agent's list.
    pub(super) fn dequeue(&mut self, ci: u32) {
        let c = self.contact_mut(ci);
        if let Some((g, key)) = c.slot.take() {
            self.index.groups[g as usize].set.remove(&key);
            self.update_head(g);
        } else if let Some(pa) = c.pinned {
            if let Some(Some(a)) = self.agents.get_mut(pa as usize) {
                a.pinned.retain(|&x| x != ci);
            }
        }
    }

    /// Stops a contact waiting for one agent alone: it joins the general pool.
    pub(super) fn unpin(&mut self, ci: u32) {
        self.dequeue(ci);
        self.contact_mut(ci).pinned = None;
        self.enqueue(ci);
    }

    #[inline]
    fn update_head(&mut self, g: u32) {
        self.index.heads[g as usize].key = self.index.groups[g as usize].set.first().copied();
    }
}
