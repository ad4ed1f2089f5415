//! Configuration and input records as Python classes (frozen, cheap to pass
//! in bulk: the router borrows the Rust record inside each object).

use crate::convert::{attrs, attrs_dict, skills, skills_dict, Int};
use crate::errors::invalid;
use crate::events::py_str_repr;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use router_core::{
    AgentSpec, AgentState, ChannelConfig, Condition, ContactSpec, Ordering, Overflow, ProfileQueue,
    QueueConfig, RoutingProfile as CoreRoutingProfile, StepSpec,
};

/// A channel: how much of an agent one contact on it uses.
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct Channel {
    pub(crate) cfg: ChannelConfig,
}

#[pymethods]
impl Channel {
    #[new]
    #[pyo3(signature = (name, cost=Int::of(100), max_per_agent=Int::of(1), wrap_up=0.0),
           text_signature = "(name, cost=100, max_per_agent=1, wrap_up=0.0)")]
    fn new(name: String, cost: Int, max_per_agent: Int, wrap_up: f64) -> PyResult<Self> {
        let cost = cost.within(&format!("channel {name:?}: cost"), 1u32)?;
        let max = max_per_agent.within(&format!("channel {name:?}: max_per_agent"), 1u32)?;
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

    /// The record as plain data (every field, `None` for an absent
    /// option): the form of YAML files, the log and ``from_dict``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.cfg)
    }

    /// The record from plain data (see ``to_dict``); fields left out take
    /// their defaults, an unknown or mistyped field is ``InvalidInput``
    /// naming it.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        let cfg: ChannelConfig = crate::forms::from_py("channel", data)?;
        Channel::new(
            cfg.name,
            Int::of(i64::from(cfg.cost)),
            Int::of(i64::from(cfg.max_per_agent)),
            cfg.wrap_up,
        )
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.downcast::<Channel>().is_ok_and(|o| crate::forms::same(&self.cfg, &o.get().cfg))
    }

    fn __hash__(&self) -> u64 {
        crate::forms::hash(&self.cfg)
    }

    fn __repr__(&self) -> String {
        let c = &self.cfg;
        format!(
            "Channel({:?}, cost={}, max_per_agent={}, wrap_up={:?})",
            c.name, c.cost, c.max_per_agent, c.wrap_up
        )
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
    #[pyo3(signature = (name, sl_target=0.8, sl_threshold=20.0, aging_rate=0.0, max_waiting=None, overflow_to=None, overflow_after=None, ordering="priority", aging_max=None, virtual_wait=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        name: String,
        sl_target: f64,
        sl_threshold: f64,
        aging_rate: f64,
        max_waiting: Option<Int>,
        overflow_to: Option<String>,
        overflow_after: Option<f64>,
        ordering: &str,
        aging_max: Option<f64>,
        virtual_wait: Option<f64>,
    ) -> PyResult<Self> {
        let ordering = match ordering {
            "priority" => Ordering::Priority,
            "lifo" => Ordering::Lifo,
            "greatest_need" => Ordering::GreatestNeed,
            other => {
                return Err(invalid(format!(
                    "queue {name:?}: ordering {other:?} is not one of \"priority\", \"lifo\", \"greatest_need\""
                )))
            }
        };
        let aging_rate = match virtual_wait {
            None => aging_rate,
            Some(v) if aging_rate != 0.0 => {
                return Err(invalid(format!(
                    "queue {name:?}: give virtual_wait ({v}) or aging_rate ({aging_rate}), not both"
                )))
            }
            Some(v) if v.is_finite() && v > 0.0 => 1.0 / v,
            Some(v) => {
                return Err(invalid(format!(
                    "queue {name:?}: virtual_wait {v} is not a positive number of seconds per priority point"
                )))
            }
        };
        let max_waiting = match max_waiting {
            None => None,
            Some(m) => Some(m.within(&format!("queue {name:?}: max_waiting"), 0u32)? as usize),
        };
        let overflow = match (overflow_to, overflow_after) {
            (None, None) => None,
            (Some(to), Some(after)) => Some(Overflow { to, after }),
            (Some(to), None) => {
                return Err(invalid(format!(
                    "queue {name:?}: overflow_to {to:?} needs overflow_after"
                )))
            }
            (None, Some(after)) => {
                return Err(invalid(format!(
                    "queue {name:?}: overflow_after {after} needs overflow_to"
                )))
            }
        };
        Ok(Queue {
            cfg: QueueConfig {
                name,
                sl_target,
                sl_threshold,
                ordering,
                aging_rate,
                aging_max,
                max_waiting,
                overflow,
            },
        })
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
    /// `"priority"`, `"lifo"` or `"greatest_need"`.
    #[getter]
    fn ordering(&self) -> &'static str {
        match self.cfg.ordering {
            Ordering::Priority => "priority",
            Ordering::Lifo => "lifo",
            Ordering::GreatestNeed => "greatest_need",
        }
    }
    /// Cap on what aging adds to a contact's priority.
    #[getter]
    fn aging_max(&self) -> Option<f64> {
        self.cfg.aging_max
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

    /// The record as plain data (every field, `None` for an absent
    /// option): the form of YAML files, the log and ``from_dict``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.cfg)
    }

    /// The record from plain data (see ``to_dict``); fields left out take
    /// their defaults, an unknown or mistyped field is ``InvalidInput``
    /// naming it.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Queue { cfg: crate::forms::from_py("queue", data)? })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.downcast::<Queue>().is_ok_and(|o| crate::forms::same(&self.cfg, &o.get().cfg))
    }

    fn __hash__(&self) -> u64 {
        crate::forms::hash(&self.cfg)
    }

    fn __repr__(&self) -> String {
        let q = &self.cfg;
        let opt = |v: Option<String>| v.unwrap_or_else(|| "None".to_owned());
        format!(
            "Queue({}, sl_target={:?}, sl_threshold={:?}, ordering='{}', aging_rate={:?}, aging_max={}, max_waiting={}, overflow_to={}, overflow_after={})",
            crate::events::py_str_repr(&q.name),
            q.sl_target,
            q.sl_threshold,
            self.ordering(),
            q.aging_rate,
            opt(q.aging_max.map(|m| format!("{m:?}"))),
            opt(q.max_waiting.map(|m| m.to_string())),
            opt(q.overflow.as_ref().map(|o| crate::events::py_str_repr(&o.to))),
            opt(q.overflow.as_ref().map(|o| format!("{:?}", o.after))),
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
    #[pyo3(signature = (after=0.0, requires=None, when=None))]
    fn new(
        after: f64,
        requires: Option<&Bound<'_, PyDict>>,
        when: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let when = when.map(condition).transpose()?;
        Ok(Step { spec: StepSpec { after, requires: skills("step", requires)?, when } })
    }
    /// The condition, as given (`None` without one).
    #[getter]
    fn when<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        Ok(match &self.spec.when {
            None => None,
            Some(Condition::NoAgentAvailable) => {
                Some("no_agent_available".into_pyobject(py)?.into_any())
            }
            Some(Condition::QueueLongerThan(n)) => {
                let d = PyDict::new(py);
                d.set_item("queue_longer_than", n)?;
                Some(d.into_any())
            }
            Some(Condition::LongestWaitAbove(t)) => {
                let d = PyDict::new(py);
                d.set_item("longest_wait_above", t)?;
                Some(d.into_any())
            }
        })
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
        Ok(Step { spec: crate::forms::from_py("step", data)? })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.downcast::<Step>().is_ok_and(|o| crate::forms::same(&self.spec, &o.get().spec))
    }

    fn __hash__(&self) -> u64 {
        crate::forms::hash(&self.spec)
    }

    fn __repr__(&self) -> String {
        step_repr(&self.spec)
    }
}

/// A step condition: `"no_agent_available"`, `{"queue_longer_than": n}` or
/// `{"longest_wait_above": seconds}`.
fn condition(obj: &Bound<'_, PyAny>) -> PyResult<Condition> {
    let bad = || {
        invalid(format!(
            "step condition {} is not \"no_agent_available\", {{\"queue_longer_than\": n}} or {{\"longest_wait_above\": seconds}}",
            crate::convert::repr(obj)
        ))
    };
    if let Ok(s) = obj.extract::<String>() {
        return if s == "no_agent_available" {
            Ok(Condition::NoAgentAvailable)
        } else {
            Err(bad())
        };
    }
    let d = obj.downcast::<PyDict>().map_err(|_| bad())?;
    if d.len() != 1 {
        return Err(bad());
    }
    let (k, v) = d.iter().next().ok_or_else(bad)?;
    match k.extract::<String>().map_err(|_| bad())?.as_str() {
        "queue_longer_than" => {
            let n: i64 = v.extract().map_err(|_| bad())?;
            let n = usize::try_from(n)
                .map_err(|_| invalid(format!("queue_longer_than {n} is negative")))?;
            Ok(Condition::QueueLongerThan(n))
        }
        "longest_wait_above" => Ok(Condition::LongestWaitAbove(v.extract().map_err(|_| bad())?)),
        _ => Err(bad()),
    }
}

/// A routing profile: the queues its agents serve, with a priority (higher
/// first) and a delay (seconds a contact must wait before these agents may
/// take it) per queue. A queue not listed is not served.
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct RoutingProfile {
    pub(crate) cfg: CoreRoutingProfile,
}

#[pymethods]
impl RoutingProfile {
    /// `queues` maps a queue name to a priority, or to `(priority, delay)`.
    #[new]
    fn new(name: String, queues: &Bound<'_, PyDict>) -> PyResult<Self> {
        let mut list = Vec::with_capacity(queues.len());
        for (k, v) in queues.iter() {
            let queue: String = k.extract()?;
            let what = format!("routing profile {name:?}: priority of queue {queue:?}");
            let (priority, delay) = if let Ok(p) = v.extract::<Int>() {
                (p.within(&what, i64::MIN)?, 0.0)
            } else if let Ok((p, d)) = v.extract::<(Int, f64)>() {
                (p.within(&what, i64::MIN)?, d)
            } else {
                return Err(invalid(format!(
                    "routing profile {name:?}: queue {queue:?} needs a priority or (priority, delay), got {}",
                    crate::convert::repr(&v)
                )));
            };
            list.push(ProfileQueue { queue, priority, delay });
        }
        Ok(RoutingProfile { cfg: CoreRoutingProfile { name, queues: list } })
    }
    /// Profile name.
    #[getter]
    fn name(&self) -> &str {
        &self.cfg.name
    }
    /// `{queue: (priority, delay)}`.
    #[getter]
    fn queues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for q in &self.cfg.queues {
            d.set_item(&q.queue, (q.priority, q.delay))?;
        }
        Ok(d)
    }
    /// The record as plain data (every field, `None` for an absent
    /// option): the form of YAML files, the log and ``from_dict``.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.cfg)
    }

    /// The record from plain data (see ``to_dict``); fields left out take
    /// their defaults, an unknown or mistyped field is ``InvalidInput``
    /// naming it.
    #[staticmethod]
    fn from_dict(data: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(RoutingProfile { cfg: crate::forms::from_py("routing profile", data)? })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .downcast::<RoutingProfile>()
            .is_ok_and(|o| crate::forms::same(&self.cfg, &o.get().cfg))
    }

    fn __hash__(&self) -> u64 {
        crate::forms::hash(&self.cfg)
    }

    fn __repr__(&self) -> String {
        let parts: Vec<String> = self
            .cfg
            .queues
            .iter()
            .map(|q| format!("'{}': ({}, {:?})", q.queue, q.priority, q.delay))
            .collect();
        format!("RoutingProfile('{}', {{{}}})", self.cfg.name, parts.join(", "))
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
    #[pyo3(signature = (id, channel, queue, priority=Int::of(0), requires=None, prefers=None, customer=None, preferred_agent=None, preferred_wait=0.0, steps=None, attributes=None),
           text_signature = "(id, channel, queue, priority=0, requires=None, prefers=None, customer=None, preferred_agent=None, preferred_wait=0.0, steps=None, attributes=None)")]
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: String,
        channel: String,
        queue: String,
        priority: Int,
        requires: Option<&Bound<'_, PyDict>>,
        prefers: Option<&Bound<'_, PyDict>>,
        customer: Option<String>,
        preferred_agent: Option<String>,
        preferred_wait: f64,
        steps: Option<&Bound<'_, PyAny>>,
        attributes: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let what = format!("contact {id:?}");
        let priority = priority.within(&format!("{what}: priority"), i64::MIN)?;
        let steps = match steps {
            None => Vec::new(),
            Some(seq) => {
                let mut out = Vec::new();
                for item in seq.try_iter()? {
                    let item = item?;
                    let step = item.downcast::<Step>().map_err(|_| {
                        invalid(format!(
                            "{what}: steps must be Step objects, got {}",
                            crate::convert::repr(&item)
                        ))
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
        Ok(Contact { spec: crate::forms::from_py("contact", data)? })
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.downcast::<Contact>().is_ok_and(|o| crate::forms::same(&self.spec, &o.get().spec))
    }

    fn __hash__(&self) -> u64 {
        crate::forms::hash(&self.spec)
    }

    fn __repr__(&self) -> String {
        let c = &self.spec;
        let steps: Vec<String> = c.steps.iter().map(step_repr).collect();
        format!(
            "Contact({}, channel={}, queue={}, priority={}, requires={}, prefers={}, customer={}, preferred_agent={}, preferred_wait={:?}, steps=[{}], attributes={})",
            py_str_repr(&c.id),
            py_str_repr(&c.channel),
            py_str_repr(&c.queue),
            c.priority,
            skills_repr(&c.requires),
            skills_repr(&c.prefers),
            opt_str_repr(c.customer.as_deref()),
            opt_str_repr(c.preferred_agent.as_deref()),
            c.preferred_wait,
            steps.join(", "),
            attrs_repr(&c.attributes),
        )
    }
}

/// `{'skill': level, ...}` as Python writes it.
fn skills_repr(list: &[(String, u8)]) -> String {
    let items: Vec<String> = list.iter().map(|(k, v)| format!("{}: {v}", py_str_repr(k))).collect();
    format!("{{{}}}", items.join(", "))
}

/// Attributes as a Python dict literal.
fn attrs_repr(a: &router_core::Attrs) -> String {
    use router_core::AttrValue;
    let items: Vec<String> = a
        .iter()
        .map(|(k, v)| {
            let v = match v {
                AttrValue::Bool(b) => (if *b { "True" } else { "False" }).to_owned(),
                AttrValue::Int(i) => i.to_string(),
                AttrValue::Float(f) if f.is_nan() => "float('nan')".to_owned(),
                AttrValue::Float(f) if f.is_infinite() => {
                    format!("float('{}inf')", if *f < 0.0 { "-" } else { "" })
                }
                AttrValue::Float(f) => format!("{f:?}"),
                AttrValue::Str(s) => py_str_repr(s),
            };
            format!("{}: {v}", py_str_repr(k))
        })
        .collect();
    format!("{{{}}}", items.join(", "))
}

fn opt_str_repr(s: Option<&str>) -> String {
    s.map_or("None".to_owned(), py_str_repr)
}

fn step_repr(s: &StepSpec) -> String {
    let when = match &s.when {
        None => "None".to_owned(),
        Some(Condition::NoAgentAvailable) => "'no_agent_available'".to_owned(),
        Some(Condition::QueueLongerThan(n)) => format!("{{'queue_longer_than': {n}}}"),
        Some(Condition::LongestWaitAbove(t)) => format!("{{'longest_wait_above': {t:?}}}"),
    };
    format!("Step(after={:?}, requires={}, when={when})", s.after, skills_repr(&s.requires))
}

/// The record of a model object met inside plain data (`from_dict` of a
/// configuration holding `Channel` objects, ...), or `None` for anything else.
pub fn record_of(obj: &Bound<'_, PyAny>) -> Option<Result<serde_json::Value, String>> {
    use crate::forms::json_of;
    if let Ok(o) = obj.downcast::<Channel>() {
        return Some(json_of(&o.get().cfg));
    }
    if let Ok(o) = obj.downcast::<Queue>() {
        return Some(json_of(&o.get().cfg));
    }
    if let Ok(o) = obj.downcast::<RoutingProfile>() {
        return Some(json_of(&o.get().cfg));
    }
    if let Ok(o) = obj.downcast::<Agent>() {
        return Some(json_of(&o.get().spec));
    }
    if let Ok(o) = obj.downcast::<Step>() {
        return Some(json_of(&o.get().spec));
    }
    if let Ok(o) = obj.downcast::<Contact>() {
        return Some(json_of(&o.get().spec));
    }
    if let Ok(o) = obj.downcast::<crate::policy::PolicySpec>() {
        return Some(json_of(&o.get().policy));
    }
    None
}
