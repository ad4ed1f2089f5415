//! The read-only views a Python policy is handed: `PolicyContact`,
//! `RouterState` and `PolicyAgent`, with the caches that let one decision
//! after another share their immutable skill mappings. Apart from the
//! adapter because they are plain data for Python, with no part in calling
//! the policy or guarding the core.

use crate::convert::attrs_dict;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use router_core::policy::plugin::{AgentInfo, ContactInfo, Names};
use router_core::Attrs;
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// An agent skill profile as Python sees it (shared by its agents).
pub(super) struct ProfileEntry {
    skills: Vec<(String, u8)>,
    /// A read-only mapping `{skill: level}`.
    mapping: Py<PyAny>,
}

/// Profile entries by profile number, built on first use.
pub(super) type Profiles = Vec<Option<Arc<ProfileEntry>>>;

pub(super) fn profile_entry(
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
    pub(super) fn level(&self, skill: &str) -> u8 {
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

pub(super) fn router_state(py: Python<'_>, names: &dyn Names) -> PyResult<Py<RouterState>> {
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
pub(super) type Mappings = FxHashMap<Vec<(u32, u8)>, Py<PyAny>>;

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

pub(super) fn contact_view(
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
    pub(super) id: router_core::Id,
    pub(super) profile: Arc<ProfileEntry>,
    pub(super) load: f64,
    pub(super) free_units: u32,
    pub(super) channels: Arc<Vec<String>>,
    pub(super) held: Vec<u32>,
    pub(super) idle: f64,
    pub(super) handled: u64,
    pub(super) attributes: Attrs,
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

pub(super) fn agent_view(
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
