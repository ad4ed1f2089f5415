//! The router's side of plug-in policies: collecting eligible candidates,
//! asking the scorer, and falling back to the built-in policy on failure.

use super::{Channel, ContactRank, Router};
use crate::event::Event;
use crate::policy::plugin::{check_scores, AgentInfo, ContactInfo, Names, Scorer, ScorerError};
use crate::router::index::{AgentKey, Index};

/// The plug-in slot of a router (a scorer is not `Debug`).
#[derive(Default)]
pub(super) struct ScorerSlot {
    pub scorer: Option<Box<dyn Scorer>>,
    /// Decisions where the scorer failed and the built-in policy decided.
    pub failures: u64,
    /// The first failure since the caller last took it.
    pub error: Option<ScorerError>,
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
    index: &'a Index,
    channels: &'a [Channel],
}

impl Names for NameView<'_> {
    fn skill(&self, id: u32) -> &str {
        self.index.skill_name(id)
    }
    fn channels(&self) -> Vec<&str> {
        self.channels.iter().map(|c| c.cfg.name.as_str()).collect()
    }
}

impl Router {
    /// Plugs in a scorer (or removes it with `None`); the configured
    /// built-in policy stays as the fallback.
    pub fn set_scorer(&mut self, scorer: Option<Box<dyn Scorer>>) {
        self.plugin.scorer = scorer;
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
        let outcome = self.score_agents(ci, scorer.as_mut());
        self.plugin.scorer = Some(scorer);
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
        let outcome = {
            let infos: Vec<AgentInfo<'_>> = agents.iter().map(|&a| self.agent_info(a)).collect();
            let names = NameView { index: &self.index, channels: &self.channels };
            scorer
                .score_agents(&names, &self.contact_info(ci), &infos)
                .and_then(|s| check_scores(s, agents.len()))
        };
        self.plugin.scorer = Some(scorer);
        match outcome {
            Ok(s) => Some(s),
            Err(e) => {
                self.scorer_failed(e);
                None
            }
        }
    }

    fn score_agents(&self, ci: u32, scorer: &mut dyn Scorer) -> Result<Option<u32>, ScorerError> {
        let c = self.contact(ci);
        let ch = c.channel as usize;
        let sig = &self.index.sigs[c.sig as usize];
        // One pass: the candidates' keys (for ties) and what the scorer sees.
        let serving = || sig.profiles.iter().filter(|&&p| self.routes_to(p, c.queue, c.arrival));
        let total: usize = serving().map(|&p| self.index.profiles[p as usize].ready[ch].len()).sum();
        let mut cands: Vec<&AgentKey> = Vec::with_capacity(total);
        let mut infos: Vec<AgentInfo<'_>> = Vec::with_capacity(total);
        for &p in serving() {
            for k in &self.index.profiles[p as usize].ready[ch] {
                if c.excluded.is_empty() || !c.excluded.contains(&self.agent(k.idx).uid) {
                    cands.push(k);
                    infos.push(self.agent_info(k.idx));
                }
            }
        }
        if cands.len() <= 1 {
            return Ok(cands.first().map(|k| k.idx));
        }
        let names = NameView { index: &self.index, channels: &self.channels };
        let scores = check_scores(scorer.score_agents(&names, &self.contact_info(ci), &infos)?, cands.len())?;
        // Highest score; ties by the built-in policy's order.
        let policy = &self.config.policy;
        let best = (0..cands.len())
            .max_by(|&i, &j| {
                scores[i].total_cmp(&scores[j]).then_with(|| {
                    let rank = |k: &AgentKey| {
                        let prof = &self.index.profiles[self.agent(k.idx).profile as usize];
                        (policy.rank(&k.primary, &prof.skills, &sig.reqs, &c.prefers), k.idle, k.id.clone())
                    };
                    rank(cands[j]).cmp(&rank(cands[i]))
                })
            })
            .expect("two or more candidates");
        Ok(Some(cands[best].idx))
    }

    /// Contact surplus with a contact-scoring plug-in: picks among the
    /// candidates (the next contact of each compatible group, and those
    /// waiting for this agent alone). `None` when the built-in queue order
    /// decides.
    pub(super) fn plugin_best_contact(&mut self, ai: u32, cands: &[(ContactRank, u32)]) -> Option<u32> {
        if cands.len() <= 1 || !self.plugin.scorer.as_ref().is_some_and(|s| s.scores_contacts()) {
            return None;
        }
        let mut scorer = self.plugin.scorer.take().expect("checked above");
        let outcome = {
            let infos: Vec<ContactInfo<'_>> = cands.iter().map(|&(_, ci)| self.contact_info(ci)).collect();
            let names = NameView { index: &self.index, channels: &self.channels };
            scorer
                .score_contacts(&names, &self.agent_info(ai), &infos)
                .and_then(|s| check_scores(s, cands.len()))
        };
        self.plugin.scorer = Some(scorer);
        match outcome {
            Ok(scores) => {
                // Highest score; ties by queue order.
                let best = (0..cands.len())
                    .max_by(|&i, &j| scores[i].total_cmp(&scores[j]).then_with(|| cands[j].0.cmp(&cands[i].0)))
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
            agents: &[AgentInfo<'_>],
        ) -> Result<Vec<f64>, ScorerError> {
            if self.fail {
                return Err(ScorerError { message: "boom".into(), payload: Some(Box::new(7u8)) });
            }
            Ok(agents.iter().map(|a| f64::from(a.id.as_bytes()[1])).collect())
        }
    }

    fn router(fail: bool) -> Router {
        let cfg = RouterConfig::new(vec![ChannelConfig::new("voice", 100, 1)], vec![QueueConfig::new("q")]);
        let mut r = Router::new(cfg).unwrap();
        r.set_scorer(Some(Box::new(Last { fail })));
        for id in ["a1", "a3", "a2"] {
            r.add_agent(&AgentSpec::new(id, &[("x", 5)]), 0.0).unwrap();
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
        let ev = r.submit(&ContactSpec::new("c1", "voice", "q"), 1.0).unwrap();
        assert_eq!(agent_of(&ev), "a3");
        assert_eq!(r.scorer_failures(), 0);
    }

    #[test]
    fn a_failing_scorer_falls_back_and_keeps_the_error() {
        let mut r = router(true);
        let ev = r.submit(&ContactSpec::new("c1", "voice", "q"), 1.0).unwrap();
        assert_eq!(agent_of(&ev), "a1", "longest idle, then id");
        assert_eq!(r.scorer_failures(), 1);
        let err = r.take_scorer_error().unwrap();
        assert_eq!(err.message, "boom");
        assert_eq!(err.payload.unwrap().downcast_ref::<u8>(), Some(&7));
        assert!(r.take_scorer_error().is_none());
        r.check_invariants().unwrap();
    }
}
