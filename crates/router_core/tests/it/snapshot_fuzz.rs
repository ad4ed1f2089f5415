//! Damaged snapshots: every single-byte change, truncation and extension of
//! a snapshot of a busy router is either refused with a `Snapshot` error or
//! restores a router whose invariants hold and that keeps working. Nothing
//! panics, not even inside `restore` (a panic hook counts them).
//!
//! Each damaged payload is tried twice: as it is (the checksum catches it)
//! and with the checksum recomputed, so that the structural checks behind
//! the checksum are exercised too.

use super::*;
use router_core::{ErrorKind, Ordering, Overflow, ProfileQueue, RoutingProfile, StepSpec};
use std::cell::Cell;
use std::sync::Once;

thread_local! {
    static PANICS: Cell<u32> = const { Cell::new(0) };
}

/// Counts panics on this thread (and stays quiet about the expected ones).
fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.with(|p| p.set(p.get() + 1));
            previous(info);
        }));
    });
}

/// A router holding every kind of state: offers, wrap-ups, steps, pinned
/// contacts, capped and LIFO queues, routing profiles, ended contacts.
fn busy_router() -> Router {
    let mut channels = channels();
    channels[1].wrap_up = 5.0;
    let mut capped = QueueConfig::new("capped");
    capped.aging_rate = 1.0;
    capped.aging_max = Some(3.0);
    capped.overflow = Some(Overflow { to: "lifo".into(), after: 40.0 });
    let mut lifo = QueueConfig::new("lifo");
    lifo.ordering = Ordering::Lifo;
    let mut cfg = RouterConfig::new(channels, vec![capped, lifo]);
    cfg.offer_timeout = Some(20.0);
    cfg.affinity_wait = 10.0;
    cfg.routing_profiles = vec![RoutingProfile {
        name: "late".into(),
        queues: vec![
            ProfileQueue { queue: "capped".into(), priority: 1, delay: 5.0 },
            ProfileQueue { queue: "lifo".into(), priority: 0, delay: 0.0 },
        ],
    }];
    let mut r = Router::new(cfg).expect("valid config");
    let mut a = agent("a1", &[("x", 5)]);
    a.routing_profile = Some("late".into());
    r.add_agent(&a, 0.0, Vec::new()).unwrap();
    r.add_agent(&agent("a2", &[("y", 3)]), 0.0, Vec::new()).unwrap();
    for i in 0..12 {
        let t = 1.0 + i as f64;
        let queue = if i % 2 == 0 { "capped" } else { "lifo" };
        let channel = ["voice", "chat", "email"][i % 3];
        let mut c = ContactSpec::new(format!("c{i}"), channel, queue)
            .requiring(&[("x", (i % 4 + 1) as u8)]);
        c.priority = (i % 3) as i64;
        c.customer = Some(format!("cust{}", i % 4));
        c.steps =
            vec![StepSpec { after: 6.0, requires: vec![], when: None, ..StepSpec::default() }];
        if i == 5 {
            c.preferred_agent = Some("a2".into());
            c.preferred_wait = 30.0;
        }
        r.submit(&c, t, Vec::new()).unwrap();
        if i % 4 == 1 {
            r.advance(t + 0.5, Vec::new()).unwrap();
        }
    }
    // Accept whatever is offered at 14, complete one, let another expire.
    let ev = r.advance(14.0, Vec::new()).unwrap();
    for (c, a) in offered(&ev).into_iter().take(1) {
        r.accept(&c, &a, 14.0, Vec::new()).unwrap();
        r.complete(&c, 15.0, Vec::new()).unwrap();
    }
    r.advance(16.0, Vec::new()).unwrap();
    check(&r);
    r
}

/// Restores `bytes`; if that succeeds, the router must be sound and keep
/// working through a few calls. Returns whether it restored.
fn try_restore(bytes: &[u8], what: &str) -> bool {
    match Router::restore(bytes) {
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Snapshot, "{what}: {e}");
            false
        }
        Ok(mut r) => {
            r.check_invariants().unwrap_or_else(|e| panic!("{what}: restored broken: {e}"));
            let now = r.now();
            let _ = r.add_agent(&agent("fresh", &[("x", 10), ("y", 10)]), now + 1.0, Vec::new());
            let _ = r.submit(&ContactSpec::new("fresh-c", "voice", "lifo"), now + 2.0, Vec::new());
            let _ = r.advance(now + 100.0, Vec::new());
            for id in r.agent_ids() {
                let _ = r.set_agent_state(&id, AgentState::Away, "", now + 101.0, Vec::new());
            }
            r.check_invariants().unwrap_or_else(|e| panic!("{what}: broken after calls: {e}"));
            true
        }
    }
}

fn with_checksum(mut bytes: Vec<u8>) -> Vec<u8> {
    const HEADER: usize = 24;
    if bytes.len() >= HEADER {
        let crc = crc32(&bytes[HEADER..]);
        bytes[20..24].copy_from_slice(&crc.to_le_bytes());
    }
    bytes
}

/// CRC-32 (IEEE), bit by bit: the test's own, independent of the crate's.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[test]
fn damaged_snapshots_are_refused_or_restore_sound_routers() {
    count_panics();
    let snap = busy_router().snapshot();
    assert!(Router::restore(&snap).is_ok());
    let before = PANICS.with(Cell::get);
    let (mut tried, mut refused_plain, mut refused_resummed) = (0u32, 0u32, 0u32);
    for i in 0..snap.len() {
        for flip in [0x01u8, 0x80, 0xFF] {
            let mut bad = snap.clone();
            bad[i] ^= flip;
            tried += 1;
            refused_plain += u32::from(!try_restore(&bad, &format!("byte {i} ^ {flip:#x}")));
            if i >= 24 {
                let bad = with_checksum(bad);
                refused_resummed +=
                    u32::from(!try_restore(&bad, &format!("byte {i} ^ {flip:#x}, re-checksummed")));
            }
        }
    }
    // Every damaged payload is caught by the checksum.
    assert_eq!(refused_plain, tried);
    assert!(refused_resummed > 0);
    for len in 0..snap.len() {
        assert!(!try_restore(&snap[..len], &format!("truncated to {len}")));
        assert!(!try_restore(
            &with_checksum(snap[..len].to_vec()),
            &format!("truncated to {len}, re-checksummed")
        ));
    }
    for extra in [&[0u8][..], &[1, 2, 3], &snap[..]] {
        let mut long = snap.clone();
        long.extend_from_slice(extra);
        assert!(!try_restore(&long, &format!("extended by {}", extra.len())));
        assert!(!try_restore(
            &with_checksum(long),
            &format!("extended by {}, re-checksummed", extra.len())
        ));
    }
    assert_eq!(PANICS.with(Cell::get), before, "a damaged snapshot made the router panic");
}

#[test]
fn a_refused_snapshot_names_what_is_wrong() {
    let snap = busy_router().snapshot();
    let mut long = snap.clone();
    long.push(0);
    let e = Router::restore(&long).unwrap_err();
    assert!(e.message().contains("truncated or extended"), "{e}");
    let mut flipped = snap.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let e = Router::restore(&flipped).unwrap_err();
    assert!(e.message().contains("checksum"), "{e}");
}
