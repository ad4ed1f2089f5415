//! `most_skilled`: the agent whose skills best match the contact.
//!
//! **What it does.** Scores each eligible agent by the sum of its levels on
//! the contact's required skills, then (as a second key) on its preferred
//! skills; the highest wins, ties go to longest idle, then agent id.
//!
//! **When to use it.** When first-contact resolution matters more than
//! spreading load, or when preferred skills should steer contacts.
//!
//! **Complexity.** All agents of one skill profile share a score, so the
//! score is computed once per compatible profile and each profile's ready
//! group is ordered by idle time: O(groups × (skills + log n)).

/// The policy's name.
pub const NAME: &str = "most_skilled";

/// Sum of the profile's levels on `skills` (sorted `(skill, level)` lists).
pub fn level_sum(profile: &[(u32, u8)], skills: &[(u32, u8)]) -> u32 {
    skills
        .iter()
        .filter_map(|(s, _)| {
            profile.binary_search_by_key(s, |(ps, _)| *ps).ok().map(|i| u32::from(profile[i].1))
        })
        .sum()
}

/// The score of a profile for a contact: (required sum, preferred sum).
pub fn score(profile: &[(u32, u8)], requires: &[(u32, u8)], prefers: &[(u32, u8)]) -> (u32, u32) {
    (level_sum(profile, requires), level_sum(profile, prefers))
}
