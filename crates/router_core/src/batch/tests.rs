use super::*;
use proptest::prelude::*;
use proptest::test_runner::Config as PtConfig;

fn room(units: u32, slots: &[u32]) -> Room {
    Room { free_units: units, free_slots: slots.to_vec() }
}
fn dem(channel: usize, units: u32) -> Demand {
    Demand { channel, units }
}
fn edge(contact: usize, agent: usize, weight: f64) -> Edge {
    Edge { contact, agent, weight }
}
/// A 100-unit blended agent: voice 100 × 1, chat 25 × 4 (as free slots).
fn blended() -> Room {
    room(100, &[1, 4])
}
const VOICE: Demand = Demand { channel: 0, units: 100 };
const CHAT: Demand = Demand { channel: 1, units: 25 };

/// Checks feasibility and the invariants every answer must have.
fn check(p: &Problem) -> (Assignment, SolveStats) {
    let (s, st) = solve_with_stats(p);
    let g = greedy(p);
    feasible(p, &s).unwrap_or_else(|e| panic!("solve infeasible: {e}\n{p:?}\n{s:?}"));
    feasible(p, &g).unwrap_or_else(|e| panic!("greedy infeasible: {e}\n{p:?}\n{g:?}"));
    assert!(s.total >= g.total - 1e-9, "solve {} < greedy {}", s.total, g.total);
    assert!(st.upper_bound >= s.total - 1e-9);
    assert_eq!(solve(p), s, "deterministic");
    (s, st)
}

/// The optimum by exhaustive search (branch and bound), for small problems.
fn brute(p: &Problem) -> f64 {
    let norm = Norm::new(p);
    let n = p.demands.len();
    let top: Vec<f64> =
        (0..n).map(|i| norm.of(i).iter().map(|e| e.2).fold(0.0, f64::max)).collect();
    let mut rest = vec![0.0; n + 1];
    for i in (0..n).rev() {
        rest[i] = rest[i + 1] + top[i];
    }
    fn go(
        p: &Problem,
        norm: &Norm,
        rest: &[f64],
        load: &mut Load,
        i: usize,
        val: f64,
        best: &mut f64,
    ) {
        if val > *best {
            *best = val;
        }
        if i == p.demands.len() || val + rest[i] <= *best + 1e-12 {
            return;
        }
        for &(_, a, w) in norm.of(i) {
            let a = a as usize;
            if load.fits(p, i, a) {
                load.add(p, i, a);
                go(p, norm, rest, load, i + 1, val + w, best);
                let d = p.demands[i];
                load.units[a] -= u64::from(d.units);
                load.slots[a][d.channel] -= 1;
            }
        }
        go(p, norm, rest, load, i + 1, val, best);
    }
    let mut best = 0.0;
    go(p, &norm, &rest, &mut Load::new(p), 0, 0.0, &mut best);
    best
}

#[test]
fn empty_problems() {
    for p in [
        Problem::default(),
        Problem { demands: vec![VOICE, CHAT], ..Problem::default() },
        Problem { rooms: vec![blended()], ..Problem::default() },
        Problem { demands: vec![VOICE], rooms: vec![blended()], edges: vec![] },
    ] {
        let (s, st) = check(&p);
        assert_eq!(s, Assignment::default());
        assert!(st.proven_optimal);
        assert_eq!(greedy(&p), Assignment::default());
    }
}

#[test]
fn contacts_without_edges_and_agents_without_room() {
    let p = Problem {
        demands: vec![CHAT, VOICE, CHAT, dem(7, 1)],
        rooms: vec![
            room(0, &[1, 4]),   // no units
            room(100, &[0, 0]), // no slots
            room(75, &[1, 3]),  // voice does not fit
            room(100, &[]),     // no channel at all
            room(100, &[1, 1]),
        ],
        edges: vec![
            // contact 0: only agents without room, and agent 4
            edge(0, 0, 5.0),
            edge(0, 1, 5.0),
            edge(0, 3, 5.0),
            edge(0, 4, 1.0),
            // contact 1 (voice): agent 2 has 75 units only
            edge(1, 2, 9.0),
            // contact 2: no edge
            // contact 3: a channel no agent has
            edge(3, 4, 9.0),
        ],
    };
    let (s, st) = check(&p);
    assert_eq!(s.pairs, vec![(0, 4)]);
    assert_eq!(s.total, 1.0);
    assert!(st.proven_optimal);
}

#[test]
fn invalid_and_duplicate_edges() {
    let p = Problem {
        demands: vec![CHAT, CHAT],
        rooms: vec![room(100, &[0, 2])],
        edges: vec![
            edge(0, 0, 1.0),
            edge(0, 0, 3.0), // duplicate: the highest counts
            edge(1, 0, f64::NAN),
            edge(1, 0, -1.0),
            edge(1, 0, 0.0),
            edge(1, 5, 1.0), // agent out of range
            edge(9, 0, 1.0), // contact out of range
        ],
    };
    let (s, _) = check(&p);
    assert_eq!(s.pairs, vec![(0, 0)]);
    assert_eq!(s.total, 3.0);
    assert!(feasible(&p, &Assignment { pairs: vec![(1, 0)], total: 0.0 }).is_err());
}

#[test]
fn greedy_is_suboptimal_solve_is_not() {
    // Contact 0 can go to A (2) or B (1), contact 1 only to A (2): greedy
    // gives 0→A and leaves 1 out (2); the optimum is 0→B, 1→A (3).
    let p = Problem {
        demands: vec![dem(0, 1), dem(0, 1)],
        rooms: vec![room(10, &[1]), room(10, &[1])],
        edges: vec![edge(0, 0, 2.0), edge(0, 1, 1.0), edge(1, 0, 2.0)],
    };
    let g = greedy(&p);
    assert_eq!(g.pairs, vec![(0, 0)]);
    assert_eq!(g.total, 2.0);
    let (s, st) = check(&p);
    assert_eq!(s.pairs, vec![(0, 1), (1, 0)]);
    assert_eq!(s.total, 3.0);
    assert!(st.units_safe && st.proven_optimal && !st.from_greedy);
    assert_eq!(st.iterations, 1);
}

#[test]
fn multi_slot_agents_and_chains() {
    // A has 2 chat slots, B 1, C 1. Contacts in index order grab their best
    // agent; the optimum needs a chain of displacements.
    let p = Problem {
        demands: vec![CHAT; 4],
        rooms: vec![room(100, &[0, 2]), room(100, &[0, 1]), room(100, &[0, 1])],
        edges: vec![
            edge(0, 0, 5.0),
            edge(0, 1, 4.0),
            edge(1, 0, 5.0),
            edge(1, 2, 4.5),
            edge(2, 0, 4.0),
            edge(3, 1, 3.0),
        ],
    };
    // Greedy: 0→A 5, 1→A 5, 2 nothing (A full), 3→B 3 = 13.
    assert_eq!(greedy(&p).total, 13.0);
    // Optimum: 0→A 5, 1→C 4.5 (its second choice), 2→A 4, 3→B 3 = 16.5.
    let (s, st) = check(&p);
    assert_eq!(s.pairs, vec![(0, 0), (1, 2), (2, 0), (3, 1)]);
    assert_eq!(s.total, 16.5);
    assert_eq!(s.total, brute(&p));
    assert!(st.units_safe);
}

#[test]
fn units_bind_voice_against_chats() {
    // A is a blended 100-unit agent; B can only take voice. Greedy puts the
    // voice call on A (3) and then no chat fits there (3 in all). The
    // optimum sends the call to B (1) and four chats to A (4 × 1): 5.
    let p = Problem {
        demands: vec![VOICE, CHAT, CHAT, CHAT, CHAT],
        rooms: vec![blended(), room(100, &[1, 0])],
        edges: vec![
            edge(0, 0, 3.0),
            edge(0, 1, 1.0),
            edge(1, 0, 1.0),
            edge(2, 0, 1.0),
            edge(3, 0, 1.0),
            edge(4, 0, 1.0),
        ],
    };
    let g = greedy(&p);
    assert_eq!(g.total, 3.0);
    let (s, st) = check(&p);
    assert!(!st.units_safe, "voice + a chat do not fit in 100 units");
    assert_eq!(s.pairs, vec![(0, 1), (1, 0), (2, 0), (3, 0), (4, 0)]);
    assert_eq!(s.total, 5.0);
    assert_eq!(s.total, brute(&p));
}

#[test]
fn units_bind_the_voice_call_wins() {
    // Same agent; now the voice call is worth more than the chats together
    // and has nowhere else to go.
    let p = Problem {
        demands: vec![CHAT, CHAT, VOICE],
        rooms: vec![blended()],
        edges: vec![edge(0, 0, 1.0), edge(1, 0, 1.0), edge(2, 0, 3.0)],
    };
    assert_eq!(greedy(&p).total, 2.0);
    let (s, st) = check(&p);
    assert_eq!(s.pairs, vec![(2, 0)]);
    assert_eq!(s.total, 3.0);
    assert_eq!(s.total, brute(&p));
    // The Lagrangian dual of this instance is 10/3 (voice + chat at a unit
    // price of 2/75): the bound cannot close the integrality gap.
    assert!(!st.proven_optimal && st.upper_bound >= 10.0 / 3.0 - 1e-9, "{st:?}");
}

#[test]
fn safe_agents_are_detected() {
    let safe = |rooms: Vec<Room>, demands: Vec<Demand>| {
        let edges = (0..demands.len())
            .flat_map(|i| (0..rooms.len()).map(move |a| edge(i, a, 1.0)))
            .collect();
        solve_with_stats(&Problem { demands, rooms, edges }).1.units_safe
    };
    // Voice only / chat only / only chats fit (75 units, 3 slots' worth).
    assert!(safe(vec![room(100, &[1, 0])], vec![VOICE, VOICE]));
    assert!(safe(vec![room(100, &[0, 4])], vec![CHAT; 6]));
    assert!(safe(vec![room(75, &[1, 3])], vec![VOICE, CHAT, CHAT, CHAT, CHAT]));
    // Voice and two chats both possible in 100 units: binds.
    assert!(!safe(vec![blended()], vec![VOICE, CHAT, CHAT]));
    // One voice call and one chat: at most one of any two fits (the count
    // cap), so the relaxation is exact.
    assert!(safe(vec![blended()], vec![VOICE, CHAT]));
    // ... unless there is no voice contact to mix with.
    assert!(safe(vec![blended()], vec![CHAT; 5]));
    // Generous units: never binds.
    assert!(safe(vec![room(1000, &[1, 4])], vec![VOICE, CHAT, CHAT, CHAT, CHAT]));
}

#[test]
fn ties_are_broken_by_index() {
    let p = Problem {
        demands: vec![CHAT; 3],
        rooms: vec![room(100, &[0, 1]), room(100, &[0, 1])],
        edges: (0..3).flat_map(|i| (0..2).map(move |a| edge(i, a, 1.0))).collect(),
    };
    let (s, _) = check(&p);
    assert_eq!(s.total, 2.0);
    assert_eq!(s, solve(&p.clone()));
}

#[test]
fn feasible_rejects_what_it_must() {
    let p = Problem {
        demands: vec![VOICE, CHAT, CHAT],
        rooms: vec![blended(), room(50, &[1, 1])],
        edges: vec![
            edge(0, 0, 1.0),
            edge(1, 0, 1.0),
            edge(2, 0, 1.0),
            edge(1, 1, 1.0),
            edge(2, 1, 1.0),
        ],
    };
    let ok = |pairs: Vec<(usize, usize)>| {
        let total = pairs.len() as f64;
        feasible(&p, &Assignment { pairs, total })
    };
    assert!(ok(vec![(1, 0), (2, 0)]).is_ok());
    assert!(ok(vec![(0, 0)]).is_ok());
    assert!(ok(vec![(0, 0), (1, 0)]).unwrap_err().contains("units"));
    assert!(ok(vec![(1, 1), (2, 1)]).unwrap_err().contains("slots"));
    assert!(ok(vec![(1, 0), (1, 1)]).unwrap_err().contains("twice"));
    assert!(ok(vec![(2, 0), (1, 0)]).unwrap_err().contains("sorted"));
    assert!(ok(vec![(0, 1)]).unwrap_err().contains("no edge"));
    assert!(ok(vec![(5, 0)]).unwrap_err().contains("out of range"));
    assert!(ok(vec![(0, 5)]).unwrap_err().contains("out of range"));
    assert!(feasible(&p, &Assignment { pairs: vec![(1, 0)], total: 2.0 })
        .unwrap_err()
        .contains("total"));
}

#[test]
fn best_subset_is_the_knapsack_optimum() {
    let items = [(3.0, 100), (1.0, 25), (1.0, 25), (1.0, 25), (1.5, 50)];
    // 100 units: two chats and the email (3.5) beat the voice call (3).
    assert_eq!(flow::best_subset(&items, 100), vec![false, true, true, false, true]);
    assert_eq!(flow::best_subset(&items, 125), vec![false, true, true, true, true]);
    assert_eq!(flow::best_subset(&items, 75), vec![false, true, true, true, false]);
    assert_eq!(flow::best_subset(&items, 10), vec![false; 5]);
    // Beyond the exact limit: weight per unit.
    let many: Vec<(f64, u64)> = (0..30).map(|k| (1.0 + k as f64, 10 + k as u64)).collect();
    let keep = flow::best_subset(&many, 100);
    assert!(keep.iter().zip(&many).filter(|(k, _)| **k).map(|(_, x)| x.1).sum::<u64>() <= 100);
}

#[test]
fn options_cap_the_work() {
    let p = Problem {
        demands: vec![VOICE, CHAT, CHAT, CHAT, CHAT],
        rooms: vec![blended(), room(100, &[1, 0])],
        edges: vec![
            edge(0, 0, 3.0),
            edge(0, 1, 1.0),
            edge(1, 0, 1.0),
            edge(2, 0, 1.0),
            edge(3, 0, 1.0),
            edge(4, 0, 1.0),
        ],
    };
    let (a, st) = solve_with(&p, &Options { max_iterations: 0, local_search: false });
    assert_eq!(st.iterations, 1);
    feasible(&p, &a).unwrap();
    assert!(a.total >= greedy(&p).total);
}

// ---- properties --------------------------------------------------------

const UNITS: [u32; 3] = [100, 25, 50];

fn weight() -> impl Strategy<Value = f64> {
    prop_oneof![(1u32..=4).prop_map(f64::from), 0.01f64..10.0]
}

/// Up to `max_n` contacts × 6 agents × 3 channels. Units: the channel's
/// (voice 100, chat 25, email 50) or, one contact in four, anything in
/// 0..=60. Free units among 0..=150, or 10,000 when `generous` (units never
/// bind). Free slots 0..=3 per channel, sometimes fewer channels listed.
fn problem(max_n: usize, generous: bool) -> impl Strategy<Value = Problem> {
    (1usize..=6, 0usize..=max_n)
        .prop_flat_map(|(m, n)| {
            (
                prop::collection::vec((0usize..6, prop::collection::vec(0u32..=3, 0..=3)), m),
                prop::collection::vec((0usize..3, 0u8..4, 0u32..=60), n),
                prop::collection::vec(prop::option::weighted(0.45, weight()), n * m),
            )
        })
        .prop_map(move |(rooms, demands, weights)| {
            let m = rooms.len();
            let rooms = rooms
                .into_iter()
                .map(|(u, slots)| Room {
                    free_units: if generous { 10_000 } else { [0, 25, 50, 75, 100, 150][u] },
                    free_slots: slots,
                })
                .collect();
            let demands = demands
                .into_iter()
                .map(|(c, kind, u)| Demand {
                    channel: c,
                    units: if kind == 0 { u } else { UNITS[c] },
                })
                .collect();
            let edges = weights
                .into_iter()
                .enumerate()
                .filter_map(|(k, w)| w.map(|w| edge(k / m, k % m, w)))
                .collect();
            Problem { demands, rooms, edges }
        })
}

/// Contact-center-like problems where units bind: 100-unit agents (voice
/// 100 × 1, chat 25 × 4, email 50 × 2) in a random state (idle, with
/// chats, with an email, ...), 1–7 contacts on the three channels.
fn blended_problem() -> impl Strategy<Value = Problem> {
    (1usize..=4, 1usize..=7)
        .prop_flat_map(|(m, n)| {
            (
                prop::collection::vec((0u32..=1, 0u32..=3, 0u32..=1), m),
                prop::collection::vec(0usize..3, n),
                prop::collection::vec(prop::option::weighted(0.6, weight()), n * m),
            )
        })
        .prop_map(|(held, channels, weights)| {
            let m = held.len();
            let rooms = held
                .into_iter()
                .map(|(v, c, e)| {
                    let (c, e) = if v == 1 { (0, 0) } else { (c, e) };
                    let (c, e) = if 25 * c + 50 * e > 100 { (c, 0) } else { (c, e) };
                    Room {
                        free_units: 100 - 100 * v - 25 * c - 50 * e,
                        free_slots: vec![1 - v, 4 - c, 2 - e],
                    }
                })
                .collect();
            let demands =
                channels.into_iter().map(|c| Demand { channel: c, units: UNITS[c] }).collect();
            let edges = weights
                .into_iter()
                .enumerate()
                .filter_map(|(k, w)| w.map(|w| edge(k / m, k % m, w)))
                .collect();
            Problem { demands, rooms, edges }
        })
}

proptest! {
    // BATCH_CASES=n runs more cases locally.
    #![proptest_config(PtConfig {
        cases: std::env::var("BATCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..PtConfig::default()
    })]

    /// Feasible, never worse than greedy, below its own bound; on small
    /// problems never above the optimum, and equal to it whenever it claims
    /// optimality (in particular when units cannot bind).
    #[test]
    fn solve_is_feasible_and_beats_greedy(p in problem(12, false)) {
        let (s, st) = check(&p);
        if p.demands.len() <= 7 {
            let opt = brute(&p);
            prop_assert!(s.total <= opt + 1e-9, "above the optimum: {} > {}", s.total, opt);
            prop_assert!(st.upper_bound >= opt - 1e-9, "bound {} below the optimum {}", st.upper_bound, opt);
            if st.proven_optimal || st.units_safe {
                prop_assert!((s.total - opt).abs() <= 1e-9, "claimed optimal: {} vs {}\n{:?}", s.total, opt, st);
            }
        }
    }

    /// Where units bind: feasible, at least greedy, at most the optimum,
    /// the bound above the optimum, and the optimum when it says so.
    #[test]
    fn solve_is_sound_when_units_bind(p in blended_problem()) {
        let (s, st) = check(&p);
        let opt = brute(&p);
        prop_assert!(s.total <= opt + 1e-9, "above the optimum: {} > {}", s.total, opt);
        prop_assert!(st.upper_bound >= opt - 1e-9, "bound {} below the optimum {}", st.upper_bound, opt);
        if st.proven_optimal || st.units_safe {
            prop_assert!((s.total - opt).abs() <= 1e-9, "claimed optimal: {} vs {}\n{:?}", s.total, opt, st);
        }
    }

    /// Without a binding units constraint, the answer is the optimum.
    #[test]
    fn solve_is_exact_when_units_do_not_bind(p in problem(7, true)) {
        let (s, st) = check(&p);
        prop_assert!(st.units_safe);
        prop_assert!(st.proven_optimal);
        let opt = brute(&p);
        prop_assert!((s.total - opt).abs() <= 1e-9, "{} vs optimum {}", s.total, opt);
    }
}

#[test]
#[ignore = "census: cargo test -p router_core --release --lib census -- --ignored --nocapture"]
fn census_where_units_bind() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strat = blended_problem();
    let (mut n, mut unsafe_, mut g_opt, mut s_opt, mut proven) = (0, 0, 0, 0, 0);
    let (mut gsum, mut ssum, mut osum) = (0.0, 0.0, 0.0);
    for _ in 0..5000 {
        let p = strat.new_tree(&mut runner).unwrap().current();
        let (s, st) = solve_with_stats(&p);
        let g = greedy(&p);
        let o = brute(&p);
        n += 1;
        unsafe_ += usize::from(!st.units_safe);
        g_opt += usize::from(g.total >= o - 1e-9);
        s_opt += usize::from(s.total >= o - 1e-9);
        proven += usize::from(st.proven_optimal);
        gsum += g.total;
        ssum += s.total;
        osum += o;
    }
    eprintln!(
        "{n} problems, units can bind in {unsafe_}; optimal: greedy {g_opt}, solve {s_opt} (proven {proven}); \
         totals: greedy {gsum:.1}, solve {ssum:.1}, optimum {osum:.1}"
    );
}
