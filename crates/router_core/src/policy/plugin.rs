//! Plug-in policies: a scorer outside the core (a Python object, a fitted
//! model) that ranks the candidates the core found eligible.
//!
//! The core only ever hands a scorer candidates that already satisfy
//! eligibility (state, skills in force, channel slot, capacity units), so a
//! scorer cannot break an invariant. When a scorer fails (an error, a wrong
//! number of scores, NaN or infinite scores) the router decides with its
//! built-in policy instead, counts the failure and keeps the error for the
//! caller: no contact is ever lost to a failing scorer.

use crate::types::{Attrs, Id, Time};

use std::any::Any;
use std::sync::Arc;

/// What a scorer sees of a contact.
#[derive(Debug)]
pub struct ContactInfo<'a> {
    /// Contact id.
    pub id: &'a str,
    /// Channel name.
    pub channel: &'a str,
    /// Queue name.
    pub queue: &'a str,
    /// Priority.
    pub priority: i64,
    /// Seconds waited so far.
    pub wait: Time,
    /// Requirements in force: (skill id, level); names via [`Names`].
    pub requires: &'a [(u32, u8)],
    /// Preferred skills: (skill id, level).
    pub prefers: &'a [(u32, u8)],
    /// Customer id.
    pub customer: Option<&'a str>,
    /// Free-form attributes.
    pub attributes: &'a Attrs,
}

/// What a scorer sees of an agent.
#[derive(Debug)]
pub struct AgentInfo<'a> {
    /// Agent id (shared: cloning it is cheap).
    pub id: &'a crate::types::Id,
    /// Skill profile number (agents with the same skills share it).
    pub profile: u32,
    /// Skills: (skill id, level), sorted by id.
    pub skills: &'a [(u32, u8)],
    /// Used / total capacity units.
    pub load: f64,
    /// Free capacity units.
    pub free_units: u32,
    /// Per channel (configuration order): slots in use.
    pub held: &'a [u32],
    /// Seconds since the agent became idle (available, or last freed a slot).
    pub idle: Time,
    /// Contacts completed.
    pub handled: u64,
    /// Free-form attributes.
    pub attributes: &'a Attrs,
}

/// A run of consecutive candidates with the same skill profile.
#[derive(Debug, Clone, Copy)]
pub struct ProfileRun<'a> {
    /// Skill profile number.
    pub profile: u32,
    /// Its skills: (skill id, level), sorted by id.
    pub skills: &'a [(u32, u8)],
    /// One past the run's last candidate (the run starts where the one
    /// before ends).
    pub end: u32,
}

/// Agent ids by slot, shared: a clone is one reference count, and holds
/// the ids as they were (the router copies the table before changing it
/// while a clone is alive).
#[derive(Debug, Clone, Default)]
pub struct SlotIds(pub(crate) Arc<Vec<Option<Id>>>);

impl SlotIds {
    /// The id of the agent in `slot`, if the table has one.
    pub fn get(&self, slot: u32) -> Option<&Id> {
        self.0.get(slot as usize).and_then(Option::as_ref)
    }
}

/// The eligible agents of one decision, column by column (one slice per
/// fact, in candidate order), so that a vectorised scorer copies the
/// columns it needs in one pass each and builds nothing per candidate.
/// [`Candidates::get`] gives one candidate as an [`AgentInfo`].
#[derive(Debug, Clone, Copy)]
pub struct Candidates<'a> {
    /// Agent slots: an agent keeps its slot while it is in the router; a
    /// removed agent's slot may go to a later one.
    pub slots: &'a [u32],
    /// The ids of the agents by slot (every candidate's among them): a
    /// scorer can keep a clone instead of cloning each candidate's id,
    /// whose counts sit in as many scattered allocations.
    pub ids: &'a SlotIds,
    /// Candidates grouped by skill profile, in order.
    pub runs: &'a [ProfileRun<'a>],
    /// Used / total capacity units.
    pub load: &'a [f64],
    /// Free capacity units.
    pub free_units: &'a [u32],
    /// Seconds since the agent became idle.
    pub idle: &'a [Time],
    /// Contacts completed.
    pub handled: &'a [u64],
    /// Slots in use per channel (configuration order): `channels` values
    /// per candidate.
    pub held: &'a [u32],
    /// Number of channels.
    pub channels: usize,
    /// The candidates with attributes (most have none): (position,
    /// attributes), by position.
    pub attributes: &'a [(u32, &'a Attrs)],
}

static NO_ATTRIBUTES: Attrs = Attrs::new();

impl<'a> Candidates<'a> {
    /// Number of candidates.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are no candidates.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The id of candidate `i` (panics out of range).
    pub fn id(&self, i: usize) -> &'a Id {
        self.ids.get(self.slots[i]).expect("the id table holds every candidate")
    }

    /// The run (profile) of candidate `i`.
    pub fn run_of(&self, i: usize) -> &ProfileRun<'a> {
        &self.runs[self.runs.partition_point(|r| r.end as usize <= i)]
    }

    /// Candidate `i` (panics out of range).
    pub fn get(&self, i: usize) -> AgentInfo<'a> {
        let run = self.run_of(i);
        AgentInfo {
            id: self.id(i),
            profile: run.profile,
            skills: run.skills,
            load: self.load[i],
            free_units: self.free_units[i],
            held: &self.held[i * self.channels..(i + 1) * self.channels],
            idle: self.idle[i],
            handled: self.handled[i],
            attributes: self
                .attributes
                .binary_search_by_key(&(i as u32), |&(k, _)| k)
                .map_or(&NO_ATTRIBUTES, |k| self.attributes[k].1),
        }
    }
}

/// Names behind the interned ids a scorer receives, and a read-only look
/// at the router as it stands at the decision (computed when asked).
pub trait Names {
    /// Name of a skill id.
    fn skill(&self, id: u32) -> &str;
    /// Channel names in configuration order.
    fn channels(&self) -> Vec<&str>;
    /// Every queue's figures (waiting, longest wait, counters, ...), in
    /// configuration order. O(queues).
    fn queues(&self) -> Vec<crate::QueueStats> {
        Vec::new()
    }
    /// Agents by state (and busy / idle). O(agents).
    fn agents_by_state(&self) -> crate::AgentsByState {
        crate::AgentsByState::default()
    }
    /// The router's time.
    fn now(&self) -> crate::Time {
        0.0
    }
}

/// A scorer's failure; `payload` carries the original error (for a Python
/// scorer, the exception) so that a strict caller can re-raise it unchanged.
pub struct ScorerError {
    /// What went wrong, for logs.
    pub message: String,
    /// The original error, if any.
    pub payload: Option<Box<dyn Any + Send + Sync>>,
}

impl std::fmt::Debug for ScorerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScorerError").field("message", &self.message).finish_non_exhaustive()
    }
}

/// A plug-in policy. Implementations must not block: they run inside every
/// routing decision.
pub trait Scorer: Send + Sync {
    /// Scores eligible agents for a contact (higher is better): one finite
    /// score per agent, in order.
    fn score_agents(
        &mut self,
        names: &dyn Names,
        contact: &ContactInfo<'_>,
        agents: &Candidates<'_>,
    ) -> Result<Vec<f64>, ScorerError>;

    /// Whether [`Scorer::score_contacts`] is implemented; when it is not,
    /// an agent with room takes contacts in queue order.
    fn scores_contacts(&self) -> bool {
        false
    }

    /// Scores the waiting contacts an agent could take (higher is better):
    /// the next contact of each compatible queue group, one score each.
    fn score_contacts(
        &mut self,
        _names: &dyn Names,
        _agent: &AgentInfo<'_>,
        contacts: &[ContactInfo<'_>],
    ) -> Result<Vec<f64>, ScorerError> {
        Ok(vec![0.0; contacts.len()])
    }

    /// The router's channels, queues or skill profiles were renumbered (a
    /// live reconfiguration): drop anything cached by number.
    fn renumbered(&mut self) {}

    /// Whether [`Scorer::on_events`] wants the router's events.
    fn wants_events(&self) -> bool {
        false
    }

    /// The events of a step of a simulation (assignments, completions, ...,
    /// with their times), after the simulator has accounted for them.
    fn on_events(
        &mut self,
        _names: &dyn Names,
        _events: &[crate::Event],
    ) -> Result<(), ScorerError> {
        Ok(())
    }
}

/// Checks a scorer's answer: one finite score per candidate.
pub fn check_scores(scores: Vec<f64>, n: usize) -> Result<Vec<f64>, ScorerError> {
    if scores.len() != n {
        return Err(ScorerError {
            message: format!("policy returned {} scores for {n} candidates", scores.len()),
            payload: None,
        });
    }
    if let Some((i, s)) = scores.iter().enumerate().find(|(_, s)| !s.is_finite()) {
        return Err(ScorerError {
            message: format!("policy returned the non-finite score {s} for candidate {i}"),
            payload: None,
        });
    }
    Ok(scores)
}
