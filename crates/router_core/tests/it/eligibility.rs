//! Eligibility: state, skills and levels, channel slots, capacity units.

use super::*;
use router_core::{AgentState, ContactStatus, PolicyKind};

fn with_state(id: &str, skills: &[(&str, u8)], state: AgentState) -> AgentSpec {
    let mut a = agent(id, skills);
    a.state = state;
    a
}

/// Only available agents receive contacts.
#[test]
fn only_available_agents_are_eligible() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&with_state("off", &[], AgentState::Offline), 0.0, Vec::new()).unwrap();
    r.add_agent(&with_state("away", &[], AgentState::Away), 0.0, Vec::new()).unwrap();
    assert!(r.submit(&contact("c1", "voice"), 1.0, Vec::new()).unwrap().is_empty());
    check(&r);
    // Away -> offline: still nothing. Offline -> available: takes c1.
    assert!(set_state(&mut r, "away", AgentState::Offline, 2.0).is_empty());
    assert_eq!(
        assigned(&set_state(&mut r, "off", AgentState::Available, 3.0)),
        pairs(&[("c1", "off")])
    );
    check(&r);
}

/// Every required skill at or above its level; more skills than needed is fine.
#[test]
fn every_required_skill_at_or_above_level() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("low", &[("tech", 4), ("french", 9)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("one", &[("tech", 9)]), 1.0, Vec::new()).unwrap();
    r.add_agent(&agent("both", &[("tech", 5), ("french", 2), ("golf", 1)]), 2.0, Vec::new())
        .unwrap();
    // requires tech>=5 and french>=2:
    //   low: tech 4 < 5 -> no; one: no french -> no; both: exactly at levels -> yes.
    let c = contact("c1", "voice").requiring(&[("tech", 5), ("french", 2)]);
    assert_eq!(one_assigned(&r.submit(&c, 3.0, Vec::new()).unwrap()), "both");
    // A second one waits although two agents are free.
    let c = contact("c2", "voice").requiring(&[("tech", 5), ("french", 2)]);
    assert!(r.submit(&c, 4.0, Vec::new()).unwrap().is_empty());
    check(&r);
}

/// A per-agent channel maximum caps concurrent contacts on that channel
/// even when capacity units remain.
#[test]
fn per_agent_channel_maximum() {
    let mut r = router(PolicyKind::LongestIdle);
    let mut a = agent("a", &[]);
    a.channels = Some(vec![("chat".into(), 2), ("voice".into(), 1)]);
    r.add_agent(&a, 0.0, Vec::new()).unwrap();
    // Two chats fit (max 2); the third waits although 50 units are free.
    assert_eq!(one_assigned(&r.submit(&contact("c1", "chat"), 1.0, Vec::new()).unwrap()), "a");
    assert_eq!(one_assigned(&r.submit(&contact("c2", "chat"), 2.0, Vec::new()).unwrap()), "a");
    assert!(r.submit(&contact("c3", "chat"), 3.0, Vec::new()).unwrap().is_empty());
    let v = r.agent_view("a").unwrap();
    assert_eq!(v.used, 50);
    assert!(v.channels.contains(&("chat".to_string(), 2, 2)));
    check(&r);
    // One chat ends: the third one gets the slot.
    assert_eq!(assigned(&r.complete("c1", 4.0, Vec::new()).unwrap()), pairs(&[("c3", "a")]));
    check(&r);
}

/// An agent with a `channels` mapping serves only the channels it lists.
#[test]
fn channels_mapping_limits_served_channels() {
    let mut r = router(PolicyKind::LongestIdle);
    let mut chat_only = agent("chatter", &[]);
    chat_only.channels = Some(vec![("chat".into(), 4)]);
    r.add_agent(&chat_only, 0.0, Vec::new()).unwrap();
    // Voice and email not listed: they wait although "chatter" is idle.
    assert!(r.submit(&contact("v1", "voice"), 1.0, Vec::new()).unwrap().is_empty());
    assert!(r.submit(&contact("e1", "email"), 2.0, Vec::new()).unwrap().is_empty());
    assert_eq!(
        one_assigned(&r.submit(&contact("c1", "chat"), 3.0, Vec::new()).unwrap()),
        "chatter"
    );
    check(&r);
    // An agent with no mapping serves every channel: it takes v1 first
    // (arrived first, same priority), and then cannot take e1 (voice uses all 100 units).
    let ev = r.add_agent(&agent("all", &[]), 4.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("v1", "all")]));
    assert_eq!(status(&r, "e1"), ContactStatus::Waiting);
    check(&r);
}

/// Capacity units: an agent with capacity 50 holds at most two chats (cost
/// 25) although the chat maximum is 4, and can never take voice (cost 100).
#[test]
fn capacity_units_limit_load() {
    let mut r = router(PolicyKind::LongestIdle);
    let mut small = agent("small", &[]);
    small.capacity = 50;
    r.add_agent(&small, 0.0, Vec::new()).unwrap();
    assert!(r.submit(&contact("v", "voice"), 1.0, Vec::new()).unwrap().is_empty());
    assert_eq!(one_assigned(&r.submit(&contact("c1", "chat"), 2.0, Vec::new()).unwrap()), "small");
    assert_eq!(one_assigned(&r.submit(&contact("c2", "chat"), 3.0, Vec::new()).unwrap()), "small");
    assert!(r.submit(&contact("c3", "chat"), 4.0, Vec::new()).unwrap().is_empty());
    // Emails cost 10: no room either (50 of 50 used).
    assert!(r.submit(&contact("e1", "email"), 5.0, Vec::new()).unwrap().is_empty());
    check(&r);
    // Freeing a chat frees 25 units. Waiting: v (t=1, never fits), c3 (t=4),
    // e1 (t=5). c3 ranks before e1 -> c3 takes the 25 units; nothing else fits.
    let ev = r.complete("c1", 6.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c3", "small")]));
    assert_eq!(status(&r, "v"), ContactStatus::Waiting);
    assert_eq!(status(&r, "e1"), ContactStatus::Waiting);
    check(&r);
}

/// Multichannel: capacity 100, voice cost 100 max 1, chat cost 25 max 4.
/// With 2 chats the agent cannot take voice; with voice it cannot take chat.
#[test]
fn multichannel_voice_and_chat_exclude_each_other() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.submit(&contact("c1", "chat"), 1.0, Vec::new()).unwrap();
    r.submit(&contact("c2", "chat"), 2.0, Vec::new()).unwrap();
    assert_eq!(r.agent_view("a").unwrap().used, 50);
    // Voice: 50 units free < 100 -> waits.
    assert!(r
        .submit(&contact("v1", "voice").with_priority(100), 3.0, Vec::new())
        .unwrap()
        .is_empty());
    // More chat still fits (75 used after).
    assert_eq!(one_assigned(&r.submit(&contact("c3", "chat"), 4.0, Vec::new()).unwrap()), "a");
    check(&r);

    // A second agent holding voice cannot take chat.
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("b", &[]), 0.0, Vec::new()).unwrap();
    assert_eq!(one_assigned(&r.submit(&contact("v", "voice"), 1.0, Vec::new()).unwrap()), "b");
    assert!(r.submit(&contact("c", "chat"), 2.0, Vec::new()).unwrap().is_empty());
    assert!(r.submit(&contact("e", "email"), 3.0, Vec::new()).unwrap().is_empty());
    let v = r.agent_view("b").unwrap();
    assert_eq!((v.used, v.load), (100, 1.0));
    check(&r);
    // Voice ends: chat (t=2) and email (t=3) both fit now (25 + 10 units).
    let ev = r.complete("v", 4.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c", "b"), ("e", "b")]));
    assert_eq!(r.agent_view("b").unwrap().used, 35);
    check(&r);
}

/// A channel whose default maximum is used when the agent has no mapping,
/// and a mapping of 0 means "not served".
#[test]
fn mapping_zero_means_not_served() {
    let mut r = router(PolicyKind::LongestIdle);
    let mut a = agent("a", &[]);
    a.channels = Some(vec![("chat".into(), 0), ("email".into(), 3)]);
    r.add_agent(&a, 0.0, Vec::new()).unwrap();
    assert!(r.submit(&contact("c", "chat"), 1.0, Vec::new()).unwrap().is_empty());
    for i in 0..4 {
        r.submit(&contact(&format!("e{i}"), "email"), 2.0 + f64::from(i), Vec::new()).unwrap();
    }
    // Three emails fit (mapping max 3), the fourth waits.
    let v = r.agent_view("a").unwrap();
    assert_eq!(v.contacts, vec!["e0", "e1", "e2"]);
    assert_eq!(status(&r, "e3"), ContactStatus::Waiting);
    check(&r);
}

/// An agent's skills, capacity and channel maxima change in place while it
/// holds contacts: they stay with it, the new skills route at once, and
/// limits below what it holds are refused with nothing changed.
#[test]
fn update_agent_while_holding_contacts() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[("tech", 3)]), 0.0, Vec::new()).unwrap();
    // a takes two chats; c3 needs tech 8 and waits.
    r.submit(&contact("c1", "chat"), 1.0, Vec::new()).unwrap();
    r.submit(&contact("c2", "chat"), 1.0, Vec::new()).unwrap();
    let mut c3 = contact("c3", "chat");
    c3.requires = vec![("tech".into(), 8)];
    assert!(r.submit(&c3, 2.0, Vec::new()).unwrap().is_empty());
    check(&r);
    // Below what it holds: refused, nothing changes.
    let mut small = agent("a", &[("tech", 8)]);
    small.capacity = 25;
    let before = snapshot(&r, &["c1", "c2", "c3"]);
    let err = r.update_agent(&small, 3.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), router_core::ErrorKind::Capacity);
    assert!(err.message().contains("capacity 25 is below the 50 units"), "{}", err.message());
    let mut narrow = agent("a", &[("tech", 8)]);
    narrow.channels = Some(vec![("chat".into(), 1)]);
    assert!(r
        .update_agent(&narrow, 3.0, Vec::new())
        .unwrap_err()
        .message()
        .contains("maximum 1 on channel \"chat\""));
    assert_eq!(snapshot(&r, &["c1", "c2", "c3"]), before);
    // tech 8: a keeps c1 and c2 and takes c3 at once.
    let ev = r.update_agent(&agent("a", &[("tech", 8)]), 4.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), pairs(&[("c3", "a")]));
    let view = r.agent_view("a").unwrap();
    assert_eq!(view.contacts.len(), 3);
    assert_eq!(view.used, 75);
    check(&r);
    // Capacity 75: exactly what it holds, so it is full.
    let mut exact = agent("a", &[("tech", 8)]);
    exact.capacity = 75;
    r.update_agent(&exact, 5.0, Vec::new()).unwrap();
    assert!(r.submit(&contact("c4", "chat"), 6.0, Vec::new()).unwrap().is_empty());
    r.complete("c1", 7.0, Vec::new()).unwrap();
    check(&r);
    assert_eq!(r.agent_view("a").unwrap().contacts.len(), 3); // c4 took the freed room
    assert!(r.update_agent(&agent("ghost", &[]), 8.0, Vec::new()).is_err());
}
