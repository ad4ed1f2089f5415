//! The two routing regimes: agent surplus and contact surplus.

use super::*;
use router_core::{AgentState, ContactStatus, Event, PolicyKind};

/// Agent surplus: a contact arrives while several agents are free; only
/// eligible ones count and the policy (longest idle) picks among them.
#[test]
fn agent_surplus_policy_picks_among_free_eligible_agents() {
    let mut r = router(PolicyKind::LongestIdle);
    // a0 is idle longest (t=0, id "a0" < "a1") but its sales level is too low.
    r.add_agent(&agent("a0", &[("sales", 2)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("a1", &[("sales", 5)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("a2", &[("sales", 5)]), 1.0, Vec::new()).unwrap();
    r.add_agent(&agent("a3", &[("sales", 9)]), 2.0, Vec::new()).unwrap();
    // Voice contacts requiring sales>=3, one at t=10,11,12,13.
    // c1 -> a1 (idle since 0; a0 not eligible), c2 -> a2 (idle since 1),
    // c3 -> a3 (idle since 2), c4 waits (only a0 is free, and it lacks level).
    let mut got = Vec::new();
    for (i, t) in [10.0, 11.0, 12.0, 13.0].into_iter().enumerate() {
        let c = contact(&format!("c{}", i + 1), "voice").requiring(&[("sales", 3)]);
        got.extend(assigned(&r.submit(&c, t, Vec::new()).unwrap()));
        check(&r);
    }
    assert_eq!(got, pairs(&[("c1", "a1"), ("c2", "a2"), ("c3", "a3")]));
    assert_eq!(status(&r, "c4"), ContactStatus::Waiting);
    // The Assigned event carries time and wait.
    let ev = r.add_agent(&agent("a4", &[("sales", 3)]), 20.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Assigned {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c4".into(),
            agent: "a4".into(),
            at: 20.0,
            wait: 7.0
        }]
    );
}

/// Contact surplus: an agent frees capacity and takes the waiting contact
/// with the highest effective priority, then the longest wait, across every
/// queue it can serve.
#[test]
fn contact_surplus_takes_highest_priority_then_longest_wait_across_queues() {
    let mut r = router(PolicyKind::LongestIdle);
    // No agents: everything waits.
    //   c1 general prio 0 t=0
    //   c2 vip     prio 5 t=1
    //   c3 general prio 5 t=2
    //   c4 general prio 0 t=3
    r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("c2", "voice", "vip").with_priority(5), 1.0, Vec::new()).unwrap();
    r.submit(&contact("c3", "voice").with_priority(5), 2.0, Vec::new()).unwrap();
    r.submit(&contact("c4", "voice"), 3.0, Vec::new()).unwrap();
    check(&r);
    // Expected: c2 (prio 5, t=1) before c3 (prio 5, t=2) although they are
    // in different queues; then c1 (prio 0, t=0) before c4 (prio 0, t=3).
    // Agent becomes available (added) at 10: takes c2.
    let ev = r.add_agent(&agent("a", &[]), 10.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c2", "a")]));
    // Completes at 20: Completed c2, then takes c3.
    let ev = r.complete("c2", 20.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), vec!["Completed", "Assigned"]);
    assert_eq!(assigned(&ev), pairs(&[("c3", "a")]));
    let ev = r.complete("c3", 30.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c1", "a")]));
    let ev = r.complete("c1", 40.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c4", "a")]));
    check(&r);
    let ev = r.complete("c4", 50.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), vec!["Completed"]);
    check(&r);
}

/// Contact surplus across queues and skills: the agent only considers what
/// it can serve; a higher-priority contact it cannot serve keeps waiting.
#[test]
fn contact_surplus_only_considers_contacts_the_agent_can_serve() {
    let mut r = router(PolicyKind::LongestIdle);
    //   t1 requires tech   prio 9 t=0 (general)
    //   b1 requires billing prio 1 t=1 (vip)
    //   g1 no requirement   prio 1 t=2 (general)
    r.submit(&contact("t1", "voice").requiring(&[("tech", 1)]).with_priority(9), 0.0, Vec::new())
        .unwrap();
    r.submit(
        &ContactSpec::new("b1", "voice", "vip").requiring(&[("billing", 4)]).with_priority(1),
        1.0,
        Vec::new(),
    )
    .unwrap();
    r.submit(&contact("g1", "voice").with_priority(1), 2.0, Vec::new()).unwrap();
    // Billing agent at 10: t1 not servable; b1 and g1 tie on priority, b1
    // waited longer -> b1. Then g1. Then nothing: t1 stays waiting.
    let ev = r.add_agent(&agent("bill", &[("billing", 4)]), 10.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("b1", "bill")]));
    let ev = r.complete("b1", 11.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("g1", "bill")]));
    let ev = r.complete("g1", 12.0, Vec::new()).unwrap();
    assert!(assigned(&ev).is_empty());
    assert_eq!(status(&r, "t1"), ContactStatus::Waiting);
    check(&r);
}

/// Contact surplus when an agent comes back from away.
#[test]
fn agent_becoming_available_takes_waiting_work() {
    let mut r = router(PolicyKind::LongestIdle);
    let mut spec = agent("a", &[]);
    spec.state = AgentState::Away;
    r.add_agent(&spec, 0.0, Vec::new()).unwrap();
    // Away agent receives nothing.
    assert!(r.submit(&contact("c1", "chat"), 1.0, Vec::new()).unwrap().is_empty());
    assert!(r.submit(&contact("c2", "chat"), 2.0, Vec::new()).unwrap().is_empty());
    check(&r);
    // Available at 5: takes both chats at once (room for 4), oldest first.
    let ev = set_state(&mut r, "a", AgentState::Available, 5.0);
    assert_eq!(
        ev,
        vec![
            Event::Assigned {
                queue: "general".into(),
                channel: "chat".into(),
                contact: "c1".into(),
                agent: "a".into(),
                at: 5.0,
                wait: 4.0
            },
            Event::Assigned {
                queue: "general".into(),
                channel: "chat".into(),
                contact: "c2".into(),
                agent: "a".into(),
                at: 5.0,
                wait: 3.0
            },
        ]
    );
    check(&r);
}

/// Contact surplus on any channel the agent has room on: a full chat agent
/// frees one chat slot; voice (cost 100) does not fit in the 25 units freed,
/// so it takes the lower-priority chat; voice only once every chat is done.
#[test]
fn contact_surplus_on_any_channel_with_room() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    for i in 1..=4 {
        r.submit(&contact(&format!("ch{i}"), "chat"), f64::from(i), Vec::new()).unwrap();
    }
    assert_eq!(r.agent_view("a").unwrap().used, 100);
    // Waiting: v1 voice prio 10 (t=5), ch5 chat prio 0 (t=6).
    r.submit(&contact("v1", "voice").with_priority(10), 5.0, Vec::new()).unwrap();
    r.submit(&contact("ch5", "chat"), 6.0, Vec::new()).unwrap();
    check(&r);
    // ch1 completes: 25 units free, only chat fits -> ch5.
    let ev = r.complete("ch1", 10.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("ch5", "a")]));
    // Completing ch2..ch4 leaves ch5 held: no room for voice.
    for (i, t) in [(2, 11.0), (3, 12.0), (4, 13.0)] {
        let ev = r.complete(&format!("ch{i}"), t, Vec::new()).unwrap();
        assert!(assigned(&ev).is_empty(), "{ev:?}");
    }
    // ch5 completes: all 100 units free -> v1.
    let ev = r.complete("ch5", 14.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("v1", "a")]));
    check(&r);
}

/// An agent freeing capacity takes several waiting contacts in a row until
/// full (route until nothing fits).
#[test]
fn freed_agent_fills_up_with_waiting_chats() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("v", "voice"), 0.0, Vec::new()).unwrap();
    for i in 1..=5 {
        r.submit(
            &contact(&format!("ch{i}"), "chat").with_priority(i64::from(i % 2)),
            1.0 + f64::from(i),
            Vec::new(),
        )
        .unwrap();
    }
    // Voice done at 10: chats ranked by priority then arrival:
    // ch1 (p1,t2), ch3 (p1,t4), ch5 (p1,t6), ch2 (p0,t3); ch4 (p0,t5) waits.
    let ev = r.complete("v", 10.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("ch1", "a"), ("ch3", "a"), ("ch5", "a"), ("ch2", "a")]));
    assert_eq!(status(&r, "ch4"), ContactStatus::Waiting);
    check(&r);
}
