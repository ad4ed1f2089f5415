//! A contact's life after arrival: updates (versions, reordering, offers).

use super::*;
use router_core::{ContactStatus, ContactUpdate, ErrorKind, Ordering, StepSpec};

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
    c.steps = vec![StepSpec { after: 30.0, requires: vec![("x".into(), 5)], when: None }];
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
        steps: Some(vec![StepSpec { after: 0.5, requires: vec![], when: None }]),
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
