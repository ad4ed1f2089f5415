//! [`OrderedSet`]: the sorted set behind ready-agent groups and wait groups.
//!
//! Both kinds of group are mostly used at their ends: a contact joins its
//! wait group behind the others and leaves from the front; an agent who
//! frees a slot is the newest idle one (longest idle puts it last) and the
//! head is the one picked. A sorted ring buffer does these in O(1) and is
//! far cheaper than a B-tree for the few entries a group usually holds; a
//! removal from the middle (abandonment, an agent going away) shifts at most
//! half of it. A group that grows past [`SMALL_MAX`] entries becomes a
//! B-tree, so that no operation costs more than O(log n) plus a bounded
//! shift, and becomes a ring again once it shrinks below [`SMALL_MIN`].
//! The order, and so every decision, is the same in either form.

use std::collections::{btree_set, vec_deque, BTreeSet, VecDeque};

/// Most entries kept in the ring form.
pub const SMALL_MAX: usize = 128;
/// A B-tree that shrinks below this many entries goes back to a ring.
pub const SMALL_MIN: usize = 32;

/// A set of unique keys in ascending order.
#[derive(Clone, Debug)]
pub enum OrderedSet<K> {
    /// Sorted ring buffer.
    Small(VecDeque<K>),
    /// B-tree, for large groups.
    Large(BTreeSet<K>),
}

impl<K> Default for OrderedSet<K> {
    fn default() -> Self {
        OrderedSet::Small(VecDeque::new())
    }
}

impl<K: Ord + Clone> OrderedSet<K> {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of keys.
    #[inline]
    pub fn len(&self) -> usize {
        match self {
            OrderedSet::Small(v) => v.len(),
            OrderedSet::Large(t) => t.len(),
        }
    }

    /// Whether the set is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The smallest key.
    #[inline]
    pub fn first(&self) -> Option<&K> {
        match self {
            OrderedSet::Small(v) => v.front(),
            OrderedSet::Large(t) => t.first(),
        }
    }

    /// Whether `k` is in the set.
    pub fn contains(&self, k: &K) -> bool {
        match self {
            OrderedSet::Small(v) => v.binary_search(k).is_ok(),
            OrderedSet::Large(t) => t.contains(k),
        }
    }

    /// Adds `k`; false if it was there already.
    #[inline]
    pub fn insert(&mut self, k: K) -> bool {
        match self {
            OrderedSet::Small(v) => {
                match v.back() {
                    None => v.push_back(k),
                    Some(b) if *b < k => v.push_back(k),
                    Some(_) => match v.binary_search(&k) {
                        Ok(_) => return false,
                        Err(0) => v.push_front(k),
                        Err(i) => v.insert(i, k),
                    },
                }
                if v.len() > SMALL_MAX {
                    let tree = v.drain(..).collect();
                    *self = OrderedSet::Large(tree);
                }
                true
            }
            OrderedSet::Large(t) => t.insert(k),
        }
    }

    /// Removes `k`; false if it was not there.
    #[inline]
    pub fn remove(&mut self, k: &K) -> bool {
        match self {
            OrderedSet::Small(v) => {
                if v.front() == Some(k) {
                    v.pop_front();
                    return true;
                }
                match v.binary_search(k) {
                    Ok(i) => {
                        v.remove(i);
                        true
                    }
                    Err(_) => false,
                }
            }
            OrderedSet::Large(t) => {
                let removed = t.remove(k);
                if t.len() < SMALL_MIN {
                    let ring = std::mem::take(t).into_iter().collect();
                    *self = OrderedSet::Small(ring);
                }
                removed
            }
        }
    }

    /// The keys in ascending order.
    pub fn iter(&self) -> Iter<'_, K> {
        match self {
            OrderedSet::Small(v) => Iter::Small(v.iter()),
            OrderedSet::Large(t) => Iter::Large(t.iter()),
        }
    }
}

/// Iterator over an [`OrderedSet`], ascending.
pub enum Iter<'a, K> {
    /// Over the ring.
    Small(vec_deque::Iter<'a, K>),
    /// Over the tree.
    Large(btree_set::Iter<'a, K>),
}

impl<'a, K> Iterator for Iter<'a, K> {
    type Item = &'a K;

    #[inline]
    fn next(&mut self) -> Option<&'a K> {
        match self {
            Iter::Small(i) => i.next(),
            Iter::Large(i) => i.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Small(i) => i.size_hint(),
            Iter::Large(i) => i.size_hint(),
        }
    }
}

impl<'a, K: Ord + Clone> IntoIterator for &'a OrderedSet<K> {
    type Item = &'a K;
    type IntoIter = Iter<'a, K>;

    fn into_iter(self) -> Iter<'a, K> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn behaves_as_a_btree_set_through_growth_and_shrinkage() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut set = OrderedSet::new();
        let mut model = BTreeSet::new();
        let mut was_large = false;
        for step in 0..20_000u32 {
            // Drift the size up, then down, through both forms.
            let grow = if step < 10_000 { 0.7 } else { 0.3 };
            let k: u32 = if rng.gen_bool(0.5) { step } else { rng.gen_range(0..step + 1) };
            if rng.gen_bool(grow) {
                assert_eq!(set.insert(k), model.insert(k));
            } else {
                let victim =
                    if rng.gen_bool(0.5) { model.first().copied().unwrap_or(k) } else { k };
                assert_eq!(set.remove(&victim), model.remove(&victim));
            }
            was_large |= matches!(set, OrderedSet::Large(_));
            assert_eq!(set.len(), model.len());
            assert_eq!(set.first(), model.first());
            assert_eq!(set.contains(&k), model.contains(&k));
            if step % 97 == 0 {
                assert!(set.iter().eq(model.iter()));
            }
        }
        assert!(was_large, "the test must reach the tree form");
        assert!(matches!(set, OrderedSet::Small(_)) || set.len() >= SMALL_MIN);
    }
}
