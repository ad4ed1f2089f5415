//! A router's agent-selection policy: one built-in policy, a tie-breaker
//! chain of them, or a weighted score over named features.
//!
//! Every form is an ordering key on agents plus, for skill-dependent parts,
//! a score per skill profile; so the router keeps each ready group sorted
//! by the agent part and a decision compares only group heads.

use super::most_skilled::level_sum;
use super::{AgentFacts, PolicyKind};
use crate::types::{OrdF64, Time};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Most components a key has (the longest chain).
pub const KEY_LEN: usize = 4;

/// An agent ordering key, smaller first.
pub type Key = [OrdF64; KEY_LEN];

/// A feature of the weighted policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Feature {
    /// Sum of the agent's levels on the contact's required skills.
    Skill,
    /// Sum of the agent's levels on the contact's preferred skills.
    Preferred,
    /// The agent's level on one named skill (0 without it).
    Level(u32, String),
    /// Seconds since the agent became idle.
    Idle,
    /// Used / total capacity units.
    Load,
    /// Contacts completed.
    Handled,
    /// Free capacity units.
    Free,
}

impl Feature {
    /// Names accepted by [`Feature::parse`] (besides `level:<skill>`).
    pub const NAMES: [&'static str; 6] = ["skill", "preferred", "idle", "load", "handled", "free"];

    /// Parses a feature name; `level:<skill>` interns the skill with `intern`.
    pub fn parse(name: &str, intern: impl FnOnce(&str) -> u32) -> crate::Result<Feature> {
        Ok(match name {
            "skill" => Feature::Skill,
            "preferred" => Feature::Preferred,
            "idle" => Feature::Idle,
            "load" => Feature::Load,
            "handled" => Feature::Handled,
            "free" => Feature::Free,
            _ => match name.strip_prefix("level:") {
                Some(skill) if !skill.is_empty() => Feature::Level(intern(skill), skill.to_owned()),
                _ => {
                    return Err(crate::Error::invalid(format!(
                        "unknown feature {name:?}; features are {}, level:<skill>",
                        Feature::NAMES.join(", ")
                    )))
                }
            },
        })
    }

    /// The feature's name.
    pub fn name(&self) -> String {
        match self {
            Feature::Skill => "skill".into(),
            Feature::Preferred => "preferred".into(),
            Feature::Level(_, s) => format!("level:{s}"),
            Feature::Idle => "idle".into(),
            Feature::Load => "load".into(),
            Feature::Handled => "handled".into(),
            Feature::Free => "free".into(),
        }
    }
}

/// The agent-selection policy of a router (serde forms in `crate::forms`).
#[derive(Clone, Debug, PartialEq)]
pub enum Policy {
    /// Built-in policies applied in order, each breaking the ties of the
    /// one before (a single policy is a chain of one). Ties left fall to
    /// longest idle, then agent id.
    Chain(Vec<PolicyKind>),
    /// The highest `Σ weight × feature` wins; ties to longest idle, then id.
    Weighted(Vec<(Feature, f64)>),
}

impl From<PolicyKind> for Policy {
    fn from(kind: PolicyKind) -> Self {
        Policy::Chain(vec![kind])
    }
}

impl Policy {
    /// Checks the policy: a non-empty chain of at most [`KEY_LEN`] policies
    /// with `random` only alone; finite weights.
    pub fn validate(&self) -> crate::Result<()> {
        match self {
            Policy::Chain(kinds) => {
                if kinds.is_empty() {
                    return Err(crate::Error::invalid("a policy chain needs at least one policy"));
                }
                if kinds.len() > KEY_LEN {
                    return Err(crate::Error::invalid(format!(
                        "a policy chain takes at most {KEY_LEN} policies, got {}",
                        kinds.len()
                    )));
                }
                if kinds.len() > 1 && kinds.contains(&PolicyKind::Random) {
                    return Err(crate::Error::invalid(
                        "\"random\" cannot be part of a chain; use it alone",
                    ));
                }
            }
            Policy::Weighted(ws) => {
                if ws.is_empty() {
                    return Err(crate::Error::invalid(
                        "a weighted policy needs at least one feature",
                    ));
                }
                for (f, w) in ws {
                    if !w.is_finite() {
                        return Err(crate::Error::invalid(format!(
                            "weight {w} of feature {:?} is not a finite number",
                            f.name()
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether the policy is the seeded uniform draw.
    pub fn is_random(&self) -> bool {
        matches!(self, Policy::Chain(k) if k == &[PolicyKind::Random])
    }

    /// Whether the policy's score depends on the skill profile.
    pub fn scores_profiles(&self) -> bool {
        match self {
            Policy::Chain(kinds) => kinds.contains(&PolicyKind::MostSkilled),
            Policy::Weighted(ws) => ws.iter().any(|(f, _)| {
                matches!(f, Feature::Skill | Feature::Preferred | Feature::Level(..))
            }),
        }
    }

    /// Whether [`Policy::rank`] is the agent key itself (no profile
    /// part): a ready group is then already in rank order.
    pub fn ranks_by_key(&self) -> bool {
        matches!(self, Policy::Chain(kinds) if !kinds.contains(&PolicyKind::MostSkilled))
    }

    /// The agent part of the key (what orders a ready group).
    pub fn agent_key(&self, a: &AgentFacts, idle_since: Time) -> Key {
        let mut key = [OrdF64(0.0); KEY_LEN];
        match self {
            Policy::Chain(kinds) if matches!(kinds[..], [PolicyKind::LongestIdle]) => {
                key[0] = OrdF64(idle_since)
            }
            Policy::Chain(kinds) => {
                for (k, kind) in key.iter_mut().zip(kinds) {
                    *k = OrdF64(match kind {
                        PolicyKind::LongestIdle => idle_since,
                        _ => kind.primary_key(a),
                    });
                }
            }
            Policy::Weighted(ws) => {
                // Higher score first, so the key is the negated agent part;
                // `idle` is `now − idle_since`, the same `now` for everyone.
                let part: f64 = ws
                    .iter()
                    .map(|(f, w)| {
                        w * match f {
                            Feature::Idle => -idle_since,
                            Feature::Load => f64::from(a.used) / f64::from(a.capacity.max(1)),
                            Feature::Handled => a.handled as f64,
                            Feature::Free => f64::from(a.capacity - a.used),
                            Feature::Skill | Feature::Preferred | Feature::Level(..) => 0.0,
                        }
                    })
                    .sum();
                key[0] = OrdF64(-part);
            }
        }
        key
    }

    /// The full rank of a group head for a contact: the head's agent key
    /// combined with the profile's score; `bonus`: the points of the
    /// contact's selector preferences the agent meets, added to its
    /// preferred-skill sum. Smaller wins.
    pub fn rank(
        &self,
        head: &Key,
        profile: &[(u32, u8)],
        requires: &[(u32, u8)],
        prefers: &[(u32, u8)],
        bonus: u32,
    ) -> Key {
        let mut rank = *head;
        match self {
            Policy::Chain(kinds) => {
                for (r, kind) in rank.iter_mut().zip(kinds) {
                    if *kind == PolicyKind::MostSkilled {
                        let req = level_sum(profile, requires);
                        let pref = level_sum(profile, prefers) + bonus;
                        *r = OrdF64(-(f64::from(req) * 4096.0 + f64::from(pref)));
                    }
                }
            }
            Policy::Weighted(ws) => {
                let part: f64 = ws
                    .iter()
                    .map(|(f, w)| {
                        w * match f {
                            Feature::Skill => f64::from(level_sum(profile, requires)),
                            Feature::Preferred => f64::from(level_sum(profile, prefers) + bonus),
                            Feature::Level(s, _) => profile
                                .binary_search_by_key(s, |(ps, _)| *ps)
                                .map_or(0.0, |i| f64::from(profile[i].1)),
                            _ => 0.0,
                        }
                    })
                    .sum();
                rank[0] = OrdF64(head[0].0 - part);
            }
        }
        rank
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Policy::Chain(kinds) if kinds.len() == 1 => f.write_str(kinds[0].name()),
            Policy::Chain(kinds) => {
                let names: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
                write!(f, "chain({})", names.join(", "))
            }
            Policy::Weighted(ws) => {
                let parts: Vec<String> =
                    ws.iter().map(|(ft, w)| format!("{}={w}", ft.name())).collect();
                write!(f, "weighted({})", parts.join(", "))
            }
        }
    }
}
