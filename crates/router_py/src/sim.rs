//! The native simulator: a compiled scenario that runs replications with
//! the GIL released. The scenario comes in as JSON text (the `ccroute.sim`
//! package builds it); results come out as the dict `json.loads` would make
//! of `Replication::to_json`, built directly: a long run's per-interval
//! series are hundreds of thousands of numbers, and printing then parsing
//! them cost more than the conversion.

use crate::errors::IntoPyResult;
use crate::gil::detached;
use crate::plugin::PyScorer;
use numpy::{PyArray1, PyReadwriteArray1};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use router_core::policy::plugin::Scorer;
use router_core::sim::{
    Decision, DecisionKind, Dist, GroupMetrics, Metrics, Replication, Scenario, Series, Simulation,
    StepTotals, Stepper, NOT_SIMULATED,
};
use router_core::Router;
use std::sync::Arc;

/// A compiled simulation scenario (native part; `ccroute.sim` wraps it).
#[pyclass(module = "ccroute._ccroute", name = "Simulation", frozen)]
pub struct NativeSimulation {
    inner: Arc<Simulation>,
}

#[pymethods]
impl NativeSimulation {
    /// Compiles a scenario given as JSON; raises `InvalidInput` naming the bad field.
    #[new]
    fn new(py: Python<'_>, scenario: &str) -> PyResult<Self> {
        let scenario = scenario.to_owned();
        let inner =
            detached(py, move || Scenario::from_json(&scenario).and_then(Simulation::new)).py()?;
        Ok(NativeSimulation { inner: Arc::new(inner) })
    }

    /// Starts replication `replication` under step-wise control (see
    /// `Stepper`).
    fn stepper(&self, replication: u32) -> PyResult<NativeStepper> {
        let inner = Stepper::new(self.inner.clone(), replication).py()?;
        let names = inner.observation_names();
        Ok(NativeStepper { inner: Some(inner), names, scratch: Vec::new() })
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

/// A replication run step by step (native part; `ccroute.sim.Stepper`
/// wraps it): it stops at every routing decision and takes the answer
/// from the caller.
#[pyclass(module = "ccroute._ccroute", name = "Stepper")]
pub struct NativeStepper {
    inner: Option<Stepper>,
    names: Vec<String>,
    scratch: Vec<f64>,
}

impl NativeStepper {
    fn get(&mut self) -> PyResult<&mut Stepper> {
        self.inner.as_mut().ok_or_else(|| {
            crate::errors::invalid_state("the stepper is finished: its results were taken")
        })
    }
}

/// The totals as a dict.
fn totals_dict<'py>(py: Python<'py>, t: &StepTotals) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("time", t.time)?;
    d.set_item("arrived", t.arrived)?;
    d.set_item("answered", t.answered)?;
    d.set_item("answered_in_sl", t.answered_in_sl)?;
    d.set_item("abandoned", t.abandoned)?;
    d.set_item("waiting", t.waiting)?;
    d.set_item("wait_area", t.wait_area)?;
    d.set_item("decisions", t.decisions)?;
    d.set_item("holds", t.holds)?;
    Ok(d)
}

/// The decision as a dict; candidates as tuples (agent, agent_group,
/// contact_type, queue, wait, idle, priority, free_units).
fn decision_dict<'py>(py: Python<'py>, d: &Decision) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("kind", d.kind.as_str())?;
    out.set_item("time", d.time)?;
    out.set_item("contact_type", d.contact_type)?;
    out.set_item("queue", d.queue)?;
    out.set_item("wait", d.wait)?;
    out.set_item("agent", d.agent)?;
    out.set_item("agent_group", d.agent_group)?;
    let cands = d
        .candidates
        .iter()
        .map(|c| {
            (
                c.agent,
                c.agent_group,
                c.contact_type,
                c.queue,
                c.wait,
                c.idle,
                c.priority,
                c.free_units,
            )
        })
        .collect::<Vec<_>>();
    out.set_item("candidates", PyList::new(py, cands)?)?;
    Ok(out)
}

#[pymethods]
impl NativeStepper {
    /// Runs to the next decision; true when one is open, false once the
    /// replication is over.
    fn next(&mut self) -> PyResult<bool> {
        Ok(self.get()?.next_decision().py()?.is_some())
    }

    /// The open decision as a dict, or None.
    #[getter]
    fn decision<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let st = self.get()?;
        if st.is_done() {
            return Ok(None);
        }
        match st.next_decision().py()? {
            Some(d) => Ok(Some(decision_dict(py, d)?)),
            None => Ok(None),
        }
    }

    /// Answers the open decision: a candidate's index, or None to hold.
    #[pyo3(signature = (choice))]
    fn decide(&mut self, choice: Option<usize>) -> PyResult<()> {
        self.get()?.decide(choice).py()
    }

    /// The environment's step in one call: answers the open decision with
    /// the candidate of class `action` (route: the agent group; pick: the
    /// contact type), or holds when `action` is negative or names no
    /// candidate (None: answers nothing, as at the start); runs to the
    /// next decision; writes the observation into
    /// `obs` (float64, `len(observation_names)`). Returns the next
    /// decision's kind (0 route, 1 pick) or -1 once the replication is
    /// over, and whether the action named a candidate; writes the totals
    /// into `totals` (float64, 9: time, arrived, answered, answered_in_sl,
    /// abandoned, waiting, wait_area, decisions, holds); and, given
    /// `mask` (int8, one per class plus the hold), marks the classes with
    /// a candidate and the hold with 1.
    #[pyo3(signature = (action, obs, totals, mask=None))]
    fn step_class(
        &mut self,
        action: Option<i64>,
        mut obs: PyReadwriteArray1<'_, f64>,
        mut totals: PyReadwriteArray1<'_, f64>,
        mask: Option<PyReadwriteArray1<'_, i8>>,
    ) -> PyResult<(i8, bool)> {
        let st = self.inner.as_mut().ok_or_else(|| {
            crate::errors::invalid_state("the stepper is finished: its results were taken")
        })?;
        let mut valid = false;
        if let (Some(action), Some(d)) = (action, st.next_decision().py()?) {
            let choice = usize::try_from(action).ok().and_then(|a| {
                d.candidates.iter().position(|c| match d.kind {
                    DecisionKind::Route => c.agent_group as usize == a,
                    DecisionKind::Pick => c.contact_type as usize == a,
                })
            });
            valid = choice.is_some();
            st.decide(choice).py()?;
        }
        let kind = match st.next_decision().py()? {
            None => -1,
            Some(d) => i8::from(d.kind == DecisionKind::Pick),
        };
        let out = obs
            .as_slice_mut()
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("obs: {e}")))?;
        st.observe(out).py()?;
        let t = st.totals();
        let tot = totals
            .as_slice_mut()
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("totals: {e}")))?;
        let values = [
            t.time,
            t.arrived as f64,
            t.answered as f64,
            t.answered_in_sl as f64,
            t.abandoned as f64,
            t.waiting as f64,
            t.wait_area,
            t.decisions as f64,
            t.holds as f64,
        ];
        if tot.len() != values.len() {
            return Err(crate::errors::invalid(format!(
                "totals: the buffer holds {} values, the totals are {}",
                tot.len(),
                values.len()
            )));
        }
        tot.copy_from_slice(&values);
        if let Some(mut mask) = mask {
            let m = mask
                .as_slice_mut()
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("mask: {e}")))?;
            m.fill(0);
            if let Some(hold) = m.last_mut() {
                *hold = 1;
            }
            let n = m.len().saturating_sub(1);
            if let Some(d) = st.next_decision().py()? {
                for c in &d.candidates {
                    let a = match d.kind {
                        DecisionKind::Route => c.agent_group,
                        DecisionKind::Pick => c.contact_type,
                    } as usize;
                    if a < n {
                        m[a] = 1;
                    }
                }
            }
        }
        Ok((kind, valid))
    }

    /// Writes the observation (see `observation_names`) into `out`, a
    /// float64 array of that length; with no array, returns a new one.
    #[pyo3(signature = (out=None))]
    fn observe<'py>(
        &mut self,
        py: Python<'py>,
        out: Option<PyReadwriteArray1<'py, f64>>,
    ) -> PyResult<Option<Bound<'py, PyArray1<f64>>>> {
        let n = self.names.len();
        let st = self.inner.as_mut().ok_or_else(|| {
            crate::errors::invalid_state("the stepper is finished: its results were taken")
        })?;
        match out {
            Some(mut arr) => {
                let slice = arr
                    .as_slice_mut()
                    .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("out: {e}")))?;
                st.observe(slice).py()?;
                Ok(None)
            }
            None => {
                self.scratch.resize(n, 0.0);
                st.observe(&mut self.scratch).py()?;
                Ok(Some(PyArray1::from_slice(py, &self.scratch)))
            }
        }
    }

    /// The names of the observation's entries, in order.
    #[getter]
    fn observation_names(&self) -> Vec<String> {
        self.names.clone()
    }

    /// Running totals (time, arrived, answered, answered_in_sl, abandoned,
    /// waiting, wait_area, decisions, holds).
    fn totals<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let t = self.get()?.totals();
        totals_dict(py, &t)
    }

    /// Contacts handled so far per agent (scenario order).
    fn handled<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<u64>>> {
        let st = self.get()?;
        Ok(PyArray1::from_slice(py, st.handled()))
    }

    /// Whether the replication is over.
    #[getter]
    fn done(&mut self) -> PyResult<bool> {
        Ok(self.get()?.is_done())
    }

    /// The replication's results once it is over (the dict
    /// `Simulation.run` returns); the stepper is finished then.
    fn finish<'py>(&mut self, py: Python<'py>, label: &str) -> PyResult<Bound<'py, PyDict>> {
        let st = self.get()?;
        if !st.is_done() {
            return Err(crate::errors::invalid_state(
                "step: the replication is not over (answer decisions until next() returns False)",
            ));
        }
        let st = self.inner.take().expect("checked");
        let rep = st.finish(label).py()?;
        replication_dict(py, &rep)
    }
}

/// `n` draws of a distribution given as its core JSON, from a stream
/// seeded with `seed` (the simulator's algorithm).
#[pyfunction]
pub fn sample_distribution<'py>(
    py: Python<'py>,
    dist: &str,
    n: usize,
    seed: u64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let d: Dist = serde_json::from_str(dist)
        .map_err(|e| crate::errors::invalid(format!("distribution: {e}")))?;
    let xs = d.sample(n, seed).py()?;
    Ok(PyArray1::from_vec(py, xs))
}
