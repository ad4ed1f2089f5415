//! Building a router from its configuration: every part is validated
//! (names, limits, overflow chains, routing profiles, policies) before any
//! state exists, so a router that was built is consistent. Kept apart from
//! `mod.rs`, which holds the state and what every call shares.

use super::*;

impl Router {
    /// Builds a router from its configuration, validating every part.
    pub fn new(config: RouterConfig) -> Result<Self> {
        let mut channels = Vec::new();
        let mut channel_ids = FxHashMap::default();
        for ch in &config.channels {
            validate_channel(ch)?;
            if channel_ids.insert(ch.name.clone(), channels.len() as u32).is_some() {
                return Err(Error::duplicate("channel", &ch.name));
            }
            channels.push(Channel { cfg: ch.clone(), tag: Id::from(ch.name.as_str()) });
        }
        if channels.is_empty() {
            return Err(Error::invalid("a router needs at least one channel"));
        }
        let mut queue_ids = FxHashMap::default();
        for (i, q) in config.queues.iter().enumerate() {
            if q.name.is_empty() {
                return Err(Error::invalid("queue name must not be empty"));
            }
            if queue_ids.insert(q.name.clone(), i as u32).is_some() {
                return Err(Error::duplicate("queue", &q.name));
            }
        }
        if config.queues.is_empty() {
            return Err(Error::invalid("a router needs at least one queue"));
        }
        let mut queues = Vec::new();
        for q in &config.queues {
            if !(0.0..=1.0).contains(&q.sl_target) {
                return Err(Error::invalid(format!(
                    "queue {:?}: sl_target {} is not a fraction between 0 and 1",
                    q.name, q.sl_target
                )));
            }
            check_time(&format!("queue {:?}: sl_threshold", q.name), q.sl_threshold)?;
            if !q.aging_rate.is_finite() || q.aging_rate < 0.0 {
                return Err(Error::invalid(format!(
                    "queue {:?}: aging_rate {} is not a finite, non-negative number",
                    q.name, q.aging_rate
                )));
            }
            if let Some(m) = q.aging_max {
                if !m.is_finite() || m < 0.0 {
                    return Err(Error::invalid(format!(
                        "queue {:?}: aging_max {m} is not a finite, non-negative number",
                        q.name
                    )));
                }
            }
            if q.ordering == crate::model::Ordering::Lifo
                && (q.aging_rate > 0.0 || q.aging_max.is_some())
            {
                return Err(Error::invalid(format!(
                    "queue {:?}: LIFO ordering does not combine with aging (aging_rate {}, aging_max {:?})",
                    q.name, q.aging_rate, q.aging_max
                )));
            }
            if let (Some(m), 0.0) = (q.aging_max, q.aging_rate) {
                return Err(Error::invalid(format!(
                    "queue {:?}: aging_max {m} caps what aging adds to the priority, so it needs a positive aging_rate (or virtual_wait)",
                    q.name
                )));
            }
            let overflow = match &q.overflow {
                None => None,
                Some(o) => {
                    let to = *queue_ids.get(&o.to).ok_or_else(|| {
                        Error::invalid(format!(
                            "queue {:?}: overflow to unknown queue {:?}",
                            q.name, o.to
                        ))
                    })?;
                    if o.to == q.name {
                        return Err(Error::invalid(format!(
                            "queue {:?} overflows to itself",
                            q.name
                        )));
                    }
                    check_time(&format!("queue {:?}: overflow after", q.name), o.after)?;
                    Some((to, o.after))
                }
            };
            let share = q.callbacks_per_free_agent;
            if !(share.is_finite() && share > 0.0) {
                return Err(Error::invalid(format!(
                    "queue {:?}: callbacks_per_free_agent {share} is not a positive number",
                    q.name
                )));
            }
            let hours = hours::compile(q, &queue_ids)?;
            let rules = rules::compile(q, &queue_ids)?;
            let crossed = vec![false; q.rules.len()];
            let outcomes = rules
                .as_ref()
                .is_some_and(|r| r.window > 0.0)
                .then(|| Box::new(rules::Outcomes::default()));
            queues.push(Queue {
                name: q.name.clone(),
                tag: Id::from(q.name.as_str()),
                sl_target: q.sl_target,
                sl_threshold: q.sl_threshold,
                order: ordering::QueueOrder::of(q),
                delays: Vec::new(),
                max_waiting: q.max_waiting,
                overflow,
                callback_share: share,
                calling: 0,
                counters: Default::default(),
                live: Default::default(),
                hours,
                open: true,
                rules,
                crossed,
                outcomes,
            });
        }
        // Overflow chains must end: follow each chain, at most n hops.
        for (i, q) in queues.iter().enumerate() {
            let mut cur = q.overflow.map(|o| o.0);
            let mut hops = 0;
            while let Some(n) = cur {
                hops += 1;
                if hops > queues.len() {
                    return Err(Error::invalid(format!(
                        "queue {:?}: overflow chain loops back on itself",
                        queues[i].name
                    )));
                }
                cur = queues[n as usize].overflow.map(|o| o.0);
            }
        }
        if let Some(t) = config.offer_timeout {
            if !t.is_finite() || t <= 0.0 {
                return Err(Error::invalid(format!(
                    "offer_timeout {t} is not a positive number of seconds"
                )));
            }
        }
        check_time("affinity_wait", config.affinity_wait)?;
        if !config.condition_interval.is_finite() || config.condition_interval <= 0.0 {
            return Err(Error::invalid(format!(
                "condition_interval {:?} is not a positive number of seconds",
                config.condition_interval
            )));
        }
        config.policy.validate()?;
        if let Some(w) = config.batch_window {
            if !w.is_finite() || w <= 0.0 {
                return Err(Error::invalid(format!(
                    "batch_window {w:?} is not a positive number of seconds"
                )));
            }
        }
        if let Some(x) = config.exclusion_expires_after {
            if !x.is_finite() || x < 0.0 {
                return Err(Error::invalid(format!(
                    "exclusion_expires_after {x:?} is not a finite, non-negative number of seconds"
                )));
            }
        }
        let n_channels = channels.len();
        let mut index = Index::new(n_channels);
        let mut routing_ids = FxHashMap::default();
        for rp in &config.routing_profiles {
            if routing_ids.insert(rp.name.clone(), index.routing.len() as u32).is_some() {
                return Err(Error::duplicate("routing profile", &rp.name));
            }
            let mut table = vec![None; queues.len()];
            for pq in &rp.queues {
                let q = *queue_ids.get(&pq.queue).ok_or_else(|| {
                    Error::invalid(format!(
                        "routing profile {:?}: unknown queue {:?}",
                        rp.name, pq.queue
                    ))
                })? as usize;
                check_time(
                    &format!("routing profile {:?}: delay of queue {:?}", rp.name, pq.queue),
                    pq.delay,
                )?;
                if table[q].replace((pq.priority, pq.delay)).is_some() {
                    return Err(Error::invalid(format!(
                        "routing profile {:?}: queue {:?} is listed twice",
                        rp.name, pq.queue
                    )));
                }
                if pq.delay > 0.0 && !queues[q].delays.contains(&pq.delay) {
                    queues[q].delays.push(pq.delay);
                }
            }
            index.routing.push(table);
        }
        let mut config = config;
        if let Policy::Weighted(ws) = &mut config.policy {
            for (f, _) in ws.iter_mut() {
                if let crate::policy::Feature::Level(id, name) = f {
                    *id = index.skill(name);
                }
            }
        }
        if !config.epoch.is_finite() {
            return Err(Error::invalid(format!(
                "epoch {:?} is not a finite number of seconds since the Unix epoch",
                config.epoch
            )));
        }
        let mut r = Router {
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            config,
            channels,
            channel_ids,
            routing_ids,
            queues,
            queue_ids,
            index,
            agents: Vec::new(),
            free_agents: Vec::new(),
            agent_ids: FxHashMap::default(),
            id_order: Default::default(),
            contacts: Default::default(),
            free_contacts: Vec::new(),
            contact_ids: FxHashMap::default(),
            finished: FxHashMap::default(),
            finished_order: VecDeque::new(),
            retired_channels: Vec::new(),
            retired_queues: Vec::new(),
            last_agent: FxHashMap::default(),
            timers: BinaryHeap::new(),
            pending: Vec::new(),
            fired: 0,
            until: 0.0,
            any_interruptible: false,
            now: 0.0,
            settled: 0.0,
            next_seq: 1,
            decisions: 0,
            plugin: Default::default(),
            batch_due: None,
            by_key: false,
            handoffs: Vec::new(),
            deferred: Vec::new(),
            external: None,
        };
        r.any_interruptible = r.channels.iter().any(|c| c.cfg.interruptible);
        r.init_hours();
        Ok(r)
    }
}

fn validate_channel(ch: &ChannelConfig) -> Result<()> {
    if ch.name.is_empty() {
        return Err(Error::invalid("channel name must not be empty"));
    }
    if ch.cost == 0 {
        return Err(Error::invalid(format!(
            "channel {:?}: cost 0 is outside the allowed range 1..={}",
            ch.name,
            u32::MAX
        )));
    }
    if ch.max_per_agent == 0 {
        return Err(Error::invalid(format!(
            "channel {:?}: max_per_agent 0 is outside the allowed range 1..={}",
            ch.name,
            u32::MAX
        )));
    }
    check_time(&format!("channel {:?}: wrap_up", ch.name), ch.wrap_up)
}
