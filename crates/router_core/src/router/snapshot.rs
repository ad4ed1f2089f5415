//! Snapshots: the router's whole state in a versioned binary format.
//!
//! A snapshot holds what cannot be derived (configuration, counters, agents,
//! contacts, timers, the random generator, the clock, the id interning) in a
//! canonical order, so that two routers in the same state write the same
//! bytes. The indexes (ready groups, wait groups, head caches) are rebuilt
//! on restore.
//!
//! Layout: an 8-byte magic, the format version (u32), the payload's length
//! (u64) and its CRC-32 (u32), all little-endian, then the payload. A
//! snapshot from another version is refused, never misread; a wrong length,
//! a wrong checksum, trailing bytes, a payload that does not decode, or one
//! that decodes into an inconsistent state (see `snapshot_check`) is refused
//! with `SnapshotError` saying what is wrong, before any router is built
//! from it.

use super::index::Index;
use super::live::LiveSet;
use super::timers::Timer;
use super::views::Counters;
use super::{Agent, Contact, Finished, Router};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::model::RouterConfig;
use crate::types::{ContactStatus, Id, Time};
use bincode::Options;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;

/// The first bytes of every snapshot.
pub const MAGIC: &[u8; 8] = b"CCROUTE\0";
/// The snapshot format this build writes and reads.
pub const FORMAT_VERSION: u32 = 9;
/// Bytes before the payload: magic, version, length, checksum.
const HEADER: usize = 8 + 4 + 8 + 4;

#[derive(Serialize, Deserialize)]
pub(super) struct QueueState {
    pub counters: Counters,
    pub live: Vec<(Time, u64)>,
    /// Per rule, whether its alert has fired in the current crossing.
    pub crossed: Vec<bool>,
    /// Recent outcomes for `sl_below` rules.
    pub outcomes: Option<super::rules::Outcomes>,
}

#[derive(Serialize, Deserialize)]
pub(super) struct State {
    pub config: RouterConfig,
    pub queues: Vec<QueueState>,
    pub skills: Vec<String>,
    /// Selectors, by their canonical text.
    pub sels: Vec<String>,
    pub profiles: Vec<super::index::ProfileKey>,
    pub sigs: Vec<super::index::SigKey>,
    pub agents: Vec<Option<Agent>>,
    pub free_agents: Vec<u32>,
    pub contacts: Vec<Option<Contact>>,
    pub free_contacts: Vec<u32>,
    pub finished: Vec<(Id, Finished)>,
    pub retired_channels: Vec<String>,
    pub retired_queues: Vec<String>,
    pub last_agent: Vec<(Id, Id)>,
    pub timers: Vec<Timer>,
    pub pending: Vec<Event>,
    pub rng: ChaCha8Rng,
    pub now: Time,
    pub settled: Time,
    pub next_seq: u64,
    pub decisions: u64,
    pub batch_due: Option<Time>,
}

fn snapshot_error(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::Snapshot, message)
}

impl Router {
    /// Writes the router's full state. Two routers in the same state write
    /// the same bytes, and [`Router::restore`] rebuilds an identical router.
    pub fn snapshot(&self) -> Vec<u8> {
        let state = self.state();
        let mut out = Vec::with_capacity(1024);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&[0; 12]);
        bincode::serialize_into(&mut out, &state).expect("serialising into memory cannot fail");
        let len = (out.len() - HEADER) as u64;
        let crc = crc32fast::hash(&out[HEADER..]);
        out[12..20].copy_from_slice(&len.to_le_bytes());
        out[20..24].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// What a snapshot holds, in its canonical order.
    pub(super) fn state(&self) -> State {
        let mut last_agent: Vec<(Id, Id)> =
            self.last_agent.iter().map(|(c, a)| (c.clone(), a.clone())).collect();
        last_agent.sort_unstable();
        let mut timers: Vec<Timer> = self.timers.iter().map(|Reverse(t)| t.clone()).collect();
        timers.sort_unstable();
        State {
            config: self.config.clone(),
            queues: self
                .queues
                .iter()
                .map(|q| QueueState {
                    counters: q.counters.clone(),
                    live: q.live.entries(),
                    crossed: q.crossed.clone(),
                    outcomes: q.outcomes.as_deref().cloned(),
                })
                .collect(),
            skills: self.index.skill_names.clone(),
            sels: self.index.sels.iter().map(|s| s.text.clone()).collect(),
            profiles: self.index.profiles.iter().map(|p| (p.skills.clone(), p.routing)).collect(),
            sigs: self.index.sigs.iter().map(|s| (s.reqs.clone(), s.sel, s.expedite)).collect(),
            agents: self.agents.clone(),
            free_agents: self.free_agents.clone(),
            contacts: self.contacts.to_options(),
            free_contacts: self.free_contacts.clone(),
            finished: self
                .finished_order
                .iter()
                .map(|id| (id.clone(), self.finished[id].clone()))
                .collect(),
            retired_channels: self.retired_channels.clone(),
            retired_queues: self.retired_queues.clone(),
            last_agent,
            timers,
            pending: self.pending.clone(),
            rng: self.rng.clone(),
            now: self.now,
            settled: self.settled,
            next_seq: self.next_seq,
            decisions: self.decisions,
            batch_due: self.batch_due,
        }
    }

    /// Rebuilds a router from [`Router::snapshot`] bytes.
    ///
    /// Errors: `Snapshot` when the bytes are not a snapshot, come from
    /// another format version, are truncated, extended or damaged (length
    /// and checksum), or decode into an inconsistent state; the message
    /// says which. No router is built from a snapshot that fails a check.
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
        if bytes.len() < HEADER {
            return Err(snapshot_error(format!(
                "corrupt snapshot: {} bytes, shorter than its header",
                bytes.len()
            )));
        }
        let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
        let crc = u32::from_le_bytes(bytes[20..24].try_into().expect("4 bytes"));
        let payload = &bytes[HEADER..];
        if payload.len() as u64 != len {
            return Err(snapshot_error(format!(
                "corrupt snapshot: the header announces {len} payload bytes, {} follow (truncated or extended)",
                payload.len()
            )));
        }
        let actual = crc32fast::hash(payload);
        if actual != crc {
            return Err(snapshot_error(format!(
                "corrupt snapshot: checksum {actual:08x} does not match the recorded {crc:08x}"
            )));
        }
        let state: State = bincode::DefaultOptions::new()
            .with_fixint_encoding()
            .reject_trailing_bytes()
            .with_limit(len)
            .deserialize(payload)
            .map_err(|e| snapshot_error(format!("corrupt snapshot: {e}")))?;
        // Rebuilding reads the indexes the state holds: check them all
        // first. A panic while rebuilding would be a fault of this check;
        // it is still reported as a corrupt snapshot, never propagated.
        let rebuilt =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Router::rebuild(state)));
        let r = match rebuilt {
            Ok(r) => r?,
            Err(_) => return Err(snapshot_error("corrupt snapshot: its state is inconsistent")),
        };
        r.check_invariants().map_err(|e| snapshot_error(format!("corrupt snapshot: {e}")))?;
        Ok(r)
    }

    /// Builds a router from a decoded state, after checking it.
    pub(super) fn rebuild(state: State) -> Result<Router> {
        let mut r = Router::new(state.config.clone())
            .map_err(|e| snapshot_error(format!("snapshot holds an invalid configuration: {e}")))?;
        let sizes = super::snapshot_check::Sizes {
            channels: r.channels.len(),
            costs: r.channels.iter().map(|c| c.cfg.cost).collect(),
            queues: r.queues.len(),
            routing: r.index.routing.len(),
            retired_channels: state.retired_channels.len(),
            retired_queues: state.retired_queues.len(),
        };
        super::snapshot_check::check(&state, &sizes)
            .map_err(|e| snapshot_error(format!("corrupt snapshot: {e}")))?;
        for (q, qs) in r.queues.iter_mut().zip(state.queues) {
            q.counters = qs.counters;
            q.live = LiveSet::from_entries(&qs.live);
            // Rules changed by a reconfiguration start uncrossed.
            if qs.crossed.len() == q.crossed.len() {
                q.crossed = qs.crossed;
            }
            if let (Some(mine), Some(theirs)) = (q.outcomes.as_mut(), qs.outcomes) {
                **mine = theirs;
            }
        }
        let routing = std::mem::take(&mut r.index.routing);
        r.index = Index::new(r.channels.len());
        r.index.routing = routing;
        for name in &state.skills {
            r.index.skill(name);
        }
        for (i, text) in state.sels.iter().enumerate() {
            let e = crate::selector::Expr::parse(text).map_err(|e| {
                snapshot_error(format!("corrupt snapshot: selector {i}: {}", e.message()))
            })?;
            if r.index.selector(e) as usize != i {
                return Err(snapshot_error(format!(
                    "corrupt snapshot: selector {i} is listed twice"
                )));
            }
        }
        for key in state.profiles {
            r.index.profile_of(key);
        }
        for s in state.sigs {
            r.index.sig_of(s);
        }
        // A weighted policy's `level:<skill>` features by this index's numbers.
        if let crate::policy::Policy::Weighted(ws) = &mut r.config.policy {
            for (f, _) in ws.iter_mut() {
                if let crate::policy::Feature::Level(id, name) = f {
                    *id = r.index.skill(name);
                }
            }
        }
        let n = r.channels.len();
        r.agents = state.agents;
        r.free_agents = state.free_agents;
        r.contacts = super::slots::ContactSlots::from_options(
            state
                .contacts
                .into_iter()
                .map(|c| c.map(|c| super::Contact { slot: None, ..c }))
                .collect(),
        );
        r.free_contacts = state.free_contacts;
        for (i, a) in r.agents.iter_mut().enumerate() {
            if let Some(a) = a {
                // Derived state is rebuilt (a reconfiguration hands over a
                // state that still carries the old router's).
                a.ready = smallvec::smallvec![false; n];
                a.key = None;
                a.class = r.index.class(&a.attributes);
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
        // Open or closed as the hours say at the snapshot's time (held
        // contacts of a queue now open join their groups below).
        r.timers = state.timers.into_iter().map(Reverse).collect();
        r.now = state.now;
        r.next_seq = state.next_seq;
        r.init_hours();
        for i in 0..r.contacts.len() as u32 {
            let Some(c) = r.contacts.get(i as usize) else { continue };
            if c.indexed {
                r.contact_ids.insert(c.id.clone(), i);
            }
            let (status, queue) = (c.status, c.queue);
            if status == ContactStatus::Waiting && c.pinned.is_none() {
                r.enqueue(i); // not a parked callback: it waits in no group
            }
            if status == ContactStatus::Calling {
                r.queues[queue as usize].calling += 1;
            }
        }
        for (id, f) in state.finished {
            r.finished_order.push_back(id.clone());
            r.finished.insert(id, f);
        }
        r.retired_channels = state.retired_channels;
        r.retired_queues = state.retired_queues;
        r.last_agent = state.last_agent.into_iter().collect();
        r.pending = state.pending;
        r.rng = state.rng;
        r.settled = state.settled;
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
                ev.extend(
                    r.add_agent(
                        &AgentSpec::new(format!("a{i}"), &[("x", (i % 9 + 1) as u8)]),
                        t,
                        Vec::new(),
                    )
                    .unwrap(),
                );
            }
            let mut c =
                ContactSpec::new(format!("c{i}"), if i % 2 == 0 { "voice" } else { "chat" }, "q")
                    .requiring(&[("x", 5)]);
            c.steps =
                vec![StepSpec { after: 3.0, requires: vec![], when: None, ..StepSpec::default() }];
            ev.extend(r.submit(&c, t, Vec::new()).unwrap());
            ev.extend(r.advance(t + 0.5, Vec::new()).unwrap());
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
        snap[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let err = Router::restore(&snap).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Snapshot);
        assert!(err.message().contains(&format!("version {}", FORMAT_VERSION + 1)), "{err}");
        let err = Router::restore(b"hello world, not a snapshot").unwrap_err();
        assert!(err.message().contains("magic"), "{err}");
        let mut truncated = router().snapshot();
        truncated.truncate(20);
        assert!(Router::restore(&truncated).unwrap_err().message().contains("corrupt"));
    }
}
