//! Live reconfiguration: what happens to contacts in flight, refusals that
//! change nothing, and a property run over random states and changes.

use proptest::prelude::*;
use router_core::{
    AgentSpec, AgentState, ChannelConfig, ContactSpec, ErrorKind, Event, Ordering, Overflow,
    PolicyKind, ProfileQueue, QueueConfig, Router, RouterConfig, RoutingProfile,
};

fn base() -> RouterConfig {
    let mut cfg = RouterConfig::new(
        vec![ChannelConfig::new("voice", 100, 1), ChannelConfig::new("chat", 25, 3)],
        vec![QueueConfig::new("sales"), QueueConfig::new("support")],
    );
    cfg.routing_profiles = vec![RoutingProfile {
        name: "front".into(),
        queues: vec![ProfileQueue { queue: "sales".into(), priority: 1, delay: 0.0 }],
    }];
    cfg
}

fn agent(id: &str, state: AgentState) -> AgentSpec {
    let mut a = AgentSpec::new(id, &[("en", 5)]);
    a.state = state;
    a
}

#[test]
fn a_removed_queue_sends_its_contacts_where_the_call_says() {
    // c1 and c2 wait in sales (nobody available). Removing sales without a
    // target is refused and changes nothing; with support as target, both
    // move (Overflowed each), and an agent that comes back takes c1 first.
    let mut r = Router::new(base()).unwrap();
    r.add_agent(&agent("a1", AgentState::Away), 0.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("c1", "voice", "sales"), 1.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("c2", "voice", "sales"), 2.0, Vec::new()).unwrap();
    r.advance(3.0, Vec::new()).unwrap();
    let before = r.snapshot();
    let mut cfg = base();
    cfg.queues.remove(0);
    cfg.routing_profiles.clear();
    let err = r.reconfigure(cfg.clone(), &[], 3.0, Vec::new()).unwrap_err();
    assert!(
        err.message().contains("queue \"sales\" cannot be removed: it holds 2 waiting"),
        "{err}"
    );
    assert_eq!(r.snapshot(), before, "a refused change leaves the state as it was");
    let ev = r.reconfigure(cfg, &[("sales".into(), "support".into())], 3.0, Vec::new()).unwrap();
    assert_eq!(ev.iter().filter(|e| matches!(e, Event::Overflowed { .. })).count(), 2);
    assert_eq!(r.contact_view("c1").unwrap().queue, "support");
    r.check_invariants().unwrap();
    let ev = r.set_agent_state("a1", AgentState::Available, "", 4.0, Vec::new()).unwrap();
    assert!(matches!(&ev[0], Event::Assigned { contact, .. } if contact.as_str() == "c1"));
    assert_eq!(r.queue_stats("support").unwrap().counters.overflowed_in, 2);
    assert_eq!(Router::restore(&r.snapshot()).unwrap().snapshot(), r.snapshot());
}

#[test]
fn a_held_channel_or_a_used_profile_cannot_go_and_a_new_queue_routes_at_once() {
    let mut r = Router::new(base()).unwrap();
    let mut a = agent("a1", AgentState::Available);
    a.routing_profile = Some("front".into());
    r.add_agent(&a, 0.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("c1", "chat", "sales"), 1.0, Vec::new()).unwrap();
    let mut cfg = base();
    cfg.channels.truncate(1);
    let err = r.reconfigure(cfg, &[], 2.0, Vec::new()).unwrap_err();
    assert!(err.message().contains("channel \"chat\" cannot be removed"), "{err}");
    let mut cfg = base();
    cfg.channels[1].cost = 50;
    assert!(r
        .reconfigure(cfg, &[], 2.0, Vec::new())
        .unwrap_err()
        .message()
        .contains("cost cannot change"));
    let mut cfg = base();
    cfg.routing_profiles.clear();
    assert!(r
        .reconfigure(cfg, &[], 2.0, Vec::new())
        .unwrap_err()
        .message()
        .contains("agent \"a1\" uses it"));
    // The profile gains a new queue: a contact waiting there is routed by the change itself.
    r.submit(&ContactSpec::new("c2", "chat", "support"), 2.0, Vec::new()).unwrap();
    assert_eq!(r.contact_view("c2").unwrap().status, router_core::ContactStatus::Waiting);
    let mut cfg = base();
    cfg.routing_profiles[0].queues.push(ProfileQueue {
        queue: "support".into(),
        priority: 0,
        delay: 0.0,
    });
    let ev = r.reconfigure(cfg, &[], 3.0, Vec::new()).unwrap();
    assert!(
        matches!(&ev[..], [Event::Assigned { contact, .. }] if contact.as_str() == "c2"),
        "{ev:?}"
    );
    r.check_invariants().unwrap();
}

#[test]
fn agents_on_default_channels_get_new_channels_and_defaults() {
    let mut r = Router::new(base()).unwrap();
    r.add_agent(&agent("all", AgentState::Available), 0.0, Vec::new()).unwrap();
    let mut listed = agent("listed", AgentState::Available);
    listed.channels = Some(vec![("chat".into(), 2)]);
    r.add_agent(&listed, 0.0, Vec::new()).unwrap();
    for i in 0..3 {
        r.submit(&ContactSpec::new(format!("c{i}"), "chat", "sales"), 1.0, Vec::new()).unwrap();
    }
    // "all" holds chats at its default maximum 3 (or shares with "listed").
    let mut cfg = base();
    cfg.channels.push(ChannelConfig::new("email", 10, 5));
    cfg.channels[1].max_per_agent = 1;
    let held =
        r.agent_view("all").unwrap().channels.iter().find(|h| h.0 == "chat").map_or(0, |h| h.1);
    if held > 1 {
        let err = r.reconfigure(cfg.clone(), &[], 2.0, Vec::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Capacity);
        cfg.channels[1].max_per_agent = 3;
    }
    r.reconfigure(cfg, &[], 2.0, Vec::new()).unwrap();
    let max = |id: &str, ch: &str| {
        r.agent_view(id).unwrap().channels.iter().find(|m| m.0 == ch).map(|m| m.2)
    };
    assert_eq!(max("all", "email"), Some(5));
    assert_eq!(max("listed", "email"), Some(0));
    r.check_invariants().unwrap();
}

#[test]
fn ended_contacts_keep_the_name_of_a_removed_queue() {
    let mut r = Router::new(base()).unwrap();
    r.add_agent(&agent("a1", AgentState::Available), 0.0, Vec::new()).unwrap();
    r.submit(&ContactSpec::new("c1", "voice", "sales"), 1.0, Vec::new()).unwrap();
    r.complete("c1", 2.0, Vec::new()).unwrap();
    let mut cfg = base();
    cfg.queues.remove(0);
    cfg.routing_profiles.clear();
    r.reconfigure(cfg, &[], 3.0, Vec::new()).unwrap();
    assert_eq!(r.contact_view("c1").unwrap().queue, "sales");
    let again = Router::restore(&r.snapshot()).unwrap();
    assert_eq!(again.contact_view("c1").unwrap().queue, "sales");
}

#[test]
fn a_changed_queue_reorders_and_retimes_its_waiting_contacts() {
    // FIFO, then LIFO: the newest waiting contact goes first. An overflow
    // added afterwards counts from when each contact entered the queue.
    let mut r = Router::new(base()).unwrap();
    r.add_agent(&agent("a1", AgentState::Away), 0.0, Vec::new()).unwrap();
    for (id, t) in [("old", 1.0), ("mid", 20.0), ("new", 30.0)] {
        r.submit(&ContactSpec::new(id, "voice", "support"), t, Vec::new()).unwrap();
    }
    let mut cfg = base();
    cfg.queues[1].ordering = Ordering::Lifo;
    cfg.queues[1].overflow = Some(Overflow { to: "sales".into(), after: 40.0 });
    r.reconfigure(cfg.clone(), &[], 31.0, Vec::new()).unwrap();
    let ev = r.set_agent_state("a1", AgentState::Available, "", 35.0, Vec::new()).unwrap();
    assert!(
        matches!(&ev[0], Event::Assigned { contact, .. } if contact.as_str() == "new"),
        "{ev:?}"
    );
    let ev = r.advance(41.5, Vec::new()).unwrap();
    assert!(
        matches!(&ev[..], [Event::Overflowed { contact, .. }] if contact.as_str() == "old"),
        "{ev:?}"
    );
    let err =
        r.reconfigure(cfg, &[("sales".into(), "support".into())], 42.0, Vec::new()).unwrap_err();
    assert!(err.message().contains("queue \"sales\" is kept"), "{err}");
    r.check_invariants().unwrap();
}

/// A random change of the configuration.
fn change(cfg: &RouterConfig, pick: u8, arg: u8) -> (RouterConfig, Vec<(String, String)>) {
    let mut c = cfg.clone();
    let mut moves = Vec::new();
    match pick % 10 {
        0 => c.queues.push(QueueConfig::new(format!("q{arg}"))),
        1 => {
            let i = arg as usize % c.queues.len();
            c.queues[i].ordering =
                [Ordering::Priority, Ordering::Lifo, Ordering::GreatestNeed][arg as usize % 3];
            if c.queues[i].ordering != Ordering::Lifo && arg.is_multiple_of(2) {
                c.queues[i].aging_rate = 0.5;
                c.queues[i].aging_max = Some(1.0 + f64::from(arg % 4));
            } else {
                c.queues[i].aging_rate = 0.0;
                c.queues[i].aging_max = None;
            }
        }
        2 if c.queues.len() > 1 => {
            let i = arg as usize % c.queues.len();
            let gone = c.queues.remove(i).name;
            for p in &mut c.routing_profiles {
                p.queues.retain(|q| q.queue != gone);
            }
            for q in &mut c.queues {
                if q.overflow.as_ref().is_some_and(|o| o.to == gone) {
                    q.overflow = None;
                }
            }
            moves.push((gone, c.queues[0].name.clone()));
        }
        3 => c.channels.push(ChannelConfig::new(format!("ch{arg}"), 10 + u32::from(arg % 3), 2)),
        4 if c.channels.len() > 1 => {
            c.channels.remove(arg as usize % c.channels.len());
        }
        5 => {
            let i = arg as usize % c.channels.len();
            c.channels[i].max_per_agent = 1 + u32::from(arg % 4);
            c.channels[i].wrap_up = f64::from(arg % 3);
        }
        6 => c.policy = PolicyKind::ALL[arg as usize % PolicyKind::ALL.len()].into(),
        7 => {
            let queues = c
                .queues
                .iter()
                .take(1 + arg as usize % 2)
                .map(|q| ProfileQueue {
                    queue: q.name.clone(),
                    priority: i64::from(arg % 3),
                    delay: f64::from(arg % 5),
                })
                .collect();
            c.routing_profiles = vec![RoutingProfile { name: "front".into(), queues }];
        }
        8 => c.batch_window = if c.batch_window.is_some() { None } else { Some(2.0) },
        _ => {
            let i = arg as usize % c.queues.len();
            let to = c.queues[(i + 1) % c.queues.len()].name.clone();
            c.queues[i].overflow =
                (to != c.queues[i].name).then(|| Overflow { to, after: 5.0 + f64::from(arg % 7) });
        }
    }
    (c, moves)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn any_change_keeps_the_router_consistent_or_changes_nothing(
        ops in proptest::collection::vec((0u8..8, any::<u8>(), any::<u8>()), 5..60),
        offers in any::<bool>(),
    ) {
        let mut cfg = base();
        cfg.offer_timeout = offers.then_some(6.0);
        let mut r = Router::new(cfg).unwrap();
        let mut t = 0.0;
        for (i, (op, a, b)) in ops.into_iter().enumerate() {
            t += 1.0 + f64::from(a % 3);
            let current = r.config().clone();
            let ch = current.channels[a as usize % current.channels.len()].name.clone();
            let q = current.queues[b as usize % current.queues.len()].name.clone();
            match op {
                0 => {
                    let mut spec = AgentSpec::new(format!("a{}", a % 6), &[("en", 1 + b % 9)]);
                    if b % 3 == 0 {
                        spec.channels = Some(vec![(ch, 2)]);
                    }
                    if b % 4 == 0 && !current.routing_profiles.is_empty() {
                        spec.routing_profile = Some(current.routing_profiles[0].name.clone());
                    }
                    let _ = r.add_agent(&spec, t, Vec::new());
                }
                1 | 2 => {
                    let c = ContactSpec::new(format!("c{i}"), ch, q).requiring(&[("en", 1 + a % 6)]);
                    let _ = r.submit(&c, t, Vec::new());
                }
                3 => { let _ = r.complete(&format!("c{}", b as usize % (i + 1)), t, Vec::new()); }
                4 => { let _ = r.accept(&format!("c{}", b as usize % (i + 1)), &format!("a{}", a % 6), t, Vec::new()); }
                5 => { let _ = r.set_agent_state(&format!("a{}", a % 6), [AgentState::Available, AgentState::Away][b as usize % 2], "", t, Vec::new()); }
                _ => {
                    let (new, moves) = change(&current, a, b);
                    r.advance(t, Vec::new()).unwrap();
                    let before = r.snapshot();
                    match r.reconfigure(new.clone(), &moves, t, Vec::new()) {
                        Ok(_) => {
                            prop_assert_eq!(r.config().queues.len(), new.queues.len());
                            let again = Router::restore(&r.snapshot());
                            prop_assert!(again.is_ok(), "{:?}", again.err());
                            prop_assert_eq!(again.unwrap().snapshot(), r.snapshot());
                        }
                        Err(e) => {
                            prop_assert!(!matches!(e.kind(), ErrorKind::InvalidState | ErrorKind::Snapshot), "{}", e);
                            prop_assert_eq!(r.snapshot(), before, "refused: {}", e);
                        }
                    }
                }
            }
            if let Err(e) = r.check_invariants() {
                prop_assert!(false, "after op {} at {}: {}", op, t, e);
            }
        }
        r.advance(t + 1000.0, Vec::new()).unwrap();
        r.check_invariants().map_err(TestCaseError::fail)?;
    }
}
