//! Step-wise control: a replication that stops at every routing decision
//! and takes it from the caller.
//!
//! The router runs with external decisions (see `router::external`): where
//! it would assign, it notes an ask. The stepper runs the event loop at full
//! speed until an ask is still open once the router's call is over, then
//! stops with a [`Decision`]:
//!
//! * [`DecisionKind::Route`]: a contact is waiting (it just arrived, or its
//!   requirements relaxed, or it overflowed) and free agents may take it.
//!   One candidate per agent group: the group's eligible agent idle the
//!   longest (ties: the lower agent index).
//! * [`DecisionKind::Pick`]: an agent has room (it freed capacity, came on
//!   shift, or just took a contact and can take more) and waiting contacts
//!   may go to it. One candidate per contact type: the type's contact first
//!   in the router's own order (priority, then wait) among the first in
//!   line of each wait group the agent serves. (Contacts of two types that
//!   share a queue and requirements wait in one group: only its first in
//!   line is a candidate.)
//!
//! The caller answers with a candidate (it is assigned) or with a hold
//! (nothing happens: the contact waits on, the agent stays free until the
//! next event asks again). A decision is only ever posed with at least one
//! candidate. Between decisions nothing is asked of the caller; time moves
//! only through the simulator's own events and the router's timers, so the
//! same seed and the same answers give the same run, bit for bit, and the
//! contacts' draws (arrival, handle time, patience) are those of
//! [`Simulation::run`] under any policy (common random numbers).

use super::{Result, Router, Run, Simulation, State};
use crate::error::Error;
use crate::router::{Ask, ContactRank};
use crate::sim::stats::Replication;
use std::sync::Arc;

/// Which side a decision chooses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionKind {
    /// A waiting contact: which agent takes it.
    Route,
    /// An agent with room: which contact it takes.
    Pick,
}

impl DecisionKind {
    /// `"route"` or `"pick"`.
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Route => "route",
            DecisionKind::Pick => "pick",
        }
    }
}

/// One possible answer: an (agent, contact) pair the router would accept.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The agent's index in the scenario (its id).
    pub agent: u32,
    /// The agent's group (index in the scenario).
    pub agent_group: u32,
    /// The contact's type (index in the scenario).
    pub contact_type: u32,
    /// The contact's queue (index in the scenario).
    pub queue: u32,
    /// Seconds the contact has waited in its queue.
    pub wait: f64,
    /// Seconds since the agent's last contact ended (or it became free).
    pub idle: f64,
    /// The contact's priority.
    pub priority: i64,
    /// The agent's free capacity units.
    pub free_units: u32,
    ci: u32,
    ai: u32,
}

/// A routing decision posed to the caller.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// Which side it chooses.
    pub kind: DecisionKind,
    /// Simulated time, seconds.
    pub time: f64,
    /// Route: the waiting contact's type.
    pub contact_type: Option<u32>,
    /// Route: the waiting contact's queue.
    pub queue: Option<u32>,
    /// Route: seconds the contact has waited in its queue (0 for a pick).
    pub wait: f64,
    /// Pick: the agent's index.
    pub agent: Option<u32>,
    /// Pick: the agent's group.
    pub agent_group: Option<u32>,
    /// At least one.
    pub candidates: Vec<Candidate>,
}

/// Running totals of a stepped replication (every contact, from time 0,
/// whatever the warm-up; contacts transferred count once, in their first
/// queue).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepTotals {
    /// Simulated time, seconds.
    pub time: f64,
    /// Contacts arrived.
    pub arrived: u64,
    /// Contacts answered.
    pub answered: u64,
    /// Of them, answered within their queue's service-level threshold.
    pub answered_in_sl: u64,
    /// Contacts abandoned.
    pub abandoned: u64,
    /// Contacts waiting now.
    pub waiting: u64,
    /// Contact-seconds spent waiting so far (the area under the number of
    /// waiting contacts), including the waits still going on.
    pub wait_area: f64,
    /// Decisions answered with a candidate.
    pub decisions: u64,
    /// Decisions answered with a hold.
    pub holds: u64,
}

type Owned = Run<Arc<Simulation>, Box<Router>>;

/// A replication run step by step; see the module documentation.
pub struct Stepper {
    run: Owned,
    rep: u32,
    asks: Vec<Ask>,
    /// Next ask to look at.
    next_ask: usize,
    decision: Option<(Decision, u32)>,
    done: bool,
    /// Router agent slot of each scenario agent.
    ai_of: Vec<u32>,
    /// Contacts waiting (in a queue, per the router) since the last event.
    waiting: u64,
    wait_area: f64,
    last_t: f64,
    decisions: u64,
    holds: u64,
    // Reused buffers.
    best: Vec<Option<(ContactRank, u32)>>,
    by_group: Vec<Option<(f64, u32, u32)>>,
}

impl std::fmt::Debug for Stepper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stepper")
            .field("rep", &self.rep)
            .field("time", &self.run.router.now())
            .field("decision", &self.decision.as_ref().map(|d| &d.0))
            .field("done", &self.done)
            .finish()
    }
}

impl Stepper {
    /// Starts replication `rep` of `sim` under step-wise control. Errors:
    /// `InvalidInput` for a scenario with a batch window (batches decide
    /// otherwise).
    pub fn new(sim: Arc<Simulation>, rep: u32) -> Result<Self> {
        let mut router = Box::new(Router::new(sim.router_config(rep))?);
        router.set_external(true)?;
        let run = Run::new(sim, rep, router)?;
        let mut ai_of = vec![0; run.sim.agent_group.len()];
        for (ai, &ix) in run.agent_of.iter().enumerate() {
            if (ix as usize) < ai_of.len() && run.router.agent_load(ai as u32).is_some() {
                ai_of[ix as usize] = ai as u32;
            }
        }
        let (n_types, n_groups) = (run.sim.types.len(), run.sim.group_first.len());
        Ok(Stepper {
            run,
            rep,
            asks: Vec::new(),
            next_ask: 0,
            decision: None,
            done: false,
            ai_of,
            waiting: 0,
            wait_area: 0.0,
            last_t: 0.0,
            decisions: 0,
            holds: 0,
            best: vec![None; n_types],
            by_group: vec![None; n_groups],
        })
    }

    /// The simulation stepped.
    pub fn simulation(&self) -> &Simulation {
        &self.run.sim
    }

    /// Runs to the next decision and returns it (the same one again until
    /// it is answered), or `None` once the replication is over.
    pub fn next_decision(&mut self) -> Result<Option<&Decision>> {
        while self.decision.is_none() && !self.done {
            self.run.router.take_asks(&mut self.asks);
            while self.next_ask < self.asks.len() {
                let ask = self.asks[self.next_ask];
                self.next_ask += 1;
                if let Some(d) = self.pose(ask) {
                    self.decision = Some(d);
                    return Ok(self.decision.as_ref().map(|d| &d.0));
                }
            }
            self.asks.clear();
            self.next_ask = 0;
            self.advance()?;
        }
        Ok(self.decision.as_ref().map(|d| &d.0))
    }

    /// Answers the current decision: `Some(i)` assigns candidate `i`,
    /// `None` holds. Errors (nothing changes): `InvalidState` with no
    /// decision open, `InvalidInput` for a candidate out of range.
    pub fn decide(&mut self, choice: Option<usize>) -> Result<()> {
        let Some((d, _)) = &self.decision else {
            return Err(Error::state(
                "step: no decision is open (call next_decision first, or the replication is over)",
            ));
        };
        let Some(i) = choice else {
            self.holds += 1;
            self.decision = None;
            return Ok(());
        };
        let Some(c) = d.candidates.get(i) else {
            return Err(Error::invalid(format!(
                "step: candidate {i} is out of range: this decision has {} candidates",
                d.candidates.len()
            )));
        };
        let (ci, ai, now) = (c.ci, c.ai, d.time);
        let run = &mut self.run;
        run.router.assign_external(ci, ai, now, &mut run.buf)?;
        run.on_events();
        self.decisions += 1;
        self.decision = None;
        Ok(())
    }

    /// Whether the replication is over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The running totals.
    pub fn totals(&self) -> StepTotals {
        let mut t = StepTotals {
            time: self.run.router.now(),
            arrived: self.run.contacts,
            waiting: self.waiting,
            wait_area: self.wait_area,
            decisions: self.decisions,
            holds: self.holds,
            ..StepTotals::default()
        };
        for q in &self.run.tally {
            t.answered += q[0];
            t.answered_in_sl += q[1];
            t.abandoned += q[2];
        }
        t
    }

    /// Contacts handled so far by each agent (scenario order), counting
    /// from the end of the warm-up.
    pub fn handled(&self) -> &[u64] {
        &self.run.handled
    }

    /// The replication's results, once it is over (the same record as
    /// [`Simulation::run`]'s). Errors: `InvalidState` before the end.
    pub fn finish(self, label: &str) -> Result<Replication> {
        if !self.done {
            return Err(Error::state(
                "step: the replication is not over (answer decisions until next_decision returns none)",
            ));
        }
        Ok(self.run.finish(label, self.rep))
    }

    /// One event; integrates the waiting contacts over the time it moved.
    fn advance(&mut self) -> Result<()> {
        let before = self.run.router.now();
        if !self.run.step()? {
            self.done = true;
            return Ok(());
        }
        let now = self.run.router.now();
        if now > before {
            self.wait_area += self.waiting as f64 * (now - before);
        }
        self.last_t = now;
        self.waiting =
            (0..self.run.tally.len()).map(|q| self.run.router.queue_waiting(q).0 as u64).sum();
        Ok(())
    }

    /// The decision an ask still poses, if any.
    fn pose(&mut self, ask: Ask) -> Option<(Decision, u32)> {
        let run = &self.run;
        let sim = &*run.sim;
        let now = run.router.now();
        match ask {
            Ask::Contact(ci) => {
                let s = *run.by_ci.get(ci as usize)?;
                let slot = run.slots.get(s as usize)?;
                if slot.state != State::Waiting || slot.key.map(|k| k.index()) != Some(ci as usize)
                {
                    return None;
                }
                let (priority, entered) = run.router.contact_facts(ci)?;
                self.by_group.iter_mut().for_each(|b| *b = None);
                let by_group = &mut self.by_group;
                run.router.agent_candidates(ci, |ai| {
                    let ix = run.agent_of[ai as usize];
                    let g = sim.agent_group[ix as usize] as usize;
                    let Some((_, _, _, _, idle_since)) = run.router.agent_load(ai) else {
                        return;
                    };
                    let better = match by_group[g] {
                        None => true,
                        Some((since, bix, _)) => {
                            idle_since < since || (idle_since == since && ix < bix)
                        }
                    };
                    if better {
                        by_group[g] = Some((idle_since, ix, ai));
                    }
                });
                let ty = slot.ty;
                let queue = sim.types[ty as usize].queue as u32;
                let candidates: Vec<Candidate> = (self.by_group.iter().enumerate())
                    .filter_map(|(g, b)| {
                        let (since, ix, ai) = (*b)?;
                        let (_, used, cap, _, _) = run.router.agent_load(ai)?;
                        Some(Candidate {
                            agent: ix,
                            agent_group: g as u32,
                            contact_type: ty,
                            queue,
                            wait: now - entered,
                            idle: now - since,
                            priority,
                            free_units: cap - used,
                            ci,
                            ai,
                        })
                    })
                    .collect();
                (!candidates.is_empty()).then(|| {
                    let d = Decision {
                        kind: DecisionKind::Route,
                        time: now,
                        contact_type: Some(ty),
                        queue: Some(queue),
                        wait: now - entered,
                        agent: None,
                        agent_group: None,
                        candidates,
                    };
                    (d, ci)
                })
            }
            Ask::Agent(ai) => {
                let (routable, used, cap, _, idle_since) = run.router.agent_load(ai)?;
                if !routable {
                    return None;
                }
                let ix = *run.agent_of.get(ai as usize)?;
                let g = sim.agent_group[ix as usize];
                self.best.iter_mut().for_each(|b| *b = None);
                let best = &mut self.best;
                run.router.contact_candidates(ai, |rank, ci| {
                    let s = run.by_ci[ci as usize];
                    let ty = run.slots[s as usize].ty as usize;
                    if best[ty].as_ref().is_none_or(|(r, _)| rank < *r) {
                        best[ty] = Some((rank, ci));
                    }
                });
                let candidates: Vec<Candidate> = (self.best.iter().enumerate())
                    .filter_map(|(ty, b)| {
                        let (_, ci) = (*b)?;
                        let (priority, entered) = run.router.contact_facts(ci)?;
                        Some(Candidate {
                            agent: ix,
                            agent_group: g,
                            contact_type: ty as u32,
                            queue: sim.types[ty].queue as u32,
                            wait: now - entered,
                            idle: now - idle_since,
                            priority,
                            free_units: cap - used,
                            ci,
                            ai,
                        })
                    })
                    .collect();
                (!candidates.is_empty()).then(|| {
                    let d = Decision {
                        kind: DecisionKind::Pick,
                        time: now,
                        contact_type: None,
                        queue: None,
                        wait: 0.0,
                        agent: Some(ix),
                        agent_group: Some(g),
                        candidates,
                    };
                    (d, ai)
                })
            }
        }
    }

    /// The length of [`Stepper::observe`]'s vector.
    pub fn observation_len(&self) -> usize {
        self.observation_names().len()
    }

    /// The names of the observation's entries, in order:
    ///
    /// * `time`; `decision.route`, `decision.pick` (one-hot);
    /// * `subject.type.<t>` (one-hot: the contact of a route decision),
    ///   `subject.wait`, `subject.group.<g>` (one-hot: the agent's group
    ///   of a pick decision);
    /// * per queue `queue.<q>.waiting`, `.longest_wait`, `.service_level`
    ///   (so far: answered within the threshold over answered and
    ///   abandoned; 1 before any);
    /// * per contact type `type.<t>.waiting`;
    /// * per agent group `group.<g>.available` (agents available),
    ///   `.idle` (available and holding nothing), `.units.<channel>`
    ///   (capacity units in use on that channel);
    /// * per agent group `route.<g>.candidate` (1 when the group has a
    ///   candidate in this route decision), `route.<g>.idle` (its idle
    ///   seconds);
    /// * per contact type `pick.<t>.candidate`, `pick.<t>.wait`.
    pub fn observation_names(&self) -> Vec<String> {
        let s = &self.run.sim.scenario;
        let mut n = vec!["time".to_string(), "decision.route".into(), "decision.pick".into()];
        n.extend(s.contact_types.iter().map(|t| format!("subject.type.{}", t.name)));
        n.push("subject.wait".into());
        n.extend(s.agent_groups.iter().map(|g| format!("subject.group.{}", g.name)));
        for q in &s.queues {
            for f in ["waiting", "longest_wait", "service_level"] {
                n.push(format!("queue.{}.{f}", q.name));
            }
        }
        n.extend(s.contact_types.iter().map(|t| format!("type.{}.waiting", t.name)));
        for g in &s.agent_groups {
            n.push(format!("group.{}.available", g.name));
            n.push(format!("group.{}.idle", g.name));
            n.extend(s.channels.iter().map(|c| format!("group.{}.units.{}", g.name, c.name)));
        }
        for g in &s.agent_groups {
            n.push(format!("route.{}.candidate", g.name));
            n.push(format!("route.{}.idle", g.name));
        }
        for t in &s.contact_types {
            n.push(format!("pick.{}.candidate", t.name));
            n.push(format!("pick.{}.wait", t.name));
        }
        n
    }

    /// Writes the observation (see [`Stepper::observation_names`]) into
    /// `out`, whose length must be [`Stepper::observation_len`]. With no
    /// decision open the decision entries are 0.
    pub fn observe(&self, out: &mut [f64]) -> Result<()> {
        let run = &self.run;
        let sim = &*run.sim;
        let (nt, ng, nq, nc) =
            (sim.types.len(), sim.group_first.len(), run.tally.len(), sim.channel_names.len());
        let len = 3 + nt + 1 + ng + 3 * nq + nt + ng * (2 + nc) + 2 * ng + 2 * nt;
        if out.len() != len {
            return Err(Error::invalid(format!(
                "step: the observation buffer holds {} values, the observation has {len}",
                out.len()
            )));
        }
        out.fill(0.0);
        let now = run.router.now();
        out[0] = now;
        let mut i = 3;
        let subject = i;
        i += nt + 1 + ng;
        if let Some((d, _)) = &self.decision {
            out[1 + usize::from(d.kind == DecisionKind::Pick)] = 1.0;
            if let Some(t) = d.contact_type {
                out[subject + t as usize] = 1.0;
            }
            out[subject + nt] = d.wait;
            if let Some(g) = d.agent_group {
                out[subject + nt + 1 + g as usize] = 1.0;
            }
        }
        for q in 0..nq {
            let (waiting, oldest) = run.router.queue_waiting(q);
            let [answered, in_sl, abandoned] = run.tally[q];
            out[i] = waiting as f64;
            out[i + 1] = oldest.map_or(0.0, |a| now - a);
            let ended = answered + abandoned;
            out[i + 2] = if ended == 0 { 1.0 } else { in_sl as f64 / ended as f64 };
            i += 3;
        }
        for slot in &run.slots {
            if slot.state == State::Waiting && !slot.warm_pending && slot.start <= now {
                out[i + slot.ty as usize] += 1.0;
            }
        }
        i += nt;
        for g in 0..ng {
            let first = sim.group_first[g] as usize;
            let count = sim.scenario.agent_groups[g].count as usize;
            for &ai in &self.ai_of[first..first + count] {
                if let Some((routable, used, _, held, _)) = run.router.agent_load(ai) {
                    if routable {
                        out[i] += 1.0;
                        out[i + 1] += f64::from(u8::from(used == 0));
                    }
                    for (ch, &h) in held.iter().enumerate() {
                        out[i + 2 + ch] += f64::from(h * sim.cost[ch]);
                    }
                }
            }
            i += 2 + nc;
        }
        let (route, pick) = (i, i + 2 * ng);
        if let Some((d, _)) = &self.decision {
            for c in &d.candidates {
                match d.kind {
                    DecisionKind::Route => {
                        out[route + 2 * c.agent_group as usize] = 1.0;
                        out[route + 2 * c.agent_group as usize + 1] = c.idle;
                    }
                    DecisionKind::Pick => {
                        out[pick + 2 * c.contact_type as usize] = 1.0;
                        out[pick + 2 * c.contact_type as usize + 1] = c.wait;
                    }
                }
            }
        }
        Ok(())
    }
}
