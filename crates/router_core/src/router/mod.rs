//! The router: state, construction and the public calls.
//!
//! The calls are split by subject: [`agents`](self) (add, remove, state),
//! contacts (submit, accept, reject, complete, cancel), `routing` (the two
//! decision regimes and assignment), `timers` (`advance`), [`bulk`]
//! (templates and keys) and `views` (read-only look-ups and statistics);
//! `build` validates a configuration into a router. Every mutating call
//! takes an [`EventSink`] and hands it back with the call's events (see
//! [`crate::sink`]).
//!
//! ## Derived state
//!
//! The records (agents, contacts, queues' counters, timers) are the state;
//! snapshots hold them. The hot path also keeps structures derived from
//! them, rebuilt on restore and reconfiguration. Each has one place that
//! updates it and a clause of [`Router::check_invariants`] that verifies
//! it; debug test builds (feature `invariants`, on for the crate's own
//! tests) run that check at the start of every mutating call.
//!
//! | Derived structure | Updated by | Verified by (`check_invariants`) |
//! |---|---|---|
//! | Ready groups: per profile and channel, the agents that could take one more contact (`Profile::ready`, `Agent::ready`, `Agent::key`) | `refresh_agent` (agents.rs), after any change to an agent's state, load or maxima | "ready index wrong on channel", "ready key out of step" |
//! | Wait groups: waiting contacts by (queue, channel, signature, capped), ordered by wait key (`Index::groups`, `Contact::slot`) | `enqueue` / `dequeue` (contacts.rs, timers.rs) | "misplaced in wait group", "under a stale key", the waiting count |
//! | Cached heads of the wait groups (`Index::heads`) | `enqueue` / `dequeue`, with the group | "stale head of wait group" |
//! | Last-group cache (`Index::last_group`) | `Index::group` | "last-group cache points at" |
//! | Candidate fact table of a plug-in scorer (`plugin::FactTable`) | `refresh_agent` and the scorer hooks (plugin.rs) | "facts kept for plug-in candidates are stale" |
//! | Tie-break ranks of agents in id order (`id_order::IdOrder`, `Agent::rank`) | `add_agent` / `remove_agent`, `rerank_agents` | "ranked out of id order", "ready key out of step" |
//! | Live sets: per queue, waiting and offered contacts by arrival (`Queue::live`) | `insert_contact`, `answer`, `finish`, overflow | "live set out of step", "counters do not add up" |
//! | Contact slots and the id index (`contacts`, `contact_ids`) | `insert_contact` / `finish` | "not found under its id", "sends ... to a slot that is not it" |
//! | Availability counters: per profile and channel, available agents serving it (`Profile::available`) | `count_available` (agents.rs) | "available agents of profile" |
//! | Agents' loads (`used`, `held`) and pinned contacts | `assign` and `release_slot` / `free_units` (routing.rs); pins by `enqueue` | "load out of step", "over its maximum", "wrongly pinned" |
//!
//! Routing completeness (no ready agent could take a waiting contact,
//! outside batch mode) and the aging-cap flags are checked too.

mod agents;
mod batch;
mod build;
pub mod bulk;
mod callbacks;
mod contacts;
mod explain;
mod external;
mod hours;
mod id_order;
mod index;
mod interrupt;
mod lifecycle;
mod live;
mod ordered;
mod ordering;
mod plugin;
mod reconfigure;
mod routing;
mod rules;
mod selecting;
mod slots;
mod snapshot;
mod snapshot_check;
mod timers;
mod views;

pub use agents::MAX_REASON;
pub use batch::BatchReport;
pub use bulk::{ContactKey, ContactRef, ContactTemplate, NewContact};
pub use explain::{Explanation, Ineligible, NextTimer};
pub(crate) use external::Ask;
pub(crate) use index::{AgentKey, WaitKey};
pub(crate) use ordering::ContactRank;
pub use views::{AgentView, AgentsByState, ContactView, QueueStats};

use crate::error::{Error, Result};
use crate::event::Event;
use crate::model::{ChannelConfig, RouterConfig, MAX_LEVEL, MIN_LEVEL};
use crate::policy::Policy;
use crate::sink::{AgentHandle, EventSink, Handoff};
use crate::types::{check_time, AgentState, Attrs, ContactStatus, Id, Time};
use index::{GroupId, Index, ProfileId, SigId, SkillSet};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use timers::Timer;

/// Per-channel figures of an agent, inline for up to eight channels (no
/// pointer to chase on the routing hot path).
type PerChannel<T> = smallvec::SmallVec<[T; 8]>;

/// A compiled queue: configuration, counters and live figures.
#[derive(Debug)]
struct Queue {
    name: String,
    /// The name as events carry it (copied, not allocated, per event).
    tag: Id,
    sl_target: f64,
    sl_threshold: Time,
    order: ordering::QueueOrder,
    /// Distinct positive delays routing profiles put on this queue.
    delays: Vec<Time>,
    max_waiting: Option<usize>,
    overflow: Option<(u32, Time)>,
    /// `QueueConfig::callbacks_per_free_agent`.
    callback_share: f64,
    /// Callbacks of this queue being placed now (derived: recounted on
    /// restore).
    calling: u32,
    counters: views::Counters,
    /// Waiting or offered contacts in this queue, oldest arrival first.
    live: live::LiveSet,
    /// Opening hours, what closed means (`None`: always open).
    hours: Option<Box<hours::QueueHours>>,
    /// Open now (always, without hours). Derived from the hours and the
    /// router's time.
    open: bool,
    /// Exception rules (`None`: none).
    rules: Option<Box<rules::QueueRules>>,
    /// Per rule: an `alert` on a queue-level trigger has fired and the
    /// trigger has held since (it fires again after it stops holding).
    crossed: Vec<bool>,
    /// Recent answers and abandonments, for `sl_below` rules.
    outcomes: Option<Box<rules::Outcomes>>,
}

/// An agent's record. The ready-group key and flags are derived state,
/// rebuilt when a snapshot is restored.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
// Laid out in declaration order: what a routing decision or a plug-in
// candidate reads comes first, so it spans as few cache lines as possible.
#[repr(C)]
struct Agent {
    id: Id,
    used: u32,
    capacity: u32,
    idle_since: Time,
    handled: u64,
    profile: ProfileId,
    state: AgentState,
    /// Per channel: slots in use (offers, contacts, wrap-up).
    held: PerChannel<u32>,
    /// Per channel: maximum concurrent contacts (0 = not served).
    max: PerChannel<u32>,
    /// Whether the maxima are the channels' defaults (the agent named no
    /// channels): a reconfiguration gives it new channels and new defaults.
    all_channels: bool,
    attributes: Attrs,
    uid: u64,
    last_assigned: u64,
    /// Offered or assigned contacts.
    contacts: Vec<u32>,
    /// Slots in wrap-up: (wrap-up id, channel, contact id, until, the
    /// contact's queue by name: it may be removed meanwhile).
    wrapups: Vec<(u64, u32, Id, Time, Id)>,
    /// Contacts waiting for this agent only (preferred agent, affinity).
    pinned: Vec<u32>,
    /// Its paused contacts (assigned, holding no slot), oldest first.
    paused: Vec<u32>,
    /// When the agent entered its state and reason.
    state_since: Time,
    /// Why the agent is in its state (a reason code: `break`, `lunch`,
    /// [`NOT_RESPONDING`] after a missed offer); empty: none given.
    reason: String,
    /// The key under which the agent sits in its ready groups.
    #[serde(skip)]
    key: Option<AgentKey>,
    /// Where the id falls among the live agents' ids (see `id_order`).
    #[serde(skip)]
    rank: u64,
    /// Per channel: whether the agent sits in that ready group.
    #[serde(skip)]
    ready: PerChannel<bool>,
    /// Its attribute class (see `index.rs`).
    #[serde(skip)]
    class: index::ClassId,
}

/// The reason an agent moved by a missed offer is given
/// (`RouterConfig::missed_offer_state`).
pub const NOT_RESPONDING: &str = "not_responding";

/// A live contact's record (scheduled, waiting, offered, calling or assigned).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Contact {
    id: Id,
    /// Whether the id is in the id index (false: reached by key only).
    indexed: bool,
    seq: u64,
    channel: u32,
    queue: u32,
    priority: i64,
    arrival: Time,
    queue_entered: Time,
    /// Signature of the requirements in force.
    sig: SigId,
    /// Number of steps applied so far.
    step: usize,
    /// (after, signature, condition) per relaxation step.
    steps: Vec<(Time, SigId, Option<crate::model::Condition>)>,
    /// Its aging term reached its queue's cap (it waits in a capped group).
    capped: bool,
    prefers: SkillSet,
    /// Its selectors, if it has any.
    sel: Option<Box<selecting::SelState>>,
    customer: Option<Id>,
    preferred_agent: Option<Id>,
    preferred_wait: Time,
    /// Counts the changes made to the contact by calls on it (updates,
    /// transfers); 1 at submit.
    version: u64,
    /// Seconds added to its routing age (see `ContactUpdate::age_offset`).
    age_offset: Time,
    status: ContactStatus,
    /// The agent holding the contact (offered or assigned).
    agent: Option<u32>,
    /// The agent the contact waits for, exclusively, until a deadline.
    pinned: Option<u32>,
    /// Uids of agents that rejected it or let an offer expire, after the
    /// first `fixed_exclusions` (agents it was transferred away from),
    /// which never expire.
    excluded: Vec<u64>,
    fixed_exclusions: u32,
    /// A warm transfer under way: the first agent still holds the contact
    /// while it waits for (or is offered to) its target.
    warm: Option<Box<WarmLeg>>,
    /// A callback not yet connected.
    callback: Option<Box<CallbackState>>,
    /// It arrived while its queue was closed (`ClosedAction::Hold`): it
    /// waits in no group until its queue opens.
    held: bool,
    /// Paused by its agent: 0 not, 1 interrupted (resumed automatically),
    /// 2 by hand (resumed by `resume`).
    paused: u8,
    /// Where it sits while waiting in a group (derived state).
    #[serde(skip)]
    slot: Option<(GroupId, WaitKey)>,
    offer_seq: u64,
    offered_at: Time,
    answered_at: Time,
    attributes: SharedAttrs,
}

impl Contact {
    /// A record to overwrite (see [`Contact::refill`]).
    fn blank() -> Self {
        Contact {
            id: Id::from(""),
            indexed: false,
            seq: 0,
            channel: 0,
            queue: 0,
            priority: 0,
            arrival: 0.0,
            queue_entered: 0.0,
            sig: 0,
            step: 0,
            steps: Vec::new(),
            capped: false,
            prefers: Vec::new(),
            sel: None,
            customer: None,
            preferred_agent: None,
            preferred_wait: 0.0,
            version: 1,
            age_offset: 0.0,
            status: ContactStatus::Waiting,
            agent: None,
            pinned: None,
            excluded: Vec::new(),
            fixed_exclusions: 0,
            warm: None,
            callback: None,
            held: false,
            paused: 0,
            slot: None,
            offer_seq: 0,
            offered_at: 0.0,
            answered_at: 0.0,
            attributes: SharedAttrs::default(),
        }
    }

    /// Overwrites every field in place with a new waiting contact made from
    /// `t` (the pattern names every field, so a new field cannot be missed).
    #[allow(clippy::too_many_arguments)]
    fn refill(
        &mut self,
        t: &contacts::Compiled,
        id: Id,
        indexed: bool,
        seq: u64,
        priority: i64,
        now: Time,
        customer: Option<Id>,
    ) {
        let Contact {
            id: c_id,
            indexed: c_indexed,
            seq: c_seq,
            channel,
            queue,
            priority: c_priority,
            arrival,
            queue_entered,
            sig,
            step,
            steps,
            capped,
            prefers,
            sel,
            customer: c_customer,
            preferred_agent,
            preferred_wait,
            version,
            age_offset,
            status,
            agent,
            pinned,
            excluded,
            fixed_exclusions,
            warm,
            callback,
            held,
            paused,
            slot,
            offer_seq,
            offered_at,
            answered_at,
            attributes,
        } = self;
        *c_id = id;
        *c_indexed = indexed;
        *c_seq = seq;
        *channel = t.channel;
        *queue = t.queue;
        *c_priority = priority;
        *arrival = now;
        *queue_entered = now;
        *sig = t.sig;
        *step = 0;
        steps.clone_from(&t.steps);
        *capped = false;
        prefers.clone_from(&t.prefers);
        sel.clone_from(&t.sel);
        *c_customer = customer;
        preferred_agent.clone_from(&t.preferred_agent);
        *preferred_wait = t.preferred_wait;
        *version = 1;
        *age_offset = 0.0;
        *status = ContactStatus::Waiting;
        *agent = None;
        *pinned = None;
        excluded.clear();
        *fixed_exclusions = 0;
        *warm = None;
        *callback = t.callback.as_ref().map(|cb| Box::new(CallbackState::new(cb)));
        *held = false;
        *paused = 0;
        *slot = None;
        *offer_seq = 0;
        *offered_at = 0.0;
        *answered_at = 0.0;
        attributes.clone_from(&t.attributes);
    }
}

/// A callback's progress.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct CallbackState {
    /// Calls allowed, and made so far.
    attempts: u32,
    made: u32,
    retry_after: Time,
    /// Not to be released before this time (a retry, the customer's
    /// choice): while it is later than now, the contact waits in its queue
    /// (its place kept) but in no wait group.
    parked_until: Option<Time>,
}

impl CallbackState {
    fn new(cb: &crate::model::Callback) -> Self {
        CallbackState {
            attempts: cb.number_of_attempts,
            made: 0,
            retry_after: cb.retry_after,
            parked_until: cb.not_before,
        }
    }
}

/// What a warm transfer keeps of the contact's first assignment, to hand
/// it over when the target answers or give it back if the transfer fails.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct WarmLeg {
    /// The agent who holds it meanwhile, and that agent's uid.
    from: u32,
    from_uid: u64,
    /// The queue it was answered from and the channel it is held on.
    queue: u32,
    channel: u32,
    /// The agent named as the target, if any.
    to_agent: Option<u32>,
    /// The contact's routing fields before the transfer.
    sig: SigId,
    step: usize,
    steps: Vec<(Time, SigId, Option<crate::model::Condition>)>,
    arrival: Time,
    queue_entered: Time,
    age_offset: Time,
    answered_at: Time,
    excluded: Vec<u64>,
    fixed_exclusions: u32,
}

impl Contact {
    /// Where the contact's routing age counts from: its arrival, moved back
    /// by its age offset. Orders it in its queue and times its aging and
    /// routing-profile delays.
    #[inline(always)]
    fn age_origin(&self) -> Time {
        self.arrival - self.age_offset
    }
}

/// A contact's attributes, shared by every contact made from one template
/// and absent when empty (most contacts have none: nothing to copy or
/// drop). Serialised as the map itself.
#[derive(Debug, Clone, Default)]
pub(super) struct SharedAttrs(Option<std::sync::Arc<Attrs>>);

impl SharedAttrs {
    pub(super) fn new(attrs: Attrs) -> Self {
        SharedAttrs((!attrs.is_empty()).then(|| std::sync::Arc::new(attrs)))
    }

    /// The attributes (an empty map when there are none).
    pub(super) fn get(&self) -> &Attrs {
        static EMPTY: Attrs = Attrs::new();
        self.0.as_deref().unwrap_or(&EMPTY)
    }
}

impl serde::Serialize for SharedAttrs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.get().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for SharedAttrs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Attrs::deserialize(d).map(SharedAttrs::new)
    }
}

/// What is kept of an ended contact.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Finished {
    status: ContactStatus,
    channel: u32,
    queue: u32,
    agent: Option<Id>,
    arrival: Time,
    answered_at: Option<Time>,
    ended_at: Time,
    /// Number of relaxation steps applied before it ended.
    step: usize,
}

/// A compiled channel.
#[derive(Debug, Clone)]
struct Channel {
    cfg: ChannelConfig,
    /// The name as events carry it.
    tag: Id,
}

/// The routing engine. See the crate documentation for the model.
#[derive(Debug)]
pub struct Router {
    config: RouterConfig,
    channels: Vec<Channel>,
    channel_ids: FxHashMap<String, u32>,
    routing_ids: FxHashMap<String, u32>,
    queues: Vec<Queue>,
    queue_ids: FxHashMap<String, u32>,
    index: Index,
    agents: Vec<Option<Agent>>,
    free_agents: Vec<u32>,
    agent_ids: FxHashMap<Id, u32>,
    /// Tie-break ranks of the live agents, in id order.
    id_order: id_order::IdOrder,
    contacts: slots::ContactSlots,
    free_contacts: Vec<u32>,
    contact_ids: FxHashMap<Id, u32>,
    finished: FxHashMap<Id, Finished>,
    finished_order: VecDeque<Id>,
    /// Names of channels and queues removed by a reconfiguration while
    /// ended contacts still named them: an ended contact's channel or
    /// queue number past the live ones indexes these.
    retired_channels: Vec<String>,
    retired_queues: Vec<String>,
    last_agent: FxHashMap<Id, Id>,
    timers: BinaryHeap<Reverse<Timer>>,
    pending: Vec<Event>,
    /// See [`Router::timer_events`].
    fired: usize,
    /// The time the timers being fired run up to (the call's `now`).
    until: Time,
    /// Some channel is interruptible (agents' fit reads pausable work).
    any_interruptible: bool,
    rng: ChaCha8Rng,
    now: Time,
    /// Where timers have been applied up to: a failed call leaves the clock here.
    settled: Time,
    next_seq: u64,
    decisions: u64,
    plugin: plugin::ScorerSlot,
    /// When the next batch runs (batch mode), if one is scheduled.
    batch_due: Option<Time>,
    /// Whether the current call's sink takes assignments and completions
    /// as handoffs (see [`EventSink::by_key`]); not persisted.
    by_key: bool,
    /// Handoffs of the current call (or of a failed one), not yet delivered.
    handoffs: Vec<Handoff>,
    /// Agents freed in the middle of an assignment (the first agent of a
    /// warm transfer, when the target answers), routed once it is over:
    /// empty between calls.
    deferred: Vec<u32>,
    /// Step-wise control: routing decisions are left to the caller (see
    /// [`external`]); not persisted.
    external: Option<external::Asks>,
}

impl Router {
    /// The configuration the router was built with.
    pub fn config(&self) -> &RouterConfig {
        &self.config
    }

    /// The policy in use.
    pub fn policy(&self) -> &Policy {
        &self.config.policy
    }

    /// The router's current time (the latest `now` it was given).
    pub fn now(&self) -> Time {
        self.now
    }

    /// How many routing decisions (assignments or offers) it has made.
    pub fn decisions(&self) -> u64 {
        self.decisions
    }

    /// When the next timer is due, if any (for callers that drive `advance`).
    pub fn next_timer(&self) -> Option<Time> {
        self.timers.peek().map(|Reverse(t)| t.at.0)
    }

    /// Checks `now` and rejects time going backwards.
    #[inline]
    fn check_now(&self, now: Time) -> Result<()> {
        check_time("time", now)?;
        if now < self.now {
            return Err(self.time_before(now));
        }
        Ok(())
    }

    /// The error of [`Router::check_now`] for a time that goes backwards.
    #[cold]
    #[inline(never)]
    fn time_before(&self, now: Time) -> Error {
        Error::invalid(format!("time {now:?} is before the router's current time {:?}", self.now))
    }

    /// Starts a call at `now`: takes the buffer of events held back from a
    /// failed call (they come first), then fires every timer due at or
    /// before `now` into it. The call's work adds its own events; it ends
    /// with [`Router::deliver`] or [`Router::fail`].
    fn begin(&mut self, now: Time) -> Vec<Event> {
        // Every mutating call passes here: the state the previous call left
        // is checked whole (debug test builds, see the table above).
        #[cfg(all(debug_assertions, feature = "invariants"))]
        if let Err(broken) = self.check_invariants() {
            panic!("router invariant broken before a call at {now}: {broken}");
        }
        let mut ev = std::mem::take(&mut self.pending);
        self.advance_to(now, &mut ev);
        self.fired = ev.len();
        ev
    }

    /// [`Router::begin`] for a call on the live contact in slot `ci`: fails
    /// the call if the timers due by `now` ended it (a scheduled contact
    /// refused by its full queue when it became due).
    #[inline]
    fn begin_on(&mut self, ci: u32, now: Time) -> Result<Vec<Event>> {
        // Only a scheduled contact can end in a timer.
        if self.contact(ci).status != ContactStatus::Scheduled {
            return Ok(self.begin(now));
        }
        self.begin_on_scheduled(ci, now)
    }

    /// [`Router::begin_on`] for a scheduled contact.
    #[cold]
    #[inline(never)]
    fn begin_on_scheduled(&mut self, ci: u32, now: Time) -> Result<Vec<Event>> {
        let (seq, id) = {
            let c = self.contact(ci);
            (c.seq, c.id.clone())
        };
        let ev = self.begin(now);
        if matches!(self.contacts.get(ci as usize), Some(c) if c.seq == seq) {
            return Ok(ev);
        }
        let err = Error::unknown("contact", &id)
            .with_context("it ended when it became due (its queue was full)");
        self.fail(ev, err)
    }

    /// Notes whether the sink of the call starting takes handoffs (asked
    /// before any work, so that every assignment of the call is noted the
    /// same way).
    #[inline]
    fn open<S: EventSink>(&mut self, sink: &S) {
        self.by_key = sink.by_key();
    }

    /// Ends a successful call: hands its events, then its handoffs, to the
    /// sink and keeps the emptied buffer for the next call. (On every
    /// call's path: kept small, the handoffs out of line.)
    #[inline(always)]
    fn deliver<S: EventSink>(&mut self, mut ev: Vec<Event>, mut sink: S) -> S {
        if !self.deferred.is_empty() {
            self.route_deferred(&mut ev);
        }
        // At rest the clock is settled: a later refused call leaves the
        // state (and the snapshot bytes) exactly as this call left them.
        self.settled = self.now;
        sink.take_events(&mut ev);
        ev.clear(); // a sink that kept any must not see them again
                    // `pending` is the empty vector `begin` left: nothing to drop.
        std::mem::swap(&mut self.pending, &mut ev);
        if !self.handoffs.is_empty() {
            self.hand_over(&mut sink);
        }
        sink
    }

    /// Hands the call's handoffs to the sink, in order.
    #[inline]
    fn hand_over<S: EventSink>(&mut self, sink: &mut S) {
        sink.take_handoffs(&mut self.handoffs);
        self.handoffs.clear();
    }

    /// How many of the last successful call's events, at their head, came
    /// from timers due by its `now` (or were left by a failed call), not
    /// from the call's own work: a caller that publishes its own records
    /// about the call places them after these.
    pub fn timer_events(&self) -> usize {
        self.fired
    }

    /// Fails a call after `begin`: the timers it fired stay fired and their
    /// events (with any held before) wait for the next call; the clock
    /// stays where those timers left it (not at the failed call's `now`).
    fn fail<T>(&mut self, ev: Vec<Event>, err: Error) -> Result<T> {
        self.pending = ev;
        self.now = self.settled;
        Err(err)
    }

    /// Validates and interns a skill list; `what` names its owner in errors
    /// (built only when there is an error).
    fn compile_skills(
        &mut self,
        what: impl Fn() -> String,
        list: &[(String, u8)],
    ) -> Result<SkillSet> {
        for (name, level) in list {
            if name.is_empty() {
                return Err(Error::invalid(format!("{}: skill name must not be empty", what())));
            }
            if !(MIN_LEVEL..=MAX_LEVEL).contains(level) {
                return Err(Error::invalid(format!(
                    "{}: level {level} of skill {name:?} is outside {MIN_LEVEL}-{MAX_LEVEL}",
                    what()
                )));
            }
        }
        let mut set: SkillSet = list.iter().map(|(n, l)| (self.index.skill(n), *l)).collect();
        set.sort_unstable();
        for w in set.windows(2) {
            if w[0].0 == w[1].0 {
                return Err(Error::invalid(format!(
                    "{}: skill {:?} is listed twice",
                    what(),
                    self.index.skill_name(w[0].0)
                )));
            }
        }
        Ok(set)
    }

    fn channel_id(&self, name: &str) -> Result<u32> {
        self.channel_ids
            .get(name)
            .copied()
            .ok_or_else(|| Error::invalid(format!("unknown channel {name:?}")))
    }

    fn queue_id(&self, name: &str) -> Result<u32> {
        self.queue_ids
            .get(name)
            .copied()
            .ok_or_else(|| Error::invalid(format!("unknown queue {name:?}")))
    }

    /// The handle of the live agent with id `id` (as [`Handoff`]s name
    /// it), if there is one.
    pub fn agent_handle(&self, id: &str) -> Option<AgentHandle> {
        self.agent_ids.get(id).copied().map(AgentHandle)
    }

    fn agent_ix(&self, id: &str) -> Result<u32> {
        self.agent_ids.get(id).copied().ok_or_else(|| Error::unknown("agent", id))
    }

    fn contact_ix(&self, id: &str) -> Result<u32> {
        match self.contact_ids.get(id) {
            Some(&i) => Ok(i),
            None if self.finished.contains_key(id) => {
                let f = &self.finished[id];
                Err(Error::state(format!("contact {id:?} has already ended ({})", f.status)))
            }
            None => Err(Error::unknown("contact", id)),
        }
    }

    fn agent(&self, i: u32) -> &Agent {
        self.agents[i as usize].as_ref().expect("live agent slot")
    }

    fn agent_mut(&mut self, i: u32) -> &mut Agent {
        self.agents[i as usize].as_mut().expect("live agent slot")
    }

    fn contact(&self, i: u32) -> &Contact {
        self.contacts.get(i as usize).expect("live contact slot")
    }

    fn contact_mut(&mut self, i: u32) -> &mut Contact {
        self.contacts.get_mut(i as usize).expect("live contact slot")
    }

    fn seq(&mut self) -> u64 {
        let s = self.next_seq;
        self.next_seq += 1;
        s
    }
}
