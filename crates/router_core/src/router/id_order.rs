//! [`IdOrder`]: ranks that order agents as their ids do.
//!
//! Ready agents with the same policy key and idle time are ordered by id.
//! Comparing ids compares text; a ready-group key carries instead the
//! agent's rank, a `u64` given so that ranks order exactly as the ids of
//! the live agents do. A new agent takes the middle of the gap between its
//! neighbours' ranks; when there is no gap left, every agent is ranked
//! afresh (rare: gaps start at 2^32).

use crate::types::Id;
use std::collections::BTreeMap;
use std::ops::Bound;

/// Distance between consecutive ranks after a renumbering.
const STEP: u64 = 1 << 32;

/// Live agent ids in order, with their ranks.
#[derive(Debug, Default)]
pub(super) struct IdOrder {
    ranks: BTreeMap<Id, u64>,
}

impl IdOrder {
    /// Enters a new id. Returns its rank, or `None` when its neighbours
    /// leave no room: then [`IdOrder::renumber`] must be called before any
    /// rank is read.
    pub fn insert(&mut self, id: &Id) -> Option<u64> {
        let key: &str = id.as_str();
        let lo = self
            .ranks
            .range::<str, _>((Bound::Unbounded, Bound::Excluded(key)))
            .next_back()
            .map_or(0, |(_, &r)| r);
        let hi = self
            .ranks
            .range::<str, _>((Bound::Excluded(key), Bound::Unbounded))
            .next()
            .map(|(_, &r)| r);
        let rank = match hi {
            None => lo.checked_add(STEP),
            Some(hi) if hi - lo >= 2 => Some(lo + (hi - lo) / 2),
            Some(_) => None,
        };
        self.ranks.insert(id.clone(), rank.unwrap_or(0));
        rank
    }

    /// Forgets an id.
    pub fn remove(&mut self, id: &str) {
        self.ranks.remove(id);
    }

    /// The rank of a live id.
    pub fn rank(&self, id: &str) -> u64 {
        self.ranks[id]
    }

    /// Spreads the ranks evenly, in id order.
    pub fn renumber(&mut self) {
        for (i, r) in self.ranks.values_mut().enumerate() {
            *r = (i as u64 + 1) * STEP;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn ranks_order_as_ids_through_inserts_removals_and_renumbering() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let mut order = IdOrder::default();
        let mut renumbered = 0;
        assert!(order.insert(&Id::from("b")).is_some());
        for step in 0..3000 {
            // "a", "az", "azz", ... each falls between the last one and "b",
            // halving the gap there until none is left.
            let id: Id = if step % 3 == 0 {
                format!("a{}", "z".repeat(step / 3 % 60))
            } else {
                format!("{}", rng.gen_range(0..500))
            }
            .as_str()
            .into();
            if order.ranks.contains_key(id.as_str()) {
                order.remove(id.as_str());
                continue;
            }
            if order.insert(&id).is_none() {
                order.renumber();
                renumbered += 1;
            }
            let ranks: Vec<u64> = order.ranks.values().copied().collect();
            assert!(ranks.windows(2).all(|w| w[0] < w[1]), "ranks out of id order at step {step}");
        }
        assert!(renumbered > 0, "the test must exhaust a gap");
    }

    #[test]
    fn tied_agents_are_picked_in_id_order_after_renumbering() {
        use crate::event::Event;
        use crate::model::{AgentSpec, ChannelConfig, ContactSpec, QueueConfig, RouterConfig};
        let mut r = crate::router::Router::new(RouterConfig::new(
            vec![ChannelConfig::new("voice", 100, 1)],
            vec![QueueConfig::new("q")],
        ))
        .unwrap();
        // Forty agents crowding between "a" and "b" (more than the gaps
        // allow), all idle since 0: ties broken by id alone.
        let mut ids: Vec<String> = vec!["b".into(), "0".into()];
        ids.extend((0..40).map(|k| format!("a{}", "z".repeat(k))));
        for id in &ids {
            r.add_agent(&AgentSpec::new(id, &[]), 0.0, Vec::new()).unwrap();
        }
        r.check_invariants().unwrap();
        let mut picked = Vec::new();
        for i in 0..ids.len() {
            for e in
                r.submit(&ContactSpec::new(format!("c{i}"), "voice", "q"), 1.0, Vec::new()).unwrap()
            {
                if let Event::Assigned { agent, .. } = e {
                    picked.push(agent.to_string());
                }
            }
        }
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(picked, sorted);
        let restored = crate::router::Router::restore(&r.snapshot()).unwrap();
        assert_eq!(restored.snapshot(), r.snapshot());
    }
}
