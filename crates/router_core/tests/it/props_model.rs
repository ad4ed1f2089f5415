//! The model the property test in `props` checks the router against: what
//! the events say about each contact and agent (`Model`, `MContact`,
//! `MAgent`), how each event changes it (`Model::apply`) and how it must
//! agree with the router's views (`Model::compare`). Apart from the command
//! machine so that what is expected reads on its own, without the
//! strategies that drive the router.

use super::*;
use router_core::ContactStatus;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum MState {
    Waiting,
    Offered(String),
    Assigned(String),
    Completed,
    Abandoned,
    Refused,
}

#[derive(Debug)]
pub(super) struct MContact {
    /// Requirements in force: index 0 at arrival, index k after step k-1.
    pub(super) reqs: Vec<BTreeMap<String, u8>>,
    pub(super) afters: Vec<f64>,
    /// Per step: whether it has a condition (it may fire after it is due).
    pub(super) conds: Vec<bool>,
    pub(super) step: usize,
    pub(super) arrival: f64,
    pub(super) state: MState,
    pub(super) terminals: u32,
    /// Current queue and when the contact entered it.
    pub(super) queue: String,
    pub(super) entered: f64,
    /// (agent id, agent generation) that rejected it or let an offer expire.
    pub(super) excluded: BTreeSet<(String, u64)>,
}

#[derive(Debug)]
pub(super) struct MAgent {
    pub(super) skills: BTreeMap<String, u8>,
    pub(super) generation: u64,
}

#[derive(Default, Debug)]
pub(super) struct Model {
    pub(super) contacts: BTreeMap<String, MContact>,
    pub(super) agents: BTreeMap<String, MAgent>,
    pub(super) generations: u64,
    pub(super) submitted: u64,
    pub(super) refused: u64,
}

/// The overflow configured in `props::build`: (target, after).
fn overflow_of(queue: &str) -> Option<(&'static str, f64)> {
    match queue {
        "q1" => Some(("q2", 15.0)),
        "q2" => Some(("q0", 30.0)),
        _ => None,
    }
}

fn meets(skills: &BTreeMap<String, u8>, reqs: &BTreeMap<String, u8>) -> bool {
    reqs.iter().all(|(s, l)| skills.get(s).is_some_and(|have| have >= l))
}

impl Model {
    fn live_holder(&self, c: &str) -> Option<&str> {
        match &self.contacts[c].state {
            MState::Offered(a) | MState::Assigned(a) => Some(a),
            _ => None,
        }
    }

    fn check_agent_fits(&self, c: &str, a: &str, what: &str) -> Result<(), String> {
        let mc = &self.contacts[c];
        let ma = self.agents.get(a).ok_or_else(|| format!("{what} {c} to unknown agent {a}"))?;
        let reqs = &mc.reqs[mc.step];
        if !meets(&ma.skills, reqs) {
            return Err(format!(
                "{what} {c} to {a} with skills {:?} below requirements {reqs:?} (step {})",
                ma.skills, mc.step
            ));
        }
        if mc.excluded.contains(&(a.to_string(), ma.generation)) {
            return Err(format!("{what} {c} to {a}, who was excluded for it"));
        }
        Ok(())
    }

    pub(super) fn apply(&mut self, ev: &Event, offer_mode: bool) -> Result<(), String> {
        let c = ev.contact().to_string();
        if !self.contacts.contains_key(&c) {
            return Err(format!("event about unknown contact: {ev:?}"));
        }
        let state = self.contacts[&c].state.clone();
        // Every event names the contact's queue (an overflow, the one it left).
        let named = match ev {
            Event::Overflowed { from_queue, .. } => from_queue,
            _ => ev.queue(),
        };
        if named.as_str() != self.contacts[&c].queue {
            return Err(format!(
                "{ev:?} names a queue but the contact is in {}",
                self.contacts[&c].queue
            ));
        }
        let bad = || Err(format!("{ev:?} while the contact is {state:?}"));
        match ev {
            Event::Assigned { agent, at, wait, .. } => {
                let a = agent.to_string();
                let ok = if offer_mode {
                    state == MState::Offered(a.clone())
                } else {
                    state == MState::Waiting
                };
                if !ok {
                    return bad();
                }
                if !offer_mode {
                    self.check_agent_fits(&c, &a, "assigned")?;
                }
                let arrival = self.contacts[&c].arrival;
                if (at - arrival - wait).abs() > 1e-9 {
                    return Err(format!("{ev:?}: wait is not at - arrival ({arrival})"));
                }
                self.contacts.get_mut(&c).unwrap().state = MState::Assigned(a);
            }
            Event::Offered { agent, .. } => {
                if state != MState::Waiting || !offer_mode {
                    return bad();
                }
                let a = agent.to_string();
                self.check_agent_fits(&c, &a, "offered")?;
                self.contacts.get_mut(&c).unwrap().state = MState::Offered(a);
            }
            Event::OfferExpired { agent, .. } | Event::OfferRejected { agent, .. } => {
                let a = agent.to_string();
                if state != MState::Offered(a.clone()) {
                    return bad();
                }
                let generation = self.agents.get(&a).map_or(u64::MAX, |m| m.generation);
                let mc = self.contacts.get_mut(&c).unwrap();
                mc.excluded.insert((a, generation));
                mc.state = MState::Waiting;
            }
            Event::Requeued { agent, .. } => {
                if state != MState::Offered(agent.to_string()) {
                    return bad();
                }
                self.contacts.get_mut(&c).unwrap().state = MState::Waiting;
            }
            Event::Abandoned { .. } => {
                if !matches!(state, MState::Waiting | MState::Offered(_)) {
                    return bad();
                }
                let mc = self.contacts.get_mut(&c).unwrap();
                mc.state = MState::Abandoned;
                mc.terminals += 1;
            }
            Event::Completed { agent, .. } => {
                if state != MState::Assigned(agent.to_string()) {
                    return bad();
                }
                let mc = self.contacts.get_mut(&c).unwrap();
                mc.state = MState::Completed;
                mc.terminals += 1;
            }
            Event::WrapUpEnded { .. } => {
                if state != MState::Completed {
                    return bad();
                }
            }
            // This model makes no transfers (see the transfer state machine
            // in the Python suite): one here is a bug.
            Event::Transferred { .. }
            | Event::TransferFailed { .. }
            | Event::CallbackOffered { .. }
            | Event::CallbackFailed { .. }
            | Event::CallbackScheduled { .. }
            | Event::Exception { .. }
            | Event::Paused { .. }
            | Event::Resumed { .. } => return bad(),
            Event::Overflowed { from_queue, to_queue, at, .. } => {
                if !matches!(state, MState::Waiting | MState::Offered(_)) {
                    return bad();
                }
                let mc = self.contacts.get_mut(&c).unwrap();
                let due = overflow_of(&mc.queue).map(|(_, after)| mc.entered + after);
                if from_queue.as_str() != mc.queue
                    || overflow_of(from_queue).map(|o| o.0) != Some(to_queue.as_str())
                {
                    return Err(format!("{ev:?} but the contact is in {}", mc.queue));
                }
                if due.is_none_or(|d| (at - d).abs() > 1e-9) {
                    return Err(format!("{ev:?} but the overflow was due at {due:?}"));
                }
                mc.queue = to_queue.to_string();
                mc.entered = *at;
            }
            Event::StepAdvanced { step, at, .. } => {
                if !matches!(state, MState::Waiting | MState::Offered(_)) {
                    return bad();
                }
                let mc = self.contacts.get_mut(&c).unwrap();
                if *step != mc.step || *step >= mc.afters.len() {
                    return Err(format!(
                        "{ev:?} but the model is at step {} of {}",
                        mc.step,
                        mc.afters.len()
                    ));
                }
                let due = mc.arrival + mc.afters[*step];
                // A conditional step, and every step after it, may come late.
                let late_ok = mc.conds[..=*step].iter().any(|c| *c);
                let on_time = if late_ok { *at >= due - 1e-9 } else { (at - due).abs() <= 1e-9 };
                if !on_time {
                    return Err(format!("{ev:?} but the step was due at {due}"));
                }
                mc.step += 1;
            }
            Event::NotResponding { agent, .. } => {
                // Follows the contact's OfferExpired: it is waiting, that agent excluded.
                if state != MState::Waiting
                    || !self.contacts[&c].excluded.iter().any(|(a, _)| a == &**agent)
                {
                    return bad();
                }
            }
            Event::Refused { .. } => {
                if state != MState::Waiting {
                    return bad();
                }
                let mc = self.contacts.get_mut(&c).unwrap();
                mc.state = MState::Refused;
                mc.terminals += 1;
                self.refused += 1;
            }
        }
        if self.contacts[&c].terminals > 1 {
            return Err(format!("contact {c} ended twice"));
        }
        Ok(())
    }

    /// The router's views agree with the model (only when no event is held back).
    pub(super) fn compare(&self, r: &Router) -> Result<(), String> {
        r.check_invariants()?;
        let now = r.now();
        let mut holders: BTreeMap<String, String> = BTreeMap::new();
        for a in r.agent_ids() {
            if !self.agents.contains_key(&a) {
                return Err(format!("router has agent {a} the model does not"));
            }
            for c in r.agent_view(&a).map_err(|e| e.to_string())?.contacts {
                if let Some(other) = holders.insert(c.clone(), a.clone()) {
                    return Err(format!("contact {c} held by {other} and {a}"));
                }
            }
        }
        if r.agent_ids().len() != self.agents.len() {
            return Err("agent sets differ".into());
        }
        for (id, mc) in &self.contacts {
            if mc.state == MState::Refused {
                // Refused in a batch: as after a single submit, its id is free.
                if r.contact_view(id).is_ok() {
                    return Err(format!(
                        "refused contact {id} is still known (its id must be free)"
                    ));
                }
                continue;
            }
            let v = r.contact_view(id).map_err(|e| format!("view of {id}: {e}"))?;
            let want = match &mc.state {
                MState::Waiting => ContactStatus::Waiting,
                MState::Offered(_) => ContactStatus::Offered,
                MState::Assigned(_) => ContactStatus::Assigned,
                MState::Completed => ContactStatus::Completed,
                MState::Abandoned => ContactStatus::Abandoned,
                MState::Refused => ContactStatus::Refused,
            };
            if v.status != want {
                return Err(format!(
                    "contact {id}: router says {}, model {:?}",
                    v.status, mc.state
                ));
            }
            if want.is_terminal() != (mc.terminals == 1) {
                return Err(format!(
                    "contact {id}: {} terminal events for status {want}",
                    mc.terminals
                ));
            }
            let holder = self.live_holder(id);
            if holders.get(id).map(String::as_str) != holder {
                return Err(format!(
                    "contact {id}: held by {:?} per agents, {holder:?} per model",
                    holders.get(id)
                ));
            }
            if !want.is_terminal() {
                if v.agent.as_deref() != holder {
                    return Err(format!(
                        "contact {id}: view agent {:?}, model {holder:?}",
                        v.agent
                    ));
                }
                if v.step != mc.step {
                    return Err(format!(
                        "contact {id}: router at step {}, model at {}",
                        v.step, mc.step
                    ));
                }
                let reqs: BTreeMap<String, u8> = v.requires.into_iter().collect();
                if reqs != mc.reqs[mc.step] {
                    return Err(format!(
                        "contact {id}: requires {reqs:?}, model {:?}",
                        mc.reqs[mc.step]
                    ));
                }
                if v.queue != mc.queue {
                    return Err(format!("contact {id}: in queue {}, model {}", v.queue, mc.queue));
                }
                if want != ContactStatus::Assigned {
                    // The overflow targets never fill up (only q1 is limited), so a due
                    // overflow has always happened.
                    if let Some((_, after)) = overflow_of(&mc.queue) {
                        if mc.entered + after <= now {
                            return Err(format!(
                                "contact {id}: overflow from {} due at {} not done at {now}",
                                mc.queue,
                                mc.entered + after
                            ));
                        }
                    }
                    // A conditional step may wait for its condition: only
                    // the steps before the first conditional one must be in.
                    let due = mc
                        .afters
                        .iter()
                        .zip(&mc.conds)
                        .take_while(|(_, c)| !**c)
                        .filter(|(a, _)| mc.arrival + **a <= now)
                        .count();
                    if mc.step < due || (!mc.conds.iter().any(|c| *c) && mc.step != due) {
                        return Err(format!(
                            "contact {id}: {} steps applied at {now}, {due} due",
                            mc.step
                        ));
                    }
                }
            }
        }
        let stats = r.stats();
        for q in &stats {
            let arrivals: Vec<f64> = self
                .contacts
                .values()
                .filter(|c| {
                    c.queue == q.name && matches!(c.state, MState::Waiting | MState::Offered(_))
                })
                .map(|c| c.arrival)
                .collect();
            let offering = self
                .contacts
                .values()
                .filter(|c| c.queue == q.name && matches!(c.state, MState::Offered(_)))
                .count();
            let longest = arrivals.iter().map(|a| now - a).fold(0.0, f64::max);
            if q.waiting != arrivals.len()
                || q.offering != offering
                || (q.longest_wait - longest).abs() > 1e-9
            {
                return Err(format!(
                    "queue {}: waiting {} offering {} longest {} but model {} {} {longest}",
                    q.name,
                    q.waiting,
                    q.offering,
                    q.longest_wait,
                    arrivals.len(),
                    offering
                ));
            }
        }
        let entered: u64 =
            stats.iter().map(|s| s.counters.offered - s.counters.overflowed_in).sum();
        let refused: u64 = stats.iter().map(|s| s.counters.refused).sum();
        if entered + refused != self.submitted || refused != self.refused {
            return Err(format!(
                "queues count {entered} entered + {refused} refused, model {} submitted, {} refused",
                self.submitted, self.refused
            ));
        }
        Ok(())
    }
}
