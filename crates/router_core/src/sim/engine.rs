//! The event loop: drives a real [`Router`] through virtual time.
//!
//! Three sources of events are merged in time order: the next arrival of
//! each contact type (one pending per type, kept apart from the heap: one
//! comparison instead of a heap push and pop per contact), the simulator's
//! heap (handle-time ends, patience ends, shift edges), and the router's
//! timers (relaxation steps, overflow, wrap-up ends), which are fired with
//! `advance` whenever they are due before the next own event. Own events
//! at the same time go in the order they were scheduled. Every routing
//! decision is the router's. The router's timers include its batch solve
//! in batch mode (`batch_window`) and the checks of conditional steps;
//! once the simulator's own events are exhausted, checks that can no
//! longer succeed are not followed for ever (see `Simulation::drain_limit`).
//!
//! Contacts live in a slab whose slots are reused once the router has
//! forgotten them (`retain_finished = 0`), so contact ids (the slot number)
//! and memory are bounded by the number of contacts alive at once. The
//! simulator submits by key only ([`NewContact::by_key_only`]) and ends
//! contacts by key: a slot's id is unique among live contacts, and nothing
//! looks it up. Its event sink ([`Catch`]) takes assignments and
//! completions as [`Handoff`]s by key instead of events, so the simulator
//! reads no ids for them; the other events (abandonments, wrap-up ends)
//! come as events. The router decides the same either way.

use super::arrivals::ArrivalState;
use super::dist::{replication_seed, stream, uniform, Purpose};
use super::scenario::Arrivals;
use super::simulation::{agent_spec, Simulation};
use super::stats::{Block, GroupMetrics, Metrics, Replication, Series};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::router::{ContactKey, NewContact, Router};
use crate::sink::{EventSink, Handoff};
use crate::types::{AgentState, AttrValue, Id};
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::ops::{Deref, DerefMut};

mod finish;
pub(super) mod step;

/// What an entry of the simulator's heap does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Complete,
    Abandon,
    /// The caller chooses a callback (if still waiting).
    ChooseCallback,
    /// The call an agent placed for a callback is answered or given up.
    CallResult,
    ShiftStart,
    ShiftEnd,
}

/// One scheduled event. Ordered for a max-heap to pop the earliest first:
/// by time, then by scheduling order, both packed in one `u128` (times are
/// never negative, so their bit patterns order as the numbers do): one
/// comparison per heap step.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Time bits (high half), then scheduling order (low half).
    key: u128,
    kind: Kind,
    a: u32,
    gen: u32,
}

impl Entry {
    #[inline]
    fn t(&self) -> f64 {
        f64::from_bits((self.key >> 64) as u64)
    }
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        self.key == o.key
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    #[inline]
    fn cmp(&self, o: &Self) -> Ordering {
        o.key.cmp(&self.key)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Free,
    Waiting,
    Assigned,
    WrapUp,
    /// Done, but its first agent's wrap-up after a transfer is still to
    /// end: the router may still name the contact's id.
    Lingering,
    /// A callback its agent is calling.
    Calling,
}

/// A live contact of the simulation.
#[derive(Clone, Copy, Debug)]
struct Slot {
    ty: u32,
    state: State,
    gen: u32,
    counted: bool,
    interval: u32,
    agent: u32,
    /// When the contact arrived, then when it was assigned (its agent's
    /// load starts).
    start: f64,
    handle: f64,
    /// The router's key of the contact (set once submitted).
    key: Option<ContactKey>,
    /// Its channel (a transfer may change it).
    channel: u32,
    /// It has been transferred (at most once); its wait since is the
    /// transfer's, counted per target queue.
    transferred: bool,
    /// The transfer wait is counted (it began in the measured window).
    counted_t: bool,
    /// A warm transfer waits for its target while the first agent holds it.
    warm_pending: bool,
    /// The first agent's wrap-up after the transfer has not ended yet.
    pending_wrap: bool,
    /// It became a callback; while `Calling`, whether the customer will
    /// answer.
    callback: bool,
    call_answered: bool,
    /// Paused by its agent (interrupted): its handle time stands still.
    paused: bool,
}

/// What only transferred contacts and callbacks need of a slot, kept apart
/// so that the slot copied on every event stays small.
#[derive(Clone, Copy, Debug, Default)]
struct Extra {
    /// Before the transfer: its agent, its channel, when it was assigned.
    first_agent: u32,
    first_channel: u32,
    first_start: f64,
    /// While `Calling`: since when.
    dial_start: f64,
}

/// Per-replication state of one contact type.
struct TypeRun {
    arrivals: ArrivalState,
    rng_arr: ChaCha8Rng,
    rng_handle: ChaCha8Rng,
    rng_patience: ChaCha8Rng,
    rng_customer: ChaCha8Rng,
    rng_transfer: ChaCha8Rng,
    rng_callback: ChaCha8Rng,
    /// The type's contact, compiled once.
    template: crate::router::ContactTemplate,
    /// The customer of the arrival being submitted.
    customer: Option<String>,
    next_customer: u64,
}

/// Load accumulators of one agent group.
struct GroupRun {
    on_shift: u64,
    /// Per channel: capacity units × seconds held inside the measured
    /// window, added once per contact when its agent lets it go (a
    /// contact's busy interval, clipped to the window, times its cost).
    int_units: Vec<f64>,
    /// Agents on shift × seconds inside the window, up to `last`.
    int_staffed: f64,
    last: f64,
}

pub(super) struct Run<S, R> {
    sim: S,
    router: R,
    pub(super) stop_on_policy_error: bool,
    /// The plug-in follows the router's events (they are handed to it).
    feed_scorer: bool,
    heap: BinaryHeap<Entry>,
    /// Per contact type: its next arrival (time, scheduling order).
    next_arrival: Vec<Option<(f64, u64)>>,
    /// The earliest of them: (time and scheduling order packed as in
    /// [`Entry`], type).
    first_arrival: Option<(u128, u32)>,
    seq: u64,
    slots: Vec<Slot>,
    /// Per slot: see [`Extra`].
    extra: Vec<Extra>,
    ids: Vec<Id>,
    free: Vec<u32>,
    types: Vec<TypeRun>,
    groups: Vec<GroupRun>,
    handled: Vec<u64>,
    /// Per contact type; queues, channels and the total are merged at the end.
    type_blocks: Vec<Block>,
    /// Per contact type, merged per queue at the end.
    series: Vec<Series>,
    /// Per queue: the waits of contacts transferred into it.
    transfer_blocks: Vec<Block>,
    /// Per queue: callbacks requested, calls placed, connected, failed
    /// (of counted contacts).
    callback_counts: Vec<[u64; 4]>,
    contacts: u64,
    rep_seed: u64,
    warmup: f64,
    duration: f64,
    interval: f64,
    /// The router's event buffer, reused across calls.
    buf: Catch,
    /// The simulator's slot of each router contact slot (set at submit).
    by_ci: Vec<u32>,
    /// The simulator's index of each router agent slot.
    agent_of: Vec<u32>,
    /// When something last happened: an own event, or a router call that
    /// produced events or notes.
    last_change: f64,
    /// Per queue, of every contact (measured window or not, transfers
    /// apart): answered, answered within the service-level threshold,
    /// abandoned. What step-wise control reports as it goes.
    tally: Vec<[u64; 3]>,
}

impl<S, R> Run<S, R>
where
    S: Deref<Target = Simulation>,
    R: DerefMut<Target = Router>,
{
    pub(super) fn new(sim: S, rep: u32, mut router: R) -> Result<Self> {
        let s = &sim.scenario;
        let rep_seed = replication_seed(s.seed, rep);
        for (g, grp) in s.agent_groups.iter().enumerate() {
            let state =
                if grp.shifts.is_empty() { AgentState::Available } else { AgentState::Offline };
            for k in 0..grp.count {
                let ix = sim.group_first[g] as usize + k as usize;
                let ev = router.add_agent(&agent_spec(grp, ix, state), 0.0, Vec::new())?;
                debug_assert!(ev.is_empty(), "no contact waits before the start");
            }
        }
        let n_int = (s.duration / s.interval).ceil() as usize;
        let series: Vec<Series> =
            s.contact_types.iter().map(|t| Series::new(&t.name, n_int)).collect();
        let n_ch = sim.channel_names.len();
        let mut run = Run {
            router,
            stop_on_policy_error: false,
            feed_scorer: false,
            heap: BinaryHeap::new(),
            next_arrival: vec![None; s.contact_types.len()],
            first_arrival: None,
            seq: 0,
            slots: Vec::new(),
            extra: Vec::new(),
            ids: Vec::new(),
            free: Vec::new(),
            types: Vec::new(),
            groups: s
                .agent_groups
                .iter()
                .map(|g| GroupRun {
                    on_shift: if g.shifts.is_empty() { u64::from(g.count) } else { 0 },
                    int_units: vec![0.0; n_ch],
                    int_staffed: 0.0,
                    last: 0.0,
                })
                .collect(),
            handled: vec![0; sim.agent_group.len()],
            type_blocks: vec![Block::default(); sim.types.len()],
            series,
            transfer_blocks: vec![Block::default(); s.queues.len()],
            callback_counts: vec![[0; 4]; s.queues.len()],
            contacts: 0,
            rep_seed,
            warmup: s.warmup,
            duration: s.duration,
            interval: s.interval,
            buf: Catch::default(),
            by_ci: Vec::new(),
            agent_of: Vec::new(),
            last_change: 0.0,
            tally: vec![[0; 3]; s.queues.len()],
            sim,
        };
        let sim = &*run.sim;
        let s = &sim.scenario;
        // Assignments and completions come as notes, by slot: no ids to read.
        // A plug-in that follows events gets them whole (ids, not notes).
        run.feed_scorer = run.router.scorer_wants_events();
        run.buf.by_key = !run.feed_scorer;
        let mut id = String::new();
        for ix in 0..sim.agent_group.len() {
            id.clear();
            push_decimal(&mut id, ix as u64);
            let ai = run.router.agent_handle(&id).expect("added agent").index();
            if run.agent_of.len() <= ai {
                run.agent_of.resize(ai + 1, 0);
            }
            run.agent_of[ai] = ix as u32;
        }
        let plugin = run.router.has_scorer();
        for (i, (t, info)) in s.contact_types.iter().zip(&sim.types).enumerate() {
            let mut spec = info.template.clone();
            spec.id.clear();
            if plugin {
                // A plug-in policy may want the contact's type (a copy per
                // contact, so only when one is attached).
                spec.attributes.insert("type".into(), AttrValue::Str(t.name.clone()));
            }
            let template = run.router.compile_template(&spec)?;
            run.types.push(TypeRun {
                arrivals: ArrivalState::new(&t.arrivals),
                rng_arr: stream(rep_seed, Purpose::Arrivals, i as u32),
                rng_handle: stream(rep_seed, Purpose::Handle, i as u32),
                rng_patience: stream(rep_seed, Purpose::Patience, i as u32),
                rng_customer: stream(rep_seed, Purpose::Customers, i as u32),
                rng_transfer: stream(rep_seed, Purpose::Transfer, i as u32),
                rng_callback: stream(rep_seed, Purpose::Callback, i as u32),
                template,
                customer: None,
                next_customer: 0,
            });
        }
        let shifts: Vec<(u32, f64, f64)> = (s.agent_groups.iter().enumerate())
            .flat_map(|(g, grp)| grp.shifts.iter().map(move |&(a, b)| (g as u32, a, b)))
            .collect();
        for i in 0..run.types.len() {
            run.schedule_arrival(i);
        }
        for (g, start, end) in shifts {
            run.push(start, Kind::ShiftStart, g, 0);
            run.push(end, Kind::ShiftEnd, g, 0);
        }
        Ok(run)
    }

    fn push(&mut self, t: f64, kind: Kind, a: u32, gen: u32) {
        debug_assert!(t >= 0.0, "simulated times are never negative");
        self.seq += 1;
        // `+ 0.0` turns a -0.0 into 0.0, whose bits order first.
        let key = (u128::from((t + 0.0).to_bits()) << 64) | u128::from(self.seq);
        self.heap.push(Entry { key, kind, a, gen });
    }

    fn schedule_arrival(&mut self, ty: usize) {
        let tr = &mut self.types[ty];
        self.next_arrival[ty] = match tr.arrivals.next(&mut tr.rng_arr) {
            Some(t) if t < self.duration => {
                debug_assert!(t >= 0.0, "simulated times are never negative");
                self.seq += 1;
                Some((t + 0.0, self.seq))
            }
            _ => None,
        };
        let mut first: Option<(u128, u32)> = None;
        for (i, next) in self.next_arrival.iter().enumerate() {
            if let Some((t, seq)) = *next {
                let key = (u128::from(t.to_bits()) << 64) | u128::from(seq);
                if first.is_none_or(|(fk, _)| key < fk) {
                    first = Some((key, i as u32));
                }
            }
        }
        self.first_arrival = first;
    }

    pub(super) fn run(&mut self) -> Result<()> {
        while self.step()? {}
        Ok(())
    }

    /// Processes the next event in time order (an own event, or the
    /// router's timers due before it); false once nothing is left.
    #[inline]
    pub(super) fn step(&mut self) -> Result<bool> {
        // The earliest own event: the heap's top or the first arrival.
        let arrival_first = match (self.heap.peek(), self.first_arrival) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(e), Some((key, _))) => key < e.key,
        };
        let mine = if arrival_first {
            self.first_arrival.map(|(key, _)| f64::from_bits((key >> 64) as u64))
        } else {
            self.heap.peek().map(Entry::t)
        };
        match (mine, self.router.next_timer()) {
            (None, None) => return Ok(false),
            (m, Some(tt)) if m.is_none_or(|m| tt <= m) => {
                if m.is_none()
                    && (self.sim.drain_limit.is_some_and(|d| tt > self.last_change + d)
                        || self.router.only_hours_pending())
                {
                    // Only condition checks that cannot succeed, or
                    // queues' hours with nobody left, are left.
                    return Ok(false);
                }
                self.router.advance(tt, &mut self.buf)?;
                if !self.buf.is_empty() {
                    self.last_change = tt;
                }
                self.on_events();
            }
            _ if arrival_first => {
                let (key, ty) = self.first_arrival.expect("an arrival is first");
                let t = f64::from_bits((key >> 64) as u64);
                self.last_change = t;
                self.arrive(ty as usize, t)?;
            }
            _ => {
                let e = self.heap.pop().expect("peeked");
                self.last_change = e.t();
                self.fire(e)?;
            }
        }
        if self.stop_on_policy_error && self.router.scorer_failures() > 0 {
            return Err(Error::new(
                ErrorKind::InvalidState,
                format!("the plug-in policy failed at time {}", self.router.now()),
            ));
        }
        Ok(true)
    }

    fn fire(&mut self, e: Entry) -> Result<()> {
        match e.kind {
            Kind::Complete => {
                let s = self.slots[e.a as usize];
                if s.state == State::Assigned && s.gen == e.gen {
                    if !s.transferred
                        && self.sim.types[s.ty as usize].transfer.is_some()
                        && self.transfer(e.a, e.t())?
                    {
                        return Ok(());
                    }
                    self.router.complete(s.key.expect("submitted"), e.t(), &mut self.buf)?;
                    self.on_events();
                }
                Ok(())
            }
            Kind::ChooseCallback => {
                let s = self.slots[e.a as usize];
                if s.state == State::Waiting && s.gen == e.gen {
                    self.choose_callback(e.a, e.t())?;
                }
                Ok(())
            }
            Kind::CallResult => {
                let s = self.slots[e.a as usize];
                if s.state == State::Calling && s.gen == e.gen {
                    self.call_result(e.a, e.t())?;
                }
                Ok(())
            }
            Kind::Abandon => {
                let s = self.slots[e.a as usize];
                if s.state == State::Waiting && s.gen == e.gen {
                    self.router.cancel(s.key.expect("submitted"), e.t(), &mut self.buf)?;
                    self.on_events();
                }
                Ok(())
            }
            Kind::ShiftStart | Kind::ShiftEnd => {
                let g = e.a as usize;
                let start = e.kind == Kind::ShiftStart;
                self.integrate(g, e.t());
                let count = self.sim.scenario.agent_groups[g].count;
                let gr = &mut self.groups[g];
                if start {
                    gr.on_shift += u64::from(count);
                } else {
                    gr.on_shift -= u64::from(count);
                }
                let state = if start { AgentState::Available } else { AgentState::Offline };
                let first = self.sim.group_first[g] as usize;
                let mut id = String::new();
                for k in 0..count as usize {
                    id.clear();
                    push_decimal(&mut id, (first + k) as u64);
                    self.router.set_agent_state(&id, state, "", e.t(), &mut self.buf)?;
                    self.on_events();
                }
                Ok(())
            }
        }
    }

    fn arrive(&mut self, ty: usize, t: f64) -> Result<()> {
        let info = &self.sim.types[ty];
        let tr = &mut self.types[ty];
        // Every draw happens here, in arrival order, whatever the policy.
        let row = tr.arrivals.row();
        let (handle, patience, priority) =
            match (&self.sim.scenario.contact_types[ty].arrivals, row) {
                (Arrivals::Trace { handle_times, patience, priorities, .. }, Some(k)) => (
                    match handle_times {
                        Some(h) => h[k],
                        None => info.handle.draw(&mut tr.rng_handle),
                    },
                    match patience {
                        Some(p) => p[k],
                        None => info.patience.as_ref().map(|p| p.draw(&mut tr.rng_patience)),
                    },
                    priorities.as_ref().map_or(info.template.priority, |p| p[k]),
                ),
                _ => (
                    info.handle.draw(&mut tr.rng_handle),
                    info.patience.as_ref().map(|p| p.draw(&mut tr.rng_patience)),
                    info.template.priority,
                ),
            };
        if info.returning > 0.0 {
            let returning = uniform(&mut tr.rng_customer) < info.returning && tr.next_customer > 0;
            let n = if returning {
                let pool = tr.next_customer.min(info.customers);
                let back = (uniform(&mut tr.rng_customer) * pool as f64) as u64;
                (tr.next_customer - 1 - back.min(pool - 1)) % info.customers
            } else {
                tr.next_customer += 1;
                (tr.next_customer - 1) % info.customers
            };
            let mut c = String::with_capacity(12);
            push_decimal(&mut c, ty as u64);
            c.push('-');
            push_decimal(&mut c, n);
            tr.customer = Some(c);
        }
        // Scheduled work enters its queue later; its wait counts from then.
        let (due, chooses) = {
            let info = &self.sim.types[ty];
            let tr = &mut self.types[ty];
            let due = match &info.scheduled {
                Some((share, delay)) if uniform(&mut tr.rng_callback) < *share => {
                    t + delay.draw(&mut tr.rng_callback)
                }
                _ => t,
            };
            let chooses =
                info.callback.as_ref().is_some_and(|cb| uniform(&mut tr.rng_callback) < cb.share);
            (due, chooses)
        };
        let counted = due >= self.warmup;
        let interval = ((due / self.interval) as usize).min(self.series[0].offered.len() - 1);
        self.contacts += 1;
        self.series[ty].offered[interval] += 1;
        if counted {
            self.type_blocks[ty].offered += 1;
        }
        let s = self.alloc(Slot {
            ty: ty as u32,
            state: State::Waiting,
            gen: 0,
            counted,
            interval: interval as u32,
            agent: 0,
            start: due,
            handle,
            key: None,
            channel: self.sim.types[ty].channel as u32,
            transferred: false,
            counted_t: false,
            warm_pending: false,
            pending_wrap: false,
            callback: false,
            call_answered: false,
            paused: false,
        });
        let tr = &self.types[ty];
        let new = NewContact::new(&self.ids[s as usize])
            .priority(priority)
            .customer(tr.customer.as_deref())
            .not_before(if due > t { due } else { 0.0 })
            .by_key_only();
        let outcome = self.router.submit_template(&tr.template, new, t, &mut self.buf);
        match outcome {
            Ok((key, _)) => {
                // Set before the events are read: they may end the contact.
                self.slots[s as usize].key = Some(key);
                let ci = key.index();
                if self.by_ci.len() <= ci {
                    self.by_ci.resize(ci + 1, 0);
                }
                self.by_ci[ci] = s;
                self.on_events();
            }
            Err(e) if e.kind() == ErrorKind::QueueFull => {
                if counted {
                    self.type_blocks[ty].refused += 1;
                }
                self.release(s);
            }
            Err(e) => return Err(e),
        }
        let slot = self.slots[s as usize];
        if slot.state == State::Waiting {
            if let Some(p) = patience {
                self.push(due + p, Kind::Abandon, s, slot.gen);
            }
            if chooses {
                let after = self.sim.types[ty].callback.as_ref().expect("chosen").after;
                self.push(due + after, Kind::ChooseCallback, s, slot.gen);
            }
        }
        self.schedule_arrival(ty);
        Ok(())
    }

    fn alloc(&mut self, mut slot: Slot) -> u32 {
        match self.free.pop() {
            Some(s) => {
                slot.gen = self.slots[s as usize].gen;
                self.slots[s as usize] = slot;
                s
            }
            None => {
                let s = self.slots.len() as u32;
                self.slots.push(slot);
                self.extra.push(Extra::default());
                let mut id = String::new();
                push_decimal(&mut id, u64::from(s));
                self.ids.push(Id::from(id));
                s
            }
        }
    }

    fn release(&mut self, s: u32) {
        let slot = &mut self.slots[s as usize];
        slot.state = State::Free;
        slot.gen = slot.gen.wrapping_add(1);
        self.free.push(s);
    }

    /// Adds the group's staffed time from its last update to `t`, clipped
    /// to the window.
    fn integrate(&mut self, g: usize, t: f64) {
        let gr = &mut self.groups[g];
        // Plain comparisons: times are never NaN.
        let lo = if gr.last > self.warmup { gr.last } else { self.warmup };
        let hi = if t < self.duration { t } else { self.duration };
        if hi > lo {
            gr.int_staffed += gr.on_shift as f64 * (hi - lo);
        }
        if t > gr.last {
            gr.last = t;
        }
    }

    /// Contact `s` leaves its agent at `at` (completion, or the end of its
    /// wrap-up): its load from assignment to `at`, clipped to the window,
    /// counts for the agent's group.
    fn unload(&mut self, s: u32, at: f64) {
        let slot = &self.slots[s as usize];
        self.add_load(slot.agent, slot.channel as usize, slot.start, at);
    }

    /// Agent `agent` held a contact on channel `ch` from `from` to `to`:
    /// that load, clipped to the window, counts for its group.
    #[inline]
    fn add_load(&mut self, agent: u32, ch: usize, from: f64, to: f64) {
        let lo = if from > self.warmup { from } else { self.warmup };
        let hi = if to < self.duration { to } else { self.duration };
        if hi > lo {
            let g = self.sim.agent_group[agent as usize] as usize;
            self.groups[g].int_units[ch] += f64::from(self.sim.cost[ch]) * (hi - lo);
        }
    }

    /// The first agent of contact `s` lets go of it at `at` after a
    /// transfer: its load up to then, and its wrap-up (known in advance:
    /// the channel's) counted now; the wrap-up's end is awaited before the
    /// slot may be reused.
    fn first_agent_done(&mut self, s: u32, at: f64) {
        let x = self.extra[s as usize];
        let ch = x.first_channel as usize;
        self.add_load(x.first_agent, ch, x.first_start, at);
        let wrap = self.sim.scenario.channels[ch].wrap_up;
        if wrap > 0.0 {
            self.add_load(x.first_agent, ch, at, at + wrap);
            self.slots[s as usize].pending_wrap = true;
        }
    }

    /// Decides whether the answered contact `s`, whose service ends at `t`,
    /// is transferred (its type's rule); if so, transfers it and returns
    /// true.
    fn transfer(&mut self, s: u32, t: f64) -> Result<bool> {
        let ty = self.slots[s as usize].ty as usize;
        let info = &self.sim.types[ty];
        let rule = info.transfer.as_ref().expect("the type transfers");
        let tr = &mut self.types[ty];
        if uniform(&mut tr.rng_transfer) >= rule.probability {
            return Ok(false);
        }
        let handle = rule.handle.as_ref().unwrap_or(&info.handle).draw(&mut tr.rng_transfer);
        let patience = info.patience.as_ref().map(|p| p.draw(&mut tr.rng_transfer));
        let warm = rule.spec.mode == crate::model::TransferMode::Warm;
        let (tq, tch) = (rule.queue, rule.channel as u32);
        let counted = t >= self.warmup;
        // The router first: a cold transfer to a full queue is refused with
        // nothing changed, and the first agent simply completes the contact.
        // Its events wait in the buffer until the slot below is updated.
        let key = self.slots[s as usize].key.expect("submitted");
        match self.router.transfer(key, &rule.spec, t, &mut self.buf) {
            Ok(_) => {}
            Err(e) if e.kind() == crate::error::ErrorKind::QueueFull => return Ok(false),
            Err(e) => return Err(e),
        }
        let slot = &mut self.slots[s as usize];
        if t >= self.warmup && t <= self.duration {
            self.handled[slot.agent as usize] += 1;
        }
        slot.transferred = true;
        // Timers of the first wait (its patience) no longer apply.
        slot.gen = slot.gen.wrapping_add(1);
        slot.counted_t = counted;
        self.extra[s as usize] = Extra {
            first_agent: slot.agent,
            first_channel: slot.channel,
            first_start: slot.start,
            dial_start: 0.0,
        };
        slot.state = State::Waiting;
        slot.start = t;
        slot.channel = tch;
        slot.handle = handle;
        slot.warm_pending = warm;
        if !warm {
            self.first_agent_done(s, t);
        }
        if counted {
            self.transfer_blocks[tq].offered += 1;
        }
        self.on_events();
        let slot = self.slots[s as usize];
        // A customer on hold in a warm transfer is with an agent: no abandon.
        if slot.state == State::Waiting && !slot.warm_pending {
            if let Some(p) = patience {
                self.push(t + p, Kind::Abandon, s, slot.gen);
            }
        }
        Ok(true)
    }

    /// Accounts for the router's events, then its handoffs (all at the
    /// same time: due timers fire before own events); keeps the (emptied)
    /// buffers for the next call.
    fn on_events(&mut self) {
        if !self.buf.events.is_empty() {
            self.on_router_events();
        }
        if self.buf.handoffs.is_empty() {
            return;
        }
        let mut handoffs = std::mem::take(&mut self.buf.handoffs);
        for h in &handoffs {
            match *h {
                Handoff::Assigned { contact, agent, at, wait } => {
                    let (s, a) = (self.by_ci[contact.index()], self.agent_of[agent.index()]);
                    self.assigned(s, a, at, wait);
                }
                Handoff::Completed { contact, at } => {
                    self.completed(self.by_ci[contact.index()], at);
                }
            }
        }
        handoffs.clear();
        self.buf.handoffs = handoffs;
    }

    /// The events part of [`Run::on_events`].
    fn on_router_events(&mut self) {
        let mut events = std::mem::take(&mut self.buf.events);
        for e in &events {
            match *e {
                Event::Assigned { ref contact, ref agent, at, wait, .. } => {
                    self.assigned(parse(contact), parse(agent), at, wait);
                }
                Event::Abandoned { ref contact, wait, .. } => {
                    let s = parse(contact);
                    let slot = self.slots[s as usize];
                    let ty = slot.ty as usize;
                    if slot.transferred {
                        if slot.counted_t {
                            let tq = self.transfer_queue(s);
                            self.transfer_blocks[tq].abandoned(wait);
                        }
                    } else {
                        if slot.counted {
                            self.type_blocks[ty].abandoned(wait);
                        }
                        self.series[ty].abandoned[slot.interval as usize] += 1;
                        self.tally[self.sim.types[ty].queue][2] += 1;
                    }
                    self.done(s);
                }
                Event::Completed { ref contact, at, .. } => self.completed(parse(contact), at),
                Event::WrapUpEnded { ref contact, ref agent, at, .. } => {
                    let s = parse(contact);
                    let slot = self.slots[s as usize];
                    if slot.pending_wrap && parse(agent) == self.extra[s as usize].first_agent {
                        // The first agent's wrap-up after a transfer (its
                        // load was counted at the transfer).
                        self.slots[s as usize].pending_wrap = false;
                        if slot.state == State::Lingering {
                            self.release(s);
                        }
                        continue;
                    }
                    self.unload(s, at);
                    self.done(s);
                }
                Event::Transferred {
                    ref contact,
                    at,
                    mode: crate::model::TransferMode::Warm,
                    ..
                } => {
                    let s = parse(contact);
                    self.slots[s as usize].warm_pending = false;
                    self.first_agent_done(s, at);
                }
                Event::CallbackOffered { ref contact, ref agent, at, .. } => {
                    let s = parse(contact);
                    let ty = self.slots[s as usize].ty as usize;
                    let rule = self.sim.types[ty].callback.as_ref().expect("a callback type");
                    let (p, call) = (rule.answer_probability, rule.call_time);
                    let answered = uniform(&mut self.types[ty].rng_callback) < p;
                    let slot = &mut self.slots[s as usize];
                    slot.state = State::Calling;
                    slot.agent = parse(agent);
                    self.extra[s as usize].dial_start = at;
                    slot.call_answered = answered;
                    let (gen, counted) = (slot.gen, slot.counted);
                    if counted {
                        self.callback_counts[self.sim.types[ty].queue][1] += 1;
                    }
                    self.push(at + call, Kind::CallResult, s, gen);
                }
                Event::CallbackFailed { ref contact, .. } => {
                    let s = parse(contact);
                    let slot = self.slots[s as usize];
                    if slot.counted {
                        let ty = slot.ty as usize;
                        self.type_blocks[ty].callbacks_failed += 1;
                        self.callback_counts[self.sim.types[ty].queue][3] += 1;
                    }
                    self.release(s);
                }
                Event::Paused { ref contact, at, .. } => {
                    // Its handle time stops: what is left runs from the
                    // resume. (Assigned in the same call, its assignment
                    // is read after this event: it starts paused.)
                    let s = parse(contact);
                    if self.slots[s as usize].state == State::Assigned {
                        self.unload(s, at);
                        let slot = &mut self.slots[s as usize];
                        slot.handle = (slot.start + slot.handle - at).max(0.0);
                    }
                    let slot = &mut self.slots[s as usize];
                    slot.paused = true;
                    slot.gen = slot.gen.wrapping_add(1); // its completion is void
                }
                Event::Resumed { ref contact, at, .. } => {
                    let s = parse(contact);
                    let slot = &mut self.slots[s as usize];
                    slot.paused = false;
                    slot.start = at;
                    let (handle, gen) = (slot.handle, slot.gen);
                    self.push(at + handle, Kind::Complete, s, gen);
                }
                Event::Exception { ref contact, ref action, .. } if action.as_str() == "cancel" => {
                    let s = parse(contact);
                    let slot = self.slots[s as usize];
                    if slot.counted {
                        self.type_blocks[slot.ty as usize].cancelled += 1;
                    }
                    self.release(s);
                }
                Event::Refused { ref contact, .. } => {
                    // Scheduled work due when its queue was full, or an
                    // arrival at a closed queue.
                    let s = parse(contact);
                    let slot = self.slots[s as usize];
                    if slot.counted {
                        self.type_blocks[slot.ty as usize].refused += 1;
                    }
                    self.release(s);
                }
                Event::TransferFailed { ref contact, at, .. } => {
                    // The target queue was full: the first agent keeps the
                    // contact and ends it now.
                    let s = parse(contact);
                    let tq = self.transfer_queue(s);
                    let slot = &mut self.slots[s as usize];
                    slot.warm_pending = false;
                    slot.state = State::Assigned;
                    let x = self.extra[s as usize];
                    // The first agent's contact was counted handled at the
                    // transfer; its completion below counts it.
                    if slot.start >= self.warmup && slot.start <= self.duration {
                        self.handled[x.first_agent as usize] -= 1;
                    }
                    slot.agent = x.first_agent;
                    slot.start = x.first_start;
                    slot.channel = x.first_channel;
                    slot.handle = 0.0;
                    let (counted, gen) = (slot.counted_t, slot.gen);
                    if counted {
                        self.transfer_blocks[tq].offered -= 1;
                    }
                    self.push(at, Kind::Complete, s, gen);
                }
                _ => {}
            }
        }
        if self.feed_scorer && !events.is_empty() {
            self.router.notify_scorer(&events);
        }
        events.clear();
        self.buf.events = events;
    }

    /// Contact `s` is connected to agent `a`.
    #[inline]
    fn assigned(&mut self, s: u32, a: u32, at: f64, wait: f64) {
        let slot = &mut self.slots[s as usize];
        slot.state = State::Assigned;
        slot.agent = a;
        slot.start = at;
        let slot = *slot;
        let ty = slot.ty as usize;
        if slot.transferred {
            self.transfer_answered(s, wait);
        } else {
            let info = &self.sim.types[ty];
            let in_sl = wait <= self.sim.threshold[info.queue];
            if slot.counted {
                self.type_blocks[ty].answered(wait, in_sl);
            }
            let tally = &mut self.tally[info.queue];
            tally[0] += 1;
            tally[1] += u64::from(in_sl);
            self.series[ty].answered(slot.interval as usize, wait, in_sl);
        }
        if !slot.paused {
            self.push(at + slot.handle, Kind::Complete, s, slot.gen);
        }
    }

    /// A transferred contact's second wait ended answered.
    #[cold]
    fn transfer_answered(&mut self, s: u32, wait: f64) {
        let tq = self.transfer_queue(s);
        if self.slots[s as usize].counted_t {
            let in_sl = wait <= self.sim.threshold[tq];
            self.transfer_blocks[tq].answered(wait, in_sl);
        }
    }

    /// The waiting caller `s` chooses a callback at `t`: it keeps its
    /// place, and its patience no longer applies.
    fn choose_callback(&mut self, s: u32, t: f64) -> Result<()> {
        let slot = &mut self.slots[s as usize];
        let ty = slot.ty as usize;
        slot.gen = slot.gen.wrapping_add(1); // its patience timer is void
        slot.callback = true;
        let counted = slot.counted;
        let key = slot.key.expect("submitted");
        let rule = self.sim.types[ty].callback.as_ref().expect("the type has callbacks");
        let update = crate::model::ContactUpdate {
            callback: Some(crate::model::Callback {
                number_of_attempts: rule.number_of_attempts,
                retry_after: rule.retry_after,
                not_before: None,
            }),
            ..crate::model::ContactUpdate::default()
        };
        if counted {
            self.callback_counts[self.sim.types[ty].queue][0] += 1;
        }
        self.router.update_contact(key, &update, t, &mut self.buf)?;
        self.on_events();
        Ok(())
    }

    /// The call for callback `s` ends at `t`: answered or not (drawn when
    /// it was placed).
    fn call_result(&mut self, s: u32, t: f64) -> Result<()> {
        let slot = self.slots[s as usize];
        self.add_load(slot.agent, slot.channel as usize, self.extra[s as usize].dial_start, t);
        let outcome = if slot.call_answered {
            if slot.counted {
                self.callback_counts[self.sim.types[slot.ty as usize].queue][2] += 1;
            }
            crate::model::CallbackOutcome::Answered
        } else {
            // Back in its place (it may be called again within this call).
            self.slots[s as usize].state = State::Waiting;
            crate::model::CallbackOutcome::NoAnswer
        };
        self.router.callback_result(slot.key.expect("submitted"), outcome, t, &mut self.buf)?;
        self.on_events();
        Ok(())
    }

    /// The queue contact `s` was transferred to.
    fn transfer_queue(&self, s: u32) -> usize {
        let ty = self.slots[s as usize].ty as usize;
        self.sim.types[ty].transfer.as_ref().expect("a transferred contact's type transfers").queue
    }

    /// Contact `s` has ended: its slot is free, unless the router may still
    /// name it (its first agent's wrap-up after a transfer).
    #[inline]
    fn done(&mut self, s: u32) {
        if self.slots[s as usize].pending_wrap {
            self.slots[s as usize].state = State::Lingering;
        } else {
            self.release(s);
        }
    }

    /// Contact `s` is completed.
    #[inline]
    fn completed(&mut self, s: u32, at: f64) {
        let slot = self.slots[s as usize];
        if at >= self.warmup && at <= self.duration {
            self.handled[slot.agent as usize] += 1;
        }
        if self.sim.wrap[slot.channel as usize] {
            self.slots[s as usize].state = State::WrapUp;
        } else {
            self.unload(s, at);
            self.done(s);
        }
    }
}

/// Appends the decimal digits of `n`.
fn push_decimal(s: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    s.push_str(std::str::from_utf8(&buf[i..]).expect("digits"));
}

/// Reads back an id written by [`push_decimal`].
#[inline]
fn parse(id: &Id) -> u32 {
    id.as_bytes().iter().fold(0u32, |n, &b| n * 10 + u32::from(b - b'0'))
}

/// The simulator's event sink: events, and assignments and completions by
/// key unless a plug-in policy follows events (it gets them whole).
#[derive(Debug, Default)]
struct Catch {
    events: Vec<Event>,
    handoffs: Vec<Handoff>,
    by_key: bool,
}

impl Catch {
    fn is_empty(&self) -> bool {
        self.events.is_empty() && self.handoffs.is_empty()
    }
}

impl EventSink for Catch {
    #[inline]
    fn take_events(&mut self, events: &mut Vec<Event>) {
        self.events.take_events(events);
    }

    fn by_key(&self) -> bool {
        self.by_key
    }

    #[inline]
    fn take_handoffs(&mut self, handoffs: &mut Vec<Handoff>) {
        if self.handoffs.is_empty() {
            std::mem::swap(&mut self.handoffs, handoffs);
        } else {
            self.handoffs.append(handoffs);
        }
    }
}
