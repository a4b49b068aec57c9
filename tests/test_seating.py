"""Seating: World Café rounds that mix people who have not met, and 1-2-4-All groups."""

from __future__ import annotations

from collections import Counter

from hostkit.domain.seating import (
    Guest,
    Table,
    form_groups,
    lower_bound,
    meetings,
    propose,
    repeats,
    round_lower_bound,
)


def cafe(people: int, tables: int) -> tuple[list[Table], list[Guest]]:
    """Tables t0.. each with a host h0..; everyone can reach every table."""
    hall = [Table(f"t{i}", host_id=f"h{i}") for i in range(tables)]
    names = [f"h{i}" for i in range(tables)] + [f"p{i}" for i in range(people - tables)]
    reach = frozenset(t.id for t in hall)
    return hall, [Guest(n, reach) for n in names]


def play(
    hall: list[Table], guests: list[Guest], rounds: int, seed: int = 7
) -> list[dict[str, str]]:
    played: list[dict[str, str]] = []
    for r in range(rounds):
        played.append(propose(hall, guests, meetings(played), seed=seed + r))
    return played


def total_repeats(played: list[dict[str, str]]) -> int:
    return sum(repeats(s, meetings(played[:r])) for r, s in enumerate(played))


def test_twenty_people_at_five_tables_over_three_rounds_never_meet_twice() -> None:
    hall, guests = cafe(20, 5)
    played = play(hall, guests, 3)
    found = total_repeats(played)
    best = lower_bound(people=20, tables=5, rounds=3, hosted=True)
    print(
        f"\nWorld Café 20 people, 5 tables, 3 rounds: {found} repeat meetings, best possible {best}"
    )
    assert found == best == 0
    for seating in played:
        assert sorted(Counter(seating.values()).values()) == [4, 4, 4, 4, 4]
        assert all(seating[f"h{i}"] == f"t{i}" for i in range(5))


def test_travellers_visit_a_different_table_every_round() -> None:
    hall, guests = cafe(20, 5)
    played = play(hall, guests, 3, seed=1)
    for guest in guests:
        if guest.id.startswith("p"):
            assert len({s[guest.id] for s in played}) == 3


def test_the_same_seed_gives_the_same_seating_and_another_seed_may_not() -> None:
    hall, guests = cafe(20, 5)
    assert play(hall, guests, 3, seed=3) == play(hall, guests, 3, seed=3)


def test_when_repeats_cannot_be_avoided_the_proposal_stays_near_the_bound() -> None:
    # 12 people, 3 tables of 4, 5 rounds: each traveller must see some host again.
    hall, guests = cafe(12, 3)
    found = total_repeats(play(hall, guests, 5))
    best = lower_bound(people=12, tables=3, rounds=5, hosted=True)
    print(f"\nWorld Café 12 people, 3 tables, 5 rounds: {found} repeats, lower bound {best}")
    # The bound counts slots, not schedules, so it is not always reachable; a greedy
    # round-by-round proposal was measured at 30 to 31 against 27 here.
    assert best == 27
    assert best <= found <= best + 6


def test_nobody_is_seated_at_a_table_they_cannot_reach() -> None:
    room = [Table("hall1", "h1"), Table("hall2", "h2")]
    online = [Table("web1", "w1")]
    hall_reach = frozenset({"hall1", "hall2"})
    guests = [Guest(f"r{i}", hall_reach) for i in range(6)]
    guests += [Guest(f"x{i}", frozenset({"web1", "hall1"})) for i in range(3)]  # hall1 is hybrid
    guests += [Guest("h1", hall_reach), Guest("h2", hall_reach), Guest("w1", frozenset({"web1"}))]
    seating = propose(room + online, guests, {}, seed=2)
    assert all(seating[f"r{i}"] in hall_reach for i in range(6))
    assert all(seating[f"x{i}"] in {"web1", "hall1"} for i in range(3))
    assert len(seating) == len(guests)


def test_tables_grow_past_four_only_when_there_are_too_few() -> None:
    hall, guests = cafe(23, 5)
    seating = propose(hall, guests, {}, seed=0)
    assert sorted(Counter(seating.values()).values()) == [4, 4, 5, 5, 5]


def test_original_groups_are_not_re_formed() -> None:
    hall, guests = cafe(16, 4)
    first = propose(hall, guests, {}, seed=5)
    second = propose(hall, guests, meetings([first]), seed=6)
    assert repeats(second, meetings([first])) == 0


def test_the_lower_bound_counts_unavoidable_repeats() -> None:
    assert lower_bound(people=20, tables=5, rounds=3, hosted=True) == 0
    # six rounds at five tables: every one of the 15 travellers meets a host twice
    assert lower_bound(people=20, tables=5, rounds=6, hosted=True) >= 15
    # 8 people at 2 tables, 3 rounds: each meets 3 a round, 9 in all, but only 7 others
    # exist, so each has 2 repeat slots: 8 * 2 / 2 = 8 repeated pairs at least
    assert lower_bound(people=8, tables=2, rounds=3, hosted=False) == 8


def test_pairs_stay_in_their_venue_and_an_odd_person_makes_a_trio() -> None:
    people = [(f"r{i}", "hall") for i in range(5)] + [(f"w{i}", "online") for i in range(4)]
    groups = form_groups(people, size=2, seed=1)
    assert sorted(len(g) for g in groups) == [2, 2, 2, 3]
    for group in groups:
        assert len({dict(people)[p] for p in group}) == 1
    assert sorted(p for g in groups for p in g) == sorted(p for p, _ in people)


def test_fours_are_made_of_whole_pairs() -> None:
    people = [(f"r{i}", "hall") for i in range(8)]
    pairs = form_groups(people, size=2, seed=1)
    fours = form_groups(people, size=4, seed=2, keep=pairs)
    assert sorted(len(g) for g in fours) == [4, 4]
    for two in pairs:
        assert any(set(two) <= set(four) for four in fours)


def test_a_leftover_pair_joins_a_four_rather_than_stay_apart() -> None:
    people = [(f"r{i}", "hall") for i in range(6)]
    fours = form_groups(people, size=4, keep=form_groups(people, size=2))
    assert [len(g) for g in fours] == [6]


def test_the_round_bound_counts_companions_nobody_new_can_fill() -> None:
    four = ["a", "b", "c", "d"]
    everyone_met = meetings([{p: "t" for p in four}])
    assert round_lower_bound(four, everyone_met, tables=1) == 6  # all six pairs again
    assert round_lower_bound(four, {}, tables=1) == 0
    # hosted: a traveller who has met every host must meet one again
    people = ["h1", "h2", "x", "y"]
    met = meetings([{"h1": "t1", "x": "t1"}, {"h2": "t2", "x": "t2"}])
    assert round_lower_bound(people, met, tables=2, hosts={"h1", "h2"}) == 1


def test_each_proposed_round_is_at_its_own_bound_for_twenty_people() -> None:
    hall, guests = cafe(20, 5)
    played: list[dict[str, str]] = []
    hosts = {t.host_id for t in hall if t.host_id}
    for seed in (1, 2, 3):
        met = meetings(played)
        seating = propose(hall, guests, met, seed=seed)
        bound = round_lower_bound(list(seating), met, tables=5, hosts=hosts)
        assert repeats(seating, met) == bound == 0
        played.append(seating)
