//! The routing hot paths on the benchmark scenario, for instruction counts
//! under callgrind (`make bench-instructions`): repeatable whatever else the
//! machine is doing, where wall-clock benchmarks on a shared machine vary by
//! tens of percent between runs. Three measured functions: 5,000 submits
//! routed at once to free agents (agent surplus), then 20,000 cycles of
//! complete + decision + submit with 10,000 contacts waiting, then one
//! simulator replication of 20,000 contacts of the `sim/mmc10_85_abandon`
//! benchmark. Argument: the policy (`longest_idle`, the default, or
//! `most_skilled`).
#[path = "../benches/scenario.rs"]
#[allow(dead_code)]
mod scenario;
#[path = "../benches/sim.rs"]
#[allow(dead_code)]
mod sim_bench;
use router_core::{AgentState, Event, PolicyKind, Router};
use std::collections::VecDeque;

struct B {
    r: Router,
    s: scenario::Scenario,
    assigned: VecDeque<router_core::Id>,
    now: f64,
}
impl B {
    fn note(&mut self, ev: Vec<Event>) {
        for e in ev {
            if let Event::Assigned { contact, .. } = e {
                self.assigned.push_back(contact)
            }
        }
    }
    fn submit_one(&mut self) {
        self.now += 0.001;
        let c = self.s.contact();
        let ev = self.r.submit(c, self.now, Vec::new()).unwrap();
        self.note(ev)
    }
    fn complete_one(&mut self) {
        let id = self.assigned.pop_front().unwrap();
        let ev = self.r.complete(&id, self.now, Vec::new()).unwrap();
        self.note(ev)
    }
}
#[inline(never)]
fn measured_cycle(b: &mut B, n: usize) {
    for _ in 0..n {
        b.complete_one();
        b.submit_one();
    }
}
#[inline(never)]
fn measured_agent_surplus(b: &mut B, n: usize) {
    for _ in 0..n {
        b.submit_one();
    }
}
#[inline(never)]
fn measured_sim(sim: &router_core::sim::Simulation) -> u64 {
    sim.run(0).expect("run").contacts
}
fn main() {
    let policy = match std::env::args().nth(1).as_deref() {
        Some("most_skilled") => PolicyKind::MostSkilled,
        _ => PolicyKind::LongestIdle,
    };
    let s = scenario::Scenario::new(7);
    let mut cfg = scenario::config(PolicyKind::LongestIdle);
    cfg.policy = policy.into();
    let mut r = Router::new(cfg).unwrap();
    for a in &s.agents {
        let mut a = a.clone();
        a.state = AgentState::Available;
        r.add_agent(&a, 0.0, Vec::new()).unwrap();
    }
    let mut b = B { r, s, assigned: VecDeque::new(), now: 0.0 };
    measured_agent_surplus(&mut b, 5_000);
    while b.r.live_contacts() < b.assigned.len() + 10_000 {
        b.submit_one();
    }
    measured_cycle(&mut b, 20_000);
    b.r.check_invariants().unwrap();
    let json = sim_bench::mmc_json(20_000.0, Some(300.0));
    let scenario = router_core::sim::Scenario::from_json(&json).expect("scenario");
    let sim = router_core::sim::Simulation::new(scenario).expect("simulation");
    assert!(measured_sim(&sim) > 0);
}
