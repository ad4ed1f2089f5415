//! The native simulator: a compiled scenario that runs replications with
//! the GIL released. The scenario comes in as JSON text (the `ccroute.sim`
//! package builds it); results come out as the dict `json.loads` would make
//! of `Replication::to_json`, built directly: a long run's per-interval
//! series are hundreds of thousands of numbers, and printing then parsing
//! them cost more than the conversion.

use crate::errors::IntoPyResult;
use crate::gil::detached;
use crate::plugin::PyScorer;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use router_core::policy::plugin::Scorer;
use router_core::sim::{
    GroupMetrics, Metrics, Replication, Scenario, Series, Simulation, NOT_SIMULATED,
};
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
        let inner =
            detached(py, move || Scenario::from_json(&scenario).and_then(Simulation::new)).py()?;
        Ok(NativeSimulation { inner })
    }

    /// Runs replication `replication` and returns its results (a dict, as
    /// `json.loads` reads `Replication::to_json`).
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
    ) -> PyResult<Py<PyDict>> {
        let sim = &self.inner;
        let mut config = sim.router_config(replication);
        if let Some(p) = policy {
            config.policy = crate::policy::extract(p)?;
        }
        let label = label.unwrap_or_else(|| config.policy.to_string());
        let mut router = Router::new(config).py()?;
        if let Some(obj) = plugin {
            router.set_scorer(Some(
                Box::new(PyScorer::new(obj, vectorised, contact_side)) as Box<dyn Scorer>
            ));
        }
        let result = detached(py, || sim.run_on(replication, &mut router, &label, strict));
        if let Some(err) = router.take_scorer_error() {
            if strict {
                let original = err.payload.and_then(|p| p.downcast::<PyErr>().ok()).map(|b| *b);
                return Err(original.unwrap_or_else(|| PyRuntimeError::new_err(err.message)));
            }
        }
        let rep = result.py()?;
        Ok(replication_dict(py, &rep)?.unbind())
    }

    /// The fields of the router's configuration a scenario does not carry
    /// (offers, retention, plug-in, per-replication seed; see
    /// `router_core::sim::NOT_SIMULATED` for why).
    #[classattr]
    #[pyo3(name = "NOT_SIMULATED")]
    fn not_simulated() -> Vec<&'static str> {
        NOT_SIMULATED.to_vec()
    }

    /// The contact types no agent group can ever serve, each with why.
    #[getter]
    fn unservable(&self) -> Vec<String> {
        self.inner.scenario().unservable_types()
    }

    /// Number of replications the scenario asks for.
    #[getter]
    fn replications(&self) -> u32 {
        self.inner.scenario().replications
    }

    /// The scenario's policy as results label it (`most_skilled`,
    /// `chain(least_occupied, longest_idle)`, ...).
    #[getter]
    fn policy(&self) -> String {
        self.inner.scenario().policy.to_string()
    }
}

/// A float as JSON carries it: a non-finite one is `null`.
fn float(py: Python<'_>, x: f64) -> PyObject {
    if x.is_finite() {
        x.into_pyobject(py).expect("float").into_any().unbind()
    } else {
        py.None()
    }
}

fn opt(py: Python<'_>, x: Option<f64>) -> PyObject {
    x.map_or_else(|| py.None(), |x| float(py, x))
}

fn floats<'py>(py: Python<'py>, xs: &[Option<f64>]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, xs.iter().map(|&x| opt(py, x)))
}

fn metrics<'py>(py: Python<'py>, m: &Metrics) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", &m.name)?;
    d.set_item("offered", m.offered)?;
    d.set_item("answered", m.answered)?;
    d.set_item("abandoned", m.abandoned)?;
    d.set_item("refused", m.refused)?;
    d.set_item("cancelled", m.cancelled)?;
    d.set_item("unfinished", m.unfinished)?;
    d.set_item("unfinished_late", m.unfinished_late)?;
    d.set_item("answered_in_sl", m.answered_in_sl)?;
    d.set_item("service_level", opt(py, m.service_level))?;
    d.set_item("abandon_rate", opt(py, m.abandon_rate))?;
    d.set_item("p_wait", opt(py, m.p_wait))?;
    d.set_item("asa", opt(py, m.asa))?;
    d.set_item("mean_wait", opt(py, m.mean_wait))?;
    d.set_item("wait_p90", opt(py, m.wait_p90))?;
    Ok(d)
}

fn group<'py>(py: Python<'py>, g: &GroupMetrics) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", &g.name)?;
    d.set_item("agents", g.agents)?;
    d.set_item("staffed_time", float(py, g.staffed_time))?;
    d.set_item("occupancy", opt(py, g.occupancy))?;
    let util = g
        .utilisation
        .iter()
        .map(|(c, u)| PyList::new(py, [c.into_pyobject(py)?.into_any().unbind(), opt(py, *u)]))
        .collect::<PyResult<Vec<_>>>()?;
    d.set_item("utilisation", PyList::new(py, util)?)?;
    d.set_item("handled", PyList::new(py, &g.handled)?)?;
    d.set_item("handled_mean", float(py, g.handled_mean))?;
    d.set_item("handled_cv", float(py, g.handled_cv))?;
    Ok(d)
}

fn series<'py>(py: Python<'py>, s: &Series) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("name", &s.name)?;
    d.set_item("offered", PyList::new(py, &s.offered)?)?;
    d.set_item("answered", PyList::new(py, &s.answered)?)?;
    d.set_item("abandoned", PyList::new(py, &s.abandoned)?)?;
    d.set_item("answered_in_sl", PyList::new(py, &s.answered_in_sl)?)?;
    d.set_item("unfinished_late", PyList::new(py, &s.unfinished_late)?)?;
    d.set_item("service_level", floats(py, &s.service_level)?)?;
    d.set_item("asa", floats(py, &s.asa)?)?;
    Ok(d)
}

/// The replication as the dict `json.loads(rep.to_json())` makes (same
/// keys in the same order, lists for sequences and pairs).
fn replication_dict<'py>(py: Python<'py>, r: &Replication) -> PyResult<Bound<'py, PyDict>> {
    let list = |ms: &[Metrics]| -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, ms.iter().map(|m| metrics(py, m)).collect::<PyResult<Vec<_>>>()?)
    };
    let d = PyDict::new(py);
    d.set_item("policy", &r.policy)?;
    d.set_item("replication", r.replication)?;
    d.set_item("seed", r.seed)?;
    d.set_item("queues", list(&r.queues)?)?;
    d.set_item("channels", list(&r.channels)?)?;
    d.set_item("types", list(&r.types)?)?;
    d.set_item("total", metrics(py, &r.total)?)?;
    d.set_item(
        "groups",
        PyList::new(py, r.groups.iter().map(|g| group(py, g)).collect::<PyResult<Vec<_>>>()?)?,
    )?;
    d.set_item("interval", float(py, r.interval))?;
    d.set_item(
        "series",
        PyList::new(py, r.series.iter().map(|s| series(py, s)).collect::<PyResult<Vec<_>>>()?)?,
    )?;
    d.set_item("contacts", r.contacts)?;
    d.set_item("live_peak", r.live_peak)?;
    d.set_item("decisions", r.decisions)?;
    d.set_item("policy_errors", r.policy_errors)?;
    d.set_item("end_time", float(py, r.end_time))?;
    Ok(d)
}
