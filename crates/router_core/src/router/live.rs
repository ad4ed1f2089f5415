//! The contacts of a queue that are still waiting for an answer (waiting
//! or offered), for the queue's size and its longest wait.
//!
//! A min-heap on (arrival, sequence) with lazy deletion: removing a contact
//! that is not the oldest only marks it, and marked entries are dropped when
//! they reach the top, or all at once when they outnumber the live ones.
//! Every operation is O(1) amortised or O(log n) with no per-entry node, and
//! memory stays within twice the live size.

use crate::types::{OrdF64, Time};
use rustc_hash::FxHashSet;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Live contacts of one queue by arrival.
#[derive(Debug, Default)]
pub(super) struct LiveSet {
    heap: BinaryHeap<Reverse<(OrdF64, u64)>>,
    removed: FxHashSet<u64>,
    len: usize,
}

impl LiveSet {
    /// Adds a contact (arrival time, sequence number).
    pub fn insert(&mut self, arrival: Time, seq: u64) {
        self.heap.push(Reverse((OrdF64(arrival), seq)));
        self.len += 1;
    }

    /// Removes a contact that is in the set.
    pub fn remove(&mut self, arrival: Time, seq: u64) {
        self.len -= 1;
        if self.heap.peek() == Some(&Reverse((OrdF64(arrival), seq))) {
            self.heap.pop();
            if self.removed.is_empty() {
                return; // nothing marked can have reached the top
            }
        } else {
            self.removed.insert(seq);
        }
        while let Some(Reverse((_, s))) = self.heap.peek() {
            if !self.removed.remove(s) {
                break;
            }
            self.heap.pop();
        }
        if self.heap.len() > 2 * self.len + 64 {
            let removed = std::mem::take(&mut self.removed);
            self.heap.retain(|Reverse((_, s))| !removed.contains(s));
        }
    }

    /// Number of live contacts.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The live contacts, sorted (a canonical form for snapshots).
    pub fn entries(&self) -> Vec<(Time, u64)> {
        let mut v: Vec<(OrdF64, u64)> =
            self.heap.iter().map(|Reverse(e)| *e).filter(|(_, s)| !self.removed.contains(s)).collect();
        v.sort_unstable();
        v.into_iter().map(|(a, s)| (a.0, s)).collect()
    }

    /// A set holding exactly `entries`.
    pub fn from_entries(entries: &[(Time, u64)]) -> Self {
        LiveSet {
            heap: entries.iter().map(|&(a, s)| Reverse((OrdF64(a), s))).collect(),
            removed: FxHashSet::default(),
            len: entries.len(),
        }
    }

    /// Arrival time of the oldest live contact.
    pub fn oldest(&self) -> Option<Time> {
        self.heap.peek().map(|Reverse((a, _))| a.0)
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
        assert!(s.heap.len() <= 2 * s.len + 64);
        assert_eq!(s.oldest(), Some(0.0));
    }
}
