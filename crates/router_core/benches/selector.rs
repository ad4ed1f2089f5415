//! The selector evaluator on its own: a three-clause expression over an
//! agent's typed attributes (a list, an integer with many values and a
//! string), evaluated against agents that match and agents that do not.
//! One element = one evaluation.

#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use router_core::selector::{Agent, Expr, Value};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Duration;

struct A(BTreeMap<String, Value>);

impl Agent for A {
    fn attr(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
    fn skill(&self, _: &str) -> u8 {
        0
    }
}

fn agents() -> Vec<A> {
    (0..1000)
        .map(|i| {
            A(BTreeMap::from([
                (
                    "languages".into(),
                    Value::List(vec!["en".into(), ["es", "pt", "fr"][i % 3].into()]),
                ),
                ("tenure_months".into(), Value::Int((i % 60) as i64)),
                ("team".into(), Value::Str(["trainee", "core", "senior"][i % 3].into())),
                ("region".into(), Value::Str(["eu", "us"][i % 2].into())),
            ]))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let expr = Expr::parse(
        r#"agent.languages IN ["es", "pt"] AND agent.tenure_months > 6 AND NOT agent.team == "trainee""#,
    )
    .expect("valid selector");
    let agents = agents();
    let mut g = c.benchmark_group("selector");
    g.throughput(Throughput::Elements(agents.len() as u64));
    g.bench_function("three_clauses", |b| {
        b.iter(|| agents.iter().filter(|a| expr.matches(*a)).count())
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("parse", |b| {
        b.iter(|| {
            Expr::parse(black_box(
                r#"agent.languages IN ["es", "pt"] AND agent.tenure_months > 6 AND NOT agent.team == "trainee""#,
            ))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    targets = bench
}
criterion_main!(benches);
