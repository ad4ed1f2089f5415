//! The adapter that plugs a Python policy object into the core's `Scorer`
//! seam, and the read-only views it hands to that object.
//!
//! The router holds the adapter; each decision re-attaches to the
//! interpreter, builds the views, calls `score` per candidate or
//! `score_many` once, and converts the answer. Any exception is kept whole
//! (as the error's payload) so that a strict router re-raises it unchanged.

use crate::convert::attrs_dict;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use router_core::policy::plugin::{AgentInfo, ContactInfo, Names, Scorer, ScorerError};
use router_core::Attrs;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// An agent skill profile as Python sees it (shared by its agents).
struct ProfileEntry {
    skills: Vec<(String, u8)>,
    /// A read-only mapping `{skill: level}`.
    mapping: Py<PyAny>,
}

fn profile_entry(
    py: Python<'_>,
    cache: &mut FxHashMap<u32, Arc<ProfileEntry>>,
    names: &dyn Names,
    a: &AgentInfo<'_>,
) -> PyResult<Arc<ProfileEntry>> {
    if let Some(e) = cache.get(&a.profile) {
        return Ok(e.clone());
    }
    let skills: Vec<(String, u8)> = a.skills.iter().map(|&(s, l)| (names.skill(s).to_owned(), l)).collect();
    let mapping = read_only(py, &skills)?;
    let e = Arc::new(ProfileEntry { skills, mapping });
    cache.insert(a.profile, e.clone());
    Ok(e)
}

fn read_only(py: Python<'_>, skills: &[(String, u8)]) -> PyResult<Py<PyAny>> {
    let d = PyDict::new(py);
    for (k, v) in skills {
        d.set_item(k, v)?;
    }
    static PROXY: pyo3::sync::GILOnceCell<Py<PyAny>> = pyo3::sync::GILOnceCell::new();
    let class = PROXY.get_or_try_init(py, || py.import("types")?.getattr("MappingProxyType").map(Bound::unbind))?;
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
    fn __repr__(&self) -> String {
        format!("PolicyContact('{}', queue='{}', priority={}, wait={:?})", self.id, self.queue, self.priority, self.wait)
    }
}

/// Read-only `{skill: level}` mappings, shared per skill list (they are
/// immutable, so one object serves every decision with that list).
type Mappings = FxHashMap<Vec<(u32, u8)>, Py<PyAny>>;

fn mapping(py: Python<'_>, cache: &mut Mappings, names: &dyn Names, list: &[(u32, u8)]) -> PyResult<Py<PyAny>> {
    if let Some(m) = cache.get(list) {
        return Ok(m.clone_ref(py));
    }
    let named: Vec<(String, u8)> = list.iter().map(|&(s, l)| (names.skill(s).to_owned(), l)).collect();
    let m = read_only(py, &named)?;
    cache.insert(list.to_vec(), m.clone_ref(py));
    Ok(m)
}

fn contact_view(py: Python<'_>, cache: &mut Mappings, names: &dyn Names, c: &ContactInfo<'_>) -> PyResult<PolicyContact> {
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
        self.profile.skills.iter().find(|(s, _)| s == skill).map_or(0, |(_, l)| *l)
    }
    fn __repr__(&self) -> String {
        format!("PolicyAgent('{}', load={:?}, idle={:?}, handled={})", self.id, self.load, self.idle, self.handled)
    }
}

fn agent_view(profile: Arc<ProfileEntry>, channels: &Arc<Vec<String>>, a: &AgentInfo<'_>) -> PolicyAgent {
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
/// vectorised `score_many`; also a sequence of `PolicyAgent`.
#[pyclass(frozen, module = "ccroute")]
pub struct AgentBatch {
    ids: Vec<router_core::Id>,
    /// The distinct profiles of the candidates, and each candidate's index in it.
    profiles: Vec<Arc<ProfileEntry>>,
    profile_of: Vec<u32>,
    load: Vec<f64>,
    free_units: Vec<f64>,
    idle: Vec<f64>,
    handled: Vec<f64>,
    channels: Arc<Vec<String>>,
    /// Slots in use, `channels.len()` per agent.
    held: Vec<u32>,
    /// The agents that have attributes: (position, attributes).
    attributes: Vec<(u32, Attrs)>,
}

#[pymethods]
impl AgentBatch {
    fn __len__(&self) -> usize {
        self.ids.len()
    }
    /// Agent ids, in candidate order.
    #[getter]
    fn ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.ids.iter().map(|i| &**i))
    }
    /// Used / total capacity units (float64 array).
    #[getter]
    fn load<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.load)
    }
    /// Free capacity units (float64 array).
    #[getter]
    fn free_units<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.free_units)
    }
    /// Seconds since each agent became idle (float64 array).
    #[getter]
    fn idle<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.idle)
    }
    /// Contacts completed (float64 array).
    #[getter]
    fn handled<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.handled)
    }
    /// Each agent's level on `skill`, 0 without it (float64 array).
    fn level<'py>(&self, py: Python<'py>, skill: &str) -> Bound<'py, PyArray1<f64>> {
        // Candidates share a few profiles: look the skill up once per profile.
        let per_profile: Vec<f64> = self
            .profiles
            .iter()
            .map(|p| p.skills.iter().find(|(s, _)| s == skill).map_or(0.0, |(_, l)| f64::from(*l)))
            .collect();
        PyArray1::from_vec(py, self.profile_of.iter().map(|&i| per_profile[i as usize]).collect())
    }
    fn __getitem__(&self, i: isize) -> PyResult<PolicyAgent> {
        let n = self.ids.len() as isize;
        let j = if i < 0 { i + n } else { i };
        if j < 0 || j >= n {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!("agent index {i} out of range for {n} agents")));
        }
        let j = j as usize;
        let n = self.channels.len();
        Ok(PolicyAgent {
            id: self.ids[j].clone(),
            profile: self.profiles[self.profile_of[j] as usize].clone(),
            load: self.load[j],
            free_units: self.free_units[j] as u32,
            channels: self.channels.clone(),
            held: self.held[j * n..(j + 1) * n].to_vec(),
            idle: self.idle[j],
            handled: self.handled[j] as u64,
            attributes: self
                .attributes
                .binary_search_by_key(&(j as u32), |(k, _)| *k)
                .map_or_else(|_| Attrs::new(), |k| self.attributes[k].1.clone()),
        })
    }
    fn __repr__(&self) -> String {
        format!("AgentBatch({} agents)", self.ids.len())
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
    profiles: FxHashMap<u32, Arc<ProfileEntry>>,
}

impl PyScorer {
    pub fn new(obj: Py<PyAny>, vectorised: bool, contact_side: bool) -> Self {
        PyScorer {
            obj,
            vectorised,
            contact_side,
            channels: None,
            mappings: FxHashMap::default(),
            profiles: FxHashMap::default(),
        }
    }

    fn channel_names(&mut self, names: &dyn Names) -> Arc<Vec<String>> {
        self.channels
            .get_or_insert_with(|| Arc::new(names.channels().into_iter().map(str::to_owned).collect()))
            .clone()
    }
}

fn failed(py: Python<'_>, err: PyErr) -> ScorerError {
    let message = match err.value(py).str() {
        Ok(s) => format!("{}: {s}", err.get_type(py).name().map(|n| n.to_string()).unwrap_or_default()),
        Err(_) => "policy raised an exception".into(),
    };
    ScorerError { message, payload: Some(Box::new(err)) }
}

/// Reads a policy's answer: a float64 numpy array, or any sequence of numbers.
fn scores(result: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
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
    fn score_agents(
        &mut self,
        names: &dyn Names,
        contact: &ContactInfo<'_>,
        agents: &[AgentInfo<'_>],
    ) -> Result<Vec<f64>, ScorerError> {
        Python::with_gil(|py| {
            let run = |py: Python<'_>, me: &mut PyScorer| -> PyResult<Vec<f64>> {
                let c = Py::new(py, contact_view(py, &mut me.mappings, names, contact)?)?;
                let channels = me.channel_names(names);
                if me.vectorised {
                    // One pass builds every column; candidates come grouped by
                    // profile, so the profile look-up runs once per group.
                    let n = agents.len();
                    let mut batch = AgentBatch {
                        ids: Vec::with_capacity(n),
                        profiles: Vec::new(),
                        profile_of: Vec::with_capacity(n),
                        load: Vec::with_capacity(n),
                        free_units: Vec::with_capacity(n),
                        idle: Vec::with_capacity(n),
                        handled: Vec::with_capacity(n),
                        channels: channels.clone(),
                        held: Vec::with_capacity(n * channels.len()),
                        attributes: Vec::new(),
                    };
                    let mut last: Option<u32> = None;
                    for a in agents {
                        if last != Some(a.profile) {
                            batch.profiles.push(profile_entry(py, &mut me.profiles, names, a)?);
                            last = Some(a.profile);
                        }
                        batch.profile_of.push((batch.profiles.len() - 1) as u32);
                        batch.ids.push(a.id.clone());
                        batch.load.push(a.load);
                        batch.free_units.push(f64::from(a.free_units));
                        batch.idle.push(a.idle);
                        batch.handled.push(a.handled as f64);
                        batch.held.extend_from_slice(a.held);
                        if !a.attributes.is_empty() {
                            batch.attributes.push(((batch.ids.len() - 1) as u32, a.attributes.clone()));
                        }
                    }
                    let out = me.obj.bind(py).call_method1("score_many", (c, batch))?;
                    scores(&out)
                } else {
                    let score = me.obj.bind(py).getattr("score")?;
                    let mut out = Vec::with_capacity(agents.len());
                    for a in agents {
                        let p = profile_entry(py, &mut me.profiles, names, a)?;
                        let view = agent_view(p, &channels, a);
                        out.push(score.call1((c.clone_ref(py), view))?.extract::<f64>()?);
                    }
                    Ok(out)
                }
            };
            run(py, self).map_err(|e| failed(py, e))
        })
    }

    fn scores_contacts(&self) -> bool {
        self.contact_side
    }

    fn score_contacts(
        &mut self,
        names: &dyn Names,
        agent: &AgentInfo<'_>,
        contacts: &[ContactInfo<'_>],
    ) -> Result<Vec<f64>, ScorerError> {
        Python::with_gil(|py| {
            let run = |py: Python<'_>, me: &mut PyScorer| -> PyResult<Vec<f64>> {
                let p = profile_entry(py, &mut me.profiles, names, agent)?;
                let channels = me.channel_names(names);
                let a = Py::new(py, agent_view(p, &channels, agent))?;
                let f = me.obj.bind(py).getattr("contact_score")?;
                let mut out = Vec::with_capacity(contacts.len());
                for c in contacts {
                    out.push(f.call1((a.clone_ref(py), contact_view(py, &mut me.mappings, names, c)?))?.extract::<f64>()?);
                }
                Ok(out)
            };
            run(py, self).map_err(|e| failed(py, e))
        })
    }
}
