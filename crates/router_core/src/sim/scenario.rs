//! The scenario a simulation runs: the router's options, agent groups,
//! contact types, horizon and seed. Deserialised from JSON (the Python
//! package builds it from YAML, TOML or objects) and checked by
//! [`Scenario::validate`], whose errors name the offending field
//! (`contact_types[2].handle_time.mean`).
//!
//! Channels, queues, routing profiles, relaxation steps and the policy are
//! the core's own records in their human-readable form (see
//! `crate::forms`): a field the router gains reaches the scenario with it.
//! Of the router's options, only those in [`NOT_SIMULATED`] have no place
//! in a scenario.
//!
//! Units: times in seconds; arrival rates in contacts per second.

use super::dist::Dist;
use crate::error::{Error, Result};
use crate::model::{
    ChannelConfig, QueueConfig, Requirements, RoutingProfile, StepSpec, TransferMode, MAX_LEVEL,
    MIN_LEVEL,
};
use crate::policy::{Policy, PolicyKind};
use serde::{Deserialize, Serialize};

/// The fields of [`crate::RouterConfig`] a scenario does not carry, and why:
///
/// * `offer_timeout`, `missed_offer_state`, `exclusion_expires_after`:
///   simulated agents take what they are given (auto-accept), so there are
///   no offers to time out, reject or miss;
/// * `retain_finished`: the simulator keeps nothing of ended contacts (0);
/// * `plugin`: a plug-in scorer is attached to a run, not to the scenario;
/// * `seed`: the router's generator is seeded per replication from the
///   scenario's own `seed`.
///
/// Every other field of the router's configuration is a field of
/// [`Scenario`] with the same name and form.
pub const NOT_SIMULATED: [&str; 6] = [
    "offer_timeout",
    "missed_offer_state",
    "exclusion_expires_after",
    "retain_finished",
    "plugin",
    "seed",
];

/// A simulation scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A label for reports.
    #[serde(default)]
    pub name: String,
    /// The channels.
    pub channels: Vec<ChannelConfig>,
    /// The queues.
    pub queues: Vec<QueueConfig>,
    /// Routing profiles agent groups may name.
    #[serde(default)]
    pub routing_profiles: Vec<RoutingProfile>,
    /// The agents, by group.
    pub agent_groups: Vec<AgentGroup>,
    /// The kinds of contacts that arrive.
    pub contact_types: Vec<ContactType>,
    /// Arrivals happen in `[0, duration)`; afterwards the center drains.
    pub duration: f64,
    /// Contacts arriving before this time are not counted; time-based
    /// figures (occupancy) start here.
    #[serde(default)]
    pub warmup: f64,
    /// Number of replications.
    #[serde(default = "one")]
    pub replications: u32,
    /// Seed of replication 0 (the others derive from it).
    #[serde(default)]
    pub seed: u64,
    /// Length of the intervals of the per-interval series, in seconds.
    #[serde(default = "quarter_hour")]
    pub interval: f64,
    /// The agent-selection policy: a built-in name, `{chain: [names]}` or
    /// `{weighted: {feature: weight}}`.
    #[serde(default = "longest_idle")]
    pub policy: Policy,
    /// Last-agent affinity for returning customers.
    #[serde(default)]
    pub affinity: bool,
    /// Seconds a returning customer waits for their last agent.
    #[serde(default)]
    pub affinity_wait: f64,
    /// Seconds between checks of a conditional step's condition.
    #[serde(default = "five")]
    pub condition_interval: f64,
    /// Batch mode: solve the assignment of everything waiting every this
    /// many seconds instead of routing each event at once.
    #[serde(default)]
    pub batch_window: Option<f64>,
    /// What validation does with a contact type no agent group can ever
    /// serve (see [`Scenario::unservable_types`]).
    #[serde(default)]
    pub unservable: Unservable,
    /// The wall-clock instant of simulated time 0, in seconds since the
    /// Unix epoch: what queues' opening hours read the simulated time
    /// against (a day starting at local midnight, a Monday, ...).
    #[serde(default)]
    pub epoch: f64,
}

/// What to do with a contact type that no agent group can ever serve: its
/// contacts would only wait (or abandon), which the figures show but a
/// scenario rarely means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unservable {
    /// Accept the scenario; the caller reports [`Scenario::unservable_types`].
    #[default]
    Warn,
    /// Refuse the scenario with an error naming the first such type.
    Refuse,
}

fn one() -> u32 {
    1
}
fn quarter_hour() -> f64 {
    900.0
}
fn longest_idle() -> Policy {
    PolicyKind::LongestIdle.into()
}
fn five() -> f64 {
    5.0
}

/// Identical agents: same skills, capacity, channels and shifts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentGroup {
    /// Group name (agent ids in reports are `name-k`).
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Skills with levels 1–10 (`{skill: level}`).
    #[serde(default, with = "crate::forms::pairs")]
    pub skills: Vec<(String, u8)>,
    /// Capacity units per agent.
    #[serde(default = "hundred")]
    pub capacity: u32,
    /// Per-channel maxima (`{channel: max}`); `None` serves every channel
    /// at its default.
    #[serde(default, with = "crate::forms::option_pairs")]
    pub channels: Option<Vec<(String, u32)>>,
    /// The agents' routing profile (`None`: every queue, priority 0, no delay).
    #[serde(default)]
    pub routing_profile: Option<String>,
    /// `(start, end)` times when the agents are available, in order and not
    /// overlapping; empty means available throughout.
    #[serde(default)]
    pub shifts: Vec<(f64, f64)>,
    /// Typed attributes of every agent of the group, read by selectors
    /// (`group` is set to the group's name unless given).
    #[serde(default)]
    pub attributes: crate::types::Attrs,
}

fn hundred() -> u32 {
    100
}

/// A kind of contact: where it goes, what it needs and how it behaves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactType {
    /// Type name.
    pub name: String,
    /// Channel name.
    pub channel: String,
    /// Queue name.
    pub queue: String,
    /// Priority (higher first).
    #[serde(default)]
    pub priority: i64,
    /// Required skills at a minimum level (`{skill: level}`).
    #[serde(default, with = "crate::forms::pairs")]
    pub requires: Requirements,
    /// Preferred skills (score only).
    #[serde(default, with = "crate::forms::pairs")]
    pub prefers: Requirements,
    /// Relaxation steps, conditional ones included.
    #[serde(default)]
    pub steps: Vec<StepSpec>,
    /// Which agents may take these contacts beyond their skills (the
    /// selector language).
    #[serde(default)]
    pub selector: crate::selector::Selector,
    /// Structured selector clauses.
    #[serde(default)]
    pub selectors: Vec<crate::model::SelectorClause>,
    /// Weighted selector preferences.
    #[serde(default)]
    pub preferences: Vec<crate::model::Preference>,
    /// The arrival process.
    pub arrivals: Arrivals,
    /// Handle-time distribution (a trace may give its own per row).
    pub handle_time: Dist,
    /// Patience distribution; `None`: nobody abandons.
    #[serde(default)]
    pub patience: Option<Dist>,
    /// Share of contacts from a returning customer (for last-agent affinity).
    #[serde(default)]
    pub returning: f64,
    /// Size of the customer population of this type (ids are recycled
    /// beyond it, so memory stays bounded).
    #[serde(default = "customers")]
    pub customers: u32,
    /// Transfers after service, if any.
    #[serde(default)]
    pub transfer: Option<TransferRule>,
    /// Callers who choose a callback, if any.
    #[serde(default)]
    pub callback: Option<CallbackRule>,
    /// Scheduled work, if any.
    #[serde(default)]
    pub scheduled: Option<ScheduledRule>,
}

fn customers() -> u32 {
    10_000
}

fn keep() -> bool {
    true
}
fn three() -> u32 {
    3
}
fn retry() -> f64 {
    300.0
}
fn certain() -> f64 {
    1.0
}
fn call_time() -> f64 {
    20.0
}

/// A share of a type's callers choose a callback after waiting `after`
/// seconds (still unanswered): they leave the line and keep their place
/// (see [`crate::Callback`]); agents then call them. Their patience no
/// longer applies. Reported per queue in `Replication::callbacks`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackRule {
    /// Share of callers who choose a callback (0–1).
    pub share: f64,
    /// Seconds of waiting after which they choose it.
    pub after: f64,
    /// Calls to try.
    #[serde(default = "three")]
    pub number_of_attempts: u32,
    /// Seconds before a call is tried again.
    #[serde(default = "retry")]
    pub retry_after: f64,
    /// Probability that a call is answered.
    #[serde(default = "certain")]
    pub answer_probability: f64,
    /// Seconds an agent spends on a call until it is answered or given up.
    #[serde(default = "call_time")]
    pub call_time: f64,
}

/// A share of a type's contacts are scheduled work: submitted on arrival
/// but entering their queue `delay` later (see `ContactSpec::not_before`);
/// their wait counts from then.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledRule {
    /// Share of contacts scheduled (0–1).
    pub share: f64,
    /// How long after submission they enter their queue.
    pub delay: Dist,
}

/// A share of a type's answered contacts that their agent transfers when
/// the service ends (see [`crate::Router::transfer`]): the contact waits in
/// `queue` again (cold), or waits there while the first agent holds it
/// until an agent of `queue` answers (warm). A contact is transferred at
/// most once. The waits after a transfer are reported per target queue
/// (`Replication::transfers`), apart from the contact's first wait.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferRule {
    /// Share of answered contacts transferred (0–1).
    pub probability: f64,
    /// The queue they go to.
    pub queue: String,
    /// Cold or warm.
    #[serde(default)]
    pub mode: TransferMode,
    /// Keep the routing age (see `TransferSpec::keep_age`).
    #[serde(default = "keep")]
    pub keep_age: bool,
    /// New requirements; `None` keeps the type's.
    #[serde(default, with = "crate::forms::option_pairs")]
    pub requires: Option<Requirements>,
    /// A new channel; `None` keeps the type's.
    #[serde(default)]
    pub channel: Option<String>,
    /// Handle time with the second agent (`None`: the type's).
    #[serde(default)]
    pub handle_time: Option<Dist>,
}

/// How contacts of a type arrive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Arrivals {
    /// Poisson process with a constant rate.
    Poisson {
        /// Contacts per second.
        rate: f64,
    },
    /// Poisson process whose rate is constant within consecutive intervals
    /// starting at 0 (a day's profile); zero after the last one.
    Piecewise {
        /// Interval length in seconds.
        interval: f64,
        /// Contacts per second in each interval.
        rates: Vec<f64>,
    },
    /// Recorded arrivals replayed as they are.
    Trace {
        /// Arrival times, non-decreasing.
        times: Vec<f64>,
        /// Per-row handle times (else drawn from `handle_time`).
        #[serde(default)]
        handle_times: Option<Vec<f64>>,
        /// Per-row patience, `None` for a customer who never abandons (else
        /// drawn from `patience`).
        #[serde(default)]
        patience: Option<Vec<Option<f64>>>,
        /// Per-row priorities (else the type's).
        #[serde(default)]
        priorities: Option<Vec<i64>>,
    },
}

fn bad(what: String) -> Error {
    Error::invalid(what)
}

fn time(what: &str, v: f64) -> Result<()> {
    if v.is_finite() && v >= 0.0 {
        Ok(())
    } else {
        Err(bad(format!("{what}: {v} is not a finite, non-negative number of seconds")))
    }
}

impl Scenario {
    /// Reads a scenario from JSON. Errors: `InvalidInput` naming the field
    /// (`scenario JSON: queues[1].ordering: unknown variant ...`).
    pub fn from_json(text: &str) -> Result<Self> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let s: Scenario = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            match path.as_str() {
                "." => bad(format!("scenario JSON: {}", e.into_inner())),
                _ => bad(format!("scenario JSON: {path}: {}", e.into_inner())),
            }
        })?;
        s.validate()?;
        Ok(s)
    }

    /// The contact types that no agent group can ever serve, each with why
    /// (`contact_types[1] ("fr"): ...`). A group can serve a type when it
    /// has agents, takes the type's channel (a maximum above 0 and enough
    /// capacity units for one contact), meets the requirements of the type
    /// or of one of its relaxation steps and, with a routing profile, serves
    /// the type's queue or a queue it overflows to.
    pub fn unservable_types(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, t) in self.contact_types.iter().enumerate() {
            let Some(channel) = self.channels.iter().find(|c| c.name == t.channel) else {
                continue;
            };
            let queues = self.reachable_queues(&t.queue);
            let meets = |skills: &[(String, u8)], needs: &[(String, u8)]| {
                needs.iter().all(|(s, l)| skills.iter().any(|(k, m)| k == s && m >= l))
            };
            let serves_queue = |g: &AgentGroup| match &g.routing_profile {
                None => true,
                Some(name) => self
                    .routing_profiles
                    .iter()
                    .filter(|p| p.name == *name)
                    .any(|p| p.queues.iter().any(|pq| queues.contains(&pq.queue.as_str()))),
            };
            let can = |g: &AgentGroup| {
                let max = match &g.channels {
                    None => channel.max_per_agent,
                    Some(list) => list.iter().find(|(c, _)| *c == t.channel).map_or(0, |&(_, m)| m),
                };
                g.count > 0
                    && max > 0
                    && g.capacity >= channel.cost
                    && (meets(&g.skills, &t.requires)
                        || t.steps.iter().any(|st| meets(&g.skills, &st.requires)))
                    && serves_queue(g)
            };
            if !self.agent_groups.iter().any(can) {
                let needs = |r: &[(String, u8)]| {
                    if r.is_empty() {
                        "nothing".to_owned()
                    } else {
                        r.iter().map(|(s, l)| format!("{s}>={l}")).collect::<Vec<_>>().join(", ")
                    }
                };
                let mut why = format!("requires {}", needs(&t.requires));
                for st in &t.steps {
                    why.push_str(&format!(", then {} after {} s", needs(&st.requires), st.after));
                }
                out.push(format!(
                    "contact_types[{i}] ({:?}): no agent group can ever serve it ({why} on channel {:?} in queue {:?}); \
                     its contacts can only wait or abandon",
                    t.name, t.channel, t.queue
                ));
            }
        }
        out
    }

    /// The queue and the queues its contacts may overflow to, in order.
    fn reachable_queues<'a>(&'a self, queue: &'a str) -> Vec<&'a str> {
        let mut out = vec![queue];
        let mut at = queue;
        while let Some(to) =
            self.queues.iter().find(|q| q.name == at).and_then(|q| q.overflow.as_ref())
        {
            if out.contains(&to.to.as_str()) {
                break;
            }
            out.push(&to.to);
            at = &to.to;
        }
        out
    }

    /// Checks what the router does not check itself (it validates channels,
    /// queues, agents and contacts when the simulation is built).
    pub fn validate(&self) -> Result<()> {
        if !(self.duration.is_finite() && self.duration > 0.0) {
            return Err(bad(format!(
                "duration: {} is not a positive number of seconds",
                self.duration
            )));
        }
        time("warmup", self.warmup)?;
        if self.warmup >= self.duration {
            return Err(bad(format!(
                "warmup: {} leaves nothing to measure (duration is {})",
                self.warmup, self.duration
            )));
        }
        if self.replications == 0 {
            return Err(bad("replications: must be at least 1".into()));
        }
        if !(self.interval.is_finite() && self.interval > 0.0) {
            return Err(bad(format!(
                "interval: {} is not a positive number of seconds",
                self.interval
            )));
        }
        if self.duration / self.interval > 1e6 {
            return Err(bad(format!("interval: {} makes over a million intervals", self.interval)));
        }
        self.policy.validate().map_err(|e| bad(format!("policy: {e}")))?;
        time("affinity_wait", self.affinity_wait)?;
        if !(self.condition_interval.is_finite() && self.condition_interval > 0.0) {
            return Err(bad(format!(
                "condition_interval: {} is not a positive number of seconds",
                self.condition_interval
            )));
        }
        if let Some(w) = self.batch_window {
            if !(w.is_finite() && w > 0.0) {
                return Err(bad(format!("batch_window: {w} is not a positive number of seconds")));
            }
        }
        if self.agent_groups.is_empty() {
            return Err(bad("agent_groups: a scenario needs at least one agent group".into()));
        }
        if self.contact_types.is_empty() {
            return Err(bad("contact_types: a scenario needs at least one contact type".into()));
        }
        let mut names = std::collections::HashSet::new();
        for (i, g) in self.agent_groups.iter().enumerate() {
            let what = format!("agent_groups[{i}]");
            if g.name.is_empty() || !names.insert(g.name.as_str()) {
                return Err(bad(format!("{what}.name: {:?} is empty or used twice", g.name)));
            }
            let mut prev_end = 0.0;
            for (k, &(start, end)) in g.shifts.iter().enumerate() {
                time(&format!("{what}.shifts[{k}].start"), start)?;
                time(&format!("{what}.shifts[{k}].end"), end)?;
                if end <= start || start < prev_end {
                    return Err(bad(format!(
                        "{what}.shifts[{k}]: ({start}, {end}) must end after it starts and after the previous shift"
                    )));
                }
                prev_end = end;
            }
        }
        let mut names = std::collections::HashSet::new();
        for (i, t) in self.contact_types.iter().enumerate() {
            let what = format!("contact_types[{i}]");
            if t.name.is_empty() || !names.insert(t.name.as_str()) {
                return Err(bad(format!("{what}.name: {:?} is empty or used twice", t.name)));
            }
            t.handle_time.validate(&format!("{what}.handle_time"))?;
            if let Some(p) = &t.patience {
                p.validate(&format!("{what}.patience"))?;
            }
            if !(0.0..=1.0).contains(&t.returning) {
                return Err(bad(format!(
                    "{what}.returning: {} is not a share between 0 and 1",
                    t.returning
                )));
            }
            if t.customers == 0 {
                return Err(bad(format!("{what}.customers: must be at least 1")));
            }
            let share = |name: &str, v: f64| {
                if (0.0..=1.0).contains(&v) {
                    Ok(())
                } else {
                    Err(bad(format!("{what}.{name}: {v} is not a share between 0 and 1")))
                }
            };
            if let Some(cb) = &t.callback {
                share("callback.share", cb.share)?;
                share("callback.answer_probability", cb.answer_probability)?;
                for (name, v) in [
                    ("after", cb.after),
                    ("retry_after", cb.retry_after),
                    ("call_time", cb.call_time),
                ] {
                    if !(v.is_finite() && v >= 0.0) {
                        return Err(bad(format!(
                            "{what}.callback.{name}: {v} is not a finite, non-negative number of seconds"
                        )));
                    }
                }
                if cb.number_of_attempts == 0 {
                    return Err(bad(format!(
                        "{what}.callback.number_of_attempts: must be at least 1"
                    )));
                }
            }
            if let Some(sc) = &t.scheduled {
                share("scheduled.share", sc.share)?;
                sc.delay.validate(&format!("{what}.scheduled.delay"))?;
            }
            if let Some(tr) = &t.transfer {
                let what = format!("{what}.transfer");
                if !(0.0..=1.0).contains(&tr.probability) {
                    return Err(bad(format!(
                        "{what}.probability: {} is not a share between 0 and 1",
                        tr.probability
                    )));
                }
                if !self.queues.iter().any(|q| q.name == tr.queue) {
                    return Err(bad(format!("{what}.queue: unknown queue {:?}", tr.queue)));
                }
                if let Some(ch) = &tr.channel {
                    if !self.channels.iter().any(|c| c.name == *ch) {
                        return Err(bad(format!("{what}.channel: unknown channel {ch:?}")));
                    }
                }
                for (skill, level) in tr.requires.iter().flatten() {
                    if !(MIN_LEVEL..=MAX_LEVEL).contains(level) {
                        return Err(bad(format!(
                            "{what}.requires: level {level} of skill {skill:?} is outside {MIN_LEVEL}-{MAX_LEVEL}"
                        )));
                    }
                }
                if let Some(h) = &tr.handle_time {
                    h.validate(&format!("{what}.handle_time"))?;
                }
            }
            self.validate_arrivals(&format!("{what}.arrivals"), &t.arrivals)?;
        }
        if self.unservable == Unservable::Refuse {
            if let Some(first) = self.unservable_types().into_iter().next() {
                return Err(bad(format!("{first} (unservable: refuse)")));
            }
        }
        Ok(())
    }

    fn validate_arrivals(&self, what: &str, a: &Arrivals) -> Result<()> {
        let rate = |name: String, r: f64| {
            if r.is_finite() && r >= 0.0 {
                Ok(())
            } else {
                Err(bad(format!("{name}: {r} is not a non-negative rate")))
            }
        };
        match a {
            Arrivals::Poisson { rate: r } => rate(format!("{what}.rate"), *r),
            Arrivals::Piecewise { interval, rates } => {
                if !(interval.is_finite() && *interval > 0.0) {
                    return Err(bad(format!(
                        "{what}.interval: {interval} is not a positive number of seconds"
                    )));
                }
                for (k, r) in rates.iter().enumerate() {
                    rate(format!("{what}.rates[{k}]"), *r)?;
                }
                Ok(())
            }
            Arrivals::Trace { times, handle_times, patience, priorities } => {
                let mut prev = 0.0;
                for (k, &t) in times.iter().enumerate() {
                    time(&format!("{what}.times[{k}]"), t)?;
                    if t < prev {
                        return Err(bad(format!(
                            "{what}.times[{k}]: {t} is before the previous arrival {prev}"
                        )));
                    }
                    prev = t;
                }
                let n = times.len();
                let len_ok = |name: &str, len: Option<usize>| match len {
                    Some(l) if l != n => {
                        Err(bad(format!("{what}.{name}: {l} values for {n} arrival times")))
                    }
                    _ => Ok(()),
                };
                len_ok("handle_times", handle_times.as_ref().map(Vec::len))?;
                len_ok("patience", patience.as_ref().map(Vec::len))?;
                len_ok("priorities", priorities.as_ref().map(Vec::len))?;
                for (k, &h) in handle_times.iter().flatten().enumerate() {
                    time(&format!("{what}.handle_times[{k}]"), h)?;
                }
                for (k, p) in patience.iter().flatten().enumerate() {
                    if let Some(p) = p {
                        time(&format!("{what}.patience[{k}]"), *p)?;
                    }
                }
                Ok(())
            }
        }
    }
}
