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
//! by then, then does its work, and returns the [`Event`]s it caused in
//! order. A call that returns an error changes nothing (if timers were due,
//! their effects stand and their events come with the next call).
//!
//! ## Routing
//! *Agent surplus*: a contact arrives or relaxes and several free agents
//! fit: the [policy](policy) picks. *Contact surplus*: an agent frees
//! capacity and takes the best waiting contact it can serve across every
//! queue. Agents are indexed by skill profile and contacts by requirement
//! signature, each group ordered by its key, so a decision reads one head
//! per compatible group instead of scanning everyone.

pub mod batch;
pub mod error;
pub mod event;
mod forms;
pub mod id;
pub mod model;
pub mod policy;
pub mod router;
pub mod sim;
pub mod types;

pub use error::{Error, ErrorKind, Result};
pub use event::Event;
pub use model::{
    AgentSpec, ChannelConfig, Condition, ContactSpec, Ordering, Overflow, ProfileQueue,
    QueueConfig, RouterConfig, RoutingProfile, StepSpec,
};
pub use policy::{Feature, Policy, PolicyKind};
pub use router::{
    AgentView, AgentsByState, ContactKey, ContactTemplate, ContactView, Explanation, Ineligible,
    NextTimer, QueueStats, Router, MAX_REASON, NOT_RESPONDING,
};
pub use types::{AgentState, AttrValue, Attrs, ContactStatus, Id, OrdF64, Time};
