//! Event classes: one frozen, comparable Python class per core event.
//!
//! Every event names the queue and channel of its contact (for
//! `Overflowed`, `to_queue` and `from_queue` name the queues). An event
//! built in Python may leave `queue` and `channel` out: it then stands for
//! the same event in any queue and channel, so that
//! `assert events == [Assigned(contact="c1", agent="a1", at=1.0, wait=0.0)]`
//! checks what a test cares about. Given, they must match.

use pyo3::prelude::*;
use router_core::Event;

/// Whether two optional names agree: equal, or one of them left out.
fn same_where(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// Declares an event class with keyword constructor, getters, `==` and
/// repr. `$field`s are required; `$opt` names (`queue`, `channel`) may be
/// left out (see the module doc).
macro_rules! event_class {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? } where { $($opt:ident),* }) => {
        $(#[$doc])*
        #[pyclass(frozen, module = "ccroute")]
        #[derive(Clone, Debug)]
        pub struct $name {
            $(#[pyo3(get)] pub $field: $ty,)*
            $(#[pyo3(get)] pub $opt: Option<String>,)*
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                $(self.$field == other.$field &&)* $(same_where(&self.$opt, &other.$opt) &&)* true
            }
        }

        #[pymethods]
        impl $name {
            #[new]
            #[pyo3(signature = (*, $($field,)* $($opt = None),*))]
            #[allow(clippy::too_many_arguments)]
            fn new($($field: $ty,)* $($opt: Option<String>),*) -> Self {
                $name { $($field,)* $($opt),* }
            }

            fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
                other.downcast::<$name>().is_ok_and(|o| self == o.get())
            }

            fn __repr__(&self) -> String {
                let mut parts: Vec<String> = Vec::new();
                $(parts.push(format!("{}={}", stringify!($field), Repr(&self.$field)));)*
                $(if let Some(v) = &self.$opt {
                    parts.push(format!("{}={}", stringify!($opt), Repr(v)));
                })*
                format!("{}({})", stringify!($name), parts.join(", "))
            }

            /// The event's class name (`"Assigned"`, ...).
            #[getter]
            fn kind(&self) -> &'static str {
                stringify!($name)
            }
        }
    };
}

/// Python-style repr of field values.
struct Repr<'a, T>(&'a T);

impl std::fmt::Display for Repr<'_, String> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&py_str_repr(self.0))
    }
}

impl std::fmt::Display for Repr<'_, f64> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.0)
    }
}
impl std::fmt::Display for Repr<'_, Option<String>> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(v) => f.write_str(&py_str_repr(v)),
            None => f.write_str("None"),
        }
    }
}
impl std::fmt::Display for Repr<'_, Option<f64>> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(v) => write!(f, "{v:?}"),
            None => f.write_str("None"),
        }
    }
}
impl std::fmt::Display for Repr<'_, bool> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if *self.0 { "True" } else { "False" })
    }
}
impl std::fmt::Display for Repr<'_, u32> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}
impl std::fmt::Display for Repr<'_, usize> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

event_class!(
    /// The contact is connected to the agent; `wait` is its time in queue.
    Assigned { contact: String, agent: String, at: f64, wait: f64 } where { queue, channel }
);
event_class!(
    /// The contact is reserved for the agent until `expires` (offer mode).
    Offered { contact: String, agent: String, at: f64, expires: f64 } where { queue, channel }
);
event_class!(
    /// The agent did not accept in time; the contact is back in its queue.
    OfferExpired { contact: String, agent: String, at: f64 } where { queue, channel }
);
event_class!(
    /// The agent rejected the offer; the contact is back in its queue.
    OfferRejected { contact: String, agent: String, at: f64 } where { queue, channel }
);
event_class!(
    /// An offer was withdrawn because its agent left; the contact is back in its queue.
    Requeued { contact: String, agent: String, at: f64 } where { queue, channel }
);
event_class!(
    /// The customer left before being answered.
    Abandoned { contact: String, at: f64, wait: f64 } where { queue, channel }
);
event_class!(
    /// The agent finished the contact (wrap-up may follow).
    Completed { contact: String, agent: String, at: f64 } where { queue, channel }
);
event_class!(
    /// The agent's wrap-up after the contact ended; the slot is free again.
    WrapUpEnded { contact: String, agent: String, at: f64 } where { queue, channel }
);
event_class!(
    /// The contact moved to another queue (arrival time kept).
    Overflowed { contact: String, from_queue: String, to_queue: String, at: f64 } where { channel }
);
event_class!(
    /// The contact's requirements relaxed to step `step` (0-based).
    StepAdvanced { contact: String, step: usize, at: f64 } where { queue, channel }
);
event_class!(
    /// The contact was refused: `reason` is `full` (a batch submit, a
    /// scheduled contact) or `closed` (its queue closed to arrivals).
    Refused { contact: String, queue: String, reason: String, at: f64 } where { channel }
);
event_class!(
    /// The agent let the offer of the contact expire and is now `state`
    /// (the router's `missed_offer_state`); follows `OfferExpired`.
    NotResponding { contact: String, agent: String, state: String, at: f64 } where { queue, channel }
);
event_class!(
    /// The contact left `from_agent` for `to_queue` (and `to_agent`, when
    /// one was named): at the call (`mode` "cold"), or when the target
    /// answered ("warm").
    Transferred {
        contact: String,
        from_agent: String,
        from_queue: String,
        to_queue: String,
        to_agent: Option<String>,
        mode: String,
        at: f64,
    } where { channel }
);
event_class!(
    /// A warm transfer failed and the contact stays with `agent`; `queue`
    /// is the queue it was to go to, `reason` why (`agent_unavailable`,
    /// `queue_full`, `rejected`, `expired`, `agent_left`, `completed`).
    TransferFailed { contact: String, agent: String, reason: String, at: f64 } where { queue, channel }
);
event_class!(
    /// A callback was released to the agent, who places call `attempt`.
    CallbackOffered { contact: String, agent: String, attempt: u32, at: f64 } where { queue, channel }
);
event_class!(
    /// A callback's calls all went unanswered; it ends.
    CallbackFailed { contact: String, attempts: u32, at: f64 } where { queue, channel }
);
event_class!(
    /// The agent's contact was paused: interrupted by uninterruptible work
    /// (`by_hand` False) or by `pause`; it holds no slot and no capacity.
    Paused { contact: String, agent: String, by_hand: bool, at: f64 } where { queue, channel }
);
event_class!(
    /// A paused contact takes its slot and capacity again.
    Resumed { contact: String, agent: String, at: f64 } where { queue, channel }
);
event_class!(
    /// An exception rule of the queue fired for the contact: `trigger`
    /// (`wait_longer_than`, `waiting_more_than`, `sl_below`,
    /// `no_agent_logged_in`) and `action` (`alert`, `overflow`, `update`,
    /// `offer_callback`, `cancel`, with its `reason`).
    Exception { contact: String, rule: String, trigger: String, action: String, reason: String, at: f64 } where { queue, channel }
);
event_class!(
    /// A waiting caller became a callback as its queue closed; no call
    /// before `not_before` (the next opening, if any).
    CallbackScheduled { contact: String, not_before: Option<f64>, at: f64 } where { queue, channel }
);

/// Converts core events into Python event objects.
pub fn to_py(py: Python<'_>, events: Vec<Event>) -> PyResult<Vec<PyObject>> {
    events.into_iter().map(|e| one(py, e)).collect()
}

fn one(py: Python<'_>, e: Event) -> PyResult<PyObject> {
    let s = |id: &router_core::Id| id.to_string();
    let w = |id: &router_core::Id| Some(id.to_string());
    macro_rules! obj {
        ($v:expr) => {
            $v.into_pyobject(py)?.into_any().unbind()
        };
    }
    Ok(match e {
        Event::Assigned { contact, agent, queue, channel, at, wait } => obj!(Assigned {
            contact: s(&contact),
            agent: s(&agent),
            at,
            wait,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::Offered { contact, agent, queue, channel, at, expires } => obj!(Offered {
            contact: s(&contact),
            agent: s(&agent),
            at,
            expires,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::OfferExpired { contact, agent, queue, channel, at } => obj!(OfferExpired {
            contact: s(&contact),
            agent: s(&agent),
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::OfferRejected { contact, agent, queue, channel, at } => obj!(OfferRejected {
            contact: s(&contact),
            agent: s(&agent),
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::Requeued { contact, agent, queue, channel, at } => obj!(Requeued {
            contact: s(&contact),
            agent: s(&agent),
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::Abandoned { contact, queue, channel, at, wait } => obj!(Abandoned {
            contact: s(&contact),
            at,
            wait,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::Completed { contact, agent, queue, channel, at } => obj!(Completed {
            contact: s(&contact),
            agent: s(&agent),
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::WrapUpEnded { contact, agent, queue, channel, at } => obj!(WrapUpEnded {
            contact: s(&contact),
            agent: s(&agent),
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::Overflowed { contact, from_queue, to_queue, channel, at } => obj!(Overflowed {
            contact: s(&contact),
            from_queue: s(&from_queue),
            to_queue: s(&to_queue),
            at,
            channel: w(&channel),
        }),
        Event::StepAdvanced { contact, queue, channel, step, at } => obj!(StepAdvanced {
            contact: s(&contact),
            step,
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::Refused { contact, queue, channel, reason, at } => obj!(Refused {
            contact: s(&contact),
            queue: s(&queue),
            reason: reason.as_str().to_owned(),
            at,
            channel: w(&channel),
        }),
        Event::Paused { contact, agent, by_hand, queue, channel, at } => obj!(Paused {
            contact: s(&contact),
            agent: s(&agent),
            by_hand,
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::Resumed { contact, agent, queue, channel, at } => obj!(Resumed {
            contact: s(&contact),
            agent: s(&agent),
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::Exception { contact, queue, channel, rule, trigger, action, reason, at } => {
            obj!(Exception {
                contact: s(&contact),
                rule: s(&rule),
                trigger: s(&trigger),
                action: s(&action),
                reason: s(&reason),
                at,
                queue: w(&queue),
                channel: w(&channel),
            })
        }
        Event::CallbackScheduled { contact, queue, channel, not_before, at } => {
            obj!(CallbackScheduled {
                contact: s(&contact),
                not_before,
                at,
                queue: w(&queue),
                channel: w(&channel),
            })
        }
        Event::NotResponding { contact, agent, queue, channel, state, at } => obj!(NotResponding {
            contact: s(&contact),
            agent: s(&agent),
            state: state.as_str().to_owned(),
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::Transferred {
            contact,
            from_agent,
            from_queue,
            to_queue,
            to_agent,
            channel,
            mode,
            at,
        } => obj!(Transferred {
            contact: s(&contact),
            from_agent: s(&from_agent),
            from_queue: s(&from_queue),
            to_queue: s(&to_queue),
            to_agent: to_agent.as_ref().map(s),
            mode: match mode {
                router_core::TransferMode::Cold => "cold",
                router_core::TransferMode::Warm => "warm",
            }
            .to_owned(),
            at,
            channel: w(&channel),
        }),
        Event::CallbackOffered { contact, agent, queue, channel, attempt, at } => {
            obj!(CallbackOffered {
                contact: s(&contact),
                agent: s(&agent),
                attempt,
                at,
                queue: w(&queue),
                channel: w(&channel),
            })
        }
        Event::CallbackFailed { contact, queue, channel, attempts, at } => obj!(CallbackFailed {
            contact: s(&contact),
            attempts,
            at,
            queue: w(&queue),
            channel: w(&channel),
        }),
        Event::TransferFailed { contact, agent, queue, channel, reason, at } => {
            obj!(TransferFailed {
                contact: s(&contact),
                agent: s(&agent),
                reason,
                at,
                queue: w(&queue),
                channel: w(&channel),
            })
        }
    })
}

/// Registers the event classes on the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Assigned>()?;
    m.add_class::<Offered>()?;
    m.add_class::<OfferExpired>()?;
    m.add_class::<OfferRejected>()?;
    m.add_class::<Requeued>()?;
    m.add_class::<Abandoned>()?;
    m.add_class::<Completed>()?;
    m.add_class::<WrapUpEnded>()?;
    m.add_class::<Overflowed>()?;
    m.add_class::<StepAdvanced>()?;
    m.add_class::<Refused>()?;
    m.add_class::<NotResponding>()?;
    m.add_class::<Transferred>()?;
    m.add_class::<TransferFailed>()?;
    m.add_class::<CallbackOffered>()?;
    m.add_class::<CallbackFailed>()?;
    m.add_class::<CallbackScheduled>()?;
    m.add_class::<Exception>()?;
    m.add_class::<Paused>()?;
    m.add_class::<Resumed>()?;
    Ok(())
}

/// A string as Python's `repr` writes it: single quotes unless the text has
/// a single quote and no double one; backslash, quote and control
/// characters escaped.
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}
