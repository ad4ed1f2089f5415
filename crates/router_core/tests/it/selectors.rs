//! Selectors: agents' typed attributes, contacts' selectors (language and
//! structured form), steps over them, preferences, the index against a
//! direct evaluation, and bad input.

use super::*;
use proptest::prelude::*;
use router_core::selector::Expr;
use router_core::{
    AttrValue, ClauseOp, ContactUpdate, ErrorKind, Preference, Selector, SelectorClause, StepSpec,
};

fn sel(text: &str) -> Selector {
    Selector::parse(text).expect("a valid selector")
}

fn with(mut a: AgentSpec, attrs: &[(&str, AttrValue)]) -> AgentSpec {
    for (k, v) in attrs {
        a.attributes.insert(k.to_string(), v.clone());
    }
    a
}

fn s(v: &str) -> AttrValue {
    AttrValue::Str(v.into())
}

fn list(v: &[&str]) -> AttrValue {
    AttrValue::List(v.iter().map(|x| x.to_string()).collect())
}

/// The README's example: Spanish or Portuguese, tenure over six months,
/// not a trainee.
#[test]
fn a_selector_picks_the_agents_it_describes() {
    // Three free agents, idle since 0, 1, 2: longest idle would pick a1
    // first. a1 is a trainee, a2 speaks only English; a3 fits.
    let mut r = router(PolicyKind::LongestIdle);
    let rows = [
        ("a1", list(&["es"]), 12, "trainee"),
        ("a2", list(&["en"]), 30, "sales"),
        ("a3", list(&["pt", "en"]), 7, "sales"),
    ];
    for (t, (id, langs, tenure, team)) in rows.into_iter().enumerate() {
        let a = with(
            agent(id, &[]),
            &[("language", langs), ("tenure_months", AttrValue::Int(tenure)), ("team", s(team))],
        );
        r.add_agent(&a, t as f64, Vec::new()).unwrap();
    }
    let mut c = contact("c1", "voice");
    c.selector = sel(
        r#"agent.language IN ["es", "pt"] AND agent.tenure_months > 6 AND NOT agent.team == "trainee""#,
    );
    let ev = r.submit(&c, 3.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "a3".into())]);
    // A second such contact has no one left: it waits, and explain says
    // which clause excluded whom (a1: the team clause; a2: language).
    let mut c2 = c.clone();
    c2.id = "c2".into();
    assert!(assigned(&r.submit(&c2, 4.0, Vec::new()).unwrap()).is_empty());
    let why = r.explain("c2").unwrap();
    assert_eq!(why.ineligible.selector, 2);
    let by: Vec<(String, u32)> = why.selector_clauses.clone();
    assert_eq!(by.len(), 3);
    assert_eq!(by[0].1, 1, "{by:?}"); // a2 fails the language clause
    assert_eq!(by[2].1, 1, "{by:?}"); // a1 fails the team clause
    assert_eq!(why.ineligible.channel, 1); // a3 is busy
}

/// Job Router's example: prefer agents certified for product X, and after
/// 60 s drop that. The clause expires; the pool grows.
#[test]
fn a_structured_clause_expires_and_the_pool_grows() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&with(agent("plain", &[]), &[("certs", list(&[]))]), 0.0, Vec::new()).unwrap();
    let mut c = contact("c1", "voice");
    c.selectors = vec![SelectorClause {
        key: "certs".into(),
        op: ClauseOp::Has,
        value: s("X"),
        expires_after: Some(60.0),
        expedite: false,
    }];
    assert!(assigned(&r.submit(&c, 1.0, Vec::new()).unwrap()).is_empty());
    assert_eq!(r.explain("c1").unwrap().next_timer.unwrap().at, 61.0);
    assert!(assigned(&r.advance(60.9, Vec::new()).unwrap()).is_empty());
    let ev = r.advance(61.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "plain".into())]);
}

/// An expedite clause puts its contact ahead of older ones while it applies.
#[test]
fn an_expedited_contact_goes_first_while_its_clause_applies() {
    let mut r = router(PolicyKind::LongestIdle);
    r.submit(&contact("old", "voice"), 0.0, Vec::new()).unwrap();
    let mut c = contact("urgent", "voice");
    c.selectors = vec![SelectorClause {
        key: "agent.level".into(),
        op: ClauseOp::GreaterThanOrEqual,
        value: AttrValue::Int(1),
        expires_after: None,
        expedite: true,
    }];
    r.submit(&c, 1.0, Vec::new()).unwrap();
    let a = with(agent("a1", &[]), &[("level", AttrValue::Int(2))]);
    let ev = r.add_agent(&a, 2.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("urgent".into(), "a1".into())]);
}

/// Steps widen a selector by default and replace it when they say so.
#[test]
fn steps_widen_replace_and_drop_selectors() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&with(agent("fr", &[]), &[("lang", s("fr"))]), 0.0, Vec::new()).unwrap();
    r.add_agent(&with(agent("de", &[]), &[("lang", s("de"))]), 0.0, Vec::new()).unwrap();
    r.set_agent_state("fr", AgentState::Away, "", 0.0, Vec::new()).unwrap();
    r.set_agent_state("de", AgentState::Away, "", 0.0, Vec::new()).unwrap();
    let step = |after: f64, text: &str, replace: bool| StepSpec {
        after,
        requires: vec![],
        when: None,
        selector: Some(sel(text)),
        replace_selector: replace,
    };
    let mut c = contact("c1", "voice");
    c.selector = sel(r#"agent.lang == "es""#);
    // At 10: es OR fr; at 20: de only (replaced); at 30: anyone.
    c.steps = vec![
        step(10.0, r#"agent.lang == "fr""#, false),
        step(20.0, r#"agent.lang == "de""#, true),
        step(30.0, "", false),
    ];
    r.submit(&c, 0.0, Vec::new()).unwrap();
    r.advance(10.0, Vec::new()).unwrap();
    assert_eq!(r.explain("c1").unwrap().selector, r#"agent.lang == "es" OR agent.lang == "fr""#);
    r.advance(20.0, Vec::new()).unwrap();
    assert_eq!(r.explain("c1").unwrap().selector, r#"agent.lang == "de""#);
    let ev = r.set_agent_state("fr", AgentState::Available, "", 21.0, Vec::new()).unwrap();
    assert!(assigned(&ev).is_empty(), "the replaced selector no longer admits fr");
    let ev = r.advance(30.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "fr".into())]);
}

/// Weighted preferences feed most_skilled.
#[test]
fn preferences_feed_most_skilled() {
    let mut r = router(PolicyKind::MostSkilled);
    r.add_agent(&with(agent("a1", &[("gen", 5)]), &[("region", s("us"))]), 0.0, Vec::new())
        .unwrap();
    r.add_agent(&with(agent("a2", &[("gen", 5)]), &[("region", s("eu"))]), 0.0, Vec::new())
        .unwrap();
    let mut c = contact("c1", "voice").requiring(&[("gen", 1)]);
    c.preferences = vec![Preference { selector: sel(r#"agent.region == "eu""#), weight: 3 }];
    let ev = r.submit(&c, 1.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "a2".into())]);
}

/// An attribute with more distinct values than the index keeps is checked
/// per agent, with the same result.
#[test]
fn an_attribute_of_many_values_is_checked_per_agent() {
    let mut r = router(PolicyKind::LongestIdle);
    for i in 0..60 {
        let a = with(agent(&format!("a{i:02}"), &[]), &[("employee", AttrValue::Int(i))]);
        r.add_agent(&a, 0.0, Vec::new()).unwrap();
    }
    let mut c = contact("c1", "voice");
    c.selector = sel("agent.employee == 42");
    let ev = r.submit(&c, 1.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "a42".into())]);
    // Later agents still split nothing; an update moves an agent in and out.
    let mut c2 = contact("c2", "voice");
    c2.selector = sel("agent.employee == 7 AND agent.employee != 8");
    r.update_agent(&with(agent("a07", &[]), &[("employee", AttrValue::Int(99))]), 2.0, Vec::new())
        .unwrap();
    assert!(assigned(&r.submit(&c2, 3.0, Vec::new()).unwrap()).is_empty());
    let ev = r
        .update_agent(&with(agent("a08", &[]), &[("employee", AttrValue::Int(7))]), 4.0, Vec::new())
        .unwrap();
    assert_eq!(assigned(&ev), vec![("c2".into(), "a08".into())]);
}

/// Updating a contact's selector re-routes it at once.
#[test]
fn updating_a_selector_routes_again() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&with(agent("a1", &[]), &[("vip", AttrValue::Bool(false))]), 0.0, Vec::new())
        .unwrap();
    let mut c = contact("c1", "voice");
    c.selector = sel("agent.vip == true");
    assert!(assigned(&r.submit(&c, 1.0, Vec::new()).unwrap()).is_empty());
    let u = ContactUpdate { selector: Some(Selector::default()), ..ContactUpdate::default() };
    let ev = r.update_contact("c1", &u, 2.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "a1".into())]);
}

#[test]
fn bad_selectors_are_refused_by_name_and_change_nothing() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&with(agent("a1", &[]), &[("team", s("x"))]), 0.0, Vec::new()).unwrap();
    r.set_agent_state("a1", AgentState::Away, "", 0.0, Vec::new()).unwrap();
    let mut ok = contact("w", "voice");
    ok.selector = sel(r#"agent.team == "x""#);
    r.submit(&ok, 0.0, Vec::new()).unwrap();
    let before = r.snapshot();
    let clause = |key: &str, op: ClauseOp, value: AttrValue| SelectorClause {
        key: key.into(),
        op,
        value,
        expires_after: None,
        expedite: false,
    };
    let cases: Vec<(ContactSpec, &str)> = vec![
        {
            let mut c = contact("c", "voice");
            c.selectors = vec![clause("region", ClauseOp::In, s("eu"))];
            (c, "takes a list of strings, not a string")
        },
        {
            let mut c = contact("c", "voice");
            c.selectors = vec![clause("skill.x", ClauseOp::Equal, s("a"))];
            (c, "skill.x is a level")
        },
        {
            let mut c = contact("c", "voice");
            c.selectors = vec![clause("bogus.x", ClauseOp::Equal, s("a"))];
            (c, "\"bogus.x\"")
        },
        {
            let mut c = contact("c", "voice");
            c.selectors = vec![SelectorClause {
                expires_after: Some(f64::NAN),
                ..clause("tier", ClauseOp::Equal, AttrValue::Int(1))
            }];
            (c, "expires_after NaN")
        },
        {
            let mut c = contact("c", "voice");
            c.preferences = vec![Preference { selector: sel("agent.tier == 2"), weight: 0 }];
            (c, "weight 0")
        },
        {
            let mut c = contact("c", "voice");
            c.preferences = vec![Preference { selector: Selector::default(), weight: 2 }];
            (c, "preferences[0]: the selector is empty")
        },
    ];
    for (c, needle) in cases {
        let err = r.submit(&c, 1.0, Vec::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{needle}");
        assert!(err.message().contains(needle), "{needle}: {}", err.message());
        assert_eq!(r.snapshot(), before, "{needle}: state changed");
    }
    let err = Selector::parse("agent.tier > ").unwrap_err();
    assert!(err.message().contains("position 13"), "{}", err.message());
}

#[test]
fn selectors_survive_a_snapshot() {
    let mut r = router(PolicyKind::LongestIdle);
    for (i, team) in ["a", "b", "c"].iter().enumerate() {
        let a = with(agent(&format!("a{i}"), &[]), &[("team", s(team))]);
        r.add_agent(&a, 0.0, Vec::new()).unwrap();
        r.set_agent_state(&format!("a{i}"), AgentState::Away, "", 0.0, Vec::new()).unwrap();
    }
    let mut c = contact("c1", "voice");
    c.selector = sel(r#"agent.team IN ["b", "c"]"#);
    c.selectors = vec![SelectorClause {
        key: "team".into(),
        op: ClauseOp::NotEqual,
        value: s("b"),
        expires_after: Some(50.0),
        expedite: true,
    }];
    r.submit(&c, 1.0, Vec::new()).unwrap();
    let snap = r.snapshot();
    let mut back = Router::restore(&snap).unwrap();
    assert_eq!(back.snapshot(), snap);
    for rr in [&mut r, &mut back] {
        let ev = rr.set_agent_state("a1", AgentState::Available, "", 2.0, Vec::new()).unwrap();
        assert!(assigned(&ev).is_empty());
        let ev = rr.advance(51.0, Vec::new()).unwrap();
        assert_eq!(assigned(&ev), vec![("c1".into(), "a1".into())]);
    }
    assert_eq!(r.snapshot(), back.snapshot());
}

// -- the index against a direct evaluation --------------------------------

fn attr_value() -> impl Strategy<Value = (String, AttrValue)> {
    prop_oneof![
        (0..3i64).prop_map(|i| ("tier".to_owned(), AttrValue::Int(i))),
        (0..80i64).prop_map(|i| ("tenure".to_owned(), AttrValue::Int(i))),
        prop::sample::select(vec!["a", "b", "c"]).prop_map(|t| ("team".to_owned(), s(t))),
        prop::sample::subsequence(vec!["es", "pt", "en"], 0..3)
            .prop_map(|l| ("lang".to_owned(), list(&l))),
        any::<bool>().prop_map(|b| ("vip".to_owned(), AttrValue::Bool(b))),
    ]
}

fn clause_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (0..3i64).prop_map(|i| format!("agent.tier >= {i}")),
        (0..80i64).prop_map(|i| format!("agent.tenure > {i}")),
        prop::sample::select(vec!["a", "b", "c"]).prop_map(|t| format!("agent.team == \"{t}\"")),
        prop::sample::select(vec!["es", "pt", "en"])
            .prop_map(|l| format!("agent.lang HAS \"{l}\"")),
        Just("agent.vip == true".to_owned()),
        (1..6u8).prop_map(|l| format!("skill.gen >= {l}")),
    ]
}

fn selector_text() -> impl Strategy<Value = String> {
    (prop::collection::vec(clause_text(), 1..4), prop::collection::vec(0..3u8, 3)).prop_map(
        |(cl, ops)| {
            let mut out = cl[0].clone();
            for (i, c) in cl.iter().enumerate().skip(1) {
                out = match ops[i - 1] {
                    0 => format!("{out} AND {c}"),
                    1 => format!("({out}) OR {c}"),
                    _ => format!("{out} AND NOT {c}"),
                };
            }
            out
        },
    )
}

/// What the selector says of one agent, read directly from its spec.
struct Direct<'a>(&'a AgentSpec);

impl router_core::selector::Agent for Direct<'_> {
    fn attr(&self, name: &str) -> Option<&AttrValue> {
        self.0.attributes.get(name)
    }
    fn skill(&self, name: &str) -> u8 {
        self.0.skills.iter().find(|(s, _)| s == name).map_or(0, |x| x.1)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Agents and contacts arrive in random order; every assignment
    /// satisfies the contact's selector evaluated directly, and a contact
    /// left waiting has no free agent it admits.
    #[test]
    fn the_index_agrees_with_a_direct_evaluation(
        agents in prop::collection::vec((prop::collection::vec(attr_value(), 0..5), 1..6u8), 1..40),
        contacts in prop::collection::vec(selector_text(), 1..30),
        order in prop::collection::vec(any::<bool>(), 70),
    ) {
        let mut r = router(PolicyKind::LongestIdle);
        let specs: Vec<AgentSpec> = agents.iter().enumerate().map(|(i, (attrs, gen))| {
            let mut a = agent(&format!("a{i:02}"), &[("gen", *gen)]);
            for (k, v) in attrs { a.attributes.insert(k.clone(), v.clone()); }
            a
        }).collect();
        let exprs: Vec<Expr> = contacts.iter().map(|t| Expr::parse(t).unwrap()).collect();
        let (mut ai, mut ci, mut t) = (0, 0, 0.0);
        let mut pairs = Vec::new();
        for &agent_first in &order {
            t += 1.0;
            let ev = if (agent_first && ai < specs.len()) || ci >= contacts.len() {
                if ai >= specs.len() { break; }
                ai += 1;
                r.add_agent(&specs[ai - 1], t, Vec::new()).unwrap()
            } else {
                let mut c = contact(&format!("c{ci:02}"), "voice");
                c.selector = sel(&contacts[ci]);
                ci += 1;
                r.submit(&c, t, Vec::new()).unwrap()
            };
            pairs.extend(assigned(&ev));
        }
        for (c, a) in &pairs {
            let (ci, ai): (usize, usize) = (c[1..].parse().unwrap(), a[1..].parse().unwrap());
            prop_assert!(exprs[ci].matches(&Direct(&specs[ai])), "{c} -> {a}: {}", contacts[ci]);
        }
        let busy: Vec<&String> = pairs.iter().map(|p| &p.1).collect();
        for c in 0..ci {
            let id = format!("c{c:02}");
            if pairs.iter().any(|p| p.0 == id) { continue; }
            for (i, a) in specs.iter().enumerate().take(ai) {
                let free = !busy.contains(&&format!("a{i:02}"));
                prop_assert!(!(free && exprs[c].matches(&Direct(a))),
                    "{id} waits while a{i:02} is free and fits {}", contacts[c]);
            }
        }
    }
}

/// A call refused after the timers it fired interned a selector (a step
/// widened one): what the timers made stays, and the router stays whole.
#[test]
fn a_refusal_after_timers_that_interned_keeps_their_work() {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.queues[0].max_waiting = Some(1);
    let mut r = Router::new(cfg).unwrap();
    let mut c = contact("c1", "voice");
    c.selector = sel(r#"agent.team == "a""#);
    c.steps = vec![StepSpec {
        after: 10.0,
        requires: vec![],
        when: None,
        selector: Some(sel(r#"agent.team == "b""#)),
        ..StepSpec::default()
    }];
    r.submit(&c, 0.0, Vec::new()).unwrap();
    let mut full = contact("c2", "voice");
    full.selector = sel(r#"agent.team == "z""#);
    let err = r.submit(&full, 10.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::QueueFull);
    assert_eq!(r.explain("c1").unwrap().selector, r#"agent.team == "a" OR agent.team == "b""#);
    r.check_invariants().unwrap();
    let back = Router::restore(&r.snapshot()).unwrap();
    assert_eq!(back.snapshot(), r.snapshot());
    let ev = r.add_agent(&with(agent("b1", &[]), &[("team", s("b"))]), 11.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "b1".into())]);
}

/// `no_agent_available` looks at the selector too: an available agent the
/// selector refuses is not one the contact could have.
#[test]
fn no_agent_available_counts_only_agents_the_selector_admits() {
    let mut r = router(PolicyKind::LongestIdle);
    r.add_agent(&with(agent("b1", &[]), &[("team", s("b"))]), 0.0, Vec::new()).unwrap();
    let mut c = contact("c1", "voice");
    c.selector = sel(r#"agent.team == "a""#);
    c.steps = vec![StepSpec {
        after: 5.0,
        requires: vec![],
        when: Some(router_core::Condition::NoAgentAvailable),
        selector: Some(sel(r#"agent.team == "b""#)),
        ..StepSpec::default()
    }];
    assert!(assigned(&r.submit(&c, 1.0, Vec::new()).unwrap()).is_empty());
    let ev = r.advance(6.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "b1".into())]);
}

/// A full queue takes a contact only if it is served on arrival: a free
/// agent its selector refuses does not count.
#[test]
fn a_full_queue_refuses_a_contact_no_free_agent_admits() {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.queues[0].max_waiting = Some(1);
    let mut r = Router::new(cfg).unwrap();
    let mut waits = contact("w", "voice");
    waits.selector = sel(r#"agent.team == "x""#);
    r.submit(&waits, 0.0, Vec::new()).unwrap();
    r.add_agent(&with(agent("b1", &[]), &[("team", s("b"))]), 1.0, Vec::new()).unwrap();
    let mut c = contact("c1", "voice");
    c.selector = sel(r#"agent.team == "a""#);
    let err = r.submit(&c, 2.0, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::QueueFull);
    c.selector = sel(r#"agent.team == "b""#);
    let ev = r.submit(&c, 3.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "b1".into())]);
}

/// Review cases: offers withdrawn when an update changes the agent's
/// attributes, clauses in force at arrival whatever the time, structured
/// keys that the language could not write refused, preferences ranked per
/// agent.
#[test]
fn attribute_updates_withdraw_offers_and_clauses_hold_from_arrival() {
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.offer_timeout = Some(15.0);
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&with(agent("a1", &[]), &[("lang", s("es"))]), 0.0, Vec::new()).unwrap();
    let mut c = contact("c1", "voice");
    c.selector = sel(r#"agent.lang == "es""#);
    assert_eq!(offered(&r.submit(&c, 1.0, Vec::new()).unwrap()).len(), 1);
    let ev =
        r.update_agent(&with(agent("a1", &[]), &[("lang", s("fr"))]), 2.0, Vec::new()).unwrap();
    assert!(ev.iter().any(|e| matches!(e, Event::Requeued { .. })), "{ev:?}");
    assert_eq!(r.contact_view("c1").unwrap().status, router_core::ContactStatus::Waiting);

    let mut late = router(PolicyKind::LongestIdle);
    late.advance(100.0, Vec::new()).unwrap();
    let mut c = contact("c2", "voice");
    c.selectors = vec![SelectorClause {
        key: "team".into(),
        op: ClauseOp::Equal,
        value: s("a"),
        expires_after: Some(60.0),
        expedite: false,
    }];
    c.steps = vec![StepSpec { after: 0.0, requires: vec![], when: None, ..StepSpec::default() }];
    late.submit(&c, 100.0, Vec::new()).unwrap();
    assert_eq!(late.explain("c2").unwrap().selector, r#"agent.team == "a""#);
    assert_eq!(late.explain("c2").unwrap().next_timer.unwrap().at, 160.0);

    let mut bad = contact("c3", "voice");
    bad.selectors = vec![SelectorClause {
        key: "first language".into(),
        op: ClauseOp::Equal,
        value: s("es"),
        expires_after: None,
        expedite: false,
    }];
    let err = late.submit(&bad, 100.0, Vec::new()).unwrap_err();
    assert!(err.message().contains("letters, digits"), "{}", err.message());
}

#[test]
fn preferences_rank_each_agent_with_its_own_points() {
    // chain(longest_idle, most_skilled): idle time decides first, so the
    // longest idle agent wins although the other meets the preference.
    let policy = router_core::Policy::Chain(vec![PolicyKind::LongestIdle, PolicyKind::MostSkilled]);
    let mut cfg = config_with(vec![QueueConfig::new("general")], PolicyKind::LongestIdle);
    cfg.policy = policy;
    let mut r = Router::new(cfg).unwrap();
    r.add_agent(&with(agent("old", &[("gen", 5)]), &[("region", s("us"))]), 0.0, Vec::new())
        .unwrap();
    r.add_agent(&with(agent("new", &[("gen", 5)]), &[("region", s("eu"))]), 1.0, Vec::new())
        .unwrap();
    let mut c = contact("c1", "voice").requiring(&[("gen", 1)]);
    c.preferences = vec![Preference { selector: sel(r#"agent.region == "eu""#), weight: 3 }];
    let ev = r.submit(&c, 2.0, Vec::new()).unwrap();
    assert_eq!(assigned(&ev), vec![("c1".into(), "old".into())]);
}
