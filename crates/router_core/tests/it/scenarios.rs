//! The shared scenarios of `tests/scenarios/*.json` (see its README), run
//! on the core. The Python suite runs the same files through the binding
//! (`tests/test_scenarios.py`), so a behaviour is written down once.

use super::check;
use router_core::{AgentSpec, AgentState, ContactSpec, Event, Router, RouterConfig};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    #[allow(dead_code)]
    doc: String,
    config: RouterConfig,
    steps: Vec<Step>,
}

/// The keys a step may have besides its one call.
const EXPECTATIONS: [&str; 7] = ["now", "events", "error", "agents", "stats", "waiting", "explain"];

#[derive(Deserialize)]
struct Step {
    now: f64,
    #[serde(flatten)]
    call: Call,
    events: Option<Vec<Map<String, Value>>>,
    error: Option<String>,
    #[serde(default)]
    agents: BTreeMap<String, Map<String, Value>>,
    #[serde(default)]
    stats: BTreeMap<String, Map<String, Value>>,
    #[serde(default)]
    waiting: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    explain: BTreeMap<String, Map<String, Value>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum Call {
    AddAgent(AgentSpec),
    Submit(Box<ContactSpec>),
    Accept { contact: String, agent: String },
    Reject { contact: String, agent: String },
    Complete { contact: String },
    Cancel { contact: String },
    SetAgentState { agent: String, state: AgentState, reason: Option<String> },
    RemoveAgent { agent: String },
    Advance {},
}

/// An event as the scenarios write it: `{"kind": name, fields...}`.
fn flat(e: &Event) -> Map<String, Value> {
    let Value::Object(outer) = serde_json::to_value(e).expect("events serialise") else {
        unreachable!("an event serialises as {{kind: fields}}")
    };
    let (kind, fields) = outer.into_iter().next().expect("one variant");
    let mut m = Map::new();
    m.insert("kind".into(), Value::String(kind));
    if let Value::Object(fields) = fields {
        m.extend(fields);
    }
    m
}

/// Whether `actual` is the `expected` event: every expected field equal,
/// and every actual field expected but `queue` and `channel`, which an
/// expectation may leave out.
fn matches(expected: &Map<String, Value>, actual: &Map<String, Value>) -> bool {
    expected.iter().all(|(k, v)| actual.get(k).is_some_and(|a| same(a, v)))
        && actual.keys().all(|k| expected.contains_key(k) || k == "queue" || k == "channel")
}

/// Equal values, numbers by value (`3` is `3.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

/// The fields of `view` (a serialised record) named in `expected`, with
/// `counters` read as top-level fields (as Python's `QueueStats` has them).
fn check_fields(what: &str, view: Value, expected: &Map<String, Value>) -> Result<(), String> {
    let Value::Object(mut m) = view else { return Err(format!("{what}: not a record")) };
    if let Some(Value::Object(counters)) = m.remove("counters") {
        m.extend(counters);
    }
    for (k, v) in expected {
        let got = m.get(k).ok_or_else(|| format!("{what}: no field {k:?}"))?;
        if !same(got, v) {
            return Err(format!("{what}.{k}: expected {v}, got {got}"));
        }
    }
    Ok(())
}

fn run_step(r: &mut Router, step: &Step) -> Result<(), String> {
    let now = step.now;
    let outcome = match &step.call {
        Call::AddAgent(a) => r.add_agent(a, now, Vec::new()),
        Call::Submit(c) => r.submit(c, now, Vec::new()),
        Call::Accept { contact, agent } => r.accept(contact, agent, now, Vec::new()),
        Call::Reject { contact, agent } => r.reject(contact, agent, now, Vec::new()),
        Call::Complete { contact } => r.complete(contact, now, Vec::new()),
        Call::Cancel { contact } => r.cancel(contact, now, Vec::new()),
        Call::SetAgentState { agent, state, reason } => {
            r.set_agent_state(agent, *state, reason.as_deref().unwrap_or(""), now, Vec::new())
        }
        Call::RemoveAgent { agent } => r.remove_agent(agent, now, Vec::new()),
        Call::Advance {} => r.advance(now, Vec::new()),
    };
    match (outcome, &step.error) {
        (Ok(events), None) => {
            if let Some(expected) = &step.events {
                let actual: Vec<_> = events.iter().map(flat).collect();
                let ok = expected.len() == actual.len()
                    && expected.iter().zip(&actual).all(|(e, a)| matches(e, a));
                if !ok {
                    return Err(format!("events: expected {expected:?}, got {actual:?}"));
                }
            }
        }
        (Ok(events), Some(kind)) => {
            return Err(format!("expected {kind}, the call succeeded with {events:?}"));
        }
        (Err(e), Some(kind)) => {
            if format!("{:?}", e.kind()) != *kind {
                return Err(format!("expected {kind}, got {e}"));
            }
        }
        (Err(e), None) => return Err(format!("unexpected error: {e}")),
    }
    for (id, fields) in &step.agents {
        let view = r.agent_view(id).map_err(|e| e.to_string())?;
        check_fields(&format!("agent {id}"), serde_json::to_value(view).unwrap(), fields)?;
    }
    for (name, fields) in &step.stats {
        let s = r.queue_stats(name).map_err(|e| e.to_string())?;
        check_fields(&format!("queue {name}"), serde_json::to_value(s).unwrap(), fields)?;
    }
    for (id, fields) in &step.explain {
        let why = r.explain(id).map_err(|e| e.to_string())?;
        check_fields(&format!("explain({id})"), serde_json::to_value(why).unwrap(), fields)?;
    }
    for (queue, ids) in &step.waiting {
        let got = r.waiting_ids(queue).map_err(|e| e.to_string())?;
        if got != *ids {
            return Err(format!("waiting in {queue}: expected {ids:?}, got {got:?}"));
        }
    }
    Ok(())
}

fn scenario_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn shared_scenarios_hold_on_the_core() {
    let files = scenario_files();
    assert!(files.len() >= 3, "scenarios missing: {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable scenario");
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let raw: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Serde cannot refuse unknown keys beside a flattened call: a step
        // has exactly one key that is not an expectation, its call.
        for (i, step) in raw["steps"].as_array().expect("steps").iter().enumerate() {
            let calls: Vec<&String> = step
                .as_object()
                .expect("a step is an object")
                .keys()
                .filter(|k| !EXPECTATIONS.contains(&k.as_str()))
                .collect();
            assert_eq!(calls.len(), 1, "{name}, step {i}: one call per step, got {calls:?}");
        }
        let sc: Scenario =
            serde_json::from_value(raw).unwrap_or_else(|e| panic!("{name}: not a scenario: {e}"));
        let mut r = Router::new(sc.config).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (i, step) in sc.steps.iter().enumerate() {
            if let Err(why) = run_step(&mut r, step) {
                panic!("{name}, step {i} (at {}): {why}", step.now);
            }
            check(&r);
        }
    }
}
