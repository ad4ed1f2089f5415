//! `longest_idle`: the agent who has waited longest for work.
//!
//! **What it does.** Picks the eligible agent whose *idle since* time is
//! earliest. Idle since is reset when the agent becomes available and each
//! time one of its slots frees (after wrap-up); taking a new contact does not
//! reset it.
//!
//! **When to use it.** The default of most contact centers: it spreads work
//! fairly by time and is what agents perceive as fair.
//!
//! **Complexity.** The idle-since time is the secondary key of every ready
//! group, so a decision reads one head per compatible group:
//! O(groups × log n).

/// The policy's name.
pub const NAME: &str = "longest_idle";
