//! Integration tests of the routing engine through its public API.
//!
//! Every scenario states, in a comment, the order of events worked out by
//! hand from the rules in DESIGN.md before the assertions check it.

#![allow(missing_docs)]

mod eligibility;
mod errors;
mod errors_calls;
mod errors_config;
mod hours;
mod interrupt;
mod lifecycle;
mod offers;
mod policies;
mod props;
mod props_lifecycle;
mod props_model;
mod reconfigure;
mod regimes;
mod scenarios;
mod selectors;
mod snapshot_fuzz;
mod stats;
mod timers;

use router_core::{
    AgentSpec, AgentState, AgentView, AgentsByState, ChannelConfig, ContactSpec, ContactView,
    Event, PolicyKind, QueueConfig, QueueStats, Router, RouterConfig,
};

/// Channels used by most tests: capacity 100 agents, voice exclusive,
/// chat 4 at once, email 10 at once.
pub fn channels() -> Vec<ChannelConfig> {
    vec![
        ChannelConfig::new("voice", 100, 1),
        ChannelConfig::new("chat", 25, 4),
        ChannelConfig::new("email", 10, 10),
    ]
}

/// A configuration with the standard channels, the given queues and policy.
pub fn config_with(queues: Vec<QueueConfig>, policy: PolicyKind) -> RouterConfig {
    let mut cfg = RouterConfig::new(channels(), queues);
    cfg.policy = policy.into();
    cfg
}

/// A router with the standard channels, queues `general` and `vip`.
pub fn router(policy: PolicyKind) -> Router {
    Router::new(config_with(vec![QueueConfig::new("general"), QueueConfig::new("vip")], policy))
        .expect("valid config")
}

/// An available agent with the given skills (capacity 100, every channel).
pub fn agent(id: &str, skills: &[(&str, u8)]) -> AgentSpec {
    AgentSpec::new(id, skills)
}

/// A contact on `channel` in queue `general` with no requirements.
pub fn contact(id: &str, channel: &str) -> ContactSpec {
    ContactSpec::new(id, channel, "general")
}

/// `(contact, agent)` of every `Assigned` event, in order.
pub fn assigned(ev: &[Event]) -> Vec<(String, String)> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Assigned { contact, agent, .. } => {
                Some((contact.to_string(), agent.to_string()))
            }
            _ => None,
        })
        .collect()
}

/// `(contact, agent)` of every `Offered` event, in order.
pub fn offered(ev: &[Event]) -> Vec<(String, String)> {
    ev.iter()
        .filter_map(|e| match e {
            Event::Offered { contact, agent, .. } => Some((contact.to_string(), agent.to_string())),
            _ => None,
        })
        .collect()
}

/// The names of the events, in order.
pub fn names(ev: &[Event]) -> Vec<&'static str> {
    ev.iter().map(Event::name).collect()
}

/// Shorthand for building expected `(contact, agent)` pairs.
pub fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(c, a)| (c.to_string(), a.to_string())).collect()
}

/// The agent a single-assignment call assigned, panicking otherwise.
pub fn one_assigned(ev: &[Event]) -> String {
    let a = assigned(ev);
    assert_eq!(a.len(), 1, "expected exactly one assignment in {ev:?}");
    a[0].1.clone()
}

/// Asserts the router's internal invariants hold.
#[track_caller]
pub fn check(r: &Router) {
    if let Err(e) = r.check_invariants() {
        panic!("invariant broken: {e}");
    }
}

/// Everything observable about a router, for before/after comparisons.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub now: f64,
    pub next_timer: Option<f64>,
    pub decisions: u64,
    pub live: usize,
    pub stats: Vec<QueueStats>,
    pub by_state: AgentsByState,
    pub agents: Vec<AgentView>,
    pub contacts: Vec<Result<ContactView, String>>,
    pub invariants: Result<(), String>,
}

/// Takes a snapshot, viewing the listed contact ids (live or ended).
pub fn snapshot(r: &Router, contact_ids: &[&str]) -> Snapshot {
    Snapshot {
        now: r.now(),
        next_timer: r.next_timer(),
        decisions: r.decisions(),
        live: r.live_contacts(),
        stats: r.stats(),
        by_state: r.agents_by_state(),
        agents: r.agent_ids().iter().map(|id| r.agent_view(id).expect("listed agent")).collect(),
        contacts: contact_ids
            .iter()
            .map(|id| r.contact_view(id).map_err(|e| e.message().to_string()))
            .collect(),
        invariants: r.check_invariants(),
    }
}

/// The status of a contact as its view reports it.
pub fn status(r: &Router, id: &str) -> router_core::ContactStatus {
    r.contact_view(id).expect("known contact").status
}

/// Sets an agent's state, asserting success.
pub fn set_state(r: &mut Router, id: &str, state: AgentState, now: f64) -> Vec<Event> {
    r.set_agent_state(id, state, "", now, Vec::new()).expect("set state")
}
