//! Read-only views returned by the router: queue statistics, agents, contacts.

use crate::convert::{attrs_dict, skills_dict};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Real-time and cumulative figures of one queue.
#[pyclass(frozen, get_all, module = "ccroute")]
pub struct QueueStats {
    /// Queue name.
    pub name: String,
    /// Contacts waiting now (including those offered but not yet accepted).
    pub waiting: usize,
    /// Of those, contacts offered to an agent right now.
    pub offering: usize,
    /// Seconds the oldest waiting contact has waited (0 when none).
    pub longest_wait: f64,
    /// Of the waiting contacts, callbacks waiting for an agent or for the
    /// time of their next call.
    pub callbacks_waiting: usize,
    /// Callbacks an agent is calling now (also counted in `waiting`).
    pub callbacks_calling: usize,
    /// Contacts submitted for later, not in the queue yet.
    pub scheduled: usize,
    /// Open now by its opening hours (always, without hours).
    pub open: bool,
    /// Contacts that entered the queue (submitted or overflowed in). Not to
    /// be confused with the `Offered` event (a reservation for an agent).
    pub entered: u64,
    /// Contacts answered.
    pub answered: u64,
    /// Answered within the service-level threshold.
    pub answered_in_sl: u64,
    /// Contacts abandoned in this queue.
    pub abandoned: u64,
    /// Abandoned within the threshold.
    pub abandoned_in_sl: u64,
    /// Answered contacts completed.
    pub completed: u64,
    /// Contacts that arrived by overflow.
    pub overflowed_in: u64,
    /// Contacts that left by overflow.
    pub overflowed_out: u64,
    /// Contacts refused because the queue was full.
    pub refused: u64,
    /// Contacts refused because the queue was closed (its hours).
    pub refused_closed: u64,
    /// Contacts that arrived while the queue was closed and waited for
    /// its opening.
    pub held: u64,
    /// Exception rules fired.
    pub exceptions: u64,
    /// Pauses of this queue's contacts.
    pub paused: u64,
    /// Contacts a rule cancelled.
    pub cancelled: u64,
    /// Offers of this queue's contacts that expired unanswered.
    pub missed_offers: u64,
    /// Contacts transferred into this queue (each also counted offered).
    pub transferred_in: u64,
    /// Contacts answered from this queue and transferred away.
    pub transferred_out: u64,
    /// Waits here ended by a failed warm transfer (back with the first agent).
    pub transfers_failed: u64,
    /// Calls placed for this queue's callbacks.
    pub callback_calls: u64,
    /// Callbacks whose calls all went unanswered.
    pub callbacks_failed: u64,
    /// answered within threshold / (answered + abandoned); None before any.
    pub service_level: Option<f64>,
    /// Average speed of answer in seconds; None before any answer.
    pub asa: Option<f64>,
    /// abandoned / (answered + abandoned); None before any.
    pub abandon_rate: Option<f64>,
    /// Service-level target.
    pub sl_target: f64,
    /// Service-level threshold in seconds.
    pub sl_threshold: f64,
}

#[pymethods]
impl QueueStats {
    fn __repr__(&self) -> String {
        format!(
            "QueueStats('{}', waiting={}, entered={}, answered={}, abandoned={}, service_level={}, asa={})",
            self.name,
            self.waiting,
            self.entered,
            self.answered,
            self.abandoned,
            py_opt(self.service_level),
            py_opt(self.asa)
        )
    }

    /// Deprecated alias of `entered`, kept for one release (the word is the
    /// `Offered` event's: a reservation for an agent).
    #[getter]
    fn offered(&self) -> u64 {
        self.entered
    }

    /// The figures as a plain dict (`offered` repeats `entered` for one release).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("name", &self.name)?;
        d.set_item("waiting", self.waiting)?;
        d.set_item("offering", self.offering)?;
        d.set_item("longest_wait", self.longest_wait)?;
        d.set_item("callbacks_waiting", self.callbacks_waiting)?;
        d.set_item("callbacks_calling", self.callbacks_calling)?;
        d.set_item("scheduled", self.scheduled)?;
        d.set_item("open", self.open)?;
        d.set_item("entered", self.entered)?;
        d.set_item("offered", self.entered)?;
        d.set_item("answered", self.answered)?;
        d.set_item("answered_in_sl", self.answered_in_sl)?;
        d.set_item("abandoned", self.abandoned)?;
        d.set_item("abandoned_in_sl", self.abandoned_in_sl)?;
        d.set_item("completed", self.completed)?;
        d.set_item("overflowed_in", self.overflowed_in)?;
        d.set_item("overflowed_out", self.overflowed_out)?;
        d.set_item("refused", self.refused)?;
        d.set_item("refused_closed", self.refused_closed)?;
        d.set_item("held", self.held)?;
        d.set_item("exceptions", self.exceptions)?;
        d.set_item("paused", self.paused)?;
        d.set_item("cancelled", self.cancelled)?;
        d.set_item("missed_offers", self.missed_offers)?;
        d.set_item("transferred_in", self.transferred_in)?;
        d.set_item("transferred_out", self.transferred_out)?;
        d.set_item("transfers_failed", self.transfers_failed)?;
        d.set_item("callback_calls", self.callback_calls)?;
        d.set_item("callbacks_failed", self.callbacks_failed)?;
        d.set_item("service_level", self.service_level)?;
        d.set_item("asa", self.asa)?;
        d.set_item("abandon_rate", self.abandon_rate)?;
        d.set_item("sl_target", self.sl_target)?;
        d.set_item("sl_threshold", self.sl_threshold)?;
        Ok(d)
    }
}

impl From<router_core::QueueStats> for QueueStats {
    fn from(s: router_core::QueueStats) -> Self {
        let c = s.counters;
        QueueStats {
            name: s.name,
            waiting: s.waiting,
            offering: s.offering,
            longest_wait: s.longest_wait,
            callbacks_waiting: s.callbacks_waiting,
            callbacks_calling: s.callbacks_calling,
            scheduled: s.scheduled,
            open: s.open,
            entered: c.offered,
            answered: c.answered,
            answered_in_sl: c.answered_in_sl,
            abandoned: c.abandoned,
            abandoned_in_sl: c.abandoned_in_sl,
            completed: c.completed,
            overflowed_in: c.overflowed_in,
            overflowed_out: c.overflowed_out,
            refused: c.refused,
            refused_closed: c.refused_closed,
            held: c.held,
            exceptions: c.exceptions,
            paused: c.paused,
            cancelled: c.cancelled,
            missed_offers: c.missed_offers,
            transferred_in: c.transferred_in,
            transferred_out: c.transferred_out,
            transfers_failed: c.transfers_failed,
            callback_calls: c.callback_calls,
            callbacks_failed: c.callbacks_failed,
            service_level: s.service_level,
            asa: s.asa,
            abandon_rate: s.abandon_rate,
            sl_target: s.sl_target,
            sl_threshold: s.sl_threshold,
        }
    }
}

/// A snapshot of one agent.
#[pyclass(frozen, get_all, module = "ccroute")]
pub struct AgentView {
    /// Agent id.
    pub id: String,
    /// `offline`, `available` or `away`.
    pub state: &'static str,
    /// Skills with levels.
    pub skills: Py<PyDict>,
    /// Total capacity units.
    pub capacity: u32,
    /// Units in use.
    pub used: u32,
    /// used / capacity.
    pub load: f64,
    /// Ids of the contacts offered to or held by the agent.
    pub contacts: Vec<String>,
    /// Ids of its paused contacts (assigned to it, holding no slot).
    pub paused: Vec<String>,
    /// Per channel: slots in use.
    pub held: Py<PyDict>,
    /// Per channel: maximum slots.
    pub max: Py<PyDict>,
    /// Slots in wrap-up.
    pub wrap_ups: usize,
    /// Contacts completed.
    pub handled: u64,
    /// Idle since (last became available or freed a slot).
    pub idle_since: f64,
    /// Whether the agent holds any contact, offer or wrap-up.
    pub busy: bool,
    /// Free-form attributes.
    pub attributes: Py<PyDict>,
    /// Name of the agent's routing profile, if any.
    pub routing_profile: Option<String>,
    /// Whether the agent named no channels (it serves every channel at
    /// its default maximum, new channels too).
    pub all_channels: bool,
    /// When the agent entered its current state and reason.
    pub state_since: f64,
    /// The reason code of its state, if any (`not_responding` after a
    /// missed offer).
    pub reason: Option<String>,
}

#[pymethods]
impl AgentView {
    fn __repr__(&self) -> String {
        format!(
            "AgentView('{}', state='{}', load={:?}, contacts={:?}, handled={})",
            self.id, self.state, self.load, self.contacts, self.handled
        )
    }
}

impl AgentView {
    pub fn new(py: Python<'_>, v: router_core::AgentView) -> PyResult<Self> {
        let held = PyDict::new(py);
        let max = PyDict::new(py);
        for (name, h, m) in &v.channels {
            held.set_item(name, h)?;
            max.set_item(name, m)?;
        }
        Ok(AgentView {
            state: v.state.as_str(),
            skills: skills_dict(py, &v.skills)?.unbind(),
            capacity: v.capacity,
            used: v.used,
            load: v.load,
            held: held.unbind(),
            max: max.unbind(),
            wrap_ups: v.wrap_ups,
            handled: v.handled,
            idle_since: v.idle_since,
            busy: v.used > 0,
            attributes: attrs_dict(py, &v.attributes)?.unbind(),
            routing_profile: v.routing_profile,
            all_channels: v.all_channels,
            state_since: v.state_since,
            reason: v.reason,
            contacts: v.contacts,
            paused: v.paused,
            id: v.id,
        })
    }
}

/// A snapshot of one contact, live or ended.
#[pyclass(frozen, get_all, module = "ccroute")]
pub struct ContactView {
    /// Contact id.
    pub id: String,
    /// `waiting`, `offered`, `assigned`, `completed`, `abandoned` or `refused`.
    pub status: &'static str,
    /// Channel name.
    pub channel: String,
    /// Current queue (after any overflow).
    pub queue: String,
    /// Priority (None once ended).
    pub priority: Option<i64>,
    /// Arrival time.
    pub arrival: f64,
    /// Seconds waited: until now while waiting, until answered once answered.
    pub wait: f64,
    /// The agent offered to, assigned to, or who completed it.
    pub agent: Option<String>,
    /// Requirements in force (empty once ended).
    pub requires: Py<PyDict>,
    /// Relaxation steps applied so far.
    pub step: usize,
    /// Free-form attributes (empty once ended).
    pub attributes: Py<PyDict>,
    /// Changes made to it by calls (updates), from 1 at submit; what
    /// `update_contact(if_version=...)` compares with. 0 once ended.
    pub version: u64,
}

#[pymethods]
impl ContactView {
    fn __repr__(&self) -> String {
        let agent = self.agent.as_ref().map_or("None".to_owned(), |a| format!("'{a}'"));
        format!(
            "ContactView('{}', status='{}', queue='{}', agent={agent})",
            self.id, self.status, self.queue
        )
    }
}

impl ContactView {
    pub fn new(py: Python<'_>, v: router_core::ContactView) -> PyResult<Self> {
        Ok(ContactView {
            status: v.status.as_str(),
            requires: skills_dict(py, &v.requires)?.unbind(),
            attributes: attrs_dict(py, &v.attributes)?.unbind(),
            id: v.id,
            channel: v.channel,
            queue: v.queue,
            priority: v.priority,
            arrival: v.arrival,
            wait: v.wait,
            agent: v.agent,
            step: v.step,
            version: v.version,
        })
    }
}

/// `None` or the number, as Python prints it.
fn py_opt(v: Option<f64>) -> String {
    v.map_or("None".to_owned(), |x| format!("{x:?}"))
}

/// Why a contact is where it is (`Router.explain`): its place, the
/// requirements in force, the agents that could take it now and, by
/// reason, why the others cannot, and its next timer.
#[pyclass(frozen, module = "ccroute")]
pub struct Explanation {
    /// Contact id.
    #[pyo3(get)]
    pub contact: String,
    /// `waiting`, `offered` or `assigned`.
    #[pyo3(get)]
    pub status: &'static str,
    /// Its queue.
    #[pyo3(get)]
    pub queue: String,
    /// Its channel.
    #[pyo3(get)]
    pub channel: String,
    /// 1-based place among the queue's waiting contacts (None unless waiting).
    #[pyo3(get)]
    pub position: Option<usize>,
    /// Contacts waiting in its queue (offered ones included).
    #[pyo3(get)]
    pub queue_waiting: usize,
    /// Requirements in force.
    #[pyo3(get)]
    pub requires: Py<PyDict>,
    /// Relaxation steps applied so far.
    #[pyo3(get)]
    pub step: usize,
    /// The selector in force (its structured clauses that still apply
    /// included); `""`: none.
    #[pyo3(get)]
    pub selector: String,
    /// Per top-level clause of that selector, in order: the agents it was
    /// the first to exclude (counted under `ineligible["selector"]`).
    #[pyo3(get)]
    pub selector_clauses: Py<PyDict>,
    /// The one agent it waits for (preferred agent, affinity), if any.
    #[pyo3(get)]
    pub waits_for: Option<String>,
    /// The agent it is offered or assigned to.
    #[pyo3(get)]
    pub agent: Option<String>,
    /// Agents that could take it now.
    #[pyo3(get)]
    pub eligible: u32,
    /// The other agents by the first reason each cannot: `reserved`,
    /// `state`, `routing_profile`, `profile_delay`, `skills`, `selector`,
    /// `channel`, `capacity`, `excluded`.
    #[pyo3(get)]
    pub ineligible: Py<PyDict>,
    /// `{"at": time, "what": "step 0" | "overflow to q" | ...}`, or None.
    #[pyo3(get)]
    pub next_timer: Option<Py<PyDict>>,
    inner: router_core::Explanation,
}

#[pymethods]
impl Explanation {
    /// The explanation as plain data (the same form on every interface).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::forms::to_py(py, &self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "Explanation('{}', status='{}', position={:?}, eligible={}, next_timer={:?})",
            self.contact,
            self.status,
            self.position,
            self.eligible,
            self.inner.next_timer.as_ref().map(|t| (t.at, t.what.as_str()))
        )
    }
}

impl Explanation {
    pub fn new(py: Python<'_>, v: router_core::Explanation) -> PyResult<Self> {
        let ineligible = PyDict::new(py);
        for (reason, n) in v.ineligible.by_reason() {
            ineligible.set_item(reason, n)?;
        }
        let clauses = PyDict::new(py);
        for (clause, n) in &v.selector_clauses {
            clauses.set_item(clause, n)?;
        }
        let next_timer = match &v.next_timer {
            Some(t) => {
                let d = PyDict::new(py);
                d.set_item("at", t.at)?;
                d.set_item("what", &t.what)?;
                Some(d.unbind())
            }
            None => None,
        };
        Ok(Explanation {
            contact: v.contact.clone(),
            status: v.status.as_str(),
            queue: v.queue.clone(),
            channel: v.channel.clone(),
            position: v.position,
            queue_waiting: v.queue_waiting,
            requires: skills_dict(py, &v.requires)?.unbind(),
            step: v.step,
            selector: v.selector.clone(),
            selector_clauses: clauses.unbind(),
            waits_for: v.waits_for.clone(),
            agent: v.agent.clone(),
            eligible: v.eligible,
            ineligible: ineligible.unbind(),
            next_timer,
            inner: v,
        })
    }
}
