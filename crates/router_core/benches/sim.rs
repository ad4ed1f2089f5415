//! Simulation throughput: contacts simulated per second on one core.
//!
//! * `sim/mmc10_85`: M/M/10 at 85 % load (exponential handle times with a
//!   mean of 180 s, Poisson arrivals, no abandonment, longest idle), about
//!   200,000 contacts per replication. One element = one contact from
//!   arrival to completion: a `submit`, a `complete`, their events and the
//!   simulator's own bookkeeping (draws, heap, statistics).
//! * `sim/mmc10_85_abandon`: the same with exponential patience (mean 300 s),
//!   so that waiting contacts are also cancelled.
//!
//! * `sim/mmc10_85_stepped`: the first one under step-wise control
//!   (`Stepper`), every decision answered in Rust with the first candidate
//!   (which is what longest idle decides there), each decision's
//!   observation written: the cost of stepping without Python. One
//!   element = one decision.
//!
//! The series use one interval (the whole horizon), so memory stays at a
//! few megabytes however long the run. The issue's target is 2,000,000
//! contacts/s for the first one.

// `criterion_group!` generates an undocumented `pub fn`.
#![allow(missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use router_core::sim::{Scenario, Simulation, Stepper};
use std::sync::Arc;
use std::time::Duration;

/// M/M/10 at 85 % load, optionally with exponential patience.
pub fn mmc_json(contacts: f64, patience: Option<f64>) -> String {
    let aht = 180.0;
    let rate = 0.85 * 10.0 / aht;
    let patience = match patience {
        Some(p) => format!(r#"{{"kind": "exponential", "mean": {p}}}"#),
        None => "null".into(),
    };
    format!(
        r#"{{
        "channels": [{{"name": "voice", "cost": 100, "max_per_agent": 1, "wrap_up": 0.0}}],
        "queues": [{{"name": "q", "sl_target": 0.8, "sl_threshold": 20.0, "aging_rate": 0.0,
                    "max_waiting": null, "overflow": null}}],
        "agent_groups": [{{"name": "agents", "count": 10, "skills": {{}}}}],
        "contact_types": [{{"name": "call", "channel": "voice", "queue": "q",
            "arrivals": {{"kind": "poisson", "rate": {rate}}},
            "handle_time": {{"kind": "exponential", "mean": {aht}}},
            "patience": {patience}}}],
        "duration": {duration}, "warmup": 0.0, "seed": 1, "interval": {duration}
    }}"#,
        duration = contacts / rate
    )
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("sim");
    g.measurement_time(Duration::from_secs(10)).sample_size(10);
    for (name, patience) in [("mmc10_85", None), ("mmc10_85_abandon", Some(300.0))] {
        let sim =
            Simulation::new(Scenario::from_json(&mmc_json(200_000.0, patience)).expect("scenario"))
                .expect("simulation");
        let contacts = sim.run(0).expect("run").contacts;
        g.throughput(Throughput::Elements(contacts));
        let mut rep = 0;
        g.bench_function(name, |b| {
            b.iter(|| {
                rep += 1;
                sim.run(rep % 4).expect("run")
            })
        });
    }
    let sim = Arc::new(
        Simulation::new(Scenario::from_json(&mmc_json(200_000.0, None)).expect("scenario"))
            .expect("simulation"),
    );
    let stepped = |rep: u32| {
        let mut st = Stepper::new(sim.clone(), rep).expect("stepper");
        let mut obs = vec![0.0; st.observation_len()];
        let mut n = 0u64;
        while st.next_decision().expect("step").is_some() {
            st.observe(&mut obs).expect("observe");
            st.decide(Some(0)).expect("decide");
            n += 1;
        }
        n
    };
    g.throughput(Throughput::Elements(stepped(0)));
    let mut rep = 0;
    g.bench_function("mmc10_85_stepped", |b| {
        b.iter(|| {
            rep += 1;
            stepped(rep % 4)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
