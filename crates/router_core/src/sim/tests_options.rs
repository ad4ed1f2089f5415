//! Tests of the router's options in a scenario: queue orderings, routing
//! profiles, conditional steps, policy compositions, batch mode, and that
//! the scenario carries every option of the router's configuration.

use super::scenario::NOT_SIMULATED;
use super::{Replication, Scenario, Simulation};
use crate::model::RouterConfig;
use crate::{ChannelConfig, QueueConfig};
use serde_json::{json, Value};

/// One queue `q`, one voice channel, `agents` plain agents, one call type
/// at `load` erlangs with a 100 s mean handle time; `patch` is merged in
/// at the top level.
fn scenario(agents: u32, load: f64, duration: f64, patch: Value) -> Scenario {
    let mut s = json!({
        "channels": [{"name": "voice"}],
        "queues": [{"name": "q"}],
        "agent_groups": [{"name": "g", "count": agents}],
        "contact_types": [{"name": "call", "channel": "voice", "queue": "q",
            "arrivals": {"kind": "poisson", "rate": load / 100.0},
            "handle_time": {"kind": "exponential", "mean": 100.0}}],
        "duration": duration, "warmup": 3600.0, "seed": 5
    });
    for (k, v) in patch.as_object().expect("a mapping") {
        s[k] = v.clone();
    }
    Scenario::from_json(&s.to_string()).expect("scenario")
}

fn run(s: Scenario) -> Replication {
    Simulation::new(s).expect("simulation").run(0).expect("run")
}

fn handled(r: &Replication, group: usize) -> u64 {
    r.groups[group].handled.iter().sum()
}

#[test]
fn lifo_serves_most_contacts_at_once_and_a_few_very_late() {
    let queue = |ordering: &str| json!({"queues": [{"name": "q", "ordering": ordering}]});
    let fifo = run(scenario(10, 9.0, 400_000.0, queue("priority")));
    let lifo = run(scenario(10, 9.0, 400_000.0, queue("lifo")));
    let (f, l) = (&fifo.total, &lifo.total);
    // Same work, same agents: the same share waits, in another order.
    assert!((f.p_wait.unwrap() - l.p_wait.unwrap()).abs() < 0.02, "{:?} {:?}", f.p_wait, l.p_wait);
    let (fm, lm) = (f.mean_wait.unwrap(), l.mean_wait.unwrap());
    assert!((fm - lm).abs() < 0.15 * fm, "mean waits {fm} {lm}");
    // The newest first: most waits are short (a higher service level and
    // 90th percentile) and the rest are the longer for it.
    assert!(
        l.service_level.unwrap() > f.service_level.unwrap() + 0.05,
        "{:?} {:?}",
        l.service_level,
        f.service_level
    );
    assert!(l.wait_p90.unwrap() < 0.7 * f.wait_p90.unwrap(), "{:?} {:?}", l.wait_p90, f.wait_p90);
}

#[test]
fn greatest_need_favours_the_queue_with_the_tighter_threshold() {
    let patch = |ordering: &str| {
        json!({
            "queues": [{"name": "tight", "sl_threshold": 10.0, "ordering": ordering},
                       {"name": "loose", "sl_threshold": 120.0, "ordering": ordering}],
            "contact_types": [
                {"name": "a", "channel": "voice", "queue": "tight", "arrivals": {"kind": "poisson", "rate": 0.045},
                 "handle_time": {"kind": "exponential", "mean": 100.0}},
                {"name": "b", "channel": "voice", "queue": "loose", "arrivals": {"kind": "poisson", "rate": 0.045},
                 "handle_time": {"kind": "exponential", "mean": 100.0}}]
        })
    };
    let fifo = run(scenario(10, 9.0, 300_000.0, patch("priority")));
    let need = run(scenario(10, 9.0, 300_000.0, patch("greatest_need")));
    let asa = |r: &Replication, q: usize| r.queues[q].asa.unwrap();
    assert!((asa(&fifo, 0) - asa(&fifo, 1)).abs() < 0.2 * asa(&fifo, 1), "FIFO treats both alike");
    assert!(asa(&need, 0) < 0.5 * asa(&need, 1), "tight {} loose {}", asa(&need, 0), asa(&need, 1));
    assert!(need.queues[0].service_level.unwrap() > fifo.queues[0].service_level.unwrap());
}

#[test]
fn an_aging_cap_keeps_low_priority_contacts_behind_high_priority_ones() {
    let patch = |aging_max: Value| {
        json!({
            "queues": [{"name": "q", "aging_rate": 1.0, "aging_max": aging_max}],
            "contact_types": [
                {"name": "low", "channel": "voice", "queue": "q", "arrivals": {"kind": "poisson", "rate": 0.045},
                 "handle_time": {"kind": "exponential", "mean": 100.0}},
                {"name": "high", "channel": "voice", "queue": "q", "priority": 10,
                 "arrivals": {"kind": "poisson", "rate": 0.045},
                 "handle_time": {"kind": "exponential", "mean": 100.0}}]
        })
    };
    let aging = run(scenario(10, 9.0, 300_000.0, patch(Value::Null)));
    let capped = run(scenario(10, 9.0, 300_000.0, patch(json!(5.0))));
    let asa = |r: &Replication, t: usize| r.types[t].asa.unwrap();
    // Without a cap a low contact overtakes a high one 10 s younger; with
    // a cap of 5 points it never does.
    assert!(
        asa(&capped, 1) < asa(&aging, 1),
        "high: capped {} uncapped {}",
        asa(&capped, 1),
        asa(&aging, 1)
    );
    assert!(
        asa(&capped, 0) > asa(&aging, 0),
        "low: capped {} uncapped {}",
        asa(&capped, 0),
        asa(&aging, 0)
    );
}

#[test]
fn a_routing_profile_keeps_a_group_to_its_queues() {
    let patch = |profile: Value| {
        json!({
            "queues": [{"name": "q"}, {"name": "other"}],
            "routing_profiles": [{"name": "other only", "queues": [{"queue": "other"}]},
                                 {"name": "late", "queues": [{"queue": "q", "delay": 30.0}]}],
            "agent_groups": [{"name": "g", "count": 5, "routing_profile": profile}, {"name": "h", "count": 5}]
        })
    };
    let open = run(scenario(0, 4.0, 100_000.0, patch(Value::Null)));
    let other = run(scenario(0, 4.0, 100_000.0, patch(json!("other only"))));
    let late = run(scenario(0, 4.0, 100_000.0, patch(json!("late"))));
    assert!(handled(&open, 0) > 0 && handled(&open, 1) > 0);
    assert_eq!(handled(&other, 0), 0, "the profile does not list queue q");
    assert_eq!(other.total.answered, other.total.offered, "group h serves everything");
    // After 30 s of waiting group g helps: fewer long waits than h alone.
    assert!(handled(&late, 0) > 0 && handled(&late, 0) < handled(&late, 1));
    assert!(late.total.wait_p90.unwrap() <= other.total.wait_p90.unwrap());
    let alone = scenario(
        0,
        4.0,
        100_000.0,
        json!({
            "queues": [{"name": "q"}, {"name": "other"}],
            "routing_profiles": [{"name": "other only", "queues": [{"queue": "other"}]}],
            "agent_groups": [{"name": "g", "count": 5, "routing_profile": "other only"}]
        }),
    );
    let why = alone.unservable_types();
    assert!(why.len() == 1 && why[0].contains("in queue \"q\""), "{why:?}");
    let err = Simulation::new(scenario(
        1,
        1.0,
        10_000.0,
        json!({
            "agent_groups": [{"name": "g", "count": 1, "routing_profile": "nobody"}]
        }),
    ))
    .unwrap_err();
    assert!(err.message().starts_with("agent_groups[0] (\"g\")"), "{err}");
}

#[test]
fn a_conditional_step_widens_the_pool_only_while_its_condition_holds() {
    let patch = |steps: Value| {
        json!({
            "agent_groups": [{"name": "experts", "count": 4, "skills": {"sales": 8}},
                             {"name": "juniors", "count": 4, "skills": {"sales": 2}}],
            "contact_types": [{"name": "call", "channel": "voice", "queue": "q", "requires": {"sales": 5},
                "steps": steps, "arrivals": {"kind": "poisson", "rate": 0.035},
                "handle_time": {"kind": "exponential", "mean": 100.0}}]
        })
    };
    let never = run(scenario(0, 0.0, 200_000.0, patch(json!([]))));
    let always =
        run(scenario(0, 0.0, 200_000.0, patch(json!([{"after": 0.0, "requires": {"sales": 1}}]))));
    let busy = run(scenario(
        0,
        0.0,
        200_000.0,
        patch(json!([
            {"after": 0.0, "requires": {"sales": 1}, "when": {"queue_longer_than": 2}}
        ])),
    ));
    assert_eq!(handled(&never, 1), 0);
    assert!(handled(&busy, 1) > 0, "juniors help when the queue is long");
    assert!(
        handled(&busy, 1) < handled(&always, 1) / 2,
        "{} vs {}",
        handled(&busy, 1),
        handled(&always, 1)
    );
    assert!(busy.total.asa.unwrap() < never.total.asa.unwrap());
}

#[test]
fn a_condition_that_can_no_longer_hold_does_not_keep_the_run_going() {
    // The agents leave at 1,000 s; the contacts left behind wait for good
    // and their step's condition (a long queue) never holds.
    let mut s = scenario(1, 1.0, 20_000.0, json!({"warmup": 0.0}));
    s.agent_groups[0].shifts = vec![(0.0, 1_000.0)];
    s.contact_types[0].steps = serde_json::from_value(
        json!([{"after": 10.0, "requires": {}, "when": {"queue_longer_than": 100_000}}]),
    )
    .unwrap();
    let r = run(s);
    assert!(r.total.unfinished > 100);
    assert!(r.end_time < 20_000.0 + 60.0, "{}", r.end_time);
}

#[test]
fn chains_and_weights_decide_who_answers() {
    let groups = json!({
        "agent_groups": [{"name": "experts", "count": 5, "skills": {"sales": 9}},
                         {"name": "juniors", "count": 5, "skills": {"sales": 2}}],
        "contact_types": [{"name": "call", "channel": "voice", "queue": "q", "requires": {"sales": 1},
            "arrivals": {"kind": "poisson", "rate": 0.04}, "handle_time": {"kind": "exponential", "mean": 100.0}}]
    });
    let with = |policy: Value| {
        let mut p = groups.clone();
        p["policy"] = policy;
        scenario(0, 4.0, 100_000.0, p)
    };
    let idle = run(with(json!("longest_idle")));
    let chain = Simulation::new(with(json!({"chain": ["most_skilled", "longest_idle"]}))).unwrap();
    let chained = chain.run(0).unwrap();
    let weighted = run(with(json!({"weighted": {"level:sales": -1.0}})));
    assert_eq!(chained.policy, "chain(most_skilled, longest_idle)");
    assert!(handled(&chained, 0) > handled(&idle, 0), "experts first");
    assert!(handled(&weighted, 1) > handled(&idle, 1), "the lowest level first");
    // The same random numbers under every policy: a run with the chain
    // given explicitly is the scenario's run.
    let again = chain.run_with(
        0,
        crate::Policy::Chain(vec![crate::PolicyKind::MostSkilled, crate::PolicyKind::LongestIdle]),
    );
    assert_eq!(again.unwrap(), chained);
}

#[test]
fn batch_mode_assigns_everything_at_window_ends() {
    let immediate = run(scenario(10, 4.0, 100_000.0, json!({})));
    let batched = run(scenario(10, 4.0, 100_000.0, json!({"batch_window": 10.0})));
    assert_eq!(batched.total.answered, batched.total.offered);
    assert_eq!(batched.total.unfinished, 0);
    // At 40 % load nearly nobody waits when routed at once; in batch mode
    // every contact waits for the next solve, at most one window.
    assert!(immediate.total.asa.unwrap() < 1.0, "{:?}", immediate.total.asa);
    let asa = batched.total.asa.unwrap();
    assert!((5.0..=10.0 + 1.0).contains(&asa), "{asa}");
    assert!(batched.total.p_wait.unwrap() > 0.95);
}

#[test]
fn the_scenario_carries_every_router_option_but_those_that_do_not_apply() {
    let config =
        RouterConfig::new(vec![ChannelConfig::new("voice", 100, 1)], vec![QueueConfig::new("q")]);
    let config = serde_json::to_value(config).unwrap();
    let config = config.as_object().unwrap();
    let s = scenario(1, 1.0, 10_000.0, json!({}));
    let fields = serde_json::to_value(&s).unwrap();
    for k in NOT_SIMULATED {
        assert!(
            config.contains_key(k),
            "NOT_SIMULATED lists {k:?}, which the router's configuration lacks"
        );
    }
    for k in config.keys() {
        assert!(
            NOT_SIMULATED.contains(&k.as_str()) || fields.get(k).is_some(),
            "the router's configuration has {k:?}: give the scenario that field or list it in NOT_SIMULATED"
        );
    }
}

#[test]
fn a_replication_runs_with_the_scenarios_router_options() {
    let s = scenario(
        1,
        1.0,
        10_000.0,
        json!({
            "queues": [{"name": "q", "ordering": "lifo", "sl_threshold": 30.0}, {"name": "r", "aging_rate": 0.5,
                       "aging_max": 3.0, "max_waiting": 7, "overflow": {"to": "q", "after": 40.0}}],
            "channels": [{"name": "voice", "cost": 50, "max_per_agent": 2, "wrap_up": 3.0}],
            "routing_profiles": [{"name": "p", "queues": [{"queue": "r", "priority": 2, "delay": 1.0}]}],
            "policy": {"weighted": {"idle": 1.0}}, "affinity": true, "affinity_wait": 4.0,
            "condition_interval": 2.0, "batch_window": 6.0
        }),
    );
    let config =
        serde_json::to_value(Simulation::new(s.clone()).unwrap().router_config(3)).unwrap();
    let fields = serde_json::to_value(&s).unwrap();
    for (k, v) in config.as_object().unwrap() {
        if !NOT_SIMULATED.contains(&k.as_str()) {
            assert_eq!(&fields[k], v, "{k}");
        }
    }
    assert_eq!(serde_json::from_value::<Scenario>(fields).unwrap(), s, "the scenario round-trips");
}

#[test]
fn a_refused_router_option_names_its_scenario_field() {
    let bad = |patch: Value| {
        Simulation::new(scenario(1, 1.0, 10_000.0, patch)).unwrap_err().message().to_owned()
    };
    let e = bad(
        json!({"queues": [{"name": "q"}, {"name": "r", "ordering": "lifo", "aging_rate": 0.5}]}),
    );
    assert!(e.starts_with("queues[1] (\"r\"): queue \"r\""), "{e}");
    let e = bad(json!({"routing_profiles": [{"name": "p", "queues": [{"queue": "nowhere"}]}]}));
    assert!(e.starts_with("routing_profiles[0] (\"p\")"), "{e}");
    let json = |patch: Value| {
        let mut s = serde_json::to_value(scenario(1, 1.0, 10_000.0, json!({}))).unwrap();
        s[patch["at"].as_str().unwrap()] = patch["value"].clone();
        Scenario::from_json(&s.to_string()).unwrap_err().message().to_owned()
    };
    let e = json(json!({"at": "policy", "value": {"chain": ["random", "longest_idle"]}}));
    assert!(e.starts_with("scenario JSON: policy: \"random\" cannot be part of a chain"), "{e}");
    let e =
        json(json!({"at": "queues", "value": [{"name": "q"}, {"name": "r", "ordering": "fifo"}]}));
    assert!(e.starts_with("scenario JSON: queues[1].ordering: unknown variant `fifo`"), "{e}");
}

/// Transfers after service: 30 % of the calls of `q` go on to `b` (same
/// agents). Every transfer wait is accounted for (answered, abandoned or
/// unfinished), the share transferred is the rule's, the first waits are
/// drawn exactly as without transfers, and the agents' load includes the
/// second service. Warm transfers hold the first agent until the second
/// answers: more load for the same work.
#[test]
fn transfers_after_service_are_counted_once_per_wait() {
    let patch = |rule: Value| {
        json!({
            "queues": [{"name": "q"}, {"name": "b"}],
            "contact_types": [{"name": "call", "channel": "voice", "queue": "q",
                "arrivals": {"kind": "poisson", "rate": 0.06},
                "handle_time": {"kind": "exponential", "mean": 100.0},
                "patience": {"kind": "exponential", "mean": 300.0},
                "transfer": rule}]
        })
    };
    let none = run(scenario(10, 6.0, 100_000.0, patch(Value::Null)));
    let zero = run(scenario(10, 6.0, 100_000.0, patch(json!({"probability": 0.0, "queue": "b"}))));
    assert_eq!(none.types, zero.types, "a transfer rule that never fires changes nothing");
    assert_eq!(zero.transfers[1].offered, 0);
    let cold = run(scenario(10, 6.0, 100_000.0, patch(json!({"probability": 0.3, "queue": "b"}))));
    let warm = run(scenario(
        10,
        6.0,
        100_000.0,
        patch(json!({"probability": 0.3, "queue": "b", "mode": "warm"})),
    ));
    for r in [&cold, &warm] {
        let (first, t) = (&r.types[0], &r.transfers[1]);
        let share = t.offered as f64 / first.answered as f64;
        assert!((share - 0.3).abs() < 0.03, "transferred share {share}");
        assert_eq!(t.offered, t.answered + t.abandoned + t.unfinished, "{t:?}");
        assert_eq!(r.transfers[0].offered, 0, "nothing is transferred into q");
        // The per-queue figures count first waits only.
        assert_eq!(r.queues[0].offered, first.offered);
        assert_eq!(r.queues[1].offered, 0);
    }
    // Warm: nobody abandons while held; cold: some do.
    assert_eq!(warm.transfers[1].abandoned, 0);
    assert!(cold.transfers[1].abandoned > 0);
    let occ = |r: &Replication| r.groups[0].occupancy.unwrap();
    assert!(occ(&cold) > occ(&none) + 0.1, "{} {}", occ(&cold), occ(&none));
    assert!(occ(&warm) > occ(&cold), "{} {}", occ(&warm), occ(&cold));
}

/// Transfers into a queue that is often full (`b` holds one waiting
/// contact): a cold transfer that does not fit is not made (the first
/// agent completes the contact), a warm one fails back to the first agent;
/// the run goes on, and no service is counted handled twice.
#[test]
fn transfers_into_a_full_queue_are_not_made_and_counted_once() {
    for mode in ["cold", "warm"] {
        let r = run(scenario(
            4,
            3.8,
            30_000.0,
            json!({
                "queues": [{"name": "q"}, {"name": "b", "max_waiting": 1}],
                "contact_types": [{"name": "call", "channel": "voice", "queue": "q",
                    "arrivals": {"kind": "poisson", "rate": 0.038},
                    "handle_time": {"kind": "exponential", "mean": 100.0},
                    "transfer": {"probability": 0.5, "queue": "b", "mode": mode}}]
            }),
        ));
        let (first, t) = (&r.types[0], &r.transfers[1]);
        let share = t.offered as f64 / first.answered as f64;
        assert!(share < 0.45, "{mode}: some transfers found b full ({share})");
        assert!(share > 0.1, "{mode}: others were made ({share})");
        assert!(
            handled(&r, 0) <= first.answered + t.answered,
            "{mode}: {} handled, {} + {} answered",
            handled(&r, 0),
            first.answered,
            t.answered
        );
    }
}

#[test]
fn a_bad_transfer_rule_is_refused_naming_the_field() {
    let bad = |rule: Value, names: &str| {
        let s = scenario(2, 1.0, 7200.0, json!({}));
        let mut v: Value = serde_json::to_value(&s).unwrap();
        v["contact_types"][0]["transfer"] = rule;
        let err =
            Scenario::from_json(&v.to_string()).and_then(Simulation::new).expect_err("refused");
        assert!(err.message().contains(names), "{err} should name {names}");
    };
    bad(json!({"probability": 1.5, "queue": "q"}), "transfer.probability");
    bad(json!({"probability": 0.5, "queue": "nowhere"}), "\"nowhere\"");
    bad(json!({"probability": 0.5, "queue": "q", "channel": "fax"}), "\"fax\"");
    bad(json!({"probability": 0.5, "queue": "q", "requires": {"x": 11}}), "level 11");
    bad(json!({"probability": 0.5, "queue": "q", "mode": "lukewarm"}), "lukewarm");
}

/// Callers who choose a callback after 30 s (half of them): every counted
/// contact is accounted for (answered, abandoned, refused, unfinished or a
/// failed callback), and the callback counts add up: all answered when the
/// customers always answer; none connected and two calls per failure when
/// they never do.
#[test]
fn callbacks_in_a_scenario_are_accounted_for() {
    let patch = |answer: f64| {
        json!({"contact_types": [{"name": "call", "channel": "voice", "queue": "q",
            "arrivals": {"kind": "poisson", "rate": 0.095},
            "handle_time": {"kind": "exponential", "mean": 100.0},
            "patience": {"kind": "exponential", "mean": 200.0},
            "callback": {"share": 0.5, "after": 30.0, "number_of_attempts": 2,
                         "retry_after": 120.0, "answer_probability": answer, "call_time": 15.0}}]})
    };
    for answer in [1.0, 0.0] {
        let r = run(scenario(10, 9.5, 60_000.0, patch(answer)));
        let t = &r.types[0];
        assert_eq!(
            t.offered,
            t.answered + t.abandoned + t.refused + t.unfinished + t.callbacks_failed,
            "{t:?}"
        );
        let cb = &r.callbacks[0];
        assert!(cb.requested > 100, "{cb:?}");
        if answer == 1.0 {
            assert_eq!(cb.failed, 0);
            assert_eq!(cb.calls, cb.connected, "{cb:?}");
            assert!(cb.connected + 20 >= cb.requested, "{cb:?}");
        } else {
            assert_eq!(cb.connected, 0);
            assert!(cb.failed > 0 && cb.calls >= 2 * cb.failed, "{cb:?}");
            assert_eq!(t.callbacks_failed, cb.failed);
        }
    }
}

/// Scheduled work: half the contacts enter their queue 600 s after they
/// are submitted; their waits count from then, and the totals add up.
#[test]
fn scheduled_work_in_a_scenario() {
    let patch = json!({"contact_types": [{"name": "mail", "channel": "voice", "queue": "q",
        "arrivals": {"kind": "poisson", "rate": 0.05},
        "handle_time": {"kind": "exponential", "mean": 100.0},
        "scheduled": {"share": 0.5, "delay": {"kind": "constant", "value": 600.0}}}]});
    let r = run(scenario(8, 5.0, 50_000.0, patch));
    let t = &r.types[0];
    assert_eq!(t.offered, t.answered + t.abandoned + t.refused + t.unfinished, "{t:?}");
    assert!(t.answered > 1000);
    // 5 erlangs on 8 agents: short waits, scheduled or not.
    assert!(t.asa.unwrap() < 30.0, "{:?}", t.asa);
}
