//! Step-wise control: the caller's decisions drive the real router.

use super::{DecisionKind, Scenario, Simulation, Stepper};
use std::sync::Arc;

fn mmc(agents: u32, rate: f64, extra: &str) -> Scenario {
    let json = format!(
        r#"{{
        "channels": [{{"name": "voice", "cost": 100, "max_per_agent": 1, "wrap_up": 0.0}}],
        "queues": [{{"name": "q", "sl_target": 0.8, "sl_threshold": 20.0, "aging_rate": 0.0,
                    "max_waiting": null, "overflow": null}}],
        "agent_groups": [{{"name": "g", "count": {agents}, "skills": {{}}}}],
        "contact_types": [{{"name": "call", "channel": "voice", "queue": "q",
            "arrivals": {{"kind": "poisson", "rate": {rate}}},
            "handle_time": {{"kind": "exponential", "mean": 100.0}} {extra}}}],
        "duration": 20000.0, "warmup": 0.0, "seed": 5
    }}"#
    );
    Scenario::from_json(&json).expect("scenario")
}

/// Two channels, two queues, two groups, three types, shifts, a
/// relaxation step and impatient callers.
fn multichannel() -> Simulation {
    let json = r#"{
        "channels": [{"name": "voice", "cost": 100, "max_per_agent": 1, "wrap_up": 10.0},
                     {"name": "chat", "cost": 25, "max_per_agent": 3}],
        "queues": [{"name": "sales", "sl_threshold": 20.0}, {"name": "support", "sl_threshold": 60.0}],
        "agent_groups": [
            {"name": "sales", "count": 6, "skills": {"sales": 8, "support": 3}, "channels": {"voice": 1, "chat": 2}},
            {"name": "support", "count": 7, "skills": {"support": 8, "sales": 2}, "channels": {"voice": 1, "chat": 3},
             "shifts": [[0.0, 10000.0], [11000.0, 20000.0]]}],
        "contact_types": [
            {"name": "sales call", "channel": "voice", "queue": "sales", "requires": {"sales": 2},
             "arrivals": {"kind": "poisson", "rate": 0.025}, "handle_time": {"kind": "exponential", "mean": 200.0},
             "patience": {"kind": "exponential", "mean": 150.0}},
            {"name": "support chat", "channel": "chat", "queue": "support", "requires": {"support": 5},
             "arrivals": {"kind": "poisson", "rate": 0.03}, "handle_time": {"kind": "exponential", "mean": 400.0},
             "patience": {"kind": "exponential", "mean": 300.0}},
            {"name": "support call", "channel": "voice", "queue": "support", "requires": {"support": 7},
             "steps": [{"after": 30.0, "requires": {"support": 2}}],
             "arrivals": {"kind": "poisson", "rate": 0.008}, "handle_time": {"kind": "exponential", "mean": 300.0},
             "patience": {"kind": "exponential", "mean": 200.0}}],
        "duration": 20000.0, "warmup": 0.0, "seed": 9
    }"#;
    Simulation::new(Scenario::from_json(json).expect("scenario")).expect("simulation")
}

/// Answers every decision with `pick(decision)` to the end.
fn play(st: &mut Stepper, mut pick: impl FnMut(&super::Decision) -> Option<usize>) -> u64 {
    let mut n = 0;
    while let Some(d) = st.next_decision().unwrap() {
        assert!(!d.candidates.is_empty());
        let choice = pick(d);
        st.decide(choice).unwrap();
        n += 1;
    }
    n
}

#[test]
fn answering_as_longest_idle_reproduces_the_built_in_run_bit_for_bit() {
    // One group, one type: the route candidate is the longest idle agent
    // and the pick candidate the first in line, as longest_idle decides.
    let sim = Arc::new(
        Simulation::new(mmc(5, 0.045, r#", "patience": {"kind": "exponential", "mean": 60.0}"#))
            .unwrap(),
    );
    let built_in = sim.run_with(2, crate::policy::PolicyKind::LongestIdle).unwrap();
    let mut st = Stepper::new(sim.clone(), 2).unwrap();
    let n = play(&mut st, |_| Some(0));
    let stepped = st.finish(&built_in.policy).unwrap();
    assert!(n > 500, "{n} decisions");
    assert_eq!(stepped.total, built_in.total);
    assert_eq!(stepped.groups, built_in.groups);
}

#[test]
fn holding_everything_serves_nobody_and_hides_nobody() {
    let sim = Arc::new(
        Simulation::new(mmc(3, 0.02, r#", "patience": {"kind": "exponential", "mean": 300.0}"#))
            .unwrap(),
    );
    let mut st = Stepper::new(sim, 0).unwrap();
    let n = play(&mut st, |_| None);
    let t = st.totals();
    assert_eq!(t.holds, n);
    assert_eq!((t.answered, t.decisions), (0, 0));
    assert_eq!(t.abandoned, t.arrived);
    assert!(t.wait_area > 0.0);
    let r = st.finish("hold").unwrap();
    assert_eq!(r.total.answered, 0);
    assert_eq!(r.total.offered, r.total.abandoned + r.total.unfinished);
}

#[test]
fn the_same_answers_give_the_same_run() {
    let sim = Arc::new(multichannel());
    let run = |sim: &Arc<Simulation>| {
        let mut st = Stepper::new(sim.clone(), 1).unwrap();
        // The last candidate, every third decision held.
        let mut k = 0u64;
        play(&mut st, |d| {
            k += 1;
            (!k.is_multiple_of(3)).then(|| d.candidates.len() - 1)
        });
        let totals = st.totals();
        (totals, st.finish("x").unwrap())
    };
    let (a, ra) = run(&sim);
    let (b, rb) = run(&sim);
    assert_eq!(a, b);
    assert_eq!(ra, rb);
    assert!(a.holds > 0 && a.decisions > 1000, "{a:?}");
}

#[test]
fn decisions_carry_one_candidate_per_group_or_type_and_a_full_observation() {
    let sim = Arc::new(multichannel());
    let mut st = Stepper::new(sim.clone(), 0).unwrap();
    let names = st.observation_names();
    assert_eq!(names.len(), st.observation_len());
    assert_eq!(names[0], "time");
    assert!(names.contains(&"queue.sales.service_level".to_string()));
    assert!(names.contains(&"group.support.units.chat".to_string()));
    let mut obs = vec![0.0; names.len()];
    let (mut routes, mut picks) = (0, 0);
    for _ in 0..3000 {
        let Some(d) = st.next_decision().unwrap() else { break };
        let d = d.clone();
        st.observe(&mut obs).unwrap();
        assert_eq!(obs[0], d.time);
        match d.kind {
            DecisionKind::Route => {
                routes += 1;
                let groups: Vec<u32> = d.candidates.iter().map(|c| c.agent_group).collect();
                let mut sorted = groups.clone();
                sorted.dedup();
                assert_eq!(groups, sorted, "one candidate per group, in group order");
                assert!(d.candidates.iter().all(|c| Some(c.contact_type) == d.contact_type));
                for c in &d.candidates {
                    let at = names
                        .iter()
                        .position(|n| {
                            *n == format!(
                                "route.{}.candidate",
                                sim.scenario().agent_groups[c.agent_group as usize].name
                            )
                        })
                        .unwrap();
                    assert_eq!(obs[at], 1.0);
                }
            }
            DecisionKind::Pick => {
                picks += 1;
                assert!(d.candidates.iter().all(|c| Some(c.agent) == d.agent));
                let types: Vec<u32> = d.candidates.iter().map(|c| c.contact_type).collect();
                let mut sorted = types.clone();
                sorted.dedup();
                assert_eq!(types, sorted, "one candidate per type");
            }
        }
        let choice = Some(d.candidates.len() / 2);
        st.decide(choice).unwrap();
    }
    assert!(routes > 100 && picks > 100, "routes {routes}, picks {picks}");
}

#[test]
fn misuse_is_refused_and_changes_nothing() {
    let sim = Arc::new(Simulation::new(mmc(2, 0.02, "")).unwrap());
    let mut st = Stepper::new(sim.clone(), 0).unwrap();
    let err = st.decide(Some(0)).unwrap_err();
    assert!(err.message().contains("no decision is open"), "{err}");
    let d = st.next_decision().unwrap().unwrap().clone();
    let err = st.decide(Some(7)).unwrap_err();
    assert!(err.message().contains("candidate 7 is out of range"), "{err}");
    assert_eq!(st.next_decision().unwrap().unwrap(), &d, "still open");
    let st2 = Stepper::new(sim, 0).unwrap();
    let err = st2.finish("early").unwrap_err();
    assert!(err.message().contains("not over"), "{err}");
    let mut batch = mmc(2, 0.02, "");
    batch.batch_window = Some(1.0);
    let err = Stepper::new(Arc::new(Simulation::new(batch).unwrap()), 0).unwrap_err();
    assert!(err.message().contains("batch_window"), "{err}");
}
