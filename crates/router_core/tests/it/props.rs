//! Property test: random command sequences against a model of what the
//! events say, with `check_invariants()` after every step.
//!
//! The model follows each contact through the events (waiting, offered,
//! assigned, ended), keeps its requirement steps and the agents' skills, and
//! checks that: every `Assigned`/`Offered` agent meets the requirements in
//! force at that moment and was not excluded; a contact is never held by two
//! agents; steps fire at arrival + after, in order; every submitted contact
//! ends in exactly one terminal outcome or is still live; the router's views
//! agree with the model.
//!
//! Each run also draws a mix of options that must work together: the first
//! queue's ordering (priority, LIFO, greatest need), aging caps on the
//! aging queues of the overflow chain q1 → q2 → q0, routing profiles
//! (with delays, one not serving q0) on some agents, and conditional steps.
//!
//! The model itself is in `props_model`; this file holds the commands, the
//! strategies that draw them and the driver that runs them.

use super::props_model::{MAgent, MContact, MState, Model};
use super::*;
use proptest::prelude::*;
use proptest::test_runner::Config as PtConfig;
use router_core::{
    AgentState, ChannelConfig, Condition, Ordering, Overflow, PolicyKind, ProfileQueue,
    QueueConfig, RouterConfig, RoutingProfile, StepSpec,
};
use std::collections::{BTreeMap, BTreeSet};

const SKILLS: [&str; 3] = ["s0", "s1", "s2"];
const CHANNELS: [&str; 3] = ["voice", "chat", "email"];
const QUEUES: [&str; 3] = ["q0", "q1", "q2"];
const DTS: [f64; 8] = [0.0, 0.0, 0.5, 1.0, 2.0, 5.0, 10.0, 25.0];
const AGENT_SLOTS: u8 = 6;

#[derive(Clone, Debug)]
struct CSpec {
    channel: u8,
    queue: u8,
    priority: i8,
    reqs: Vec<(u8, u8)>,
    /// (after increment index, level decrease) per step.
    steps: Vec<(u8, u8)>,
    customer: Option<u8>,
    preferred: Option<(u8, u8)>,
}

#[derive(Clone, Debug)]
enum Cmd {
    AddAgent {
        slot: u8,
        skills: Vec<(u8, u8)>,
        state: u8,
        capacity: u8,
        mapping: u8,
    },
    RemoveAgent {
        slot: u8,
    },
    SetState {
        slot: u8,
        state: u8,
    },
    Submit(CSpec),
    SubmitMany(Vec<CSpec>),
    Cancel {
        pick: u16,
    },
    Complete {
        pick: u16,
    },
    Accept {
        pick: u16,
        agent: u8,
    },
    Reject {
        pick: u16,
        agent: u8,
    },
    Advance,
    /// A call with a time before the router's: must fail and change nothing.
    Backwards,
}

#[derive(Clone, Debug)]
struct Setup {
    /// Option mix, bit by bit: 0–1 ordering of q0, 2 aging cap on q1, 3
    /// aging cap on q2, 4 routing profiles on agents, 5 conditional steps.
    mix: u8,
    policy: u8,
    offer: bool,
    wrap_up: bool,
    affinity_wait: bool,
    seed: u64,
}

fn skill_list() -> impl Strategy<Value = Vec<(u8, u8)>> {
    proptest::collection::vec((0u8..3, 1u8..=10), 0..=3).prop_map(|mut v| {
        // Mostly capable agents, so that work flows.
        v.iter_mut().for_each(|(_, l)| *l = (*l).max(3));
        v.extend([(0, 6), (1, 5), (2, 4)].into_iter().take(v.len() % 2 + 1));
        v
    })
}

fn cspec() -> impl Strategy<Value = CSpec> {
    (
        0u8..3,
        0u8..3,
        -2i8..=3,
        proptest::collection::vec((0u8..3, 1u8..=8), 0..=2),
        proptest::collection::vec((0u8..4, 0u8..=4), 0..=2),
        proptest::option::weighted(0.3, 0u8..3),
        proptest::option::weighted(0.15, (0u8..AGENT_SLOTS, 0u8..3)),
    )
        .prop_map(|(channel, queue, priority, reqs, steps, customer, preferred)| CSpec {
            channel,
            queue,
            priority,
            reqs,
            steps,
            customer,
            preferred,
        })
}

fn cmd() -> impl Strategy<Value = Cmd> {
    prop_oneof![
        4 => (0u8..AGENT_SLOTS, skill_list(), 0u8..8, 0u8..4, 0u8..5).prop_map(|(slot, skills, state, capacity, mapping)| {
            Cmd::AddAgent { slot, skills, state, capacity, mapping }
        }),
        1 => (any::<u8>()).prop_map(|slot| Cmd::RemoveAgent { slot }),
        2 => (any::<u8>(), 0u8..4).prop_map(|(slot, state)| Cmd::SetState { slot, state }),
        6 => cspec().prop_map(Cmd::Submit),
        1 => proptest::collection::vec(cspec(), 1..=4).prop_map(Cmd::SubmitMany),
        1 => any::<u16>().prop_map(|pick| Cmd::Cancel { pick }),
        4 => any::<u16>().prop_map(|pick| Cmd::Complete { pick }),
        3 => (any::<u16>(), any::<u8>()).prop_map(|(pick, agent)| Cmd::Accept { pick, agent }),
        1 => (any::<u16>(), any::<u8>()).prop_map(|(pick, agent)| Cmd::Reject { pick, agent }),
        2 => Just(Cmd::Advance),
        1 => Just(Cmd::Backwards),
    ]
}

fn setup() -> impl Strategy<Value = Setup> {
    (any::<u8>(), 0u8..6, any::<bool>(), any::<bool>(), any::<bool>(), any::<u64>()).prop_map(
        |(mix, policy, offer, wrap_up, affinity_wait, seed)| Setup {
            mix,
            policy,
            offer,
            wrap_up,
            affinity_wait,
            seed,
        },
    )
}

fn build(s: &Setup) -> Router {
    let mut channels = vec![
        ChannelConfig::new("voice", 100, 1),
        ChannelConfig::new("chat", 25, 4),
        ChannelConfig::new("email", 10, 5),
    ];
    if s.wrap_up {
        channels[0].wrap_up = 3.0;
        channels[1].wrap_up = 1.0;
    }
    let mut q0 = QueueConfig::new("q0");
    q0.ordering = [Ordering::Priority, Ordering::Lifo, Ordering::GreatestNeed, Ordering::Priority]
        [(s.mix & 3) as usize];
    q0.sl_threshold = 8.0;
    let mut q1 = QueueConfig::new("q1");
    q1.aging_rate = 0.5;
    q1.aging_max = (s.mix & 4 != 0).then_some(2.0);
    q1.max_waiting = Some(4);
    q1.overflow = Some(Overflow { to: "q2".into(), after: 15.0 });
    let mut q2 = QueueConfig::new("q2");
    q2.aging_rate = 0.1;
    q2.aging_max = (s.mix & 8 != 0).then_some(1.5);
    q2.overflow = Some(Overflow { to: "q0".into(), after: 30.0 });
    let mut cfg = RouterConfig::new(channels, vec![q0, q1, q2]);
    let pq = |queue: &str, priority: i64, delay: f64| ProfileQueue {
        queue: queue.into(),
        priority,
        delay,
    };
    cfg.routing_profiles = vec![
        RoutingProfile {
            name: "front".into(),
            queues: vec![pq("q0", 1, 0.0), pq("q1", 0, 4.0), pq("q2", 0, 0.0)],
        },
        RoutingProfile { name: "back".into(), queues: vec![pq("q1", 2, 0.0), pq("q2", 1, 6.0)] },
    ];
    cfg.policy = PolicyKind::ALL[s.policy as usize % PolicyKind::ALL.len()].into();
    cfg.offer_timeout = s.offer.then_some(12.0);
    cfg.affinity_wait = if s.affinity_wait { 8.0 } else { 0.0 };
    cfg.seed = s.seed;
    // The model keeps exclusions for good (their expiry is tested in offers.rs).
    cfg.exclusion_expires_after = None;
    Router::new(cfg).expect("valid property config")
}

fn names_of<const N: usize>(list: [&str; N], pairs: &[(u8, u8)]) -> Vec<(String, u8)> {
    // One entry per skill (the last wins), sorted: duplicates would be refused.
    let mut m = BTreeMap::new();
    for (s, l) in pairs {
        m.insert(list[*s as usize % N].to_string(), *l);
    }
    m.into_iter().collect()
}

struct Driver {
    r: Router,
    m: Model,
    mix: u8,
    now: f64,
    next_contact: u32,
    offer_mode: bool,
    /// No event is held back by a failed call.
    synced: bool,
    log: Vec<String>,
}

impl Driver {
    fn contact_spec(&mut self, s: &CSpec) -> (ContactSpec, MContact) {
        let id = format!("k{}", self.next_contact);
        self.next_contact += 1;
        let mut spec = ContactSpec::new(id, CHANNELS[s.channel as usize], QUEUES[s.queue as usize]);
        spec.priority = i64::from(s.priority);
        spec.requires = names_of(SKILLS, &s.reqs);
        let mut reqs = vec![spec.requires.iter().cloned().collect::<BTreeMap<_, _>>()];
        let mut afters = Vec::new();
        let mut conds = Vec::new();
        let mut after = 0.0;
        for &(inc, drop) in &s.steps {
            after += [0.0, 3.0, 7.0, 12.0][inc as usize % 4];
            let prev = reqs.last().unwrap().clone();
            let next: BTreeMap<String, u8> =
                prev.into_iter().filter_map(|(k, l)| (l > drop).then(|| (k, l - drop))).collect();
            let when = (self.mix & 32 != 0 && inc % 2 == 1).then(|| {
                [
                    Condition::NoAgentAvailable,
                    Condition::QueueLongerThan(1),
                    Condition::LongestWaitAbove(5.0),
                ][(after as usize + drop as usize) % 3]
                    .clone()
            });
            conds.push(when.is_some());
            spec.steps.push(StepSpec {
                after,
                requires: next.clone().into_iter().collect(),
                when,
                ..StepSpec::default()
            });
            reqs.push(next);
            afters.push(after);
        }
        spec.customer = s.customer.map(|c| format!("cust{c}"));
        if let Some((slot, wait)) = s.preferred {
            spec.preferred_agent = Some(format!("ag{slot}"));
            spec.preferred_wait = [0.0, 4.0, 9.0][wait as usize % 3];
        }
        let mc = MContact {
            reqs,
            afters,
            conds,
            step: 0,
            arrival: self.now,
            state: MState::Waiting,
            terminals: 0,
            queue: QUEUES[s.queue as usize].to_string(),
            entered: self.now,
            excluded: BTreeSet::new(),
        };
        (spec, mc)
    }

    /// A contact to act on: usually one in a state where the call makes
    /// sense (`want`), sometimes any known contact (to exercise errors).
    fn pick_contact(&self, pick: u16, want: fn(&MState) -> bool) -> Option<String> {
        let any = pick & 7 == 0; // one in eight
        let list: Vec<&String> = self
            .m
            .contacts
            .iter()
            .filter(|(_, c)| any || want(&c.state))
            .map(|(id, _)| id)
            .collect();
        if list.is_empty() {
            return None;
        }
        Some(list[(pick / 8) as usize % list.len()].clone())
    }

    /// An agent slot: usually one that exists.
    fn pick_agent(&self, slot: u8) -> String {
        let ids: Vec<&String> = self.m.agents.keys().collect();
        if slot < 52 || ids.is_empty() {
            // about one in five: any slot
            format!("ag{}", slot % AGENT_SLOTS)
        } else {
            ids[slot as usize % ids.len()].clone()
        }
    }

    fn step(&mut self, dt: f64, cmd: &Cmd) -> Result<(), String> {
        self.now += dt;
        let now = self.now;
        self.log.push(format!("t={now} {cmd:?}"));
        // What the model learns on success, applied around the events.
        let mut add_agent: Option<(String, MAgent)> = None;
        let mut remove_agent: Option<String> = None;
        let mut new_contacts: Vec<(String, MContact)> = Vec::new();
        // With nothing held back and no timer due, a failed call must change nothing.
        let quiet = self.synced && self.r.next_timer().is_none_or(|t| t > now);
        let ids: Vec<String> = self.m.contacts.keys().cloned().collect();
        let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
        let before = quiet.then(|| snapshot(&self.r, &id_refs));
        let res = match cmd {
            Cmd::AddAgent { slot, skills, state, capacity, mapping } => {
                let id = format!("ag{slot}");
                let mut spec = AgentSpec::new(id.clone(), &[]);
                spec.skills = names_of(SKILLS, skills);
                if self.mix & 16 != 0 {
                    spec.routing_profile =
                        [None, Some("front".to_string()), Some("back".to_string())]
                            [*slot as usize % 3]
                            .clone();
                }
                spec.state = [
                    AgentState::Available,
                    AgentState::Available,
                    AgentState::Available,
                    AgentState::Away,
                    AgentState::Offline,
                    AgentState::Available,
                    AgentState::Available,
                    AgentState::Available,
                ][*state as usize % 8];
                spec.capacity = [100, 100, 50, 30][*capacity as usize % 4];
                spec.channels = match mapping {
                    0 => Some(vec![("chat".into(), 2)]),
                    1 => Some(vec![("voice".into(), 1), ("email".into(), 3)]),
                    _ => None,
                };
                self.m.generations += 1;
                add_agent = Some((
                    id,
                    MAgent {
                        skills: spec.skills.iter().cloned().collect(),
                        generation: self.m.generations,
                    },
                ));
                self.r.add_agent(&spec, now, Vec::new())
            }
            Cmd::RemoveAgent { slot } => {
                let id = self.pick_agent(*slot);
                remove_agent = Some(id.clone());
                self.r.remove_agent(&id, now, Vec::new())
            }
            Cmd::SetState { slot, state } => {
                let st = [
                    AgentState::Available,
                    AgentState::Away,
                    AgentState::Offline,
                    AgentState::Available,
                ][*state as usize % 4];
                self.r.set_agent_state(&self.pick_agent(*slot), st, "", now, Vec::new())
            }
            Cmd::Submit(s) => {
                let (spec, mc) = self.contact_spec(s);
                new_contacts.push((spec.id.clone(), mc));
                self.r.submit(&spec, now, Vec::new())
            }
            Cmd::SubmitMany(list) => {
                let mut specs = Vec::new();
                for s in list {
                    let (spec, mc) = self.contact_spec(s);
                    new_contacts.push((spec.id.clone(), mc));
                    specs.push(spec);
                }
                self.r.submit_many(&specs, now, Vec::new())
            }
            Cmd::Cancel { pick } => match self
                .pick_contact(*pick, |s| matches!(s, MState::Waiting | MState::Offered(_)))
            {
                Some(c) => self.r.cancel(&c, now, Vec::new()),
                None => self.r.advance(now, Vec::new()),
            },
            Cmd::Complete { pick } => {
                match self.pick_contact(*pick, |s| matches!(s, MState::Assigned(_))) {
                    Some(c) => self.r.complete(&c, now, Vec::new()),
                    None => self.r.advance(now, Vec::new()),
                }
            }
            Cmd::Accept { pick, agent } | Cmd::Reject { pick, agent } => {
                let want: fn(&MState) -> bool =
                    if *agent < 200 { |s| matches!(s, MState::Offered(_)) } else { |_| true };
                match self.pick_contact(*pick, want) {
                    Some(c) => {
                        let a = match (&self.m.contacts[&c].state, *agent < 200) {
                            (MState::Offered(a), true) => a.clone(),
                            _ => self.pick_agent(*agent),
                        };
                        if matches!(cmd, Cmd::Accept { .. }) {
                            self.r.accept(&c, &a, now, Vec::new())
                        } else {
                            self.r.reject(&c, &a, now, Vec::new())
                        }
                    }
                    None => self.r.advance(now, Vec::new()),
                }
            }
            Cmd::Advance => self.r.advance(now, Vec::new()),
            Cmd::Backwards => match self.r.now() {
                t if t >= 1.0 => {
                    let e =
                        self.r.advance(t - 1.0, Vec::new()).expect_err("backwards time accepted");
                    if e.kind() != router_core::ErrorKind::InvalidInput {
                        return Err(format!("backwards time gave {e:?}"));
                    }
                    Err(e)
                }
                _ => self.r.advance(now, Vec::new()),
            },
        };
        match res {
            Ok(events) => {
                self.synced = true;
                if let Some((id, ma)) = add_agent {
                    self.m.agents.insert(id, ma);
                }
                for (id, mc) in new_contacts {
                    self.m.submitted += 1;
                    self.m.contacts.insert(id, mc);
                }
                for e in &events {
                    self.log.push(format!("    {e:?}"));
                    self.m.apply(e, self.offer_mode)?;
                }
                if let Some(id) = remove_agent {
                    self.m.agents.remove(&id);
                }
                self.m.compare(&self.r)
            }
            Err(e) => {
                self.log.push(format!("    error {:?}: {}", e.kind(), e.message()));
                if let Some(before) = before {
                    let after = snapshot(&self.r, &id_refs);
                    if before != after {
                        return Err(format!(
                            "failed call changed the router:\n{before:?}\n{after:?}"
                        ));
                    }
                } else {
                    self.synced = false;
                }
                // Held-back events come with the next call; the invariants
                // hold in any case.
                self.r.check_invariants()
            }
        }
    }

    fn finish(&mut self) -> Result<(), String> {
        // Deliver anything held back, then require every contact to have
        // ended exactly once or to be live.
        self.step(0.0, &Cmd::Advance)?;
        for (id, mc) in &self.m.contacts {
            let terminal =
                matches!(mc.state, MState::Completed | MState::Abandoned | MState::Refused);
            if mc.terminals != u32::from(terminal) {
                return Err(format!(
                    "contact {id} in {:?} with {} terminal events",
                    mc.state, mc.terminals
                ));
            }
        }
        Ok(())
    }
}

fn run(setup: &Setup, cmds: &[(u8, Cmd)]) -> Result<(), String> {
    let r = build(setup);
    let mut d = Driver {
        r,
        m: Model::default(),
        mix: setup.mix,
        now: 0.0,
        next_contact: 0,
        offer_mode: setup.offer,
        synced: true,
        log: Vec::new(),
    };
    let mut out = Ok(());
    for (dt, cmd) in cmds {
        out = d.step(DTS[*dt as usize % DTS.len()], cmd);
        if out.is_err() {
            break;
        }
    }
    if out.is_ok() {
        out = d.finish();
    }
    out.map_err(|e| format!("{e}\n--- log ---\n{}", d.log.join("\n")))
}

proptest! {
    // IT_CASES=n runs more cases locally.
    #![proptest_config(PtConfig {
        cases: std::env::var("IT_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        failure_persistence: None,
        ..PtConfig::default()
    })]

    #[test]
    fn random_command_sequences_keep_every_invariant(
        setup in setup(),
        cmds in proptest::collection::vec((0u8..8, cmd()), 1..=60),
    ) {
        if let Err(e) = run(&setup, &cmds) {
            prop_assert!(false, "{}", e);
        }
    }
}
