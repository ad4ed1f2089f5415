//! The scenario a simulation runs: channels, queues, agent groups, contact
//! types, horizon and seed. Deserialised from JSON (the Python package
//! builds it from YAML, TOML or objects) and checked by [`Scenario::validate`],
//! whose errors name the offending field (`contact_types[2].handle_time.mean`).
//!
//! Units: times in seconds; arrival rates in contacts per second.

use super::dist::Dist;
use crate::error::{Error, Result};
use crate::model::{ChannelConfig, Overflow, QueueConfig, StepSpec};
use crate::policy::PolicyKind;
use serde::{Deserialize, Serialize};

/// A channel as a scenario gives it (see [`ChannelConfig`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelDef {
    /// Unique channel name.
    pub name: String,
    /// Capacity units one contact takes.
    #[serde(default = "hundred")]
    pub cost: u32,
    /// Default maximum concurrent contacts per agent.
    #[serde(default = "one")]
    pub max_per_agent: u32,
    /// Seconds of after-contact work.
    #[serde(default)]
    pub wrap_up: f64,
}

impl ChannelDef {
    /// The router's configuration of this channel.
    pub fn config(&self) -> ChannelConfig {
        let mut c = ChannelConfig::new(self.name.clone(), self.cost, self.max_per_agent);
        c.wrap_up = self.wrap_up;
        c
    }
}

/// Overflow of a queue as a scenario gives it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverflowDef {
    /// Target queue.
    pub to: String,
    /// Seconds of waiting before the move.
    pub after: f64,
}

/// A queue as a scenario gives it (see [`QueueConfig`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueDef {
    /// Unique queue name.
    pub name: String,
    /// Service-level target fraction.
    #[serde(default = "eighty")]
    pub sl_target: f64,
    /// Service-level threshold in seconds.
    #[serde(default = "twenty")]
    pub sl_threshold: f64,
    /// Priority points per second of wait.
    #[serde(default)]
    pub aging_rate: f64,
    /// Maximum waiting contacts.
    #[serde(default)]
    pub max_waiting: Option<usize>,
    /// Overflow to another queue.
    #[serde(default)]
    pub overflow: Option<OverflowDef>,
}

fn eighty() -> f64 {
    0.8
}
fn twenty() -> f64 {
    20.0
}

impl QueueDef {
    /// The router's configuration of this queue (core defaults for the rest).
    pub fn config(&self) -> QueueConfig {
        let mut q = QueueConfig::new(self.name.clone());
        q.sl_target = self.sl_target;
        q.sl_threshold = self.sl_threshold;
        q.aging_rate = self.aging_rate;
        q.max_waiting = self.max_waiting;
        q.overflow = self.overflow.as_ref().map(|o| Overflow { to: o.to.clone(), after: o.after });
        q
    }
}

/// A relaxation step as a scenario gives it (see [`StepSpec`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    /// Seconds after arrival.
    pub after: f64,
    /// Requirements from then on.
    #[serde(default)]
    pub requires: Vec<(String, u8)>,
}

impl StepDef {
    /// The router's step (through serde, so that optional fields the core
    /// adds later take their defaults).
    pub fn spec(&self) -> StepSpec {
        let reqs: serde_json::Map<String, serde_json::Value> =
            self.requires.iter().map(|(s, l)| (s.clone(), (*l).into())).collect();
        serde_json::from_value(serde_json::json!({"after": self.after, "requires": reqs}))
            .expect("a step with only `after` and `requires` is a valid StepSpec")
    }
}

/// A simulation scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A label for reports.
    #[serde(default)]
    pub name: String,
    /// The channels.
    pub channels: Vec<ChannelDef>,
    /// The queues.
    pub queues: Vec<QueueDef>,
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
    /// Built-in agent-selection policy name.
    #[serde(default = "longest_idle")]
    pub policy: String,
    /// Last-agent affinity for returning customers.
    #[serde(default)]
    pub affinity: bool,
    /// Seconds a returning customer waits for their last agent.
    #[serde(default)]
    pub affinity_wait: f64,
    /// What validation does with a contact type no agent group can ever
    /// serve (see [`Scenario::unservable_types`]).
    #[serde(default)]
    pub unservable: Unservable,
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
fn longest_idle() -> String {
    "longest_idle".into()
}

/// Identical agents: same skills, capacity, channels and shifts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentGroup {
    /// Group name (agent ids in reports are `name-k`).
    pub name: String,
    /// Number of agents.
    pub count: u32,
    /// Skills with levels 1–10.
    #[serde(default)]
    pub skills: Vec<(String, u8)>,
    /// Capacity units per agent.
    #[serde(default = "hundred")]
    pub capacity: u32,
    /// Per-channel maxima; `None` serves every channel at its default.
    #[serde(default)]
    pub channels: Option<Vec<(String, u32)>>,
    /// `(start, end)` times when the agents are available, in order and not
    /// overlapping; empty means available throughout.
    #[serde(default)]
    pub shifts: Vec<(f64, f64)>,
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
    /// Required skills at a minimum level.
    #[serde(default)]
    pub requires: Vec<(String, u8)>,
    /// Preferred skills (score only).
    #[serde(default)]
    pub prefers: Vec<(String, u8)>,
    /// Relaxation steps.
    #[serde(default)]
    pub steps: Vec<StepDef>,
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
}

fn customers() -> u32 {
    10_000
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
    /// Reads a scenario from JSON. Errors: `InvalidInput` naming the field.
    pub fn from_json(text: &str) -> Result<Self> {
        let s: Scenario =
            serde_json::from_str(text).map_err(|e| bad(format!("scenario JSON: {e}")))?;
        s.validate()?;
        Ok(s)
    }

    /// The policy, parsed.
    pub fn policy_kind(&self) -> Result<PolicyKind> {
        PolicyKind::parse(&self.policy).map_err(|e| bad(format!("policy: {e}")))
    }

    /// The contact types that no agent group can ever serve, each with why
    /// (`contact_types[1] ("fr"): ...`). A group can serve a type when it
    /// has agents, takes the type's channel (a maximum above 0 and enough
    /// capacity units for one contact) and meets the requirements of the
    /// type or of one of its relaxation steps.
    pub fn unservable_types(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, t) in self.contact_types.iter().enumerate() {
            let Some(channel) = self.channels.iter().find(|c| c.name == t.channel) else { continue };
            let meets = |skills: &[(String, u8)], needs: &[(String, u8)]| {
                needs.iter().all(|(s, l)| skills.iter().any(|(k, m)| k == s && m >= l))
            };
            let can = |g: &AgentGroup| {
                let max = match &g.channels {
                    None => channel.max_per_agent,
                    Some(list) => list.iter().find(|(c, _)| *c == t.channel).map_or(0, |&(_, m)| m),
                };
                g.count > 0
                    && max > 0
                    && g.capacity >= channel.cost
                    && (meets(&g.skills, &t.requires) || t.steps.iter().any(|st| meets(&g.skills, &st.requires)))
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
                    "contact_types[{i}] ({:?}): no agent group can ever serve it ({why} on channel {:?}); \
                     its contacts can only wait or abandon",
                    t.name, t.channel
                ));
            }
        }
        out
    }

    /// Checks what the router does not check itself (it validates channels,
    /// queues, agents and contacts when the simulation is built).
    pub fn validate(&self) -> Result<()> {
        if !(self.duration.is_finite() && self.duration > 0.0) {
            return Err(bad(format!("duration: {} is not a positive number of seconds", self.duration)));
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
            return Err(bad(format!("interval: {} is not a positive number of seconds", self.interval)));
        }
        if self.duration / self.interval > 1e6 {
            return Err(bad(format!("interval: {} makes over a million intervals", self.interval)));
        }
        self.policy_kind()?;
        time("affinity_wait", self.affinity_wait)?;
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
                return Err(bad(format!("{what}.returning: {} is not a share between 0 and 1", t.returning)));
            }
            if t.customers == 0 {
                return Err(bad(format!("{what}.customers: must be at least 1")));
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
                    return Err(bad(format!("{what}.interval: {interval} is not a positive number of seconds")));
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
                        return Err(bad(format!("{what}.times[{k}]: {t} is before the previous arrival {prev}")));
                    }
                    prev = t;
                }
                let n = times.len();
                let len_ok = |name: &str, len: Option<usize>| match len {
                    Some(l) if l != n => Err(bad(format!("{what}.{name}: {l} values for {n} arrival times"))),
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
