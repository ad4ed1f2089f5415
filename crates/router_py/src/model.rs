//! Configuration and input records as Python classes (frozen, cheap to pass
//! in bulk: the router borrows the Rust record inside each object).

use crate::convert::{attrs, attrs_dict, skills, skills_dict};
use crate::errors::invalid;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use router_core::{AgentSpec, AgentState, ChannelConfig, ContactSpec, Overflow, QueueConfig, StepSpec};

/// A channel: how much of an agent one contact on it uses.
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct Channel {
    pub(crate) cfg: ChannelConfig,
}

#[pymethods]
impl Channel {
    #[new]
    #[pyo3(signature = (name, cost=100, max_per_agent=1, wrap_up=0.0))]
    fn new(name: String, cost: i64, max_per_agent: i64, wrap_up: f64) -> PyResult<Self> {
        let cost = u32::try_from(cost).map_err(|_| invalid(format!("channel {name:?}: cost {cost} is not a positive number of units")))?;
        let max = u32::try_from(max_per_agent)
            .map_err(|_| invalid(format!("channel {name:?}: max_per_agent {max_per_agent} is negative")))?;
        Ok(Channel { cfg: ChannelConfig { name, cost, max_per_agent: max, wrap_up } })
    }

    /// Channel name.
    #[getter]
    fn name(&self) -> &str {
        &self.cfg.name
    }
    /// Capacity units one contact takes.
    #[getter]
    fn cost(&self) -> u32 {
        self.cfg.cost
    }
    /// Default per-agent maximum of concurrent contacts.
    #[getter]
    fn max_per_agent(&self) -> u32 {
        self.cfg.max_per_agent
    }
    /// Seconds of wrap-up after each contact.
    #[getter]
    fn wrap_up(&self) -> f64 {
        self.cfg.wrap_up
    }

    fn __repr__(&self) -> String {
        let c = &self.cfg;
        format!("Channel({:?}, cost={}, max_per_agent={}, wrap_up={:?})", c.name, c.cost, c.max_per_agent, c.wrap_up)
    }
}

/// A queue: ordering, service-level objective, size limit, overflow.
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct Queue {
    pub(crate) cfg: QueueConfig,
}

#[pymethods]
impl Queue {
    #[new]
    #[pyo3(signature = (name, sl_target=0.8, sl_threshold=20.0, aging_rate=0.0, max_waiting=None, overflow_to=None, overflow_after=None))]
    fn new(
        name: String,
        sl_target: f64,
        sl_threshold: f64,
        aging_rate: f64,
        max_waiting: Option<i64>,
        overflow_to: Option<String>,
        overflow_after: Option<f64>,
    ) -> PyResult<Self> {
        let max_waiting = match max_waiting {
            None => None,
            Some(m) => Some(usize::try_from(m).map_err(|_| {
                invalid(format!("queue {name:?}: max_waiting {m} is negative"))
            })?),
        };
        let overflow = match (overflow_to, overflow_after) {
            (None, None) => None,
            (Some(to), Some(after)) => Some(Overflow { to, after }),
            (Some(to), None) => {
                return Err(invalid(format!("queue {name:?}: overflow_to {to:?} needs overflow_after")))
            }
            (None, Some(after)) => {
                return Err(invalid(format!("queue {name:?}: overflow_after {after} needs overflow_to")))
            }
        };
        Ok(Queue { cfg: QueueConfig { name, sl_target, sl_threshold, aging_rate, max_waiting, overflow } })
    }

    /// Queue name.
    #[getter]
    fn name(&self) -> &str {
        &self.cfg.name
    }
    /// Service-level target fraction.
    #[getter]
    fn sl_target(&self) -> f64 {
        self.cfg.sl_target
    }
    /// Service-level threshold in seconds.
    #[getter]
    fn sl_threshold(&self) -> f64 {
        self.cfg.sl_threshold
    }
    /// Priority points gained per second of wait.
    #[getter]
    fn aging_rate(&self) -> f64 {
        self.cfg.aging_rate
    }
    /// Maximum waiting contacts (None = unlimited).
    #[getter]
    fn max_waiting(&self) -> Option<usize> {
        self.cfg.max_waiting
    }
    /// Overflow target queue.
    #[getter]
    fn overflow_to(&self) -> Option<&str> {
        self.cfg.overflow.as_ref().map(|o| o.to.as_str())
    }
    /// Seconds before overflow.
    #[getter]
    fn overflow_after(&self) -> Option<f64> {
        self.cfg.overflow.as_ref().map(|o| o.after)
    }

    fn __repr__(&self) -> String {
        let q = &self.cfg;
        format!(
            "Queue({:?}, sl_target={:?}, sl_threshold={:?}, aging_rate={:?}, max_waiting={:?}, overflow_to={:?}, overflow_after={:?})",
            q.name, q.sl_target, q.sl_threshold, q.aging_rate, q.max_waiting,
            q.overflow.as_ref().map(|o| &o.to), q.overflow.as_ref().map(|o| o.after)
        )
    }
}

/// An agent: skills with levels 1–10, capacity, channel limits, state.
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct Agent {
    pub(crate) spec: AgentSpec,
}

#[pymethods]
impl Agent {
    #[new]
    #[pyo3(signature = (id, skills=None, capacity=100, channels=None, state="available", attributes=None))]
    fn new(
        id: String,
        skills: Option<&Bound<'_, PyDict>>,
        capacity: i64,
        channels: Option<&Bound<'_, PyDict>>,
        state: &str,
        attributes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let what = format!("agent {id:?}");
        let capacity = u32::try_from(capacity)
            .map_err(|_| invalid(format!("{what}: capacity {capacity} must be at least 1 unit")))?;
        let channels = match channels {
            None => None,
            Some(d) => {
                let mut out = Vec::with_capacity(d.len());
                for (k, v) in d.iter() {
                    let name: String = k.extract()?;
                    let m: i64 = v.extract()?;
                    let m = u32::try_from(m)
                        .map_err(|_| invalid(format!("{what}: channel {name:?} maximum {m} is negative")))?;
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
    /// Free-form attributes.
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        attrs_dict(py, &self.spec.attributes)
    }

    fn __repr__(&self) -> String {
        format!("Agent({:?}, skills={:?}, state={:?})", self.spec.id, self.spec.skills, self.spec.state.as_str())
    }
}

/// A relaxation step: after `after` seconds of waiting the requirements
/// become `requires` (no stricter than before: the pool only grows).
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct Step {
    pub(crate) spec: StepSpec,
}

#[pymethods]
impl Step {
    #[new]
    #[pyo3(signature = (after, requires=None))]
    fn new(after: f64, requires: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Ok(Step { spec: StepSpec { after, requires: skills("step", requires)? } })
    }
    /// Seconds since arrival.
    #[getter]
    fn after(&self) -> f64 {
        self.spec.after
    }
    /// Requirements from then on.
    #[getter]
    fn requires<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        skills_dict(py, &self.spec.requires)
    }
    fn __repr__(&self) -> String {
        format!("Step(after={:?}, requires={:?})", self.spec.after, self.spec.requires)
    }
}

/// A contact (call, chat, email, ...) to route.
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct Contact {
    pub(crate) spec: ContactSpec,
}

#[pymethods]
impl Contact {
    #[new]
    #[pyo3(signature = (id, channel, queue, priority=0, requires=None, prefers=None, customer=None, preferred_agent=None, preferred_wait=0.0, steps=None, attributes=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: String,
        channel: String,
        queue: String,
        priority: i64,
        requires: Option<&Bound<'_, PyDict>>,
        prefers: Option<&Bound<'_, PyDict>>,
        customer: Option<String>,
        preferred_agent: Option<String>,
        preferred_wait: f64,
        steps: Option<&Bound<'_, PyAny>>,
        attributes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let what = format!("contact {id:?}");
        let steps = match steps {
            None => Vec::new(),
            Some(seq) => {
                let mut out = Vec::new();
                for item in seq.try_iter()? {
                    let item = item?;
                    let step = item.downcast::<Step>().map_err(|_| {
                        invalid(format!("{what}: steps must be Step objects, got {}", crate::convert::repr(&item)))
                    })?;
                    out.push(step.get().spec.clone());
                }
                out
            }
        };
        Ok(Contact {
            spec: ContactSpec {
                requires: skills(&what, requires)?,
                prefers: skills(&what, prefers)?,
                attributes: attrs(&what, attributes)?,
                id,
                channel,
                queue,
                priority,
                customer,
                preferred_agent,
                preferred_wait,
                steps,
            },
        })
    }

    /// Contact id.
    #[getter]
    fn id(&self) -> &str {
        &self.spec.id
    }
    /// Channel name.
    #[getter]
    fn channel(&self) -> &str {
        &self.spec.channel
    }
    /// Queue name.
    #[getter]
    fn queue(&self) -> &str {
        &self.spec.queue
    }
    /// Priority (higher first).
    #[getter]
    fn priority(&self) -> i64 {
        self.spec.priority
    }
    /// Required skills with minimum levels.
    #[getter]
    fn requires<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        skills_dict(py, &self.spec.requires)
    }
    /// Preferred skills (score only).
    #[getter]
    fn prefers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        skills_dict(py, &self.spec.prefers)
    }
    /// Customer id.
    #[getter]
    fn customer(&self) -> Option<&str> {
        self.spec.customer.as_deref()
    }
    /// Preferred agent id.
    #[getter]
    fn preferred_agent(&self) -> Option<&str> {
        self.spec.preferred_agent.as_deref()
    }
    /// Seconds to wait for the preferred agent.
    #[getter]
    fn preferred_wait(&self) -> f64 {
        self.spec.preferred_wait
    }
    /// Relaxation steps.
    #[getter]
    fn steps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let steps: Vec<Step> = self.spec.steps.iter().map(|s| Step { spec: s.clone() }).collect();
        PyList::new(py, steps)
    }
    /// Free-form attributes.
    #[getter]
    fn attributes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        attrs_dict(py, &self.spec.attributes)
    }

    fn __repr__(&self) -> String {
        let c = &self.spec;
        format!(
            "Contact({:?}, channel={:?}, queue={:?}, priority={}, requires={:?})",
            c.id, c.channel, c.queue, c.priority, c.requires
        )
    }
}
