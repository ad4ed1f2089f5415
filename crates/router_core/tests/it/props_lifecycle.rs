//! Property test of a contact's whole life: random sequences of submits
//! (some scheduled for later),
//! offers, answers, cold and warm transfers (to queues and agents, with
//! channel and requirement changes), updates (with `if_version`), agent
//! state changes and time, checking after every call that the invariants
//! hold (a contact is in exactly one place, held by one agent except during
//! a warm transfer, every queue's counters add up), with pauses and
//! resumes of interruptible email, and (one run in two) queues that open
//! and close every few minutes, hold, overflow or offer callbacks at
//! closing, and fire exception rules; that a refused call
//! leaves the snapshot bytes unchanged, and that a snapshot restores to the
//! same state.

use super::*;
use proptest::prelude::*;
use proptest::test_runner::Config as PtConfig;
use router_core::{
    AgentState, Callback, CallbackOutcome, ChannelConfig, ContactUpdate, Overflow, QueueConfig,
    RouterConfig, StepSpec, TransferMode, TransferSpec,
};

const QUEUES: [&str; 3] = ["q0", "q1", "q2"];
const CHANNELS: [&str; 3] = ["voice", "chat", "email"];
const DTS: [f64; 6] = [0.0, 0.5, 1.0, 3.0, 10.0, 40.0];

#[derive(Clone, Debug)]
enum Op {
    Agent {
        slot: u8,
        level: u8,
        state: u8,
    },
    Submit {
        channel: u8,
        queue: u8,
        level: u8,
        relax: bool,
        later: Option<u8>,
    },
    Complete(u16),
    Cancel(u16),
    Accept(u16),
    Reject(u16),
    Transfer {
        pick: u16,
        queue: Option<u8>,
        agent: Option<u8>,
        warm: bool,
        keep: bool,
        level: Option<u8>,
        channel: Option<u8>,
    },
    Update {
        pick: u16,
        priority: Option<i8>,
        level: Option<u8>,
        age: Option<u8>,
        version: Option<u8>,
    },
    Advance,
    Callback {
        pick: u16,
        outcome: u8,
    },
    /// A submit (callback attempts, retry_after, not_before offset) or a
    /// conversion of a waiting contact (pick) to a callback.
    NewCallback {
        submit: bool,
        pick: u16,
        attempts: u8,
        retry: u8,
        later: Option<u8>,
        queue: u8,
    },
    Pause(u16),
    Resume(u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..5, 0u8..4, 0u8..6).prop_map(|(slot, level, state)| Op::Agent { slot, level, state }),
        5 => (0u8..3, 0u8..3, 0u8..4, any::<bool>(), proptest::option::weighted(0.2, 0u8..30))
            .prop_map(|(channel, queue, level, relax, later)| Op::Submit { channel, queue, level, relax, later }),
        3 => any::<u16>().prop_map(Op::Complete),
        1 => any::<u16>().prop_map(Op::Cancel),
        2 => any::<u16>().prop_map(Op::Accept),
        1 => any::<u16>().prop_map(Op::Reject),
        4 => (any::<u16>(), proptest::option::of(0u8..3), proptest::option::weighted(0.4, 0u8..5), any::<bool>(), any::<bool>(),
              proptest::option::weighted(0.3, 0u8..4), proptest::option::weighted(0.2, 0u8..3))
            .prop_map(|(pick, queue, agent, warm, keep, level, channel)| Op::Transfer { pick, queue, agent, warm, keep, level, channel }),
        3 => (any::<u16>(), proptest::option::of(-2i8..4), proptest::option::weighted(0.4, 0u8..4),
              proptest::option::weighted(0.3, 0u8..30), proptest::option::weighted(0.3, 0u8..4))
            .prop_map(|(pick, priority, level, age, version)| Op::Update { pick, priority, level, age, version }),
        2 => Just(Op::Advance),
        3 => (any::<u16>(), 0u8..3).prop_map(|(pick, outcome)| Op::Callback { pick, outcome }),
        2 => (any::<bool>(), any::<u16>(), 0u8..4, 0u8..20, proptest::option::weighted(0.3, 0u8..30), 0u8..3)
            .prop_map(|(submit, pick, attempts, retry, later, queue)| Op::NewCallback { submit, pick, attempts, retry, later, queue }),
        2 => any::<u16>().prop_map(Op::Pause),
        2 => any::<u16>().prop_map(Op::Resume),
    ]
}

fn build(offer: bool, wrap_up: bool, hours: bool) -> Router {
    let mut channels = vec![
        ChannelConfig::new("voice", 100, 1),
        ChannelConfig::new("chat", 25, 3),
        ChannelConfig::new("email", 10, 5),
    ];
    channels[2].interruptible = true;
    if wrap_up {
        channels[0].wrap_up = 2.0;
    }
    let mut q1 = QueueConfig::new("q1");
    q1.aging_rate = 0.5;
    q1.aging_max = Some(3.0);
    q1.max_waiting = Some(3);
    q1.overflow = Some(Overflow { to: "q2".into(), after: 15.0 });
    let q2 = QueueConfig {
        max_waiting: Some(5),
        callbacks_per_free_agent: 0.5,
        ..QueueConfig::new("q2")
    };
    let mut q0 = QueueConfig::new("q0");
    let (mut q1, mut q2) = (q1, q2);
    if hours {
        use router_core::calendar::{Calendar, Day, WeeklyHours};
        use router_core::model::{ClosedAction, OnClose, Rule, RuleAction, Trigger};
        let every = vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];
        let span =
            |o: &str, c: &str| WeeklyHours { days: every.clone(), open: o.into(), close: c.into() };
        // Router time 0 is a Thursday's midnight (UTC): open 10 minutes in 15.
        let cal = Calendar {
            time_zone: "UTC".into(),
            weekly: vec![
                span("00:00", "00:10"),
                span("00:15", "00:25"),
                span("00:30", "00:40"),
                span("00:45", "00:55"),
            ],
            overrides: vec![],
        };
        q2.hours = Some(cal.clone());
        q2.closed_action = ClosedAction::Hold;
        q2.on_close = OnClose::Overflow("q0".into());
        q1.hours = Some(cal);
        q1.closed_action = ClosedAction::Overflow("q0".into());
        q1.on_close = OnClose::Callback(Callback::default());
        let rule = |name: &str, trigger, action| Rule { name: name.into(), trigger, action };
        q0.rules = vec![
            rule(
                "slow",
                Trigger::WaitLongerThan(30.0),
                RuleAction::Update { priority: Some(2), requires: None },
            ),
            rule("crowd", Trigger::WaitingMoreThan(3), RuleAction::Alert),
            rule(
                "late",
                Trigger::SlBelow { fraction: 0.5, window: 120.0 },
                RuleAction::Overflow("q2".into()),
            ),
        ];
        q1.rules = vec![
            rule("nobody", Trigger::NoAgentLoggedIn, RuleAction::Cancel("nobody".into())),
            rule("long", Trigger::WaitLongerThan(50.0), RuleAction::Overflow("q2".into())),
        ];
    }
    let mut cfg = RouterConfig::new(channels, vec![q0, q1, q2]);
    cfg.offer_timeout = offer.then_some(6.0);
    cfg.exclusion_expires_after = Some(20.0);
    Router::new(cfg).unwrap()
}

fn reqs(level: u8) -> Vec<(String, u8)> {
    if level == 0 {
        Vec::new()
    } else {
        vec![("s".into(), level * 3)]
    }
}

struct Driver {
    r: Router,
    now: f64,
    ids: Vec<String>,
    next: u32,
}

impl Driver {
    fn pick(&self, p: u16) -> String {
        if self.ids.is_empty() {
            return "none".into();
        }
        self.ids[p as usize % self.ids.len()].clone()
    }

    fn holder(&self, id: &str) -> Option<String> {
        self.r.contact_view(id).ok().and_then(|v| v.agent)
    }

    fn call(&mut self, op: &Op) -> router_core::Result<Vec<Event>> {
        let now = self.now;
        match op {
            Op::Agent { slot, level, state } => {
                let id = format!("a{slot}");
                if self.r.agent_view(&id).is_err() {
                    let mut spec = agent(&id, &[]);
                    spec.skills = vec![("s".into(), (level * 3).max(1))];
                    return self.r.add_agent(&spec, now, Vec::new());
                }
                let st = [
                    AgentState::Available,
                    AgentState::Available,
                    AgentState::Away,
                    AgentState::Offline,
                    AgentState::Available,
                    AgentState::Available,
                ][*state as usize % 6];
                self.r.set_agent_state(&id, st, "", now, Vec::new())
            }
            Op::Submit { channel, queue, level, relax, later } => {
                let id = format!("c{}", self.next);
                self.next += 1;
                self.ids.push(id.clone());
                let mut c =
                    ContactSpec::new(&id, CHANNELS[*channel as usize], QUEUES[*queue as usize]);
                c.requires = reqs(*level);
                c.not_before = later.map(|l| now + f64::from(l));
                if *relax && *level > 0 {
                    c.steps = vec![StepSpec {
                        after: 8.0,
                        requires: Vec::new(),
                        when: None,
                        ..StepSpec::default()
                    }];
                }
                self.r.submit(&c, now, Vec::new())
            }
            Op::Complete(p) => self.r.complete(&self.pick(*p), now, Vec::new()),
            Op::Cancel(p) => self.r.cancel(&self.pick(*p), now, Vec::new()),
            Op::Accept(p) | Op::Reject(p) => {
                let id = self.pick(*p);
                let a = self.holder(&id).unwrap_or_else(|| "a0".into());
                if matches!(op, Op::Accept(_)) {
                    self.r.accept(&id, &a, now, Vec::new())
                } else {
                    self.r.reject(&id, &a, now, Vec::new())
                }
            }
            Op::Transfer { pick, queue, agent, warm, keep, level, channel } => {
                let t = TransferSpec {
                    queue: queue.map(|q| QUEUES[q as usize].to_string()),
                    agent: agent.map(|a| format!("a{a}")),
                    mode: if *warm { TransferMode::Warm } else { TransferMode::Cold },
                    keep_age: *keep,
                    requires: level.map(reqs),
                    channel: channel.map(|c| CHANNELS[c as usize].to_string()),
                };
                self.r.transfer(&self.pick(*pick), &t, now, Vec::new())
            }
            Op::Update { pick, priority, level, age, version } => {
                let u = ContactUpdate {
                    priority: priority.map(i64::from),
                    requires: level.map(reqs),
                    steps: level.map(|_| Vec::new()),
                    age_offset: age.map(f64::from),
                    if_version: version.map(u64::from),
                    ..ContactUpdate::default()
                };
                let id = self.pick(*pick);
                let before = self.r.contact_view(&id).map(|v| v.version);
                let res = self.r.update_contact(&id, &u, now, Vec::new());
                if res.is_ok() {
                    let after = self.r.contact_view(&id).map(|v| v.version);
                    // One for the update; a rule's update or a closing
                    // queue's callback fired by the call's timers adds more.
                    assert!(after.unwrap() > before.unwrap(), "an update adds one to the version");
                }
                res
            }
            Op::Advance => self.r.advance(now, Vec::new()),
            Op::Callback { pick, outcome } => {
                let o =
                    [CallbackOutcome::Answered, CallbackOutcome::NoAnswer, CallbackOutcome::Busy]
                        [*outcome as usize];
                self.r.callback_result(&self.pick(*pick), o, now, Vec::new())
            }
            Op::NewCallback { submit, pick, attempts, retry, later, queue } => {
                let cb = Callback {
                    number_of_attempts: u32::from(*attempts),
                    retry_after: f64::from(*retry),
                    not_before: later.map(|l| now + f64::from(l)),
                };
                if *submit {
                    let id = format!("c{}", self.next);
                    self.next += 1;
                    self.ids.push(id.clone());
                    let mut c = ContactSpec::new(&id, "voice", QUEUES[*queue as usize]);
                    c.callback = Some(cb);
                    self.r.submit(&c, now, Vec::new())
                } else {
                    let u = ContactUpdate { callback: Some(cb), ..ContactUpdate::default() };
                    self.r.update_contact(&self.pick(*pick), &u, now, Vec::new())
                }
            }
            Op::Pause(p) => self.r.pause(&self.pick(*p), now, Vec::new()),
            Op::Resume(p) => self.r.resume(&self.pick(*p), now, Vec::new()),
        }
    }
}

fn run(offer: bool, wrap_up: bool, hours: bool, ops: &[(u8, Op)]) -> Result<(), String> {
    let mut d = Driver { r: build(offer, wrap_up, hours), now: 0.0, ids: Vec::new(), next: 0 };
    let mut log = Vec::new();
    for (i, (dt, op)) in ops.iter().enumerate() {
        d.now += DTS[*dt as usize % DTS.len()];
        log.push(format!("t={} {op:?}", d.now));
        // With no timer due, a refused call must leave the bytes as they were.
        let quiet = d.r.next_timer().is_none_or(|t| t > d.now);
        let before = quiet.then(|| d.r.snapshot());
        match d.call(op) {
            Ok(ev) => log.extend(ev.iter().map(|e| format!("    {e:?}"))),
            Err(e) => {
                log.push(format!("    error {:?}: {}", e.kind(), e.message()));
                if let Some(before) = before {
                    if before != d.r.snapshot() {
                        return Err(format!("refused call changed the router\n{}", log.join("\n")));
                    }
                }
            }
        }
        if let Err(e) = d.r.check_invariants() {
            return Err(format!("{e}\n{}", log.join("\n")));
        }
        if i % 7 == 6 {
            let snap = d.r.snapshot();
            let back =
                Router::restore(&snap).map_err(|e| format!("restore: {e}\n{}", log.join("\n")))?;
            if back.snapshot() != snap {
                return Err(format!("restore changed the snapshot\n{}", log.join("\n")));
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(PtConfig {
        cases: std::env::var("IT_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96),
        failure_persistence: None,
        ..PtConfig::default()
    })]

    #[test]
    fn transfers_and_updates_keep_every_invariant(
        offer in any::<bool>(),
        wrap_up in any::<bool>(),
        hours in any::<bool>(),
        ops in proptest::collection::vec((0u8..6, op()), 1..=80),
    ) {
        if let Err(e) = run(offer, wrap_up, hours, &ops) {
            prop_assert!(false, "{}", e);
        }
    }
}
