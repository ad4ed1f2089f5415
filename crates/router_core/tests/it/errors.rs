//! Bad input: the right ErrorKind, a message naming the bad value, and the
//! router left exactly as it was.
//!
//! Each case runs on one of two identical routers; the other is the control.
//! After the failed call both must look the same, and the same follow-up
//! calls must produce the same events on both (this also catches hidden
//! changes: the random generator, sequence numbers, held-back events).
//!
//! This file holds those two routers, the comparison, and the refused agent
//! and contact records; `errors_calls` has the refused calls on what already
//! exists and `errors_config` the refused configurations.

use super::*;
use router_core::{AgentState, ErrorKind, Event, PolicyKind, QueueConfig, Result, StepSpec};

pub(super) const IDS: &[&str] =
    &["c_assigned", "c_waiting", "c_vip", "c_done", "c_off", "c_wait2", "new", "n1", "n2"];

/// Auto-accept router at t=5 with: a1 {tech 5} holding c_assigned; a2
/// {sales 3} idle; a3 {tech 9} away; c_waiting (tech 6, relaxes at 102)
/// waiting; c_vip waiting in the full queue "vip"; c_done completed.
pub(super) fn auto_router() -> Router {
    let mut vip = QueueConfig::new("vip");
    vip.max_waiting = Some(1);
    let mut cfg = config_with(vec![QueueConfig::new("general"), vip], PolicyKind::Random);
    cfg.seed = 3;
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&agent("a1", &[("tech", 5)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("a2", &[("sales", 3)]), 0.0, Vec::new()).unwrap();
    let mut a3 = agent("a3", &[("tech", 9)]);
    a3.state = AgentState::Away;
    r.add_agent(&a3, 0.0, Vec::new()).unwrap();
    assert_eq!(
        one_assigned(
            &r.submit(&contact("c_assigned", "voice").requiring(&[("tech", 1)]), 1.0, Vec::new())
                .unwrap()
        ),
        "a1"
    );
    let mut w = contact("c_waiting", "voice").requiring(&[("tech", 6)]);
    w.steps = vec![StepSpec {
        after: 100.0,
        requires: vec![("tech".into(), 5)],
        when: None,
        ..StepSpec::default()
    }];
    assert!(r.submit(&w, 2.0, Vec::new()).unwrap().is_empty());
    assert!(r
        .submit(
            &ContactSpec::new("c_vip", "voice", "vip").requiring(&[("golf", 1)]),
            3.0,
            Vec::new()
        )
        .unwrap()
        .is_empty());
    assert_eq!(
        one_assigned(
            &r.submit(&contact("c_done", "chat").requiring(&[("sales", 1)]), 4.0, Vec::new())
                .unwrap()
        ),
        "a2"
    );
    r.complete("c_done", 5.0, Vec::new()).unwrap();
    check(&r);
    r
}

/// Offer-mode router at t=5: o1 offered c_off; o2 holds c_assigned
/// (accepted); c_wait2 waiting.
pub(super) fn offer_router() -> Router {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::Random);
    cfg.offer_timeout = Some(60.0);
    cfg.seed = 11;
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&agent("o2", &[]), 0.0, Vec::new()).unwrap();
    assert_eq!(
        offered(&r.submit(&contact("c_assigned", "voice"), 1.0, Vec::new()).unwrap()),
        pairs(&[("c_assigned", "o2")])
    );
    r.accept("c_assigned", "o2", 2.0, Vec::new()).unwrap();
    r.add_agent(&agent("o1", &[]), 3.0, Vec::new()).unwrap();
    assert_eq!(
        offered(&r.submit(&contact("c_off", "voice"), 4.0, Vec::new()).unwrap()),
        pairs(&[("c_off", "o1")])
    );
    assert!(r.submit(&contact("c_wait2", "voice"), 5.0, Vec::new()).unwrap().is_empty());
    check(&r);
    r
}

/// The same calls on both routers, events compared.
pub(super) fn follow_up(r: &mut Router) -> Vec<Result<Vec<Event>>> {
    let mut out = vec![
        r.add_agent(&agent("z", &[("tech", 9), ("golf", 2), ("sales", 9)]), 20.0, Vec::new()),
        r.submit(&contact("f1", "chat"), 21.0, Vec::new()),
        r.submit(&contact("f2", "email").requiring(&[("sales", 2)]), 22.0, Vec::new()),
        r.advance(200.0, Vec::new()),
    ];
    for id in ["c_assigned", "f1", "f2"] {
        out.push(r.complete(id, 201.0, Vec::new()));
    }
    out.push(r.advance(400.0, Vec::new()));
    out
}

pub(super) type Call = Box<dyn Fn(&mut Router) -> Result<Vec<Event>>>;

#[track_caller]
pub(super) fn expect_error(
    make: fn() -> Router,
    name: &str,
    call: Call,
    kind: ErrorKind,
    needles: &[&str],
) {
    let mut r = make();
    let mut control = make();
    let err = match call(&mut r) {
        Ok(ev) => panic!("{name}: expected {kind:?}, got Ok({ev:?})"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), kind, "{name}: {err}");
    for n in needles {
        assert!(
            err.message().contains(n),
            "{name}: message {:?} does not name {n:?}",
            err.message()
        );
    }
    assert_eq!(snapshot(&r, IDS), snapshot(&control, IDS), "{name}: router changed");
    assert_eq!(follow_up(&mut r), follow_up(&mut control), "{name}: later behaviour changed");
    check(&r);
}

fn with_skills(id: &str, skills: &[(&str, u8)]) -> AgentSpec {
    agent(id, skills)
}

#[test]
fn bad_agents_are_refused_and_change_nothing() {
    use ErrorKind::*;
    let cases: Vec<(&str, Call, ErrorKind, Vec<&str>)> = vec![
        (
            "duplicate agent",
            Box::new(|r| r.add_agent(&agent("a1", &[]), 6.0, Vec::new())),
            DuplicateId,
            vec!["\"a1\""],
        ),
        (
            "level 0",
            Box::new(|r| r.add_agent(&with_skills("n", &[("tech", 0)]), 6.0, Vec::new())),
            InvalidInput,
            vec!["level 0", "\"tech\"", "\"n\""],
        ),
        (
            "level 11",
            Box::new(|r| r.add_agent(&with_skills("n", &[("tech", 11)]), 6.0, Vec::new())),
            InvalidInput,
            vec!["level 11", "\"tech\""],
        ),
        (
            "skill twice",
            Box::new(|r| {
                r.add_agent(&with_skills("n", &[("tech", 2), ("tech", 3)]), 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["\"tech\""],
        ),
        (
            "empty skill name",
            Box::new(|r| r.add_agent(&with_skills("n", &[("", 2)]), 6.0, Vec::new())),
            InvalidInput,
            vec!["skill name"],
        ),
        (
            "empty agent id",
            Box::new(|r| r.add_agent(&agent("", &[]), 6.0, Vec::new())),
            InvalidInput,
            vec!["agent id"],
        ),
        (
            "unknown channel",
            Box::new(|r| {
                let mut a = agent("n", &[]);
                a.channels = Some(vec![("chat".into(), 2), ("fax".into(), 1)]);
                r.add_agent(&a, 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["\"fax\""],
        ),
        (
            "capacity 0",
            Box::new(|r| {
                let mut a = agent("n", &[]);
                a.capacity = 0;
                r.add_agent(&a, 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["capacity 0", "\"n\""],
        ),
        (
            "agent at negative time",
            Box::new(|r| r.add_agent(&agent("n", &[]), -1.0, Vec::new())),
            InvalidInput,
            vec!["-1"],
        ),
        (
            "agent backwards",
            Box::new(|r| r.add_agent(&agent("n", &[]), 4.5, Vec::new())),
            InvalidInput,
            vec!["4.5", "5"],
        ),
        (
            "state of unknown agent",
            Box::new(|r| r.set_agent_state("ghost", AgentState::Away, "", 6.0, Vec::new())),
            UnknownId,
            vec!["\"ghost\""],
        ),
        (
            "state NaN time",
            Box::new(|r| r.set_agent_state("a2", AgentState::Away, "", f64::NAN, Vec::new())),
            InvalidInput,
            vec!["NaN"],
        ),
        (
            "remove unknown",
            Box::new(|r| r.remove_agent("ghost", 6.0, Vec::new())),
            UnknownId,
            vec!["\"ghost\""],
        ),
        (
            "remove holding",
            Box::new(|r| r.remove_agent("a1", 5.0, Vec::new())),
            InvalidState,
            vec!["\"a1\"", "c_assigned"],
        ),
        (
            "remove holding later",
            Box::new(|r| r.remove_agent("a1", 6.0, Vec::new())),
            InvalidState,
            vec!["\"a1\"", "c_assigned"],
        ),
    ];
    for (name, call, kind, needles) in cases {
        expect_error(auto_router, name, call, kind, &needles);
    }
}

#[test]
fn bad_contacts_are_refused_and_change_nothing() {
    use ErrorKind::*;
    fn steps(list: &[(f64, &[(&str, u8)])]) -> Vec<StepSpec> {
        list.iter()
            .map(|(a, reqs)| StepSpec {
                after: *a,
                requires: reqs.iter().map(|(s, l)| (s.to_string(), *l)).collect(),
                when: None,
                ..StepSpec::default()
            })
            .collect()
    }
    let cases: Vec<(&str, Call, ErrorKind, Vec<&str>)> = vec![
        (
            "duplicate live",
            Box::new(|r| r.submit(&contact("c_waiting", "chat"), 6.0, Vec::new())),
            DuplicateId,
            vec!["\"c_waiting\""],
        ),
        (
            "duplicate ended",
            Box::new(|r| r.submit(&contact("c_done", "chat"), 6.0, Vec::new())),
            DuplicateId,
            vec!["\"c_done\""],
        ),
        (
            "empty id",
            Box::new(|r| r.submit(&contact("", "chat"), 6.0, Vec::new())),
            InvalidInput,
            vec!["contact id"],
        ),
        (
            "unknown channel",
            Box::new(|r| r.submit(&contact("new", "fax"), 6.0, Vec::new())),
            InvalidInput,
            vec!["\"fax\"", "\"new\""],
        ),
        (
            "unknown queue",
            Box::new(|r| r.submit(&ContactSpec::new("new", "chat", "nowhere"), 6.0, Vec::new())),
            InvalidInput,
            vec!["\"nowhere\""],
        ),
        (
            "level 11",
            Box::new(|r| {
                r.submit(&contact("new", "chat").requiring(&[("tech", 11)]), 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["level 11", "\"tech\""],
        ),
        (
            "level 0",
            Box::new(|r| {
                r.submit(&contact("new", "chat").requiring(&[("tech", 0)]), 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["level 0"],
        ),
        (
            "preferred level 0",
            Box::new(|r| {
                let mut c = contact("new", "chat");
                c.prefers = vec![("french".into(), 0)];
                r.submit(&c, 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["level 0", "\"french\""],
        ),
        (
            "step narrows level",
            Box::new(|r| {
                let mut c = contact("new", "chat").requiring(&[("tech", 5)]);
                c.steps = steps(&[(10.0, &[("tech", 6)])]);
                r.submit(&c, 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["\"tech\", 6", "do not widen"],
        ),
        (
            "step adds a skill",
            Box::new(|r| {
                let mut c = contact("new", "chat").requiring(&[("tech", 5)]);
                c.steps = steps(&[(10.0, &[("tech", 3)]), (20.0, &[("tech", 3), ("golf", 1)])]);
                r.submit(&c, 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["\"golf\"", "step 1"],
        ),
        (
            "step goes back in time",
            Box::new(|r| {
                let mut c = contact("new", "chat").requiring(&[("tech", 5)]);
                c.steps = steps(&[(10.0, &[("tech", 3)]), (7.0, &[])]);
                r.submit(&c, 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["after 7", "10"],
        ),
        (
            "step NaN",
            Box::new(|r| {
                let mut c = contact("new", "chat");
                c.steps = steps(&[(f64::NAN, &[])]);
                r.submit(&c, 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["NaN"],
        ),
        (
            "preferred wait negative",
            Box::new(|r| {
                let mut c = contact("new", "chat");
                c.preferred_agent = Some("a2".into());
                c.preferred_wait = -3.0;
                r.submit(&c, 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["-3"],
        ),
        (
            "negative time",
            Box::new(|r| r.submit(&contact("new", "chat"), -1.0, Vec::new())),
            InvalidInput,
            vec!["-1"],
        ),
        (
            "NaN time",
            Box::new(|r| r.submit(&contact("new", "chat"), f64::NAN, Vec::new())),
            InvalidInput,
            vec!["NaN"],
        ),
        (
            "infinite time",
            Box::new(|r| r.submit(&contact("new", "chat"), f64::INFINITY, Vec::new())),
            InvalidInput,
            vec!["inf"],
        ),
        (
            "backwards time",
            Box::new(|r| r.submit(&contact("new", "chat"), 4.0, Vec::new())),
            InvalidInput,
            vec!["4", "5"],
        ),
        (
            "queue full",
            Box::new(|r| {
                r.submit(
                    &ContactSpec::new("new", "chat", "vip").requiring(&[("golf", 1)]),
                    5.0,
                    Vec::new(),
                )
            }),
            QueueFull,
            vec!["\"vip\"", "\"new\""],
        ),
        // Refused after the (empty) timer pass at 9: the clock stays at 5.
        (
            "queue full later",
            Box::new(|r| {
                r.submit(
                    &ContactSpec::new("new", "chat", "vip").requiring(&[("golf", 1)]),
                    9.0,
                    Vec::new(),
                )
            }),
            QueueFull,
            vec!["\"vip\""],
        ),
        (
            "batch with one bad",
            Box::new(|r| {
                let batch = [contact("n1", "chat"), contact("n2", "fax")];
                r.submit_many(&batch, 6.0, Vec::new())
            }),
            InvalidInput,
            vec!["\"fax\"", "\"n2\""],
        ),
        (
            "batch duplicate",
            Box::new(|r| {
                let batch = [contact("n1", "chat"), contact("n1", "email")];
                r.submit_many(&batch, 6.0, Vec::new())
            }),
            DuplicateId,
            vec!["\"n1\""],
        ),
        (
            "batch duplicate of live",
            Box::new(|r| {
                let batch = [contact("n1", "chat"), contact("c_vip", "email")];
                r.submit_many(&batch, 6.0, Vec::new())
            }),
            DuplicateId,
            vec!["\"c_vip\""],
        ),
        (
            "advance backwards",
            Box::new(|r| r.advance(1.0, Vec::new())),
            InvalidInput,
            vec!["1", "5"],
        ),
        ("advance NaN", Box::new(|r| r.advance(f64::NAN, Vec::new())), InvalidInput, vec!["NaN"]),
        ("advance negative", Box::new(|r| r.advance(-0.5, Vec::new())), InvalidInput, vec!["-0.5"]),
    ];
    for (name, call, kind, needles) in cases {
        expect_error(auto_router, name, call, kind, &needles);
    }
}
