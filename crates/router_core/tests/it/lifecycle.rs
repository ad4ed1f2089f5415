//! A contact's life after arrival: updates (versions, reordering, offers).

use super::*;
use router_core::{
    ContactSpec, ContactStatus, ContactUpdate, ErrorKind, Ordering, QueueConfig, StepSpec,
};

fn update() -> ContactUpdate {
    ContactUpdate::default()
}

fn waiting_order(r: &Router) -> Vec<String> {
    r.waiting_ids("general").unwrap()
}

/// Three callers wait (c1 at 0, c2 at 1, c3 at 2, priority 0). Raising c3
/// to priority 5 at 3 puts it first at once; the next free agent takes it.
#[test]
fn raising_priority_reorders_at_once() {
    let mut r = router(PolicyKind::LongestIdle);
    for (i, id) in ["c1", "c2", "c3"].iter().enumerate() {
        r.submit(&contact(id, "voice"), i as f64, Vec::new()).unwrap();
    }
    assert_eq!(waiting_order(&r), ["c1", "c2", "c3"]);
    let ev =
        r.update_contact("c3", &ContactUpdate { priority: Some(5), ..update() }, 3.0, Vec::new());
    assert_eq!(ev.unwrap(), vec![]);
    assert_eq!(waiting_order(&r), ["c3", "c1", "c2"]);
    assert_eq!(r.contact_view("c3").unwrap().version, 2);
    let ev = r.add_agent(&agent("a", &[]), 4.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c3", "a")]));
    check(&r);
}

/// An update is routed at once: c1 requires billing 8 and only a billing-5
/// agent is free; lowering the requirement to 5 assigns it in the call.
#[test]
fn lowering_requirements_assigns_in_the_call() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[("billing", 5)]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice").requiring(&[("billing", 8)]), 1.0, Vec::new()).unwrap();
    assert_eq!(status(&r, "c1"), ContactStatus::Waiting);
    let up = ContactUpdate { requires: Some(vec![("billing".into(), 5)]), ..update() };
    let ev = r.update_contact("c1", &up, 2.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c1", "a")]));
    // The wait is measured from the real arrival (1), not from the update.
    assert!(matches!(ev[0], Event::Assigned { wait, .. } if wait == 1.0));
    check(&r);
}

/// `if_version`: the first update at version 1 succeeds (now 2); a second
/// writer still at version 1 gets VersionConflict naming both versions,
/// and nothing changes.
#[test]
fn if_version_conflicts_change_nothing() {
    let mut r = router(PolicyKind::LongestIdle);
    r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
    let first = ContactUpdate { priority: Some(3), if_version: Some(1), ..update() };
    r.update_contact("c1", &first, 1.0, Vec::new()).unwrap();
    let before = r.snapshot();
    let second = ContactUpdate { priority: Some(9), if_version: Some(1), ..update() };
    let err = r.update_contact("c1", &second, 1.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::VersionConflict);
    assert!(err.message().contains("version 2") && err.message().contains("version 1"), "{err}");
    assert_eq!(r.snapshot(), before);
    assert_eq!(r.contact_view("c1").unwrap().priority, Some(3));
}

/// Bad updates name the bad value and leave the snapshot unchanged.
#[test]
fn bad_updates_are_refused_unchanged() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("busy", "voice"), 0.0, Vec::new()).unwrap();
    let mut c = contact("c1", "voice").requiring(&[("x", 9)]);
    c.steps = vec![StepSpec {
        after: 30.0,
        requires: vec![("x".into(), 5)],
        when: None,
        ..StepSpec::default()
    }];
    r.submit(&c, 0.0, Vec::new()).unwrap();
    let before = r.snapshot();
    let cases: Vec<(&str, ContactUpdate, ErrorKind, &str)> = vec![
        ("nobody", update(), ErrorKind::UnknownId, "nobody"),
        ("busy", update(), ErrorKind::InvalidState, "assigned"),
        (
            "c1",
            ContactUpdate { requires: Some(vec![("x".into(), 11)]), ..update() },
            ErrorKind::InvalidInput,
            "11",
        ),
        (
            "c1",
            ContactUpdate { age_offset: Some(f64::NAN), ..update() },
            ErrorKind::InvalidInput,
            "age_offset",
        ),
        // Wider than the remaining step (x>=5): that step would narrow the pool.
        (
            "c1",
            ContactUpdate { requires: Some(vec![("x".into(), 2)]), ..update() },
            ErrorKind::InvalidInput,
            "steps",
        ),
        (
            "c1",
            ContactUpdate {
                steps: Some(vec![StepSpec {
                    after: 5.0,
                    requires: vec![("y".into(), 1)],
                    when: None,
                    ..StepSpec::default()
                }]),
                ..update()
            },
            ErrorKind::InvalidInput,
            "y>=1",
        ),
        (
            "c1",
            ContactUpdate { if_version: Some(7), ..update() },
            ErrorKind::VersionConflict,
            "version 7",
        ),
    ];
    for (id, up, kind, names) in cases {
        let err = r.update_contact(id, &up, 1.0, Vec::new()).unwrap_err();
        assert_eq!(err.kind(), kind, "{id}: {err}");
        assert!(err.message().contains(names), "{id}: {err} should name {names}");
        assert_eq!(r.snapshot(), before, "{id}: state changed");
    }
    // New requirements with new steps are fine; steps due already apply at once.
    let up = ContactUpdate {
        requires: Some(vec![("x".into(), 2)]),
        steps: Some(vec![StepSpec {
            after: 0.5,
            requires: vec![],
            when: None,
            ..StepSpec::default()
        }]),
        ..update()
    };
    let ev = r.update_contact("c1", &up, 1.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["StepAdvanced"]);
    assert_eq!(r.contact_view("c1").unwrap().requires, vec![]);
    check(&r);
}

/// Offer mode: an update the offered agent still fits keeps the offer; one
/// it no longer fits withdraws it (`Requeued`, the agent not excluded) and
/// the contact goes to an agent who fits.
#[test]
fn an_offer_stands_only_while_its_agent_fits() {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.offer_timeout = Some(30.0);
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&agent("a", &[("fr", 3)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[("fr", 8)]), 1.0, Vec::new()).unwrap();
    let ev = r.submit(&contact("c1", "voice"), 2.0, Vec::new()).unwrap();
    assert_eq!(offered(&ev), pairs(&[("c1", "a")]));
    let ev = r
        .update_contact("c1", &ContactUpdate { priority: Some(2), ..update() }, 3.0, Vec::new())
        .unwrap();
    assert!(ev.is_empty(), "{ev:?}");
    let up = ContactUpdate { requires: Some(vec![("fr".into(), 5)]), ..update() };
    let ev = r.update_contact("c1", &up, 4.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Requeued", "Offered"]);
    assert_eq!(offered(&ev), pairs(&[("c1", "b")]));
    assert_eq!(r.agent_view("a").unwrap().used, 0);
    check(&r);
}

/// `age_offset` moves a contact's place as if it had waited that much
/// longer, but statistics keep its real wait.
#[test]
fn age_offset_moves_the_place_not_the_statistics() {
    let mut r = Router::new(config_with(
        vec![QueueConfig { ordering: Ordering::Priority, ..QueueConfig::new("general") }],
        PolicyKind::LongestIdle,
    ))
    .unwrap();
    r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c2", "voice"), 10.0, Vec::new()).unwrap();
    let up = ContactUpdate { age_offset: Some(15.0), ..update() };
    r.update_contact("c2", &up, 11.0, Vec::new()).unwrap();
    assert_eq!(waiting_order(&r), ["c2", "c1"]);
    let ev = r.add_agent(&agent("a", &[]), 12.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c2", "a")]));
    assert!(matches!(ev[0], Event::Assigned { wait, .. } if wait == 2.0));
    assert_eq!(r.stats()[0].counters.wait_sum, 2.0);
    // Back to 0: c1 (arrived 0) is ahead again of a later c3.
    r.submit(&contact("c3", "voice"), 13.0, Vec::new()).unwrap();
    let up = ContactUpdate { age_offset: Some(0.0), ..update() };
    r.update_contact("c1", &up, 14.0, Vec::new()).unwrap();
    assert_eq!(waiting_order(&r), ["c1", "c3"]);
    check(&r);
}

// -- transfers ----------------------------------------------------------------

use router_core::{TransferMode, TransferSpec};

fn to_queue(q: &str) -> TransferSpec {
    TransferSpec { queue: Some(q.into()), keep_age: true, ..TransferSpec::default() }
}

fn to_agent(a: &str) -> TransferSpec {
    TransferSpec { agent: Some(a.into()), keep_age: true, ..TransferSpec::default() }
}

fn warm(mut t: TransferSpec) -> TransferSpec {
    t.mode = TransferMode::Warm;
    t
}

/// (offered, answered, transferred_in, transferred_out, transfers_failed) of a queue.
fn transfers(r: &Router, q: &str) -> (u64, u64, u64, u64, u64) {
    let c = r.queue_stats(q).unwrap().counters;
    (c.offered, c.answered, c.transferred_in, c.transferred_out, c.transfers_failed)
}

fn offer_mode() -> Router {
    let mut cfg = config_with(
        vec![QueueConfig::new("general"), QueueConfig::new("vip")],
        PolicyKind::LongestIdle,
    );
    cfg.offer_timeout = Some(30.0);
    Router::new(cfg).unwrap()
}

/// Cold transfer to a queue: a (idle since 0) takes c1 at 1; at 10 a sends
/// it to vip. a is freed at once and, though free and eligible, is never
/// offered c1 again; c1 waits in vip until b logs in at 12 (wait 2, from
/// the transfer). general counts it answered and transferred out, vip
/// offered, answered and transferred in.
#[test]
fn cold_transfer_to_a_queue() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    let ev = r.transfer("c1", &to_queue("vip"), 10.0, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Transferred {
            contact: "c1".into(),
            from_agent: "a".into(),
            from_queue: "general".into(),
            to_queue: "vip".into(),
            to_agent: None,
            channel: "voice".into(),
            mode: TransferMode::Cold,
            at: 10.0,
        }]
    );
    assert_eq!(status(&r, "c1"), ContactStatus::Waiting);
    assert_eq!(r.agent_view("a").unwrap().used, 0);
    assert_eq!(r.contact_view("c1").unwrap().version, 2);
    check(&r);
    let ev = r.add_agent(&agent("b", &[]), 12.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c1", "b")]));
    assert!(matches!(ev[0], Event::Assigned { wait, .. } if wait == 2.0));
    assert_eq!(transfers(&r, "general"), (1, 1, 0, 1, 0));
    assert_eq!(transfers(&r, "vip"), (1, 1, 1, 0, 0));
    check(&r);
}

/// `keep_age`: a takes c1 (arrived at 0); c2 (5) and c3 (6) wait in vip.
/// At 10 a sends c1 to vip and, freed and excluded from c1, takes c2.
/// Keeping its age, c1 goes ahead of c3; without it, behind.
#[test]
fn keep_age_keeps_the_place() {
    for (keep, order) in [(true, ["c1", "c3"]), (false, ["c3", "c1"])] {
        let mut r = router(PolicyKind::LongestIdle);
        r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
        r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
        r.submit(&ContactSpec::new("c2", "voice", "vip"), 5.0, Vec::new()).unwrap();
        r.submit(&ContactSpec::new("c3", "voice", "vip"), 6.0, Vec::new()).unwrap();
        let t = TransferSpec { keep_age: keep, ..to_queue("vip") };
        let ev = r.transfer("c1", &t, 10.0, Vec::new()).unwrap();
        assert_eq!(assigned(&ev), pairs(&[("c2", "a")]));
        assert_eq!(r.waiting_ids("vip").unwrap(), order, "keep_age {keep}");
        // Its wait is measured from the transfer either way.
        assert_eq!(r.contact_view("c1").unwrap().wait, 0.0);
        check(&r);
    }
}

/// Cold transfer to a named agent: assigned to b at once; a busy named
/// agent refuses the call and nothing changes.
#[test]
fn cold_transfer_to_an_agent() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap(); // a
    r.submit(&contact("c2", "voice"), 2.0, Vec::new()).unwrap(); // b
    let before = r.snapshot();
    let err = r.transfer("c1", &to_agent("b"), 3.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert!(err.message().contains("\"b\""), "{err}");
    assert_eq!(r.snapshot(), before);
    r.complete("c2", 4.0, Vec::new()).unwrap();
    let ev = r.transfer("c1", &to_agent("b"), 5.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Transferred", "Assigned"]);
    assert!(matches!(&ev[0], Event::Transferred { to_agent: Some(b), .. } if &**b == "b"));
    assert_eq!(assigned(&ev), pairs(&[("c1", "b")]));
    // The same queue counts a second wait: offered twice, answered twice.
    assert_eq!(transfers(&r, "general"), (3, 3, 1, 1, 0));
    check(&r);
}

/// A chat escalated to voice: a transfer with a channel; the customer's
/// last agent follows the new one.
#[test]
fn a_channel_change_is_a_transfer() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    let mut c = contact("c1", "chat");
    c.customer = Some("cust".into());
    r.submit(&c, 1.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 2.0, Vec::new()).unwrap();
    let t = TransferSpec { channel: Some("voice".into()), ..to_queue("vip") };
    let ev = r.transfer("c1", &t, 3.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c1", "b")]));
    assert_eq!(r.contact_view("c1").unwrap().channel, "voice");
    let b = r.agent_view("b").unwrap();
    assert_eq!(b.channels.iter().find(|c| c.0 == "voice").unwrap().1, 1);
    r.complete("c1", 4.0, Vec::new()).unwrap();
    // Affinity: the customer's next contact goes to b, not a.
    let mut next = contact("c2", "chat");
    next.customer = Some("cust".into());
    let ev = r.submit(&next, 5.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c2", "b")]));
    check(&r);
}

/// Warm transfer to an agent who rejects: offered to b while a keeps c1
/// (both slots counted); b rejects; c1 stays with a (`TransferFailed`,
/// rejected), b is free and vip counts the failed wait.
#[test]
fn warm_transfer_rejected_stays_with_the_first_agent() {
    let mut r = offer_mode();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    r.accept("c1", "a", 2.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 3.0, Vec::new()).unwrap();
    let t = warm(TransferSpec { queue: Some("vip".into()), ..to_agent("b") });
    let ev = r.transfer("c1", &t, 4.0, Vec::new()).unwrap();
    assert_eq!(offered(&ev), pairs(&[("c1", "b")]));
    assert_eq!((r.agent_view("a").unwrap().used, r.agent_view("b").unwrap().used), (100, 100));
    check(&r);
    let ev = r.reject("c1", "b", 5.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["OfferRejected", "TransferFailed"]);
    assert!(
        matches!(&ev[1], Event::TransferFailed { reason, agent, .. } if reason == "rejected" && &**agent == "a")
    );
    let v = r.contact_view("c1").unwrap();
    assert_eq!(
        (v.status, v.agent.as_deref(), v.queue.as_str()),
        (ContactStatus::Assigned, Some("a"), "general")
    );
    assert_eq!(r.agent_view("b").unwrap().used, 0);
    assert_eq!(transfers(&r, "vip"), (1, 0, 0, 0, 1));
    check(&r);
    // a completes it as usual afterwards.
    let ev = r.complete("c1", 6.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Completed"]);
    check(&r);
}

/// Warm transfer accepted: a is freed only when b accepts.
#[test]
fn warm_transfer_hands_over_when_the_target_answers() {
    let mut r = offer_mode();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    r.accept("c1", "a", 2.0, Vec::new()).unwrap();
    r.transfer("c1", &warm(to_queue("vip")), 3.0, Vec::new()).unwrap();
    assert_eq!(status(&r, "c1"), ContactStatus::Waiting);
    r.add_agent(&agent("b", &[]), 4.0, Vec::new()).unwrap();
    let ev = r.accept("c1", "b", 5.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Assigned", "Transferred"]);
    assert!(
        matches!(&ev[1], Event::Transferred { mode: TransferMode::Warm, from_agent, .. } if &**from_agent == "a")
    );
    assert_eq!(r.agent_view("a").unwrap().used, 0);
    assert_eq!(transfers(&r, "general"), (1, 1, 0, 1, 0));
    assert_eq!(transfers(&r, "vip"), (1, 1, 1, 0, 0));
    check(&r);
}

/// Warm transfer failures at the call (named agent busy) and by the first
/// agent completing the contact while it waits in the target queue; a
/// cancel during a warm transfer is refused.
#[test]
fn warm_transfer_failures() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap(); // a
    r.submit(&contact("c2", "voice"), 2.0, Vec::new()).unwrap(); // b
    let ev = r.transfer("c1", &warm(to_agent("b")), 3.0, Vec::new()).unwrap();
    assert!(
        matches!(&ev[..], [Event::TransferFailed { reason, .. }] if reason == "agent_unavailable")
    );
    assert_eq!(status(&r, "c1"), ContactStatus::Assigned);
    let ev = r.transfer("c1", &warm(to_queue("vip")), 4.0, Vec::new()).unwrap();
    assert!(ev.is_empty());
    let before = r.snapshot();
    let err = r.cancel("c1", 5.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert_eq!(r.snapshot(), before);
    let err = r.reconfigure(r.config().clone(), &[], 5.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    let ev = r.complete("c1", 6.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["TransferFailed", "Completed"]);
    assert_eq!(transfers(&r, "vip"), (1, 0, 0, 0, 1));
    assert_eq!(r.agent_view("a").unwrap().used, 0);
    check(&r);
}

/// Bad transfers name the bad value and change nothing.
#[test]
fn bad_transfers_are_refused_unchanged() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap(); // a
    r.submit(&contact("w", "voice"), 2.0, Vec::new()).unwrap(); // waits
    let before = r.snapshot();
    let cases: Vec<(&str, TransferSpec, ErrorKind, &str)> = vec![
        ("nobody", to_queue("vip"), ErrorKind::UnknownId, "nobody"),
        ("w", to_queue("vip"), ErrorKind::InvalidState, "waiting"),
        ("c1", to_queue("nowhere"), ErrorKind::InvalidInput, "nowhere"),
        ("c1", to_agent("ghost"), ErrorKind::UnknownId, "ghost"),
        ("c1", to_agent("a"), ErrorKind::InvalidInput, "already with agent \"a\""),
        ("c1", TransferSpec::default(), ErrorKind::InvalidInput, "name a queue or an agent"),
        (
            "c1",
            TransferSpec { channel: Some("fax".into()), ..to_queue("vip") },
            ErrorKind::InvalidInput,
            "fax",
        ),
        (
            "c1",
            TransferSpec { requires: Some(vec![("x".into(), 0)]), ..to_queue("vip") },
            ErrorKind::InvalidInput,
            "level 0",
        ),
    ];
    for (id, t, kind, names) in cases {
        let err = r.transfer(id, &t, 3.0, Vec::new()).unwrap_err();
        assert_eq!(err.kind(), kind, "{id}: {err}");
        assert!(err.message().contains(names), "{id}: {err} should name {names}");
        assert_eq!(r.snapshot(), before, "{id}: state changed");
    }
    let mut full = Router::new(config_with(
        vec![
            QueueConfig::new("general"),
            QueueConfig { max_waiting: Some(0), ..QueueConfig::new("vip") },
        ],
        PolicyKind::LongestIdle,
    ))
    .unwrap();
    full.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    full.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    let before = full.snapshot();
    let err = full.transfer("c1", &to_queue("vip"), 2.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::QueueFull);
    assert_eq!(full.snapshot(), before);
    let ev = full.transfer("c1", &warm(to_queue("vip")), 2.0, Vec::new()).unwrap();
    assert!(matches!(&ev[..], [Event::TransferFailed { reason, .. }] if reason == "queue_full"));
}

// -- scheduled contacts -------------------------------------------------------

/// A follow-up submitted at 0 for 100: scheduled (not waiting, not offered)
/// while agent a is free; it enters the queue at 100 and a takes it with a
/// wait of 0. Counted offered once, from 100.
#[test]
fn a_scheduled_contact_enters_its_queue_at_its_time() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    let mut c = contact("later", "email");
    c.not_before = Some(100.0);
    assert_eq!(r.submit(&c, 0.0, Vec::new()).unwrap(), vec![]);
    let v = r.contact_view("later").unwrap();
    assert_eq!((v.status, v.wait, v.arrival), (ContactStatus::Scheduled, 0.0, 100.0));
    let s = r.queue_stats("general").unwrap();
    assert_eq!((s.waiting, s.counters.offered), (0, 0));
    assert_eq!(r.next_timer(), Some(100.0));
    assert_eq!(r.explain("later").unwrap().next_timer.unwrap().what, "enters its queue");
    check(&r);
    let ev = r.advance(99.0, Vec::new()).unwrap();
    assert!(ev.is_empty());
    // An update while scheduled changes it without routing it.
    let up = ContactUpdate { priority: Some(4), ..update() };
    assert!(r.update_contact("later", &up, 99.5, Vec::new()).unwrap().is_empty());
    let ev = r.advance(100.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("later", "a")]));
    assert!(matches!(ev[0], Event::Assigned { wait, at, .. } if wait == 0.0 && at == 100.0));
    assert_eq!(r.queue_stats("general").unwrap().counters.offered, 1);
    check(&r);
}

/// Cancelled while scheduled: it ends as `cancelled`, counted nowhere. Due
/// when its queue is full: `Refused`.
#[test]
fn a_scheduled_contact_cancelled_or_refused() {
    let mut r = Router::new(config_with(
        vec![QueueConfig { max_waiting: Some(1), ..QueueConfig::new("general") }],
        PolicyKind::LongestIdle,
    ))
    .unwrap();
    let mut c = contact("s1", "voice");
    c.not_before = Some(50.0);
    r.submit(&c, 0.0, Vec::new()).unwrap();
    assert!(r.cancel("s1", 10.0, Vec::new()).unwrap().is_empty());
    assert_eq!(status(&r, "s1"), ContactStatus::Cancelled);
    let s = r.queue_stats("general").unwrap();
    assert_eq!((s.counters.offered, s.counters.abandoned), (0, 0));
    let mut c = contact("s2", "voice");
    c.not_before = Some(60.0);
    r.submit(&c, 10.0, Vec::new()).unwrap(); // scheduled: not refused though the queue will be full
    r.submit(&contact("w", "voice"), 20.0, Vec::new()).unwrap(); // fills the queue
    let ev = r.advance(60.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Refused"]);
    assert_eq!(r.queue_stats("general").unwrap().counters.refused, 1);
    check(&r);
    // A template carries no not_before; a negative one is refused.
    let mut t = contact("tpl", "voice");
    t.not_before = Some(5.0);
    let err = r.compile_template(&t).unwrap_err();
    assert!(err.message().contains("not_before"), "{err}");
    let before = r.snapshot();
    let mut bad = contact("neg", "voice");
    bad.not_before = Some(-1.0);
    let err = r.submit(&bad, 61.0, Vec::new()).unwrap_err();
    assert!(err.message().contains("not_before") && err.message().contains("-1"), "{err}");
    assert_eq!(r.snapshot(), before);
}

// -- callbacks ----------------------------------------------------------------

use router_core::{Callback, CallbackOutcome};

fn callback(id: &str, attempts: u32, retry_after: f64) -> ContactSpec {
    let mut c = contact(id, "voice");
    c.callback = Some(Callback { number_of_attempts: attempts, retry_after, not_before: None });
    c
}

/// The callback keeps its place: live c1 (0), callback cb (1), live c3 (2)
/// wait while a is busy. a takes c1, then places cb's call (attempt 1, no
/// answer at 25: a is free and takes c3; cb is back in its place, released
/// at 325), then at 400, free again, calls cb (attempt 2), answered at 410:
/// connected with a wait of 409 (from its arrival).
#[test]
fn a_callback_keeps_its_place_behind_older_and_ahead_of_newer_callers() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("busy", "voice"), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
    r.submit(&callback("cb", 3, 300.0), 1.0, Vec::new()).unwrap();
    r.submit(&contact("c3", "voice"), 2.0, Vec::new()).unwrap();
    assert_eq!(waiting_order(&r), ["c1", "cb", "c3"]);
    let ev = r.complete("busy", 10.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c1", "a")]));
    let ev = r.complete("c1", 20.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Completed", "CallbackOffered"]);
    assert!(matches!(&ev[1], Event::CallbackOffered { attempt: 1, agent, .. } if &**agent == "a"));
    assert_eq!(status(&r, "cb"), ContactStatus::Calling);
    let s = r.queue_stats("general").unwrap();
    assert_eq!((s.waiting, s.counters.answered, s.counters.callback_calls), (2, 2, 1));
    check(&r);
    let ev = r.callback_result("cb", CallbackOutcome::NoAnswer, 25.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c3", "a")]));
    assert_eq!(status(&r, "cb"), ContactStatus::Waiting);
    assert_eq!(r.explain("cb").unwrap().next_timer.unwrap().at, 325.0);
    check(&r);
    r.submit(&contact("c4", "voice"), 30.0, Vec::new()).unwrap();
    // Released at 325 in its original place: ahead of c4.
    r.advance(325.0, Vec::new()).unwrap();
    assert_eq!(waiting_order(&r), ["cb", "c4"]);
    let ev = r.complete("c3", 400.0, Vec::new()).unwrap();
    assert!(matches!(&ev[1], Event::CallbackOffered { attempt: 2, .. }), "{ev:?}");
    let ev = r.callback_result("cb", CallbackOutcome::Answered, 410.0, Vec::new()).unwrap();
    assert!(matches!(&ev[..], [Event::Assigned { wait, .. }] if *wait == 409.0), "{ev:?}");
    assert_eq!(status(&r, "cb"), ContactStatus::Assigned);
    r.complete("cb", 500.0, Vec::new()).unwrap();
    check(&r);
}

/// The calls run out: `CallbackFailed`, the contact ends (abandoned status,
/// counted as a failed callback, not as an abandon).
#[test]
fn a_callback_fails_when_its_calls_run_out() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    let ev = r.submit(&callback("cb", 2, 0.0), 1.0, Vec::new()).unwrap();
    assert!(matches!(&ev[..], [Event::CallbackOffered { attempt: 1, .. }]));
    // retry_after 0: back at once, and a (free again) calls again.
    let ev = r.callback_result("cb", CallbackOutcome::Busy, 2.0, Vec::new()).unwrap();
    assert!(matches!(&ev[..], [Event::CallbackOffered { attempt: 2, .. }]), "{ev:?}");
    let ev = r.callback_result("cb", CallbackOutcome::NoAnswer, 3.0, Vec::new()).unwrap();
    assert!(matches!(&ev[..], [Event::CallbackFailed { attempts: 2, .. }]), "{ev:?}");
    assert_eq!(status(&r, "cb"), ContactStatus::Abandoned);
    let c = r.queue_stats("general").unwrap().counters;
    assert_eq!(
        (c.offered, c.answered, c.abandoned, c.callbacks_failed, c.callback_calls),
        (1, 0, 0, 1, 2)
    );
    assert_eq!(r.agent_view("a").unwrap().used, 0);
    check(&r);
}

/// `callbacks_per_free_agent` 0.5 with two free agents: one callback is
/// called, the second waits (one callback for two free-or-calling agents),
/// and a live caller arriving goes to the other agent at once.
#[test]
fn callbacks_never_starve_live_callers() {
    let mut r = Router::new(config_with(
        vec![QueueConfig { callbacks_per_free_agent: 0.5, ..QueueConfig::new("general") }],
        PolicyKind::LongestIdle,
    ))
    .unwrap();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 0.0, Vec::new()).unwrap();
    let ev = r.submit(&callback("cb1", 3, 60.0), 1.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["CallbackOffered"]);
    let ev = r.submit(&callback("cb2", 3, 60.0), 2.0, Vec::new()).unwrap();
    assert!(ev.is_empty(), "{ev:?}");
    assert_eq!(status(&r, "cb2"), ContactStatus::Waiting);
    check(&r);
    let ev = r.submit(&contact("live", "voice"), 3.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("live", "b")]));
    // cb1 answered: a is on it; a free agent again later releases cb2.
    r.callback_result("cb1", CallbackOutcome::Answered, 4.0, Vec::new()).unwrap();
    let ev = r.complete("live", 5.0, Vec::new()).unwrap();
    assert!(
        matches!(&ev[1..], [Event::CallbackOffered { contact, .. }] if &**contact == "cb2"),
        "{ev:?}"
    );
    check(&r);
}

/// A waiting caller chooses a callback: it keeps its place; the update is
/// refused for a callback or an assigned contact, and the bad inputs name
/// their value.
#[test]
fn converting_to_a_callback_and_bad_callbacks() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("busy", "voice"), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    r.submit(&contact("c2", "voice"), 2.0, Vec::new()).unwrap();
    let up = ContactUpdate { callback: Some(Callback::default()), ..update() };
    r.update_contact("c1", &up, 3.0, Vec::new()).unwrap();
    assert_eq!(waiting_order(&r), ["c1", "c2"]);
    check(&r);
    let before = r.snapshot();
    for (id, up, kind, names) in [
        (
            "c1",
            ContactUpdate { callback: Some(Callback::default()), ..update() },
            ErrorKind::InvalidState,
            "already a callback",
        ),
        (
            "busy",
            ContactUpdate { callback: Some(Callback::default()), ..update() },
            ErrorKind::InvalidState,
            "assigned",
        ),
        (
            "c2",
            ContactUpdate {
                callback: Some(Callback { number_of_attempts: 0, ..Callback::default() }),
                ..update()
            },
            ErrorKind::InvalidInput,
            "number_of_attempts 0",
        ),
        (
            "c2",
            ContactUpdate {
                callback: Some(Callback { retry_after: f64::NAN, ..Callback::default() }),
                ..update()
            },
            ErrorKind::InvalidInput,
            "retry_after",
        ),
    ] {
        let err = r.update_contact(id, &up, 4.0, Vec::new()).unwrap_err();
        assert_eq!(err.kind(), kind, "{id}: {err}");
        assert!(err.message().contains(names), "{id}: {err} should name {names}");
        assert_eq!(r.snapshot(), before);
    }
    let err = r.callback_result("c2", CallbackOutcome::Answered, 4.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert!(err.message().contains("waiting"), "{err}");
    assert_eq!(r.snapshot(), before);
    assert!(CallbackOutcome::parse("maybe").unwrap_err().message().contains("maybe"));
    // A callback not before 100 keeps its place but is not called before.
    let mut later = callback("later", 3, 60.0);
    later.callback.as_mut().unwrap().not_before = Some(100.0);
    r.submit(&later, 5.0, Vec::new()).unwrap();
    let ev = r.complete("busy", 6.0, Vec::new()).unwrap();
    assert!(matches!(&ev[1], Event::CallbackOffered { contact, .. } if &**contact == "c1"));
    let ev = r.callback_result("c1", CallbackOutcome::Answered, 7.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Assigned"]);
    let ev = r.complete("c1", 8.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c2", "a")]), "'later' is not due before 100");
    // The customer hangs up while being called: abandoned, the agent free.
    r.complete("c2", 120.0, Vec::new()).unwrap();
    assert_eq!(status(&r, "later"), ContactStatus::Calling);
    r.cancel("later", 121.0, Vec::new()).unwrap();
    assert_eq!(r.agent_view("a").unwrap().used, 0);
    check(&r);
}

// -- corners found in review --------------------------------------------------

/// Checks the invariants and that the router's snapshot restores.
fn sound(r: &Router) {
    check(r);
    if let Err(e) = Router::restore(&r.snapshot()) {
        panic!("snapshot does not restore: {e}");
    }
}

/// A contact in a warm transfer waits in vip while its first agent a still
/// holds it: a forced assignment to a is refused (a holds it already), and
/// nothing changes.
#[test]
fn force_assign_to_the_warm_transfers_first_agent_is_refused() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "chat"), 1.0, Vec::new()).unwrap();
    r.transfer("c1", &warm(to_queue("vip")), 2.0, Vec::new()).unwrap();
    assert_eq!(status(&r, "c1"), ContactStatus::Waiting);
    let before = r.snapshot();
    let err = r.force_assign("c1", "a", 3.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert!(err.to_string().contains("warm transfer"), "{err}");
    assert_eq!(r.snapshot(), before);
    sound(&r);
}

/// A callback parked until 3600 and placed early by a forced assignment is
/// no longer parked; its release timer does nothing.
#[test]
fn a_parked_callback_placed_early_is_not_parked() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    let mut cb = callback("cb", 2, 60.0);
    cb.callback.as_mut().unwrap().not_before = Some(3600.0);
    r.submit(&cb, 1.0, Vec::new()).unwrap();
    r.force_assign("cb", "a", 2.0, Vec::new()).unwrap();
    assert_eq!(status(&r, "cb"), ContactStatus::Calling);
    sound(&r);
    r.advance(4000.0, Vec::new()).unwrap();
    assert_eq!(status(&r, "cb"), ContactStatus::Calling);
    sound(&r);
}

/// c1 waits for its preferred agent a (away); made a callback parked until
/// 30, it waits for nobody in particular: a can leave, and at 30 the
/// callback goes to b.
#[test]
fn a_pinned_caller_made_a_parked_callback_waits_for_nobody() {
    let mut r = router(PolicyKind::LongestIdle);
    let mut a = agent("a", &[]);
    a.state = AgentState::Away;
    r.add_agent(&a, 0.0, Vec::new()).unwrap();
    let mut c = contact("c1", "voice");
    c.preferred_agent = Some("a".into());
    c.preferred_wait = 60.0;
    r.submit(&c, 1.0, Vec::new()).unwrap();
    let cb = Callback { number_of_attempts: 1, retry_after: 10.0, not_before: Some(30.0) };
    r.update_contact("c1", &ContactUpdate { callback: Some(cb), ..update() }, 5.0, Vec::new())
        .unwrap();
    sound(&r);
    r.remove_agent("a", 20.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 21.0, Vec::new()).unwrap();
    let ev = r.advance(30.0, Vec::new()).unwrap();
    assert!(
        ev.iter().any(|e| matches!(e, Event::CallbackOffered { agent, .. } if &**agent == "b")),
        "{ev:?}"
    );
    sound(&r);
}

/// A scheduled contact of a queue removed by a reconfiguration moves to
/// the target and still enters it at its time.
#[test]
fn a_scheduled_contact_of_a_removed_queue_moves_and_keeps_its_time() {
    let mut r = router(PolicyKind::LongestIdle);
    let mut c = contact("later", "voice");
    c.not_before = Some(600.0);
    r.submit(&c, 1.0, Vec::new()).unwrap();
    let cfg = config_with(vec![QueueConfig::new("vip")], PolicyKind::LongestIdle);
    r.reconfigure(cfg, &[("general".into(), "vip".into())], 2.0, Vec::new()).unwrap();
    assert_eq!(status(&r, "later"), ContactStatus::Scheduled);
    sound(&r);
    r.add_agent(&agent("a", &[]), 3.0, Vec::new()).unwrap();
    let ev = r.advance(600.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("later", "a")]));
    sound(&r);
}
