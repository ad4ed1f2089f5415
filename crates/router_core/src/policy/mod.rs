//! Built-in agent-selection policies.
//!
//! When several free agents are eligible for a contact (agent surplus), the
//! policy picks one. Every built-in policy is an *ordering key* on agents, so
//! the router keeps each group of ready agents sorted by it and a decision
//! only compares the heads of the compatible groups. Ties always fall back
//! to longest idle, then agent id.
//!
//! | policy | key (smaller wins unless said) |
//! |---|---|
//! | [`longest_idle`] | idle since (earliest first) |
//! | [`most_skilled`] | sum of levels on required, then preferred skills (largest first) |
//! | [`least_occupied`] | used / total capacity |
//! | [`fewest_handled`] | contacts completed |
//! | [`round_robin`] | sequence of the agent's last assignment |
//! | [`random`] | uniform draw from the router's seeded generator |

pub mod fewest_handled;
pub mod least_occupied;
pub mod longest_idle;
pub mod most_skilled;
pub mod plugin;
pub mod random;
pub mod round_robin;
mod spec;

pub use spec::{Feature, Key, Policy, KEY_LEN};

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a policy may read of an agent to compute its key.
#[derive(Clone, Copy, Debug)]
pub struct AgentFacts {
    /// Capacity units in use (held, offered or in wrap-up).
    pub used: u32,
    /// Total capacity units.
    pub capacity: u32,
    /// Contacts completed so far.
    pub handled: u64,
    /// Router-wide sequence number of the agent's last assignment (0 = never).
    pub last_assigned: u64,
}

/// A built-in agent-selection policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// See [`longest_idle`].
    LongestIdle,
    /// See [`most_skilled`].
    MostSkilled,
    /// See [`least_occupied`].
    LeastOccupied,
    /// See [`fewest_handled`].
    FewestHandled,
    /// See [`round_robin`].
    RoundRobin,
    /// See [`random`].
    Random,
}

impl PolicyKind {
    /// Every built-in policy, in documentation order.
    pub const ALL: [PolicyKind; 6] = [
        PolicyKind::LongestIdle,
        PolicyKind::MostSkilled,
        PolicyKind::LeastOccupied,
        PolicyKind::FewestHandled,
        PolicyKind::RoundRobin,
        PolicyKind::Random,
    ];

    /// The policy's name as the APIs spell it.
    pub fn name(self) -> &'static str {
        match self {
            PolicyKind::LongestIdle => longest_idle::NAME,
            PolicyKind::MostSkilled => most_skilled::NAME,
            PolicyKind::LeastOccupied => least_occupied::NAME,
            PolicyKind::FewestHandled => fewest_handled::NAME,
            PolicyKind::RoundRobin => round_robin::NAME,
            PolicyKind::Random => random::NAME,
        }
    }

    /// Parses a policy name.
    pub fn parse(name: &str) -> crate::Result<Self> {
        PolicyKind::ALL.into_iter().find(|p| p.name() == name).ok_or_else(|| {
            let names: Vec<&str> = PolicyKind::ALL.iter().map(|p| p.name()).collect();
            crate::Error::invalid(format!(
                "unknown policy {name:?}; built-in policies are {}",
                names.join(", ")
            ))
        })
    }

    /// The agent's primary ordering key (smaller is picked first). Policies
    /// that score per contact (most skilled) or draw at random return 0 here.
    pub fn primary_key(self, agent: &AgentFacts) -> f64 {
        match self {
            PolicyKind::LongestIdle | PolicyKind::MostSkilled | PolicyKind::Random => 0.0,
            PolicyKind::LeastOccupied => least_occupied::key(agent),
            PolicyKind::FewestHandled => fewest_handled::key(agent),
            PolicyKind::RoundRobin => round_robin::key(agent),
        }
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
