//! The native router: converts arguments, calls the core, converts events.

use crate::errors::{internal, invalid, IntoPyResult};
use crate::events;
use crate::gil::detached;
use crate::model::{Agent, Channel, Contact, Queue, RoutingProfile};
use crate::plugin::PyScorer;
use crate::views::{AgentView, ContactView, Explanation, QueueStats};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use router_core::{
    AgentState, CallbackOutcome, ContactSpec, ContactUpdate, PolicyKind, RouterConfig, TransferSpec,
};

/// Batches at least this large run with the GIL released.
const DETACH_BATCH: usize = 256;

/// The routing engine (native part; `ccroute.Router` wraps it).
#[pyclass(module = "ccroute._ccroute", name = "Router")]
pub struct NativeRouter {
    inner: router_core::Router,
    /// Set when a call panicked: the router may be half-way through a
    /// change, so every later call is refused (see [`NativeRouter::guard`]).
    fault: Option<String>,
    /// What the last `assign_batch` call did.
    last_batch: Option<router_core::router::BatchReport>,
    /// Re-raise a plug-in policy's exception instead of logging it.
    strict: bool,
    /// Whether the plug-in policy's first failure has been logged.
    logged: bool,
}

impl NativeRouter {
    /// A fresh binding state around a core router.
    fn wrap(inner: router_core::Router) -> Self {
        NativeRouter { inner, fault: None, strict: false, logged: false, last_batch: None }
    }
}

#[pymethods]
impl NativeRouter {
    #[new]
    #[pyo3(signature = (channels, queues, policy=None, offer_timeout=None, seed=0, affinity=true, affinity_wait=0.0, retain_finished=None, routing_profiles=None, condition_interval=5.0, batch_window=None, missed_offer_state="away", exclusion_expires_after=Some(60.0), epoch=0.0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        channels: &Bound<'_, PyAny>,
        queues: &Bound<'_, PyAny>,
        policy: Option<&Bound<'_, PyAny>>,
        offer_timeout: Option<f64>,
        seed: i64,
        affinity: bool,
        affinity_wait: f64,
        retain_finished: Option<i64>,
        routing_profiles: Option<&Bound<'_, PyAny>>,
        condition_interval: f64,
        batch_window: Option<f64>,
        missed_offer_state: &str,
        exclusion_expires_after: Option<f64>,
        epoch: f64,
    ) -> PyResult<Self> {
        let missed_offer_state = AgentState::parse(missed_offer_state).map_err(|_| {
            invalid(format!(
                "missed_offer_state {missed_offer_state:?} is not offline, available or away"
            ))
        })?;
        let mut profiles = Vec::new();
        if let Some(list) = routing_profiles {
            for item in list.try_iter()? {
                let item = item?;
                let rp = item.downcast::<RoutingProfile>().map_err(|_| {
                    invalid(format!(
                        "routing_profiles must be RoutingProfile objects, got {}",
                        crate::convert::repr(&item)
                    ))
                })?;
                profiles.push(rp.get().cfg.clone());
            }
        }
        let mut chans = Vec::new();
        for item in channels.try_iter()? {
            let item = item?;
            let ch = item.downcast::<Channel>().map_err(|_| {
                invalid(format!(
                    "channels must be Channel objects, got {}",
                    crate::convert::repr(&item)
                ))
            })?;
            chans.push(ch.get().cfg.clone());
        }
        let mut qs = Vec::new();
        for item in queues.try_iter()? {
            let item = item?;
            let q = item.downcast::<Queue>().map_err(|_| {
                invalid(format!(
                    "queues must be Queue objects, got {}",
                    crate::convert::repr(&item)
                ))
            })?;
            qs.push(q.get().cfg.clone());
        }
        let seed = u64::try_from(seed).map_err(|_| invalid(format!("seed {seed} is negative")))?;
        let retain_finished = retain_finished
            .map(|n| {
                usize::try_from(n).map_err(|_| invalid(format!("retain_finished {n} is negative")))
            })
            .transpose()?;
        let config = RouterConfig {
            channels: chans,
            queues: qs,
            policy: match policy {
                Some(p) => crate::policy::extract(p)?,
                None => PolicyKind::LongestIdle.into(),
            },
            offer_timeout,
            seed,
            affinity,
            affinity_wait,
            retain_finished,
            routing_profiles: profiles,
            condition_interval,
            batch_window,
            missed_offer_state,
            exclusion_expires_after,
            plugin: None,
            epoch,
        };
        Ok(NativeRouter::wrap(router_core::Router::new(config).py()?))
    }

    /// A router from a configuration in plain data (the form of
    /// ``config()``; model objects may stand for their records).
    #[staticmethod]
    fn from_config(config: &Bound<'_, PyAny>) -> PyResult<Self> {
        let config: RouterConfig = crate::forms::from_py("configuration", config)?;
        Ok(NativeRouter::wrap(router_core::Router::new(config).py()?))
    }

    /// Replaces the configuration while the router runs (plain data, the
    /// form of ``config()``); ``moves`` maps each removed queue that still
    /// holds contacts to the queue they go to.
    #[pyo3(signature = (config, now, moves=None))]
    fn reconfigure(
        &mut self,
        py: Python<'_>,
        config: &Bound<'_, PyAny>,
        now: f64,
        moves: Option<Vec<(String, String)>>,
    ) -> PyResult<Vec<PyObject>> {
        let config: RouterConfig = crate::forms::from_py("configuration", config)?;
        let moves = moves.unwrap_or_default();
        let ev = self.guard(|r| r.reconfigure(config, &moves, now, Vec::new()))?;
        self.done(py, ev)
    }

    /// The configuration in force, as plain data (every field).
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, self.inner.config())
    }

    fn add_agent(
        &mut self,
        py: Python<'_>,
        agent: PyRef<'_, Agent>,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.add_agent(&agent.spec, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn update_agent(
        &mut self,
        py: Python<'_>,
        agent: PyRef<'_, Agent>,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.update_agent(&agent.spec, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn remove_agent(&mut self, py: Python<'_>, agent: &str, now: f64) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.remove_agent(agent, now, Vec::new()))?;
        self.done(py, ev)
    }

    #[pyo3(signature = (agent, state, now, reason = ""))]
    fn set_agent_state(
        &mut self,
        py: Python<'_>,
        agent: &str,
        state: &str,
        now: f64,
        reason: &str,
    ) -> PyResult<Vec<PyObject>> {
        let state = AgentState::parse(state).py()?;
        let ev = self.guard(|r| r.set_agent_state(agent, state, reason, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn submit(
        &mut self,
        py: Python<'_>,
        contact: PyRef<'_, Contact>,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.submit(&contact.spec, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn submit_many(
        &mut self,
        py: Python<'_>,
        contacts: &Bound<'_, PyAny>,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let mut held: Vec<Bound<'_, Contact>> = Vec::new();
        for item in contacts.try_iter()? {
            let item = item?;
            let c = item.downcast_into::<Contact>().map_err(|e| {
                invalid(format!(
                    "submit_many takes Contact objects, got {}",
                    crate::convert::repr(e.into_inner().as_any())
                ))
            })?;
            held.push(c);
        }
        let specs: Vec<&ContactSpec> = held.iter().map(|c| &c.get().spec).collect();
        // A Python plug-in needs the interpreter for every decision:
        // releasing it for the batch would only add a re-acquisition each.
        let ev = self.guard(|inner| {
            if specs.len() >= DETACH_BATCH && !inner.has_scorer() {
                detached(py, || inner.submit_many(specs.iter().copied(), now, Vec::new()))
            } else {
                inner.submit_many(specs.iter().copied(), now, Vec::new())
            }
        })?;
        self.done(py, ev)
    }

    fn accept(
        &mut self,
        py: Python<'_>,
        contact: &str,
        agent: &str,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.accept(contact, agent, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn reject(
        &mut self,
        py: Python<'_>,
        contact: &str,
        agent: &str,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.reject(contact, agent, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn force_assign(
        &mut self,
        py: Python<'_>,
        contact: &str,
        agent: &str,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.force_assign(contact, agent, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn complete(&mut self, py: Python<'_>, contact: &str, now: f64) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.complete(contact, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn cancel(&mut self, py: Python<'_>, contact: &str, now: f64) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.cancel(contact, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn pause(&mut self, py: Python<'_>, contact: &str, now: f64) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.pause(contact, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn resume(&mut self, py: Python<'_>, contact: &str, now: f64) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.resume(contact, now, Vec::new()))?;
        self.done(py, ev)
    }

    /// Changes a waiting or offered contact; `update` is the plain-data
    /// form of a `ContactUpdate` (every field optional, `None` keeps).
    fn update_contact(
        &mut self,
        py: Python<'_>,
        contact: &str,
        update: &Bound<'_, PyAny>,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let update: ContactUpdate = crate::forms::from_py("update", update)?;
        let ev = self.guard(|r| r.update_contact(contact, &update, now, Vec::new()))?;
        self.done(py, ev)
    }

    /// Sends an assigned contact to another queue or agent; `transfer` is
    /// the plain-data form of a `TransferSpec`.
    fn transfer(
        &mut self,
        py: Python<'_>,
        contact: &str,
        transfer: &Bound<'_, PyAny>,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let spec: TransferSpec = crate::forms::from_py("transfer", transfer)?;
        let ev = self.guard(|r| r.transfer(contact, &spec, now, Vec::new()))?;
        self.done(py, ev)
    }

    /// The outcome of the call an agent placed for a callback.
    fn callback_result(
        &mut self,
        py: Python<'_>,
        contact: &str,
        outcome: &str,
        now: f64,
    ) -> PyResult<Vec<PyObject>> {
        let outcome = CallbackOutcome::parse(outcome).py()?;
        let ev = self.guard(|r| r.callback_result(contact, outcome, now, Vec::new()))?;
        self.done(py, ev)
    }

    fn assign_batch(&mut self, py: Python<'_>, now: f64) -> PyResult<Vec<PyObject>> {
        let (ev, report) = self.guard(|r| r.assign_batch(now, Vec::new()))?;
        self.last_batch = Some(report);
        self.done(py, ev)
    }

    /// What the last `assign_batch` did: contacts and agents that took
    /// part, assignments made and their total score.
    #[getter]
    fn last_batch<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.last_batch
            .as_ref()
            .map(|r| {
                let d = PyDict::new(py);
                d.set_item("contacts", r.contacts)?;
                d.set_item("agents", r.agents)?;
                d.set_item("assigned", r.assigned)?;
                d.set_item("score", r.score)?;
                Ok(d)
            })
            .transpose()
    }

    fn advance(&mut self, py: Python<'_>, now: f64) -> PyResult<Vec<PyObject>> {
        let ev = self.guard(|r| r.advance(now, Vec::new()))?;
        self.done(py, ev)
    }

    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for s in self.inner.stats() {
            d.set_item(s.name.clone(), QueueStats::from(s))?;
        }
        Ok(d)
    }

    fn agent(&self, py: Python<'_>, agent: &str) -> PyResult<AgentView> {
        AgentView::new(py, self.inner.agent_view(agent).py()?)
    }

    fn contact(&self, py: Python<'_>, contact: &str) -> PyResult<ContactView> {
        ContactView::new(py, self.inner.contact_view(contact).py()?)
    }

    fn is_open(&self, queue: &str, at: f64) -> PyResult<bool> {
        self.inner.is_open(queue, at).py()
    }

    fn next_change(&self, queue: &str, at: f64) -> PyResult<Option<f64>> {
        self.inner.next_change(queue, at).py()
    }

    fn explain(&self, py: Python<'_>, contact: &str) -> PyResult<Explanation> {
        Explanation::new(py, self.inner.explain(contact).py()?)
    }

    fn agents_by_state<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let s = self.inner.agents_by_state();
        let d = PyDict::new(py);
        d.set_item("offline", s.offline)?;
        d.set_item("available", s.available)?;
        d.set_item("away", s.away)?;
        d.set_item("busy", s.busy)?;
        d.set_item("idle", s.idle)?;
        Ok(d)
    }

    fn agent_ids(&self) -> Vec<String> {
        self.inner.agent_ids()
    }

    fn waiting(&self, queue: &str) -> PyResult<Vec<String>> {
        self.inner.waiting_ids(queue).py()
    }

    #[getter]
    fn now(&self) -> f64 {
        self.inner.now()
    }

    #[getter]
    fn policy(&self) -> String {
        self.inner.policy().to_string()
    }

    #[getter]
    fn decisions(&self) -> u64 {
        self.inner.decisions()
    }

    #[getter]
    fn timer_events(&self) -> usize {
        self.inner.timer_events()
    }

    #[getter]
    fn live_contacts(&self) -> usize {
        self.inner.live_contacts()
    }

    fn next_timer(&self) -> Option<f64> {
        self.inner.next_timer()
    }

    fn snapshot<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyBytes> {
        pyo3::types::PyBytes::new(py, &self.inner.snapshot())
    }

    #[staticmethod]
    fn restore(py: Python<'_>, data: &[u8]) -> PyResult<Self> {
        let data = data.to_vec();
        let inner = detached(py, move || router_core::Router::restore(&data)).py()?;
        Ok(NativeRouter::wrap(inner))
    }

    /// Plugs in a Python policy object (`None` removes it); the built-in
    /// policy stays as the fallback.
    #[pyo3(signature = (policy, vectorised=false, contact_side=false, strict=false))]
    fn set_plugin(
        &mut self,
        py: Python<'_>,
        policy: Option<Py<PyAny>>,
        vectorised: bool,
        contact_side: bool,
        strict: bool,
    ) -> PyResult<()> {
        self.strict = strict;
        self.logged = false;
        let scorer = match policy {
            None => None,
            Some(p) => {
                let name = p.bind(py).get_type().qualname()?.to_string();
                let s = Box::new(PyScorer::new(p, vectorised, contact_side))
                    as Box<dyn router_core::policy::plugin::Scorer>;
                Some((s, name))
            }
        };
        self.inner.set_scorer_named(scorer);
        Ok(())
    }

    /// The class name of the plug-in policy in use (kept in snapshots), or
    /// `None`.
    #[getter]
    fn plugin_name(&self) -> Option<String> {
        self.inner.config().plugin.clone()
    }

    /// Decisions in which the plug-in policy failed and the fallback decided.
    #[getter]
    fn policy_errors(&self) -> u64 {
        self.inner.scorer_failures()
    }

    /// Makes the next guarded call panic, to test the guard (not public API).
    fn _inject_fault(&mut self) -> PyResult<Vec<PyObject>> {
        self.guard(|_| -> router_core::Result<Vec<router_core::Event>> {
            panic!("fault injected by a test")
        })?;
        Ok(Vec::new())
    }

    fn check_invariants(&self) -> PyResult<()> {
        self.inner.check_invariants().map_err(pyo3::exceptions::PyAssertionError::new_err)
    }
}

impl NativeRouter {
    /// Runs one mutating core call. A panic there is a fault of the engine
    /// (no input may cause one): it becomes `InternalError` instead of
    /// crossing into Python, and since the router may have stopped half-way
    /// through a change, every later call is refused with the same error
    /// until the caller restores it from a snapshot.
    fn guard<T>(
        &mut self,
        f: impl FnOnce(&mut router_core::Router) -> router_core::Result<T>,
    ) -> PyResult<T> {
        if let Some(why) = &self.fault {
            return Err(internal(format!(
                "the router stopped after an internal fault ({why}); restore it from a snapshot taken before"
            )));
        }
        let inner = &mut self.inner;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(inner))) {
            Ok(result) => result.py(),
            Err(payload) => {
                let why = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic".to_string());
                self.fault = Some(why.clone());
                Err(internal(format!(
                    "internal fault: {why}; the router refuses further calls: restore it from a snapshot taken before"
                )))
            }
        }
    }

    /// Ends a mutating call: surfaces a plug-in policy failure (re-raised
    /// unchanged when strict, with the call's events delivered by the next
    /// call; otherwise logged once), then converts the events.
    fn done(&mut self, py: Python<'_>, ev: Vec<router_core::Event>) -> PyResult<Vec<PyObject>> {
        if let Some(err) = self.inner.take_scorer_error() {
            let original = err.payload.and_then(|p| p.downcast::<PyErr>().ok()).map(|b| *b);
            // KeyboardInterrupt, SystemExit and the like are not policy
            // failures: they always propagate (the call's events are kept
            // for the next call). A panic caught in the adapter is one.
            let fatal = original.as_ref().is_some_and(|e| {
                !e.is_instance_of::<pyo3::exceptions::PyException>(py)
                    && !e.is_instance_of::<pyo3::panic::PanicException>(py)
            });
            if self.strict || fatal {
                self.inner.defer_events(ev);
                return Err(original.unwrap_or_else(|| crate::errors::invalid(err.message)));
            }
            if !self.logged {
                self.logged = true;
                log_failure(py, &err.message, original)?;
            }
        }
        events::to_py(py, ev)
    }
}

/// Logs a plug-in policy's first failure on the `ccroute.policy` logger.
fn log_failure(py: Python<'_>, message: &str, original: Option<PyErr>) -> PyResult<()> {
    let logger = py.import("logging")?.getattr("getLogger")?.call1(("ccroute.policy",))?;
    let kwargs = pyo3::types::PyDict::new(py);
    if let Some(e) = original {
        kwargs.set_item("exc_info", e.into_value(py))?;
    }
    logger.call_method(
        "error",
        ("plug-in policy failed (%s); the built-in fallback policy decided, and will again on further failures (counted in Router.policy_errors)", message),
        Some(&kwargs),
    )?;
    Ok(())
}

/// A configuration in plain data, checked (as `Router.from_config` would)
/// and written back in full: every field, defaults filled in.
#[pyfunction]
pub fn normalize_config<'py>(
    py: Python<'py>,
    config: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let config: RouterConfig = crate::forms::from_py("configuration", config)?;
    let router = router_core::Router::new(config).py()?;
    crate::forms::to_py(py, router.config())
}

/// A contact update in plain data, checked for its types (as
/// `Router.update_contact` reads it) and written back in full: every field,
/// `None` for those not given.
#[pyfunction]
pub fn normalize_contact_update<'py>(
    py: Python<'py>,
    update: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let update: ContactUpdate = crate::forms::from_py("update", update)?;
    crate::forms::to_py(py, &update)
}

/// A transfer in plain data, checked for its types (as `Router.transfer`
/// reads it) and written back in full: every field, `None` for those not
/// given, defaults filled in.
#[pyfunction]
pub fn normalize_transfer<'py>(
    py: Python<'py>,
    transfer: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let transfer: TransferSpec = crate::forms::from_py("transfer", transfer)?;
    crate::forms::to_py(py, &transfer)
}

/// The names of every contact status (`ContactView.status`).
#[pyfunction]
pub fn contact_statuses() -> Vec<&'static str> {
    router_core::ContactStatus::ALL.iter().map(|s| s.as_str()).collect()
}

/// The names of the built-in policies.
#[pyfunction]
pub fn builtin_policies<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, PolicyKind::ALL.iter().map(|p| p.name()))
}
