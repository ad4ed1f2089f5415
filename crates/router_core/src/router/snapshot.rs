//! Snapshots: the router's whole state in a versioned binary format.
//!
//! A snapshot holds what cannot be derived (configuration, counters, agents,
//! contacts, timers, the random generator, the clock, the id interning) in a
//! canonical order, so that two routers in the same state write the same
//! bytes. The indexes (ready groups, wait groups, head caches) are rebuilt
//! on restore. The format starts with an 8-byte magic and a version number;
//! a snapshot from another version is refused, never misread.

use super::index::{Index, SkillSet};
use super::live::LiveSet;
use super::timers::Timer;
use super::views::Counters;
use super::{Agent, Contact, Finished, Router};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::model::RouterConfig;
use crate::types::{ContactStatus, Id, Time};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// The first bytes of every snapshot.
pub const MAGIC: &[u8; 8] = b"CCROUTE\0";
/// The snapshot format this build writes and reads.
pub const FORMAT_VERSION: u32 = 4;

#[derive(Serialize, Deserialize)]
struct QueueState {
    counters: Counters,
    live: Vec<(Time, u64)>,
}

#[derive(Serialize, Deserialize)]
struct State {
    config: RouterConfig,
    queues: Vec<QueueState>,
    skills: Vec<String>,
    profiles: Vec<(SkillSet, Option<u32>)>,
    sigs: Vec<SkillSet>,
    agents: Vec<Option<Agent>>,
    free_agents: Vec<u32>,
    contacts: Vec<Option<Contact>>,
    free_contacts: Vec<u32>,
    finished: Vec<(Id, Finished)>,
    last_agent: Vec<(Id, Id)>,
    timers: Vec<Timer>,
    pending: Vec<Event>,
    rng: ChaCha8Rng,
    now: Time,
    settled: Time,
    next_seq: u64,
    decisions: u64,
    batch_due: Option<Time>,
}

fn snapshot_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Snapshot, message)
}

impl Router {
    /// Writes the router's full state. Two routers in the same state write
    /// the same bytes, and [`Router::restore`] rebuilds an identical router.
    pub fn snapshot(&self) -> Vec<u8> {
        let mut last_agent: Vec<(Id, Id)> = self.last_agent.iter().map(|(c, a)| (c.clone(), a.clone())).collect();
        last_agent.sort_unstable();
        let mut timers: Vec<Timer> = self.timers.iter().map(|Reverse(t)| t.clone()).collect();
        timers.sort_unstable();
        let state = State {
            config: self.config.clone(),
            queues: self
                .queues
                .iter()
                .map(|q| QueueState { counters: q.counters.clone(), live: q.live.entries() })
                .collect(),
            skills: self.index.skill_names.clone(),
            profiles: self.index.profiles.iter().map(|p| (p.skills.clone(), p.routing)).collect(),
            sigs: self.index.sigs.iter().map(|s| s.reqs.clone()).collect(),
            agents: self.agents.clone(),
            free_agents: self.free_agents.clone(),
            contacts: self.contacts.to_options(),
            free_contacts: self.free_contacts.clone(),
            finished: self.finished_order.iter().map(|id| (id.clone(), self.finished[id].clone())).collect(),
            last_agent,
            timers,
            pending: self.pending.clone(),
            rng: self.rng.clone(),
            now: self.now,
            settled: self.settled,
            next_seq: self.next_seq,
            decisions: self.decisions,
            batch_due: self.batch_due,
        };
        let mut out = Vec::with_capacity(1024);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bincode::serialize_into(&mut out, &state).expect("serialising into memory cannot fail");
        out
    }

    /// Rebuilds a router from [`Router::snapshot`] bytes.
    ///
    /// Errors: `Snapshot` when the bytes are not a snapshot, come from
    /// another format version, or are corrupt.
    pub fn restore(bytes: &[u8]) -> Result<Router> {
        if bytes.len() < 12 || &bytes[..8] != MAGIC {
            return Err(snapshot_error("not a ccroute snapshot (bad magic bytes)"));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(snapshot_error(format!(
                "snapshot format version {version} is not supported (this build reads version {FORMAT_VERSION})"
            )));
        }
        let state: State =
            bincode::deserialize(&bytes[12..]).map_err(|e| snapshot_error(format!("corrupt snapshot: {e}")))?;
        let mut r = Router::new(state.config.clone())
            .map_err(|e| snapshot_error(format!("snapshot holds an invalid configuration: {e}")))?;
        if state.queues.len() != r.queues.len() {
            return Err(snapshot_error("corrupt snapshot: queue count does not match its configuration"));
        }
        for (q, qs) in r.queues.iter_mut().zip(state.queues) {
            q.counters = qs.counters;
            q.live = LiveSet::from_entries(&qs.live);
        }
        let routing = std::mem::take(&mut r.index.routing);
        r.index = Index::new(r.channels.len());
        r.index.routing = routing;
        for name in &state.skills {
            r.index.skill(name);
        }
        for (skills, routing) in state.profiles {
            r.index.profile(skills, routing);
        }
        for s in state.sigs {
            r.index.sig(s);
        }
        let n = r.channels.len();
        r.agents = state.agents;
        r.free_agents = state.free_agents;
        r.contacts = super::slots::ContactSlots::from_options(state.contacts);
        r.free_contacts = state.free_contacts;
        for (i, a) in r.agents.iter_mut().enumerate() {
            if let Some(a) = a {
                a.ready = smallvec::smallvec![false; n];
                r.agent_ids.insert(a.id.clone(), i as u32);
                r.id_order.insert(&a.id);
            }
        }
        r.id_order.renumber();
        for a in r.agents.iter_mut().flatten() {
            a.rank = r.id_order.rank(&a.id);
        }
        for i in 0..r.agents.len() as u32 {
            if r.agents[i as usize].is_some() {
                r.count_available(i, 1);
                r.refresh_agent(i);
            }
        }
        for i in 0..r.contacts.len() as u32 {
            let Some(c) = r.contacts.get(i as usize) else { continue };
            if c.indexed {
                r.contact_ids.insert(c.id.clone(), i);
            }
            if c.status == ContactStatus::Waiting && c.pinned.is_none() {
                r.enqueue(i);
            }
        }
        for (id, f) in state.finished {
            r.finished_order.push_back(id.clone());
            r.finished.insert(id, f);
        }
        r.last_agent = state.last_agent.into_iter().collect();
        r.timers = state.timers.into_iter().map(Reverse).collect();
        r.pending = state.pending;
        r.rng = state.rng;
        r.now = state.now;
        r.settled = state.settled;
        r.next_seq = state.next_seq;
        r.decisions = state.decisions;
        r.batch_due = state.batch_due;
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AgentSpec, ChannelConfig, ContactSpec, QueueConfig, StepSpec};
    use crate::policy::PolicyKind;

    fn router() -> Router {
        let mut cfg = RouterConfig::new(
            vec![ChannelConfig::new("voice", 100, 1), ChannelConfig::new("chat", 25, 3)],
            vec![QueueConfig::new("q")],
        );
        cfg.policy = PolicyKind::Random.into();
        cfg.offer_timeout = Some(10.0);
        Router::new(cfg).unwrap()
    }

    /// Drives a router through offers, steps and waiting work.
    fn drive(r: &mut Router, from: usize, to: usize) -> Vec<Event> {
        let mut ev = Vec::new();
        for i in from..to {
            let t = i as f64;
            if i % 7 == 0 {
                ev.extend(r.add_agent(&AgentSpec::new(format!("a{i}"), &[("x", (i % 9 + 1) as u8)]), t).unwrap());
            }
            let mut c = ContactSpec::new(format!("c{i}"), if i % 2 == 0 { "voice" } else { "chat" }, "q")
                .requiring(&[("x", 5)]);
            c.steps = vec![StepSpec { after: 3.0, requires: vec![], when: None }];
            ev.extend(r.submit(&c, t).unwrap());
            ev.extend(r.advance(t + 0.5).unwrap());
        }
        ev
    }

    #[test]
    fn restore_rebuilds_an_identical_router() {
        let mut a = router();
        drive(&mut a, 0, 40);
        let snap = a.snapshot();
        let mut b = Router::restore(&snap).unwrap();
        b.check_invariants().unwrap();
        assert_eq!(b.snapshot(), snap, "a restored router writes the same snapshot");
        // Both continue identically, random draws included.
        assert_eq!(drive(&mut a, 40, 80), drive(&mut b, 40, 80));
        assert_eq!(a.snapshot(), b.snapshot());
        assert_eq!(a.stats(), b.stats());
    }

    #[test]
    fn refuses_other_versions_and_garbage() {
        let mut snap = router().snapshot();
        snap[8..12].copy_from_slice(&7u32.to_le_bytes());
        let err = Router::restore(&snap).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Snapshot);
        assert!(err.message().contains("version 7"), "{err}");
        let err = Router::restore(b"hello world, not a snapshot").unwrap_err();
        assert!(err.message().contains("magic"), "{err}");
        let mut truncated = router().snapshot();
        truncated.truncate(20);
        assert!(Router::restore(&truncated).unwrap_err().message().contains("corrupt"));
    }
}
