//! The indexes that keep a decision from scanning every agent or contact.
//!
//! * Skills are interned to `u32`; a requirement list becomes a sorted
//!   `(skill, level)` signature, interned to a [`SigId`].
//! * Agents with the same skills share a [`Profile`]. Each profile keeps, per
//!   channel, the agents that could take one more contact on that channel
//!   right now, ordered by the policy key ([`AgentKey`]).
//! * Waiting contacts live in [`WaitGroup`]s keyed by (queue, channel,
//!   signature, capped), ordered by [`WaitKey`] (effective priority, then
//!   arrival); contacts whose aging reached their queue's cap sit in a group
//!   of their own (see `ordering.rs`).
//! * Which signatures a profile can serve is computed once, when either side
//!   first appears, and cached both ways: a profile knows its compatible
//!   wait groups per channel, a signature its compatible profiles.
//!
//! A decision therefore reads one head per compatible group.

use super::ordered::OrderedSet;
use crate::types::OrdF64;
use rustc_hash::FxHashMap;

/// Interned skill-set (profile) index.
pub type ProfileId = u32;
/// Interned requirement-signature index.
pub type SigId = u32;
/// Wait-group index.
pub type GroupId = u32;
/// What identifies a wait group: (queue, channel, signature, capped,
/// callbacks).
pub type GroupKey = (u32, u32, SigId, bool, bool);

/// A compiled skill list: sorted by skill, one entry per skill.
pub type SkillSet = Vec<(u32, u8)>;

/// Whether `profile` meets every requirement of `reqs` (both sorted).
pub(crate) fn satisfies(profile: &[(u32, u8)], reqs: &[(u32, u8)]) -> bool {
    let mut it = profile.iter();
    'outer: for &(skill, min) in reqs {
        for &(ps, pl) in it.by_ref() {
            if ps == skill {
                if pl >= min {
                    continue 'outer;
                }
                return false;
            }
            if ps > skill {
                return false;
            }
        }
        return false;
    }
    true
}

/// Ordering key of a ready agent inside its group: smaller is picked first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AgentKey {
    /// The policy's key (components in chain order).
    pub primary: crate::policy::Key,
    /// Idle since (longest idle first).
    pub idle: OrdF64,
    /// The last tie-breaker: the agent's rank, which orders agents as
    /// their ids do (a number, cheaper to copy and compare than the id).
    pub rank: u64,
    /// Slot of the agent.
    pub idx: u32,
}

/// Ordering key of a waiting contact inside its group: smaller is served
/// first (see `ordering.rs` for how each queue model fills it). The order
/// never changes while contacts wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct WaitKey {
    /// 0: reached the aging cap (in a capped group); 1: the others.
    pub tier: u8,
    /// Priority part: `aging_rate × arrival − priority` (FIFO), `−priority`
    /// (LIFO and capped).
    pub rank: OrdF64,
    /// Arrival (FIFO) or its negation (LIFO).
    pub order: OrdF64,
    /// Submission sequence (FIFO) or its complement (LIFO); unique.
    pub tie: u64,
    /// Slot of the contact.
    pub idx: u32,
    /// Whether the contact excludes some agents (it rejected or let an
    /// offer expire); after the unique `seq`, so it never decides the order.
    pub excludes: bool,
}

/// An agent skill profile and its ready-agent groups.
#[derive(Debug, Default)]
pub struct Profile {
    /// The skills, sorted.
    pub skills: SkillSet,
    /// Per channel: agents ready to take one more contact there.
    pub ready: Vec<OrderedSet<AgentKey>>,
    /// Per channel: the wait groups this profile can serve.
    pub groups: Vec<Vec<GroupId>>,
    /// The agents' routing profile, if any.
    pub routing: Option<u32>,
    /// Per channel: agents of this profile in state `available` (busy or
    /// not) who serve that channel.
    pub available: Vec<u32>,
}

/// A requirement signature.
#[derive(Debug, Default)]
pub struct Sig {
    /// The requirements, sorted.
    pub reqs: SkillSet,
    /// Profiles that meet them.
    pub profiles: Vec<ProfileId>,
    /// Wait groups with this signature.
    pub groups: Vec<GroupId>,
}

/// Cached head of a wait group, read on every contact-surplus decision.
#[derive(Clone, Copy, Debug)]
pub struct Head {
    /// The best waiting contact's key (`None` when empty); its `excludes`
    /// says whether to look deeper for a given agent.
    pub key: Option<WaitKey>,
    /// The queue.
    pub queue: u32,
    /// Whether the group holds callbacks.
    pub callback: bool,
}

/// Waiting contacts of one (queue, channel, signature, capped).
#[derive(Debug)]
pub struct WaitGroup {
    /// Queue index.
    pub queue: u32,
    /// Channel index.
    pub channel: u32,
    /// Signature.
    pub sig: SigId,
    /// Whether it holds contacts that reached their queue's aging cap.
    pub capped: bool,
    /// Whether it holds callbacks.
    pub callback: bool,
    /// The contacts in service order.
    pub set: OrderedSet<WaitKey>,
}

/// All the indexes together.
#[derive(Debug, Default)]
pub struct Index {
    /// Skill name → id.
    pub skill_ids: FxHashMap<String, u32>,
    /// Skill id → name.
    pub skill_names: Vec<String>,
    /// Profiles by id.
    pub profiles: Vec<Profile>,
    /// (Skill set, routing profile) → profile.
    pub profile_ids: FxHashMap<(SkillSet, Option<u32>), ProfileId>,
    /// Routing profiles: per queue, `(priority, delay)` or `None` when the
    /// queue is not served.
    pub routing: Vec<Vec<Option<(i64, f64)>>>,
    /// Signatures by id.
    pub sigs: Vec<Sig>,
    /// Requirement set → signature.
    pub sig_ids: FxHashMap<SkillSet, SigId>,
    /// Wait groups by id.
    pub groups: Vec<WaitGroup>,
    /// Heads of the wait groups, by group id.
    pub heads: Vec<Head>,
    /// (queue, channel, sig, capped) → group.
    pub group_ids: FxHashMap<GroupKey, GroupId>,
    /// The groups that hold callbacks (few, often none).
    pub callback_groups: Vec<GroupId>,
    /// The last group looked up (groups are never removed): most contacts
    /// of a center go to a few groups, often one after another.
    last_group: Option<(GroupKey, GroupId)>,
    /// Number of channels.
    pub n_channels: usize,
}

impl Index {
    /// An empty index for `n_channels` channels.
    pub fn new(n_channels: usize) -> Self {
        Index { n_channels, ..Default::default() }
    }

    /// Interns a skill name.
    pub fn skill(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.skill_ids.get(name) {
            return id;
        }
        let id = self.skill_names.len() as u32;
        self.skill_names.push(name.to_owned());
        self.skill_ids.insert(name.to_owned(), id);
        id
    }

    /// Where interning stands: (skills, signatures). See [`Index::rollback`].
    pub fn mark(&self) -> (usize, usize) {
        (self.skill_names.len(), self.sigs.len())
    }

    /// Forgets the skills and signatures interned since `mark`, so that a
    /// refused call leaves no trace. Only valid while nothing refers to
    /// them (no profile has them, no wait group or contact uses them).
    pub fn rollback(&mut self, (skills, sigs): (usize, usize)) {
        for s in self.sigs.drain(sigs..) {
            debug_assert!(s.groups.is_empty(), "a rolled-back signature has no wait group");
            self.sig_ids.remove(&s.reqs);
        }
        for name in self.skill_names.drain(skills..) {
            self.skill_ids.remove(&name);
        }
    }

    /// The name of an interned skill.
    pub fn skill_name(&self, id: u32) -> &str {
        &self.skill_names[id as usize]
    }

    /// Turns a compiled skill set back into names.
    pub fn named(&self, set: &[(u32, u8)]) -> Vec<(String, u8)> {
        set.iter().map(|&(s, l)| (self.skill_name(s).to_owned(), l)).collect()
    }

    /// Whether agents of profile `p` serve queue `q`, and with what
    /// `(priority, delay)`.
    pub fn serves(&self, p: ProfileId, q: u32) -> Option<(i64, f64)> {
        match self.profiles[p as usize].routing {
            None => Some((0, 0.0)),
            Some(r) => self.routing[r as usize][q as usize],
        }
    }

    /// The profile of a skill set and routing profile, created (and
    /// cross-indexed) on first use.
    pub fn profile(&mut self, skills: SkillSet, routing: Option<u32>) -> ProfileId {
        let key = (skills, routing);
        if let Some(&p) = self.profile_ids.get(&key) {
            return p;
        }
        let skills = key.0.clone();
        let p = self.profiles.len() as ProfileId;
        self.profiles.push(Profile {
            skills: skills.clone(),
            ready: (0..self.n_channels).map(|_| OrderedSet::new()).collect(),
            groups: vec![Vec::new(); self.n_channels],
            routing,
            available: vec![0; self.n_channels],
        });
        for s in 0..self.sigs.len() {
            if satisfies(&skills, &self.sigs[s].reqs) {
                self.sigs[s].profiles.push(p);
                for gi in 0..self.sigs[s].groups.len() {
                    let g = self.sigs[s].groups[gi];
                    let (q, ch) =
                        (self.groups[g as usize].queue, self.groups[g as usize].channel as usize);
                    if self.serves(p, q).is_some() {
                        self.profiles[p as usize].groups[ch].push(g);
                    }
                }
            }
        }
        self.profile_ids.insert(key, p);
        p
    }

    /// The signature of a requirement set, created (and cross-indexed) on first use.
    pub fn sig(&mut self, reqs: SkillSet) -> SigId {
        if let Some(&s) = self.sig_ids.get(&reqs) {
            return s;
        }
        let s = self.sigs.len() as SigId;
        let profiles = (0..self.profiles.len() as ProfileId)
            .filter(|&p| satisfies(&self.profiles[p as usize].skills, &reqs))
            .collect();
        self.sigs.push(Sig { reqs: reqs.clone(), profiles, groups: Vec::new() });
        self.sig_ids.insert(reqs, s);
        s
    }

    /// The wait group of (queue, channel, sig, capped), created on first use.
    #[inline]
    pub fn group(&mut self, k: GroupKey) -> GroupId {
        match self.last_group {
            Some((lk, g)) if lk == k => g,
            _ => {
                let g = self.find_group(k);
                self.last_group = Some((k, g));
                g
            }
        }
    }

    /// The one-entry cache of [`Index::group`] (for `check_invariants`).
    pub fn last_group(&self) -> Option<(GroupKey, GroupId)> {
        self.last_group
    }

    /// [`Index::group`] without the one-entry cache.
    fn find_group(&mut self, k: GroupKey) -> GroupId {
        if let Some(&g) = self.group_ids.get(&k) {
            return g;
        }
        let (queue, channel, sig, capped, callback) = k;
        let g = self.groups.len() as GroupId;
        self.groups.push(WaitGroup {
            queue,
            channel,
            sig,
            capped,
            callback,
            set: OrderedSet::new(),
        });
        self.heads.push(Head { key: None, queue, callback });
        if callback {
            self.callback_groups.push(g);
        }
        self.group_ids.insert(k, g);
        self.sigs[sig as usize].groups.push(g);
        for i in 0..self.sigs[sig as usize].profiles.len() {
            let p = self.sigs[sig as usize].profiles[i];
            if self.serves(p, queue).is_some() {
                self.profiles[p as usize].groups[channel as usize].push(g);
            }
        }
        g
    }

    /// Whether profile `p` meets signature `s`.
    pub fn compatible(&self, p: ProfileId, s: SigId) -> bool {
        satisfies(&self.profiles[p as usize].skills, &self.sigs[s as usize].reqs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn satisfies_checks_every_requirement() {
        let prof = vec![(1, 5), (3, 7), (9, 2)];
        assert!(satisfies(&prof, &[]));
        assert!(satisfies(&prof, &[(1, 5)]));
        assert!(satisfies(&prof, &[(1, 4), (9, 2)]));
        assert!(!satisfies(&prof, &[(1, 6)]));
        assert!(!satisfies(&prof, &[(2, 1)]));
        assert!(!satisfies(&prof, &[(3, 7), (10, 1)]));
        assert!(!satisfies(&[], &[(0, 1)]));
    }

    #[test]
    fn profiles_and_groups_are_cross_indexed_in_either_order() {
        let mut ix = Index::new(2);
        let s = ix.sig(vec![(0, 3)]);
        let g = ix.group((0, 1, s, false, false));
        let p = ix.profile(vec![(0, 5)], None);
        let q = ix.profile(vec![(0, 2)], None);
        assert_eq!(ix.profiles[p as usize].groups[1], vec![g]);
        assert!(ix.profiles[q as usize].groups[1].is_empty());
        let s2 = ix.sig(vec![]);
        let g2 = ix.group((0, 0, s2, false, false));
        assert_eq!(ix.profiles[q as usize].groups[0], vec![g2]);
        assert_eq!(ix.sigs[s2 as usize].profiles, vec![p, q]);
    }
}
