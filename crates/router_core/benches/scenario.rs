//! The benchmark scenario shared by the routing benches: a large blended
//! contact center with 10,000 agents over 200 skill profiles drawn from 50
//! skills, 300 contact types, three channels and four queues.
//!
//! With selectors ([`Scenario::with_selectors`]), every agent also has
//! five attributes: `region` (4 values), `team` (6), `languages` (a list
//! over 5), `tenure_months` (0-119) and `rating` (0-99), the last two with
//! more distinct values than the index keeps (checked per agent); every
//! contact type carries a three-clause selector over three of them, each
//! clause admitting roughly half to three quarters of the agents.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use router_core::{AgentSpec, ChannelConfig, ContactSpec, QueueConfig, RouterConfig};

/// Number of agents.
pub const AGENTS: usize = 10_000;
/// Number of distinct agent skill profiles.
pub const PROFILES: usize = 200;
/// Number of skills profiles are drawn from.
pub const SKILLS: usize = 50;
/// Number of contact types (requirement signature × channel × queue × priority).
pub const TYPES: usize = 300;

const CHANNELS: [&str; 3] = ["voice", "chat", "email"];
const QUEUES: [&str; 4] = ["sales", "support", "billing", "vip"];

/// The generated scenario.
pub struct Scenario {
    /// The agents, in id order.
    pub agents: Vec<AgentSpec>,
    types: Vec<ContactSpec>,
    rng: ChaCha8Rng,
    next: u64,
}

/// Router configuration: voice exclusive, chat 3 at a time, email 2.
pub fn config(policy: router_core::PolicyKind) -> RouterConfig {
    let mut cfg = RouterConfig::new(
        vec![
            ChannelConfig::new("voice", 100, 1),
            ChannelConfig::new("chat", 33, 3),
            ChannelConfig::new("email", 50, 2),
        ],
        QUEUES.iter().map(|q| QueueConfig::new(*q)).collect(),
    );
    cfg.queues[1].aging_rate = 0.01;
    cfg.policy = policy.into();
    cfg.retain_finished = Some(0);
    cfg
}

/// Gives every queue opening hours that never change during a bench (open
/// around the clock, a holiday years ahead) and four rules, one per
/// trigger, that never fire.
pub fn add_hours_and_rules(cfg: &mut RouterConfig) {
    use router_core::calendar::{Calendar, DateOverride, Day, WeeklyHours};
    use router_core::model::{Rule, RuleAction, Trigger};
    let all = vec![Day::Mon, Day::Tue, Day::Wed, Day::Thu, Day::Fri, Day::Sat, Day::Sun];
    for q in &mut cfg.queues {
        q.hours = Some(Calendar {
            time_zone: "Europe/Paris".into(),
            weekly: vec![WeeklyHours {
                days: all.clone(),
                open: "00:00".into(),
                close: "24:00".into(),
            }],
            overrides: vec![DateOverride {
                date: "2035-12-25".into(),
                through: None,
                hours: vec![],
                name: "far ahead".into(),
            }],
        });
        let rule =
            |name: &str, trigger| Rule { name: name.into(), trigger, action: RuleAction::Alert };
        q.rules = vec![
            rule("wait", Trigger::WaitLongerThan(1e9)),
            rule("length", Trigger::WaitingMoreThan(1_000_000_000)),
            rule("sl", Trigger::SlBelow { fraction: 0.0, window: 900.0 }),
            rule("nobody", Trigger::NoAgentLoggedIn),
        ];
    }
}

impl Scenario {
    /// A scenario from a seed.
    pub fn new(seed: u64) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let skill = |i: usize| format!("skill{i:02}");
        let profiles: Vec<Vec<(String, u8)>> = (0..PROFILES)
            .map(|_| {
                let n = rng.gen_range(4..=8);
                let mut ids: Vec<usize> = (0..SKILLS).collect();
                ids.shuffle(&mut rng);
                ids[..n].iter().map(|&s| (skill(s), rng.gen_range(1..=10))).collect()
            })
            .collect();
        let agents = (0..AGENTS)
            .map(|i| {
                let p = &profiles[i % PROFILES];
                let mut a = AgentSpec::new(format!("agent{i:05}"), &[]);
                a.skills = p.clone();
                a
            })
            .collect();
        // Each contact type asks for 1-2 skills of some profile, at or below
        // its levels, so that every type has eligible agents.
        let types = (0..TYPES)
            .map(|t| {
                let p = &profiles[rng.gen_range(0..PROFILES)];
                let k = rng.gen_range(1..=2);
                let mut reqs: Vec<(String, u8)> = p
                    .choose_multiple(&mut rng, k)
                    .map(|(s, l)| (s.clone(), rng.gen_range(1..=*l)))
                    .collect();
                reqs.sort();
                let mut c = ContactSpec::new(String::new(), CHANNELS[t % 3], QUEUES[t % 4]);
                c.requires = reqs;
                c.priority = if QUEUES[t % 4] == "vip" { 5 } else { rng.gen_range(0..=2) };
                c
            })
            .collect();
        Scenario { agents, types, rng, next: 0 }
    }

    /// The scenario with agent attributes and contact selectors.
    pub fn with_selectors(seed: u64) -> Self {
        use router_core::{AttrValue, Selector};
        let mut s = Scenario::new(seed);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5e1ec7);
        const REGIONS: [&str; 4] = ["eu", "us", "apac", "latam"];
        const TEAMS: [&str; 6] = ["sales", "care", "tech", "billing", "retention", "trainee"];
        const LANGS: [&str; 5] = ["en", "es", "pt", "fr", "de"];
        for a in &mut s.agents {
            let at = &mut a.attributes;
            at.insert("region".into(), AttrValue::Str(REGIONS[rng.gen_range(0..4)].into()));
            at.insert("team".into(), AttrValue::Str(TEAMS[rng.gen_range(0..6)].into()));
            let langs: Vec<String> =
                LANGS.iter().filter(|_| rng.gen_bool(0.5)).map(|l| l.to_string()).collect();
            at.insert("languages".into(), AttrValue::List(langs));
            at.insert("tenure_months".into(), AttrValue::Int(rng.gen_range(0..120)));
            at.insert("rating".into(), AttrValue::Int(rng.gen_range(0..100)));
        }
        for c in &mut s.types {
            let r1 = REGIONS[rng.gen_range(0..4)];
            let r2 = REGIONS[rng.gen_range(0..4)];
            let r3 = REGIONS[rng.gen_range(0..4)];
            let clauses = [
                format!("agent.region IN [\"{r1}\", \"{r2}\", \"{r3}\"]"),
                "NOT agent.team == \"trainee\"".to_owned(),
                format!("agent.languages HAS \"{}\"", LANGS[rng.gen_range(0..5)]),
                format!("agent.tenure_months > {}", rng.gen_range(6..48)),
                format!("agent.rating >= {}", rng.gen_range(10..40)),
            ];
            // Three of the five, always one of the two many-valued ones.
            let mut pick: Vec<usize> = (0..3).collect();
            pick.shuffle(&mut rng);
            let text = format!(
                "{} AND {} AND {}",
                clauses[pick[0]],
                clauses[pick[1]],
                clauses[3 + rng.gen_range(0..2)]
            );
            c.selector = Selector::parse(&text).expect("a valid selector");
        }
        s
    }

    /// The next contact: a random type with a fresh id (written into the
    /// type's record, so that the bench measures the router, not copies).
    pub fn contact(&mut self) -> &ContactSpec {
        use std::fmt::Write;
        let c = &mut self.types[self.rng.gen_range(0..TYPES)];
        self.next += 1;
        c.id.clear();
        write!(c.id, "c{}", self.next).expect("write to a String");
        c
    }
}
