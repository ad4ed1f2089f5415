//! Where a call's events go: the [`EventSink`] a caller passes to every
//! mutating call of [`Router`](crate::Router).
//!
//! Each verb has one call, which takes the sink by value and hands it back
//! with the call's events in it, in order. A `Vec<Event>` is a sink, and so
//! is a mutable reference to any sink, so a caller picks the form that
//! suits it:
//!
//! ```
//! use router_core::{AgentSpec, ChannelConfig, ContactSpec, Event, QueueConfig, Router, RouterConfig};
//!
//! let channels = vec![ChannelConfig::new("chat", 25, 4)];
//! let mut router = Router::new(RouterConfig::new(channels, vec![QueueConfig::new("q")]))?;
//!
//! // A new vector per call: the events come back as the call's result.
//! let events = router.add_agent(&AgentSpec::new("ann", &[]), 0.0, Vec::new())?;
//! assert!(events.is_empty());
//!
//! // One buffer reused across calls (a loop on a hot path): no allocation
//! // once it has grown.
//! let mut buf: Vec<Event> = Vec::new();
//! for i in 0..3 {
//!     router.submit(&ContactSpec::new(format!("c{i}"), "chat", "q"), 1.0, &mut buf)?;
//! }
//! assert_eq!(buf.iter().filter(|e| e.name() == "Assigned").count(), 3);
//! # Ok::<(), router_core::Error>(())
//! ```
//!
//! A call that fails hands nothing to the sink and changes nothing. If it
//! failed only after the timers due by its `now` fired, their effects
//! stand and their events come first in the next call's.
//!
//! A caller that follows contacts by [`ContactKey`] (a simulator) can ask
//! for assignments and completions as [`Handoff`]s instead of events: no
//! ids to build and none to look up again.

use crate::event::Event;
use crate::router::ContactKey;
use crate::types::Time;

/// Receives the events of the router's calls.
pub trait EventSink {
    /// Takes the events of one call, in order, leaving `events` empty (its
    /// capacity may be swapped for the sink's own).
    fn take_events(&mut self, events: &mut Vec<Event>);

    /// Whether assignments and completions should come as
    /// [`EventSink::take_handoffs`] instead of `Assigned` and `Completed`
    /// events. Asked at the start of each call. Default: no.
    fn by_key(&self) -> bool {
        false
    }

    /// Takes the handoffs of one call, in order, for a sink whose
    /// [`EventSink::by_key`] is true; they come after the call's events.
    /// Leaves `handoffs` empty, as [`EventSink::take_events`] does. The
    /// default, for sinks that never ask, drops them (there are none).
    fn take_handoffs(&mut self, handoffs: &mut Vec<Handoff>) {
        handoffs.clear();
    }
}

/// An assignment or completion by key (see [`EventSink::by_key`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Handoff {
    /// The contact is connected to the agent at `at`, after waiting `wait`.
    Assigned {
        /// The contact's key.
        contact: ContactKey,
        /// The agent.
        agent: AgentHandle,
        /// When.
        at: Time,
        /// How long it waited since it arrived.
        wait: f64,
    },
    /// The contact is completed at `at`.
    Completed {
        /// The contact's key.
        contact: ContactKey,
        /// When.
        at: Time,
    },
}

/// A live agent's place in the router, as [`Handoff`]s name it; see
/// [`Router::agent_handle`](crate::Router::agent_handle). A later agent may
/// reuse the place of a removed one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AgentHandle(pub(crate) u32);

impl AgentHandle {
    /// A small number, dense over the live agents: an index for the
    /// caller's own per-agent table.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl EventSink for Vec<Event> {
    #[inline]
    fn take_events(&mut self, events: &mut Vec<Event>) {
        if self.is_empty() {
            // The usual case on a hot path (the caller drains its buffer
            // between calls): the buffers trade places, nothing is copied.
            std::mem::swap(self, events);
        } else {
            self.append(events);
        }
    }
}

impl<S: EventSink + ?Sized> EventSink for &mut S {
    #[inline]
    fn take_events(&mut self, events: &mut Vec<Event>) {
        (**self).take_events(events);
    }

    #[inline]
    fn by_key(&self) -> bool {
        (**self).by_key()
    }

    #[inline]
    fn take_handoffs(&mut self, handoffs: &mut Vec<Handoff>) {
        (**self).take_handoffs(handoffs);
    }
}
