//! The adapter that plugs a Python policy object into the core's `Scorer`
//! seam, and the read-only views it hands to that object.
//!
//! The router holds the adapter; each decision re-attaches to the
//! interpreter, builds the views, calls `score` per candidate or
//! `score_many` once, and converts the answer. Any exception is kept whole
//! (as the error's payload) so that a strict router re-raises it unchanged.
//!
//! Nothing here may unwind into the core: a panic while the adapter runs
//! (in the binding, or a `PanicException` raised through the policy's own
//! code) is caught and becomes a policy failure like any other, so the
//! router stays consistent and the fallback decides.
//!
//! The views live in [`views`], the columns for a vectorised `score_many`
//! in [`batch`]; this file holds the adapter itself and its guard.

mod batch;
mod views;

pub use batch::AgentBatch;
pub use views::{PolicyAgent, PolicyContact, RouterState};

use batch::numpy_available;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use router_core::policy::plugin::{AgentInfo, Candidates, ContactInfo, Names, Scorer, ScorerError};
use rustc_hash::FxHashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use views::{agent_view, contact_view, profile_entry, router_state, Mappings, Profiles};

/// A Python policy object behind the core's `Scorer` seam.
pub struct PyScorer {
    obj: Py<PyAny>,
    /// Channel names (fixed for a router), shared by the views.
    channels: Option<Arc<Vec<String>>>,
    /// Requirement mappings shown to the policy, by skill list.
    mappings: Mappings,
    /// `score_many` is overridden: one call per decision.
    vectorised: bool,
    /// `contact_score` is implemented.
    contact_side: bool,
    profiles: Profiles,
    /// The policy's `sees_router` (read at its first decision).
    sees_router: Option<bool>,
    /// The policy overrides `on_event`.
    wants_events: bool,
}

impl PyScorer {
    pub fn new(obj: Py<PyAny>, vectorised: bool, contact_side: bool) -> Self {
        let wants_events = Python::with_gil(|py| overrides_on_event(py, &obj));
        PyScorer {
            obj,
            vectorised,
            contact_side,
            channels: None,
            mappings: FxHashMap::default(),
            profiles: Vec::new(),
            sees_router: None,
            wants_events,
        }
    }

    /// The router's state for this decision, if the policy asks for it.
    fn state(&mut self, py: Python<'_>, names: &dyn Names) -> PyResult<Option<Py<RouterState>>> {
        let sees = match self.sees_router {
            Some(s) => s,
            None => {
                let s = match self.obj.bind(py).getattr(pyo3::intern!(py, "sees_router")) {
                    Ok(v) => v.is_truthy()?,
                    Err(_) => false,
                };
                *self.sees_router.insert(s)
            }
        };
        if sees {
            router_state(py, names).map(Some)
        } else {
            Ok(None)
        }
    }

    fn channel_names(&mut self, names: &dyn Names) -> Arc<Vec<String>> {
        self.channels
            .get_or_insert_with(|| {
                Arc::new(names.channels().into_iter().map(str::to_owned).collect())
            })
            .clone()
    }
}

fn failed(py: Python<'_>, err: PyErr) -> ScorerError {
    let message = match err.value(py).str() {
        Ok(s) => {
            format!("{}: {s}", err.get_type(py).name().map(|n| n.to_string()).unwrap_or_default())
        }
        Err(_) => "policy raised an exception".into(),
    };
    ScorerError { message, payload: Some(Box::new(err)) }
}

/// Runs one hook of the adapter; a panic inside it (the binding's, or a
/// `PanicException` coming back through the policy) becomes a failure
/// carrying a `PanicException`, never an unwind into the core.
fn guarded(
    py: Python<'_>,
    f: impl FnOnce() -> PyResult<Vec<f64>>,
) -> Result<Vec<f64>, ScorerError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(|e| failed(py, e)),
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "unknown panic".to_owned());
            Err(failed(py, pyo3::panic::PanicException::new_err(text)))
        }
    }
}

/// Whether the policy object's class overrides `ccroute.Policy.on_event`.
fn overrides_on_event(py: Python<'_>, obj: &Py<PyAny>) -> bool {
    let base = py
        .import("ccroute.policies")
        .and_then(|m| m.getattr("Policy"))
        .and_then(|p| p.getattr("on_event"));
    let own = obj.bind(py).get_type().getattr("on_event");
    match (base, own) {
        (Ok(base), Ok(own)) => !own.is(&base),
        _ => false,
    }
}

/// Reads a policy's answer: a float64 numpy array, or any sequence of numbers.
fn scores(result: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    // Without numpy nothing can be an array (and checking would panic).
    if !numpy_available(result.py()) {
        return result.extract::<Vec<f64>>();
    }
    if let Ok(arr) = result.downcast::<PyArray1<f64>>() {
        // A contiguous array is copied in one go; a strided one is read
        // element by element below.
        if let Ok(v) = arr.to_vec() {
            return Ok(v);
        }
    }
    result.extract::<Vec<f64>>()
}

impl Scorer for PyScorer {
    fn renumbered(&mut self) {
        self.channels = None;
        self.profiles.clear();
        self.mappings.clear();
    }

    fn score_agents(
        &mut self,
        names: &dyn Names,
        contact: &ContactInfo<'_>,
        agents: &Candidates<'_>,
    ) -> Result<Vec<f64>, ScorerError> {
        Python::with_gil(|py| {
            let run = |py: Python<'_>, me: &mut PyScorer| -> PyResult<Vec<f64>> {
                let state = me.state(py, names)?;
                let c = Py::new(
                    py,
                    contact_view(py, &mut me.mappings, names, contact, state.as_ref())?,
                )?;
                if me.vectorised {
                    let batch = me.batch(py, names, agents)?;
                    let out = me
                        .obj
                        .bind(py)
                        .call_method1(pyo3::intern!(py, "score_many"), (c, batch))?;
                    scores(&out)
                } else {
                    let channels = me.channel_names(names);
                    let score = me.obj.bind(py).getattr(pyo3::intern!(py, "score"))?;
                    let mut out = Vec::with_capacity(agents.len());
                    let mut start = 0;
                    for r in agents.runs {
                        let p = profile_entry(py, &mut me.profiles, names, r.profile, r.skills)?;
                        for i in start..r.end as usize {
                            let view = agent_view(p.clone(), &channels, &agents.get(i));
                            out.push(score.call1((c.clone_ref(py), view))?.extract::<f64>()?);
                        }
                        start = r.end as usize;
                    }
                    Ok(out)
                }
            };
            guarded(py, || run(py, self))
        })
    }

    fn scores_contacts(&self) -> bool {
        self.contact_side
    }

    fn wants_events(&self) -> bool {
        self.wants_events
    }

    fn on_events(
        &mut self,
        _names: &dyn Names,
        events: &[router_core::Event],
    ) -> Result<(), ScorerError> {
        Python::with_gil(|py| {
            guarded(py, || {
                let f = self.obj.bind(py).getattr(pyo3::intern!(py, "on_event"))?;
                for e in crate::events::to_py(py, events.to_vec())? {
                    f.call1((e,))?;
                }
                Ok(Vec::new())
            })
            .map(|_| ())
        })
    }

    fn score_contacts(
        &mut self,
        names: &dyn Names,
        agent: &AgentInfo<'_>,
        contacts: &[ContactInfo<'_>],
    ) -> Result<Vec<f64>, ScorerError> {
        Python::with_gil(|py| {
            let run = |py: Python<'_>, me: &mut PyScorer| -> PyResult<Vec<f64>> {
                let p = profile_entry(py, &mut me.profiles, names, agent.profile, agent.skills)?;
                let channels = me.channel_names(names);
                let a = Py::new(py, agent_view(p, &channels, agent))?;
                let state = me.state(py, names)?;
                let f = me.obj.bind(py).getattr("contact_score")?;
                let mut out = Vec::with_capacity(contacts.len());
                for c in contacts {
                    let view = contact_view(py, &mut me.mappings, names, c, state.as_ref())?;
                    out.push(f.call1((a.clone_ref(py), view))?.extract::<f64>()?);
                }
                Ok(out)
            };
            guarded(py, || run(py, self))
        })
    }
}
