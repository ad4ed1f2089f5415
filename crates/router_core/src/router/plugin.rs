//! The router's side of plug-in policies: collecting eligible candidates,
//! asking the scorer, and falling back to the built-in policy on failure.

use super::{Agent, ContactRank, Router};
use crate::event::Event;
use crate::policy::plugin::{
    check_scores, AgentInfo, Candidates, ContactInfo, Names, ProfileRun, Scorer, ScorerError,
    SlotIds,
};
use crate::router::index::AgentKey;
use crate::types::{Attrs, Time};
use std::sync::Arc;

/// The plug-in slot of a router (a scorer is not `Debug`).
#[derive(Default)]
pub(super) struct ScorerSlot {
    pub scorer: Option<Box<dyn Scorer>>,
    /// Decisions where the scorer failed and the built-in policy decided.
    pub failures: u64,
    /// The first failure since the caller last took it.
    pub error: Option<ScorerError>,
    /// Candidate columns, kept between decisions to reuse their buffers.
    columns: Columns,
    /// What the columns read of each agent, while a scorer is plugged in.
    pub(super) facts: FactTable,
}

/// What a candidate's columns read of an agent record, apart from it.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
// Two to a cache line, never across two.
#[repr(C, align(32))]
struct Facts {
    idle_since: Time,
    handled: u64,
    used: u32,
    capacity: u32,
    attributes: bool,
}

impl Facts {
    fn of(a: &Agent) -> Self {
        Facts {
            idle_since: a.idle_since,
            handled: a.handled,
            used: a.used,
            capacity: a.capacity,
            attributes: !a.attributes.is_empty(),
        }
    }
}

/// The [`Facts`] of every agent by slot, the slots each holds per channel,
/// and its id. A record spans several cache lines that a candidate would
/// each miss; here a candidate costs about two. Kept only while a scorer
/// is plugged in, by `refresh_agent`, which runs after every change to
/// these facts and before any decision; `check_invariants` compares them
/// with the records.
#[derive(Debug, Default)]
pub(super) struct FactTable {
    on: bool,
    facts: Vec<Facts>,
    /// `channels` values per slot.
    held: Vec<u32>,
    channels: usize,
    ids: SlotIds,
}

impl FactTable {
    /// Records an agent's facts (after a change).
    pub(super) fn note(&mut self, ai: u32, a: &Agent) {
        if !self.on {
            return;
        }
        let (i, n) = (ai as usize, self.channels);
        if self.facts.len() <= i {
            self.facts.resize(i + 1, Facts::default());
            self.held.resize((i + 1) * n, 0);
        }
        self.facts[i] = Facts::of(a);
        self.held[i * n..(i + 1) * n].copy_from_slice(&a.held[..n]);
        if self.ids.get(ai).is_none_or(|id| *id != a.id) {
            // A new agent in the slot: copies the table if a scorer kept it.
            let ids = Arc::make_mut(&mut self.ids.0);
            if ids.len() <= i {
                ids.resize(i + 1, None);
            }
            ids[i] = Some(a.id.clone());
        }
    }

    /// Whether the recorded facts of an agent are its record's.
    fn agrees(&self, ai: u32, a: &Agent) -> bool {
        let (i, n) = (ai as usize, self.channels);
        !self.on
            || (self.facts.get(i) == Some(&Facts::of(a))
                && self.held[i * n..(i + 1) * n] == a.held[..n]
                && self.ids.get(ai).is_some_and(|id| *id == a.id))
    }
}

/// The owned columns of [`Candidates`] (the borrowed ones are built per
/// decision).
#[derive(Debug, Default)]
struct Columns {
    slots: Vec<u32>,
    load: Vec<f64>,
    free_units: Vec<u32>,
    idle: Vec<Time>,
    handled: Vec<u64>,
    held: Vec<u32>,
}

impl Columns {
    fn clear(&mut self) {
        self.slots.clear();
        self.load.clear();
        self.free_units.clear();
        self.idle.clear();
        self.handled.clear();
        self.held.clear();
    }
}

/// Candidates being collected: the reused columns plus what borrows the
/// router.
struct Collect<'a> {
    cols: &'a mut Columns,
    runs: Vec<ProfileRun<'a>>,
    attributes: Vec<(u32, &'a Attrs)>,
    channels: usize,
}

impl<'a> Collect<'a> {
    fn new(cols: &'a mut Columns, n: usize, channels: usize) -> Self {
        cols.clear();
        cols.slots.reserve(n);
        Collect { cols, runs: Vec::new(), attributes: Vec::new(), channels }
    }

    /// Adds agent `ai` of profile `profile`; its facts come in
    /// [`Collect::gather`].
    fn push(&mut self, r: &'a Router, ai: u32, profile: u32) {
        let i = self.cols.slots.len() as u32;
        match self.runs.last_mut() {
            Some(run) if run.profile == profile => run.end = i + 1,
            _ => self.runs.push(ProfileRun {
                profile,
                skills: &r.index.profiles[profile as usize].skills,
                end: i + 1,
            }),
        }
        self.cols.slots.push(ai);
    }

    /// Fills the fact columns of the candidates pushed, once they are all
    /// known (not at all for a single one). Reads a record only for
    /// attributes, if there are any.
    fn gather(&mut self, r: &'a Router) {
        let table = &r.plugin.facts;
        let (c, n) = (&mut *self.cols, self.channels);
        let len = c.slots.len();
        c.load.reserve(len);
        c.free_units.reserve(len);
        c.idle.reserve(len);
        c.handled.reserve(len);
        c.held.reserve(len * n);
        for (i, &ai) in c.slots.iter().enumerate() {
            let f = &table.facts[ai as usize];
            c.load.push(f64::from(f.used) / f64::from(f.capacity));
            c.free_units.push(f.capacity - f.used);
            c.idle.push(r.now - f.idle_since);
            c.handled.push(f.handled);
            c.held.extend_from_slice(&table.held[ai as usize * n..(ai as usize + 1) * n]);
            if f.attributes {
                self.attributes.push((i as u32, &r.agent(ai).attributes));
            }
        }
    }

    fn view(&self, r: &'a Router) -> Candidates<'_> {
        Candidates {
            slots: &self.cols.slots,
            ids: &r.plugin.facts.ids,
            runs: &self.runs,
            load: &self.cols.load,
            free_units: &self.cols.free_units,
            idle: &self.cols.idle,
            handled: &self.cols.handled,
            held: &self.cols.held,
            channels: self.channels,
            attributes: &self.attributes,
        }
    }
}

impl std::fmt::Debug for ScorerSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScorerSlot")
            .field("plugged", &self.scorer.is_some())
            .field("failures", &self.failures)
            .finish()
    }
}

struct NameView<'a> {
    router: &'a Router,
}

impl Names for NameView<'_> {
    fn skill(&self, id: u32) -> &str {
        self.router.index.skill_name(id)
    }
    fn channels(&self) -> Vec<&str> {
        self.router.channels.iter().map(|c| c.cfg.name.as_str()).collect()
    }
    fn queues(&self) -> Vec<crate::QueueStats> {
        self.router.stats()
    }
    fn agents_by_state(&self) -> crate::AgentsByState {
        self.router.agents_by_state()
    }
    fn now(&self) -> crate::Time {
        self.router.now
    }
}

impl Router {
    /// Plugs in a scorer (or removes it with `None`); the configured
    /// built-in policy stays as the fallback.
    pub fn set_scorer(&mut self, scorer: Option<Box<dyn Scorer>>) {
        let on = scorer.is_some();
        self.plugin.scorer = scorer;
        self.plugin.facts = FactTable { on, channels: self.channels.len(), ..Default::default() };
        for (ai, a) in self.agents.iter().enumerate() {
            if let Some(a) = a {
                self.plugin.facts.note(ai as u32, a);
            }
        }
    }

    /// [`Router::set_scorer`], recording the plug-in's name in the
    /// configuration (and so in snapshots); `None` removes both.
    pub fn set_scorer_named(&mut self, scorer: Option<(Box<dyn Scorer>, String)>) {
        let (scorer, name) = scorer.map_or((None, None), |(s, n)| (Some(s), Some(n)));
        self.set_scorer(scorer);
        self.config.plugin = name;
    }

    /// Whether the facts kept for plug-in candidates agree with agent
    /// `ai`'s record (see [`FactTable`]).
    pub(super) fn candidate_facts_agree(&self, ai: u32) -> bool {
        self.plugin.facts.agrees(ai, self.agent(ai))
    }

    /// Whether the plugged-in scorer wants the router's events.
    pub fn scorer_wants_events(&self) -> bool {
        self.plugin.scorer.as_ref().is_some_and(|s| s.wants_events())
    }

    /// Hands events to the plugged-in scorer (see [`Scorer::on_events`]); a
    /// failure is recorded like a failed decision.
    pub fn notify_scorer(&mut self, events: &[Event]) {
        let Some(mut scorer) = self.plugin.scorer.take() else { return };
        let outcome = scorer.on_events(&NameView { router: self }, events);
        self.plugin.scorer = Some(scorer);
        if let Err(e) = outcome {
            self.scorer_failed(e);
        }
    }

    /// Whether a scorer is plugged in.
    pub fn has_scorer(&self) -> bool {
        self.plugin.scorer.is_some()
    }

    /// Decisions in which the scorer failed and the built-in policy decided.
    pub fn scorer_failures(&self) -> u64 {
        self.plugin.failures
    }

    /// The first scorer failure since the last call to this method.
    pub fn take_scorer_error(&mut self) -> Option<ScorerError> {
        self.plugin.error.take()
    }

    /// Holds events back so that the next call returns them first (for a
    /// caller that raises after a call took effect).
    pub fn defer_events(&mut self, mut events: Vec<Event>) {
        events.append(&mut self.pending);
        self.pending = events;
    }

    fn scorer_failed(&mut self, err: ScorerError) {
        self.plugin.failures += 1;
        if self.plugin.error.is_none() {
            self.plugin.error = Some(err);
        }
    }

    fn agent_info(&self, ai: u32) -> AgentInfo<'_> {
        let a = self.agent(ai);
        AgentInfo {
            id: &a.id,
            profile: a.profile,
            skills: &self.index.profiles[a.profile as usize].skills,
            load: f64::from(a.used) / f64::from(a.capacity),
            free_units: a.capacity - a.used,
            held: &a.held,
            idle: self.now - a.idle_since,
            handled: a.handled,
            attributes: &a.attributes,
        }
    }

    fn contact_info(&self, ci: u32) -> ContactInfo<'_> {
        let c = self.contact(ci);
        ContactInfo {
            id: &c.id,
            channel: &self.channels[c.channel as usize].cfg.name,
            queue: &self.queues[c.queue as usize].name,
            priority: c.priority,
            wait: self.now - c.arrival,
            requires: &self.index.sigs[c.sig as usize].reqs,
            prefers: &c.prefers,
            customer: c.customer.as_deref(),
            attributes: c.attributes.get(),
        }
    }

    /// Agent surplus with a scorer: every eligible free agent is a
    /// candidate. `None` when no scorer is plugged in or it failed (the
    /// built-in policy decides); `Some(None)` when nobody is eligible.
    pub(super) fn plugin_best_agent(&mut self, ci: u32) -> Option<Option<u32>> {
        let mut scorer = self.plugin.scorer.take()?;
        let mut cols = std::mem::take(&mut self.plugin.columns);
        let outcome = self.score_agents(ci, scorer.as_mut(), &mut cols);
        self.plugin.scorer = Some(scorer);
        self.plugin.columns = cols;
        match outcome {
            Ok(choice) => Some(choice),
            Err(e) => {
                self.scorer_failed(e);
                None
            }
        }
    }

    /// Scores explicit candidates for a contact with the plug-in (`None`
    /// without one, or when it failed: the failure is recorded).
    pub(super) fn plugin_scores(&mut self, ci: u32, agents: &[u32]) -> Option<Vec<f64>> {
        let mut scorer = self.plugin.scorer.take()?;
        let mut cols = std::mem::take(&mut self.plugin.columns);
        let outcome = {
            let mut collect = Collect::new(&mut cols, agents.len(), self.channels.len());
            for &ai in agents {
                collect.push(self, ai, self.agent(ai).profile);
            }
            collect.gather(self);
            let names = NameView { router: self };
            scorer
                .score_agents(&names, &self.contact_info(ci), &collect.view(self))
                .and_then(|s| check_scores(s, agents.len()))
        };
        self.plugin.scorer = Some(scorer);
        self.plugin.columns = cols;
        match outcome {
            Ok(s) => Some(s),
            Err(e) => {
                self.scorer_failed(e);
                None
            }
        }
    }

    fn score_agents(
        &self,
        ci: u32,
        scorer: &mut dyn Scorer,
        cols: &mut Columns,
    ) -> Result<Option<u32>, ScorerError> {
        let c = self.contact(ci);
        let ch = c.channel as usize;
        let sig = &self.index.sigs[c.sig as usize];
        // One pass: the candidates' keys (for ties) and their columns.
        let serving =
            || sig.profiles.iter().filter(|&&p| self.routes_to(p, c.queue, c.age_origin()));
        let total: usize =
            serving().map(|&p| self.index.profiles[p as usize].ready[ch].len()).sum();
        let mut cands: Vec<&AgentKey> = Vec::with_capacity(total);
        let mut collect = Collect::new(cols, total, self.channels.len());
        for &p in serving() {
            for k in &self.index.profiles[p as usize].ready[ch] {
                if (c.excluded.is_empty() || !c.excluded.contains(&self.agent(k.idx).uid))
                    && (!sig.residual || self.sig_admits(c.sig, k.idx))
                {
                    cands.push(k);
                    collect.push(self, k.idx, p);
                }
            }
        }
        if cands.len() <= 1 {
            return Ok(cands.first().map(|k| k.idx));
        }
        collect.gather(self);
        let names = NameView { router: self };
        let scores = check_scores(
            scorer.score_agents(&names, &self.contact_info(ci), &collect.view(self))?,
            cands.len(),
        )?;
        // Highest score; ties by the built-in policy's order, ranked only
        // among the candidates that share the highest score.
        let top = scores.iter().copied().max_by(f64::total_cmp).expect("two or more candidates");
        let tied = |i: &usize| scores[*i].total_cmp(&top).is_eq();
        let policy = &self.config.policy;
        let rank = |k: &AgentKey| {
            let a = self.agent(k.idx);
            let prof = &self.index.profiles[a.profile as usize];
            let bonus = self.pref_bonus(ci, a.profile, &a.attributes);
            (policy.rank(&k.primary, &prof.skills, &sig.reqs, &c.prefers, bonus), k.idle)
        };
        let first = |tied: &mut dyn Iterator<Item = usize>| {
            tied.map(|i| cands[i])
                .min_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.rank.cmp(&b.rank)))
                .expect("the highest score is some candidate's")
        };
        let best = if policy.ranks_by_key() {
            // Each run of candidates is one ready group, in key order, which
            // is then the tie order: only a run's first tied candidate can win.
            let mut start = 0;
            let heads = collect.runs.iter().filter_map(|r| {
                let run = start..r.end as usize;
                start = r.end as usize;
                run.into_iter().find(tied)
            });
            let best = first(&mut heads.into_iter());
            debug_assert!(std::ptr::eq(best, first(&mut (0..cands.len()).filter(tied))));
            best
        } else {
            first(&mut (0..cands.len()).filter(tied))
        };
        Ok(Some(best.idx))
    }

    /// Contact surplus with a contact-scoring plug-in: picks among the
    /// candidates (the next contact of each compatible group, and those
    /// waiting for this agent alone). `None` when the built-in queue order
    /// decides.
    pub(super) fn plugin_best_contact(
        &mut self,
        ai: u32,
        cands: &[(ContactRank, u32)],
    ) -> Option<u32> {
        if cands.len() <= 1 || !self.plugin.scorer.as_ref().is_some_and(|s| s.scores_contacts()) {
            return None;
        }
        let mut scorer = self.plugin.scorer.take().expect("checked above");
        let outcome = {
            let infos: Vec<ContactInfo<'_>> =
                cands.iter().map(|&(_, ci)| self.contact_info(ci)).collect();
            let names = NameView { router: self };
            scorer
                .score_contacts(&names, &self.agent_info(ai), &infos)
                .and_then(|s| check_scores(s, cands.len()))
        };
        self.plugin.scorer = Some(scorer);
        match outcome {
            Ok(scores) => {
                // Highest score; ties by queue order.
                let best = (0..cands.len())
                    .max_by(|&i, &j| {
                        scores[i].total_cmp(&scores[j]).then_with(|| cands[j].0.cmp(&cands[i].0))
                    })
                    .expect("two or more candidates");
                Some(cands[best].1)
            }
            Err(e) => {
                self.scorer_failed(e);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgentSpec, ChannelConfig, ContactSpec, QueueConfig, RouterConfig};

    /// Prefers the agent whose id sorts last; fails on demand.
    struct Last {
        fail: bool,
    }

    impl Scorer for Last {
        fn score_agents(
            &mut self,
            _: &dyn Names,
            _: &ContactInfo<'_>,
            agents: &Candidates<'_>,
        ) -> Result<Vec<f64>, ScorerError> {
            if self.fail {
                return Err(ScorerError { message: "boom".into(), payload: Some(Box::new(7u8)) });
            }
            Ok((0..agents.len()).map(|i| f64::from(agents.id(i).as_bytes()[1])).collect())
        }
    }

    /// Scores 1 the agents whose id ends in a letter of `top`, 0 the
    /// others; checks the columns against the one-candidate view.
    struct Tied {
        top: &'static str,
    }

    impl Scorer for Tied {
        fn score_agents(
            &mut self,
            _: &dyn Names,
            _: &ContactInfo<'_>,
            agents: &Candidates<'_>,
        ) -> Result<Vec<f64>, ScorerError> {
            let mut start = 0;
            for run in agents.runs {
                for i in start..run.end as usize {
                    let a = agents.get(i);
                    assert_eq!((a.profile, a.skills), (run.profile, run.skills));
                    assert_eq!(
                        (a.id, a.load, a.free_units, a.held.len()),
                        (agents.id(i), 0.0, 100, 1)
                    );
                }
                start = run.end as usize;
            }
            assert_eq!(start, agents.len());
            let last = |id: &crate::Id| id.chars().last().is_some_and(|c| self.top.contains(c));
            Ok((0..agents.len()).map(|i| if last(agents.id(i)) { 1.0 } else { 0.0 }).collect())
        }
    }

    #[test]
    fn ties_on_the_highest_score_go_to_the_built_in_order_across_profiles() {
        let cfg = RouterConfig::new(
            vec![ChannelConfig::new("voice", 100, 1)],
            vec![QueueConfig::new("q")],
        );
        let mut r = Router::new(cfg).unwrap();
        r.set_scorer(Some(Box::new(Tied { top: "BCD" })));
        // Two profiles; idle since the time each agent is added.
        for (id, skills, t) in [
            ("p1A", &[("x", 5)][..], 0.0),
            ("p2C", &[("x", 5), ("y", 1)], 0.0),
            ("p1C", &[("x", 5)], 0.0),
            ("p2A", &[("x", 5), ("y", 1)], 0.0),
            ("p1B", &[("x", 5)], 1.0),
            ("p2D", &[("x", 5), ("y", 1)], 2.0),
        ] {
            r.add_agent(&AgentSpec::new(id, skills), t, Vec::new()).unwrap();
        }
        let mut picked = Vec::new();
        for (i, t) in [3.0, 4.0, 5.0, 6.0].into_iter().enumerate() {
            let ev =
                r.submit(&ContactSpec::new(format!("c{i}"), "voice", "q"), t, Vec::new()).unwrap();
            picked.push(agent_of(&ev));
        }
        // Longest idle among the tied, then id; then the untied, the same way.
        assert_eq!(picked, ["p1C", "p2C", "p1B", "p2D"]);
        r.check_invariants().unwrap();
    }

    fn router(fail: bool) -> Router {
        let cfg = RouterConfig::new(
            vec![ChannelConfig::new("voice", 100, 1)],
            vec![QueueConfig::new("q")],
        );
        let mut r = Router::new(cfg).unwrap();
        r.set_scorer(Some(Box::new(Last { fail })));
        for id in ["a1", "a3", "a2"] {
            r.add_agent(&AgentSpec::new(id, &[("x", 5)]), 0.0, Vec::new()).unwrap();
        }
        r
    }

    fn agent_of(ev: &[Event]) -> String {
        match &ev[0] {
            Event::Assigned { agent, .. } => agent.to_string(),
            e => panic!("unexpected {e:?}"),
        }
    }

    #[test]
    fn the_scorer_picks_among_eligible_agents() {
        let mut r = router(false);
        let ev = r.submit(&ContactSpec::new("c1", "voice", "q"), 1.0, Vec::new()).unwrap();
        assert_eq!(agent_of(&ev), "a3");
        assert_eq!(r.scorer_failures(), 0);
    }

    #[test]
    fn a_failing_scorer_falls_back_and_keeps_the_error() {
        let mut r = router(true);
        let ev = r.submit(&ContactSpec::new("c1", "voice", "q"), 1.0, Vec::new()).unwrap();
        assert_eq!(agent_of(&ev), "a1", "longest idle, then id");
        assert_eq!(r.scorer_failures(), 1);
        let err = r.take_scorer_error().unwrap();
        assert_eq!(err.message, "boom");
        assert_eq!(err.payload.unwrap().downcast_ref::<u8>(), Some(&7));
        assert!(r.take_scorer_error().is_none());
        r.check_invariants().unwrap();
    }
}
