//! Bad calls on agents and contacts that exist (lifecycle calls refused
//! for their state, checked at `now` after the timers due by then), and a
//! forced assignment's limits. Apart from `errors` because these cases are
//! about the order of a call and the timers, not about a bad record; they
//! use its two routers and its router-left-unchanged check.

use super::errors::{auto_router, expect_error, offer_router, Call};
use super::*;
use router_core::{ContactStatus, ErrorKind, Event, PolicyKind, QueueConfig};

#[test]
fn bad_lifecycle_calls_are_refused_and_change_nothing() {
    use ErrorKind::*;
    let cases: Vec<(&str, Call, ErrorKind, Vec<&str>)> = vec![
        (
            "complete waiting",
            Box::new(|r| r.complete("c_waiting", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_waiting\"", "waiting"],
        ),
        (
            "complete unknown",
            Box::new(|r| r.complete("ghost", 5.0, Vec::new())),
            UnknownId,
            vec!["\"ghost\""],
        ),
        (
            "complete ended",
            Box::new(|r| r.complete("c_done", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_done\"", "completed"],
        ),
        (
            "complete backwards",
            Box::new(|r| r.complete("c_assigned", 3.0, Vec::new())),
            InvalidInput,
            vec!["3"],
        ),
        (
            "cancel assigned",
            Box::new(|r| r.cancel("c_assigned", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_assigned\"", "\"a1\""],
        ),
        (
            "cancel ended",
            Box::new(|r| r.cancel("c_done", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_done\""],
        ),
        (
            "cancel unknown",
            Box::new(|r| r.cancel("ghost", 5.0, Vec::new())),
            UnknownId,
            vec!["\"ghost\""],
        ),
        (
            "accept never offered",
            Box::new(|r| r.accept("c_waiting", "a1", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_waiting\"", "\"a1\""],
        ),
        (
            "accept assigned",
            Box::new(|r| r.accept("c_assigned", "a1", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_assigned\"", "assigned"],
        ),
        (
            "accept unknown contact",
            Box::new(|r| r.accept("ghost", "a1", 5.0, Vec::new())),
            UnknownId,
            vec!["\"ghost\""],
        ),
        (
            "accept unknown agent",
            Box::new(|r| r.accept("c_waiting", "ghost", 5.0, Vec::new())),
            UnknownId,
            vec!["\"ghost\""],
        ),
        (
            "reject never offered",
            Box::new(|r| r.reject("c_waiting", "a2", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_waiting\"", "\"a2\""],
        ),
        (
            "reject ended",
            Box::new(|r| r.reject("c_done", "a2", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_done\""],
        ),
        (
            "force onto a full agent",
            Box::new(|r| r.force_assign("c_waiting", "a1", 5.0, Vec::new())),
            Capacity,
            vec!["\"a1\"", "\"c_waiting\""],
        ),
        (
            "force an assigned contact",
            Box::new(|r| r.force_assign("c_assigned", "a2", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_assigned\""],
        ),
        (
            "force onto unknown agent",
            Box::new(|r| r.force_assign("c_waiting", "ghost", 5.0, Vec::new())),
            UnknownId,
            vec!["\"ghost\""],
        ),
        (
            "complete waiting later",
            Box::new(|r| r.complete("c_waiting", 9.0, Vec::new())),
            InvalidState,
            vec!["\"c_waiting\""],
        ),
        (
            "cancel assigned later",
            Box::new(|r| r.cancel("c_assigned", 9.0, Vec::new())),
            InvalidState,
            vec!["\"c_assigned\""],
        ),
        (
            "accept never offered later",
            Box::new(|r| r.accept("c_waiting", "a1", 9.0, Vec::new())),
            InvalidState,
            vec!["\"c_waiting\""],
        ),
    ];
    for (name, call, kind, needles) in cases {
        expect_error(auto_router, name, call, kind, &needles);
    }
    let cases: Vec<(&str, Call, ErrorKind, Vec<&str>)> = vec![
        (
            "accept offered to another",
            Box::new(|r| r.accept("c_off", "o2", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_off\"", "\"o2\"", "\"o1\""],
        ),
        (
            "reject offered to another",
            Box::new(|r| r.reject("c_off", "o2", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_off\"", "\"o2\""],
        ),
        (
            "accept twice",
            Box::new(|r| r.accept("c_assigned", "o2", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_assigned\""],
        ),
        (
            "accept waiting",
            Box::new(|r| r.accept("c_wait2", "o1", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_wait2\"", "waiting"],
        ),
        (
            "complete offered",
            Box::new(|r| r.complete("c_off", 5.0, Vec::new())),
            InvalidState,
            vec!["\"c_off\"", "offered"],
        ),
        (
            "remove holding accepted",
            Box::new(|r| r.remove_agent("o2", 5.0, Vec::new())),
            InvalidState,
            vec!["\"o2\""],
        ),
        (
            "accept backwards",
            Box::new(|r| r.accept("c_off", "o1", 4.0, Vec::new())),
            InvalidInput,
            vec!["4"],
        ),
    ];
    for (name, call, kind, needles) in cases {
        expect_error(offer_router, name, call, kind, &needles);
    }
}

/// A failed call that fired due timers: their effects stand and their
/// events come with the next call, in order.
#[test]
fn timers_fired_by_a_failed_call_are_delivered_by_the_next() {
    let mut r = auto_router();
    // c_waiting relaxes to tech 5 at 102; a1 will be free by then.
    r.complete("c_assigned", 50.0, Vec::new()).unwrap();
    // At 150 a submit into the full vip queue fails after the timer fired.
    let err = r
        .submit(
            &ContactSpec::new("new", "chat", "vip").requiring(&[("golf", 1)]),
            150.0,
            Vec::new(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::QueueFull);
    assert_eq!(status(&r, "c_waiting"), ContactStatus::Assigned);
    check(&r);
    let ev = r.advance(150.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::StepAdvanced {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c_waiting".into(),
                step: 0,
                at: 102.0
            },
            Event::Assigned {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c_waiting".into(),
                agent: "a1".into(),
                at: 102.0,
                wait: 100.0
            },
        ]
    );
}

/// Wrap-up voice router: agent a in wrap-up until 11, c2 waiting.
fn wrapping_router() -> Router {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.channels[0].wrap_up = 10.0;
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
    r.complete("c1", 1.0, Vec::new()).unwrap();
    r.submit(&contact("c2", "voice"), 2.0, Vec::new()).unwrap();
    check(&r);
    r
}

/// State checks are made at `now`, after the timers due by then: at 20 the
/// wrap-up has ended (11) and a holds c2, so a cannot be removed.
#[test]
fn remove_agent_checks_what_it_holds_after_timers() {
    let mut r = wrapping_router();
    let err = r.remove_agent("a", 20.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState, "{err}");
    assert!(err.message().contains("c2"), "{err}");
    check(&r);
    assert_eq!(status(&r, "c2"), ContactStatus::Assigned);
    assert_eq!(
        r.advance(21.0, Vec::new()).unwrap(),
        vec![
            Event::WrapUpEnded {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "a".into(),
                at: 11.0
            },
            Event::Assigned {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c2".into(),
                agent: "a".into(),
                at: 11.0,
                wait: 9.0
            },
        ]
    );
}

/// At 20 c2 is assigned (since 11): cancel must refuse, not abandon it.
#[test]
fn cancel_checks_status_after_timers() {
    let mut r = wrapping_router();
    let err = r.cancel("c2", 20.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState, "{err}");
    check(&r);
    assert_eq!(status(&r, "c2"), ContactStatus::Assigned);
    let s = &r.stats()[0];
    assert_eq!((s.counters.answered, s.counters.abandoned), (2, 0));
    assert_eq!(r.agent_view("a").unwrap().contacts, vec!["c2"]);
}

/// At 20 c2 is assigned (since 11): complete succeeds.
#[test]
fn complete_checks_status_after_timers() {
    let mut r = wrapping_router();
    let ev = r.complete("c2", 20.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![
            Event::WrapUpEnded {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c1".into(),
                agent: "a".into(),
                at: 11.0
            },
            Event::Assigned {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c2".into(),
                agent: "a".into(),
                at: 11.0,
                wait: 9.0
            },
            Event::Completed {
                queue: "general".into(),
                channel: "voice".into(),
                contact: "c2".into(),
                agent: "a".into(),
                at: 20.0
            },
        ]
    );
    check(&r);
}

/// A forced assignment bypasses skills and policy but not capacity: c_vip
/// (golf, which nobody has) goes to a2 on request, then a2 is full.
#[test]
fn force_assign_places_a_waiting_contact() {
    let mut r = auto_router();
    let ev = r.force_assign("c_vip", "a2", 6.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Assigned {
            queue: "vip".into(),
            channel: "voice".into(),
            contact: "c_vip".into(),
            agent: "a2".into(),
            at: 6.0,
            wait: 3.0
        }]
    );
    assert_eq!(r.agent_view("a2").unwrap().contacts, vec!["c_vip"]);
    assert_eq!(r.queue_stats("vip").unwrap().waiting, 0);
    check(&r);
    let err = r.force_assign("c_waiting", "a2", 7.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Capacity, "{err}");
    check(&r);
}
