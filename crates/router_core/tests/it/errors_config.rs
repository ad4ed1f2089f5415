//! Router construction validates every part of its configuration. Apart
//! from `errors` because a refused configuration leaves no router to
//! compare: each case only checks the error's kind and message.

use super::*;
use router_core::{ErrorKind, Overflow, PolicyKind, QueueConfig, RouterConfig};

/// Router construction validates every part of its configuration.
#[test]
fn bad_configurations_are_refused() {
    let base = || {
        config_with(
            vec![QueueConfig::new("general"), QueueConfig::new("vip")],
            PolicyKind::LongestIdle,
        )
    };
    type Tweak = Box<dyn Fn(&mut RouterConfig)>;
    let cases: Vec<(&str, Tweak, ErrorKind, &str)> = vec![
        ("no channel", Box::new(|c| c.channels.clear()), ErrorKind::InvalidInput, "channel"),
        ("no queue", Box::new(|c| c.queues.clear()), ErrorKind::InvalidInput, "queue"),
        ("cost 0", Box::new(|c| c.channels[1].cost = 0), ErrorKind::InvalidInput, "\"chat\""),
        (
            "max 0",
            Box::new(|c| c.channels[2].max_per_agent = 0),
            ErrorKind::InvalidInput,
            "\"email\"",
        ),
        (
            "wrap-up NaN",
            Box::new(|c| c.channels[0].wrap_up = f64::NAN),
            ErrorKind::InvalidInput,
            "NaN",
        ),
        (
            "duplicate channel",
            Box::new(|c| c.channels[1].name = "voice".into()),
            ErrorKind::DuplicateId,
            "\"voice\"",
        ),
        (
            "duplicate queue",
            Box::new(|c| c.queues[1].name = "general".into()),
            ErrorKind::DuplicateId,
            "\"general\"",
        ),
        (
            "sl target 1.5",
            Box::new(|c| c.queues[0].sl_target = 1.5),
            ErrorKind::InvalidInput,
            "1.5",
        ),
        (
            "negative aging",
            Box::new(|c| c.queues[1].aging_rate = -1.0),
            ErrorKind::InvalidInput,
            "-1",
        ),
        (
            "overflow unknown",
            Box::new(|c| {
                c.queues[0].overflow = Some(Overflow { to: "nowhere".into(), after: 5.0 })
            }),
            ErrorKind::InvalidInput,
            "\"nowhere\"",
        ),
        (
            "overflow loop",
            Box::new(|c| {
                c.queues[0].overflow = Some(Overflow { to: "vip".into(), after: 5.0 });
                c.queues[1].overflow = Some(Overflow { to: "general".into(), after: 5.0 });
            }),
            ErrorKind::InvalidInput,
            "loops",
        ),
        (
            "offer timeout 0",
            Box::new(|c| c.offer_timeout = Some(0.0)),
            ErrorKind::InvalidInput,
            "offer_timeout 0",
        ),
        (
            "affinity wait negative",
            Box::new(|c| c.affinity_wait = -2.0),
            ErrorKind::InvalidInput,
            "-2",
        ),
    ];
    for (name, tweak, kind, needle) in cases {
        let mut cfg = base();
        tweak(&mut cfg);
        let err = Router::new(cfg).expect_err(name);
        assert_eq!(err.kind(), kind, "{name}: {err}");
        assert!(err.message().contains(needle), "{name}: {err}");
    }
    assert!(PolicyKind::parse("fastest").unwrap_err().message().contains("\"fastest\""));
    assert!(AgentState::parse("busy").unwrap_err().message().contains("\"busy\""));
}
