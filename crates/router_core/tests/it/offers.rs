//! Offer mode: offers, accept, reject, timeout, withdrawal.

use super::*;
use router_core::{AgentState, ContactStatus, Event, PolicyKind, QueueConfig};

fn offer_router(timeout: f64) -> Router {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.offer_timeout = Some(timeout);
    Router::new(cfg).unwrap()
}

/// An offer router where a missed offer leaves the agent available and
/// exclusions are for good.
fn strict_exclusion_router(timeout: f64) -> Router {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.offer_timeout = Some(timeout);
    cfg.missed_offer_state = AgentState::Available;
    cfg.exclusion_expires_after = None;
    Router::new(cfg).unwrap()
}

/// Offer, accept (wait measured to acceptance), reject (back to the queue,
/// that agent excluded), timeout (the same).
#[test]
fn offer_accept_reject_and_expire() {
    let mut r = strict_exclusion_router(15.0);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 1.0, Vec::new()).unwrap();
    // c1 at 10 -> offered to a (idle longest), expires at 25.
    let ev = r.submit(&contact("c1", "voice"), 10.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Offered {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c1".into(),
            agent: "a".into(),
            at: 10.0,
            expires: 25.0
        }]
    );
    assert_eq!(status(&r, "c1"), ContactStatus::Offered);
    let s = &r.stats()[0];
    assert_eq!((s.waiting, s.offering, s.counters.answered), (1, 1, 0));
    assert_eq!(r.agent_view("a").unwrap().used, 100);
    check(&r);
    // Accepted at 12: answered, wait 2 (to acceptance, not to the offer).
    let ev = r.accept("c1", "a", 12.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Assigned {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c1".into(),
            agent: "a".into(),
            at: 12.0,
            wait: 2.0
        }]
    );
    assert_eq!(status(&r, "c1"), ContactStatus::Assigned);
    // c2 at 20 -> offered to b; b rejects at 22: back in the queue with its
    // arrival (20); a busy, b excluded -> waits.
    assert_eq!(
        offered(&r.submit(&contact("c2", "voice"), 20.0, Vec::new()).unwrap()),
        pairs(&[("c2", "b")])
    );
    let ev = r.reject("c2", "b", 22.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::OfferRejected {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c2".into(),
            agent: "b".into(),
            at: 22.0
        }]
    );
    let v = r.contact_view("c2").unwrap();
    assert_eq!((v.status, v.arrival, v.agent), (ContactStatus::Waiting, 20.0, None));
    check(&r);
    // a completes c1 at 30 -> c2 offered to a, expires 45.
    let ev = r.complete("c1", 30.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::Completed {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "a".into(),
                at: 30.0
            },
            Event::Offered {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c2".into(),
                agent: "a".into(),
                at: 30.0,
                expires: 45.0
            },
        ]
    );
    // Not accepted: expires at 45; a and b both excluded now -> waits.
    assert!(r.advance(44.0, Vec::new()).unwrap().is_empty());
    assert_eq!(
        r.advance(45.0, Vec::new()).unwrap(),
        vec![Event::OfferExpired {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c2".into(),
            agent: "a".into(),
            at: 45.0
        }]
    );
    assert_eq!(status(&r, "c2"), ContactStatus::Waiting);
    check(&r);
    // A new agent x at 50 gets the offer; accepts at 51: wait 31.
    assert_eq!(
        offered(&r.add_agent(&agent("x", &[]), 50.0, Vec::new()).unwrap()),
        pairs(&[("c2", "x")])
    );
    let ev = r.accept("c2", "x", 51.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Assigned {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c2".into(),
            agent: "x".into(),
            at: 51.0,
            wait: 31.0
        }]
    );
    let s = &r.stats()[0];
    assert_eq!((s.counters.answered, s.asa, s.waiting), (2, Some(16.5), 0));
    check(&r);
}

/// A rejected contact goes back to the front of its place (original
/// arrival); the rejecting agent takes the next contact instead.
#[test]
fn rejected_contact_keeps_its_place() {
    let mut r = offer_router(60.0);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    let mut b = agent("b", &[]);
    b.state = AgentState::Away;
    r.add_agent(&b, 0.0, Vec::new()).unwrap();
    // c1 at 0 -> offered to a; c2 at 1, c3 at 2 wait.
    assert_eq!(
        offered(&r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap()),
        pairs(&[("c1", "a")])
    );
    r.submit(&contact("c2", "voice"), 1.0, Vec::new()).unwrap();
    r.submit(&contact("c3", "voice"), 2.0, Vec::new()).unwrap();
    // a rejects c1 at 3: c1 back (nobody else free), a is offered c2 (c1 excluded).
    let ev = r.reject("c1", "a", 3.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::OfferRejected {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "a".into(),
                at: 3.0
            },
            Event::Offered {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c2".into(),
                agent: "a".into(),
                at: 3.0,
                expires: 63.0
            },
        ]
    );
    assert_eq!(r.waiting_ids("general").unwrap(), vec!["c1", "c2", "c3"]);
    check(&r);
    // b becomes available at 4: c1 (arrival 0) is first in line, before c3.
    let ev = set_state(&mut r, "b", AgentState::Available, 4.0);
    assert_eq!(offered(&ev), pairs(&[("c1", "b")]));
    check(&r);
}

/// With `exclusion_expires_after: None`, the excluded agent is never
/// offered the contact again, even when it is the only free agent; other
/// contacts still reach it.
#[test]
fn excluded_agent_is_never_offered_again() {
    let mut r = strict_exclusion_router(10.0);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
    r.reject("c1", "a", 1.0, Vec::new()).unwrap();
    // Timeout is another way to be excluded: c2 offered to a, expires at 12.
    assert_eq!(
        offered(&r.submit(&contact("c2", "voice"), 2.0, Vec::new()).unwrap()),
        pairs(&[("c2", "a")])
    );
    let ev = r.advance(100.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::OfferExpired {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c2".into(),
            agent: "a".into(),
            at: 12.0
        }]
    );
    // a is free and both wait: neither goes to a.
    assert_eq!(r.agent_view("a").unwrap().used, 0);
    assert_eq!(r.waiting_ids("general").unwrap(), vec!["c1", "c2"]);
    check(&r);
    // c3 still reaches a.
    assert_eq!(
        offered(&r.submit(&contact("c3", "voice"), 101.0, Vec::new()).unwrap()),
        pairs(&[("c3", "a")])
    );
    // A new agent takes c1 then (after c1 is accepted and done) c2.
    assert_eq!(
        offered(&r.add_agent(&agent("b", &[]), 102.0, Vec::new()).unwrap()),
        pairs(&[("c1", "b")])
    );
    check(&r);
}

/// An agent leaving `available` (or being removed) withdraws its offers:
/// Requeued, and the agent is not excluded.
#[test]
fn withdrawn_offers_are_requeued_without_exclusion() {
    let mut r = offer_router(30.0);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    let ev = set_state(&mut r, "a", AgentState::Away, 2.0);
    assert_eq!(
        ev,
        vec![Event::Requeued {
            queue: "general".into(),
            channel: "voice".into(),
            contact: "c1".into(),
            agent: "a".into(),
            at: 2.0
        }]
    );
    assert_eq!(r.agent_view("a").unwrap().used, 0);
    check(&r);
    // Not excluded: offered again when a comes back.
    let ev = set_state(&mut r, "a", AgentState::Available, 3.0);
    assert_eq!(offered(&ev), pairs(&[("c1", "a")]));
    // The old offer's timer (due at 31) is moot; the new one expires at 33.
    assert!(r.advance(32.0, Vec::new()).unwrap().is_empty());
    // Removing the agent withdraws the offer; it goes to b at once.
    r.add_agent(&agent("b", &[]), 32.25, Vec::new()).unwrap();
    let ev = r.remove_agent("a", 32.5, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::Requeued {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "a".into(),
                at: 32.5
            },
            Event::Offered {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "b".into(),
                at: 32.5,
                expires: 62.5
            },
        ]
    );
    check(&r);
}

/// Cancelling an offered contact frees the agent, who takes the next.
#[test]
fn cancel_of_offered_contact_frees_the_agent() {
    let mut r = offer_router(30.0);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    r.submit(&contact("c2", "voice"), 2.0, Vec::new()).unwrap();
    let ev = r.cancel("c1", 5.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::Abandoned {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                at: 5.0,
                wait: 4.0
            },
            Event::Offered {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c2".into(),
                agent: "a".into(),
                at: 5.0,
                expires: 35.0
            },
        ]
    );
    assert_eq!(status(&r, "c1"), ContactStatus::Abandoned);
    let s = &r.stats()[0];
    assert_eq!((s.counters.abandoned, s.waiting, s.offering), (1, 1, 1));
    check(&r);
}

/// A forced assignment connects at once in offer mode, and leaves the
/// configuration (offer mode itself) as it was.
#[test]
fn force_assign_connects_in_offer_mode_without_touching_the_configuration() {
    let mut r = offer_router(15.0);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.set_agent_state("a", AgentState::Away, "", 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    let before = r.config().clone();
    let ev = r.force_assign("c1", "a", 2.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Assigned {
            contact: "c1".into(),
            agent: "a".into(),
            queue: "general".into(),
            channel: "voice".into(),
            at: 2.0,
            wait: 1.0,
        }]
    );
    assert_eq!(status(&r, "c1"), ContactStatus::Assigned);
    assert_eq!(r.config(), &before);
    r.set_agent_state("a", AgentState::Available, "", 3.0, Vec::new()).unwrap();
    r.complete("c1", 4.0, Vec::new()).unwrap();
    let ev = r.submit(&contact("c2", "voice"), 5.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), vec!["Offered"]); // still in offer mode
}
