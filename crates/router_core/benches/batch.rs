//! Batch assignment (`router_core::batch`): time of the optimal solver
//! (`solve`) against the greedy baseline (`greedy`) on random problems of
//! 100, 1,000 and 5,000 waiting contacts against 1,000 agents, each contact
//! with 20 eligible agents (distinct, uniform) and a weight uniform in
//! [0.05, 1).
//!
//! Agents: 100 capacity units, voice 100 units × 1, chat 25 units × 4,
//! email 50 units × 2, in a random state: 25 % idle, 15 % on a voice call
//! (no room), 30 % with 1–3 chats, 15 % with an email, 15 % with an email
//! and a chat. Contacts: 30 % voice, 50 % chat, 20 % email. Idle agents are
//! where the units constraint binds (a voice call and a chat do not fit
//! together), so the solver's repair pass is exercised.
//!
//! Printed once per size (stderr): the total weight of each answer, the
//! solver's upper bound (so the remaining gap is visible too) and its
//! statistics, so the quality gain is visible next to the time.

#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use router_core::batch::{feasible, greedy, solve, solve_with_stats, Demand, Edge, Problem, Room};
use std::time::Duration;

const AGENTS: usize = 1_000;
const PER_CONTACT: usize = 20;
const UNITS: [u32; 3] = [100, 25, 50];
const MAX: [u32; 3] = [1, 4, 2];

fn problem(contacts: usize, seed: u64) -> Problem {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let rooms = (0..AGENTS)
        .map(|_| {
            let held: [u32; 3] = match rng.gen_range(0..100) {
                0..=24 => [0, 0, 0],
                25..=39 => [1, 0, 0],
                40..=69 => [0, rng.gen_range(1..=3), 0],
                70..=84 => [0, 0, 1],
                _ => [0, 1, 1],
            };
            let used: u32 = (0..3).map(|c| held[c] * UNITS[c]).sum();
            Room { free_units: 100 - used, free_slots: (0..3).map(|c| MAX[c] - held[c]).collect() }
        })
        .collect();
    let demands: Vec<Demand> = (0..contacts)
        .map(|_| {
            let channel = match rng.gen_range(0..10) {
                0..=2 => 0,
                3..=7 => 1,
                _ => 2,
            };
            Demand { channel, units: UNITS[channel] }
        })
        .collect();
    let mut edges = Vec::with_capacity(contacts * PER_CONTACT);
    for contact in 0..contacts {
        for agent in rand::seq::index::sample(&mut rng, AGENTS, PER_CONTACT) {
            edges.push(Edge { contact, agent, weight: rng.gen_range(0.05..1.0) });
        }
    }
    Problem { demands, rooms, edges }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("batch");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3));
    for n in [100usize, 1_000, 5_000] {
        let p = problem(n, 42 + n as u64);
        let base = greedy(&p);
        let (best, st) = solve_with_stats(&p);
        feasible(&p, &base).expect("greedy feasible");
        feasible(&p, &best).expect("solve feasible");
        eprintln!(
            "batch/{n}: greedy total {:.4} ({} assigned) | solve total {:.4} ({} assigned, +{:.2}%) | upper bound {:.4} (gap {:.2}%) | iterations {}, repair rounds {}, dropped {}, filled {}, moves {}, proven optimal {}, from greedy {}",
            base.total,
            base.pairs.len(),
            best.total,
            best.pairs.len(),
            100.0 * (best.total / base.total - 1.0),
            st.upper_bound,
            100.0 * (1.0 - best.total / st.upper_bound),
            st.iterations,
            st.repair_rounds,
            st.dropped,
            st.filled,
            st.moves,
            st.proven_optimal,
            st.from_greedy,
        );
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("solve", n), &p, |b, p| b.iter(|| solve(p)));
        g.bench_with_input(BenchmarkId::new("greedy", n), &p, |b, p| b.iter(|| greedy(p)));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
