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
        match Router::new(cfg) {
            Err(e) => e.message().to_string(),
            Ok(_) => panic!("accepted"),
        }
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

mod rules {
    use super::*;
    use router_core::model::{Rule, RuleAction, Trigger};

    fn rule(name: &str, trigger: Trigger, action: RuleAction) -> Rule {
        Rule { name: name.into(), trigger, action }
    }

    fn with_rules(rules: Vec<Rule>) -> Router {
        let mut q = QueueConfig::new("general");
        q.rules = rules;
        Router::new(config_with(vec![q, QueueConfig::new("backup")], PolicyKind::LongestIdle))
            .unwrap()
    }

    fn exceptions(ev: &[Event]) -> Vec<(String, String, String)> {
        ev.iter()
            .filter_map(|e| match e {
                Event::Exception { contact, rule, action, .. } => {
                    Some((contact.to_string(), rule.to_string(), action.to_string()))
                }
                _ => None,
            })
            .collect()
    }

    /// c1 waits from 0; at 30 the rule moves it to backup (`Exception`
    /// then `Overflowed`); it does not fire again there (backup has no
    /// rules), nor for c2 which an agent took at 10.
    #[test]
    fn a_wait_rule_overflows_once() {
        let mut r = with_rules(vec![rule(
            "slow",
            Trigger::WaitLongerThan(30.0),
            RuleAction::Overflow("backup".into()),
        )]);
        r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
        r.submit(&contact("c2", "voice"), 5.0, Vec::new()).unwrap();
        let ev = r.advance(30.0, Vec::new()).unwrap();
        assert_eq!(exceptions(&ev), [("c1".into(), "slow".into(), "overflow".into())]);
        assert_eq!(names(&ev), ["Exception", "Overflowed"]);
        assert_eq!(r.waiting_ids("backup").unwrap(), ["c1"]);
        r.add_agent(&agent("a", &[]), 31.0, Vec::new()).unwrap(); // takes c1 (longest waiting)
        let ev = r.advance(100.0, Vec::new()).unwrap();
        assert_eq!(exceptions(&ev), [("c2".into(), "slow".into(), "overflow".into())]);
        let ev = r.advance(1000.0, Vec::new()).unwrap();
        assert_eq!(ev, vec![]);
        assert_eq!(r.stats()[0].counters.exceptions, 2);
        check(&r);
    }

    /// More than 2 waiting: the third arrival gets its priority raised to
    /// 9 and goes first; an alert on the same trigger fires once for the
    /// crossing (c3), not for c4, and again after the queue drained (c6).
    #[test]
    fn queue_length_rules_update_and_alert_once_per_crossing() {
        let mut r = with_rules(vec![
            rule(
                "busy",
                Trigger::WaitingMoreThan(2),
                RuleAction::Update { priority: Some(9), requires: None },
            ),
            rule("tell", Trigger::WaitingMoreThan(2), RuleAction::Alert),
        ]);
        r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
        r.submit(&contact("c2", "voice"), 1.0, Vec::new()).unwrap();
        let ev = r.submit(&contact("c3", "voice"), 2.0, Vec::new()).unwrap();
        assert_eq!(
            exceptions(&ev),
            [
                ("c3".into(), "busy".into(), "update".into()),
                ("c3".into(), "tell".into(), "alert".into())
            ]
        );
        assert_eq!(r.waiting_ids("general").unwrap(), ["c3", "c1", "c2"]);
        let ev = r.submit(&contact("c4", "voice"), 3.0, Vec::new()).unwrap();
        assert_eq!(exceptions(&ev), [("c4".into(), "busy".into(), "update".into())]);
        for id in ["c1", "c2", "c3", "c4"] {
            r.cancel(id, 4.0, Vec::new()).unwrap();
        }
        r.submit(&contact("c5", "voice"), 5.0, Vec::new()).unwrap(); // 1 waiting: re-armed
        r.submit(&contact("c6", "voice"), 6.0, Vec::new()).unwrap();
        let ev = r.submit(&contact("c7", "voice"), 7.0, Vec::new()).unwrap();
        assert_eq!(exceptions(&ev).len(), 2);
        check(&r);
    }

    /// Nobody logged in: the arrival is cancelled with the rule's reason
    /// (it ends `cancelled`); with an agent away (logged in) it waits.
    #[test]
    fn no_agent_logged_in_cancels() {
        let mut r = with_rules(vec![rule(
            "empty",
            Trigger::NoAgentLoggedIn,
            RuleAction::Cancel("nobody_here".into()),
        )]);
        let ev = r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
        assert!(
            matches!(&ev[0], Event::Exception { reason, .. } if reason.as_str() == "nobody_here")
        );
        assert_eq!(r.contact_view("c1").unwrap().status, ContactStatus::Cancelled);
        assert_eq!(r.stats()[0].counters.cancelled, 1);
        let mut a = agent("a", &[]);
        a.state = AgentState::Away;
        r.add_agent(&a, 1.0, Vec::new()).unwrap();
        assert_eq!(r.submit(&contact("c2", "voice"), 2.0, Vec::new()).unwrap(), vec![]);
        check(&r);
    }

    /// Service level over the last 60 s below 50 %: c1 abandons at 30
    /// (outside the 20 s threshold), so c2 arriving at 40 triggers the
    /// callback offer; by 200 the window is empty and c3 does not.
    #[test]
    fn a_low_service_level_offers_callbacks() {
        let mut r = with_rules(vec![rule(
            "late",
            Trigger::SlBelow { fraction: 0.5, window: 60.0 },
            RuleAction::OfferCallback,
        )]);
        r.submit(&contact("c1", "voice"), 0.0, Vec::new()).unwrap();
        r.cancel("c1", 30.0, Vec::new()).unwrap();
        let ev = r.submit(&contact("c2", "voice"), 40.0, Vec::new()).unwrap();
        assert_eq!(exceptions(&ev), [("c2".into(), "late".into(), "offer_callback".into())]);
        let bytes = r.snapshot();
        assert_eq!(Router::restore(&bytes).unwrap().snapshot(), bytes);
        let ev = r.submit(&contact("c3", "voice"), 200.0, Vec::new()).unwrap();
        assert_eq!(ev, vec![]);
        check(&r);
    }

    /// Bad rules name the rule and the value.
    #[test]
    fn bad_rules_are_refused_by_name() {
        let bad = |r: Rule| {
            let mut q = QueueConfig::new("general");
            q.rules = vec![r];
            let cfg = config_with(vec![q, QueueConfig::new("backup")], PolicyKind::LongestIdle);
            match Router::new(cfg) {
                Err(e) => e.message().to_string(),
                Ok(_) => panic!("accepted"),
            }
        };
        let e = bad(rule("r", Trigger::WaitLongerThan(1.0), RuleAction::Overflow("gone".into())));
        assert!(e.contains("rules[0] (\"r\"): overflow to unknown queue \"gone\""), "{e}");
        let e = bad(rule("r", Trigger::SlBelow { fraction: 1.5, window: 60.0 }, RuleAction::Alert));
        assert!(e.contains("sl_below fraction 1.5"), "{e}");
        let e = bad(rule("r", Trigger::WaitLongerThan(-1.0), RuleAction::Alert));
        assert!(e.contains("wait_longer_than"), "{e}");
        let e = bad(rule(
            "r",
            Trigger::NoAgentLoggedIn,
            RuleAction::Update { priority: None, requires: None },
        ));
        assert!(e.contains("update changes nothing"), "{e}");
        let e = bad(rule("", Trigger::NoAgentLoggedIn, RuleAction::Alert));
        assert!(e.contains("has no name"), "{e}");
    }
}
