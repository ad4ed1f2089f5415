//! Configuration and input records as Python classes (frozen, cheap to pass
//! in bulk: the router borrows the Rust record inside each object).
//!
//! One file per group a user meets: [`config`] holds what builds the router
//! (`Channel`, `Queue`, `RoutingProfile`), [`agent`] the agent record,
//! [`contact`] the contact and its relaxation steps; [`repr`] the Python
//! reprs they share.

mod agent;
mod config;
mod contact;
mod repr;

pub use agent::Agent;
pub use config::{Channel, Queue, RoutingProfile};
pub use contact::{Contact, Step};

use pyo3::prelude::*;

/// The record of a model object met inside plain data (`from_dict` of a
/// configuration holding `Channel` objects, ...), or `None` for anything else.
pub fn record_of(obj: &Bound<'_, PyAny>) -> Option<Result<serde_json::Value, String>> {
    use crate::forms::json_of;
    if let Ok(o) = obj.downcast::<Channel>() {
        return Some(json_of(&o.get().cfg));
    }
    if let Ok(o) = obj.downcast::<Queue>() {
        return Some(json_of(&o.get().cfg));
    }
    if let Ok(o) = obj.downcast::<RoutingProfile>() {
        return Some(json_of(&o.get().cfg));
    }
    if let Ok(o) = obj.downcast::<Agent>() {
        return Some(json_of(&o.get().spec));
    }
    if let Ok(o) = obj.downcast::<Step>() {
        return Some(json_of(&o.get().spec));
    }
    if let Ok(o) = obj.downcast::<Contact>() {
        return Some(json_of(&o.get().spec));
    }
    if let Ok(o) = obj.downcast::<crate::policy::PolicySpec>() {
        return Some(json_of(&o.get().policy));
    }
    None
}
