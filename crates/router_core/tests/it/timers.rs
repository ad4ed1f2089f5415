//! Time-driven behaviour: relaxation steps, aging, overflow, wrap-up,
//! preferred agent with wait, last-agent affinity. Timers fire through
//! `advance(now)` and at the start of every call.

use super::*;
use router_core::{ContactStatus, Event, Overflow, PolicyKind, QueueConfig, StepSpec};

fn step(after: f64, reqs: &[(&str, u8)]) -> StepSpec {
    StepSpec {
        after,
        requires: reqs.iter().map(|(s, l)| (s.to_string(), *l)).collect(),
        when: None,
        ..StepSpec::default()
    }
}

/// Relaxation: requirements are replaced at arrival + after; the contact
/// becomes routable to a less skilled agent.
#[test]
fn relaxation_steps_widen_the_pool_through_advance() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("junior", &[("tech", 3)]), 0.0, Vec::new()).unwrap();
    // c1 at t=0 requires tech 7; after 30 s tech 5; after 60 s tech 3.
    let mut c = contact("c1", "voice").requiring(&[("tech", 7)]);
    c.steps = vec![step(30.0, &[("tech", 5)]), step(60.0, &[("tech", 3)])];
    assert!(r.submit(&c, 0.0, Vec::new()).unwrap().is_empty());
    assert_eq!(r.next_timer(), Some(30.0));
    // t=29: nothing yet.
    assert!(r.advance(29.0, Vec::new()).unwrap().is_empty());
    // t=30: step 0 (tech 5): junior still too weak.
    assert_eq!(
        r.advance(30.0, Vec::new()).unwrap(),
        vec![Event::StepAdvanced {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c1".into(),
            step: 0,
            at: 30.0
        }]
    );
    let v = r.contact_view("c1").unwrap();
    assert_eq!((v.requires, v.step), (vec![("tech".to_string(), 5)], 1));
    check(&r);
    assert!(r.advance(59.5, Vec::new()).unwrap().is_empty());
    // t=60 (advance to 70): step 1 (tech 3) at 60, junior takes it at 60 with wait 60.
    assert_eq!(
        r.advance(70.0, Vec::new()).unwrap(),
        vec![
            Event::StepAdvanced {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                step: 1,
                at: 60.0
            },
            Event::Assigned {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "junior".into(),
                at: 60.0,
                wait: 60.0
            },
        ]
    );
    check(&r);
}

/// Timers fire at the start of any call, before the call's own work, at
/// their own times.
#[test]
fn relaxation_fires_implicitly_at_the_start_of_a_call() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("junior", &[("tech", 3)]), 0.0, Vec::new()).unwrap();
    let mut c = contact("c1", "voice").requiring(&[("tech", 9)]);
    c.steps = vec![step(30.0, &[("tech", 2)])];
    r.submit(&c, 0.0, Vec::new()).unwrap();
    // A submit at t=50 of another voice contact: first the step at 30
    // (junior takes c1 at 30, wait 30), then c2 arrives and waits.
    let ev = r.submit(&contact("c2", "voice"), 50.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::StepAdvanced {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                step: 0,
                at: 30.0
            },
            Event::Assigned {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "junior".into(),
                at: 30.0,
                wait: 30.0
            },
        ]
    );
    assert_eq!(status(&r, "c2"), ContactStatus::Waiting);
    check(&r);
}

/// A step may relax a contact while a more skilled agent is busy: when it
/// relaxes it is routed to the free, less skilled agent (agent surplus).
#[test]
fn relaxed_contact_goes_to_a_free_less_skilled_agent_not_the_expert() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("expert", &[("tech", 9)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("novice", &[("tech", 1)]), 0.0, Vec::new()).unwrap();
    assert_eq!(
        one_assigned(
            &r.submit(&contact("busy", "voice").requiring(&[("tech", 8)]), 1.0, Vec::new())
                .unwrap()
        ),
        "expert"
    );
    let mut c = contact("c", "voice").requiring(&[("tech", 8)]);
    c.steps = vec![step(10.0, &[])];
    assert!(r.submit(&c, 2.0, Vec::new()).unwrap().is_empty());
    // At 12 requirements drop to none: novice takes it.
    let ev = r.advance(12.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), vec!["StepAdvanced", "Assigned"]);
    assert_eq!(assigned(&ev), pairs(&[("c", "novice")]));
    check(&r);
}

/// A step whose wait is 0 is in force from arrival: the contact is routed
/// under it at once.
#[test]
fn relaxation_step_at_zero_applies_on_arrival() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("junior", &[("tech", 3)]), 0.0, Vec::new()).unwrap();
    let mut c = contact("c1", "voice").requiring(&[("tech", 9)]);
    c.steps = vec![step(0.0, &[("tech", 3)])];
    let ev = r.submit(&c, 5.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::StepAdvanced {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                step: 0,
                at: 5.0
            },
            Event::Assigned {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "junior".into(),
                at: 5.0,
                wait: 0.0
            },
        ]
    );
    check(&r);
}

/// Aging inside one queue: effective priority = priority + rate x wait.
/// An old low-priority contact stays ahead of a newer high-priority one when
/// it has aged more than the priority gap.
#[test]
fn aging_old_low_priority_overtakes_new_high_priority() {
    for (rate, first) in [(1.0, "old"), (0.0, "new")] {
        let mut q = QueueConfig::new("general");
        q.aging_rate = rate;
        let mut r = Router::new(config_with(vec![q], PolicyKind::LongestIdle)).unwrap();
        // old: prio 0 at t=0; new: prio 10 at t=15. Agent at t=20:
        // rate 1: old 0 + 20 = 20 > new 10 + 5 = 15 -> old first.
        // rate 0: strict priority -> new first.
        r.submit(&contact("old", "voice"), 0.0, Vec::new()).unwrap();
        r.submit(&contact("new", "voice").with_priority(10), 15.0, Vec::new()).unwrap();
        let ev = r.add_agent(&agent("a", &[]), 20.0, Vec::new()).unwrap();
        assert_eq!(one_assigned(&ev), "a");
        assert_eq!(assigned(&ev)[0].0, first, "aging rate {rate}");
        check(&r);
    }
}

/// Aging across queues with different rates: the comparison is at the time
/// the agent frees up.
#[test]
fn aging_across_queues_with_different_rates() {
    // slow: rate 0.1; fast: rate 1.0. s: prio 10 in slow at 0; f: prio 0 in fast at 0.
    // Effective at t: s = 10 + 0.1 t, f = t. Crossing at t = 11.1.
    // Agent free at 10: s 11 vs f 10 -> s.  At 20: s 12 vs f 20 -> f.
    for (t, first) in [(10.0, "s"), (20.0, "f")] {
        let mut slow = QueueConfig::new("slow");
        slow.aging_rate = 0.1;
        let mut fast = QueueConfig::new("fast");
        fast.aging_rate = 1.0;
        let mut r = Router::new(config_with(vec![slow, fast], PolicyKind::LongestIdle)).unwrap();
        r.submit(&ContactSpec::new("s", "voice", "slow").with_priority(10), 0.0, Vec::new())
            .unwrap();
        r.submit(&ContactSpec::new("f", "voice", "fast"), 0.0, Vec::new()).unwrap();
        let ev = r.add_agent(&agent("a", &[]), t, Vec::new()).unwrap();
        assert_eq!(assigned(&ev), pairs(&[(first, "a")]), "agent at {t}");
        check(&r);
    }
    // The same within one router as the clock moves:
    //   s  slow prio 10 at 0, f1 fast prio 0 at 0, f2 fast prio 0 at 15,
    //   s2 slow prio 10 at 15; the agent arrives at 15.
    let mut slow = QueueConfig::new("slow");
    slow.aging_rate = 0.1;
    let mut fast = QueueConfig::new("fast");
    fast.aging_rate = 1.0;
    let mut r = Router::new(config_with(vec![slow, fast], PolicyKind::LongestIdle)).unwrap();
    r.submit(&ContactSpec::new("s", "voice", "slow").with_priority(10), 0.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("f1", "voice", "fast"), 0.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("f2", "voice", "fast"), 15.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("s2", "voice", "slow").with_priority(10), 15.0, Vec::new()).unwrap();
    let ev = r.add_agent(&agent("a", &[]), 15.0, Vec::new()).unwrap();
    // At 15: s 11.5, f1 15, f2 0, s2 10 -> f1.
    assert_eq!(assigned(&ev), pairs(&[("f1", "a")]));
    // At 40: s 14, f2 25, s2 12.5 -> f2; at 50: s 15, s2 13.5 -> s; then s2.
    assert_eq!(assigned(&r.complete("f1", 40.0, Vec::new()).unwrap()), pairs(&[("f2", "a")]));
    assert_eq!(assigned(&r.complete("f2", 50.0, Vec::new()).unwrap()), pairs(&[("s", "a")]));
    assert_eq!(assigned(&r.complete("s", 60.0, Vec::new()).unwrap()), pairs(&[("s2", "a")]));
    check(&r);
}

/// Overflow: after a wait in its queue a contact moves to another queue,
/// keeps its arrival time, and the statistics move with it.
#[test]
fn overflow_moves_contact_keeping_arrival() {
    let mut first = QueueConfig::new("first");
    first.overflow = Some(Overflow { to: "second".into(), after: 30.0 });
    let mut second = QueueConfig::new("second");
    second.overflow = Some(Overflow { to: "third".into(), after: 20.0 });
    let third = QueueConfig::new("third");
    let mut r =
        Router::new(config_with(vec![first, second, third], PolicyKind::LongestIdle)).unwrap();
    r.submit(&ContactSpec::new("c1", "voice", "first"), 0.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("c2", "voice", "second"), 10.0, Vec::new()).unwrap();
    // c1 overflows at 30 to second; c2 (entered second at 10) would move at 30
    // as well: timers at the same time fire in scheduling order (c1's first).
    let ev = r.advance(29.0, Vec::new()).unwrap();
    assert!(ev.is_empty());
    let ev = r.advance(30.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::Overflowed {
                channel: "voice".into(),
                contact: "c1".into(),
                from_queue: "first".into(),
                to_queue: "second".into(),
                at: 30.0
            },
            Event::Overflowed {
                channel: "voice".into(),
                contact: "c2".into(),
                from_queue: "second".into(),
                to_queue: "third".into(),
                at: 30.0
            },
        ]
    );
    let v = r.contact_view("c1").unwrap();
    assert_eq!((v.queue.as_str(), v.arrival, v.wait), ("second", 0.0, 30.0));
    let s = r.stats();
    assert_eq!((s[0].counters.offered, s[0].counters.overflowed_out, s[0].waiting), (1, 1, 0));
    assert_eq!(
        (s[1].counters.offered, s[1].counters.overflowed_in, s[1].counters.overflowed_out),
        (2, 1, 1)
    );
    assert_eq!(s[1].waiting, 1);
    assert_eq!((s[2].counters.offered, s[2].counters.overflowed_in, s[2].waiting), (1, 1, 1));
    // The wait in "second" counts from entering it (30), not from arrival:
    // no move at 40, a move to third at 50.
    assert!(r.advance(49.0, Vec::new()).unwrap().is_empty());
    let ev = r.advance(50.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), vec!["Overflowed"]);
    // Both now in third; c1 (arrival 0) ahead of c2 (arrival 10).
    let ev = r.add_agent(&agent("a", &[]), 55.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Assigned {
            queue: "third".into(),
            channel: "voice".into(),
            contact: "c1".into(),
            agent: "a".into(),
            at: 55.0,
            wait: 55.0
        }]
    );
    let s = r.stats();
    assert_eq!((s[2].counters.offered, s[2].counters.answered, s[2].waiting), (2, 1, 1));
    assert_eq!(s[2].asa, Some(55.0));
    check(&r);
}

/// An overflowed contact is ordered by its original arrival in the new queue.
#[test]
fn overflowed_contact_keeps_its_place_by_arrival() {
    let mut first = QueueConfig::new("first");
    first.overflow = Some(Overflow { to: "second".into(), after: 30.0 });
    let second = QueueConfig::new("second");
    let mut r = Router::new(config_with(vec![first, second], PolicyKind::LongestIdle)).unwrap();
    r.submit(&ContactSpec::new("c1", "voice", "first"), 0.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("c2", "voice", "second"), 10.0, Vec::new()).unwrap();
    r.advance(35.0, Vec::new()).unwrap();
    // c1 arrived at 0 (before c2 at 10) although it joined "second" at 30.
    assert_eq!(r.waiting_ids("second").unwrap(), vec!["c1", "c2"]);
    assert_eq!(
        assigned(&r.add_agent(&agent("a", &[]), 40.0, Vec::new()).unwrap()),
        pairs(&[("c1", "a")])
    );
    check(&r);
}

/// Wrap-up keeps the slot until it ends; then the agent takes waiting work.
#[test]
fn wrap_up_holds_the_slot_until_it_ends() {
    let mut chans = channels();
    chans[0].wrap_up = 10.0;
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.channels = chans;
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c2", "voice"), 1.0, Vec::new()).unwrap();
    // c1 completes at 5: wrap-up to 15, the slot stays taken, c2 waits.
    let ev = r.complete("c1", 5.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Completed {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c1".into(),
            agent: "a".into(),
            at: 5.0
        }]
    );
    let v = r.agent_view("a").unwrap();
    assert_eq!((v.used, v.wrap_ups, v.handled), (100, 1, 1));
    assert!(v.contacts.is_empty());
    assert_eq!(r.agents_by_state().busy, 1);
    check(&r);
    assert!(r.advance(14.9, Vec::new()).unwrap().is_empty());
    // 15: WrapUpEnded, then c2 assigned at 15 with wait 14.
    assert_eq!(
        r.advance(15.0, Vec::new()).unwrap(),
        vec![
            Event::WrapUpEnded {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "a".into(),
                at: 15.0
            },
            Event::Assigned {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c2".into(),
                agent: "a".into(),
                at: 15.0,
                wait: 14.0
            },
        ]
    );
    // Idle since restarts at the end of wrap-up.
    assert_eq!(r.agent_view("a").unwrap().idle_since, 15.0);
    check(&r);
    // Implicit: a submit at 40 after c2 completes at 20 (wrap-up to 30).
    r.complete("c2", 20.0, Vec::new()).unwrap();
    let ev = r.submit(&contact("c3", "voice"), 40.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::WrapUpEnded {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c2".into(),
                agent: "a".into(),
                at: 30.0
            },
            Event::Assigned {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c3".into(),
                agent: "a".into(),
                at: 40.0,
                wait: 0.0
            },
        ]
    );
    check(&r);
}

/// Preferred agent with a wait: the contact waits only for that agent until
/// the wait ends, then anyone eligible may take it.
#[test]
fn preferred_agent_with_wait() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 1.0, Vec::new()).unwrap();
    assert_eq!(one_assigned(&r.submit(&contact("c0", "voice"), 2.0, Vec::new()).unwrap()), "a");
    // c1 prefers a (busy), waits up to 30 s: b is free but must not take it.
    let mut c1 = contact("c1", "voice");
    c1.preferred_agent = Some("a".into());
    c1.preferred_wait = 30.0;
    assert!(r.submit(&c1, 5.0, Vec::new()).unwrap().is_empty());
    check(&r);
    // Another contact without preference arriving meanwhile goes to b.
    assert_eq!(one_assigned(&r.submit(&contact("c2", "voice"), 6.0, Vec::new()).unwrap()), "b");
    // a frees at 20 (< 35): takes c1, wait 15.
    let ev = r.complete("c0", 20.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c1", "a")]));
    r.complete("c2", 21.0, Vec::new()).unwrap(); // b free
                                                 // c3 prefers a (busy with c1) for 30 s from 25; b free. At 55 the wait
                                                 // ends and b takes it.
    let mut c3 = contact("c3", "voice");
    c3.preferred_agent = Some("a".into());
    c3.preferred_wait = 30.0;
    assert!(r.submit(&c3, 25.0, Vec::new()).unwrap().is_empty());
    assert!(r.advance(54.0, Vec::new()).unwrap().is_empty());
    assert_eq!(
        r.advance(56.0, Vec::new()).unwrap(),
        vec![Event::Assigned {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c3".into(),
            agent: "b".into(),
            at: 55.0,
            wait: 30.0
        }]
    );
    check(&r);
    // Preferred agent free: goes to it at once even if another agent is idle longer.
    r.complete("c1", 60.0, Vec::new()).unwrap(); // a idle since 60, b busy with c3
    r.complete("c3", 61.0, Vec::new()).unwrap(); // b idle since 61
    let mut c4 = contact("c4", "voice");
    c4.preferred_agent = Some("b".into());
    assert_eq!(one_assigned(&r.submit(&c4, 62.0, Vec::new()).unwrap()), "b");
    // Preferred agent busy and no wait: anyone.
    let mut c5 = contact("c5", "voice");
    c5.preferred_agent = Some("b".into());
    assert_eq!(one_assigned(&r.submit(&c5, 63.0, Vec::new()).unwrap()), "a");
    check(&r);
}

/// Last-agent affinity: a returning customer goes to their last agent when
/// eligible and free; with affinity_wait they wait for that agent.
#[test]
fn last_agent_affinity() {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.affinity_wait = 20.0;
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 1.0, Vec::new()).unwrap();
    let with_customer = |id: &str, ch: &str| {
        let mut c = contact(id, ch);
        c.customer = Some("cust".into());
        c
    };
    // First contact: longest idle a.
    assert_eq!(
        one_assigned(&r.submit(&with_customer("k1", "voice"), 2.0, Vec::new()).unwrap()),
        "a"
    );
    r.complete("k1", 3.0, Vec::new()).unwrap(); // a idle since 3, b since 1
                                                // Returning on another channel: to a although b is idle longer.
    assert_eq!(
        one_assigned(&r.submit(&with_customer("k2", "chat"), 4.0, Vec::new()).unwrap()),
        "a"
    );
    // a now holds a chat: a voice contact for the customer cannot go to a
    // (no room): it waits for a up to 20 s (b free but not used).
    assert!(r.submit(&with_customer("k3", "voice"), 5.0, Vec::new()).unwrap().is_empty());
    check(&r);
    // a frees at 10: takes k3 (wait 5).
    let ev = r.complete("k2", 10.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("k3", "a")]));
    // k4 while a busy: waits until 31, then b.
    assert!(r.submit(&with_customer("k4", "voice"), 11.0, Vec::new()).unwrap().is_empty());
    assert_eq!(
        r.advance(40.0, Vec::new()).unwrap(),
        vec![Event::Assigned {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "k4".into(),
            agent: "b".into(),
            at: 31.0,
            wait: 20.0
        }]
    );
    check(&r);
    // The last agent is now b: after b completes, a new contact goes to b.
    // a frees first (idle since 41), b at 42: longest idle would pick a,
    // affinity picks b.
    r.complete("k3", 41.0, Vec::new()).unwrap();
    r.complete("k4", 42.0, Vec::new()).unwrap();
    assert_eq!(
        one_assigned(&r.submit(&with_customer("k5", "voice"), 43.0, Vec::new()).unwrap()),
        "b"
    );
}

/// Affinity without a wait: if the last agent is busy, anyone eligible.
#[test]
fn affinity_without_wait_falls_back_at_once() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 1.0, Vec::new()).unwrap();
    let mut c = contact("k1", "voice");
    c.customer = Some("cust".into());
    assert_eq!(one_assigned(&r.submit(&c, 2.0, Vec::new()).unwrap()), "a");
    let mut c = contact("k2", "voice");
    c.customer = Some("cust".into());
    assert_eq!(one_assigned(&r.submit(&c, 3.0, Vec::new()).unwrap()), "b");
    check(&r);
    // With affinity switched off, the policy alone decides.
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.affinity = false;
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 1.0, Vec::new()).unwrap();
    let mut c = contact("k1", "voice");
    c.customer = Some("cust".into());
    assert_eq!(one_assigned(&r.submit(&c, 2.0, Vec::new()).unwrap()), "a");
    r.complete("k1", 3.0, Vec::new()).unwrap(); // a idle since 3, b since 1
    let mut c = contact("k2", "voice");
    c.customer = Some("cust".into());
    assert_eq!(one_assigned(&r.submit(&c, 4.0, Vec::new()).unwrap()), "b");
}
