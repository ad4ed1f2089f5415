//! Routing throughput on the benchmark scenario (see `scenario.rs`):
//! 10,000 agents over 200 skill profiles drawn from 50 skills, 300 contact
//! types on three channels and four queues.
//!
//! * `decide/contact_surplus/<waiting>`: `<waiting>` contacts wait and
//!   agents come available one after another; each takes the best waiting
//!   contacts it can serve until full. Timed: only the routing (the
//!   `set_agent_state` calls); one element = one decision (an assignment).
//!   Untimed between rounds: the contacts are completed and new ones
//!   submitted so that the queue stays at `<waiting>`. Run at 10,000 and
//!   100,000 waiting contacts: the cost must not grow with the queue.
//! * `decide/agent_surplus/<policy>`: 9,000 agents are free; a contact
//!   arrives and the policy picks among the free eligible agents. Timed:
//!   the `submit`s (validation, indexing and the decision), in rounds of
//!   100; the completions between rounds are untimed.
//! * `cycle/<waiting>`: the full steady state of a busy center, all timed:
//!   complete a contact (its agent frees a slot and takes the best waiting
//!   contact: one decision) and submit a new one, which waits.
//!
//! * `lifecycle/<waiting>`: the steady state of `cycle` with contacts
//!   moved after their first hop, a fixed round of ten calls: 2 transfers
//!   (an assigned contact, cold, to the next queue, keeping its age: its
//!   agent frees a slot and takes the best waiting contact), 2 updates (a
//!   waiting contact's priority changes: it moves in its queue), 3
//!   completions and 3 submissions. Timed: each call; the bookkeeping
//!   between them (which contact to move) is not.
//!
//! * `*_selectors`: the same with every contact carrying a three-clause
//!   selector over five agent attributes, two of them with more distinct
//!   values than the index keeps (see `scenario.rs`); compare with the
//!   figure without selectors of the same run.
//!
//! * `*_hours`: the plain scenario with every queue given opening hours
//!   (open around the clock, a holiday override years ahead) and four
//!   exception rules, one per trigger, that never fire (a wait of 10⁹ s,
//!   10⁹ waiting, a service level below 0, nobody logged in while agents
//!   are): what configured hours and rules cost when nothing happens.
//!
//! Elements/s is decisions per second on one core (`lifecycle` prints its
//! calls per decision).

#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items

mod scenario;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use router_core::{
    AgentState, ContactStatus, ContactUpdate, Event, Feature, Policy, PolicyKind, Router,
    TransferMode, TransferSpec,
};
use scenario::Scenario;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

struct Bench {
    router: Router,
    scenario: Scenario,
    assigned: VecDeque<router_core::Id>,
    now: f64,
}

impl Bench {
    fn new(policy: impl Into<Policy>, state: AgentState) -> Self {
        Self::of(Scenario::new(7), policy, state)
    }

    fn with_selectors(policy: impl Into<Policy>, state: AgentState) -> Self {
        Self::of(Scenario::with_selectors(7), policy, state)
    }

    fn with_hours(policy: impl Into<Policy>, state: AgentState) -> Self {
        let mut b = Self::of(Scenario::new(7), policy, state);
        let mut cfg = b.router.config().clone();
        scenario::add_hours_and_rules(&mut cfg);
        b.router.reconfigure(cfg, &[], 0.0, Vec::new()).expect("hours and rules");
        b
    }

    /// The bench of a variant: plain, `selectors` or `hours`.
    fn variant(v: &str, policy: impl Into<Policy>, state: AgentState) -> Self {
        match v {
            "selectors" => Self::with_selectors(policy, state),
            "hours" => Self::with_hours(policy, state),
            _ => Self::new(policy, state),
        }
    }

    fn of(scenario: Scenario, policy: impl Into<Policy>, state: AgentState) -> Self {
        let mut cfg = scenario::config(PolicyKind::LongestIdle);
        cfg.policy = policy.into();
        let mut router = Router::new(cfg).expect("valid config");
        for a in &scenario.agents {
            let mut a = a.clone();
            a.state = state;
            router.add_agent(&a, 0.0, Vec::new()).expect("agent");
        }
        Bench { router, scenario, assigned: VecDeque::new(), now: 0.0 }
    }

    fn note(&mut self, events: Vec<Event>) -> u64 {
        let mut n = 0;
        for e in events {
            if let Event::Assigned { contact, .. } = e {
                self.assigned.push_back(contact);
                n += 1;
            }
        }
        n
    }

    fn submit_one(&mut self) -> u64 {
        self.now += 0.001;
        let c = self.scenario.contact();
        let ev = self.router.submit(c, self.now, Vec::new()).expect("submit");
        self.note(ev)
    }

    /// Submits until `waiting` contacts wait.
    fn fill(&mut self, waiting: usize) {
        while self.router.live_contacts() < self.assigned.len() + waiting {
            self.submit_one();
        }
    }

    fn complete_one(&mut self) -> u64 {
        let id = self.assigned.pop_front().expect("an assigned contact");
        let ev = self.router.complete(&id, self.now, Vec::new()).expect("complete");
        self.note(ev)
    }
}

fn decide(c: &mut Criterion) {
    let mut group = c.benchmark_group("decide");
    group.throughput(Throughput::Elements(1));
    for (waiting, variant) in
        [(10_000usize, ""), (100_000, ""), (10_000, "selectors"), (10_000, "hours")]
    {
        let mut b = Bench::variant(variant, PolicyKind::LongestIdle, AgentState::Away);
        b.fill(waiting);
        let ids = b.router.agent_ids();
        let mut next = 0usize;
        let name = match variant {
            "" => "contact_surplus".to_owned(),
            v => format!("contact_surplus_{v}"),
        };
        group.bench_function(BenchmarkId::new(name, waiting), |bench| {
            bench.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                let mut made = 0u64;
                while made < iters {
                    // One round: up to 100 agents come available.
                    let round: Vec<&String> =
                        (0..100).map(|i| &ids[(next + i) % ids.len()]).collect();
                    next += 100;
                    b.now += 0.001;
                    let start = Instant::now();
                    for id in &round {
                        let ev = b
                            .router
                            .set_agent_state(id, AgentState::Available, "", b.now, Vec::new())
                            .expect("state");
                        made += ev.len() as u64;
                        std::hint::black_box(ev);
                    }
                    timed += start.elapsed();
                    // Untimed: they finish their work and leave; refill the queue.
                    for id in &round {
                        let held = b.router.agent_view(id).expect("agent").contacts;
                        b.router
                            .set_agent_state(id, AgentState::Away, "", b.now, Vec::new())
                            .expect("state");
                        for c in held {
                            b.router.complete(&c, b.now, Vec::new()).expect("complete");
                        }
                    }
                    b.fill(waiting);
                }
                timed.mul_f64(iters as f64 / made as f64)
            })
        });
        b.router.check_invariants().expect("invariants hold after the bench");
    }
    let mut policies: Vec<Policy> = PolicyKind::ALL.iter().map(|&k| k.into()).collect();
    policies.push(Policy::Chain(vec![
        PolicyKind::MostSkilled,
        PolicyKind::LeastOccupied,
        PolicyKind::LongestIdle,
    ]));
    policies.push(Policy::Weighted(vec![
        (Feature::Skill, 1.0),
        (Feature::Idle, 0.01),
        (Feature::Load, -2.0),
    ]));
    let runs = policies.into_iter().map(|p| (p, "")).chain([
        (PolicyKind::LongestIdle.into(), "selectors"),
        (PolicyKind::MostSkilled.into(), "selectors"),
        (PolicyKind::LongestIdle.into(), "hours"),
    ]);
    for (policy, variant) in runs {
        let name = policy.to_string();
        let mut b = Bench::variant(variant, policy, AgentState::Available);
        for _ in 0..1_000 {
            b.submit_one();
        }
        let kind = match variant {
            "" => "agent_surplus".to_owned(),
            v => format!("agent_surplus_{v}"),
        };
        group.bench_function(BenchmarkId::new(kind, &name), |bench| {
            bench.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                let mut done = 0;
                while done < iters {
                    let n = (iters - done).min(100);
                    let start = Instant::now();
                    for _ in 0..n {
                        b.submit_one();
                    }
                    timed += start.elapsed();
                    for _ in 0..n {
                        b.complete_one();
                    }
                    done += n;
                }
                timed
            })
        });
        b.router.check_invariants().expect("invariants hold after the bench");
    }
    group.finish();
}

fn cycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("cycle");
    group.throughput(Throughput::Elements(1));
    for (waiting, variant) in
        [(10_000usize, ""), (100_000, ""), (10_000, "selectors"), (10_000, "hours")]
    {
        let mut b = Bench::variant(variant, PolicyKind::LongestIdle, AgentState::Available);
        b.fill(waiting);
        let id = match variant {
            "" => BenchmarkId::from_parameter(waiting),
            v => BenchmarkId::new(v, waiting),
        };
        group.bench_function(id, |bench| {
            bench.iter(|| {
                b.complete_one();
                b.submit_one();
            })
        });
        b.router.check_invariants().expect("invariants hold after the bench");
    }
    group.finish();
}

/// One call of the `lifecycle` round.
#[derive(Clone, Copy)]
enum Call {
    Transfer,
    Update,
    Complete,
    Submit,
}

const ROUND: [Call; 10] = [
    Call::Transfer,
    Call::Update,
    Call::Complete,
    Call::Submit,
    Call::Complete,
    Call::Submit,
    Call::Transfer,
    Call::Update,
    Call::Complete,
    Call::Submit,
];

const QUEUES: [&str; 4] = ["sales", "support", "billing", "vip"];

impl Bench {
    /// Runs `call`, timing only the router's work; returns the decisions
    /// it made and the time. Contacts submitted or transferred are noted
    /// in `waiting` (the candidates of later updates).
    fn timed_call(
        &mut self,
        call: Call,
        waiting: &mut Vec<router_core::Id>,
        k: usize,
    ) -> (u64, Duration) {
        self.now += 0.001;
        let now = self.now;
        let (ev, took) = match call {
            Call::Submit => {
                let c = self.scenario.contact().clone();
                let start = Instant::now();
                let ev = self.router.submit(&c, now, Vec::new()).expect("submit");
                let took = start.elapsed();
                waiting.push(c.id.as_str().into());
                (ev, took)
            }
            Call::Complete => {
                let id = self.assigned.pop_front().expect("an assigned contact");
                let start = Instant::now();
                let ev = self.router.complete(&id, now, Vec::new()).expect("complete");
                (ev, start.elapsed())
            }
            Call::Transfer => {
                let id = self.assigned.pop_front().expect("an assigned contact");
                let queue = self.router.contact_view(&id).expect("contact").queue;
                let next = QUEUES[(QUEUES.iter().position(|q| *q == queue).unwrap_or(0) + 1) % 4];
                let spec = TransferSpec {
                    queue: Some(next.into()),
                    mode: TransferMode::Cold,
                    keep_age: true,
                    ..TransferSpec::default()
                };
                let start = Instant::now();
                let ev = self.router.transfer(&*id, &spec, now, Vec::new()).expect("transfer");
                let took = start.elapsed();
                waiting.push(id);
                (ev, took)
            }
            Call::Update => {
                // A contact still waiting (those assigned since are dropped, untimed).
                let id = loop {
                    let i = k.wrapping_mul(2_654_435_761) % waiting.len();
                    let status = self.router.contact_view(&waiting[i]).map(|v| v.status);
                    if matches!(status, Ok(ContactStatus::Waiting)) {
                        break waiting[i].clone();
                    }
                    waiting.swap_remove(i);
                };
                let update =
                    ContactUpdate { priority: Some((k % 3) as i64), ..ContactUpdate::default() };
                let start = Instant::now();
                let ev =
                    self.router.update_contact(&*id, &update, now, Vec::new()).expect("update");
                (ev, start.elapsed())
            }
        };
        (self.note(ev), took)
    }
}

fn lifecycle(c: &mut Criterion) {
    let mut group = c.benchmark_group("lifecycle");
    group.throughput(Throughput::Elements(1));
    for waiting in [10_000usize, 100_000] {
        let mut b = Bench::new(PolicyKind::LongestIdle, AgentState::Available);
        b.fill(waiting);
        let mut candidates: Vec<router_core::Id> = Vec::new();
        for c in b.router.waiting_ids("support").expect("queue") {
            candidates.push(c.as_str().into());
        }
        let (mut calls, mut decisions, mut k) = (0u64, 0u64, 0usize);
        group.bench_function(BenchmarkId::from_parameter(waiting), |bench| {
            bench.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                let mut made = 0u64;
                while made < iters {
                    for call in ROUND {
                        k += 1;
                        let (n, took) = b.timed_call(call, &mut candidates, k);
                        made += n;
                        timed += took;
                        calls += 1;
                    }
                }
                decisions += made;
                timed.mul_f64(iters as f64 / made as f64)
            })
        });
        b.router.check_invariants().expect("invariants hold after the bench");
        eprintln!(
            "lifecycle/{waiting}: {:.2} calls per decision ({calls} calls, {decisions} decisions)",
            calls as f64 / decisions.max(1) as f64
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = decide, cycle, lifecycle
}
criterion_main!(benches);
