//! Arrival processes: Poisson with a constant rate, Poisson with a rate
//! constant per interval (a day's profile), and a replayed trace.

use super::dist::exponential;
use super::scenario::Arrivals;
use rand_chacha::ChaCha8Rng;

/// Where an arrival process is: the time of the last arrival and, for a
/// trace, the row it came from.
#[derive(Clone, Debug)]
pub enum ArrivalState {
    /// Constant rate (per second).
    Poisson {
        /// Rate per second.
        rate: f64,
        /// Last arrival.
        t: f64,
    },
    /// Piecewise-constant rate.
    Piecewise {
        /// Interval length.
        interval: f64,
        /// Rate per second in each interval.
        rates: Vec<f64>,
        /// Last arrival.
        t: f64,
        /// Index of the interval `t` is in (kept apart from `t / interval`
        /// so that rounding can never make the process step backwards).
        k: usize,
    },
    /// A trace.
    Trace {
        /// Arrival times.
        times: Vec<f64>,
        /// Next row to replay.
        next: usize,
    },
}

impl ArrivalState {
    /// The process at time 0.
    pub fn new(a: &Arrivals) -> Self {
        match a {
            Arrivals::Poisson { rate } => ArrivalState::Poisson { rate: *rate, t: 0.0 },
            Arrivals::Piecewise { interval, rates } => {
                ArrivalState::Piecewise { interval: *interval, rates: rates.clone(), t: 0.0, k: 0 }
            }
            Arrivals::Trace { times, .. } => ArrivalState::Trace { times: times.clone(), next: 0 },
        }
    }

    /// The next arrival time, or `None` when the process has ended.
    pub fn next(&mut self, rng: &mut ChaCha8Rng) -> Option<f64> {
        match self {
            ArrivalState::Poisson { rate, t } => {
                if *rate <= 0.0 {
                    return None;
                }
                *t += exponential(rng, 1.0 / *rate);
                Some(*t)
            }
            ArrivalState::Piecewise { interval, rates, t, k } => {
                // Memoryless: a draw that overshoots the interval's end is
                // discarded and drawing restarts at the end at the next rate.
                loop {
                    let r = *rates.get(*k)?;
                    let end = (*k + 1) as f64 * *interval;
                    if r > 0.0 {
                        let cand = *t + exponential(rng, 1.0 / r);
                        if cand < end {
                            *t = cand;
                            return Some(cand);
                        }
                    }
                    *t = end;
                    *k += 1;
                }
            }
            ArrivalState::Trace { times, next } => {
                let t = times.get(*next).copied();
                *next += 1;
                t
            }
        }
    }

    /// For a trace, the row of the arrival last returned by [`next`](Self::next)
    /// and already fired (the next one has been drawn since).
    pub fn row(&self) -> Option<usize> {
        match self {
            ArrivalState::Trace { next, .. } => Some(next - 1),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::dist::{stream, Purpose};

    #[test]
    fn piecewise_counts_follow_the_profile() {
        let a = Arrivals::Piecewise { interval: 100.0, rates: vec![1.0, 0.0, 3.0] };
        let mut s = ArrivalState::new(&a);
        let mut rng = stream(3, Purpose::Arrivals, 0);
        let mut counts = [0usize; 3];
        let mut reps = 0;
        while reps < 200 {
            match s.next(&mut rng) {
                Some(t) => counts[(t / 100.0) as usize] += 1,
                None => {
                    reps += 1;
                    s = ArrivalState::new(&a);
                }
            }
        }
        let per = |i: usize| counts[i] as f64 / 200.0;
        assert!((per(0) - 100.0).abs() < 3.0, "{counts:?}");
        assert_eq!(counts[1], 0);
        assert!((per(2) - 300.0).abs() < 6.0, "{counts:?}");
    }

    #[test]
    fn trace_replays_rows_in_order() {
        let a = Arrivals::Trace {
            times: vec![1.0, 2.5],
            handle_times: None,
            patience: None,
            priorities: None,
        };
        let mut s = ArrivalState::new(&a);
        let mut rng = stream(3, Purpose::Arrivals, 0);
        assert_eq!(s.next(&mut rng), Some(1.0));
        assert_eq!(s.next(&mut rng), Some(2.5));
        assert_eq!(s.next(&mut rng), None);
    }
}
