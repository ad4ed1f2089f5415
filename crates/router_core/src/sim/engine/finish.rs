//! The end of a replication: what is still in flight at the horizon is
//! accounted for (contacts waiting or with an agent, staffed time), and the
//! run's counters become its [`Replication`] record. Kept apart from the
//! event loop, which it shares nothing with but the run's state.

use super::*;

impl<S, R> Run<S, R>
where
    S: Deref<Target = Simulation>,
    R: DerefMut<Target = Router>,
{
    pub(in crate::sim) fn finish(mut self, policy: &str, rep: u32) -> Replication {
        let end = self.router.now();
        let horizon = end.max(self.duration);
        for g in 0..self.groups.len() {
            self.integrate(g, horizon);
        }
        // Contacts still with an agent load it up to the end of the window.
        for s in 0..self.slots.len() as u32 {
            let slot = self.slots[s as usize];
            if matches!(slot.state, State::Assigned | State::WrapUp) {
                self.unload(s, horizon);
            }
            if slot.state == State::Calling {
                let x = self.extra[s as usize];
                self.add_load(slot.agent, slot.channel as usize, x.dial_start, horizon);
            }
            if slot.state == State::Waiting && slot.warm_pending {
                let x = self.extra[s as usize];
                self.add_load(x.first_agent, x.first_channel as usize, x.first_start, horizon);
            }
        }
        let sim = self.sim;
        let mut unfinished_q = vec![0u64; sim.queue_names.len()];
        let mut unfinished_c = vec![0u64; sim.channel_names.len()];
        let mut unfinished_t = vec![0u64; sim.types.len()];
        let mut late_q = vec![0u64; sim.queue_names.len()];
        let mut late_c = vec![0u64; sim.channel_names.len()];
        let mut late_t = vec![0u64; sim.types.len()];
        let mut unfinished_tr = vec![0u64; sim.queue_names.len()];
        let mut late_tr = vec![0u64; sim.queue_names.len()];
        for slot in &self.slots {
            // A callback being called is still waiting for an answer.
            if !matches!(slot.state, State::Waiting | State::Calling) {
                continue;
            }
            let info = &sim.types[slot.ty as usize];
            if slot.transferred {
                // Waiting after a transfer: counted with its target queue's
                // transfer waits (from the transfer to the horizon).
                let tq = info.transfer.as_ref().expect("its type transfers").queue;
                if slot.counted_t {
                    unfinished_tr[tq] += 1;
                    late_tr[tq] += u64::from(horizon - slot.start > sim.threshold[tq]);
                }
                continue;
            }
            // Waiting since `start` (its arrival) until the end of the horizon.
            let late = horizon - slot.start > sim.threshold[info.queue];
            if late {
                self.series[slot.ty as usize].unfinished_late[slot.interval as usize] += 1;
            }
            if slot.counted {
                unfinished_q[info.queue] += 1;
                unfinished_c[info.channel] += 1;
                unfinished_t[slot.ty as usize] += 1;
                let late = u64::from(late);
                late_q[info.queue] += late;
                late_c[info.channel] += late;
                late_t[slot.ty as usize] += late;
            }
        }
        let all: u64 = unfinished_t.iter().sum();
        let all_late: u64 = late_t.iter().sum();
        let n_ch = sim.channel_names.len();
        let mut queues = vec![Block::default(); sim.queue_names.len()];
        let mut channels = vec![Block::default(); n_ch];
        let mut total = Block::default();
        let n_int = self.series.first().map_or(0, |s| s.offered.len());
        let mut series: Vec<Series> =
            sim.queue_names.iter().map(|q| Series::new(q, n_int)).collect();
        let mut series_all = Series::new("all", n_int);
        for (ty, info) in sim.types.iter().enumerate() {
            let b = &self.type_blocks[ty];
            queues[info.queue].merge(b);
            channels[info.channel].merge(b);
            total.merge(b);
            series[info.queue].merge(&self.series[ty]);
            series_all.merge(&self.series[ty]);
        }
        series.push(series_all);
        let metrics = |blocks: &[Block],
                       names: &mut dyn Iterator<Item = &String>,
                       unf: &[u64],
                       late: &[u64]|
         -> Vec<Metrics> {
            blocks
                .iter()
                .zip(names)
                .zip(unf.iter().zip(late))
                .map(|((b, n), (&u, &l))| b.metrics(n, u, l))
                .collect()
        };
        let groups = sim
            .scenario
            .agent_groups
            .iter()
            .enumerate()
            .map(|(g, grp)| {
                let gr = &self.groups[g];
                let cap = gr.int_staffed * f64::from(grp.capacity);
                let ratio = |x: f64| (cap > 0.0).then(|| x / cap);
                let first = sim.group_first[g] as usize;
                let handled: Vec<u64> = self.handled[first..first + grp.count as usize].to_vec();
                let n = handled.len().max(1) as f64;
                let mean = handled.iter().sum::<u64>() as f64 / n;
                let var =
                    handled.iter().map(|&h| (h as f64 - mean) * (h as f64 - mean)).sum::<f64>() / n;
                GroupMetrics {
                    name: grp.name.clone(),
                    agents: grp.count,
                    staffed_time: gr.int_staffed,
                    occupancy: ratio(gr.int_units.iter().sum()),
                    utilisation: sim
                        .channel_names
                        .iter()
                        .zip(&gr.int_units)
                        .map(|(c, &u)| (c.clone(), ratio(u)))
                        .collect(),
                    handled,
                    handled_mean: mean,
                    handled_cv: if mean > 0.0 { var.sqrt() / mean } else { 0.0 },
                }
            })
            .collect();
        for s in &mut series {
            s.finish();
        }
        let type_names: Vec<String> =
            sim.scenario.contact_types.iter().map(|t| t.name.clone()).collect();
        Replication {
            policy: policy.to_owned(),
            replication: rep,
            seed: self.rep_seed,
            queues: metrics(&queues, &mut sim.queue_names.iter(), &unfinished_q, &late_q),
            channels: metrics(&channels, &mut sim.channel_names.iter(), &unfinished_c, &late_c),
            types: metrics(&self.type_blocks, &mut type_names.iter(), &unfinished_t, &late_t),
            callbacks: sim
                .queue_names
                .iter()
                .zip(&self.callback_counts)
                .map(|(name, c)| super::super::stats::CallbackMetrics {
                    name: name.clone(),
                    requested: c[0],
                    calls: c[1],
                    connected: c[2],
                    failed: c[3],
                })
                .collect(),
            transfers: metrics(
                &self.transfer_blocks,
                &mut sim.queue_names.iter(),
                &unfinished_tr,
                &late_tr,
            ),
            total: total.metrics("all", all, all_late),
            groups,
            interval: self.interval,
            series,
            contacts: self.contacts,
            live_peak: self.slots.len() as u64,
            decisions: self.router.decisions(),
            policy_errors: self.router.scorer_failures(),
            end_time: end,
        }
    }
}
