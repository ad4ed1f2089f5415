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

use crate::convert::attrs_dict;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use router_core::policy::plugin::{
    AgentInfo, Candidates, ContactInfo, Names, Scorer, ScorerError, SlotIds,
};
use router_core::{Attrs, Id};
use rustc_hash::FxHashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

/// Whether numpy can be imported (checked once). rust-numpy panics when it
/// cannot load numpy's C API, so every use of an array goes through this.
fn numpy_available(py: Python<'_>) -> bool {
    static AVAILABLE: pyo3::sync::GILOnceCell<bool> = pyo3::sync::GILOnceCell::new();
    *AVAILABLE.get_or_init(py, || py.import("numpy").is_ok())
}

/// Fails with a clear `ImportError` when numpy is missing.
fn need_numpy(py: Python<'_>, what: &str) -> PyResult<()> {
    if numpy_available(py) {
        Ok(())
    } else {
        Err(pyo3::exceptions::PyImportError::new_err(format!(
            "AgentBatch.{what} is a numpy array and numpy cannot be imported: pip install numpy \
             (or score one agent at a time with Policy.score)"
        )))
    }
}

/// An agent skill profile as Python sees it (shared by its agents).
struct ProfileEntry {
    skills: Vec<(String, u8)>,
    /// A read-only mapping `{skill: level}`.
    mapping: Py<PyAny>,
}

/// Profile entries by profile number, built on first use.
type Profiles = Vec<Option<Arc<ProfileEntry>>>;

fn profile_entry(
    py: Python<'_>,
    cache: &mut Profiles,
    names: &dyn Names,
    profile: u32,
    skills: &[(u32, u8)],
) -> PyResult<Arc<ProfileEntry>> {
    let p = profile as usize;
    if let Some(Some(e)) = cache.get(p) {
        return Ok(e.clone());
    }
    let skills: Vec<(String, u8)> =
        skills.iter().map(|&(s, l)| (names.skill(s).to_owned(), l)).collect();
    let mapping = read_only(py, &skills)?;
    let e = Arc::new(ProfileEntry { skills, mapping });
    if cache.len() <= p {
        cache.resize(p + 1, None);
    }
    cache[p] = Some(e.clone());
    Ok(e)
}

impl ProfileEntry {
    fn level(&self, skill: &str) -> u8 {
        self.skills.iter().find(|(s, _)| s == skill).map_or(0, |(_, l)| *l)
    }
}

fn read_only(py: Python<'_>, skills: &[(String, u8)]) -> PyResult<Py<PyAny>> {
    let d = PyDict::new(py);
    for (k, v) in skills {
        d.set_item(k, v)?;
    }
    static PROXY: pyo3::sync::GILOnceCell<Py<PyAny>> = pyo3::sync::GILOnceCell::new();
    let class = PROXY.get_or_try_init(py, || {
        py.import("types")?.getattr("MappingProxyType").map(Bound::unbind)
    })?;
    Ok(class.bind(py).call1((d,))?.unbind())
}

/// What a policy sees of a contact (read-only).
#[pyclass(frozen, module = "ccroute")]
pub struct PolicyContact {
    /// Contact id.
    pub id: String,
    /// Channel name.
    pub channel: String,
    /// Queue name.
    pub queue: String,
    /// Priority.
    pub priority: i64,
    /// Seconds waited so far.
    pub wait: f64,
    /// Requirements in force `{skill: level}` (read-only).
    pub requires: Py<PyAny>,
    /// Preferred skills `{skill: level}` (read-only).
    pub prefers: Py<PyAny>,
    /// Customer id.
    pub customer: Option<String>,
    /// Free-form attributes.
    pub attributes: Attrs,
    /// The router as it stands at the decision, for a policy with
    /// `sees_router = True`.
    pub router: Option<Py<RouterState>>,
    /// The router's time at the decision (the simulated clock in a simulation).
    pub now: f64,
}

/// A read-only look at the router as it stands at a routing decision:
/// what a plug-in policy with `sees_router = True` finds in
/// `contact.router` (the router itself cannot be called during a decision).
#[pyclass(frozen, module = "ccroute")]
pub struct RouterState {
    now: f64,
    queues: Py<PyDict>,
    agents: Py<PyDict>,
}

#[pymethods]
impl RouterState {
    /// The router's time.
    #[getter]
    fn now(&self) -> f64 {
        self.now
    }
    /// Every queue's figures by name (`QueueStats`: waiting, longest_wait, ...).
    #[getter]
    fn queues(&self, py: Python<'_>) -> Py<PyDict> {
        self.queues.clone_ref(py)
    }
    /// Agents by state: `offline`, `available`, `away`, `busy`, `idle`.
    #[getter]
    fn agents(&self, py: Python<'_>) -> Py<PyDict> {
        self.agents.clone_ref(py)
    }
    fn __repr__(&self) -> String {
        format!("RouterState(now={:?})", self.now)
    }
}

fn router_state(py: Python<'_>, names: &dyn Names) -> PyResult<Py<RouterState>> {
    let queues = PyDict::new(py);
    for s in names.queues() {
        let name = s.name.clone();
        queues.set_item(name, Py::new(py, crate::views::QueueStats::from(s))?)?;
    }
    let s = names.agents_by_state();
    let agents = PyDict::new(py);
    agents.set_item("offline", s.offline)?;
    agents.set_item("available", s.available)?;
    agents.set_item("away", s.away)?;
    agents.set_item("busy", s.busy)?;
    agents.set_item("idle", s.idle)?;
    Py::new(py, RouterState { now: names.now(), queues: queues.unbind(), agents: agents.unbind() })
}

#[pymethods]
impl PolicyContact {
    /// Contact id.
    #[getter]
    fn id(&self) -> &str {
        &self.id
    }
    /// Channel name.
    #[getter]
    fn channel(&self) -> &str {
        &self.channel
    }
    /// Queue name.
    #[getter]
    fn queue(&self) -> &str {
        &self.queue
    }
    /// Priority.
    #[getter]
    fn priority(&self) -> i64 {
        self.priority
    }
    /// Seconds waited so far.
    #[getter]
    fn wait(&self) -> f64 {
        self.wait
    }
    /// Requirements in force `{skill: level}` (read-only).
    #[getter]
    fn requires(&self, py: Python<'_>) -> Py<PyAny> {
        self.requires.clone_ref(py)
    }
    /// Preferred skills `{skill: level}` (read-only).
    #[getter]
    fn prefers(&self, py: Python<'_>) -> Py<PyAny> {
        self.prefers.clone_ref(py)
    }
    /// Customer id.
    #[getter]
    fn customer(&self) -> Option<&str> {
        self.customer.as_deref()
    }
    /// Free-form attributes (a fresh copy on each read).
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        attrs_dict(py, &self.attributes)
    }
    /// The router's time at the decision (the simulated clock in a simulation).
    #[getter]
    fn now(&self) -> f64 {
        self.now
    }
    /// The router as it stands at the decision (`RouterState`), for a
    /// policy with `sees_router = True`; `None` otherwise.
    #[getter]
    fn router(&self, py: Python<'_>) -> Option<Py<RouterState>> {
        self.router.as_ref().map(|r| r.clone_ref(py))
    }
    fn __repr__(&self) -> String {
        format!(
            "PolicyContact('{}', queue='{}', priority={}, wait={:?})",
            self.id, self.queue, self.priority, self.wait
        )
    }
}

/// Read-only `{skill: level}` mappings, shared per skill list (they are
/// immutable, so one object serves every decision with that list).
type Mappings = FxHashMap<Vec<(u32, u8)>, Py<PyAny>>;

fn mapping(
    py: Python<'_>,
    cache: &mut Mappings,
    names: &dyn Names,
    list: &[(u32, u8)],
) -> PyResult<Py<PyAny>> {
    if let Some(m) = cache.get(list) {
        return Ok(m.clone_ref(py));
    }
    let named: Vec<(String, u8)> =
        list.iter().map(|&(s, l)| (names.skill(s).to_owned(), l)).collect();
    let m = read_only(py, &named)?;
    cache.insert(list.to_vec(), m.clone_ref(py));
    Ok(m)
}

fn contact_view(
    py: Python<'_>,
    cache: &mut Mappings,
    names: &dyn Names,
    c: &ContactInfo<'_>,
    router: Option<&Py<RouterState>>,
) -> PyResult<PolicyContact> {
    Ok(PolicyContact {
        id: c.id.to_owned(),
        channel: c.channel.to_owned(),
        queue: c.queue.to_owned(),
        priority: c.priority,
        wait: c.wait,
        requires: mapping(py, cache, names, c.requires)?,
        prefers: mapping(py, cache, names, c.prefers)?,
        customer: c.customer.map(str::to_owned),
        attributes: c.attributes.clone(),
        router: router.map(|r| r.clone_ref(py)),
        now: names.now(),
    })
}

/// What a policy sees of one agent (read-only).
#[pyclass(frozen, module = "ccroute")]
pub struct PolicyAgent {
    id: router_core::Id,
    profile: Arc<ProfileEntry>,
    load: f64,
    free_units: u32,
    channels: Arc<Vec<String>>,
    held: Vec<u32>,
    idle: f64,
    handled: u64,
    attributes: Attrs,
}

#[pymethods]
impl PolicyAgent {
    /// Agent id.
    #[getter]
    fn id(&self) -> &str {
        &self.id
    }
    /// Skills `{skill: level}` (read-only).
    #[getter]
    fn skills(&self, py: Python<'_>) -> Py<PyAny> {
        self.profile.mapping.clone_ref(py)
    }
    /// Used / total capacity units.
    #[getter]
    fn load(&self) -> f64 {
        self.load
    }
    /// Free capacity units.
    #[getter]
    fn free_units(&self) -> u32 {
        self.free_units
    }
    /// Contacts held per channel `{channel: count}`.
    #[getter]
    fn held<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.channels.iter().zip(&self.held) {
            d.set_item(k, v)?;
        }
        Ok(d)
    }
    /// Seconds since the agent became idle.
    #[getter]
    fn idle(&self) -> f64 {
        self.idle
    }
    /// Contacts completed.
    #[getter]
    fn handled(&self) -> u64 {
        self.handled
    }
    /// Free-form attributes (a copy).
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        attrs_dict(py, &self.attributes)
    }
    /// The agent's level on `skill` (0 without it).
    fn level(&self, skill: &str) -> u8 {
        self.profile.level(skill)
    }
    fn __repr__(&self) -> String {
        format!(
            "PolicyAgent('{}', load={:?}, idle={:?}, handled={})",
            self.id, self.load, self.idle, self.handled
        )
    }
}

fn agent_view(
    profile: Arc<ProfileEntry>,
    channels: &Arc<Vec<String>>,
    a: &AgentInfo<'_>,
) -> PolicyAgent {
    PolicyAgent {
        id: a.id.clone(),
        profile,
        load: a.load,
        free_units: a.free_units,
        channels: channels.clone(),
        held: a.held.to_vec(),
        idle: a.idle,
        handled: a.handled,
        attributes: a.attributes.clone(),
    }
}

/// The eligible agents of one decision, as columns (numpy arrays) for a
/// vectorised `score_many`; also a sequence of `PolicyAgent`. Columns are
/// kept as the core gave them and turned into arrays when read.
#[pyclass(frozen, module = "ccroute")]
pub struct AgentBatch {
    /// Ids by agent slot as they were at the decision (shared with the
    /// router until it changes them), and each candidate's slot.
    ids: SlotIds,
    slots: Vec<u32>,
    /// Runs of candidates sharing a profile: (profile, one past the run's end).
    runs: Vec<(Arc<ProfileEntry>, u32)>,
    load: Vec<f64>,
    free_units: Vec<u32>,
    idle: Vec<f64>,
    handled: Vec<u64>,
    channels: Arc<Vec<String>>,
    /// Slots in use, `channels.len()` per agent.
    held: Vec<u32>,
    /// The agents that have attributes: (position, attributes).
    attributes: Vec<(u32, Attrs)>,
}

impl AgentBatch {
    fn id(&self, i: usize) -> &Id {
        self.ids.get(self.slots[i]).expect("the id table holds every candidate")
    }
}

#[pymethods]
impl AgentBatch {
    fn __len__(&self) -> usize {
        self.slots.len()
    }
    /// Agent ids, in candidate order.
    #[getter]
    fn ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, (0..self.slots.len()).map(|i| &**self.id(i)))
    }
    /// Used / total capacity units (float64 array).
    #[getter]
    fn load<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        need_numpy(py, "load")?;
        Ok(PyArray1::from_slice(py, &self.load))
    }
    /// Free capacity units (float64 array).
    #[getter]
    fn free_units<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        need_numpy(py, "free_units")?;
        Ok(PyArray1::from_vec(py, self.free_units.iter().map(|&u| f64::from(u)).collect()))
    }
    /// Seconds since each agent became idle (float64 array).
    #[getter]
    fn idle<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        need_numpy(py, "idle")?;
        Ok(PyArray1::from_slice(py, &self.idle))
    }
    /// Contacts completed (float64 array).
    #[getter]
    fn handled<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        need_numpy(py, "handled")?;
        Ok(PyArray1::from_vec(py, self.handled.iter().map(|&h| h as f64).collect()))
    }
    /// Each agent's level on `skill`, 0 without it (float64 array).
    fn level<'py>(&self, py: Python<'py>, skill: &str) -> PyResult<Bound<'py, PyArray1<f64>>> {
        need_numpy(py, "level()")?;
        // Candidates come in runs of one profile: look the skill up once per run.
        let mut out = Vec::with_capacity(self.slots.len());
        for (p, end) in &self.runs {
            out.resize(*end as usize, f64::from(p.level(skill)));
        }
        Ok(PyArray1::from_vec(py, out))
    }
    fn __getitem__(&self, i: isize) -> PyResult<PolicyAgent> {
        let n = self.slots.len() as isize;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "agent index {i} out of range for {n} agents"
            )));
        }
        let j = j as usize;
        let n = self.channels.len();
        let run = self.runs.partition_point(|&(_, end)| end as usize <= j);
        Ok(PolicyAgent {
            id: self.id(j).clone(),
            profile: self.runs[run].0.clone(),
            load: self.load[j],
            free_units: self.free_units[j],
            channels: self.channels.clone(),
            held: self.held[j * n..(j + 1) * n].to_vec(),
            idle: self.idle[j],
            handled: self.handled[j],
            attributes: self
                .attributes
                .binary_search_by_key(&(j as u32), |(k, _)| *k)
                .map_or_else(|_| Attrs::new(), |k| self.attributes[k].1.clone()),
        })
    }
    fn __repr__(&self) -> String {
        format!("AgentBatch({} agents)", self.slots.len())
    }
}

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

impl PyScorer {
    /// The batch handed to `score_many`: the core's columns, copied whole.
    fn batch(
        &mut self,
        py: Python<'_>,
        names: &dyn Names,
        agents: &Candidates<'_>,
    ) -> PyResult<AgentBatch> {
        let mut runs = Vec::with_capacity(agents.runs.len());
        for r in agents.runs {
            runs.push((profile_entry(py, &mut self.profiles, names, r.profile, r.skills)?, r.end));
        }
        Ok(AgentBatch {
            ids: agents.ids.clone(),
            slots: agents.slots.to_vec(),
            runs,
            load: agents.load.to_vec(),
            free_units: agents.free_units.to_vec(),
            idle: agents.idle.to_vec(),
            handled: agents.handled.to_vec(),
            channels: self.channel_names(names),
            held: agents.held.to_vec(),
            attributes: agents.attributes.iter().map(|&(i, a)| (i, a.clone())).collect(),
        })
    }
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
