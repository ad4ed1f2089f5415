//! Event classes: one frozen, comparable Python class per core event.

use pyo3::prelude::*;
use router_core::Event;

/// Declares an event class with keyword constructor, getters, `==` and repr.
macro_rules! event_class {
    ($(#[$doc:meta])* $name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[pyclass(frozen, eq, module = "ccroute")]
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            $(#[pyo3(get)] pub $field: $ty,)*
        }

        #[pymethods]
        impl $name {
            #[new]
            #[pyo3(signature = (*, $($field),*))]
            fn new($($field: $ty),*) -> Self {
                $name { $($field),* }
            }

            fn __repr__(&self) -> String {
                let mut parts: Vec<String> = Vec::new();
                $(parts.push(format!("{}={}", stringify!($field), Repr(&self.$field)));)*
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
impl std::fmt::Display for Repr<'_, usize> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

event_class!(
    /// The contact is connected to the agent; `wait` is its time in queue.
    Assigned { contact: String, agent: String, at: f64, wait: f64 }
);
event_class!(
    /// The contact is reserved for the agent until `expires` (offer mode).
    Offered { contact: String, agent: String, at: f64, expires: f64 }
);
event_class!(
    /// The agent did not accept in time; the contact is back in its queue.
    OfferExpired { contact: String, agent: String, at: f64 }
);
event_class!(
    /// The agent rejected the offer; the contact is back in its queue.
    OfferRejected { contact: String, agent: String, at: f64 }
);
event_class!(
    /// An offer was withdrawn because its agent left; the contact is back in its queue.
    Requeued { contact: String, agent: String, at: f64 }
);
event_class!(
    /// The customer left before being answered.
    Abandoned { contact: String, at: f64, wait: f64 }
);
event_class!(
    /// The agent finished the contact (wrap-up may follow).
    Completed { contact: String, agent: String, at: f64 }
);
event_class!(
    /// The agent's wrap-up after the contact ended; the slot is free again.
    WrapUpEnded { contact: String, agent: String, at: f64 }
);
event_class!(
    /// The contact moved to another queue (arrival time kept).
    Overflowed { contact: String, from_queue: String, to_queue: String, at: f64 }
);
event_class!(
    /// The contact's requirements relaxed to step `step` (0-based).
    StepAdvanced { contact: String, step: usize, at: f64 }
);
event_class!(
    /// The contact was refused because its queue was full (batch submit).
    Refused { contact: String, queue: String, at: f64 }
);
event_class!(
    /// The agent let the offer of the contact expire and is now `state`
    /// (the router's `missed_offer_state`); follows `OfferExpired`.
    NotResponding { contact: String, agent: String, state: String, at: f64 }
);

/// Converts core events into Python event objects.
pub fn to_py(py: Python<'_>, events: Vec<Event>) -> PyResult<Vec<PyObject>> {
    events.into_iter().map(|e| one(py, e)).collect()
}

fn one(py: Python<'_>, e: Event) -> PyResult<PyObject> {
    let s = |id: &router_core::Id| id.to_string();
    Ok(match e {
        Event::Assigned { contact, agent, at, wait } => {
            Assigned { contact: s(&contact), agent: s(&agent), at, wait }
                .into_pyobject(py)?
                .into_any()
                .unbind()
        }
        Event::Offered { contact, agent, at, expires } => {
            Offered { contact: s(&contact), agent: s(&agent), at, expires }
                .into_pyobject(py)?
                .into_any()
                .unbind()
        }
        Event::OfferExpired { contact, agent, at } => {
            OfferExpired { contact: s(&contact), agent: s(&agent), at }
                .into_pyobject(py)?
                .into_any()
                .unbind()
        }
        Event::OfferRejected { contact, agent, at } => {
            OfferRejected { contact: s(&contact), agent: s(&agent), at }
                .into_pyobject(py)?
                .into_any()
                .unbind()
        }
        Event::Requeued { contact, agent, at } => {
            Requeued { contact: s(&contact), agent: s(&agent), at }
                .into_pyobject(py)?
                .into_any()
                .unbind()
        }
        Event::Abandoned { contact, at, wait } => {
            Abandoned { contact: s(&contact), at, wait }.into_pyobject(py)?.into_any().unbind()
        }
        Event::Completed { contact, agent, at } => {
            Completed { contact: s(&contact), agent: s(&agent), at }
                .into_pyobject(py)?
                .into_any()
                .unbind()
        }
        Event::WrapUpEnded { contact, agent, at } => {
            WrapUpEnded { contact: s(&contact), agent: s(&agent), at }
                .into_pyobject(py)?
                .into_any()
                .unbind()
        }
        Event::Overflowed { contact, from_queue, to_queue, at } => {
            Overflowed { contact: s(&contact), from_queue, to_queue, at }
                .into_pyobject(py)?
                .into_any()
                .unbind()
        }
        Event::StepAdvanced { contact, step, at } => {
            StepAdvanced { contact: s(&contact), step, at }.into_pyobject(py)?.into_any().unbind()
        }
        Event::Refused { contact, queue, at } => {
            Refused { contact: s(&contact), queue, at }.into_pyobject(py)?.into_any().unbind()
        }
        Event::NotResponding { contact, agent, state, at } => NotResponding {
            contact: s(&contact),
            agent: s(&agent),
            state: state.as_str().to_owned(),
            at,
        }
        .into_pyobject(py)?
        .into_any()
        .unbind(),
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
