//! `least_occupied`: the agent with the lowest share of capacity in use.
//!
//! **What it does.** Picks the eligible agent with the smallest
//! used / total capacity units (held contacts, offers and wrap-up all count),
//! ties to longest idle, then agent id.
//!
//! **When to use it.** Multichannel (blended) centers where agents hold
//! several chats or emails at once: it keeps loads even (Salesforce
//! Omni-Channel "most available").
//!
//! **Complexity.** The load ratio is the primary key of the ready groups and
//! is updated when the agent's load changes: O(groups × log n).

use super::AgentFacts;

/// The policy's name.
pub const NAME: &str = "least_occupied";

/// Load ratio in [0, 1].
pub fn key(agent: &AgentFacts) -> f64 {
    f64::from(agent.used) / f64::from(agent.capacity.max(1))
}
