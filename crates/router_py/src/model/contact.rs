//! `Contact` and its relaxation `Step`s as Python classes. Together because
//! a contact holds its steps and prints them in its repr; a step's condition
//! is parsed here too.

use super::repr::{attrs_repr, opt_str_repr, skills_repr};
use crate::convert::{attrs, attrs_dict, skills, skills_dict, Int};
use crate::errors::invalid;
use crate::events::py_str_repr;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use router_core::{Condition, ContactSpec, StepSpec};

/// A relaxation step: after `after` seconds of waiting the requirements
/// become `requires` (no stricter than before: the pool only grows), and
/// with `selector` the selector in force widens (`in force OR selector`;
/// `""` drops it) or, with `replace_selector=True`, is replaced.
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct Step {
    pub(crate) spec: StepSpec,
}

#[pymethods]
impl Step {
    #[new]
    #[pyo3(signature = (after=0.0, requires=None, when=None, selector=None, replace_selector=false))]
    fn new(
        after: f64,
        requires: Option<&Bound<'_, PyDict>>,
        when: Option<&Bound<'_, PyAny>>,
        selector: Option<&str>,
        replace_selector: bool,
    ) -> PyResult<Self> {
        let when = when.map(condition).transpose()?;
        let selector = selector.map(|t| parse_selector("step", t)).transpose()?;
        Ok(Step {
            spec: StepSpec {
                after,
                requires: skills("step", requires)?,
                when,
                selector,
                replace_selector,
            },
        })
    }
    /// The step's selector (`None`: it keeps the one in force; `""`: it
    /// drops it).
    #[getter]
    fn selector(&self) -> Option<String> {
        self.spec.selector.as_ref().map(|s| s.to_string())
    }
    /// Whether the step's selector replaces the one in force.
    #[getter]
    fn replace_selector(&self) -> bool {
        self.spec.replace_selector
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

/// A contact (call, chat, email, ...) to route.
#[pyclass(frozen, module = "ccroute")]
#[derive(Clone)]
pub struct Contact {
    pub(crate) spec: ContactSpec,
}

#[pymethods]
impl Contact {
    #[new]
    #[pyo3(signature = (id, channel, queue, priority=Int::of(0), requires=None, prefers=None, customer=None, preferred_agent=None, preferred_wait=0.0, steps=None, attributes=None, not_before=None, callback=None, selector="", selectors=None, preferences=None),
           text_signature = "(id, channel, queue, priority=0, requires=None, prefers=None, customer=None, preferred_agent=None, preferred_wait=0.0, steps=None, attributes=None, not_before=None, callback=None, selector='', selectors=None, preferences=None)")]
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
        not_before: Option<f64>,
        callback: Option<&Bound<'_, PyAny>>,
        selector: &str,
        selectors: Option<&Bound<'_, PyAny>>,
        preferences: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let what = format!("contact {id:?}");
        let selector = parse_selector(&what, selector)?;
        let selectors = match selectors {
            None => Vec::new(),
            Some(s) => crate::forms::from_py(&format!("{what}: selectors"), s)?,
        };
        let preferences = match preferences {
            None => Vec::new(),
            Some(p) => crate::forms::from_py(&format!("{what}: preferences"), p)?,
        };
        let callback = match callback {
            None => None,
            Some(cb) => Some(crate::forms::from_py(&format!("{what}: callback"), cb)?),
        };
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
                not_before,
                callback,
                selector,
                selectors,
                preferences,
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
    /// When the contact enters its queue (scheduled work), if later than its submit.
    #[getter]
    fn not_before(&self) -> Option<f64> {
        self.spec.not_before
    }
    /// Which agents may take it beyond its skills (the selector language;
    /// `""`: any).
    #[getter]
    fn selector(&self) -> String {
        self.spec.selector.to_string()
    }
    /// Structured selector clauses, as dicts (`key`, `op`, `value`,
    /// `expires_after`, `expedite`).
    #[getter]
    fn selectors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.spec.selectors)
    }
    /// Weighted selector preferences, as dicts (`selector`, `weight`).
    #[getter]
    fn preferences<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.spec.preferences)
    }
    /// The callback the customer asked for, as a dict, if any.
    #[getter]
    fn callback<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.spec.callback.as_ref().map(|cb| crate::forms::to_py(py, cb)).transpose()
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
        let mut extra = String::new();
        if !c.selector.is_empty() {
            extra.push_str(&format!(", selector={}", py_str_repr(&c.selector.to_string())));
        }
        if !c.selectors.is_empty() {
            extra.push_str(&format!(", selectors=<{} clause(s)>", c.selectors.len()));
        }
        if !c.preferences.is_empty() {
            extra.push_str(&format!(", preferences=<{} preference(s)>", c.preferences.len()));
        }
        format!(
            "Contact({}, channel={}, queue={}, priority={}, requires={}, prefers={}, customer={}, preferred_agent={}, preferred_wait={:?}, steps=[{}], attributes={}{extra})",
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

/// A selector from its text; `InvalidInput` naming `what`, the position
/// and the token otherwise.
fn parse_selector(what: &str, text: &str) -> PyResult<router_core::Selector> {
    router_core::Selector::parse(text).map_err(|e| invalid(format!("{what}: {}", e.message())))
}

fn step_repr(s: &StepSpec) -> String {
    let when = match &s.when {
        None => "None".to_owned(),
        Some(Condition::NoAgentAvailable) => "'no_agent_available'".to_owned(),
        Some(Condition::QueueLongerThan(n)) => format!("{{'queue_longer_than': {n}}}"),
        Some(Condition::LongestWaitAbove(t)) => format!("{{'longest_wait_above': {t:?}}}"),
    };
    let sel = match &s.selector {
        None => String::new(),
        Some(x) => format!(
            ", selector={}{}",
            py_str_repr(&x.to_string()),
            if s.replace_selector { ", replace_selector=True" } else { "" }
        ),
    };
    format!("Step(after={:?}, requires={}, when={when}{sel})", s.after, skills_repr(&s.requires))
}
