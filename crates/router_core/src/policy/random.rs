//! `random`: a uniform draw among the eligible agents.
//!
//! **What it does.** Picks one eligible agent uniformly at random with the
//! router's generator (seeded by the router's `seed`, so a run is
//! reproducible).
//!
//! **When to use it.** As a baseline in experiments, or to avoid any
//! systematic bias between agents.
//!
//! **Complexity.** Counts the ready agents of each compatible group, draws an
//! index, then walks to it: O(groups + n) in the worst case.

/// The policy's name.
pub const NAME: &str = "random";
