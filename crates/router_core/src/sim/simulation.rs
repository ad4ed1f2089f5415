//! [`Simulation`]: a scenario compiled and checked, and the calls that run
//! its replications (the scenario's policy or another built-in one, or a
//! router the caller prepared).

use super::dist::{replication_seed, stream, Purpose, Sampler};
use super::engine::Run;
use super::scenario::Scenario;
use super::stats::Replication;
use crate::error::{Error, Result};
use crate::model::{AgentSpec, ContactSpec, RouterConfig};
use crate::policy::Policy;
use crate::router::Router;
use crate::types::{AgentState, AttrValue, Time};
use rand::RngCore;

/// A compiled contact type.
#[derive(Debug, Clone)]
pub(super) struct TypeInfo {
    pub(super) template: ContactSpec,
    pub(super) channel: usize,
    pub(super) queue: usize,
    pub(super) handle: Sampler,
    pub(super) patience: Option<Sampler>,
    pub(super) returning: f64,
    pub(super) customers: u64,
    pub(super) transfer: Option<TransferInfo>,
    pub(super) callback: Option<super::scenario::CallbackRule>,
    pub(super) scheduled: Option<(f64, Sampler)>,
}

/// A contact type's transfer rule, compiled.
#[derive(Debug, Clone)]
pub(super) struct TransferInfo {
    pub(super) probability: f64,
    pub(super) spec: crate::model::TransferSpec,
    /// Target queue and channel by index.
    pub(super) queue: usize,
    pub(super) channel: usize,
    pub(super) handle: Option<Sampler>,
}

/// A scenario compiled and checked, ready to run replications.
///
/// Cheap to share between threads: each replication builds its own router
/// and state from it.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub(super) scenario: Scenario,
    pub(super) types: Vec<TypeInfo>,
    /// Group of each agent (agents of a group are contiguous).
    pub(super) agent_group: Vec<u32>,
    pub(super) group_first: Vec<u32>,
    pub(super) cost: Vec<u32>,
    pub(super) wrap: Vec<bool>,
    pub(super) threshold: Vec<Time>,
    pub(super) queue_names: Vec<String>,
    pub(super) channel_names: Vec<String>,
    /// With conditional steps: how long the router's timers may run on
    /// after the last change once the simulator has nothing left to do
    /// (see [`drain_limit`]).
    pub(super) drain_limit: Option<Time>,
}

impl Simulation {
    /// Checks a scenario and compiles it. Errors: `InvalidInput` naming the
    /// field (`agent_groups[1]`, `contact_types[0].requires`, ...).
    pub fn new(scenario: Scenario) -> Result<Self> {
        scenario.validate()?;
        let config = base_config(&scenario, 0);
        let mut router = Router::new(config).map_err(|e| config_ctx(e, &scenario))?;
        let mut agent_group = Vec::new();
        let mut group_first = Vec::new();
        for (g, grp) in scenario.agent_groups.iter().enumerate() {
            group_first.push(agent_group.len() as u32);
            for _ in 0..grp.count {
                let spec = agent_spec(grp, agent_group.len(), AgentState::Offline);
                router
                    .add_agent(&spec, 0.0, Vec::new())
                    .map_err(|e| ctx(e, &format!("agent_groups[{g}] ({:?})", grp.name)))?;
                agent_group.push(g as u32);
            }
        }
        let channel_names: Vec<String> = scenario.channels.iter().map(|c| c.name.clone()).collect();
        let queue_names: Vec<String> = scenario.queues.iter().map(|q| q.name.clone()).collect();
        let mut types = Vec::new();
        for (i, t) in scenario.contact_types.iter().enumerate() {
            let what = format!("contact_types[{i}] ({:?})", t.name);
            let mut template =
                ContactSpec::new(format!("check-{i}"), t.channel.clone(), t.queue.clone());
            template.priority = t.priority;
            template.requires = t.requires.clone();
            template.prefers = t.prefers.clone();
            template.selector = t.selector.clone();
            template.selectors = t.selectors.clone();
            template.preferences = t.preferences.clone();
            template.steps = t.steps.clone();
            router.submit(&template, 0.0, Vec::new()).map_err(|e| ctx(e, &what))?;
            types.push(TypeInfo {
                channel: channel_names
                    .iter()
                    .position(|c| *c == t.channel)
                    .expect("checked by submit"),
                queue: queue_names.iter().position(|q| *q == t.queue).expect("checked by submit"),
                template,
                handle: t.handle_time.sampler(),
                patience: t.patience.as_ref().map(|p| p.sampler()),
                returning: t.returning,
                customers: u64::from(t.customers),
                callback: t.callback.clone(),
                scheduled: t.scheduled.as_ref().map(|s| (s.share, s.delay.sampler())),
                transfer: t.transfer.as_ref().map(|r| TransferInfo {
                    probability: r.probability,
                    spec: crate::model::TransferSpec {
                        queue: Some(r.queue.clone()),
                        agent: None,
                        mode: r.mode,
                        keep_age: r.keep_age,
                        requires: r.requires.clone(),
                        channel: r.channel.clone(),
                    },
                    queue: queue_names.iter().position(|q| *q == r.queue).expect("validated"),
                    channel: {
                        let c = r.channel.as_deref().unwrap_or(&t.channel);
                        channel_names.iter().position(|n| n == c).expect("validated")
                    },
                    handle: r.handle_time.as_ref().map(|h| h.sampler()),
                }),
            });
        }
        Ok(Simulation {
            drain_limit: drain_limit(&scenario),
            types,
            agent_group,
            group_first,
            cost: scenario.channels.iter().map(|c| c.cost).collect(),
            wrap: scenario.channels.iter().map(|c| c.wrap_up > 0.0).collect(),
            threshold: scenario.queues.iter().map(|q| q.sl_threshold).collect(),
            queue_names,
            channel_names,
            scenario,
        })
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The router configuration replication `rep` uses: the scenario's
    /// router options (see [`super::scenario::NOT_SIMULATED`] for the
    /// others), auto-accept, nothing kept of ended contacts, the router's
    /// generator seeded from the replication's own stream.
    pub fn router_config(&self, rep: u32) -> RouterConfig {
        base_config(&self.scenario, replication_seed(self.scenario.seed, rep))
    }

    /// Runs replication `rep` under the scenario's policy.
    pub fn run(&self, rep: u32) -> Result<Replication> {
        self.run_with(rep, self.scenario.policy.clone())
    }

    /// Runs replication `rep` under a built-in `policy`: a name
    /// ([`crate::PolicyKind`]), a chain or weights (same random numbers as
    /// under any other policy: common random numbers). Errors:
    /// `InvalidInput` for a policy the router refuses.
    pub fn run_with(&self, rep: u32, policy: impl Into<Policy>) -> Result<Replication> {
        let mut config = self.router_config(rep);
        config.policy = policy.into();
        let label = config.policy.to_string();
        let mut router = Router::new(config)?;
        self.run_on(rep, &mut router, &label, false)
    }

    /// Runs replication `rep` on a router the caller built from
    /// [`Simulation::router_config`] (with no agents and no contacts yet),
    /// e.g. with a policy composition or a plug-in scorer attached; `label`
    /// names the policy in the results. The router is left as the run ends,
    /// so that the caller can read what its plug-in did
    /// (`scorer_failures`, `take_scorer_error`). With
    /// `stop_on_policy_error` the run stops with an `InvalidState` error at
    /// the first decision in which the plug-in failed (strict mode);
    /// otherwise such decisions fall back to the built-in policy and are
    /// counted in [`Replication::policy_errors`].
    pub fn run_on(
        &self,
        rep: u32,
        router: &mut Router,
        label: &str,
        stop_on_policy_error: bool,
    ) -> Result<Replication> {
        let mut run = Run::new(self, rep, router)?;
        run.stop_on_policy_error = stop_on_policy_error;
        run.run()?;
        Ok(run.finish(label, rep))
    }
}

/// A conditional step whose condition does not hold is checked again every
/// `condition_interval` for as long as its contact waits, so a contact no
/// agent will ever take (the shifts are over) would keep the router's
/// timers going for ever. Every other timer of the router falls at a fixed
/// delay after an arrival, a completion or a change it reacts to, and the
/// longest such delay is bounded by the scenario: relaxation steps,
/// overflow chains, routing-profile delays, aging caps, affinity waits,
/// `longest_wait_above` conditions, then wrap-up, a batch window and one
/// more check. Once the simulator's own events (arrivals, completions,
/// abandonments, shift changes) are exhausted and nothing changed for that
/// long, only condition checks that can no longer succeed are left, and
/// the run ends. `None` for a scenario without conditional steps, whose
/// timers always run out.
fn drain_limit(s: &Scenario) -> Option<Time> {
    let steps = s.contact_types.iter().flat_map(|t| &t.steps);
    if !steps.clone().any(|st| st.when.is_some()) {
        return None;
    }
    let max = |xs: &mut dyn Iterator<Item = f64>| xs.fold(0.0_f64, f64::max);
    let since_arrival = [
        max(&mut steps.clone().map(|st| st.after)),
        max(&mut steps.filter_map(|st| match st.when {
            Some(crate::model::Condition::LongestWaitAbove(t)) => Some(t),
            _ => None,
        })),
        s.queues.iter().filter_map(|q| q.overflow.as_ref()).map(|o| o.after).sum::<f64>()
            + max(&mut s.routing_profiles.iter().flat_map(|p| &p.queues).map(|pq| pq.delay)),
        max(&mut s.queues.iter().filter_map(|q| match q.aging_max {
            Some(m) if q.aging_rate > 0.0 => Some(m / q.aging_rate),
            _ => None,
        })),
        s.affinity_wait,
    ];
    Some(
        max(&mut since_arrival.into_iter())
            + max(&mut s.channels.iter().map(|c| c.wrap_up))
            + s.batch_window.unwrap_or(0.0)
            + s.condition_interval,
    )
}

/// A refused router configuration, with the scenario field of the record
/// the message names (`queues[1] ("q"): queue "q": ...`).
fn config_ctx(e: Error, s: &Scenario) -> Error {
    let msg = e.message();
    let named = |kind: &str, name: &str| msg.starts_with(&format!("{kind} {name:?}"));
    let field = (s
        .queues
        .iter()
        .position(|q| named("queue", &q.name))
        .map(|i| ("queues", i, &s.queues[i].name)))
    .or_else(|| {
        s.channels
            .iter()
            .position(|c| named("channel", &c.name))
            .map(|i| ("channels", i, &s.channels[i].name))
    })
    .or_else(|| {
        let p = &s.routing_profiles;
        p.iter()
            .position(|r| named("routing profile", &r.name))
            .map(|i| ("routing_profiles", i, &p[i].name))
    });
    match field {
        Some((list, i, name)) => ctx(e, &format!("{list}[{i}] ({name:?})")),
        None => ctx(e, "router options"),
    }
}

fn ctx(e: Error, what: &str) -> Error {
    Error::new(e.kind(), format!("{what}: {}", e.message()))
}

/// The router's options from the scenario; those it does not carry
/// ([`super::scenario::NOT_SIMULATED`]) are set for a simulation here.
fn base_config(s: &Scenario, rep_seed: u64) -> RouterConfig {
    let mut c = RouterConfig::new(s.channels.clone(), s.queues.clone());
    c.policy = s.policy.clone();
    c.affinity = s.affinity;
    c.affinity_wait = s.affinity_wait;
    c.routing_profiles = s.routing_profiles.clone();
    c.condition_interval = s.condition_interval;
    c.batch_window = s.batch_window;
    c.epoch = s.epoch;
    // Not simulated: agents take what they are given (no offers), ended
    // contacts are forgotten, the generator is seeded per replication.
    c.offer_timeout = None;
    c.retain_finished = Some(0);
    c.plugin = None;
    c.seed = stream(rep_seed, Purpose::Router, 0).next_u64();
    c
}

pub(super) fn agent_spec(
    g: &super::scenario::AgentGroup,
    index: usize,
    state: AgentState,
) -> AgentSpec {
    let mut a = AgentSpec::new(index.to_string(), &[]);
    a.skills = g.skills.clone();
    a.capacity = g.capacity;
    a.channels = g.channels.clone();
    a.routing_profile = g.routing_profile.clone();
    a.state = state;
    // For plug-in policies and selectors: which group the agent (id
    // `index`) belongs to.
    a.attributes = g.attributes.clone();
    a.attributes.entry("group".into()).or_insert_with(|| AttrValue::Str(g.name.clone()));
    a
}
