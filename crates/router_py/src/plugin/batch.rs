//! `AgentBatch`, the columns of one decision's eligible agents handed to a
//! vectorised `score_many`, and the adapter's step that copies the core's
//! columns into it. Apart because it is the only part that touches numpy,
//! which may be missing: every array goes through `need_numpy`.

use super::views::{profile_entry, PolicyAgent, ProfileEntry};
use super::PyScorer;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyList;
use router_core::policy::plugin::{Candidates, Names, SlotIds};
use router_core::{Attrs, Id};
use std::sync::Arc;

/// Whether numpy can be imported (checked once). rust-numpy panics when it
/// cannot load numpy's C API, so every use of an array goes through this.
pub(super) fn numpy_available(py: Python<'_>) -> bool {
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

impl PyScorer {
    /// The batch handed to `score_many`: the core's columns, copied whole.
    pub(super) fn batch(
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
