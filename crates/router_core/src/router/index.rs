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
//!
//! Selectors (see [`crate::selector`]) join this scheme. A signature is
//! (requirements, selector, expedite). A selector's top-level conjuncts
//! that read skill levels only are evaluated once per (signature,
//! profile), with the requirements. The others read agent attributes, and
//! attributes may differ per agent (ids, tenure in days): splitting the
//! ready groups by them would multiply the groups up to one per agent. So
//! agents are grouped a second time, by their whole attribute map (their
//! *class*), and each attribute conjunct is evaluated once per (selector,
//! class), when either first appears, and kept as one bit: a second-stage
//! filter that costs a bit test per agent looked at. An agent that frees
//! tests one bit per compatible wait group; a contact that arrives walks
//! each compatible profile's ready agents in policy order to the first
//! whose bit is set (one or two agents for a selector that admits half of
//! them). Conjuncts mixing skills and attributes (`skill.x > 5 OR
//! agent.vip == true`) are evaluated per agent, uncached.

use super::ordered::OrderedSet;
use crate::selector::{Expr, Ref};
use crate::types::{AttrValue, Attrs, OrdF64};
use rustc_hash::FxHashMap;

/// Interned selector index.
pub type SelId = u32;
/// Interned attribute-class index (an agent's attributes).
pub type ClassId = u32;
/// What identifies a signature: (requirements, selector, expedite).
pub type SigKey = (SkillSet, Option<SelId>, bool);
/// What identifies a profile: (skills, routing profile).
pub type ProfileKey = (SkillSet, Option<u32>);

/// A compiled selector.
#[derive(Debug, Clone)]
pub struct Sel {
    /// The whole expression.
    pub expr: Expr,
    /// Its canonical text (the interning key).
    pub text: String,
    /// Its conjuncts that read skill levels only (per profile).
    pub indexed: Option<Expr>,
    /// Its conjuncts that read attributes only (per class, cached).
    pub cached: Option<Expr>,
    /// Its conjuncts that read both (per agent).
    pub mixed: Option<Expr>,
}

/// The canonical text of an attribute value (classes).
pub fn value_key(v: &AttrValue) -> String {
    match v {
        AttrValue::Float(f) => format!("f{:x}", f.to_bits()),
        other => format!("{other:?}"),
    }
}

/// What a selector reads of a profile or an agent: skill levels by name
/// and attributes.
pub struct View<'a> {
    /// Skill ids.
    pub ids: &'a FxHashMap<String, u32>,
    /// Skills, sorted.
    pub skills: &'a [(u32, u8)],
    /// Attributes.
    pub attrs: &'a Attrs,
}

impl<'a> View<'a> {
    /// A view of attributes alone (no skills).
    pub fn attrs(attrs: &'a Attrs) -> Self {
        static NO_IDS: std::sync::OnceLock<FxHashMap<String, u32>> = std::sync::OnceLock::new();
        View { ids: NO_IDS.get_or_init(FxHashMap::default), skills: &[], attrs }
    }
}

impl crate::selector::Agent for View<'_> {
    #[inline]
    fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.attrs.get(name)
    }
    #[inline]
    fn skill(&self, name: &str) -> u8 {
        match self.ids.get(name) {
            Some(id) => match self.skills.binary_search_by_key(id, |&(s, _)| s) {
                Ok(i) => self.skills[i].1,
                Err(_) => 0,
            },
            None => 0,
        }
    }
}

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
    /// The agent's attribute class (after the unique `idx`: never decides
    /// the order), read by the second-stage filter without the agent's
    /// record.
    pub class: ClassId,
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
    /// The selector in force, if any.
    pub sel: Option<SelId>,
    /// Whether the contacts go ahead of their queue (an expedite clause).
    pub expedite: bool,
    /// Whether the selector has conjuncts checked per agent.
    pub residual: bool,
    /// Whether some of them are uncached (read skills and attributes).
    pub mixed: bool,
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
    /// Whether its signature's selector is checked per agent.
    pub residual: bool,
    /// Whether part of it is uncached (see [`Sig::mixed`]).
    pub mixed: bool,
    /// Its selector (when `residual`).
    pub sel: SelId,
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
    pub profile_ids: FxHashMap<ProfileKey, ProfileId>,
    /// Attribute classes by id (class 0: no attributes).
    pub classes: Vec<Attrs>,
    /// Per class, one bit per selector: whether the class passes the
    /// selector's cached conjuncts (read when an agent scans wait groups).
    pub class_bits: Vec<Vec<u64>>,
    /// The same bits per selector, one per class (read when a contact
    /// walks ready agents).
    pub sel_bits: Vec<Vec<u64>>,
    /// Canonical text of a class → id.
    pub class_ids: FxHashMap<String, ClassId>,
    /// Selectors by id.
    pub sels: Vec<Sel>,
    /// Whether timers are firing: what they intern (a contact's selector
    /// after a step or an expiry) is counted in `timer_entries`.
    pub firing: bool,
    /// Selectors and signatures timers interned so far.
    pub timer_entries: u64,
    /// Canonical text → selector.
    pub sel_ids: FxHashMap<String, SelId>,

    /// Routing profiles: per queue, `(priority, delay)` or `None` when the
    /// queue is not served.
    pub routing: Vec<Vec<Option<(i64, f64)>>>,
    /// Signatures by id.
    pub sigs: Vec<Sig>,
    /// (Requirements, selector, expedite) → signature.
    pub sig_ids: FxHashMap<SigKey, SigId>,
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
        let mut ix = Index { n_channels, ..Default::default() };
        ix.class(&Attrs::new());
        ix
    }

    /// The class of attributes `attrs`, interned (its selector bits
    /// computed).
    pub fn class(&mut self, attrs: &Attrs) -> ClassId {
        if attrs.is_empty() && !self.classes.is_empty() {
            return 0;
        }
        let key = class_text(attrs);
        if let Some(&c) = self.class_ids.get(&key) {
            return c;
        }
        let c = self.classes.len() as ClassId;
        let mut bits = vec![0u64; self.sels.len().div_ceil(64)];
        let (word, bit) = (c as usize / 64, 1u64 << (c % 64));
        for (i, sel) in self.sels.iter().enumerate() {
            let by_sel = &mut self.sel_bits[i];
            if by_sel.len() <= word {
                by_sel.resize(word + 1, 0);
            }
            if sel.cached.as_ref().is_none_or(|e| e.matches(&View::attrs(attrs))) {
                bits[i / 64] |= 1 << (i % 64);
                by_sel[word] |= bit;
            } else {
                by_sel[word] &= !bit;
            }
        }
        self.classes.push(attrs.clone());
        self.class_bits.push(bits);
        self.class_ids.insert(key, c);
        c
    }

    /// Whether profile `p` passes the skill-only part of selector `s`.
    fn passes(&self, p: &Profile, sel: Option<SelId>) -> bool {
        let Some(e) = sel.and_then(|s| self.sels[s as usize].indexed.as_ref()) else {
            return true;
        };
        static NONE: Attrs = Attrs::new();
        e.matches(&View { ids: &self.skill_ids, skills: &p.skills, attrs: &NONE })
    }

    /// Whether an agent of profile `p`, class `class` and attributes
    /// `attrs` passes the per-agent part of signature `s` (true without
    /// one).
    #[inline]
    pub fn admits(&self, s: SigId, p: ProfileId, class: ClassId, attrs: &Attrs) -> bool {
        let sig = &self.sigs[s as usize];
        if !sig.residual {
            return true;
        }
        let Some(x) = sig.sel else { return true };
        let bits = &self.class_bits[class as usize];
        if bits[x as usize / 64] & (1 << (x % 64)) == 0 {
            return false;
        }
        if !sig.mixed {
            return true;
        }
        let e = self.sels[x as usize].mixed.as_ref().expect("a mixed part");
        e.matches(&View { ids: &self.skill_ids, skills: &self.profiles[p as usize].skills, attrs })
    }

    /// Whether the ready agent of key `k` passes the cached part of
    /// signature `s` (its mixed part, if any, is checked by the caller:
    /// see [`Sig::mixed`]).
    #[inline]
    pub fn key_admits(&self, s: SigId, k: &AgentKey) -> bool {
        let sig = &self.sigs[s as usize];
        match sig.sel {
            Some(x) if sig.residual => {
                let c = k.class as usize;
                self.sel_bits[x as usize][c / 64] & (1 << (c % 64)) != 0
            }
            _ => true,
        }
    }

    /// Splits a selector into its skill-only, attribute-only and mixed
    /// conjuncts.
    pub fn split(e: &Expr) -> [Option<Expr>; 3] {
        let mut parts: [Vec<Expr>; 3] = Default::default();
        for c in e.conjuncts() {
            let (mut skills, mut attrs) = (false, false);
            c.visit_refs(&mut |r| match r {
                Ref::Skill(_) => skills = true,
                Ref::Attr(_) => attrs = true,
            });
            let i = match (skills, attrs) {
                (_, false) => 0,
                (false, true) => 1,
                (true, true) => 2,
            };
            parts[i].push(c.clone());
        }
        parts.map(Expr::all)
    }

    /// The selector of `e`, interned (its bit computed for every class).
    pub fn selector(&mut self, e: Expr) -> SelId {
        let text = e.to_string();
        self.timer_entries += u64::from(self.firing);
        if let Some(&s) = self.sel_ids.get(&text) {
            return s;
        }
        let [indexed, cached, mixed] = Index::split(&e);
        let s = self.sels.len() as SelId;
        let (word, bit) = (s as usize / 64, 1u64 << (s % 64));
        let mut by_sel = vec![0u64; self.classes.len().div_ceil(64)];
        for (c, attrs) in self.classes.iter().enumerate() {
            let bits = &mut self.class_bits[c];
            if bits.len() <= word {
                bits.resize(word + 1, 0);
            }
            if cached.as_ref().is_none_or(|e| e.matches(&View::attrs(attrs))) {
                bits[word] |= bit;
                by_sel[c / 64] |= 1 << (c % 64);
            } else {
                bits[word] &= !bit;
            }
        }
        self.sel_bits.truncate(s as usize);
        self.sel_bits.push(by_sel);
        self.sels.push(Sel { expr: e, text: text.clone(), indexed, cached, mixed });
        self.sel_ids.insert(text, s);
        s
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

    /// Where interning stands. See [`Index::rollback`].
    pub fn mark(&self) -> Mark {
        Mark {
            skills: self.skill_names.len(),
            sigs: self.sigs.len(),
            sels: self.sels.len(),
            timer_entries: self.timer_entries,
        }
    }

    /// Forgets the skills, selectors and signatures interned since `mark`, so that a refused call leaves no
    /// trace. Only valid while nothing refers to them (no profile has
    /// them, no wait group or contact uses them).
    pub fn rollback(&mut self, m: Mark) {
        if self.timer_entries != m.timer_entries {
            // The timers the call fired interned or used entries, maybe
            // the call's own, and contacts use them now: keep everything
            // (entries nothing uses are harmless; the timers' effects
            // stay in any case).
            return;
        }
        for s in self.sigs.drain(m.sigs..) {
            debug_assert!(s.groups.is_empty(), "a rolled-back signature has no wait group");
            self.sig_ids.remove(&(s.reqs, s.sel, s.expedite));
        }
        for s in self.sels.drain(m.sels..) {
            self.sel_ids.remove(&s.text);
        }
        for name in self.skill_names.drain(m.skills..) {
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

    /// The profile of a skill set and routing profile (no indexed
    /// attribute), created (and cross-indexed) on first use.
    pub fn profile(&mut self, skills: SkillSet, routing: Option<u32>) -> ProfileId {
        self.profile_of((skills, routing))
    }

    /// The profile of a (skills, routing profile), created (and
    /// cross-indexed) on first use.
    pub fn profile_of(&mut self, key: ProfileKey) -> ProfileId {
        if let Some(&p) = self.profile_ids.get(&key) {
            return p;
        }
        let (skills, routing) = key.clone();
        let p = self.profiles.len() as ProfileId;
        self.profiles.push(Profile {
            skills: skills.clone(),
            ready: (0..self.n_channels).map(|_| OrderedSet::new()).collect(),
            groups: vec![Vec::new(); self.n_channels],
            routing,
            available: vec![0; self.n_channels],
        });
        for s in 0..self.sigs.len() {
            if self.compatible(p, s as SigId) {
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

    /// The signature of a requirement set (no selector), created (and
    /// cross-indexed) on first use.
    pub fn sig(&mut self, reqs: SkillSet) -> SigId {
        self.sig_of((reqs, None, false))
    }

    /// The signature of (requirements, selector, expedite), created (and
    /// cross-indexed) on first use.
    pub fn sig_of(&mut self, key: SigKey) -> SigId {
        // What timers look up may be what the call being refused interned.
        self.timer_entries += u64::from(self.firing);
        if let Some(&s) = self.sig_ids.get(&key) {
            return s;
        }
        let s = self.sigs.len() as SigId;
        let (reqs, sel, expedite) = key.clone();
        let part = |x: SelId| &self.sels[x as usize];
        let mixed = sel.is_some_and(|x| part(x).mixed.is_some());
        let residual = mixed || sel.is_some_and(|x| part(x).cached.is_some());
        self.sigs.push(Sig {
            reqs,
            sel,
            expedite,
            residual,
            mixed,
            profiles: Vec::new(),
            groups: Vec::new(),
        });
        let profiles =
            (0..self.profiles.len() as ProfileId).filter(|&p| self.compatible(p, s)).collect();
        self.sigs[s as usize].profiles = profiles;
        self.sig_ids.insert(key, s);
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
        let s = &self.sigs[sig as usize];
        let (residual, mixed, sel) = (s.residual, s.mixed, s.sel.unwrap_or(0));
        self.heads.push(Head { key: None, queue, callback, residual, mixed, sel });
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

    /// Whether profile `p` meets signature `s` (its requirements and the
    /// indexed part of its selector).
    pub fn compatible(&self, p: ProfileId, s: SigId) -> bool {
        let (prof, sig) = (&self.profiles[p as usize], &self.sigs[s as usize]);
        satisfies(&prof.skills, &sig.reqs) && self.passes(prof, sig.sel)
    }
}

/// Where interning stood (see [`Index::mark`]).
#[derive(Clone, Copy, Debug)]
pub struct Mark {
    skills: usize,
    sigs: usize,
    sels: usize,
    timer_entries: u64,
}

/// The canonical text of a class.
fn class_text(attrs: &Attrs) -> String {
    let mut out = String::new();
    for (k, v) in attrs {
        let v = value_key(v);
        out.push_str(&format!("{}:{k}{}:{v}", k.len(), v.len()));
    }
    out
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
