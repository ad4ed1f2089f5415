//! Live reconfiguration: channels, queues, routing profiles and the
//! router's settings changed while contacts wait and agents hold work.
//!
//! The router's state (as a snapshot holds it) is carried over to the new
//! configuration, matching channels, queues and routing profiles by name,
//! and the router is rebuilt from it; the checks of a restored snapshot run
//! on the result. What is in flight:
//!
//! * **Channels** may be added, changed and removed. A channel that a live
//!   contact uses or an agent holds (wrap-up included) cannot be removed,
//!   nor its `cost` changed. Agents that named no channels get the new
//!   channels and the new default maxima (refused if a new maximum is below
//!   what such an agent holds); agents that named theirs keep them and do
//!   not serve a new channel.
//! * **Queues** may be added, changed and removed. A removed queue's live
//!   contacts (waiting, offered or assigned) go to the queue the call names
//!   for it in `moves`; without one, removing a queue that holds any is
//!   refused. Waiting and offered contacts that move get an `Overflowed`
//!   event and count as overflowed into the target; assigned ones count
//!   their completion there. Every waiting contact is re-timed under
//!   its queue's new settings: its overflow (from when it entered the
//!   queue), its aging cap, its routing-profile delays; its place follows
//!   the new ordering.
//! * **Routing profiles** may be added, changed and removed; one that an
//!   agent names cannot be removed.
//! * **Settings** (policy, offer timeout, affinity, batch window, ...) take
//!   effect from now on; offers already made keep their deadlines. The
//!   random generator continues (a new `seed` is recorded, not re-drawn).
//!
//! Afterwards every waiting contact is routed again, best first, so that
//! what the change makes possible happens at once. Ended contacts of a
//! removed channel or queue keep its name.

use super::ordering::QueueOrder;
use super::snapshot::QueueState;
use super::timers::TimerKind;
use super::views::Counters;
use super::Router;
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::model::RouterConfig;
use crate::sink::EventSink;
use crate::types::{ContactStatus, Time};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;

impl Router {
    /// Replaces the configuration while the router runs (see the module
    /// documentation for what happens to what is in flight). `moves` names,
    /// for each removed queue that still holds contacts, the queue they go
    /// to: `(removed queue, target queue)`. The plug-in scorer stays
    /// attached.
    ///
    /// As every call, it first fires the timers due by `now`; a change that
    /// is refused as things stand changes nothing at all, and one refused
    /// only after those timers (they moved contacts) leaves their effects,
    /// as any refused call does.
    ///
    /// Errors: `InvalidInput` for an invalid configuration,
    /// a channel still held, a queue with contacts and no target, a routing
    /// profile in use, a bad `moves` entry; `Capacity` for a default maximum
    /// below what an agent holds.
    pub fn reconfigure<S: EventSink>(
        &mut self,
        config: RouterConfig,
        moves: &[(String, String)],
        now: Time,
        sink: S,
    ) -> Result<S> {
        self.check_now(now)?;
        self.open(&sink);
        if let Some(c) = self.contacts.iter().find(|c| c.warm.is_some()) {
            return Err(Error::state(format!(
                "contact {:?} is in a warm transfer; reconfigure once warm transfers have ended",
                &*c.id
            )));
        }
        // Checked first as things stand, so that a refused change leaves
        // the router exactly as it was; then again after the timers due by
        // `now` (they may move contacts).
        self.carried_over(config.clone(), moves)?;
        let mut ev = self.begin(now);
        let (state, moved) = match self.carried_over(config, moves) {
            Ok(x) => x,
            Err(e) => return self.fail(ev, e),
        };
        let mut r = match Router::rebuild(state) {
            Ok(r) => r,
            Err(e) => {
                let err = Error::new(
                    ErrorKind::InvalidState,
                    format!("reconfiguration failed its checks: {}", e.message()),
                );
                return self.fail(ev, err);
            }
        };
        // The scorer stays, its caches dropped and the candidate facts
        // rebuilt for the new numbering.
        let mut scorer = std::mem::take(&mut self.plugin).scorer;
        if let Some(s) = scorer.as_mut() {
            s.renumbered();
        }
        r.set_scorer(scorer);
        r.by_key = self.by_key;
        r.handoffs = std::mem::take(&mut self.handoffs);
        r.fired = self.fired;
        *self = r;
        ev.extend(moved);
        self.settle_after_reconfiguration(&mut ev);
        Ok(self.deliver(ev, sink))
    }

    /// The state carried over to `config`, and the events of the contacts
    /// moved out of removed queues.
    fn carried_over(
        &self,
        mut config: RouterConfig,
        moves: &[(String, String)],
    ) -> Result<(super::snapshot::State, Vec<Event>)> {
        config.plugin = self.config.plugin.clone();
        let fresh = Router::new(config.clone())?;
        let now = self.now;
        let mut s = self.state();
        let old = &self.config;
        let (n_ch, n_q) = (config.channels.len(), config.queues.len());

        // Channels.
        let ch_map: Vec<Option<u32>> =
            old.channels.iter().map(|c| fresh.channel_ids.get(&c.name).copied()).collect();
        for (oc, m) in ch_map.iter().enumerate() {
            let name = &old.channels[oc].name;
            let holders: Vec<&str> =
                self.agents.iter().flatten().filter(|a| a.held[oc] > 0).map(|a| &*a.id).collect();
            let contacts = self.contacts.iter().filter(|c| c.channel as usize == oc).count();
            let used = !holders.is_empty() || contacts > 0;
            match m {
                None if used => {
                    let mut why = Vec::new();
                    if contacts > 0 {
                        why.push(format!("{contacts} live contact(s) use it"));
                    }
                    if !holders.is_empty() {
                        why.push(format!("agents {holders:?} hold it"));
                    }
                    return Err(Error::invalid(format!("channel {name:?} cannot be removed: {}", why.join(" and "))));
                }
                Some(nc) if !holders.is_empty() && config.channels[*nc as usize].cost != old.channels[oc].cost => {
                    return Err(Error::invalid(format!(
                        "channel {name:?}: cost cannot change from {} to {} while agents {holders:?} hold it",
                        old.channels[oc].cost, config.channels[*nc as usize].cost
                    )))
                }
                _ => {}
            }
        }

        // Queues, and where the contacts of removed ones go.
        let q_map: Vec<Option<u32>> =
            old.queues.iter().map(|q| fresh.queue_ids.get(&q.name).copied()).collect();
        let mut targets: FxHashMap<u32, u32> = FxHashMap::default();
        for (from, to) in moves {
            let oq = self.queue_ids.get(from).copied().ok_or_else(|| {
                Error::invalid(format!(
                    "moves: {from:?} is not a queue of the current configuration"
                ))
            })?;
            if q_map[oq as usize].is_some() {
                return Err(Error::invalid(format!(
                    "moves: queue {from:?} is kept; only a removed queue's contacts move"
                )));
            }
            let nq = fresh.queue_ids.get(to).copied().ok_or_else(|| {
                Error::invalid(format!("moves: target {to:?} of queue {from:?} is not a queue of the new configuration"))
            })?;
            if targets.insert(oq, nq).is_some() {
                return Err(Error::invalid(format!("moves: queue {from:?} is given two targets")));
            }
        }
        for (oq, m) in q_map.iter().enumerate() {
            if m.is_some() || targets.contains_key(&(oq as u32)) {
                continue;
            }
            let (mut waiting, mut held) = (0, 0);
            for c in self.contacts.iter().filter(|c| c.queue as usize == oq) {
                if c.status == ContactStatus::Waiting {
                    waiting += 1;
                } else {
                    held += 1;
                }
            }
            if waiting + held > 0 {
                return Err(Error::invalid(format!(
                    "queue {:?} cannot be removed: it holds {waiting} waiting and {held} offered or assigned contacts; \
                     name the queue they go to (moves)",
                    old.queues[oq].name
                )));
            }
        }
        let queue_of = |oq: u32| q_map[oq as usize].or_else(|| targets.get(&oq).copied());

        // Routing profiles: by name; one in use stays.
        let rp_map: Vec<Option<u32>> =
            old.routing_profiles.iter().map(|p| fresh.routing_ids.get(&p.name).copied()).collect();
        for a in self.agents.iter().flatten() {
            if let Some(rp) = self.index.profiles[a.profile as usize].routing {
                if rp_map[rp as usize].is_none() {
                    return Err(Error::invalid(format!(
                        "routing profile {:?} cannot be removed: agent {:?} uses it",
                        old.routing_profiles[rp as usize].name, a.id
                    )));
                }
            }
        }
        let mut profiles: Vec<super::index::ProfileKey> = Vec::new();
        let mut profile_ids: FxHashMap<super::index::ProfileKey, u32> = FxHashMap::default();
        let profile_map: Vec<u32> = s
            .profiles
            .iter()
            .map(|(skills, routing)| {
                let key = (skills.clone(), routing.and_then(|r| rp_map[r as usize]));
                *profile_ids.entry(key.clone()).or_insert_with(|| {
                    profiles.push(key);
                    (profiles.len() - 1) as u32
                })
            })
            .collect();
        s.profiles = profiles;

        // Agents.
        for a in s.agents.iter_mut().flatten() {
            let mut held: SmallVec<[u32; 4]> = smallvec::smallvec![0; n_ch];
            let mut max: SmallVec<[u32; 4]> = smallvec::smallvec![0; n_ch];
            for (oc, m) in ch_map.iter().enumerate() {
                if let Some(nc) = m {
                    held[*nc as usize] = a.held[oc];
                    max[*nc as usize] = a.max[oc];
                }
            }
            if a.all_channels {
                for (nc, ch) in config.channels.iter().enumerate() {
                    if ch.max_per_agent < held[nc] {
                        return Err(Error::new(
                            ErrorKind::Capacity,
                            format!(
                                "channel {:?}: max_per_agent {} is below the {} contacts agent {:?} holds there",
                                ch.name, ch.max_per_agent, held[nc], a.id
                            ),
                        ));
                    }
                    max[nc] = ch.max_per_agent;
                }
            }
            a.held = held.into_iter().collect();
            a.max = max.into_iter().collect();
            for w in a.wrapups.iter_mut() {
                w.1 = ch_map[w.1 as usize].expect("a held channel is kept");
            }
            a.profile = profile_map[a.profile as usize];
        }

        // Contacts, and the queues' state.
        let mut queues: Vec<Option<QueueState>> = (0..n_q).map(|_| None).collect();
        for (oq, qs) in s.queues.drain(..).enumerate() {
            if let Some(nq) = q_map[oq] {
                queues[nq as usize] = Some(qs);
            }
        }
        let mut queues: Vec<QueueState> = queues
            .into_iter()
            .map(|q| {
                q.unwrap_or_else(|| QueueState {
                    counters: Counters::default(),
                    live: Vec::new(),
                    crossed: Vec::new(),
                    outcomes: None,
                })
            })
            .collect();
        let orders: Vec<QueueOrder> = config.queues.iter().map(QueueOrder::of).collect();
        let mut moved = Vec::new();
        for c in s.contacts.iter_mut().flatten() {
            c.channel = ch_map[c.channel as usize].expect("a used channel is kept");
            let nq = queue_of(c.queue).expect("a removed queue's contacts have a target");
            if q_map[c.queue as usize].is_none() {
                let q = &mut queues[nq as usize];
                if matches!(
                    c.status,
                    ContactStatus::Waiting | ContactStatus::Offered | ContactStatus::Calling
                ) {
                    // Waiting or offered: it enters the target as an overflow does.
                    q.live.push((c.arrival, c.seq));
                    q.counters.overflowed_in += 1;
                    q.counters.offered += 1;
                    moved.push(Event::Overflowed {
                        contact: c.id.clone(),
                        from_queue: old.queues[c.queue as usize].name.as_str().into(),
                        to_queue: config.queues[nq as usize].name.as_str().into(),
                        channel: config.channels[c.channel as usize].name.as_str().into(),
                        at: now,
                    });
                }
                if c.status != ContactStatus::Scheduled {
                    c.queue_entered = now; // a scheduled contact enters at its time
                }
            }
            c.queue = nq;
            c.capped = matches!(c.status, ContactStatus::Waiting | ContactStatus::Offered)
                && orders[nq as usize].capped(c.age_origin(), now);
        }
        for q in &mut queues {
            q.live.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        }
        s.queues = queues;

        // A lower retention limit drops the oldest ended records first, so
        // that the names below are kept only for the records that stay.
        if let Some(limit) = config.retain_finished {
            let excess = s.finished.len().saturating_sub(limit);
            s.finished.drain(..excess);
        }
        // Ended contacts keep the names of removed channels and queues.
        let (old_rc, old_rq) = (s.retired_channels.len(), s.retired_queues.len());
        let retire =
            |map: &[Option<u32>], n_new: usize, retired: &mut Vec<String>, names: Vec<&String>| {
                let mut out = Vec::with_capacity(map.len());
                for (o, m) in map.iter().enumerate() {
                    out.push(match m {
                        Some(n) => *n,
                        None => {
                            retired.push(names[o].clone());
                            (n_new + retired.len() - 1) as u32
                        }
                    });
                }
                out
            };
        let mut retired_channels = s.retired_channels.clone();
        let ch_ended = retire(
            &ch_map,
            n_ch,
            &mut retired_channels,
            old.channels.iter().map(|c| &c.name).collect(),
        );
        let mut retired_queues = s.retired_queues.clone();
        let q_ended =
            retire(&q_map, n_q, &mut retired_queues, old.queues.iter().map(|q| &q.name).collect());
        let (o_ch, o_q) = (old.channels.len(), old.queues.len());
        for (_, f) in s.finished.iter_mut() {
            f.channel = match f.channel as usize {
                c if c < o_ch => ch_ended[c],
                c => (n_ch + (c - o_ch)) as u32,
            };
            f.queue = match f.queue as usize {
                q if q < o_q => q_ended[q],
                q => (n_q + (q - o_q)) as u32,
            };
        }
        debug_assert!(retired_channels.len() >= old_rc && retired_queues.len() >= old_rq);
        // Only the names an ended contact still holds are kept (the others
        // left with the records the retention limit dropped), renumbered.
        let (mut used_ch, mut used_q) =
            (vec![false; retired_channels.len()], vec![false; retired_queues.len()]);
        for (_, f) in &s.finished {
            if let Some(u) = (f.channel as usize).checked_sub(n_ch) {
                used_ch[u] = true;
            }
            if let Some(u) = (f.queue as usize).checked_sub(n_q) {
                used_q[u] = true;
            }
        }
        let keep = |names: Vec<String>, used: &[bool], n_live: usize| {
            let mut renumber = vec![0u32; names.len()];
            let mut kept = Vec::new();
            for (i, name) in names.into_iter().enumerate() {
                if used[i] {
                    renumber[i] = (n_live + kept.len()) as u32;
                    kept.push(name);
                }
            }
            (kept, renumber)
        };
        let (retired_channels, ch_renumber) = keep(retired_channels, &used_ch, n_ch);
        let (retired_queues, q_renumber) = keep(retired_queues, &used_q, n_q);
        for (_, f) in s.finished.iter_mut() {
            if let Some(u) = (f.channel as usize).checked_sub(n_ch) {
                f.channel = ch_renumber[u];
            }
            if let Some(u) = (f.queue as usize).checked_sub(n_q) {
                f.queue = q_renumber[u];
            }
        }
        s.retired_channels = retired_channels;
        s.retired_queues = retired_queues;

        // Timers of the queues are set again afterwards; a batch only in batch mode.
        let batch = config.batch_window.is_some();
        s.timers.retain(|t| match t.kind {
            TimerKind::Overflow { .. }
            | TimerKind::Cap { .. }
            | TimerKind::Recheck { .. }
            | TimerKind::Rule { .. }
            | TimerKind::Calendar { .. } => false,
            TimerKind::Batch => batch,
            _ => true,
        });
        if config.batch_window.is_none() {
            s.batch_due = None;
        }
        s.config = config;
        Ok((s, moved))
    }

    /// After a reconfiguration: re-times every waiting or offered contact
    /// under its queue's settings and routes the waiting ones, best first.
    fn settle_after_reconfiguration(&mut self, ev: &mut Vec<Event>) {
        let mut waiting: SmallVec<[(u32, u64); 4]> = SmallVec::new();
        for ci in 0..self.contacts.len() as u32 {
            let Some(c) = self.contacts.get(ci as usize) else { continue };
            match c.status {
                ContactStatus::Waiting => {
                    waiting.push((ci, c.seq));
                    self.enter_queue(ci);
                }
                ContactStatus::Offered => self.enter_queue(ci),
                _ => {}
            }
        }
        self.route_changed(&mut waiting, ev);
        for ai in 0..self.agents.len() as u32 {
            if self.agents[ai as usize].is_some() {
                self.route_agent(ai, ev);
            }
        }
        // Timers the new settings make due already (an overflow the
        // contact has waited past) fire now.
        self.advance_to(self.now, ev);
    }
}
