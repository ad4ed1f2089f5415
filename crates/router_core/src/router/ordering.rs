//! Queue-side models: how a queue orders its waiting contacts, and how the
//! next contacts of different queues compare for an agent with room.
//!
//! Within a wait group (one queue) the order never changes while contacts
//! wait, so a group is a sorted set and only its head matters:
//! * `Priority` stores `rate × arrival − priority`: with one aging rate per
//!   queue, effective priority `priority + rate × wait` keeps the order.
//!   With a cap (`aging_max`), a contact that reaches the cap moves (by a
//!   timer) to the group's capped tier, ordered by arrival, ahead of the
//!   contacts still rising.
//! * `Lifo` stores `−priority`, then the newest first.
//! * `GreatestNeed` is FIFO within the queue.
//!
//! Across queues an agent compares group heads by [`ContactRank`]: its
//! routing profile's priority for the queue, then effective priority, then
//! the need: wait (in seconds, or as a share of the queue's service-level
//! threshold for greatest-need queues), then submission order.

use super::index::WaitKey;
use crate::model::{Ordering, QueueConfig};
use crate::types::{OrdF64, Time};

/// Order of a candidate contact for an agent; smaller is served first:
/// (−queue priority of the agent's routing profile, −effective priority,
/// −need, submission sequence).
pub(crate) type ContactRank = (OrdF64, OrdF64, OrdF64, u64);

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

    /// Whether a contact has reached the cap at `now`.
    pub fn capped(&self, priority: i64, arrival: Time, now: Time) -> bool {
        self.max.is_some_and(|m| self.rate * (now - arrival) + priority as f64 >= m)
    }

    /// When a rising contact reaches the cap, if it ever does.
    pub fn cap_time(&self, priority: i64, arrival: Time) -> Option<Time> {
        let m = self.max?;
        (self.rate > 0.0).then(|| arrival + (m - priority as f64) / self.rate)
    }

    /// The group key of a contact.
    pub fn key(&self, priority: i64, arrival: Time, seq: u64, idx: u32, capped: bool, excludes: bool) -> WaitKey {
        let (tier, rank, order, tie) = if capped {
            (0, 0.0, arrival, seq)
        } else if self.lifo {
            (1, -(priority as f64), -arrival, u64::MAX - seq)
        } else {
            (1, self.rate * arrival - priority as f64, arrival, seq)
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
            self.max.expect("capped contacts only exist under a cap")
        } else if self.lifo {
            -key.rank.0
        } else {
            let e = self.rate * now - key.rank.0;
            self.max.map_or(e, |m| e.min(m))
        };
        (
            OrdF64(-(qprio as f64)),
            OrdF64(-eff),
            OrdF64(-(now - self.arrival(key)) * self.need_scale),
            self.seq(key),
        )
    }
}
