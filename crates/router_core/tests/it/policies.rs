//! Each built-in agent-selection policy with a hand-worked assignment order.

use super::*;
use router_core::{AgentState, ChannelConfig, PolicyKind, QueueConfig, RouterConfig};

fn submit_one(r: &mut Router, id: &str, channel: &str, t: f64) -> String {
    let ev = r.submit(&contact(id, channel), t, Vec::new()).unwrap();
    check(r);
    one_assigned(&ev)
}

/// longest_idle: idle since becoming available or last freeing a slot;
/// taking a contact does not reset it.
#[test]
fn longest_idle_order() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 1.0, Vec::new()).unwrap();
    r.add_agent(&agent("c", &[]), 2.0, Vec::new()).unwrap();
    // idle since: a 0, b 1, c 2 (chats, 4 per agent).
    assert_eq!(submit_one(&mut r, "c1", "chat", 10.0), "a"); // a idle since 0
    assert_eq!(submit_one(&mut r, "c2", "chat", 11.0), "a"); // taking c1 did not reset a
    assert_eq!(r.agent_view("a").unwrap().idle_since, 0.0);
    r.complete("c1", 12.0, Vec::new()).unwrap(); // a freed a slot: idle since 12
    assert_eq!(r.agent_view("a").unwrap().idle_since, 12.0);
    assert_eq!(submit_one(&mut r, "c3", "chat", 13.0), "b"); // b 1 < c 2 < a 12
    assert_eq!(submit_one(&mut r, "c4", "chat", 14.0), "b"); // b still 1
    r.complete("c2", 15.0, Vec::new()).unwrap(); // a idle since 15
    r.complete("c4", 16.0, Vec::new()).unwrap(); // b idle since 16
    assert_eq!(submit_one(&mut r, "c5", "chat", 17.0), "c"); // c 2
    assert_eq!(submit_one(&mut r, "c6", "chat", 18.0), "c"); // c 2
                                                             // Away then available resets idle: c idle since 20.
    set_state(&mut r, "c", AgentState::Away, 19.0);
    set_state(&mut r, "c", AgentState::Available, 20.0);
    assert_eq!(r.agent_view("c").unwrap().idle_since, 20.0);
    // a 15 < b 16 < c 20.
    assert_eq!(submit_one(&mut r, "c7", "chat", 21.0), "a");
}

/// Ties on idle time go to the smaller agent id, whatever the order added.
#[test]
fn ties_break_on_agent_id() {
    for policy in PolicyKind::ALL {
        if policy == PolicyKind::Random {
            continue;
        }
        let mut r = router(policy);
        r.add_agent(&agent("b", &[("s", 5)]), 0.0, Vec::new()).unwrap();
        r.add_agent(&agent("a", &[("s", 5)]), 0.0, Vec::new()).unwrap();
        r.add_agent(&agent("c", &[("s", 5), ("t", 1)]), 0.0, Vec::new()).unwrap();
        // Same key for all three (even most_skilled: s=5 each) -> "a", then "b", then "c".
        let c = contact("x1", "voice").requiring(&[("s", 1)]);
        assert_eq!(one_assigned(&r.submit(&c, 1.0, Vec::new()).unwrap()), "a", "{policy}");
        let c = contact("x2", "voice").requiring(&[("s", 1)]);
        assert_eq!(one_assigned(&r.submit(&c, 2.0, Vec::new()).unwrap()), "b", "{policy}");
        let c = contact("x3", "voice").requiring(&[("s", 1)]);
        assert_eq!(one_assigned(&r.submit(&c, 3.0, Vec::new()).unwrap()), "c", "{policy}");
        check(&r);
    }
}

/// most_skilled: sum of levels on required skills, then on preferred skills.
#[test]
fn most_skilled_order() {
    let mut r = router(PolicyKind::MostSkilled);
    r.add_agent(&agent("a", &[("sales", 5), ("french", 2)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[("sales", 7)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("c", &[("sales", 7), ("french", 9)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("d", &[("sales", 3), ("french", 10)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("z", &[("french", 10)]), 0.0, Vec::new()).unwrap();
    // requires sales>=3, prefers french. Scores (required, preferred):
    // a (5,2), b (7,0), c (7,9), d (3,10); z not eligible.
    // Order: c (7,9) > b (7,0) > a (5,2) > d (3,10); fifth waits.
    let mut got = Vec::new();
    for i in 0..5 {
        let mut c = contact(&format!("k{i}"), "voice").requiring(&[("sales", 3)]);
        c.prefers = vec![("french".into(), 1)];
        got.extend(assigned(&r.submit(&c, 1.0 + f64::from(i), Vec::new()).unwrap()));
        check(&r);
    }
    assert_eq!(got, pairs(&[("k0", "c"), ("k1", "b"), ("k2", "a"), ("k3", "d")]));
}

/// most_skilled sums over every required skill, and equal scores fall back
/// to longest idle.
#[test]
fn most_skilled_sums_levels_and_ties_to_longest_idle() {
    let mut r = router(PolicyKind::MostSkilled);
    r.add_agent(&agent("p", &[("sales", 4), ("tech", 4)]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("q", &[("sales", 9), ("tech", 1)]), 1.0, Vec::new()).unwrap();
    r.add_agent(&agent("y", &[("sales", 5), ("billing", 1)]), 2.0, Vec::new()).unwrap();
    r.add_agent(&agent("x", &[("sales", 5), ("tech", 9)]), 3.0, Vec::new()).unwrap();
    // requires sales>=1, tech>=1: p 8, q 10, x 14 -> x, then q, then p.
    let two = |id: &str| contact(id, "voice").requiring(&[("sales", 1), ("tech", 1)]);
    assert_eq!(one_assigned(&r.submit(&two("k1"), 10.0, Vec::new()).unwrap()), "x");
    assert_eq!(one_assigned(&r.submit(&two("k2"), 11.0, Vec::new()).unwrap()), "q");
    r.complete("k1", 12.0, Vec::new()).unwrap(); // x free again, idle since 12
    r.complete("k2", 13.0, Vec::new()).unwrap(); // q free again, idle since 13
                                                 // requires sales>=1 only: p 4, q 9, y 5, x 5.
                                                 // -> q (9); then x and y tie at 5: y idle since 2, x since 12 -> y; then x; then p.
    let one = |id: &str| contact(id, "voice").requiring(&[("sales", 1)]);
    assert_eq!(one_assigned(&r.submit(&one("k3"), 20.0, Vec::new()).unwrap()), "q");
    assert_eq!(one_assigned(&r.submit(&one("k4"), 21.0, Vec::new()).unwrap()), "y");
    assert_eq!(one_assigned(&r.submit(&one("k5"), 22.0, Vec::new()).unwrap()), "x");
    assert_eq!(one_assigned(&r.submit(&one("k6"), 23.0, Vec::new()).unwrap()), "p");
    check(&r);
}

/// least_occupied: used / capacity, ties to longest idle.
#[test]
fn least_occupied_order() {
    let mut r = router(PolicyKind::LeastOccupied);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    let mut b = agent("b", &[]);
    b.capacity = 50;
    r.add_agent(&b, 1.0, Vec::new()).unwrap();
    // chats cost 25. Loads before each pick (a/100, b/50):
    // c1: 0 vs 0 tie, a idle longer -> a   (a .25)
    // c2: .25 vs 0           -> b          (b .5)
    // c3: .25 vs .5          -> a          (a .5)
    // c4: .5 vs .5 tie, a idle longer -> a (a .75)
    // c5: .75 vs .5          -> b          (b 1.0, full)
    // c6: only a has room    -> a          (a 1.0)
    // c7: nobody
    let want = ["a", "b", "a", "a", "b", "a"];
    for (i, w) in want.iter().enumerate() {
        assert_eq!(
            submit_one(&mut r, &format!("c{}", i + 1), "chat", 10.0 + i as f64),
            *w,
            "c{}",
            i + 1
        );
    }
    assert!(r.submit(&contact("c7", "chat"), 20.0, Vec::new()).unwrap().is_empty());
    check(&r);
}

/// fewest_handled: the agent who completed the fewest contacts, ties to longest idle.
#[test]
fn fewest_handled_order() {
    let mut r = router(PolicyKind::FewestHandled);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 1.0, Vec::new()).unwrap();
    r.add_agent(&agent("c", &[]), 2.0, Vec::new()).unwrap();
    // All 0 handled -> longest idle a; each completes right after.
    assert_eq!(submit_one(&mut r, "k1", "voice", 10.0), "a");
    r.complete("k1", 11.0, Vec::new()).unwrap(); // a: 1 handled, idle 11
    assert_eq!(submit_one(&mut r, "k2", "voice", 12.0), "b"); // b 0 (idle 1) vs c 0 (idle 2)
    r.complete("k2", 13.0, Vec::new()).unwrap(); // b: 1, idle 13
    assert_eq!(submit_one(&mut r, "k3", "voice", 14.0), "c"); // c has 0
    r.complete("k3", 15.0, Vec::new()).unwrap(); // c: 1, idle 15
    assert_eq!(r.agent_view("c").unwrap().handled, 1);
    r.add_agent(&agent("d", &[]), 20.0, Vec::new()).unwrap(); // d: 0 handled, idle 20
                                                              // d has handled fewest although a has been idle longest.
    assert_eq!(submit_one(&mut r, "k4", "voice", 21.0), "d");
    // a, b, c all 1: longest idle a (11).
    assert_eq!(submit_one(&mut r, "k5", "voice", 22.0), "a");
    assert_eq!(submit_one(&mut r, "k6", "voice", 23.0), "b");
}

/// round_robin: least recently assigned first (never assigned first).
#[test]
fn round_robin_order() {
    let mut r = router(PolicyKind::RoundRobin);
    r.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("b", &[]), 1.0, Vec::new()).unwrap();
    r.add_agent(&agent("c", &[]), 2.0, Vec::new()).unwrap();
    // Chats (4 each): never assigned -> longest idle a, b, c; then rotation.
    let want = ["a", "b", "c", "a", "b", "c"];
    for (i, w) in want.iter().enumerate() {
        assert_eq!(submit_one(&mut r, &format!("k{}", i + 1), "chat", 10.0 + i as f64), *w);
    }
    // Completing does not change the rotation: a was assigned longest ago (k4).
    r.complete("k4", 20.0, Vec::new()).unwrap();
    r.complete("k1", 21.0, Vec::new()).unwrap();
    assert_eq!(submit_one(&mut r, "k7", "chat", 22.0), "a");
    assert_eq!(submit_one(&mut r, "k8", "chat", 23.0), "b");
    // Under longest_idle the same start would give a, a, a, a.
    let mut li = router(PolicyKind::LongestIdle);
    li.add_agent(&agent("a", &[]), 0.0, Vec::new()).unwrap();
    li.add_agent(&agent("b", &[]), 1.0, Vec::new()).unwrap();
    for i in 0..4 {
        assert_eq!(submit_one(&mut li, &format!("k{i}"), "chat", 10.0 + f64::from(i)), "a");
    }
}

fn random_router(seed: u64) -> Router {
    let mut cfg =
        RouterConfig::new(vec![ChannelConfig::new("msg", 1, 1000)], vec![QueueConfig::new("q")]);
    cfg.policy = PolicyKind::Random.into();
    cfg.seed = seed;
    let mut r = Router::new(cfg).unwrap();
    for i in 0..8 {
        // Even agents have skill x, odd ones do not.
        let skills: &[(&str, u8)] = if i % 2 == 0 { &[("x", 3)] } else { &[("y", 3)] };
        let mut a = agent(&format!("a{i}"), skills);
        a.capacity = 1000;
        r.add_agent(&a, 0.0, Vec::new()).unwrap();
    }
    r
}

fn random_picks(seed: u64) -> Vec<String> {
    let mut r = random_router(seed);
    let mut picks = Vec::new();
    for i in 0..300 {
        let mut c = ContactSpec::new(format!("c{i}"), "msg", "q");
        if i % 3 == 0 {
            c = c.requiring(&[("x", 2)]);
        }
        let who = one_assigned(&r.submit(&c, f64::from(i), Vec::new()).unwrap());
        if i % 3 == 0 {
            let n: u32 = who[1..].parse().unwrap();
            assert_eq!(n % 2, 0, "contact c{i} requiring x went to {who}, who lacks x");
        }
        picks.push(who);
    }
    check(&r);
    picks
}

/// random: the same seed gives the same picks; different seeds differ;
/// every pick is eligible and every eligible agent is drawn over many picks.
#[test]
fn random_is_seeded_eligible_and_spread() {
    let a = random_picks(7);
    assert_eq!(a, random_picks(7));
    let b = random_picks(8);
    assert_ne!(a, b);
    for picks in [&a, &b] {
        for i in 0..8 {
            let id = format!("a{i}");
            let n = picks.iter().filter(|p| **p == id).count();
            // 200 unrestricted draws over 8 agents plus 100 over 4: every
            // agent appears, and none takes more than half.
            assert!(n > 0 && n < 150, "agent {id} drawn {n} times");
        }
    }
}
