"""Seating: who sits where next, so that people meet people they have not met yet.

World Café tables hold 4 (5 at most) and must not re-form earlier groups; table hosts
(and Pro Action Café callers) stay at their table while travellers move. ``propose``
finds a seating with few repeat meetings by a seeded greedy start and a local search
of moves and swaps, restarted a few times; the same inputs and seed give the same
seating, so the rules can run it and the log records its result. ``lower_bound`` says
how few repeats any schedule could reach, so a host (and a test) can see how close a
proposal is. ``form_groups`` makes the pairs and fours of 1-2-4-All.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

TABLE_SIZE = 4
TABLE_MOST = 5

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Table:
    id: str
    host_id: str | None = None  # stays at the table every round


@dataclass(frozen=True, slots=True)
class Guest:
    id: str
    tables: frozenset[str]  # the tables this person can reach (their venue, or remote seats)


def pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def meetings(rounds: Iterable[Mapping[str, str]]) -> dict[Pair, int]:
    """How often each pair has sat together, from past seatings (person -> table)."""
    met: dict[Pair, int] = {}
    for seating in rounds:
        for members in _tables_of(seating).values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    met[pair(a, b)] = met.get(pair(a, b), 0) + 1
    return met


def repeats(seating: Mapping[str, str], met: Mapping[Pair, int]) -> int:
    """How many pairs sitting together in ``seating`` have sat together before."""
    return sum(
        1
        for members in _tables_of(seating).values()
        for i, a in enumerate(members)
        for b in members[i + 1 :]
        if met.get(pair(a, b), 0)
    )


def _tables_of(seating: Mapping[str, str]) -> dict[str, list[str]]:
    tables: dict[str, list[str]] = {}
    for person, table in sorted(seating.items()):
        tables.setdefault(table, []).append(person)
    return tables


def lower_bound(*, people: int, tables: int, rounds: int, hosted: bool) -> int:
    """Fewest repeat meetings any schedule of ``rounds`` balanced rounds can have.

    Counting argument: each person meets (table size - 1) people a round; whatever
    exceeds the people they could ever meet is a repeat, and a repeat pair is counted
    by both of its people. With hosts fixed (``hosted``), hosts never meet each other
    and a traveller who visits more rounds than there are tables meets a host again.
    """
    if tables <= 0 or people <= 0:
        return 0
    sizes = [people // tables + (1 if t < people % tables else 0) for t in range(tables)]
    slots = 0  # sum over people of their repeat slots
    hosts = tables if hosted else 0
    travellers = people - hosts
    for size in sizes:
        if size == 0:
            continue
        if hosted:
            # the host of this table meets the travellers here, who are size - 1 a round
            slots += max(0, (size - 1) * rounds - travellers)
            # each traveller here meets one host and size - 2 travellers a round
            per_traveller = max(0, rounds - tables) + max(0, (size - 2) * rounds - (travellers - 1))
            slots += (size - 1) * per_traveller
        else:
            slots += size * max(0, (size - 1) * rounds - (people - 1))
    return math.ceil(slots / 2)


def round_lower_bound(
    people: Sequence[str], met: Mapping[Pair, int], *, tables: int, hosts: Collection[str] = ()
) -> int:
    """Fewest repeat meetings the next round can have, given who has met whom.

    Everyone sits with at least (people // tables - 1) others; what they cannot fill
    with people they have not met yet must be repeats. With a host at every table, a
    traveller sits with exactly one host and hosts never sit together.
    """
    if tables <= 0 or len(people) < 2:
        return 0
    companions = len(people) // tables - 1
    hosted = len(hosts) == tables
    slots = 0
    for p in people:
        fresh = [q for q in people if q != p and not met.get(pair(p, q), 0)]
        fresh_hosts = sum(1 for q in fresh if q in hosts)
        if not hosted:
            slots += max(0, companions - len(fresh))
        elif p in hosts:
            slots += max(0, companions - (len(fresh) - fresh_hosts))
        elif companions > 0:
            slots += max(0, 1 - fresh_hosts)
            slots += max(0, companions - 1 - (len(fresh) - fresh_hosts))
    return math.ceil(slots / 2)


def propose(
    tables: Sequence[Table],
    guests: Sequence[Guest],
    met: Mapping[Pair, int],
    *,
    seed: int = 0,
    size: int = TABLE_SIZE,
    restarts: int | None = None,
) -> dict[str, str]:
    """A seating (person -> table) that keeps hosts in place and avoids repeat meetings.

    Tables are filled evenly: to ``size`` when there are enough tables, beyond it only
    when there are not (the host then sees fuller tables and can add one). Guests whose
    reachable tables are all full still get the least full of them. Restarts shrink as
    sessions grow (12 up to 20 people, 2 from 120 on) so that a proposal, decided on the
    server's event loop, stays well under a second.
    """
    rng = random.Random(seed)  # noqa: S311 -- seeded for repeatable proposals, not secrets
    fixed = {t.host_id: t.id for t in tables if t.host_id is not None}
    travellers = [g for g in guests if g.id not in fixed and g.tables]
    table_ids = [t.id for t in tables]
    people = len(fixed) + len(travellers)
    limit = max(size, math.ceil(people / max(1, len(tables))))
    if restarts is None:
        restarts = max(2, min(12, 240 // max(1, people)))
    best: dict[str, str] = {}
    best_cost = math.inf
    for _ in range(max(1, restarts)):
        search = _Search(table_ids, fixed, travellers, met, limit, rng)
        search.improve()
        cost = search.cost()
        if cost < best_cost:
            best, best_cost = search.seating(), cost
        if best_cost == 0:
            break
    return best


class _Search:
    """One greedy start and local search; mutable scratch space for ``propose``."""

    def __init__(
        self,
        table_ids: list[str],
        fixed: dict[str, str],
        travellers: list[Guest],
        met: Mapping[Pair, int],
        limit: int,
        rng: random.Random,
    ) -> None:
        self.met, self.limit, self.rng = met, limit, rng
        self.members: dict[str, list[str]] = {t: [] for t in table_ids}
        self.at: dict[str, str] = {}
        self.fixed = set(fixed)
        self.allowed = {g.id: sorted(g.tables & set(table_ids)) for g in travellers}
        for person, table in fixed.items():
            self._sit(person, table)
        order = [g.id for g in travellers if self.allowed[g.id]]
        rng.shuffle(order)
        order.sort(key=lambda p: len(self.allowed[p]))  # the most constrained first
        for person in order:
            self._sit(person, self._best_table(person))

    def _w(self, a: str, b: str) -> int:
        k = self.met.get(pair(a, b), 0)
        return k * k

    def _cost_at(self, person: str, table: str, without: str | None = None) -> int:
        return sum(self._w(person, m) for m in self.members[table] if m not in (person, without))

    def _sit(self, person: str, table: str) -> None:
        self.members[table].append(person)
        self.at[person] = table

    def _stand(self, person: str) -> None:
        self.members[self.at.pop(person)].remove(person)

    def _best_table(self, person: str) -> str:
        options = self.allowed[person]
        open_ = [t for t in options if len(self.members[t]) < self.limit] or options
        least = min(len(self.members[t]) for t in open_)
        ranked = [(self._cost_at(person, t), len(self.members[t]) - least, t) for t in open_]
        lowest = min(r[:2] for r in ranked)
        return self.rng.choice([r[2] for r in ranked if r[:2] == lowest])

    def cost(self) -> int:
        return sum(self._cost_at(p, t) for p, t in self.at.items()) // 2

    def seating(self) -> dict[str, str]:
        return dict(self.at)

    def improve(self, rounds: int = 30) -> None:
        movers = sorted(p for p in self.at if p not in self.fixed)
        for _ in range(rounds):
            self.rng.shuffle(movers)
            if not any([self._improve_one(p) for p in movers]):
                return

    def _improve_one(self, a: str) -> bool:
        """Move or swap ``a`` to lower the cost; whether it did."""
        here = self.at[a]
        now_a = self._cost_at(a, here)
        for there in self.allowed[a]:
            if there == here:
                continue
            size_here, size_there = len(self.members[here]), len(self.members[there])
            if (size_there < self.limit or size_there + 1 < size_here) and size_there < size_here:
                if self._cost_at(a, there) < now_a:
                    self._stand(a)
                    self._sit(a, there)
                    return True
            for b in list(self.members[there]):
                if b in self.fixed or here not in self.allowed[b]:
                    continue
                before = now_a + self._cost_at(b, there)
                after = self._cost_at(a, there, without=b) + self._cost_at(b, here, without=a)
                if after < before:
                    self._stand(a)
                    self._stand(b)
                    self._sit(a, there)
                    self._sit(b, here)
                    return True
        return False


def form_groups(
    people: Sequence[tuple[str, str]],
    *,
    size: int,
    seed: int = 0,
    keep: Sequence[Sequence[str]] = (),
) -> list[list[str]]:
    """Groups of ``size`` within each venue (people are (id, cell id) pairs).

    ``keep`` lists groups that stay together (the pairs of 1-2-4-All joining into
    fours). A leftover person or unit joins the last group of the venue rather than
    being left alone, so groups are ``size`` or a little larger, never one person
    unless a venue has only one.
    """
    rng = random.Random(seed)  # noqa: S311 -- seeded for repeatable groups, not secrets
    cell_of = dict(people)
    units: dict[str, list[list[str]]] = {}
    placed: set[str] = set()
    for kept in keep:
        members = [p for p in kept if p in cell_of]
        if members:
            units.setdefault(cell_of[members[0]], []).append(members)
            placed.update(members)
    for person, cell in people:
        if person not in placed:
            units.setdefault(cell, []).append([person])
    groups: list[list[str]] = []
    for cell in sorted(units):
        pool = units[cell]
        rng.shuffle(pool)
        pool.sort(key=len, reverse=True)  # bigger units first, so they pair up evenly
        mine: list[list[str]] = []
        current: list[str] = []
        for unit in pool:
            if current and len(current) + len(unit) > size:
                mine.append(current)
                current = []
            current = current + unit
        if current:
            if mine and len(current) <= size // 2:
                mine[-1].extend(current)
            else:
                mine.append(current)
        groups.extend(mine)
    return groups
