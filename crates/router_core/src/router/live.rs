//! The contacts of a queue that are still waiting for an answer (waiting
//! or offered), for the queue's size and its longest wait.
//!
//! Contacts usually enter a queue in arrival order and leave it in about
//! that order, so most live in a FIFO ring (sorted by construction); one
//! arriving out of order (an overflowed contact keeps its early arrival)
//! goes to a min-heap instead. The oldest is the smaller of the two fronts.
//! Removal is lazy: removing a contact that is at neither front only marks
//! it, and marked entries are dropped when they reach a front, or all at
//! once when they outnumber the live ones. A contact that enters a queue
//! again (a transfer back) while its old entry is still marked has that
//! entry dropped first, so that a mark always names one entry. Every operation is O(1)
//! amortised or O(log n) with no per-entry node, and memory stays within
//! twice the live size.

use crate::types::{OrdF64, Time};
use rustc_hash::FxHashSet;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Live contacts of one queue by arrival.
#[derive(Debug, Default)]
pub(super) struct LiveSet {
    /// Entries that arrived in order, ascending.
    fifo: VecDeque<(OrdF64, u64)>,
    /// Entries that arrived out of order.
    heap: BinaryHeap<Reverse<(OrdF64, u64)>>,
    removed: FxHashSet<u64>,
    len: usize,
}

impl LiveSet {
    /// Adds a contact (arrival time, sequence number).
    #[inline]
    pub fn insert(&mut self, arrival: Time, seq: u64) {
        if !self.removed.is_empty() && self.removed.contains(&seq) {
            self.purge(seq);
        }
        let e = (OrdF64(arrival), seq);
        if self.fifo.back().is_none_or(|b| *b < e) {
            self.fifo.push_back(e);
        } else {
            self.heap.push(Reverse(e));
        }
        self.len += 1;
    }

    /// Removes a contact that is in the set.
    #[inline]
    pub fn remove(&mut self, arrival: Time, seq: u64) {
        self.len -= 1;
        let e = (OrdF64(arrival), seq);
        if self.fifo.front() == Some(&e) {
            self.fifo.pop_front();
        } else if self.heap.peek() == Some(&Reverse(e)) {
            self.heap.pop();
        } else {
            self.removed.insert(seq);
        }
        if !self.removed.is_empty() {
            self.drop_marked();
        }
    }

    /// Drops marked entries that reached a front; compacts when they pile up.
    #[inline(never)]
    fn drop_marked(&mut self) {
        while let Some((_, s)) = self.fifo.front() {
            if !self.removed.remove(s) {
                break;
            }
            self.fifo.pop_front();
        }
        while let Some(Reverse((_, s))) = self.heap.peek() {
            if !self.removed.remove(s) {
                break;
            }
            self.heap.pop();
        }
        if self.fifo.len() + self.heap.len() > 2 * self.len + 64 {
            let removed = std::mem::take(&mut self.removed);
            self.fifo.retain(|(_, s)| !removed.contains(s));
            self.heap.retain(|Reverse((_, s))| !removed.contains(s));
        }
    }

    /// Drops the marked (dead) entry of `seq` now.
    #[cold]
    fn purge(&mut self, seq: u64) {
        self.removed.remove(&seq);
        self.fifo.retain(|(_, s)| *s != seq);
        self.heap.retain(|Reverse((_, s))| *s != seq);
    }

    /// Number of live contacts.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The live contacts, sorted (a canonical form for snapshots).
    pub fn entries(&self) -> Vec<(Time, u64)> {
        let mut v: Vec<(OrdF64, u64)> = self
            .fifo
            .iter()
            .copied()
            .chain(self.heap.iter().map(|Reverse(e)| *e))
            .filter(|(_, s)| !self.removed.contains(s))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(a, s)| (a.0, s)).collect()
    }

    /// A set holding exactly `entries`.
    pub fn from_entries(entries: &[(Time, u64)]) -> Self {
        let mut set = LiveSet::default();
        for &(a, s) in entries {
            set.insert(a, s);
        }
        set
    }

    /// Arrival time of the oldest live contact.
    pub fn oldest(&self) -> Option<Time> {
        let f = self.fifo.front().map(|(a, _)| *a);
        let h = self.heap.peek().map(|Reverse((a, _))| *a);
        match (f, h) {
            (Some(f), Some(h)) => Some(f.min(h).0),
            (f, h) => f.or(h).map(|a| a.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::LiveSet;

    #[test]
    fn tracks_oldest_through_out_of_order_removals() {
        let mut s = LiveSet::default();
        for i in 0..10u64 {
            s.insert(i as f64, i);
        }
        s.remove(5.0, 5);
        s.remove(0.0, 0);
        assert_eq!(s.oldest(), Some(1.0));
        s.remove(1.0, 1);
        s.remove(2.0, 2);
        s.remove(4.0, 4);
        assert_eq!(s.oldest(), Some(3.0));
        s.remove(3.0, 3);
        assert_eq!(s.oldest(), Some(6.0));
        assert_eq!(s.len(), 4);
        s.insert(0.5, 11); // an overflowed contact keeps its early arrival
        assert_eq!(s.oldest(), Some(0.5));
    }

    #[test]
    fn compacts_when_marked_entries_pile_up() {
        let mut s = LiveSet::default();
        s.insert(0.0, 0); // a contact that waits for ever
        for i in 1..10_000u64 {
            s.insert(i as f64, i);
            s.remove(i as f64, i);
        }
        assert_eq!(s.len(), 1);
        assert!(s.fifo.len() + s.heap.len() <= 2 * s.len + 64);
        assert_eq!(s.oldest(), Some(0.0));
    }
}
