//! The native simulator: a compiled scenario that runs replications with
//! the GIL released. Scenario in and results out are JSON text; the
//! `ccroute.sim` package builds the one and reads the other.

use crate::errors::IntoPyResult;
use crate::plugin::PyScorer;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use router_core::policy::plugin::Scorer;
use router_core::sim::{Scenario, Simulation};
use router_core::Router;

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

    /// Runs replication `replication` and returns its results as JSON.
    ///
    /// `policy`: a built-in name or a `PolicySpec` (`Chain`, `Weighted`),
    /// default the scenario's; with `plugin`, it is the plug-in's fallback.
    /// `plugin`: a `ccroute.policies.Policy` object scoring candidates; the
    /// event loop still runs in Rust with the GIL released, and re-attaches
    /// to the interpreter for each decision the plug-in scores. With
    /// `strict`, the first exception the plug-in raises stops the run and
    /// is re-raised unchanged; otherwise failed decisions fall back and are
    /// counted in `policy_errors`. `label` names the policy in the results.
    #[pyo3(signature = (replication, policy=None, plugin=None, vectorised=false, contact_side=false, strict=false, label=None))]
    #[allow(clippy::too_many_arguments)]
    fn run(
        &self,
        py: Python<'_>,
        replication: u32,
        policy: Option<&Bound<'_, PyAny>>,
        plugin: Option<Py<PyAny>>,
        vectorised: bool,
        contact_side: bool,
        strict: bool,
        label: Option<String>,
    ) -> PyResult<String> {
        let sim = &self.inner;
        let mut config = sim.router_config(replication, sim.scenario().policy_kind().py()?);
        let mut name = sim.scenario().policy.clone();
        if let Some(p) = policy {
            config.policy = crate::policy::extract(p)?;
            name = p.str()?.to_string();
        }
        let mut router = Router::new(config).py()?;
        if let Some(obj) = plugin {
            router.set_scorer(Some(Box::new(PyScorer::new(obj, vectorised, contact_side)) as Box<dyn Scorer>));
        }
        let label = label.unwrap_or(name);
        let result = py.allow_threads(|| sim.run_on(replication, &mut router, &label, strict));
        if let Some(err) = router.take_scorer_error() {
            if strict {
                let original = err.payload.and_then(|p| p.downcast::<PyErr>().ok()).map(|b| *b);
                return Err(original.unwrap_or_else(|| PyRuntimeError::new_err(err.message)));
            }
        }
        result.map(|r| r.to_json()).py()
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
