use super::*;

fn room(units: u32, slots: &[u32]) -> Room {
    Room { free_units: units, free_slots: slots.to_vec() }
}
fn dem(channel: usize, units: u32) -> Demand {
    Demand { channel, units }
}
fn edge(contact: usize, agent: usize, weight: f64) -> Edge {
    Edge { contact, agent, weight }
}

#[test]
fn greedy_is_suboptimal_solve_is_not() {
    let p = Problem {
        demands: vec![dem(0, 1), dem(0, 1)],
        rooms: vec![room(10, &[1]), room(10, &[1])],
        edges: vec![edge(0, 0, 2.0), edge(0, 1, 1.0), edge(1, 0, 2.0)],
    };
    let g = greedy(&p);
    assert_eq!(g.pairs, vec![(0, 0)]);
    let s = solve(&p);
    assert_eq!(s.pairs, vec![(0, 1), (1, 0)]);
    assert_eq!(s.total, 3.0);
    feasible(&p, &s).unwrap();
}
