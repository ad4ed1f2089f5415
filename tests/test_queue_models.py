"""Queue models: strict priority, aging and virtual wait, the aging cap,
LIFO, greatest need, and how the next contacts of several queues compare
for an agent who serves them all.

Contacts are queued with no agent present, then one voice agent serves
them one at a time (each completion frees it for the next), so the order
of the ``Assigned`` events is the queue's service order. Every expected
order is derived in a comment. Times and rates are chosen to be exact in
binary floating point.
"""

from __future__ import annotations

import math

import pytest

import ccroute as cc
from conftest import VOICE


def new_router(*queues: cc.Queue, **kwargs) -> cc.Router:
    return cc.Router(channels=[VOICE], queues=list(queues), **kwargs)


def submit_all(r: cc.Router, contacts: list[tuple[str, str, int, float]]) -> None:
    """(id, queue, priority, arrival), no agent can take them yet."""
    for cid, q, prio, t in contacts:
        assert r.submit(cc.Contact(cid, channel="voice", queue=q, priority=prio), now=t) == []


def serve(r: cc.Router, start: float, step: float = 1.0, agent: cc.Agent | None = None) -> list[str]:
    """Adds one voice agent at ``start`` and lets it serve every waiting
    contact, completing each ``step`` seconds later. Returns the order."""
    order: list[str] = []
    t = start
    ev = r.add_agent(agent or cc.Agent("a"), now=t)
    while True:
        got = [e.contact for e in ev if isinstance(e, cc.Assigned)]
        if not got:
            break
        assert len(got) == 1, ev
        order.append(got[0])
        t += step
        ev = r.complete(got[0], now=t)
    r.check_invariants()
    return order


# -- strict priority, FIFO within a priority ---------------------------------


def test_strict_priority_then_fifo():
    r = new_router(cc.Queue("q"))
    submit_all(r, [("c1", "q", 0, 0.0), ("c2", "q", 1, 1.0), ("c3", "q", 0, 2.0), ("c4", "q", 1, 3.0), ("c5", "q", 2, 4.0)])
    # Highest priority first: c5 (2); then the 1s by arrival: c2, c4; then
    # the 0s: c1, c3. Waiting longer never helps without aging. waiting()
    # lists them in that order, the order they are served.
    assert r.waiting("q") == ["c5", "c2", "c4", "c1", "c3"]
    assert serve(r, start=100.0) == ["c5", "c2", "c4", "c1", "c3"]


def test_negative_priorities_come_last():
    r = new_router(cc.Queue("q"))
    submit_all(r, [("low", "q", -3, 0.0), ("zero", "q", 0, 1.0), ("lower", "q", -5, 2.0)])
    assert serve(r, start=10.0) == ["zero", "low", "lower"]


# -- aging and virtual wait --------------------------------------------------------

AGING_CONTACTS = [("c1", "q", 0, 0.0), ("c4", "q", 0, 1.0), ("c3", "q", 1, 2.0), ("c2", "q", 2, 4.0), ("c5", "q", 3, 10.0)]
# With 0.25 points per second, at t=20 (and, since every contact gains at the
# same rate, at any time after the last arrival):
#   c1: 0 + 0.25 x 20 = 5.0     c4: 0 + 0.25 x 19 = 4.75
#   c3: 1 + 0.25 x 18 = 5.5     c2: 2 + 0.25 x 16 = 6.0
#   c5: 3 + 0.25 x 10 = 5.5
# Order: c2 (6), c3 and c5 (5.5: the earlier arrival c3 first), c1 (5), c4.
AGING_ORDER = ["c2", "c3", "c5", "c1", "c4"]


def test_aging_rate_reorders_by_effective_priority():
    r = new_router(cc.Queue("q", aging_rate=0.25))
    submit_all(r, AGING_CONTACTS)
    assert serve(r, start=20.0) == AGING_ORDER
    # Strict priority would have served c5 first.
    strict = new_router(cc.Queue("q"))
    submit_all(strict, AGING_CONTACTS)
    assert serve(strict, start=20.0) == ["c5", "c2", "c3", "c1", "c4"]


def test_virtual_wait_is_seconds_per_priority_point():
    q = cc.Queue("q", virtual_wait=4.0)
    # One priority point is worth 4 s of waiting: 0.25 points per second.
    assert q.aging_rate == 0.25
    r = new_router(q)
    submit_all(r, AGING_CONTACTS)
    assert serve(r, start=20.0) == AGING_ORDER


def test_aging_order_does_not_depend_on_when_the_agent_comes():
    # Effective priorities all grow by 0.25 per second: the order at t=11
    # (right after the last arrival) is the order at t=1000.
    for start in (11.0, 1000.0):
        r = new_router(cc.Queue("q", aging_rate=0.25))
        submit_all(r, AGING_CONTACTS)
        assert serve(r, start=start) == AGING_ORDER


def test_virtual_wait_overtakes_exactly_after_n_seconds():
    r = new_router(cc.Queue("q", virtual_wait=10.0))
    # "old" (priority 0) arrived at 0; "new1" (priority 1) at 8, "new2"
    # (priority 1) at 12. One point = 10 s: new1 counts as if it arrived at
    # -2 (ahead of old), new2 as if at 2 (behind old).
    submit_all(r, [("old", "q", 0, 0.0), ("new1", "q", 1, 8.0), ("new2", "q", 1, 12.0)])
    assert serve(r, start=20.0) == ["new1", "old", "new2"]


@pytest.mark.parametrize("bad, shown", [(0.0, "0"), (-5.0, "-5"), (math.nan, "NaN"), (math.inf, "inf")])
def test_bad_virtual_wait_is_refused_naming_it(bad, shown):
    with pytest.raises(cc.InvalidInput, match=rf'queue "q": virtual_wait {shown} is not a positive number'):
        cc.Queue("q", virtual_wait=bad)


def test_virtual_wait_and_aging_rate_together_are_refused():
    with pytest.raises(cc.InvalidInput, match=r"virtual_wait \(4\) or aging_rate \(0.5\), not both"):
        cc.Queue("q", virtual_wait=4.0, aging_rate=0.5)


@pytest.mark.parametrize("rate, shown", [(-0.1, "-0.1"), (math.nan, "NaN"), (math.inf, "inf")])
def test_bad_aging_rate_is_refused_naming_it(rate, shown):
    with pytest.raises(cc.InvalidInput, match=rf'queue "q": aging_rate {shown} is not a finite'):
        new_router(cc.Queue("q", aging_rate=rate))


def test_non_finite_aging_max_is_refused():
    with pytest.raises(cc.InvalidInput, match=r'queue "q": aging_max inf'):
        new_router(cc.Queue("q", aging_rate=1.0, aging_max=math.inf))


# -- aging cap ---------------------------------------------------------------------------


CAP_CONTACTS = [("c1", "q", 0, 0.0), ("c2", "q", 3, 1.0), ("c3", "q", 4, 2.5), ("c4", "q", 0, 4.0)]


def test_aging_max_caps_what_aging_adds_not_the_priority():
    r = new_router(cc.Queue("q", aging_rate=1.0, aging_max=5.0))
    submit_all(r, CAP_CONTACTS)
    # One point per second, the aging term capped at 5: every contact's
    # aging reaches the cap 5 s after its arrival (c1 at 5, c2 at 6, c3 at
    # 7.5, c4 at 9). At t=10 all are capped: effective priorities c1 5,
    # c2 8, c3 9, c4 5: c3, c2, then c1 and c4 (equal: longest wait).
    assert serve(r, start=10.0) == ["c3", "c2", "c1", "c4"]
    # Without the cap, at t=10: c1 10, c2 12, c3 11.5, c4 6 (one second
    # later each: the order does not change).
    uncapped = new_router(cc.Queue("q", aging_rate=1.0))
    submit_all(uncapped, CAP_CONTACTS)
    assert serve(uncapped, start=10.0) == ["c2", "c3", "c1", "c4"]


def test_aging_max_before_anyone_reaches_it_changes_nothing():
    r = new_router(cc.Queue("q", aging_rate=1.0, aging_max=5.0))
    submit_all(r, CAP_CONTACTS[:3])
    # At t=2.75 (c3 arrived at 2.5): c1 2.75, c2 4.75, c3 4.25: nobody
    # capped yet: c2, c3, c1.
    assert serve(r, start=2.75, step=0.125) == ["c2", "c3", "c1"]


def test_a_rising_contact_overtakes_a_capped_one_of_lower_priority():
    contacts = [("O", "q", 0, 0.0), ("H", "q", 3, 2.0)]
    r = new_router(cc.Queue("q", aging_rate=1.0, aging_max=2.0))
    submit_all(r, contacts)
    # O caps at t=2 (effective 0 + 2 = 2); H rises from 3 at t=2 and caps
    # at t=4 (3 + 2 = 5). At t=2.5 O is capped at 2, H (rising) is at 3.5:
    # H first although O is capped and waited longer.
    assert serve(r, start=2.5) == ["H", "O"]


def test_aging_max_does_not_lower_a_priority_above_the_cap():
    # The report: with a cap of 3, a priority-9 contact lost to a
    # priority-5 one. The cap bounds the aging term only.
    r = new_router(cc.Queue("q", aging_rate=0.5, aging_max=3.0))
    submit_all(r, [("p5", "q", 5, 0.0), ("p9", "q", 9, 1.0)])
    assert serve(r, start=100.0) == ["p9", "p5"]


def test_capped_aging_queue_competes_by_priority_with_a_plain_queue():
    # A priority-5 contact in an aging queue capped at 3 is at 5 + 3 = 8
    # once capped: it beats a priority-4 contact of a plain queue (before
    # the fix the cap brought it down to 3).
    r = new_router(cc.Queue("aging", aging_rate=1.0, aging_max=3.0), cc.Queue("plain"))
    submit_all(r, [("plain4", "plain", 4, 0.0), ("aged5", "aging", 5, 1.0)])
    assert serve(r, start=10.0) == ["aged5", "plain4"]


@pytest.mark.parametrize("kwargs", [{"aging_max": 3.0}, {"aging_max": 3.0, "aging_rate": 0.0}])
def test_aging_max_without_aging_is_refused(kwargs):
    with pytest.raises(cc.InvalidInput, match=r'queue "q": aging_max 3 caps what aging adds .* needs a positive aging_rate'):
        new_router(cc.Queue("q", **kwargs))


def test_negative_aging_max_is_refused_naming_it():
    with pytest.raises(cc.InvalidInput, match=r'queue "q": aging_max -1 is not a finite, non-negative number'):
        new_router(cc.Queue("q", aging_rate=1.0, aging_max=-1.0))


def test_capped_contacts_are_ordered_by_priority_then_arrival():
    r = new_router(cc.Queue("q", aging_rate=1.0, aging_max=3.0))
    # All capped by t=10: p0 at 3, p2 at 5, p1 at 4: by priority p2, p1, p0.
    submit_all(r, [("p0", "q", 0, 0.0), ("p2", "q", 2, 1.0), ("p1", "q", 1, 1.5), ("q2", "q", 2, 2.0)])
    # p2 and q2 tie at 5: the longer wait (p2) first.
    assert serve(r, start=10.0) == ["p2", "q2", "p1", "p0"]


def test_a_cap_does_not_follow_a_contact_into_a_queue_without_aging():
    # Reported: a contact capped in an aging queue overflowed into a plain
    # queue, and the next agent to arrive raised a PanicException and left
    # the router corrupted.
    r = new_router(cc.Queue("capped", aging_rate=1.0, aging_max=3.0, overflow_to="plain", overflow_after=5.0),
                   cc.Queue("plain"))
    r.submit(cc.Contact("c", channel="voice", queue="capped"), now=0.0)
    r.advance(6.0)
    r.check_invariants()
    ev = r.add_agent(cc.Agent("a"), now=7.0)
    assert ev == [cc.Assigned(contact="c", agent="a", at=7.0, wait=7.0)]
    r.check_invariants()


def test_a_cap_reached_before_overflow_is_recomputed_in_the_new_queue():
    # Capped at 3 in "fast" (rate 1), the contact overflows at 5 into "slow"
    # (rate 0.5, cap 10), where its wait since arrival is worth 0.5 a
    # second: rising, not capped. At t=6 it is at 3, "local" at 3.25.
    r = new_router(cc.Queue("fast", aging_rate=1.0, aging_max=3.0, overflow_to="slow", overflow_after=5.0),
                   cc.Queue("slow", aging_rate=0.5, aging_max=10.0))
    r.submit(cc.Contact("mover", channel="voice", queue="fast"), now=0.0)
    assert [type(e) for e in r.advance(5.5)] == [cc.Overflowed]
    r.submit(cc.Contact("local", channel="voice", queue="slow", priority=3), now=5.5)
    r.check_invariants()
    assert serve(r, start=6.0) == ["local", "mover"]


# -- LIFO ---------------------------------------------------------------------------------


def test_lifo_newest_first_within_a_priority():
    r = new_router(cc.Queue("q", ordering="lifo"))
    submit_all(r, [("c1", "q", 0, 0.0), ("c2", "q", 0, 1.0), ("c3", "q", 1, 2.0), ("c4", "q", 0, 3.0), ("c5", "q", 1, 4.0)])
    # Priority 1 first, newest first: c5, c3; then the 0s newest first: c4,
    # c2, c1.
    assert serve(r, start=10.0) == ["c5", "c3", "c4", "c2", "c1"]


def test_lifo_new_arrivals_jump_ahead_while_serving():
    r = new_router(cc.Queue("q", ordering="lifo"))
    submit_all(r, [("c1", "q", 0, 0.0), ("c2", "q", 0, 1.0)])
    assert [e.contact for e in r.add_agent(cc.Agent("a"), now=2.0) if isinstance(e, cc.Assigned)] == ["c2"]
    r.submit(cc.Contact("c3", channel="voice", queue="q"), now=3.0)
    # c3 is newer than c1: it is served next.
    assert [e.contact for e in r.complete("c2", now=4.0) if isinstance(e, cc.Assigned)] == ["c3"]
    assert [e.contact for e in r.complete("c3", now=5.0) if isinstance(e, cc.Assigned)] == ["c1"]


@pytest.mark.parametrize(
    "kwargs",
    [{"aging_rate": 0.1}, {"aging_max": 3.0}, {"virtual_wait": 10.0}, {"aging_rate": 0.5, "aging_max": 2.0}],
)
def test_lifo_with_aging_is_refused(kwargs):
    with pytest.raises(cc.InvalidInput, match=r'queue "q": LIFO ordering does not combine with aging'):
        new_router(cc.Queue("q", ordering="lifo", **kwargs))


def test_unknown_ordering_is_refused_naming_it():
    with pytest.raises(cc.InvalidInput, match=r'ordering "fifo" is not one of'):
        cc.Queue("q", ordering="fifo")
    assert cc.Queue("q", ordering="lifo").ordering == "lifo"
    assert cc.Queue("q").ordering == "priority"


# -- greatest need --------------------------------------------------------------------------


GN_CONTACTS = [("b1", "gB", 0, 0.0), ("a1", "gA", 0, 20.0), ("b2", "gB", 0, 22.0), ("a2", "gA", 0, 29.0)]


def test_greatest_need_compares_wait_as_a_share_of_each_threshold():
    r = new_router(cc.Queue("gA", sl_threshold=8.0, ordering="greatest_need"),
                   cc.Queue("gB", sl_threshold=64.0, ordering="greatest_need"))
    submit_all(r, GN_CONTACTS)
    # One agent serves both queues; heads: a1 (gA) and b1 (gB), FIFO in each.
    # t=30: a1 waited 10/8 = 1.25, b1 30/64 = 0.47 -> a1 (b1 waited longer).
    # t=31: b1 31/64 = 0.48, a2 2/8 = 0.25 -> b1.
    # t=32: a2 3/8 = 0.375, b2 10/64 = 0.16 -> a2. Then b2.
    assert serve(r, start=30.0) == ["a1", "b1", "a2", "b2"]


def test_greatest_need_need_can_flip_with_time():
    # The same contacts served later: at t=100, a1 80/8 = 10 and b1 100/64;
    # a1 first. Then at t=101: b1 101/64 = 1.58 vs a2 72/8 = 9 -> a2 (its
    # share of the threshold is bigger now). Then b1 (102/64 = 1.59 vs b2
    # 80/64 = 1.25): b1, b2.
    r = new_router(cc.Queue("gA", sl_threshold=8.0, ordering="greatest_need"),
                   cc.Queue("gB", sl_threshold=64.0, ordering="greatest_need"))
    submit_all(r, GN_CONTACTS)
    assert serve(r, start=100.0) == ["a1", "a2", "b1", "b2"]


def test_same_contacts_in_priority_queues_go_by_longest_wait():
    r = new_router(cc.Queue("gA", sl_threshold=8.0), cc.Queue("gB", sl_threshold=64.0))
    submit_all(r, GN_CONTACTS)
    # Plain queues compare heads by wait in seconds: the oldest first.
    assert serve(r, start=30.0) == ["b1", "a1", "b2", "a2"]


def test_greatest_need_priority_comes_before_need():
    r = new_router(cc.Queue("gA", sl_threshold=8.0, ordering="greatest_need"),
                   cc.Queue("gB", sl_threshold=64.0, ordering="greatest_need"))
    submit_all(r, [("a1", "gA", 0, 0.0), ("b1", "gB", 1, 10.0), ("a2", "gA", 2, 11.0)])
    # a2 (priority 2) jumps ahead of a1 in gA; b1 (1) before a1 (0) although
    # a1's need (12/8) is far bigger.
    assert serve(r, start=12.0) == ["a2", "b1", "a1"]


# -- across queues ---------------------------------------------------------------------------


def test_cross_queue_uses_effective_priorities_of_each_queue():
    r = new_router(cc.Queue("aging", aging_rate=0.25), cc.Queue("plain"))
    # x1 (aging, priority 0, at 0); y1 (plain, priority 4, at 2); x2 (aging,
    # priority 0, at 8); y2 (plain, priority 3, at 9).
    submit_all(r, [("x1", "aging", 0, 0.0), ("y1", "plain", 4, 2.0), ("x2", "aging", 0, 8.0), ("y2", "plain", 3, 9.0)])
    # t=20: x1 5.0 vs y1 4 -> x1.
    # t=21: x2 0.25 x 13 = 3.25 vs y1 4 -> y1.
    # t=22: x2 3.5 vs y2 3 -> x2. Then y2.
    assert serve(r, start=20.0) == ["x1", "y1", "x2", "y2"]


def test_cross_queue_capped_contacts_compare_by_cap_then_wait():
    r = new_router(cc.Queue("capA", aging_rate=1.0, aging_max=3.0), cc.Queue("capB", aging_rate=1.0, aging_max=6.0))
    # a1 at 0 and b1 at 1, both priority 0; at t=10 a1 is capped at 3, b1 at 6.
    submit_all(r, [("a1", "capA", 0, 0.0), ("b1", "capB", 0, 1.0)])
    # b1's effective priority (6) beats a1's (3) although a1 waited longer.
    assert serve(r, start=10.0) == ["b1", "a1"]


def test_cross_queue_equal_priority_goes_to_longest_wait():
    r = new_router(cc.Queue("s"), cc.Queue("t"), cc.Queue("u"))
    submit_all(r, [("t1", "t", 0, 1.0), ("u1", "u", 0, 2.0), ("s1", "s", 0, 3.0), ("t2", "t", 0, 4.0)])
    assert serve(r, start=10.0) == ["t1", "u1", "s1", "t2"]


def test_cross_queue_lifo_head_competes_with_its_own_wait():
    r = new_router(cc.Queue("fifo"), cc.Queue("stack", ordering="lifo"))
    submit_all(r, [("s1", "stack", 0, 0.0), ("f1", "fifo", 0, 1.0), ("s2", "stack", 0, 2.0), ("f2", "fifo", 0, 5.0)])
    # Heads: fifo f1 (waited since 1), stack s2 (its newest, since 2).
    # t=10: f1 (9 s) vs s2 (8 s) -> f1. t=11: f2 (since 5) vs s2 (since 2)
    # -> s2. t=12: f2 vs s1 (since 0) -> s1. Then f2.
    assert serve(r, start=10.0) == ["f1", "s2", "s1", "f2"]


def test_agent_serving_a_subset_of_queues_ignores_the_others():
    r = new_router(cc.Queue("a"), cc.Queue("b"))
    submit_all(r, [("b1", "b", 9, 0.0)])
    r.submit(cc.Contact("a1", channel="voice", queue="a", requires={"x": 1}), now=1.0)
    # The agent has x but b1 needs y: only a1 is for it.
    r.submit(cc.Contact("b2", channel="voice", queue="b", priority=9, requires={"y": 1}), now=2.0)
    assert serve(r, start=5.0, agent=cc.Agent("ag", skills={"x": 1})) == ["b1", "a1"]
    assert r.waiting("b") == ["b2"]


def test_queue_order_survives_snapshot_restore():
    r = new_router(cc.Queue("q", aging_rate=1.0, aging_max=5.0), cc.Queue("lifo", ordering="lifo"))
    submit_all(r, CAP_CONTACTS + [("l1", "lifo", 0, 4.5), ("l2", "lifo", 0, 5.0)])
    copy = cc.Router.restore(r.snapshot())
    # The pending cap timers (c2 at 6, c3 at 7.5, c4 at 9) are in the
    # snapshot too. One per second from t=6: c2 (capped at 6: 3 + 5 = 8)
    # beats c3 (rising, 7.5); t=7 c3 (8.5); t=8 c1 (capped, 5) beats c4
    # (rising, 4); t=9 c4 reaches its cap (5); then the LIFO queue, newest
    # first: l2, l1.
    order = serve(r, start=6.0)
    assert order == ["c2", "c3", "c1", "c4", "l2", "l1"]
    assert serve(copy, start=6.0) == order


# -- LIFO across requirement groups ---------------------------------------------------------


def test_lifo_serves_the_newest_first_across_requirement_groups():
    # Reported: c7 (newer, with a requirement) sat in another wait group
    # than c6 and the agent took c6.
    r = cc.Router(channels=[cc.Channel("voice", cost=100, max_per_agent=1)],
                  queues=[cc.Queue("q0", ordering="lifo")], policy="longest_idle", affinity=False)
    r.add_agent(cc.Agent("a2", skills={"s1": 4, "s0": 8}, state="offline"), now=0.0)
    r.submit(cc.Contact("c6", channel="voice", queue="q0", priority=2), now=1.75)
    r.submit(cc.Contact("c7", channel="voice", queue="q0", priority=2, requires={"s0": 3}), now=2.5)
    ev = r.set_agent_state("a2", "available", now=6.5)
    assert [e.contact for e in ev if isinstance(e, cc.Assigned)] == ["c7"]
    r.check_invariants()


def test_lifo_priority_still_comes_first_across_groups():
    r = new_router(cc.Queue("q", ordering="lifo"))
    r.submit(cc.Contact("old_hi", channel="voice", queue="q", priority=1, requires={"x": 1}), now=0.0)
    r.submit(cc.Contact("mid", channel="voice", queue="q", priority=0), now=1.0)
    r.submit(cc.Contact("new_lo", channel="voice", queue="q", priority=0, requires={"y": 1}), now=2.0)
    assert serve(r, start=5.0, agent=cc.Agent("a", skills={"x": 1, "y": 1})) == ["old_hi", "new_lo", "mid"]


@pytest.mark.parametrize(
    "queue, expected",
    [
        # FIFO by priority: the oldest first whatever its group.
        (cc.Queue("q"), ["g0", "g1", "g2", "g3"]),
        # Aging: equal priorities age alike: oldest first.
        (cc.Queue("q", aging_rate=0.5), ["g0", "g1", "g2", "g3"]),
        (cc.Queue("q", virtual_wait=10.0), ["g0", "g1", "g2", "g3"]),
        # Capped aging: all capped by t=20: oldest first.
        (cc.Queue("q", aging_rate=1.0, aging_max=2.0), ["g0", "g1", "g2", "g3"]),
        # Greatest need within one queue is FIFO.
        (cc.Queue("q", ordering="greatest_need"), ["g0", "g1", "g2", "g3"]),
        # LIFO: the newest first whatever its group.
        (cc.Queue("q", ordering="lifo"), ["g3", "g2", "g1", "g0"]),
    ],
    ids=["priority", "aging", "virtual_wait", "aging_max", "greatest_need", "lifo"],
)
def test_every_ordering_holds_across_requirement_groups(queue, expected):
    # Four contacts of one queue in four wait groups (different
    # requirements), alternating so that no group is in order by accident.
    r = new_router(queue)
    for i, req in enumerate([{"x": 1}, {}, {"y": 1}, {"x": 2}]):
        r.submit(cc.Contact(f"g{i}", channel="voice", queue="q", requires=req), now=float(i))
    assert serve(r, start=20.0, agent=cc.Agent("a", skills={"x": 2, "y": 1})) == expected


def test_cross_queue_lifo_queue_competes_with_its_newest_contact():
    # Two LIFO groups (newest s3 needs x) and a FIFO queue: the LIFO queue's
    # newest contact across its groups is its representative.
    r = new_router(cc.Queue("fifo"), cc.Queue("stack", ordering="lifo"))
    r.submit(cc.Contact("s1", channel="voice", queue="stack"), now=0.0)
    r.submit(cc.Contact("f1", channel="voice", queue="fifo"), now=1.0)
    r.submit(cc.Contact("s3", channel="voice", queue="stack", requires={"x": 1}), now=3.0)
    # t=10: f1 (9 s) vs stack's newest s3 (7 s): f1. t=11: s3, then s1.
    assert serve(r, start=10.0, agent=cc.Agent("a", skills={"x": 1})) == ["f1", "s3", "s1"]
