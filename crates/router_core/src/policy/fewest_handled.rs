//! `fewest_handled`: the agent who has completed the fewest contacts.
//!
//! **What it does.** Picks the eligible agent with the lowest count of
//! completed contacts, ties to longest idle, then agent id.
//!
//! **When to use it.** To balance the number of contacts per agent over a
//! shift, e.g. for incentive schemes counted per contact.
//!
//! **Complexity.** The handled count is the primary key of the ready groups,
//! updated at completion: O(groups × log n).

use super::AgentFacts;

/// The policy's name.
pub const NAME: &str = "fewest_handled";

/// The handled count as a key.
pub fn key(agent: &AgentFacts) -> f64 {
    agent.handled as f64
}
