//! Validation of a decoded snapshot before any of it is used.
//!
//! A snapshot's checksum catches accidental damage; this module catches
//! the rest (a snapshot written by hand, or damaged and re-checksummed): every
//! index and cross-reference is checked against the sizes it points into,
//! every time is finite, and the free lists match the empty slots, so that
//! rebuilding the indexes cannot index out of bounds. What it does not check
//! (loads, routing completeness, counters) [`Router::check_invariants`]
//! checks on the rebuilt router.

use super::snapshot::State;
use super::timers::TimerKind;
use crate::model::{MAX_LEVEL, MIN_LEVEL};
use crate::types::{ContactStatus, Time};
use rustc_hash::FxHashSet;

/// Sizes of what the state's indexes point into.
pub(super) struct Sizes {
    pub channels: usize,
    /// Capacity units of one contact, per channel.
    pub costs: Vec<u32>,
    pub queues: usize,
    pub routing: usize,
    /// Names kept for ended contacts of removed channels and queues.
    pub retired_channels: usize,
    pub retired_queues: usize,
}

fn finite(what: &str, t: Time) -> Result<(), String> {
    if t.is_finite() {
        Ok(())
    } else {
        Err(format!("{what} is {t}, not a finite time"))
    }
}

fn skill_set(what: &str, set: &[(u32, u8)], n_skills: usize) -> Result<(), String> {
    for (i, &(s, l)) in set.iter().enumerate() {
        if s as usize >= n_skills {
            return Err(format!("{what} names skill {s} of {n_skills}"));
        }
        if !(MIN_LEVEL..=MAX_LEVEL).contains(&l) {
            return Err(format!("{what} has level {l} outside {MIN_LEVEL}..={MAX_LEVEL}"));
        }
        if i > 0 && set[i - 1].0 >= s {
            return Err(format!("{what} is not sorted by skill"));
        }
    }
    Ok(())
}

/// Checks that `free` lists exactly the empty slots of `slots`, once each.
fn free_list<T>(what: &str, slots: &[Option<T>], free: &[u32]) -> Result<(), String> {
    let mut seen = FxHashSet::default();
    for &i in free {
        if slots.get(i as usize).is_none_or(|s| s.is_some()) || !seen.insert(i) {
            return Err(format!("free {what} slot {i} is not an empty slot"));
        }
    }
    if seen.len() != slots.iter().filter(|s| s.is_none()).count() {
        return Err(format!("the free {what} slots do not match the empty ones"));
    }
    Ok(())
}

/// Checks the decoded state; the message says what is wrong.
pub(super) fn check(s: &State, n: &Sizes) -> Result<(), String> {
    if s.queues.len() != n.queues {
        return Err("queue count does not match its configuration".into());
    }
    finite("now", s.now)?;
    finite("settled", s.settled)?;
    if s.settled > s.now {
        return Err(format!("settled time {} is after now {}", s.settled, s.now));
    }
    if let Some(t) = s.batch_due {
        finite("batch due time", t)?;
    }
    let names: FxHashSet<&str> = s.skills.iter().map(String::as_str).collect();
    if names.len() != s.skills.len() {
        return Err("a skill name is listed twice".into());
    }
    let n_skills = s.skills.len();
    let mut profiles = FxHashSet::default();
    for (i, (skills, routing)) in s.profiles.iter().enumerate() {
        skill_set(&format!("profile {i}"), skills, n_skills)?;
        if routing.is_some_and(|r| r as usize >= n.routing) {
            return Err(format!("profile {i} names routing profile {routing:?} of {}", n.routing));
        }
        if !profiles.insert((skills, routing)) {
            return Err(format!("profile {i} is listed twice"));
        }
    }
    let n_sels = s.sels.len();
    let mut sigs = FxHashSet::default();
    for (i, key) in s.sigs.iter().enumerate() {
        skill_set(&format!("signature {i}"), &key.0, n_skills)?;
        if key.1.is_some_and(|x| x as usize >= n_sels) {
            return Err(format!("signature {i}: selector {:?} of {n_sels}", key.1));
        }
        if !sigs.insert(key) {
            return Err(format!("signature {i} is listed twice"));
        }
    }
    free_list("agent", &s.agents, &s.free_agents)?;
    free_list("contact", &s.contacts, &s.free_contacts)?;
    let mut max_seq = 0u64;
    let mut agent_ids = FxHashSet::default();
    for (ai, a) in s.agents.iter().enumerate() {
        let Some(a) = a else { continue };
        let who = format!("agent {:?}", a.id);
        if a.id.is_empty() || !agent_ids.insert(&a.id) {
            return Err(format!("{who}: empty or repeated id"));
        }
        if a.profile as usize >= s.profiles.len() {
            return Err(format!("{who}: profile {} of {}", a.profile, s.profiles.len()));
        }
        if a.held.len() != n.channels || a.max.len() != n.channels {
            return Err(format!(
                "{who}: per-channel figures for {} channels, not {}",
                a.held.len(),
                n.channels
            ));
        }
        finite(&format!("{who}: idle since"), a.idle_since)?;
        max_seq = max_seq.max(a.last_assigned).max(a.uid);
        let mut held = FxHashSet::default();
        for &ci in &a.contacts {
            let c = s.contacts.get(ci as usize).and_then(Option::as_ref);
            let holds = |c: &super::Contact| {
                c.agent == Some(ai as u32) || c.warm.as_ref().is_some_and(|w| w.from == ai as u32)
            };
            if c.is_none_or(|c| !holds(c)) || !held.insert(ci) {
                return Err(format!("{who} holds contact slot {ci}, which is not held by it"));
            }
        }
        for &ci in &a.pinned {
            let c = s.contacts.get(ci as usize).and_then(Option::as_ref);
            if c.is_none_or(|c| c.pinned != Some(ai as u32)) {
                return Err(format!(
                    "{who} lists contact slot {ci} as waiting for it, which it is not"
                ));
            }
        }
        if let Some(&ci) = a.paused.iter().find(|&&ci| ci as usize >= s.contacts.len()) {
            return Err(format!("{who} lists paused contact slot {ci}, out of range"));
        }
        let mut used = 0u64;
        let mut per_channel = vec![0u64; n.channels];
        finite(&format!("{who}: state since"), a.state_since)?;
        if a.reason.len() > super::MAX_REASON {
            return Err(format!("{who}: reason of {} bytes", a.reason.len()));
        }
        for w in &a.wrapups {
            if w.1 as usize >= n.channels {
                return Err(format!("{who}: wrap-up on channel {} of {}", w.1, n.channels));
            }
            finite(&format!("{who}: wrap-up end"), w.3)?;
            max_seq = max_seq.max(w.0);
            per_channel[w.1 as usize] += 1;
            used += u64::from(n.costs[w.1 as usize]);
        }
        for &ci in &a.contacts {
            let ch = s.contacts[ci as usize].as_ref().map_or(0, |c| match &c.warm {
                Some(w) if w.from == ai as u32 => w.channel as usize,
                _ => c.channel as usize,
            });
            if ch >= n.channels {
                return Err(format!(
                    "{who} holds contact slot {ci} on channel {ch} of {}",
                    n.channels
                ));
            }
            per_channel[ch] += 1;
            used += u64::from(n.costs[ch]);
        }
        if a.capacity == 0 || used != u64::from(a.used) || a.used > a.capacity {
            return Err(format!(
                "{who}: {} of {} units used, its contacts use {used}",
                a.used, a.capacity
            ));
        }
        for (c, &count) in per_channel.iter().enumerate() {
            if count != u64::from(a.held[c]) || a.held[c] > a.max[c] {
                return Err(format!(
                    "{who}: holds {} of {} on channel {c}, its contacts {count}",
                    a.held[c], a.max[c]
                ));
            }
        }
    }
    let mut contact_ids = FxHashSet::default();
    let mut live: Vec<Vec<(u64, u64)>> = vec![Vec::new(); n.queues];
    for (ci, c) in s.contacts.iter().enumerate() {
        let Some(c) = c else { continue };
        let who = format!("contact {:?}", c.id);
        if c.indexed && (c.id.is_empty() || !contact_ids.insert(&c.id)) {
            return Err(format!("{who}: empty or repeated id"));
        }
        if c.channel as usize >= n.channels
            || c.queue as usize >= n.queues
            || c.sig as usize >= s.sigs.len()
        {
            return Err(format!("{who}: channel, queue or signature out of range"));
        }
        finite(&format!("{who}: arrival"), c.arrival)?;
        finite(&format!("{who}: queue entry"), c.queue_entered)?;
        if !c.age_offset.is_finite() || c.version == 0 {
            return Err(format!("{who}: age offset {} or version {}", c.age_offset, c.version));
        }
        let future = c.status == ContactStatus::Scheduled;
        if (c.arrival > s.now && !future)
            || c.queue_entered < c.arrival
            || (c.queue_entered > s.now && !future)
        {
            return Err(format!("{who}: arrival or queue entry outside 0..now"));
        }
        if c.step > c.steps.len() {
            return Err(format!("{who}: step {} of {}", c.step, c.steps.len()));
        }
        for (i, st) in c.steps.iter().enumerate() {
            finite(&format!("{who}: step {i}"), st.0)?;
            if st.1 as usize >= s.sigs.len() || (i > 0 && st.0 < c.steps[i - 1].0) {
                return Err(format!("{who}: step {i} out of range or out of order"));
            }
        }
        skill_set(&format!("{who}: preferred skills"), &c.prefers, n_skills)?;
        if let Some(sel) = &c.sel {
            let ids = sel
                .base
                .iter()
                .copied()
                .chain(sel.clauses.iter().map(|x| x.0))
                .chain(sel.prefs.iter().map(|x| x.0));
            let steps = sel.steps.iter().filter_map(|st| match st {
                super::selecting::StepSel::Widen(x) | super::selecting::StepSel::Replace(x) => {
                    Some(*x)
                }
                _ => None,
            });
            if ids.chain(steps).any(|x| x as usize >= n_sels) {
                return Err(format!("{who}: a selector out of range"));
            }
            // A cold transfer drops the steps but not their selector
            // changes (a failed warm transfer gives the steps back).
            if sel.steps.len() < c.steps.len() {
                return Err(format!(
                    "{who}: selector changes for {} of {} steps",
                    sel.steps.len(),
                    c.steps.len()
                ));
            }
        }
        finite(&format!("{who}: preferred wait"), c.preferred_wait)?;
        max_seq = max_seq.max(c.seq).max(c.offer_seq);
        let held_by = |ai: u32, list: fn(&super::Agent) -> &Vec<u32>| {
            s.agents
                .get(ai as usize)
                .and_then(Option::as_ref)
                .is_some_and(|a| list(a).contains(&(ci as u32)))
        };
        match c.status {
            ContactStatus::Waiting => {
                if c.agent.is_some() {
                    return Err(format!("{who} waits but has an agent"));
                }
                if c.pinned.is_some_and(|ai| !held_by(ai, |a| &a.pinned)) {
                    return Err(format!("{who} waits for an agent who does not list it"));
                }
            }
            ContactStatus::Offered | ContactStatus::Assigned | ContactStatus::Calling => {
                let list: fn(&super::Agent) -> &Vec<u32> = match c.paused {
                    0 => |a| &a.contacts,
                    _ => |a| &a.paused,
                };
                if !c.agent.is_some_and(|ai| held_by(ai, list)) || c.pinned.is_some() {
                    return Err(format!("{who} is {:?} but its agent does not hold it", c.status));
                }
            }
            ContactStatus::Scheduled => {
                if c.agent.is_some() || c.pinned.is_some() {
                    return Err(format!("{who} is scheduled but has an agent"));
                }
            }
            other => return Err(format!("{who} is live with status {other:?}")),
        }
        if let Some(w) = &c.warm {
            if c.status == ContactStatus::Assigned
                || !held_by(w.from, |a| &a.contacts)
                || w.queue as usize >= n.queues
                || w.channel as usize >= n.channels
                || w.sig as usize >= s.sigs.len()
                || w.to_agent.is_some_and(|b| s.agents.get(b as usize).is_none_or(Option::is_none))
            {
                return Err(format!("{who}: its warm transfer is inconsistent"));
            }
        }
        if matches!(
            c.status,
            ContactStatus::Waiting | ContactStatus::Offered | ContactStatus::Calling
        ) {
            live[c.queue as usize].push((c.arrival.to_bits(), c.seq));
        }
        if c.status == ContactStatus::Calling && c.callback.is_none() {
            return Err(format!("{who} is being called back but is no callback"));
        }
    }
    for (q, (qs, mut expected)) in s.queues.iter().zip(live).enumerate() {
        let mut got: Vec<(u64, u64)> = qs.live.iter().map(|&(t, seq)| (t.to_bits(), seq)).collect();
        got.sort_unstable();
        expected.sort_unstable();
        if got != expected {
            return Err(format!(
                "queue {q}: its live list does not match its waiting and offered contacts"
            ));
        }
    }
    let mut finished = FxHashSet::default();
    for (id, f) in &s.finished {
        if !finished.insert(id) || (contact_ids.contains(id)) {
            return Err(format!("ended contact {id:?} is listed twice"));
        }
        if f.channel as usize >= n.channels + n.retired_channels
            || f.queue as usize >= n.queues + n.retired_queues
        {
            return Err(format!("ended contact {id:?}: channel or queue out of range"));
        }
        finite(&format!("ended contact {id:?}: arrival"), f.arrival)?;
        finite(&format!("ended contact {id:?}: end"), f.ended_at)?;
        if let Some(t) = f.answered_at {
            finite(&format!("ended contact {id:?}: answer"), t)?;
        }
    }
    for t in &s.timers {
        finite("a timer", t.at.0)?;
        max_seq = max_seq.max(t.order);
        let (ci, queue, ai) = match &t.kind {
            TimerKind::Step { ci, .. }
            | TimerKind::Offer { ci, .. }
            | TimerKind::Pin { ci, .. } => (Some(*ci), None, None),
            TimerKind::Recheck { ci, .. }
            | TimerKind::Unexclude { ci, .. }
            | TimerKind::Expire { ci, .. }
            | TimerKind::Activate { ci, .. }
            | TimerKind::Unpark { ci, .. } => (Some(*ci), None, None),
            TimerKind::Overflow { ci, queue, entered, .. } => {
                finite("an overflow timer's entry time", entered.0)?;
                (Some(*ci), Some(*queue), None)
            }
            TimerKind::Cap { ci, queue, .. } => (Some(*ci), Some(*queue), None),
            TimerKind::Rule { ci, queue, entered, .. } => {
                finite("a rule timer's entry time", entered.0)?;
                (Some(*ci), Some(*queue), None)
            }
            TimerKind::Calendar { queue, at } => {
                finite("a calendar timer's time", at.0)?;
                (None, Some(*queue), None)
            }
            TimerKind::WrapUp { ai, .. } => (None, None, Some(*ai)),
            TimerKind::Batch => (None, None, None),
        };
        if ci.is_some_and(|ci| ci as usize >= s.contacts.len())
            || queue.is_some_and(|q| q as usize >= n.queues)
            || ai.is_some_and(|ai| ai as usize >= s.agents.len())
        {
            return Err(format!("a timer points out of range ({:?})", t.kind));
        }
    }
    if s.next_seq <= max_seq {
        return Err(format!(
            "sequence counter {} is not past every number in use ({max_seq})",
            s.next_seq
        ));
    }
    Ok(())
}
