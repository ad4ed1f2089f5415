//! The native simulator: a compiled scenario that runs replications with
//! the GIL released. Scenario in and results out are JSON text; the
//! `ccroute.sim` package builds the one and reads the other.

use crate::errors::IntoPyResult;
use pyo3::prelude::*;
use router_core::sim::{Scenario, Simulation};
use router_core::PolicyKind;

/// A compiled simulation scenario (native part; `ccroute.sim` wraps it).
#[pyclass(module = "ccroute._ccroute", name = "Simulation", frozen)]
pub struct NativeSimulation {
    inner: Simulation,
}

#[pymethods]
impl NativeSimulation {
    /// Compiles a scenario given as JSON; raises `InvalidInput` naming the bad field.
    #[new]
    fn new(py: Python<'_>, scenario: &str) -> PyResult<Self> {
        let scenario = scenario.to_owned();
        let inner = py.allow_threads(move || Scenario::from_json(&scenario).and_then(Simulation::new)).py()?;
        Ok(NativeSimulation { inner })
    }

    /// Runs replication `replication` under a built-in policy (default: the
    /// scenario's) with the GIL released; returns the results as JSON.
    ///
    /// Plug-in (Python) policies are the next step: build the router with
    /// `Simulation::router_config`, attach the scorer, and call
    /// `Simulation::run_with_router` holding the GIL.
    #[pyo3(signature = (replication, policy=None))]
    fn run(&self, py: Python<'_>, replication: u32, policy: Option<&str>) -> PyResult<String> {
        let policy = policy.map(PolicyKind::parse).transpose().py()?;
        let sim = &self.inner;
        py.allow_threads(move || match policy {
            Some(p) => sim.run_with(replication, p),
            None => sim.run(replication),
        })
        .map(|r| r.to_json())
        .py()
    }

    /// Number of replications the scenario asks for.
    #[getter]
    fn replications(&self) -> u32 {
        self.inner.scenario().replications
    }

    /// The scenario's policy name.
    #[getter]
    fn policy(&self) -> String {
        self.inner.scenario().policy.clone()
    }
}
