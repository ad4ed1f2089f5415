//! `round_robin`: agents take turns.
//!
//! **What it does.** Picks the eligible agent whose last assignment is the
//! oldest (never-assigned agents first), so agents are served in rotation;
//! ties to longest idle, then agent id.
//!
//! **When to use it.** Simple rotations where every agent should get the
//! next contact in turn regardless of how long contacts take.
//!
//! **Complexity.** The sequence number of the last assignment is the
//! primary key of the ready groups: O(groups × log n).

use super::AgentFacts;

/// The policy's name.
pub const NAME: &str = "round_robin";

/// The sequence number of the last assignment as a key.
pub fn key(agent: &AgentFacts) -> f64 {
    agent.last_assigned as f64
}
