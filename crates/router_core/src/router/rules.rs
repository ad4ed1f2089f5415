//! Exception rules: a queue's triggers (a contact's wait, the queue's
//! length, its rolling service level, nobody logged in) and what they do
//! to the contact they fire for (alert, overflow, update, offer a
//! callback, cancel). See [`crate::model::Rule`].
//!
//! A contact-level trigger is a timer set when the contact enters the
//! queue; queue-level triggers are read at each arrival, and only for
//! queues that have rules, so rules cost the others nothing.

use super::timers::TimerKind;
use super::Router;
use crate::error::{Error, Result};
use crate::event::Event;
use crate::model::{QueueConfig, Requirements, RuleAction, Trigger, MAX_LEVEL, MIN_LEVEL};
use crate::types::{AgentState, ContactStatus, Id, OrdF64, Time};
use rustc_hash::FxHashMap;
use std::collections::VecDeque;

/// A queue's compiled rules.
#[derive(Debug, Clone)]
pub(super) struct QueueRules {
    pub rules: Vec<CRule>,
    /// The longest `sl_below` window (0: none), how long outcomes are kept.
    pub window: Time,
    /// Whether any rule is read at arrivals (a queue-level trigger).
    pub at_arrival: bool,
}

/// One compiled rule.
#[derive(Debug, Clone)]
pub(super) struct CRule {
    pub name: Id,
    pub trigger: CTrigger,
    pub action: CAction,
}

#[derive(Debug, Clone, Copy)]
pub(super) enum CTrigger {
    Wait(Time),
    Waiting(usize),
    Sl { fraction: f64, window: Time },
    NoAgent,
}

impl CTrigger {
    fn name(self) -> &'static str {
        match self {
            CTrigger::Wait(_) => "wait_longer_than",
            CTrigger::Waiting(_) => "waiting_more_than",
            CTrigger::Sl { .. } => "sl_below",
            CTrigger::NoAgent => "no_agent_logged_in",
        }
    }
}

#[derive(Debug, Clone)]
pub(super) enum CAction {
    Alert,
    Overflow(u32),
    Update { priority: Option<i64>, requires: Option<Requirements> },
    OfferCallback,
    Cancel(Id),
}

impl CAction {
    fn name(&self) -> &'static str {
        match self {
            CAction::Alert => "alert",
            CAction::Overflow(_) => "overflow",
            CAction::Update { .. } => "update",
            CAction::OfferCallback => "offer_callback",
            CAction::Cancel(_) => "cancel",
        }
    }
}

/// Outcomes (end time, within the threshold) of a queue's contacts over
/// its longest `sl_below` window, with their running counts.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub(super) struct Outcomes {
    pub ended: VecDeque<(Time, bool)>,
    /// Of `ended`: how many, how many within the threshold.
    pub n: u64,
    pub ok: u64,
}

impl Outcomes {
    /// Forgets the outcomes at or before `since`.
    fn expire(&mut self, since: Time) {
        while let Some(&(t, in_sl)) = self.ended.front() {
            if t > since {
                break;
            }
            self.ended.pop_front();
            self.n -= 1;
            self.ok -= u64::from(in_sl);
        }
    }
}

/// Compiles a queue's rules (`None`: it has none).
pub(super) fn compile(
    q: &QueueConfig,
    queue_ids: &FxHashMap<String, u32>,
) -> Result<Option<Box<QueueRules>>> {
    if q.rules.is_empty() {
        return Ok(None);
    }
    let mut rules = Vec::with_capacity(q.rules.len());
    let mut window: Time = 0.0;
    let mut at_arrival = false;
    for (i, r) in q.rules.iter().enumerate() {
        let what = format!("queue {:?}: rules[{i}] ({:?})", q.name, r.name);
        if r.name.is_empty() {
            return Err(Error::invalid(format!("queue {:?}: rules[{i}] has no name", q.name)));
        }
        if q.rules[..i].iter().any(|o| o.name == r.name) {
            return Err(Error::invalid(format!(
                "queue {:?}: rule name {:?} is used twice",
                q.name, r.name
            )));
        }
        let trigger = match r.trigger {
            Trigger::WaitLongerThan(t) => {
                crate::types::check_time(&format!("{what}: wait_longer_than"), t)?;
                CTrigger::Wait(t)
            }
            Trigger::WaitingMoreThan(n) => CTrigger::Waiting(n),
            Trigger::SlBelow { fraction, window: w } => {
                if !(0.0..=1.0).contains(&fraction) {
                    return Err(Error::invalid(format!(
                        "{what}: sl_below fraction {fraction} is not between 0 and 1"
                    )));
                }
                if !(w.is_finite() && w > 0.0) {
                    return Err(Error::invalid(format!(
                        "{what}: sl_below window {w} is not a positive number of seconds"
                    )));
                }
                window = window.max(w);
                CTrigger::Sl { fraction, window: w }
            }
            Trigger::NoAgentLoggedIn => CTrigger::NoAgent,
        };
        at_arrival |= !matches!(trigger, CTrigger::Wait(_));
        let action = match &r.action {
            RuleAction::Alert => CAction::Alert,
            RuleAction::OfferCallback => CAction::OfferCallback,
            RuleAction::Overflow(to) => {
                if *to == q.name {
                    return Err(Error::invalid(format!("{what}: overflows to the queue itself")));
                }
                let t = queue_ids.get(to).copied().ok_or_else(|| {
                    Error::invalid(format!("{what}: overflow to unknown queue {to:?}"))
                })?;
                CAction::Overflow(t)
            }
            RuleAction::Update { priority, requires } => {
                if priority.is_none() && requires.is_none() {
                    return Err(Error::invalid(format!(
                        "{what}: update changes nothing (give priority or requires)"
                    )));
                }
                for (skill, level) in requires.iter().flatten() {
                    if skill.is_empty() || !(MIN_LEVEL..=MAX_LEVEL).contains(level) {
                        return Err(Error::invalid(format!(
                            "{what}: requirement {skill:?} level {level} is not a named skill at level {MIN_LEVEL}-{MAX_LEVEL}"
                        )));
                    }
                }
                CAction::Update { priority: *priority, requires: requires.clone() }
            }
            RuleAction::Cancel(reason) => {
                if reason.is_empty() {
                    return Err(Error::invalid(format!("{what}: cancel needs a reason")));
                }
                CAction::Cancel(Id::from(reason.as_str()))
            }
        };
        rules.push(CRule { name: Id::from(r.name.as_str()), trigger, action });
    }
    Ok(Some(Box::new(QueueRules { rules, window, at_arrival })))
}

fn r_name(q: &super::Queue, i: usize) -> Id {
    q.rules.as_ref().map_or_else(|| Id::from(""), |r| r.rules[i].name.clone())
}

impl Router {
    /// Sets the timers of a contact's `wait_longer_than` rules, from its
    /// entry into its queue (those already past, when a reconfiguration
    /// re-times it, are not set again).
    pub(super) fn time_rules(&mut self, ci: u32) {
        self.time_next_rule(ci, None);
    }

    /// Schedules the first `wait_longer_than` rule of the contact's queue
    /// due after rule `after` (in (time, index) order; `None`: the first
    /// not yet passed): one timer per contact at a time, the next set when
    /// it fires.
    fn time_next_rule(&mut self, ci: u32, after: Option<(Time, u32)>) {
        let c = self.contact(ci);
        let (seq, q, entered) = (c.seq, c.queue, c.queue_entered);
        let Some(rules) = self.queues[q as usize].rules.as_ref() else { return };
        let now = self.now;
        let next = rules
            .rules
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match r.trigger {
                CTrigger::Wait(t) => Some((t, i as u32)),
                _ => None,
            })
            .filter(|&(t, i)| match after {
                Some(a) => (OrdF64(t), i) > (OrdF64(a.0), a.1),
                // Passed before a reconfiguration re-timed it: fired already.
                None => entered + t >= now,
            })
            .min_by_key(|&(t, i)| (OrdF64(t), i));
        if let Some((t, rule)) = next {
            let kind = TimerKind::Rule { ci, seq, queue: q, entered: OrdF64(entered), rule };
            self.schedule(entered + t, kind);
        }
    }

    /// Records an answer or an abandonment for `sl_below` rules.
    #[inline]
    pub(super) fn note_outcome(&mut self, q: usize, in_sl: bool) {
        let now = self.now;
        let queue = &mut self.queues[q];
        if let Some(o) = queue.outcomes.as_mut() {
            let keep = queue.rules.as_ref().map_or(0.0, |r| r.window);
            o.ended.push_back((now, in_sl));
            o.n += 1;
            o.ok += u64::from(in_sl);
            o.expire(now - keep);
        }
    }

    /// The service level of queue `q` over the last `window` seconds, if
    /// any contact ended then: the running counts for the queue's longest
    /// window, a count from the newest outcome back for a shorter one.
    fn window_sl(&mut self, q: usize, window: Time) -> Option<f64> {
        let now = self.now;
        let queue = &mut self.queues[q];
        let keep = queue.rules.as_ref().map_or(0.0, |r| r.window);
        let o = queue.outcomes.as_mut()?;
        o.expire(now - keep);
        let (n, ok) = if window >= keep {
            (o.n, o.ok)
        } else {
            let since = now - window;
            let (mut n, mut ok) = (0u64, 0u64);
            for &(t, in_sl) in o.ended.iter().rev() {
                if t <= since {
                    break;
                }
                n += 1;
                ok += u64::from(in_sl);
            }
            (n, ok)
        };
        (n > 0).then(|| ok as f64 / n as f64)
    }

    /// Whether an agent who serves queue `q` is logged in.
    fn anyone_logged_in(&self, q: u32) -> bool {
        self.agents
            .iter()
            .flatten()
            .any(|a| a.state != AgentState::Offline && self.index.serves(a.profile, q).is_some())
    }

    /// Reads the queue-level rules of an arriving contact's queue and
    /// applies those that hold. Returns whether the contact left the
    /// queue (moved, and routed there, or cancelled).
    #[cold]
    #[inline(never)]
    pub(super) fn arrival_rules(&mut self, ci: u32, ev: &mut Vec<Event>) -> bool {
        let q = self.contact(ci).queue;
        let Some(rules) = self.queues[q as usize].rules.as_ref() else { return false };
        if !rules.at_arrival {
            return false;
        }
        let n = rules.rules.len();
        for i in 0..n {
            let Some(r) = self.queues[q as usize].rules.as_ref().and_then(|r| r.rules.get(i))
            else {
                break; // a rule moved the contact out of the queue's reach
            };
            let (trigger, alert) = (r.trigger, matches!(r.action, CAction::Alert));
            let holds = match trigger {
                CTrigger::Wait(_) => continue,
                CTrigger::Waiting(n) => self.queues[q as usize].live.len() > n,
                CTrigger::Sl { fraction, window } => {
                    self.window_sl(q as usize, window).is_some_and(|sl| sl < fraction)
                }
                CTrigger::NoAgent => !self.anyone_logged_in(q),
            };
            if alert {
                // Once per crossing.
                let crossed = std::mem::replace(&mut self.queues[q as usize].crossed[i], holds);
                if holds && !crossed {
                    self.apply_rule(ci, q, i, ev);
                }
            } else if holds && self.apply_rule(ci, q, i, ev) {
                if self.contacts.get(ci as usize).is_some_and(|c| c.queue != q) {
                    // Moved before it joined a group: it waits in its new
                    // queue's, and is routed there.
                    self.enqueue(ci);
                    self.route_contact(ci, ev);
                }
                return true;
            }
        }
        false
    }

    /// A `wait_longer_than` rule's timer: applies it to the contact if it
    /// still waits (not offered) in that queue since then. Returns the
    /// contact to route when the rule changed it.
    pub(super) fn fire_rule(
        &mut self,
        ci: u32,
        queue: u32,
        entered: Time,
        rule: u32,
        ev: &mut Vec<Event>,
    ) -> Option<u32> {
        let c = self.contact(ci);
        if c.queue != queue || c.queue_entered != entered {
            return None; // it moved: its new queue timed its own rules
        }
        let (seq, waiting) = (c.seq, c.status == ContactStatus::Waiting);
        let wait = match self.queues[queue as usize]
            .rules
            .as_ref()
            .and_then(|r| r.rules.get(rule as usize))
        {
            Some(CRule { trigger: CTrigger::Wait(t), .. }) => *t,
            _ => return None, // a rule since replaced (a restored, damaged timer)
        };
        if waiting {
            self.apply_rule(ci, queue, rule as usize, ev);
        }
        let here = |r: &Self| {
            matches!(r.contacts.get(ci as usize),
                     Some(c) if c.seq == seq && c.queue == queue && c.queue_entered == entered)
        };
        if here(self) && self.contact(ci).status != ContactStatus::Assigned {
            self.time_next_rule(ci, Some((wait, rule))); // an offered contact may wait again
        }
        (waiting
            && matches!(self.contacts.get(ci as usize),
                             Some(c) if c.seq == seq && c.status == ContactStatus::Waiting))
        .then_some(ci)
    }

    /// Applies rule `i` of queue `q` to contact `ci` (an `Exception`
    /// event first). Returns whether the contact left the queue.
    fn apply_rule(&mut self, ci: u32, q: u32, i: usize, ev: &mut Vec<Event>) -> bool {
        let rules = self.queues[q as usize].rules.as_ref().expect("a queue with rules");
        let r = &rules.rules[i];
        let (name, trigger, action) = (r.name.clone(), r.trigger, r.action.clone());
        self.queues[q as usize].counters.exceptions += 1;
        let (queue, channel) = self.tags(ci);
        let reason = match &action {
            CAction::Cancel(reason) => reason.clone(),
            _ => Id::from(""),
        };
        ev.push(Event::Exception {
            contact: self.contact(ci).id.clone(),
            queue,
            channel,
            rule: name,
            trigger: Id::from(trigger.name()),
            action: Id::from(action.name()),
            reason,
            at: self.now,
        });
        match action {
            CAction::Alert | CAction::OfferCallback => false,
            CAction::Overflow(to) => {
                if self.queue_full(to) {
                    return false; // the target is full: the contact stays
                }
                self.move_waiting(ci, q, to, ev);
                true
            }
            CAction::Update { priority, requires } => {
                let in_group = self.contact(ci).slot.is_some();
                if in_group {
                    self.dequeue(ci);
                }
                if let Some(p) = priority {
                    self.contact_mut(ci).priority = p;
                }
                if let Some(reqs) = requires {
                    let what = format!(
                        "rule {:?} of queue {:?}",
                        &*r_name(&self.queues[q as usize], i),
                        self.queues[q as usize].name
                    );
                    let reqs = match self.compile_skills(|| what.clone(), &reqs) {
                        Ok(r) => r,
                        Err(_) => return false, // checked at configuration
                    };
                    let mut sel = self.contact_mut(ci).sel.take();
                    if let Some(s) = sel.as_mut() {
                        s.steps.clear();
                    }
                    let sig = self.sig_with(reqs, sel.as_deref(), self.now);
                    let c = self.contact_mut(ci);
                    c.sel = sel;
                    c.sig = sig;
                    c.steps.clear();
                    c.step = 0;
                }
                self.contact_mut(ci).version += 1;
                if in_group {
                    self.enqueue(ci);
                }
                false
            }
            CAction::Cancel(_) => {
                self.dequeue(ci);
                self.queues[q as usize].counters.cancelled += 1;
                self.finish(ci, ContactStatus::Cancelled);
                true
            }
        }
    }
}
