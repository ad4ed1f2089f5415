//! [`Simulation`]: a scenario compiled and checked, and the calls that run
//! its replications (built-in policy, or a router the caller prepared).

use super::dist::{replication_seed, stream, Purpose, Sampler};
use super::engine::Run;
use super::scenario::Scenario;
use super::stats::Replication;
use crate::error::{Error, Result};
use crate::model::{AgentSpec, ContactSpec, RouterConfig};
use crate::policy::PolicyKind;
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
}

/// A scenario compiled and checked, ready to run replications.
///
/// Cheap to share between threads: each replication builds its own router
/// and state from it.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub(super) scenario: Scenario,
    pub(super) policy: PolicyKind,
    pub(super) types: Vec<TypeInfo>,
    /// Group of each agent (agents of a group are contiguous).
    pub(super) agent_group: Vec<u32>,
    pub(super) group_first: Vec<u32>,
    pub(super) cost: Vec<u32>,
    pub(super) wrap: Vec<bool>,
    pub(super) threshold: Vec<Time>,
    pub(super) queue_names: Vec<String>,
    pub(super) channel_names: Vec<String>,
}

impl Simulation {
    /// Checks a scenario and compiles it. Errors: `InvalidInput` naming the
    /// field (`agent_groups[1]`, `contact_types[0].requires`, ...).
    pub fn new(scenario: Scenario) -> Result<Self> {
        scenario.validate()?;
        let policy = scenario.policy_kind()?;
        let config = base_config(&scenario, policy, 0);
        let mut router = Router::new(config).map_err(|e| ctx(e, "channels/queues"))?;
        let mut agent_group = Vec::new();
        let mut group_first = Vec::new();
        for (g, grp) in scenario.agent_groups.iter().enumerate() {
            group_first.push(agent_group.len() as u32);
            for _ in 0..grp.count {
                let spec = agent_spec(grp, agent_group.len(), AgentState::Offline);
                router
                    .add_agent(&spec, 0.0)
                    .map_err(|e| ctx(e, &format!("agent_groups[{g}] ({:?})", grp.name)))?;
                agent_group.push(g as u32);
            }
        }
        let channel_names: Vec<String> = scenario.channels.iter().map(|c| c.name.clone()).collect();
        let queue_names: Vec<String> = scenario.queues.iter().map(|q| q.name.clone()).collect();
        let mut types = Vec::new();
        for (i, t) in scenario.contact_types.iter().enumerate() {
            let what = format!("contact_types[{i}] ({:?})", t.name);
            let mut template = ContactSpec::new(format!("check-{i}"), t.channel.clone(), t.queue.clone());
            template.priority = t.priority;
            template.requires = t.requires.clone();
            template.prefers = t.prefers.clone();
            template.steps = t.steps.iter().map(|s| s.spec()).collect();
            router.submit(&template, 0.0).map_err(|e| ctx(e, &what))?;
            types.push(TypeInfo {
                channel: channel_names.iter().position(|c| *c == t.channel).expect("checked by submit"),
                queue: queue_names.iter().position(|q| *q == t.queue).expect("checked by submit"),
                template,
                handle: t.handle_time.sampler(),
                patience: t.patience.as_ref().map(|p| p.sampler()),
                returning: t.returning,
                customers: u64::from(t.customers),
            });
        }
        Ok(Simulation {
            policy,
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

    /// The router configuration replication `rep` uses under `policy`:
    /// auto-accept, nothing kept of ended contacts, the router's generator
    /// seeded from its own stream.
    pub fn router_config(&self, rep: u32, policy: PolicyKind) -> RouterConfig {
        base_config(&self.scenario, policy, replication_seed(self.scenario.seed, rep))
    }

    /// Runs replication `rep` under the scenario's policy.
    pub fn run(&self, rep: u32) -> Result<Replication> {
        self.run_with(rep, self.policy)
    }

    /// Runs replication `rep` under a built-in `policy` (same random numbers
    /// as under any other policy: common random numbers).
    pub fn run_with(&self, rep: u32, policy: PolicyKind) -> Result<Replication> {
        let mut router = Router::new(self.router_config(rep, policy))?;
        self.run_on(rep, &mut router, policy.name(), false)
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
    pub fn run_on(&self, rep: u32, router: &mut Router, label: &str, stop_on_policy_error: bool) -> Result<Replication> {
        let mut run = Run::new(self, rep, router)?;
        run.stop_on_policy_error = stop_on_policy_error;
        run.run()?;
        Ok(run.finish(label, rep))
    }
}

fn ctx(e: Error, what: &str) -> Error {
    Error::new(e.kind(), format!("{what}: {}", e.message()))
}

fn base_config(s: &Scenario, policy: PolicyKind, rep_seed: u64) -> RouterConfig {
    // Built with the constructor so that settings added to the core later
    // keep their defaults here.
    let mut c = RouterConfig::new(
        s.channels.iter().map(|c| c.config()).collect(),
        s.queues.iter().map(|q| q.config()).collect(),
    );
    #[allow(clippy::useless_conversion)] // the router's policy type is wider than `PolicyKind` on newer cores
    {
        c.policy = policy.into();
    }
    c.offer_timeout = None;
    c.seed = stream(rep_seed, Purpose::Router, 0).next_u64();
    c.affinity = s.affinity;
    c.affinity_wait = s.affinity_wait;
    c.retain_finished = Some(0);
    c
}

pub(super) fn agent_spec(g: &super::scenario::AgentGroup, index: usize, state: AgentState) -> AgentSpec {
    let mut a = AgentSpec::new(index.to_string(), &[]);
    a.skills = g.skills.clone();
    a.capacity = g.capacity;
    a.channels = g.channels.clone();
    a.state = state;
    // For plug-in policies: which group the agent (id `index`) belongs to.
    a.attributes.insert("group".into(), AttrValue::Str(g.name.clone()));
    a
}

