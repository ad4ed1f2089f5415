//! The static shape of a contact center as Python classes: `Channel`,
//! `Queue` and `RoutingProfile`. They are separate from agents and contacts
//! because they are configuration, given once when the router is built (or
//! reconfigured), while agents and contacts arrive and leave at run time.

use crate::convert::Int;
use crate::errors::invalid;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use router_core::{
    ChannelConfig, Ordering, Overflow, ProfileQueue, QueueConfig,
    RoutingProfile as CoreRoutingProfile,
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
    #[pyo3(signature = (name, cost=Int::of(100), max_per_agent=Int::of(1), wrap_up=0.0, interruptible=false),
           text_signature = "(name, cost=100, max_per_agent=1, wrap_up=0.0, interruptible=False)")]
    fn new(
        name: String,
        cost: Int,
        max_per_agent: Int,
        wrap_up: f64,
        interruptible: bool,
    ) -> PyResult<Self> {
        let cost = cost.within(&format!("channel {name:?}: cost"), 1u32)?;
        let max = max_per_agent.within(&format!("channel {name:?}: max_per_agent"), 1u32)?;
        Ok(Channel {
            cfg: ChannelConfig { name, cost, max_per_agent: max, wrap_up, interruptible },
        })
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
    /// Whether work on this channel may be paused for uninterruptible work.
    #[getter]
    fn interruptible(&self) -> bool {
        self.cfg.interruptible
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
            cfg.interruptible,
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
    #[pyo3(signature = (name, sl_target=0.8, sl_threshold=20.0, aging_rate=0.0, max_waiting=None, overflow_to=None, overflow_after=None, ordering="priority", aging_max=None, virtual_wait=None, callbacks_per_free_agent=1.0, hours=None, closed_action=None, on_close=None, rules=None))]
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
        callbacks_per_free_agent: f64,
        hours: Option<&Bound<'_, PyAny>>,
        closed_action: Option<&Bound<'_, PyAny>>,
        on_close: Option<&Bound<'_, PyAny>>,
        rules: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let what = |field: &str| format!("queue {name:?}: {field}");
        let hours = hours.map(|h| crate::forms::from_py(&what("hours"), h)).transpose()?;
        let closed_action = match closed_action {
            None => Default::default(),
            Some(a) => crate::forms::from_py(&what("closed_action"), a)?,
        };
        let rules = match rules {
            None => Vec::new(),
            Some(r) => crate::forms::from_py(&what("rules"), r)?,
        };
        let on_close = match on_close {
            None => Default::default(),
            Some(a) => crate::forms::from_py(&what("on_close"), a)?,
        };
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
                callbacks_per_free_agent,
                hours,
                closed_action,
                on_close,
                rules,
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
    /// Share of free agents callbacks may take at once.
    #[getter]
    fn callbacks_per_free_agent(&self) -> f64 {
        self.cfg.callbacks_per_free_agent
    }
    /// Opening hours as plain data (None: always open).
    #[getter]
    fn hours<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.cfg.hours)
    }
    /// What an arrival meets while closed: ``"refuse"``, ``"hold"`` or
    /// ``{"overflow": queue}``.
    #[getter]
    fn closed_action<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.cfg.closed_action)
    }
    /// What waiting contacts meet at closing: ``"keep"``,
    /// ``{"overflow": queue}`` or ``{"callback": {...}}``.
    #[getter]
    fn on_close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.cfg.on_close)
    }
    /// Exception rules as plain data.
    #[getter]
    fn rules<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.cfg.rules)
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
