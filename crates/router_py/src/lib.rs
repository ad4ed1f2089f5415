//! Python bindings of the ccroute engine (`ccroute._ccroute`).
//!
//! Thin by design: conversions, error mapping and the native `Router`. The
//! user-facing API (keyword arguments, docs, validation of Python-only
//! concerns) is the `ccroute` package, which wraps these objects.

mod convert;
mod errors;
mod events;
mod forms;
mod gil;
mod grpc;
mod model;
mod plugin;
mod policy;
mod router;
mod sim;
mod views;

use pyo3::prelude::*;

#[pymodule]
fn _ccroute(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::init(m.py())?;
    m.add_class::<model::Channel>()?;
    m.add_class::<model::Queue>()?;
    m.add_class::<model::Agent>()?;
    m.add_class::<model::Contact>()?;
    m.add_class::<model::Step>()?;
    m.add_class::<model::RoutingProfile>()?;
    m.add_class::<router::NativeRouter>()?;
    m.add_class::<sim::NativeSimulation>()?;
    m.add_class::<sim::NativeStepper>()?;
    m.add_function(wrap_pyfunction!(sim::sample_distribution, m)?)?;
    m.add_class::<policy::PolicySpec>()?;
    m.add_class::<plugin::PolicyContact>()?;
    m.add_class::<plugin::RouterState>()?;
    m.add_class::<plugin::PolicyAgent>()?;
    m.add_class::<plugin::AgentBatch>()?;
    m.add_class::<views::QueueStats>()?;
    m.add_class::<views::AgentView>()?;
    m.add_class::<views::ContactView>()?;
    m.add_class::<views::Explanation>()?;
    m.add_class::<grpc::GrpcFront>()?;
    m.add_class::<grpc::Call>()?;
    events::register(m)?;
    m.add_function(wrap_pyfunction!(router::builtin_policies, m)?)?;
    m.add_function(wrap_pyfunction!(router::contact_statuses, m)?)?;
    m.add_function(wrap_pyfunction!(router::normalize_config, m)?)?;
    m.add_function(wrap_pyfunction!(router::normalize_contact_update, m)?)?;
    m.add_function(wrap_pyfunction!(router::normalize_transfer, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
