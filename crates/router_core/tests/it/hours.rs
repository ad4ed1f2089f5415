//! Opening hours: closed actions, on-close rules, opening releases, the
//! calendar questions, snapshots and bad input.
//!
//! The router's epoch is Monday 2026-12-07 00:00 UTC, so router time is
//! seconds since that midnight: 9:00 is 32 400, 17:00 is 61 200.

use super::*;
use router_core::calendar::{Calendar, DateOverride, Day, WeeklyHours};
use router_core::event::RefusedReason;
use router_core::model::{ClosedAction, OnClose};
use router_core::{Callback, ContactStatus, ErrorKind};

const MONDAY: f64 = 1_796_601_600.0;
const H: f64 = 3600.0;

fn weekdays(tz: &str) -> Calendar {
    Calendar {
        time_zone: tz.into(),
        weekly: vec![WeeklyHours {
            days: vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri],
            open: "09:00".into(),
            close: "17:00".into(),
        }],
        overrides: vec![],
    }
}

/// Queue `sales` open 9-17 on weekdays (UTC) with the given actions, and
/// `night` always open.
fn hours_router(closed: ClosedAction, on_close: OnClose) -> Router {
    let mut sales = QueueConfig::new("sales");
    sales.hours = Some(weekdays("UTC"));
    sales.closed_action = closed;
    sales.on_close = on_close;
    let mut cfg = config_with(vec![sales, QueueConfig::new("night")], PolicyKind::LongestIdle);
    cfg.epoch = MONDAY;
    Router::new(cfg).expect("valid config")
}

fn sales(id: &str) -> ContactSpec {
    ContactSpec::new(id, "voice", "sales")
}

/// At 8:00 sales is closed and refuses: c1 gets `Refused` (closed), ends
/// refused and is counted; at 9:00 c2 is assigned to the free agent.
#[test]
fn a_closed_queue_refuses_arrivals() {
    let mut r = hours_router(ClosedAction::Refuse, OnClose::Keep);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    assert!(!r.is_open("sales", 8.0 * H).unwrap());
    let ev = r.submit(&sales("c1"), 8.0 * H, Vec::new()).unwrap();
    assert_eq!(
        ev,
        vec![Event::Refused {
            contact: "c1".into(),
            queue: "sales".into(),
            channel: "voice".into(),
            reason: RefusedReason::Closed,
            at: 8.0 * H
        }]
    );
    assert_eq!(r.contact_view("c1").unwrap().status, ContactStatus::Refused);
    let s = &r.stats()[0];
    assert_eq!((s.counters.refused_closed, s.counters.refused, s.counters.offered), (1, 0, 0));
    let ev = r.submit(&sales("c2"), 9.0 * H, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c2", "a")]));
    check(&r);
}

/// Hold: c1 arrives at 8:00 with agent a free, waits (held, not routed);
/// explain names the opening as its next timer; at 9:00 the queue opens
/// and c1 is assigned with a wait of one hour.
#[test]
fn a_held_contact_waits_for_the_opening() {
    let mut r = hours_router(ClosedAction::Hold, OnClose::Keep);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    let ev = r.submit(&sales("c1"), 8.0 * H, Vec::new()).unwrap();
    assert_eq!(ev, vec![]);
    assert_eq!(r.stats()[0].waiting, 1);
    assert_eq!(r.stats()[0].counters.held, 1);
    let x = r.explain("c1").unwrap();
    let next = x.next_timer.expect("the opening");
    assert_eq!((next.at, next.what.as_str()), (9.0 * H, "queue opens"));
    // An agent freed meanwhile does not take it either.
    r.set_agent_state("a", AgentState::Away, "", 8.5 * H, Vec::new()).unwrap();
    let ev = r.set_agent_state("a", AgentState::Available, "", 8.6 * H, Vec::new()).unwrap();
    assert_eq!(ev, vec![]);
    check(&r);
    let ev = r.advance(9.0 * H, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c1", "a")]));
    assert!(matches!(ev[0], Event::Assigned { wait, .. } if wait == H));
    check(&r);
}

/// Overflow while closed: c1 at 18:00 goes to `night` at once
/// (`Overflowed`, then `Assigned` to its agent); sales counts it offered
/// and overflowed out, night overflowed in.
#[test]
fn a_closed_queue_overflows_arrivals() {
    let mut r = hours_router(ClosedAction::Overflow("night".into()), OnClose::Keep);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    let ev = r.submit(&sales("c1"), 18.0 * H, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Overflowed", "Assigned"]);
    assert_eq!(ev[1].queue().as_str(), "night");
    let st = r.stats();
    assert_eq!((st[0].counters.offered, st[0].counters.overflowed_out), (1, 1));
    assert_eq!((st[1].counters.offered, st[1].counters.overflowed_in), (1, 1));
    check(&r);
}

/// On close, overflow: c1 and c2 wait in sales (no agent) at 16:00 and
/// 16:30; at 17:00 both move to night, oldest first, and wait there (no
/// agent); a third arrival at 17:30 is refused (the closed action).
#[test]
fn closing_moves_waiting_contacts() {
    let mut r = hours_router(ClosedAction::Refuse, OnClose::Overflow("night".into()));
    r.submit(&sales("c1"), 16.0 * H, Vec::new()).unwrap();
    r.submit(&sales("c2"), 16.5 * H, Vec::new()).unwrap();
    let ev = r.advance(17.0 * H, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Overflowed", "Overflowed"]);
    assert_eq!(ev[0].contact().as_str(), "c1");
    assert_eq!(r.waiting_ids("night").unwrap(), ["c1", "c2"]);
    let ev = r.submit(&sales("c3"), 17.5 * H, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Refused"]);
    check(&r);
}

/// On close, callback: c1 waits at 16:00; at 17:00 it becomes a callback
/// with no call before Tuesday 9:00 (`CallbackScheduled`); an agent who
/// logs in at 20:00 does not call; at Tuesday 9:00 the callback is offered
/// to the agent.
#[test]
fn closing_turns_callers_into_callbacks() {
    let cb = Callback { number_of_attempts: 2, retry_after: 600.0, not_before: None };
    let mut r = hours_router(ClosedAction::Refuse, OnClose::Callback(cb));
    r.submit(&sales("c1"), 16.0 * H, Vec::new()).unwrap();
    let ev = r.advance(17.0 * H, Vec::new()).unwrap();
    let tuesday = 24.0 * H + 9.0 * H;
    assert_eq!(
        ev,
        vec![Event::CallbackScheduled {
            contact: "c1".into(),
            queue: "sales".into(),
            channel: "voice".into(),
            not_before: Some(tuesday),
            at: 17.0 * H
        }]
    );
    let ev = r.add_agent(&agent("a", &[]), 20.0 * H, Vec::new()).unwrap();
    assert_eq!(ev, vec![]);
    check(&r);
    let ev = r.advance(tuesday, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["CallbackOffered"]);
    check(&r);
}

/// A holiday override closes Christmas day; the queue's next opening after
/// Thursday 24th 17:00 is Monday 28th 9:00 (the 26th and 27th are a
/// weekend).
#[test]
fn a_holiday_closes_the_day() {
    let mut q = QueueConfig::new("sales");
    let mut cal = weekdays("Europe/Paris");
    cal.overrides.push(DateOverride {
        date: "2026-12-25".into(),
        through: None,
        hours: vec![],
        name: "Christmas".into(),
    });
    q.hours = Some(cal);
    let mut cfg = config_with(vec![q], PolicyKind::LongestIdle);
    cfg.epoch = MONDAY;
    let r = Router::new(cfg).unwrap();
    let day = 24.0 * H;
    // Paris is UTC+1 in December: 17:00 local is 16:00 UTC.
    let thu_close = 17.0 * day + 16.0 * H;
    assert_eq!(r.next_change("sales", 17.0 * day + 12.0 * H).unwrap(), Some(thu_close));
    assert!(!r.is_open("sales", 18.0 * day + 12.0 * H).unwrap());
    assert_eq!(r.next_change("sales", thu_close).unwrap(), Some(21.0 * day + 8.0 * H));
    assert_eq!(r.next_change("night", 0.0).unwrap_err().kind(), ErrorKind::UnknownId);
}

/// A snapshot taken with a contact held and the opening pending restores
/// to the same bytes, and the restored router opens on time.
#[test]
fn hours_survive_a_snapshot() {
    let mut r = hours_router(ClosedAction::Hold, OnClose::Keep);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&sales("c1"), 8.0 * H, Vec::new()).unwrap();
    let bytes = r.snapshot();
    let mut back = Router::restore(&bytes).unwrap();
    assert_eq!(back.snapshot(), bytes);
    let ev = back.advance(9.0 * H, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c1", "a")]));
    check(&back);
}

/// Reconfiguring a queue's hours away releases the contacts it held.
#[test]
fn dropping_the_hours_releases_held_contacts() {
    let mut r = hours_router(ClosedAction::Hold, OnClose::Keep);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&sales("c1"), 8.0 * H, Vec::new()).unwrap();
    let mut cfg = r.config().clone();
    cfg.queues[0].hours = None;
    cfg.queues[0].closed_action = ClosedAction::Refuse;
    let ev = r.reconfigure(cfg, &[], 8.5 * H, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c1", "a")]));
    check(&r);
}

/// Bad hours name the value and build nothing; a bad reconfiguration
/// leaves the router's bytes unchanged.
#[test]
fn bad_hours_are_refused_by_name() {
    let bad = |f: &dyn Fn(&mut QueueConfig)| {
        let mut q = QueueConfig::new("sales");
        q.hours = Some(weekdays("UTC"));
        f(&mut q);
        let cfg = config_with(vec![q, QueueConfig::new("night")], PolicyKind::LongestIdle);
        Router::new(cfg).err().expect("refused").message().to_string()
    };
    let e = bad(&|q| q.hours.as_mut().unwrap().time_zone = "Europe/Atlantis".into());
    assert!(e.contains("queue \"sales\": hours: unknown time zone \"Europe/Atlantis\""), "{e}");
    let e = bad(&|q| {
        q.hours.as_mut().unwrap().weekly.push(WeeklyHours {
            days: vec![Day::Wed],
            open: "12:00".into(),
            close: "20:00".into(),
        })
    });
    assert!(e.contains("weekly hours overlap: wed 09:00-17:00 and wed 12:00-20:00"), "{e}");
    let e = bad(&|q| q.closed_action = ClosedAction::Overflow("nowhere".into()));
    assert!(e.contains("closed_action overflows to unknown queue \"nowhere\""), "{e}");
    let e = bad(&|q| q.on_close = OnClose::Overflow("sales".into()));
    assert!(e.contains("on_close overflows to the queue itself"), "{e}");
    let e = bad(&|q| {
        q.hours = None;
        q.closed_action = ClosedAction::Hold;
    });
    assert!(e.contains("need opening hours"), "{e}");

    let mut r = hours_router(ClosedAction::Hold, OnClose::Keep);
    r.submit(&sales("c1"), 8.0 * H, Vec::new()).unwrap();
    let before = r.snapshot();
    let mut cfg = r.config().clone();
    cfg.queues[0].hours.as_mut().unwrap().time_zone = "Nowhere/City".into();
    let err = r.reconfigure(cfg, &[], 8.0 * H, Vec::new()).unwrap_err();
    assert!(err.message().contains("Nowhere/City"), "{}", err.message());
    assert_eq!(r.snapshot(), before);
}
