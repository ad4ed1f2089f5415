//! Tests of the event loop against small scenarios with known answers.

use super::{Scenario, Simulation};

fn mmc(agents: u32, rate: f64, aht: f64, duration: f64, extra: &str) -> Scenario {
    let json = format!(
        r#"{{
        "channels": [{{"name": "voice", "cost": 100, "max_per_agent": 1, "wrap_up": 0.0}}],
        "queues": [{{"name": "q", "sl_target": 0.8, "sl_threshold": 20.0, "aging_rate": 0.0,
                    "max_waiting": null, "overflow": null}}],
        "agent_groups": [{{"name": "g", "count": {agents}, "skills": {{}}}}],
        "contact_types": [{{"name": "call", "channel": "voice", "queue": "q",
            "arrivals": {{"kind": "poisson", "rate": {rate}}},
            "handle_time": {{"kind": "exponential", "mean": {aht}}} {extra}}}],
        "duration": {duration}, "warmup": 3600.0, "seed": 11
    }}"#
    );
    Scenario::from_json(&json).expect("scenario")
}

/// Erlang C probability of waiting.
fn erlang_c(a: f64, n: u32) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (f64::from(k) + a * b);
    }
    f64::from(n) * b / (f64::from(n) - a * (1.0 - b))
}

#[test]
fn same_seed_same_result_bit_for_bit() {
    let sim = Simulation::new(mmc(5, 4.0 / 100.0, 100.0, 50_000.0, "")).unwrap();
    let a = sim.run(3).unwrap();
    let b = sim.run(3).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, sim.run(4).unwrap());
}

#[test]
fn mmc_matches_erlang_c() {
    let (n, aht, a) = (10, 100.0, 8.5);
    let sim = Simulation::new(mmc(n, a / aht, aht, 2_000_000.0, "")).unwrap();
    let r = sim.run(0).unwrap();
    let c = erlang_c(a, n);
    let p_wait = r.total.p_wait.unwrap();
    let asa = r.total.asa.unwrap();
    let asa_c = c * aht / (f64::from(n) - a);
    assert!((p_wait - c).abs() < 0.03, "p_wait {p_wait} vs {c}");
    assert!((asa - asa_c).abs() / asa_c < 0.1, "asa {asa} vs {asa_c}");
    let occ = r.groups[0].occupancy.unwrap();
    assert!((occ - a / f64::from(n)).abs() < 0.02, "occupancy {occ}");
    assert_eq!(r.total.answered, r.total.offered);
    // wait_p90: P(W > t) = C exp(-(n - a) t / aht)
    let p90 = (c / 0.1).ln() * aht / (f64::from(n) - a);
    let got = r.total.wait_p90.unwrap();
    assert!((got - p90).abs() / p90 < 0.1, "p90 {got} vs {p90}");
}

#[test]
fn impatient_contacts_abandon_and_everything_adds_up() {
    let sim = Simulation::new(mmc(
        3,
        4.0 / 100.0,
        100.0,
        200_000.0,
        r#", "patience": {"kind": "exponential", "mean": 60.0}"#,
    ))
    .unwrap();
    let r = sim.run(0).unwrap();
    let t = &r.total;
    assert!(t.abandoned > 0);
    assert_eq!(t.offered, t.answered + t.abandoned + t.refused + t.unfinished);
    assert_eq!(t.unfinished, 0);
}

#[test]
fn common_random_numbers_across_policies() {
    use crate::policy::PolicyKind;
    let sim = Simulation::new(mmc(5, 4.0 / 100.0, 100.0, 50_000.0, "")).unwrap();
    let a = sim.run_with(0, PolicyKind::LongestIdle).unwrap();
    let b = sim.run_with(0, PolicyKind::Random).unwrap();
    // Identical agents: the policy changes who answers, never when.
    assert_eq!(a.total, b.total);
    assert_eq!(a.contacts, b.contacts);
    assert_ne!(a.groups[0].handled, b.groups[0].handled);
}

#[test]
fn shifts_switch_agents_on_and_off() {
    let mut s = mmc(2, 1.0 / 100.0, 50.0, 20_000.0, "");
    s.warmup = 0.0;
    s.agent_groups[0].shifts = vec![(0.0, 5_000.0), (10_000.0, 20_000.0)];
    let r = Simulation::new(s).unwrap().run(0).unwrap();
    assert!(
        (r.groups[0].staffed_time - 2.0 * 15_000.0).abs() < 1e-6,
        "{}",
        r.groups[0].staffed_time
    );
    // Calls arriving between the shifts wait for the second shift.
    assert!(r.total.wait_p90.unwrap() > 100.0);
    assert_eq!(r.total.unfinished, 0);
}

#[test]
fn contacts_left_without_agents_are_unfinished() {
    let mut s = mmc(1, 1.0 / 100.0, 50.0, 20_000.0, "");
    s.warmup = 0.0;
    s.agent_groups[0].shifts = vec![(0.0, 1_000.0)];
    let r = Simulation::new(s).unwrap().run(0).unwrap();
    assert!(r.total.unfinished > 100);
}

#[test]
fn wrap_up_keeps_agents_busy() {
    let mut s = mmc(10, 5.0 / 100.0, 100.0, 500_000.0, "");
    s.channels[0].wrap_up = 20.0;
    let r = Simulation::new(s).unwrap().run(0).unwrap();
    let occ = r.groups[0].occupancy.unwrap();
    assert!((occ - 0.6).abs() < 0.02, "occupancy {occ} (5 × 120 / 10)");
}

#[test]
fn bad_fields_are_named() {
    let mut s = mmc(1, 0.01, 50.0, 10_000.0, "");
    s.contact_types[0].requires = vec![("spanish".into(), 11)];
    let e = Simulation::new(s).unwrap_err();
    assert!(e.message().starts_with("contact_types[0] (\"call\")"), "{e}");
    let e = Scenario::from_json(r#"{"channels": []}"#).unwrap_err();
    assert!(e.message().contains("queues"), "{e}");
}

#[test]
fn service_level_counts_contacts_left_waiting_past_the_threshold() {
    // One agent for the first 1,000 s only: later calls are never answered
    // and, having waited past 20 s by the end, count against the service level.
    let mut s = mmc(1, 1.0 / 100.0, 50.0, 20_000.0, "");
    s.warmup = 0.0;
    s.agent_groups[0].shifts = vec![(0.0, 1_000.0)];
    let r = Simulation::new(s).unwrap().run(0).unwrap();
    let t = &r.total;
    assert!(t.unfinished_late > 100 && t.unfinished_late <= t.unfinished);
    let sl = t.service_level.unwrap();
    assert_eq!(sl, t.answered_in_sl as f64 / (t.answered + t.abandoned + t.unfinished_late) as f64);
    assert!(sl < 0.1, "{sl}");
}

#[test]
fn with_no_agents_the_service_level_is_zero_and_the_type_is_unservable() {
    let s = mmc(0, 1.0 / 100.0, 50.0, 20_000.0, "");
    assert_eq!(s.unservable_types().len(), 1, "{:?}", s.unservable_types());
    let r = Simulation::new(s.clone()).unwrap().run(0).unwrap();
    assert_eq!(r.total.service_level, Some(0.0));
    let mut s = s;
    s.unservable = super::Unservable::Refuse;
    let err = s.validate().unwrap_err().to_string();
    assert!(err.contains("contact_types[0] (\"call\")"), "{err}");
}
