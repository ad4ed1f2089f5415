//! `Agent`, the Python class of an agent's record: skills, capacity,
//! per-channel limits, initial state. Apart from contacts because its
//! validation (channel maxima, state names) has nothing in common with theirs.

use super::repr::{attrs_repr, opt_str_repr, skills_repr};
use crate::convert::{attrs, attrs_dict, skills_dict, Int};
use crate::errors::invalid;
use crate::events::py_str_repr;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use router_core::{AgentSpec, AgentState};

/// An agent: skills with levels 1–10, capacity, channel limits, state.
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct Agent {
    pub(crate) spec: AgentSpec,
}

#[pymethods]
impl Agent {
    #[new]
    #[pyo3(signature = (id, skills=None, capacity=Int::of(100), channels=None, state="available", attributes=None, routing_profile=None),
           text_signature = "(id, skills=None, capacity=100, channels=None, state='available', attributes=None, routing_profile=None)")]
    fn new(
        id: String,
        skills: Option<&Bound<'_, PyDict>>,
        capacity: Int,
        channels: Option<&Bound<'_, PyDict>>,
        state: &str,
        attributes: Option<&Bound<'_, PyDict>>,
        routing_profile: Option<String>,
    ) -> PyResult<Self> {
        let what = format!("agent {id:?}");
        let capacity = capacity.within(&format!("{what}: capacity"), 1u32)?;
        let channels = match channels {
            None => None,
            Some(d) => {
                let mut out = Vec::with_capacity(d.len());
                for (k, v) in d.iter() {
                    let name: String = k.extract().map_err(|_| {
                        invalid(format!(
                            "{what}: channel names must be strings, got {}",
                            crate::convert::repr(&k)
                        ))
                    })?;
                    let m: Int = match v.extract::<Int>() {
                        Ok(m) if !v.is_instance_of::<pyo3::types::PyBool>() => m,
                        _ => {
                            return Err(invalid(format!(
                                "{what}: maximum {} of channel {name:?} is not an integer",
                                crate::convert::repr(&v)
                            )))
                        }
                    };
                    let m = m.within(&format!("{what}: channel {name:?} maximum"), 0u32)?;
                    out.push((name, m));
                }
                Some(out)
            }
        };
        Ok(Agent {
            spec: AgentSpec {
                skills: crate::convert::skills(&what, skills)?,
                attributes: attrs(&what, attributes)?,
                state: AgentState::parse(state).map_err(crate::errors::to_py)?,
                id,
                capacity,
                channels,
                routing_profile,
            },
        })
    }

    /// Agent id.
    #[getter]
    fn id(&self) -> &str {
        &self.spec.id
    }
    /// Skills with levels.
    #[getter]
    fn skills<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        skills_dict(py, &self.spec.skills)
    }
    /// Capacity units.
    #[getter]
    fn capacity(&self) -> u32 {
        self.spec.capacity
    }
    /// Per-channel maxima (None = every channel at its default).
    #[getter]
    fn channels<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.spec
            .channels
            .as_ref()
            .map(|list| {
                let d = PyDict::new(py);
                for (k, v) in list {
                    d.set_item(k, v)?;
                }
                Ok(d)
            })
            .transpose()
    }
    /// Initial state.
    #[getter]
    fn state(&self) -> &'static str {
        self.spec.state.as_str()
    }
    /// Routing profile name.
    #[getter]
    fn routing_profile(&self) -> Option<&str> {
        self.spec.routing_profile.as_deref()
    }
    /// Free-form attributes.
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        attrs_dict(py, &self.spec.attributes)
    }

    /// The record as plain data (every field, `None` for an absent
    /// option): the form of YAML files, the log and ``from_dict``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.spec)
    }

    /// The record from plain data (see ``to_dict``); fields left out take
    /// their defaults, an unknown or mistyped field is ``InvalidInput``
    /// naming it.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Agent { spec: crate::forms::from_py("agent", data)? })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.downcast::<Agent>().is_ok_and(|o| crate::forms::same(&self.spec, &o.get().spec))
    }

    fn __hash__(&self) -> u64 {
        crate::forms::hash(&self.spec)
    }

    fn __repr__(&self) -> String {
        let a = &self.spec;
        let channels = a.channels.as_ref().map_or("None".to_owned(), |list| {
            let items: Vec<String> =
                list.iter().map(|(c, m)| format!("{}: {m}", py_str_repr(c))).collect();
            format!("{{{}}}", items.join(", "))
        });
        format!(
            "Agent({}, skills={}, capacity={}, channels={channels}, state='{}', attributes={}, routing_profile={})",
            py_str_repr(&a.id),
            skills_repr(&a.skills),
            a.capacity,
            a.state.as_str(),
            attrs_repr(&a.attributes),
            opt_str_repr(a.routing_profile.as_deref()),
        )
    }
}
