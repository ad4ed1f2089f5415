//! Small value types shared by the model, the indexes and the views.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// Time in seconds since an origin the caller chooses; always an argument.
pub type Time = f64;

pub use crate::id::Id;

/// An `f64` with a total order (`f64::total_cmp`), for use inside ordered keys.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize)]
pub struct OrdF64(pub f64);

impl PartialEq for OrdF64 {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        // `total_cmp` is equal exactly when the bits are.
        self.0.to_bits() == other.0.to_bits()
    }
}
impl Eq for OrdF64 {}
impl PartialOrd for OrdF64 {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for OrdF64 {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The state an agent sets; "busy" is derived from the contacts an agent holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentState {
    /// Logged out: receives nothing.
    Offline,
    /// Ready to receive contacts up to capacity.
    Available,
    /// Logged in but not receiving new contacts (break, meeting, ...).
    Away,
}

impl AgentState {
    /// The lower-case name used by the APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::Offline => "offline",
            AgentState::Available => "available",
            AgentState::Away => "away",
        }
    }

    /// Parses `offline`, `available` or `away`.
    pub fn parse(s: &str) -> crate::Result<Self> {
        match s {
            "offline" => Ok(AgentState::Offline),
            "available" => Ok(AgentState::Available),
            "away" => Ok(AgentState::Away),
            other => Err(crate::Error::invalid(format!(
                "agent state {other:?} is not one of \"offline\", \"available\", \"away\""
            ))),
        }
    }
}

impl fmt::Display for AgentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a contact is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactStatus {
    /// In a queue, not yet with an agent.
    Waiting,
    /// Reserved for an agent who has not accepted yet (offer mode).
    Offered,
    /// Connected to an agent.
    Assigned,
    /// Handled and completed by an agent (terminal).
    Completed,
    /// The customer left before being answered (terminal).
    Abandoned,
    /// Refused on arrival because its queue was full (terminal).
    Refused,
    /// Submitted for later (`ContactSpec::not_before`): not in its queue yet.
    Scheduled,
    /// Cancelled while scheduled, before it entered its queue (terminal).
    Cancelled,
    /// A callback its agent is calling: held by the agent, still waiting
    /// for an answer (see `Router::callback_result`).
    Calling,
}

impl ContactStatus {
    /// Every status, in declaration order.
    pub const ALL: [ContactStatus; 9] = [
        ContactStatus::Waiting,
        ContactStatus::Offered,
        ContactStatus::Assigned,
        ContactStatus::Completed,
        ContactStatus::Abandoned,
        ContactStatus::Refused,
        ContactStatus::Scheduled,
        ContactStatus::Cancelled,
        ContactStatus::Calling,
    ];

    /// The lower-case name used by the APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            ContactStatus::Waiting => "waiting",
            ContactStatus::Offered => "offered",
            ContactStatus::Assigned => "assigned",
            ContactStatus::Completed => "completed",
            ContactStatus::Abandoned => "abandoned",
            ContactStatus::Refused => "refused",
            ContactStatus::Scheduled => "scheduled",
            ContactStatus::Cancelled => "cancelled",
            ContactStatus::Calling => "calling",
        }
    }

    /// Whether the contact has ended (no further transition is possible).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            ContactStatus::Completed
                | ContactStatus::Abandoned
                | ContactStatus::Refused
                | ContactStatus::Cancelled
        )
    }
}

impl fmt::Display for ContactStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A typed attribute value carried on agents (read by selectors, see
/// [`crate::selector`]) and contacts (read by policies); a plain value in
/// human-readable forms, see `crate::forms`.
#[derive(Clone, Debug, PartialEq)]
pub enum AttrValue {
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string.
    Str(String),
    /// A list of strings (languages, certifications, teams).
    List(Vec<String>),
}

impl AttrValue {
    /// The type's name with its article, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            AttrValue::Bool(_) => "a boolean",
            AttrValue::Int(_) => "an integer",
            AttrValue::Float(_) => "a number",
            AttrValue::Str(_) => "a string",
            AttrValue::List(_) => "a list",
        }
    }

    /// The value as a number, for an integer or a number.
    pub fn number(&self) -> Option<f64> {
        match *self {
            AttrValue::Int(i) => Some(i as f64),
            AttrValue::Float(f) => Some(f),
            _ => None,
        }
    }
}

/// Free-form attributes, ordered by name so that iteration is deterministic.
pub type Attrs = BTreeMap<String, AttrValue>;

/// Checks that `t` is a usable time: finite and not negative.
#[inline]
pub(crate) fn check_time(what: &str, t: f64) -> crate::Result<()> {
    if t.is_finite() && t >= 0.0 {
        Ok(())
    } else {
        Err(bad_time(what, t))
    }
}

/// The error of [`check_time`], kept out of line (callers check on every call).
#[cold]
#[inline(never)]
fn bad_time(what: &str, t: f64) -> crate::Error {
    crate::Error::invalid(format!("{what} {t:?} is not a finite, non-negative number of seconds"))
}
