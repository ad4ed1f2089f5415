//! The configuration and input records a caller hands to the router.
//!
//! Everything here names things by string; the router validates a record and
//! compiles it (skills interned, channels and queues resolved to indexes)
//! when it is added, so the hot path never touches a name.

use crate::selector::Selector;
use crate::types::{AgentState, Attrs, Time};
use serde::{Deserialize, Serialize};

// Defaults of the human-readable form (see `crate::forms`): what a field
// left out of a record means.
fn d_100() -> u32 {
    100
}
fn d_1() -> u32 {
    1
}
fn d_sl_target() -> f64 {
    0.8
}
fn d_sl_threshold() -> Time {
    20.0
}
fn d_available() -> AgentState {
    AgentState::Available
}
fn d_true() -> bool {
    true
}
fn d_policy() -> crate::policy::Policy {
    crate::policy::PolicyKind::LongestIdle.into()
}
fn d_condition_interval() -> Time {
    5.0
}
fn d_away() -> AgentState {
    AgentState::Away
}
fn d_exclusion() -> Option<Time> {
    Some(60.0)
}
fn d_attempts() -> u32 {
    3
}
fn d_retry() -> Time {
    300.0
}
fn d_one() -> f64 {
    1.0
}
fn d_weight() -> u32 {
    1
}

/// Lowest skill level.
pub const MIN_LEVEL: u8 = 1;
/// Highest skill level.
pub const MAX_LEVEL: u8 = 10;

/// A channel (voice, chat, email, ... or any name): how much of an agent one
/// contact on it uses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// Unique channel name.
    pub name: String,
    /// Capacity units one contact of this channel takes from an agent.
    #[serde(default = "d_100")]
    pub cost: u32,
    /// Default maximum concurrent contacts of this channel per agent.
    #[serde(default = "d_1")]
    pub max_per_agent: u32,
    /// Seconds of after-contact work that keep the slot after completion.
    #[serde(default)]
    pub wrap_up: Time,
    /// Work on this channel (email, back-office tasks) may be interrupted:
    /// an agent whose capacity it fills can still be given a contact on a
    /// channel that is not interruptible; its interruptible contacts are
    /// then paused (`Paused`) and resumed (`Resumed`) once the agent holds
    /// no uninterruptible work (wrap-up included).
    #[serde(default)]
    pub interruptible: bool,
}

impl ChannelConfig {
    /// A channel with the given cost and per-agent maximum and no wrap-up.
    pub fn new(name: impl Into<String>, cost: u32, max_per_agent: u32) -> Self {
        ChannelConfig { name: name.into(), cost, max_per_agent, wrap_up: 0.0, interruptible: false }
    }
}

/// Where a queue's waiting contacts go after a wait.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overflow {
    /// Name of the target queue.
    pub to: String,
    /// Seconds a contact waits in this queue before it moves.
    pub after: Time,
}

/// How a queue orders its waiting contacts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ordering {
    /// Highest effective priority first, then longest wait (FIFO). With an
    /// aging rate, effective priority = priority + rate × wait (the aging
    /// term capped at `aging_max` when set): "virtual wait" and "linear
    /// acceleration".
    #[default]
    Priority,
    /// Highest priority first, then the newest contact (LIFO).
    Lifo,
    /// Highest priority first, then the greatest need: the largest share of
    /// the service-level threshold already waited (wait / threshold), which
    /// lets queues with different objectives compete fairly (FIFO within
    /// the queue).
    GreatestNeed,
}

/// A queue: how its waiting contacts are ordered and measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    /// Unique queue name.
    pub name: String,
    /// Service-level target as a fraction (e.g. 0.8).
    #[serde(default = "d_sl_target")]
    pub sl_target: f64,
    /// Service-level threshold in seconds (e.g. 20).
    #[serde(default = "d_sl_threshold")]
    pub sl_threshold: Time,
    /// How contacts are ordered.
    #[serde(default)]
    pub ordering: Ordering,
    /// Priority points gained per second of wait (0 = strict priority, FIFO).
    #[serde(default)]
    pub aging_rate: f64,
    /// Cap on what aging adds to a contact's priority (`None` = no cap):
    /// effective priority = priority + min(aging_rate × wait, aging_max).
    /// Needs a positive `aging_rate`.
    #[serde(default)]
    pub aging_max: Option<f64>,
    /// Maximum number of waiting contacts; a full queue refuses new ones.
    #[serde(default)]
    pub max_waiting: Option<usize>,
    /// Optional overflow to another queue after a wait in this one.
    #[serde(default)]
    pub overflow: Option<Overflow>,
    /// Caps the callbacks being placed at once from this queue: a callback
    /// is released to a free agent only while the callbacks being placed
    /// number fewer than this share of the agents free for the queue's
    /// channel plus those placing callbacks. 1.0 (the default) releases one
    /// to any free agent; 0.25 keeps three quarters of the free agents for
    /// live callers.
    #[serde(default = "d_one")]
    pub callbacks_per_free_agent: f64,
    /// Opening hours (`None`: always open).
    #[serde(default)]
    pub hours: Option<crate::calendar::Calendar>,
    /// What happens to a contact that arrives while the queue is closed.
    #[serde(default)]
    pub closed_action: ClosedAction,
    /// What happens to the contacts waiting when the queue closes.
    #[serde(default)]
    pub on_close: OnClose,
    /// Exception rules: a trigger and an action, each firing once per
    /// contact (see [`Rule`]).
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// An exception rule of a queue: when its trigger holds for a contact of
/// the queue, its action applies to that contact, once. A contact-level
/// trigger (`wait_longer_than`) is timed from the contact's entry into
/// the queue; queue-level triggers are evaluated at every arrival and
/// apply to the arriving contact. Every firing is an `Exception` event and
/// counts in the queue's `exceptions`; an `alert` on a queue-level
/// trigger fires once per crossing (again only after the trigger has
/// stopped holding at an arrival).
///
/// `overflow` (after a wait) and `max_waiting` are shorthands of rules:
/// `{wait_longer_than: after, action: {overflow: to}}` and a full queue
/// refusing arrivals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A name for events and metrics (unique within the queue).
    pub name: String,
    /// When it fires.
    pub trigger: Trigger,
    /// What it does.
    pub action: RuleAction,
}

/// When an exception rule fires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// A contact has waited this many seconds in the queue.
    WaitLongerThan(Time),
    /// More than this many contacts wait in the queue (counting the one
    /// arriving).
    WaitingMoreThan(usize),
    /// The queue's service level over the last `window` seconds (answered
    /// in the threshold / answered and abandoned then) is below
    /// `fraction`; no figure (nothing ended in the window) does not fire.
    SlBelow {
        /// The service level to stay at or above, 0-1.
        fraction: f64,
        /// The rolling window in seconds (default 900).
        #[serde(default = "d_window")]
        window: Time,
    },
    /// No agent who serves the queue is logged in (every one offline).
    NoAgentLoggedIn,
}

fn d_window() -> Time {
    900.0
}

/// What an exception rule does to the contact it fired for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleAction {
    /// Only the `Exception` event, for supervisors.
    Alert,
    /// Move the contact to the named queue (`Overflowed`), unless it is full.
    Overflow(String),
    /// Change the contact's priority and/or requirements (the new
    /// requirements replace those in force and its remaining steps).
    Update {
        /// New priority.
        #[serde(default)]
        priority: Option<i64>,
        /// New requirements.
        #[serde(default, with = "crate::forms::option_pairs")]
        requires: Option<Requirements>,
    },
    /// Ask the platform to offer the caller a callback: the `Exception`
    /// event says so (the router cannot speak to the caller); accepting it
    /// is `update_contact(callback=...)`.
    OfferCallback,
    /// End the contact (`cancelled`) with this reason.
    Cancel(String),
}

/// What a queue does with a contact that arrives while it is closed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ClosedAction {
    /// Refuse it: a `Refused` event with reason `closed`; the contact
    /// never enters (its id stays free).
    #[default]
    Refuse,
    /// Let it wait, routable from the next opening (its wait counts from
    /// its arrival).
    Hold,
    /// Send it to the named queue, as if it had overflowed there at once
    /// (`Overflowed`); that queue's own hours then apply.
    Overflow(String),
}

/// What a queue does with its waiting contacts when it closes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum OnClose {
    /// They stay and are served as before.
    #[default]
    Keep,
    /// They move to the named queue (`Overflowed`), unless it is full.
    Overflow(String),
    /// Each live caller becomes a callback (with these settings), parked
    /// until the queue opens again; callbacks already waiting stay.
    Callback(Callback),
}

impl QueueConfig {
    /// A queue with an 80/20 service-level objective and no limits.
    pub fn new(name: impl Into<String>) -> Self {
        QueueConfig {
            name: name.into(),
            sl_target: 0.8,
            sl_threshold: 20.0,
            ordering: Ordering::Priority,
            aging_rate: 0.0,
            aging_max: None,
            max_waiting: None,
            overflow: None,
            callbacks_per_free_agent: 1.0,
            hours: None,
            closed_action: ClosedAction::Refuse,
            on_close: OnClose::Keep,
            rules: Vec::new(),
        }
    }
}

/// One queue of a routing profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileQueue {
    /// Queue name.
    pub queue: String,
    /// Priority of the queue for these agents: higher is served first.
    #[serde(default)]
    pub priority: i64,
    /// Seconds a contact must have waited before these agents may take it.
    #[serde(default)]
    pub delay: Time,
}

/// A routing profile (Amazon Connect style): which queues its agents serve,
/// in what priority, and after what delay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoutingProfile {
    /// Profile name.
    pub name: String,
    /// The queues served; a queue not listed is not served.
    pub queues: Vec<ProfileQueue>,
}

/// A skill requirement list: `(skill name, minimum level)`, all required.
pub type Requirements = Vec<(String, u8)>;

/// An agent as the caller describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSpec {
    /// Unique agent id.
    pub id: String,
    /// Skills with levels 1–10.
    #[serde(default, with = "crate::forms::pairs")]
    pub skills: Vec<(String, u8)>,
    /// Total capacity units (default 100).
    #[serde(default = "d_100")]
    pub capacity: u32,
    /// Per-channel maximum concurrent contacts. `None` serves every channel at
    /// its default maximum; a mapping serves only the channels it lists.
    #[serde(default, with = "crate::forms::option_pairs")]
    pub channels: Option<Vec<(String, u32)>>,
    /// Initial state.
    #[serde(default = "d_available")]
    pub state: AgentState,
    /// Free-form attributes for policies.
    #[serde(default)]
    pub attributes: Attrs,
    /// Name of the agent's routing profile (`None`: every queue, priority 0, no delay).
    #[serde(default)]
    pub routing_profile: Option<String>,
}

impl AgentSpec {
    /// An available agent with the given skills, capacity 100, every channel.
    pub fn new(id: impl Into<String>, skills: &[(&str, u8)]) -> Self {
        AgentSpec {
            id: id.into(),
            skills: skills.iter().map(|(s, l)| (s.to_string(), *l)).collect(),
            capacity: 100,
            channels: None,
            state: AgentState::Available,
            attributes: Attrs::new(),
            routing_profile: None,
        }
    }
}

/// A live condition under which a relaxation step is entered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    /// No agent meeting the requirements in force is available (logged in
    /// and in state `available`, busy or not) for the contact's queue and
    /// channel.
    NoAgentAvailable,
    /// The contact's queue holds more than this many waiting contacts.
    QueueLongerThan(usize),
    /// The oldest contact of the contact's queue has waited longer than this.
    LongestWaitAbove(Time),
}

/// One relaxation step: after `after` seconds of waiting (and, with `when`,
/// once that condition holds) the contact's requirements become `requires`,
/// which must widen the pool: every agent who meets the requirements before
/// must meet these (`{"expert": 5}` then `{"gen": 1}` is refused: an expert
/// may lack `gen`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Seconds since arrival at which the step starts.
    #[serde(default)]
    pub after: Time,
    /// The requirements in force from then on.
    #[serde(default, with = "crate::forms::pairs")]
    pub requires: Requirements,
    /// A condition that must also hold; checked at `after` and then every
    /// `condition_interval` seconds of the router until it does.
    #[serde(default)]
    pub when: Option<Condition>,
    /// A selector from then on: `None` keeps the one in force; an empty
    /// selector drops it (every agent qualifies); any other is added as an
    /// alternative (`in force OR this`: the pool only grows) unless
    /// `replace_selector`.
    #[serde(default)]
    pub selector: Option<Selector>,
    /// The step's selector replaces the one in force instead of widening
    /// it: the pool may then shrink (agents who could take the contact
    /// before may no longer).
    #[serde(default)]
    pub replace_selector: bool,
}

/// One clause of a selector in the structured form, for programs that
/// build selectors (as Azure Job Router's worker selectors): `key op
/// value`, where `key` is `agent.<name>`, `skill.<name>` or a bare
/// attribute name, and `value` a list for `in`/`not_in`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelectorClause {
    /// What the clause reads.
    pub key: String,
    /// The operator.
    pub op: crate::selector::ClauseOp,
    /// The value compared with.
    pub value: crate::types::AttrValue,
    /// Seconds after arrival when the clause stops applying (the pool
    /// grows); `None`: it applies as long as the contact waits.
    #[serde(default)]
    pub expires_after: Option<Time>,
    /// While the clause applies, the contact goes ahead of every contact
    /// of its queue that has no clause of this kind in force.
    #[serde(default)]
    pub expedite: bool,
}

/// A weighted preference: agents the selector admits score `weight` more in
/// `most_skilled`, the chain and the weighted policy's `preferred` feature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preference {
    /// Which agents are preferred.
    pub selector: Selector,
    /// How much more they score (in skill-level points, as a preferred
    /// skill's level counts); 1-1000.
    #[serde(default = "d_weight")]
    pub weight: u32,
}

/// The customer asked to be called back: the contact keeps its place in
/// its queue while the customer is off the line; the agent who takes it
/// places the call (`CallbackOffered`) and reports the outcome
/// ([`crate::Router::callback_result`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    /// Calls to try before giving up (`CallbackFailed`); at least 1.
    #[serde(default = "d_attempts")]
    pub number_of_attempts: u32,
    /// Seconds after an unanswered call before the callback is released
    /// again, in its original place.
    #[serde(default = "d_retry")]
    pub retry_after: Time,
    /// No call before this time (the customer's choice); it keeps its
    /// place meanwhile.
    #[serde(default)]
    pub not_before: Option<Time>,
}

impl Default for Callback {
    fn default() -> Self {
        Callback { number_of_attempts: d_attempts(), retry_after: d_retry(), not_before: None }
    }
}

/// How the call an agent placed for a callback went.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallbackOutcome {
    /// The customer answered: the contact is connected to the agent.
    Answered,
    /// Nobody answered.
    NoAnswer,
    /// The line was busy.
    Busy,
}

impl CallbackOutcome {
    /// Reads `answered`, `no_answer` or `busy`.
    pub fn parse(s: &str) -> crate::Result<Self> {
        match s {
            "answered" => Ok(CallbackOutcome::Answered),
            "no_answer" => Ok(CallbackOutcome::NoAnswer),
            "busy" => Ok(CallbackOutcome::Busy),
            _ => Err(crate::Error::invalid(format!(
                "unknown callback outcome {s:?}: expected \"answered\", \"no_answer\" or \"busy\""
            ))),
        }
    }
}

/// A contact as the caller describes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactSpec {
    /// Unique contact id.
    pub id: String,
    /// Channel name.
    pub channel: String,
    /// Queue name.
    pub queue: String,
    /// Priority: higher is served first.
    #[serde(default)]
    pub priority: i64,
    /// Skills required at a minimum level.
    #[serde(default, with = "crate::forms::pairs")]
    pub requires: Requirements,
    /// Skills that raise an agent's score but never exclude one.
    #[serde(default, with = "crate::forms::pairs")]
    pub prefers: Requirements,
    /// Which agents may take it beyond its skills, in the selector
    /// language (see [`crate::selector`]); empty: any agent.
    #[serde(default)]
    pub selector: Selector,
    /// More clauses in the structured form, each also required while it
    /// applies (see [`SelectorClause`]).
    #[serde(default)]
    pub selectors: Vec<SelectorClause>,
    /// Weighted selector preferences (see [`Preference`]).
    #[serde(default)]
    pub preferences: Vec<Preference>,
    /// Customer id, for last-agent affinity.
    #[serde(default)]
    pub customer: Option<String>,
    /// An agent to prefer, and how long to wait for that agent.
    #[serde(default)]
    pub preferred_agent: Option<String>,
    /// Seconds to wait for the preferred agent before anyone eligible may take it.
    #[serde(default)]
    pub preferred_wait: Time,
    /// Relaxation steps in order of `after`.
    #[serde(default)]
    pub steps: Vec<StepSpec>,
    /// Free-form attributes for policies.
    #[serde(default)]
    pub attributes: Attrs,
    /// Scheduled work (a follow-up email, a promised call): the contact is
    /// accepted now and enters its queue at this time (`scheduled` until
    /// then): counted as offered and waiting, routed and timed (waits,
    /// steps, overflow) only from then. `None` or a time not after the
    /// submit: at once.
    #[serde(default)]
    pub not_before: Option<Time>,
    /// A callback instead of a live wait.
    #[serde(default)]
    pub callback: Option<Callback>,
}

impl ContactSpec {
    /// A contact with no requirements, priority 0.
    pub fn new(
        id: impl Into<String>,
        channel: impl Into<String>,
        queue: impl Into<String>,
    ) -> Self {
        ContactSpec {
            id: id.into(),
            channel: channel.into(),
            queue: queue.into(),
            priority: 0,
            requires: Vec::new(),
            prefers: Vec::new(),
            selector: Selector::default(),
            selectors: Vec::new(),
            preferences: Vec::new(),
            customer: None,
            preferred_agent: None,
            preferred_wait: 0.0,
            steps: Vec::new(),
            attributes: Attrs::new(),
            not_before: None,
            callback: None,
        }
    }

    /// Sets the requirements (builder style).
    pub fn requiring(mut self, reqs: &[(&str, u8)]) -> Self {
        self.requires = reqs.iter().map(|(s, l)| (s.to_string(), *l)).collect();
        self
    }

    /// Sets the priority (builder style).
    pub fn with_priority(mut self, priority: i64) -> Self {
        self.priority = priority;
        self
    }
}

/// A change to a waiting or offered contact ([`crate::Router::update_contact`]):
/// each field given replaces the contact's, a field left out (`None`) keeps it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactUpdate {
    /// New priority.
    #[serde(default)]
    pub priority: Option<i64>,
    /// New requirements in force. The contact's remaining relaxation steps
    /// stay and must still widen the pool; give `steps` to replace them.
    #[serde(default, with = "crate::forms::option_pairs")]
    pub requires: Option<Requirements>,
    /// New preferred skills.
    #[serde(default, with = "crate::forms::option_pairs")]
    pub prefers: Option<Requirements>,
    /// New selector in force (an empty one drops it). The structured
    /// clauses given at submit that still apply stay in force beside it;
    /// the remaining steps stay (give `steps` to replace them).
    #[serde(default)]
    pub selector: Option<Selector>,
    /// New weighted preferences.
    #[serde(default)]
    pub preferences: Option<Vec<Preference>>,
    /// New relaxation steps, timed from the contact's arrival as at submit
    /// (steps already due apply at once); `[]` drops the remaining ones.
    #[serde(default)]
    pub steps: Option<Vec<StepSpec>>,
    /// New attributes (the whole map).
    #[serde(default)]
    pub attributes: Option<Attrs>,
    /// Seconds added to the contact's routing age: its place in its queue,
    /// its aging and routing-profile delays count from `arrival -
    /// age_offset`. An absolute value, not an increment (0 undoes it);
    /// waits in statistics and relaxation steps keep the real arrival.
    #[serde(default)]
    pub age_offset: Option<Time>,
    /// Make the contact a callback (the caller chose one while waiting): it
    /// keeps its place. Only for a waiting contact not yet a callback.
    #[serde(default)]
    pub callback: Option<Callback>,
    /// Refuse the update (`VersionConflict`) unless the contact is at this
    /// version.
    #[serde(default)]
    pub if_version: Option<u64>,
}

/// How a transfer hands a contact over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransferMode {
    /// The first agent lets go at once (wrap-up applies); the contact waits
    /// in the target queue or goes to the named agent.
    #[default]
    Cold,
    /// The first agent keeps the contact until the target answers, and gets
    /// it back if the transfer fails.
    Warm,
}

/// Where an assigned contact goes ([`crate::Router::transfer`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransferSpec {
    /// The queue it waits in next (`None`: its current queue).
    #[serde(default)]
    pub queue: Option<String>,
    /// The agent it goes to (`None`: whoever the queue's routing picks).
    #[serde(default)]
    pub agent: Option<String>,
    /// Cold or warm.
    #[serde(default)]
    pub mode: TransferMode,
    /// Keep the contact's routing age: it takes its place in the new queue
    /// as if it had waited there since it first arrived. Its waits in
    /// statistics are measured from the transfer either way.
    #[serde(default = "d_true")]
    pub keep_age: bool,
    /// New requirements (replacing the ones in force and any remaining
    /// relaxation steps); `None` keeps them.
    #[serde(default, with = "crate::forms::option_pairs")]
    pub requires: Option<Requirements>,
    /// A new channel (a chat escalated to voice); `None` keeps it.
    #[serde(default)]
    pub channel: Option<String>,
}

/// Router-wide settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterConfig {
    /// The channels.
    pub channels: Vec<ChannelConfig>,
    /// The queues.
    pub queues: Vec<QueueConfig>,
    /// The agent-selection policy.
    #[serde(default = "d_policy")]
    pub policy: crate::policy::Policy,
    /// `None`: assign at once. A number: each assignment is an offer that
    /// must be accepted within that many seconds.
    #[serde(default)]
    pub offer_timeout: Option<Time>,
    /// Seed of the router's random generator.
    #[serde(default)]
    pub seed: u64,
    /// Route a returning customer to the agent who last served them when
    /// that agent is eligible and free.
    #[serde(default = "d_true")]
    pub affinity: bool,
    /// Seconds a returning customer waits for their last agent (0 = do not wait).
    #[serde(default)]
    pub affinity_wait: Time,
    /// How many ended contacts to remember for look-up and duplicate
    /// detection (`None` = all).
    #[serde(default)]
    pub retain_finished: Option<usize>,
    /// Routing profiles agents may refer to.
    #[serde(default)]
    pub routing_profiles: Vec<RoutingProfile>,
    /// Seconds between checks of a conditional step's condition.
    #[serde(default = "d_condition_interval")]
    pub condition_interval: Time,
    /// Batch mode: instead of routing each event at once, collect the
    /// waiting contacts and free capacity and solve the optimal assignment
    /// every this many seconds (`None`: route at once).
    #[serde(default)]
    pub batch_window: Option<Time>,
    /// The state an agent who lets an offer expire is moved to (a
    /// not-responding agent: `Away` by default; `Available` leaves them as
    /// they were). A `NotResponding` event says so.
    #[serde(default = "d_away")]
    pub missed_offer_state: AgentState,
    /// Seconds after an agent rejects or misses an offer at which that
    /// agent is no longer excluded from the contact, if it is still waiting
    /// (no other agent took it). `None`: excluded for good.
    #[serde(default = "d_exclusion")]
    pub exclusion_expires_after: Option<Time>,
    /// The name of the plug-in scorer in use, if any (set with
    /// [`crate::Router::set_scorer_named`]): a snapshot records it, so that
    /// a restore can ask for the plug-in instead of silently routing with
    /// the fallback.
    #[serde(default)]
    pub plugin: Option<String>,
    /// The wall-clock instant of router time 0, in seconds since the Unix
    /// epoch: what queues' opening hours read the router's time against.
    /// 0 (the default): router times are Unix times.
    #[serde(default)]
    pub epoch: f64,
}

impl RouterConfig {
    /// A configuration with the given channels and queues, longest-idle
    /// selection, auto-accept, seed 0, affinity on with no wait.
    pub fn new(channels: Vec<ChannelConfig>, queues: Vec<QueueConfig>) -> Self {
        RouterConfig {
            channels,
            queues,
            policy: crate::policy::PolicyKind::LongestIdle.into(),
            offer_timeout: None,
            seed: 0,
            affinity: true,
            affinity_wait: 0.0,
            retain_finished: None,
            routing_profiles: Vec::new(),
            condition_interval: 5.0,
            batch_window: None,
            missed_offer_state: AgentState::Away,
            exclusion_expires_after: Some(60.0),
            plugin: None,
            epoch: 0.0,
        }
    }
}
