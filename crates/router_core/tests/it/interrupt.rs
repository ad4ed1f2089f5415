//! Interruptible work: emails paused by a call and resumed after it and
//! its wrap-up; pause and resume by hand; what they refuse.

use super::*;
use router_core::{ContactStatus, ErrorKind};

/// Voice (exclusive, 5 s wrap-up) and email (10 units, 10 at once,
/// interruptible); one queue.
fn interrupt_router() -> Router {
    let mut voice = ChannelConfig::new("voice", 100, 1);
    voice.wrap_up = 5.0;
    let mut email = ChannelConfig::new("email", 10, 10);
    email.interruptible = true;
    Router::new(RouterConfig::new(vec![voice, email], vec![QueueConfig::new("general")])).unwrap()
}

fn paused(ev: &[Event]) -> Vec<String> {
    ev.iter().filter(|e| e.name() == "Paused").map(|e| e.contact().to_string()).collect()
}

fn resumed(ev: &[Event]) -> Vec<String> {
    ev.iter().filter(|e| e.name() == "Resumed").map(|e| e.contact().to_string()).collect()
}

/// a works two emails (20 of 100 units); a call arrives at 1: the emails
/// are paused (in that order) and the call assigned. The call ends at 10;
/// its wrap-up holds the slot until 15, when both emails resume.
#[test]
fn a_call_pauses_emails_until_its_wrap_up_ends() {
    let mut r = interrupt_router();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("e1", "email"), 0.0, Vec::new()).unwrap();
    r.submit(&contact("e2", "email"), 0.0, Vec::new()).unwrap();
    let ev = r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    assert_eq!(paused(&ev), ["e1", "e2"]);
    assert_eq!(names(&ev), ["Paused", "Paused", "Assigned"]);
    assert_eq!(r.agent_view("a").unwrap().used, 100);
    check(&r);
    // A third email waits: the agent is full.
    assert_eq!(r.submit(&contact("e3", "email"), 2.0, Vec::new()).unwrap(), vec![]);
    let ev = r.complete("c1", 10.0, Vec::new()).unwrap();
    assert_eq!(resumed(&ev), Vec::<String>::new());
    let ev = r.advance(15.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["WrapUpEnded", "Resumed", "Resumed", "Assigned"]);
    assert_eq!(resumed(&ev), ["e1", "e2"]);
    assert_eq!(assigned(&ev), pairs(&[("e3", "a")]));
    assert_eq!(r.agent_view("a").unwrap().used, 30);
    check(&r);
}

/// By hand: a pauses e1 (its slot and units free: a takes e2 in the
/// call), resumes it, and the refusals name what is wrong and change
/// nothing.
#[test]
fn pause_and_resume_by_hand() {
    let mut r = interrupt_router();
    let mut a = agent("a", &[]);
    a.capacity = 10; // one email at a time
    r.add_agent(&a, 0.0, Vec::new()).unwrap();
    r.submit(&contact("e1", "email"), 0.0, Vec::new()).unwrap();
    r.submit(&contact("e2", "email"), 0.0, Vec::new()).unwrap();
    let ev = r.pause("e1", 1.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["Paused", "Assigned"]);
    assert!(matches!(&ev[0], Event::Paused { by_hand: true, .. }));
    let before = r.snapshot();
    let err = r.resume("e1", 2.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState);
    assert!(
        err.message().contains(
            "no room to resume contact \"e1\": 1 of 10 email slots held, 10 of 10 units used"
        ),
        "{}",
        err.message()
    );
    let err = r.complete("e1", 2.0, Vec::new()).unwrap_err();
    assert!(err.message().contains("is paused; resume it"), "{}", err.message());
    let err = r.pause("e1", 2.0, Vec::new()).unwrap_err();
    assert!(err.message().contains("paused already"), "{}", err.message());
    let err = r.resume("e2", 2.0, Vec::new()).unwrap_err();
    assert!(err.message().contains("not paused"), "{}", err.message());
    let err = r.remove_agent("a", 2.0, Vec::new()).unwrap_err();
    assert!(err.message().contains("\"e1\""), "{}", err.message());
    assert_eq!(r.snapshot(), before);
    // A contact paused by hand is not resumed when the agent frees up.
    let ev = r.complete("e2", 3.0, Vec::new()).unwrap();
    assert_eq!(resumed(&ev), Vec::<String>::new());
    let ev = r.resume("e1", 4.0, Vec::new()).unwrap();
    assert_eq!(resumed(&ev), ["e1"]);
    assert_eq!(r.contact_view("e1").unwrap().status, ContactStatus::Assigned);
    r.complete("e1", 5.0, Vec::new()).unwrap();
    check(&r);
}

/// A waiting contact cannot be paused; a snapshot with a paused contact
/// restores to the same bytes and resumes as before.
#[test]
fn paused_contacts_survive_a_snapshot() {
    let mut r = interrupt_router();
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("e1", "email"), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap();
    r.submit(&contact("c2", "voice"), 1.0, Vec::new()).unwrap();
    let err = r.pause("c2", 2.0, Vec::new()).unwrap_err();
    assert!(
        err.message().contains("is waiting; only an assigned contact can be paused"),
        "{}",
        err.message()
    );
    let bytes = r.snapshot();
    let mut back = Router::restore(&bytes).unwrap();
    assert_eq!(back.snapshot(), bytes);
    back.complete("c1", 3.0, Vec::new()).unwrap();
    // The wrap-up ends at 8: c2 (uninterruptible) is next, so e1 waits.
    let ev = back.advance(8.0, Vec::new()).unwrap();
    assert_eq!(names(&ev), ["WrapUpEnded", "Resumed", "Paused", "Assigned"]);
    check(&back);
}
