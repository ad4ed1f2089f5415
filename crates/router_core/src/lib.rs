//! # router_core — the ccroute routing engine
//!
//! Decides which agent handles which contact: skills-based, priority-ordered
//! and multichannel-capacity aware, at high throughput. Pure Rust: no
//! Python, no clock, no I/O. Time is an argument of every call and
//! randomness comes from a generator seeded by the caller, so a run is
//! deterministic (the simulator, replay and the tests rely on it).
//!
//! ## Model
//! * **Channels** are configuration ([`ChannelConfig`]): a name, the capacity
//!   units one contact uses, a default per-agent maximum and a wrap-up time.
//! * **Agents** ([`AgentSpec`]) hold skills with levels 1–10, capacity units,
//!   per-channel maxima and a state (`offline`, `available`, `away`). Busy is
//!   derived from what an agent holds.
//! * **Contacts** ([`ContactSpec`]) arrive on a channel into a queue with a
//!   priority, required skills (all needed, at a minimum level), preferred
//!   skills (score only), an optional customer (last-agent affinity), an
//!   optional preferred agent with a wait, and relaxation steps that widen
//!   the pool of eligible agents as they wait.
//! * **Queues** ([`QueueConfig`]) order contacts by effective priority
//!   (`priority + aging_rate × wait`) then arrival, carry a service-level
//!   objective, may refuse beyond a size and may overflow to another queue.
//!
//! ## Calls and events
//! Every mutating call on [`Router`] takes `now`, first fires the timers due
//! by then, then does its work, and hands the [`Event`]s it caused, in
//! order, to the [`EventSink`] the caller passes: one call per verb, which
//! returns the sink (`Vec::new()` gives the events back as a vector;
//! `&mut buf` reuses a buffer, see [`sink`]). A call that returns an error
//! changes nothing and hands nothing over (if timers were due, their
//! effects stand and their events come with the next call). Templates and
//! contact keys, for callers that submit many similar contacts, are in
//! [`router::bulk`].
//!
//! ## Routing
//! *Agent surplus*: a contact arrives or relaxes and several free agents
//! fit: the [policy](policy) picks. *Contact surplus*: an agent frees
//! capacity and takes the best waiting contact it can serve across every
//! queue. Agents are indexed by skill profile and contacts by requirement
//! signature, each group ordered by its key, so a decision reads one head
//! per compatible group instead of scanning everyone.
//!
//! ## Examples
//!
//! An agent is free when a contact arrives: the router assigns it at once
//! (*agent surplus*). Each event names its contact, queue and channel, and
//! the agent where there is one; the queue's figures count what happened.
//!
//! ```
//! use router_core::{
//!     AgentSpec, ChannelConfig, ContactSpec, Event, QueueConfig, Router, RouterConfig,
//! };
//!
//! // Voice takes a whole agent (100 units, one at a time); chat a quarter.
//! let channels = vec![ChannelConfig::new("voice", 100, 1), ChannelConfig::new("chat", 25, 4)];
//! let mut router = Router::new(RouterConfig::new(channels, vec![QueueConfig::new("support")]))?;
//!
//! router.add_agent(&AgentSpec::new("ann", &[("billing", 7)]), 0.0, Vec::new())?;
//! let call = ContactSpec::new("c1", "voice", "support").requiring(&[("billing", 5)]);
//! let events = router.submit(&call, 2.0, Vec::new())?;
//! match &events[..] {
//!     [Event::Assigned { contact, agent, queue, channel, wait, .. }] => {
//!         assert_eq!((&**contact, &**agent), ("c1", "ann"));
//!         assert_eq!((&**queue, &**channel), ("support", "voice"));
//!         assert_eq!(*wait, 0.0);
//!     }
//!     other => panic!("expected one assignment, got {other:?}"),
//! }
//!
//! let events = router.complete("c1", 60.0, Vec::new())?;
//! assert!(matches!(&events[..], [Event::Completed { agent, .. }] if agent == "ann"));
//!
//! let stats = &router.stats()[0];
//! assert_eq!((stats.name.as_str(), stats.waiting), ("support", 0));
//! assert_eq!((stats.counters.answered, stats.counters.completed), (1, 1));
//! assert_eq!(stats.service_level, Some(1.0)); // answered within 20 s
//! # Ok::<(), router_core::Error>(())
//! ```
//!
//! No agent meets a contact's requirements, so it waits; a relaxation step
//! widens them after 30 seconds. The router fires the step when it is told
//! the time, here by [`Router::advance`], and the wider pool takes the
//! contact in the same call.
//!
//! ```
//! use router_core::{
//!     AgentSpec, ChannelConfig, ContactSpec, Event, QueueConfig, Router, RouterConfig, StepSpec,
//! };
//!
//! let channels = vec![ChannelConfig::new("voice", 100, 1)];
//! let mut router = Router::new(RouterConfig::new(channels, vec![QueueConfig::new("tech")]))?;
//! router.add_agent(&AgentSpec::new("bob", &[("network", 4)]), 0.0, Vec::new())?;
//!
//! let mut call = ContactSpec::new("c1", "voice", "tech").requiring(&[("network", 8)]);
//! call.steps = vec![StepSpec { after: 30.0, requires: vec![("network".into(), 3)], when: None, ..StepSpec::default() }];
//! assert!(router.submit(&call, 0.0, Vec::new())?.is_empty()); // bob is not expert enough yet
//! assert_eq!(router.next_timer(), Some(30.0));
//!
//! assert!(router.advance(29.0, Vec::new())?.is_empty());
//! let events = router.advance(30.0, Vec::new())?;
//! let names: Vec<&str> = events.iter().map(Event::name).collect();
//! assert_eq!(names, ["StepAdvanced", "Assigned"]);
//! assert!(matches!(&events[0], Event::StepAdvanced { step: 0, at, .. } if *at == 30.0));
//! assert!(matches!(
//!     &events[1],
//!     Event::Assigned { agent, wait, .. } if agent == "bob" && *wait == 30.0
//! ));
//! # Ok::<(), router_core::Error>(())
//! ```
//!
//! Contacts wait and an agent frees up: the agent takes the best contact
//! it can serve (*contact surplus*), here the higher priority one although
//! it came second.
//!
//! ```
//! use router_core::{
//!     AgentSpec, ChannelConfig, ContactSpec, Event, QueueConfig, Router, RouterConfig,
//! };
//!
//! let channels = vec![ChannelConfig::new("chat", 25, 4)];
//! let mut router = Router::new(RouterConfig::new(channels, vec![QueueConfig::new("sales")]))?;
//! router.submit(&ContactSpec::new("early", "chat", "sales"), 0.0, Vec::new())?;
//! router.submit(&ContactSpec::new("urgent", "chat", "sales").with_priority(5), 1.0, Vec::new())?;
//! assert_eq!(router.stats()[0].waiting, 2);
//!
//! // Chat takes a quarter of an agent: one agent takes both, best first.
//! let events = router.add_agent(&AgentSpec::new("cy", &[]), 3.0, Vec::new())?;
//! let order: Vec<&str> = events
//!     .iter()
//!     .filter_map(|e| match e {
//!         Event::Assigned { contact, .. } => Some(&**contact),
//!         _ => None,
//!     })
//!     .collect();
//! assert_eq!(order, ["urgent", "early"]);
//! # Ok::<(), router_core::Error>(())
//! ```

pub mod batch;
pub mod calendar;
pub mod error;
pub mod event;
mod forms;
pub mod id;
pub mod model;
pub mod policy;
pub mod router;
pub mod selector;
pub mod sim;
pub mod sink;
pub mod types;

pub use error::{Error, ErrorKind, Result};
pub use event::Event;
pub use model::{
    AgentSpec, Callback, CallbackOutcome, ChannelConfig, Condition, ContactSpec, ContactUpdate,
    Ordering, Overflow, Preference, ProfileQueue, QueueConfig, RouterConfig, RoutingProfile,
    SelectorClause, StepSpec, TransferMode, TransferSpec,
};
pub use policy::{Feature, Policy, PolicyKind};
pub use router::{
    AgentView, AgentsByState, ContactKey, ContactRef, ContactTemplate, ContactView, Explanation,
    Ineligible, NewContact, NextTimer, QueueStats, Router, MAX_REASON, NOT_RESPONDING,
};
pub use selector::{ClauseOp, Selector};
pub use sink::{AgentHandle, EventSink, Handoff};
pub use types::{AgentState, AttrValue, Attrs, ContactStatus, Id, OrdF64, Time};
