//! Streaming statistics: constant memory per contact.
//!
//! A contact updates a few counters and one histogram bin when its wait
//! ends (answered or abandoned); nothing is kept per contact. Waits go into
//! a log-linear histogram (1 % relative precision above one second,
//! 10 ms below) from which the 90th percentile is read.

use serde::{Deserialize, Serialize};

/// Linear bins of 10 ms below one second.
const LINEAR: usize = 100;
/// Sub-bins per doubling above one second (about 1.1 % wide).
const SUB: usize = 64;
/// Doublings covered above one second (2^40 s is far beyond any horizon).
const OCTAVES: usize = 40;

/// A histogram of waits in seconds with about 1 % relative precision.
#[derive(Clone, Debug)]
pub struct WaitHistogram {
    zero: u64,
    bins: Vec<u64>,
    count: u64,
}

impl Default for WaitHistogram {
    fn default() -> Self {
        WaitHistogram { zero: 0, bins: vec![0; LINEAR + SUB * OCTAVES], count: 0 }
    }
}

impl WaitHistogram {
    fn bin(w: f64) -> usize {
        if w < 1.0 {
            return ((w * LINEAR as f64) as usize).min(LINEAR - 1);
        }
        let bits = w.to_bits();
        let exp = ((bits >> 52) & 0x7ff) as usize - 1023; // w in [2^exp, 2^(exp+1))
        let frac = (bits & ((1u64 << 52) - 1)) >> (52 - 6); // top 6 mantissa bits
        (LINEAR + exp * SUB + frac as usize).min(LINEAR + SUB * OCTAVES - 1)
    }

    fn bounds(i: usize) -> (f64, f64) {
        if i < LINEAR {
            return (i as f64 / LINEAR as f64, (i + 1) as f64 / LINEAR as f64);
        }
        let exp = (i - LINEAR) / SUB;
        let sub = (i - LINEAR) % SUB;
        let base = (1u64 << exp) as f64;
        (base * (1.0 + sub as f64 / SUB as f64), base * (1.0 + (sub + 1) as f64 / SUB as f64))
    }

    /// Records one wait.
    #[inline]
    pub fn add(&mut self, w: f64) {
        self.count += 1;
        if w <= 0.0 {
            self.zero += 1;
        } else {
            self.bins[Self::bin(w)] += 1;
        }
    }

    /// Adds another histogram's counts.
    pub fn merge(&mut self, other: &WaitHistogram) {
        self.zero += other.zero;
        self.count += other.count;
        for (a, b) in self.bins.iter_mut().zip(&other.bins) {
            *a += b;
        }
    }

    /// The `q`-quantile (0 < q < 1), linearly interpolated inside its bin;
    /// `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let target = q * self.count as f64;
        let mut cum = self.zero as f64;
        if cum >= target {
            return Some(0.0);
        }
        for (i, &n) in self.bins.iter().enumerate() {
            if n == 0 {
                continue;
            }
            if cum + n as f64 >= target {
                let (lo, hi) = Self::bounds(i);
                return Some(lo + (hi - lo) * (target - cum) / n as f64);
            }
            cum += n as f64;
        }
        Some(Self::bounds(self.bins.len() - 1).1)
    }
}

/// Counters of one population of contacts (a queue, a channel, a type, all).
#[derive(Clone, Debug, Default)]
pub struct Block {
    /// Counted arrivals.
    pub offered: u64,
    /// Answered.
    pub answered: u64,
    /// Abandoned.
    pub abandoned: u64,
    /// Refused by a full or closed queue.
    pub refused: u64,
    /// Cancelled by an exception rule.
    pub cancelled: u64,
    /// Callbacks whose calls all went unanswered.
    pub callbacks_failed: u64,
    /// Answered within the service-level threshold.
    pub answered_in_sl: u64,
    /// Answered or abandoned after a positive wait.
    pub waited: u64,
    /// Sum of the waits of answered contacts.
    pub wait_answered: f64,
    /// Sum of the waits of answered and abandoned contacts.
    pub wait_all: f64,
    /// Waits of answered and abandoned contacts.
    pub hist: WaitHistogram,
}

impl Block {
    /// A contact was answered after `wait` seconds.
    #[inline]
    pub fn answered(&mut self, wait: f64, in_sl: bool) {
        self.answered += 1;
        self.answered_in_sl += u64::from(in_sl);
        self.waited += u64::from(wait > 0.0);
        self.wait_answered += wait;
        self.wait_all += wait;
        self.hist.add(wait);
    }

    /// A contact abandoned after `wait` seconds.
    #[inline]
    pub fn abandoned(&mut self, wait: f64) {
        self.abandoned += 1;
        self.waited += u64::from(wait > 0.0);
        self.wait_all += wait;
        self.hist.add(wait);
    }

    /// Adds another block's counts (a queue's block is the merge of its
    /// contact types').
    pub fn merge(&mut self, o: &Block) {
        self.offered += o.offered;
        self.answered += o.answered;
        self.abandoned += o.abandoned;
        self.refused += o.refused;
        self.cancelled += o.cancelled;
        self.callbacks_failed += o.callbacks_failed;
        self.answered_in_sl += o.answered_in_sl;
        self.waited += o.waited;
        self.wait_answered += o.wait_answered;
        self.wait_all += o.wait_all;
        self.hist.merge(&o.hist);
    }

    /// The figures of this block; `unfinished` contacts were still waiting
    /// at the end, `unfinished_late` of them past the threshold.
    pub fn metrics(&self, name: &str, unfinished: u64, unfinished_late: u64) -> Metrics {
        let ended = self.answered + self.abandoned;
        let ratio = |a: f64, b: u64| (b > 0).then(|| a / b as f64);
        Metrics {
            name: name.to_owned(),
            offered: self.offered,
            answered: self.answered,
            abandoned: self.abandoned,
            refused: self.refused,
            cancelled: self.cancelled,
            callbacks_failed: self.callbacks_failed,
            unfinished,
            unfinished_late,
            answered_in_sl: self.answered_in_sl,
            service_level: ratio(self.answered_in_sl as f64, ended + unfinished_late),
            abandon_rate: ratio(self.abandoned as f64, ended),
            p_wait: ratio(self.waited as f64, ended),
            asa: ratio(self.wait_answered, self.answered),
            mean_wait: ratio(self.wait_all, ended),
            wait_p90: self.hist.quantile(0.9),
        }
    }
}

/// The figures of one population of contacts in one replication.
///
/// Service level counts every contact whose outcome against the threshold
/// is known: answered within it over answered, abandoned and still waiting
/// past it when the simulation ended (as ContactCenters and the Erlang
/// formulas count them), so contacts nobody serves lower it. Abandon rate
/// and waits are over the contacts that ended their wait (answered or
/// abandoned); refused and unfinished ones are counted apart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Queue, channel or type name (`"all"` for the total).
    pub name: String,
    /// Contacts that arrived in the measured window.
    pub offered: u64,
    /// Of those, answered.
    pub answered: u64,
    /// Of those, abandoned.
    pub abandoned: u64,
    /// Of those, refused by a full queue or a closed one.
    pub refused: u64,
    /// Of those, cancelled by an exception rule of their queue.
    #[serde(default)]
    pub cancelled: u64,
    /// Of those, callbacks whose calls all went unanswered.
    pub callbacks_failed: u64,
    /// Of those, still waiting when the simulation ended (no agent left).
    pub unfinished: u64,
    /// Of the unfinished, those that had waited past the service-level
    /// threshold by the end of the horizon (they count against it).
    pub unfinished_late: u64,
    /// Answered within the queue's service-level threshold.
    pub answered_in_sl: u64,
    /// answered within threshold / (answered + abandoned + unfinished_late).
    pub service_level: Option<f64>,
    /// abandoned / (answered + abandoned).
    pub abandon_rate: Option<f64>,
    /// Share of answered + abandoned contacts that waited at all.
    pub p_wait: Option<f64>,
    /// Average speed of answer: mean wait of answered contacts.
    pub asa: Option<f64>,
    /// Mean time in queue of answered and abandoned contacts.
    pub mean_wait: Option<f64>,
    /// 90th percentile of the time in queue of answered and abandoned contacts.
    pub wait_p90: Option<f64>,
}

/// Load figures of one agent group in one replication (over the measured
/// window `[warmup, duration]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupMetrics {
    /// Group name.
    pub name: String,
    /// Agents in the group.
    pub agents: u32,
    /// Agent-seconds on shift in the window.
    pub staffed_time: f64,
    /// Capacity units in use over capacity units on shift (for voice-only
    /// agents: the share of their shift spent on contacts, wrap-up included).
    pub occupancy: Option<f64>,
    /// Per channel: units used on that channel over units on shift.
    pub utilisation: Vec<(String, Option<f64>)>,
    /// Contacts completed in the window, per agent (fairness).
    pub handled: Vec<u64>,
    /// Mean of `handled`.
    pub handled_mean: f64,
    /// Coefficient of variation of `handled` (0 = perfectly even).
    pub handled_cv: f64,
}

/// Per-interval series of one queue (or of all), by interval of arrival.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Queue name (`"all"` for the total).
    pub name: String,
    /// Arrivals.
    pub offered: Vec<u64>,
    /// Answered.
    pub answered: Vec<u64>,
    /// Abandoned.
    pub abandoned: Vec<u64>,
    /// Answered within the threshold.
    pub answered_in_sl: Vec<u64>,
    /// Still waiting past the threshold when the simulation ended.
    pub unfinished_late: Vec<u64>,
    /// Service level per interval (the definition of [`Metrics::service_level`]).
    pub service_level: Vec<Option<f64>>,
    /// ASA per interval.
    pub asa: Vec<Option<f64>>,
    #[serde(skip)]
    wait_sum: Vec<f64>,
}

impl Series {
    /// Empty series over `n` intervals.
    pub fn new(name: &str, n: usize) -> Self {
        Series {
            name: name.to_owned(),
            offered: vec![0; n],
            answered: vec![0; n],
            abandoned: vec![0; n],
            answered_in_sl: vec![0; n],
            unfinished_late: vec![0; n],
            service_level: Vec::new(),
            asa: Vec::new(),
            wait_sum: vec![0.0; n],
        }
    }

    /// A contact answered after `wait`, arrived in interval `i`.
    #[inline]
    pub fn answered(&mut self, i: usize, wait: f64, in_sl: bool) {
        self.answered[i] += 1;
        self.answered_in_sl[i] += u64::from(in_sl);
        self.wait_sum[i] += wait;
    }

    /// Adds another series' counts (same intervals).
    pub fn merge(&mut self, o: &Series) {
        let add = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.offered, &o.offered);
        add(&mut self.answered, &o.answered);
        add(&mut self.abandoned, &o.abandoned);
        add(&mut self.answered_in_sl, &o.answered_in_sl);
        add(&mut self.unfinished_late, &o.unfinished_late);
        self.wait_sum.iter_mut().zip(&o.wait_sum).for_each(|(x, y)| *x += y);
    }

    /// Fills the derived series.
    pub fn finish(&mut self) {
        let n = self.offered.len();
        self.service_level = (0..n)
            .map(|i| {
                let ended = self.answered[i] + self.abandoned[i] + self.unfinished_late[i];
                (ended > 0).then(|| self.answered_in_sl[i] as f64 / ended as f64)
            })
            .collect();
        self.asa = (0..n)
            .map(|i| (self.answered[i] > 0).then(|| self.wait_sum[i] / self.answered[i] as f64))
            .collect();
    }
}

/// The callbacks of one queue in one replication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CallbackMetrics {
    /// Queue name.
    pub name: String,
    /// Callers who chose a callback.
    pub requested: u64,
    /// Calls agents placed for them.
    pub calls: u64,
    /// Callbacks connected (a call answered).
    pub connected: u64,
    /// Callbacks whose calls all went unanswered.
    pub failed: u64,
}

/// Everything one replication measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Replication {
    /// Policy name.
    pub policy: String,
    /// Replication number.
    pub replication: u32,
    /// The seed its streams derive from.
    pub seed: u64,
    /// Per queue (by queue of arrival; overflowed contacts stay with it).
    pub queues: Vec<Metrics>,
    /// Per channel.
    pub channels: Vec<Metrics>,
    /// Per contact type (the contact's first wait).
    pub types: Vec<Metrics>,
    /// Per queue: the waits of contacts transferred into it (`offered`:
    /// transfers in; their answers, abandons and waits there). The
    /// per-queue, per-channel and per-type figures count each contact's
    /// first wait only, so no contact is counted twice in them.
    pub transfers: Vec<Metrics>,
    /// All contacts.
    pub total: Metrics,
    /// Per queue: its callbacks (of counted contacts).
    pub callbacks: Vec<CallbackMetrics>,
    /// Per agent group.
    pub groups: Vec<GroupMetrics>,
    /// Interval length of the series.
    pub interval: f64,
    /// Per-interval series per queue, then the total (all arrivals, warm-up included).
    pub series: Vec<Series>,
    /// Contacts simulated (warm-up included).
    pub contacts: u64,
    /// Most contacts alive at once (the simulator's memory is proportional
    /// to this, not to `contacts`).
    pub live_peak: u64,
    /// Routing decisions the router made.
    pub decisions: u64,
    /// Decisions in which a plug-in policy failed and the fallback decided.
    pub policy_errors: u64,
    /// Simulated time at which the run ended (after draining).
    pub end_time: f64,
}

impl Replication {
    /// The replication as JSON (absent figures are `null`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("replication results always serialise")
    }
}
