//! Statistics: counters, service level, ASA, longest wait, agents by state.

use super::*;
use router_core::{AgentState, ContactStatus, Event, PolicyKind, QueueConfig};

fn balanced(r: &Router) {
    for s in r.stats() {
        let c = &s.counters;
        assert_eq!(
            c.offered,
            c.answered + c.abandoned + c.overflowed_out + s.waiting as u64,
            "queue {} does not add up: {s:?}",
            s.name
        );
    }
}

/// Worked example, queue "general" with an 80/20 objective:
///   c1 t=0  answered at 10 (wait 10, within 20)
///   c2 t=0  answered at 30 (wait 30, not within)
///   c3 t=5  abandoned at 15 (wait 10)
///   c4 t=40 still waiting at 50 (wait 10)
/// offered 4 = answered 2 + abandoned 1 + waiting 1;
/// service level = 1 / (2 + 1); ASA = (10 + 30) / 2 = 20;
/// abandon rate 1/3; longest wait 10.
#[test]
fn queue_figures_worked_example() {
    let mut r = router(PolicyKind::LongestIdle);
    r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c2", "voice"), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c3", "voice"), 5.0, Vec::new()).unwrap();
    assert_eq!(r.stats()[0].longest_wait, 5.0);
    assert_eq!(r.stats()[0].service_level, None);
    assert_eq!(r.stats()[0].asa, None);
    assert_eq!(
        assigned(&r.add_agent(&agent("a1", &[]), 10.0, Vec::new()).unwrap()),
        pairs(&[("c1", "a1")])
    );
    let ev = r.cancel("c3", 15.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Abandoned {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c3".into(),
            at: 15.0,
            wait: 10.0
        }]
    );
    assert_eq!(
        assigned(&r.add_agent(&agent("a2", &[]), 30.0, Vec::new()).unwrap()),
        pairs(&[("c2", "a2")])
    );
    r.submit(&contact("c4", "voice"), 40.0, Vec::new()).unwrap();
    r.advance(50.0, Vec::new()).unwrap();
    let s = r.queue_stats("general").unwrap();
    assert_eq!(s.counters.offered, 4);
    assert_eq!((s.counters.answered, s.counters.answered_in_sl), (2, 1));
    assert_eq!((s.counters.abandoned, s.counters.abandoned_in_sl), (1, 1));
    assert_eq!(s.waiting, 1);
    assert_eq!(s.service_level, Some(1.0 / 3.0));
    assert_eq!(s.asa, Some(20.0));
    assert_eq!(s.abandon_rate, Some(1.0 / 3.0));
    assert_eq!(s.longest_wait, 10.0);
    assert_eq!((s.sl_target, s.sl_threshold), (0.8, 20.0));
    // The other queue saw nothing.
    let v = r.queue_stats("vip").unwrap();
    assert_eq!((v.counters.offered, v.waiting, v.service_level, v.asa), (0, 0, None, None));
    balanced(&r);
    // Completing does not change answered; it counts completed.
    r.complete("c1", 60.0, Vec::new()).unwrap();
    let s = r.queue_stats("general").unwrap();
    assert_eq!((s.counters.answered, s.counters.completed, s.waiting), (3, 1, 0));
    // c4 answered at 60 with wait 20: within the threshold (<= 20).
    assert_eq!(s.counters.answered_in_sl, 2);
    assert_eq!(s.service_level, Some(2.0 / 4.0));
    assert_eq!(s.asa, Some(20.0)); // (10 + 30 + 20) / 3
    assert_eq!(s.longest_wait, 0.0);
    balanced(&r);
    check(&r);
    assert_eq!(r.queue_stats("nowhere").unwrap_err().kind(), router_core::ErrorKind::InvalidInput);
}

/// Agents by state: available/away/offline, and busy vs idle.
#[test]
fn agents_by_state() {
    let mut r = router(PolicyKind::LongestIdle);
    for (id, state) in [
        ("a1", AgentState::Available),
        ("a2", AgentState::Available),
        ("a3", AgentState::Away),
        ("a4", AgentState::Offline),
        ("a5", AgentState::Available),
    ] {
        let mut a = agent(id, &[]);
        a.state = state;
        r.add_agent(&a, 0.0, Vec::new()).unwrap();
    }
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap(); // a1
    r.submit(&contact("c2", "chat"), 2.0, Vec::new()).unwrap(); // a2
    let s = r.agents_by_state();
    assert_eq!(s, AgentsByState { offline: 1, available: 3, away: 1, busy: 2, idle: 1 });
    // a1 goes away while holding c1: away and busy.
    set_state(&mut r, "a1", AgentState::Away, 3.0);
    let s = r.agents_by_state();
    assert_eq!(s, AgentsByState { offline: 1, available: 2, away: 2, busy: 2, idle: 1 });
    r.complete("c2", 4.0, Vec::new()).unwrap();
    let s = r.agents_by_state();
    assert_eq!(s, AgentsByState { offline: 1, available: 2, away: 2, busy: 1, idle: 2 });
    r.remove_agent("a4", 5.0, Vec::new()).unwrap();
    assert_eq!(r.agents_by_state().offline, 0);
    assert_eq!(r.agent_ids(), vec!["a1", "a2", "a3", "a5"]);
    check(&r);
}

/// Refused contacts (batch submit into a full queue) are counted apart, not
/// offered, and leave their id free, as after a single submit to a full queue.
#[test]
fn refused_contacts_in_a_batch() {
    let mut small = QueueConfig::new("small");
    small.max_waiting = Some(2);
    let mut r = Router::new(config_with(vec![small], PolicyKind::LongestIdle)).unwrap();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    // c1 is assigned at once; c2, c3 wait (2 = max); c4 refused; c5 refused.
    let batch: Vec<_> =
        (1..=5).map(|i| ContactSpec::new(format!("c{i}"), "voice", "small")).collect();
    let ev = r.submit_many(&batch, 1.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), vec!["Assigned", "Refused", "Refused"]);
    assert_eq!(
        ev[1],
        Event::Refused {
            channel: "voice".into(),
            contact: "c4".into(),
            queue: "small".into(),
            reason: router_core::event::RefusedReason::Full,
            at: 1.0
        }
    );
    assert_eq!(r.contact_view("c5").unwrap_err().kind(), router_core::ErrorKind::UnknownId);
    let s = &r.stats()[0];
    assert_eq!((s.counters.offered, s.counters.refused, s.waiting), (3, 2, 2));
    balanced(&r);
    check(&r);
    // The id is free: once there is room, the same contact enters.
    r.complete("c1", 2.0, Vec::new()).unwrap(); // c2 is assigned; one place is free
    assert!(r
        .submit(&ContactSpec::new("c4", "voice", "small"), 3.0, Vec::new())
        .unwrap()
        .is_empty());
    assert_eq!(status(&r, "c4"), ContactStatus::Waiting);
    check(&r);
}

/// Overflow moves a contact's counts between queues; the balance holds in both.
#[test]
fn overflow_moves_statistics() {
    let mut first = QueueConfig::new("first");
    first.overflow = Some(router_core::Overflow { to: "second".into(), after: 10.0 });
    let mut r =
        Router::new(config_with(vec![first, QueueConfig::new("second")], PolicyKind::LongestIdle))
            .unwrap();
    r.submit(&ContactSpec::new("c1", "voice", "first"), 0.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("c2", "voice", "first"), 5.0, Vec::new()).unwrap();
    r.advance(12.0, Vec::new()).unwrap(); // c1 moved at 10, c2 not yet
    let s = r.stats();
    assert_eq!(
        (s[0].waiting, s[0].longest_wait, s[1].waiting, s[1].longest_wait),
        (1, 7.0, 1, 12.0)
    );
    balanced(&r);
    r.cancel("c1", 13.0, Vec::new()).unwrap(); // abandoned in second
    r.add_agent(&agent("a", &[]), 14.0, Vec::new()).unwrap(); // c2 answered in first
    let s = r.stats();
    assert_eq!(
        (s[0].counters.answered, s[0].counters.overflowed_out, s[0].counters.abandoned),
        (1, 1, 0)
    );
    assert_eq!(
        (s[1].counters.answered, s[1].counters.overflowed_in, s[1].counters.abandoned),
        (0, 1, 1)
    );
    assert_eq!(s[1].service_level, Some(0.0));
    assert_eq!(s[0].service_level, Some(1.0));
    balanced(&r);
    check(&r);
}

/// Ended contacts stay visible up to the retention limit; beyond it the
/// oldest is forgotten (look-up says unknown, and its id may be used again).
#[test]
fn retention_of_ended_contacts() {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.retain_finished = Some(2);
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    for (i, t) in [(1, 1.0), (2, 2.0), (3, 3.0)] {
        let id = format!("c{i}");
        r.submit(&contact(&id, "voice"), t, Vec::new()).unwrap();
        r.complete(&id, t + 0.5, Vec::new()).unwrap();
    }
    // c1 forgotten; c2 and c3 remembered with their agent and wait.
    assert_eq!(r.contact_view("c1").unwrap_err().kind(), router_core::ErrorKind::UnknownId);
    let v = r.contact_view("c3").unwrap();
    assert_eq!((v.status, v.agent.as_deref(), v.wait), (ContactStatus::Completed, Some("a"), 0.0));
    assert_eq!(
        r.submit(&contact("c2", "voice"), 5.0, Vec::new()).unwrap_err().kind(),
        router_core::ErrorKind::DuplicateId
    );
    assert_eq!(
        assigned(&r.submit(&contact("c1", "voice"), 5.0, Vec::new()).unwrap()),
        pairs(&[("c1", "a")])
    );
    check(&r);
}
