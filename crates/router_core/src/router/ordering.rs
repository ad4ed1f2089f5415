//! Queue-side models: how a queue orders its waiting contacts, and how the
//! next contacts of different queues compare for an agent with room.
//!
//! Within a wait group (one queue) the order never changes while contacts
//! wait, so a group is a sorted set and only its head matters:
//! * `Priority` stores `rate × arrival − priority`: with one aging rate per
//!   queue, effective priority `priority + rate × wait` keeps the order.
//!   With a cap (`aging_max`) on what aging adds, a contact whose aging
//!   term reaches the cap (a timer fires at `arrival + aging_max / rate`)
//!   moves to a wait group of its own kind, the capped group of its
//!   (queue, channel, signature), where its effective priority is fixed at
//!   `priority + aging_max`: ordered by priority, then arrival. The capped
//!   and the rising groups of a queue then compete by [`ContactRank`] like
//!   any two groups.
//! * `Lifo` stores `−priority`, then the newest first.
//! * `GreatestNeed` is FIFO within the queue.
//!
//! Across groups an agent compares group heads by [`ContactRank`]: its
//! routing profile's priority for the queue, then effective priority, then
//! the need: wait (in seconds, or as a share of the queue's service-level
//! threshold for greatest-need queues), then submission order. A LIFO
//! queue's groups first compete among themselves newest first (see
//! [`QueueOrder::lifo_rank`]); the winner then competes with other queues'
//! heads by its own wait.

use super::index::WaitKey;
use crate::model::{Ordering, QueueConfig};
use crate::types::{OrdF64, Time};

/// Order of a candidate contact for an agent; smaller is served first:
/// (−queue priority of the agent's routing profile, −effective priority,
/// −need, submission sequence).
pub(crate) type ContactRank = (OrdF64, OrdF64, OrdF64, u64);

/// Rounds an aging rank to a grid of 2^-30 priority points. With a decimal
/// rate (0.1, or 1 / virtual_wait), two contacts whose effective
/// priorities are equal would otherwise differ by a rounding error, in
/// either direction; on the grid they tie, and the longer wait goes first
/// as documented. Rounding to a grid is monotone, so it never inverts two
/// ranks that differ by more than the grid. Scaling by a power of two is
/// exact.
#[inline]
fn snap(rank: f64) -> f64 {
    const GRID: f64 = (1u64 << 30) as f64;
    (rank * GRID).round() / GRID
}

/// The ordering parameters of one queue, copied next to each group head.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct QueueOrder {
    pub rate: f64,
    pub max: Option<f64>,
    pub lifo: bool,
    /// Need per second waited: 1, or 1 / threshold for greatest need.
    pub need_scale: f64,
}

impl QueueOrder {
    pub fn of(q: &QueueConfig) -> Self {
        QueueOrder {
            rate: if q.ordering == Ordering::Lifo { 0.0 } else { q.aging_rate },
            max: q.aging_max,
            lifo: q.ordering == Ordering::Lifo,
            need_scale: if q.ordering == Ordering::GreatestNeed && q.sl_threshold > 0.0 {
                1.0 / q.sl_threshold
            } else {
                1.0
            },
        }
    }

    /// Whether a contact's aging term has reached the cap at `now`.
    pub fn capped(&self, arrival: Time, now: Time) -> bool {
        self.cap_time(arrival).is_some_and(|t| now >= t)
    }

    /// When a contact's aging term reaches the cap, if it ever does.
    pub fn cap_time(&self, arrival: Time) -> Option<Time> {
        let m = self.max?;
        (self.rate > 0.0).then(|| arrival + m / self.rate)
    }

    /// The group key of a contact.
    pub fn key(
        &self,
        priority: i64,
        arrival: Time,
        seq: u64,
        idx: u32,
        capped: bool,
        excludes: bool,
    ) -> WaitKey {
        let (tier, rank, order, tie) = if capped {
            (0, -(priority as f64), arrival, seq)
        } else if self.lifo {
            (1, -(priority as f64), -arrival, u64::MAX - seq)
        } else {
            (1, snap(self.rate * arrival - priority as f64), arrival, seq)
        };
        WaitKey { tier, rank: OrdF64(rank), order: OrdF64(order), tie, idx, excludes }
    }

    /// A key's arrival time (kept once, in `order`, to keep keys small).
    pub fn arrival(&self, key: &WaitKey) -> Time {
        if self.lifo && key.tier == 1 {
            -key.order.0
        } else {
            key.order.0
        }
    }

    /// A key's submission sequence number.
    pub fn seq(&self, key: &WaitKey) -> u64 {
        if self.lifo && key.tier == 1 {
            u64::MAX - key.tie
        } else {
            key.tie
        }
    }

    /// The rank of a group's contact for an agent whose routing profile
    /// gives the queue priority `qprio`.
    pub fn rank(&self, key: &WaitKey, now: Time, qprio: i64) -> ContactRank {
        let eff = if key.tier == 0 {
            // Capped: priority + the whole cap. (A queue without a cap has
            // no capped contacts; 0 keeps a stale flag harmless.)
            -key.rank.0 + self.max.unwrap_or(0.0)
        } else if self.lifo {
            -key.rank.0
        } else {
            self.rate * now - key.rank.0
        };
        (
            OrdF64(-(qprio as f64)),
            OrdF64(-eff),
            OrdF64(-(now - self.arrival(key)) * self.need_scale),
            self.seq(key),
        )
    }

    /// How the heads of one LIFO queue's groups compare with each other:
    /// smaller first (routing profile priority, then priority, then the
    /// newest, then the latest submitted). Only the best of them competes
    /// with other queues, by [`QueueOrder::rank`].
    pub fn lifo_rank(&self, key: &WaitKey, qprio: i64) -> ContactRank {
        (OrdF64(-(qprio as f64)), key.rank, key.order, key.tie)
    }
}
