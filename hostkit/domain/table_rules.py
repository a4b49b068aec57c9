"""Café tables: who sits at which table, round by round.

World Café (and Pro Action Café, Troika...) rounds seat people at tables. Opening the
first round forms tables from who is present: the host's own tables first, then room
tables in each venue and online tables for people at home, with remote people given
the remote seats of hybrid tables the host made; one person at each table becomes its
table host, who stays. Opening each later round reseats the travellers (the host's
proposal if there is one, else a fresh one) so they meet people they have not met.
``propose``, ``adjust`` and ``apply`` are the host's own seating commands; the rounds
use them.
"""

from __future__ import annotations

import math

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import seating
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.formats import TEMPLATES
from hostkit.domain.guards import NO_GROUP, Decision
from hostkit.domain.model import CELL_BOUND, Group, Participant, Phase, SessionState
from hostkit.domain.rejections import Rejection, reject


def cafe_tables(state: SessionState) -> list[Group]:
    """The groups a café round seats people at: every group that is not a topic."""
    return [g for g in state.groups.values() if g.topic_id is None]


def seated(state: SessionState) -> list[Participant]:
    """Who takes part in seating: people (not screens, hosts or observers) still here."""
    return [
        p
        for p in state.participants.values()
        if not p.removed and not p.screen and p.role in ("participant", "table_host")
    ]


def reach(state: SessionState, person: Participant, tables: list[Group]) -> frozenset[str]:
    """Remote people sit at online tables or remote seats; room people in their venue."""
    if person.where == "remote":
        online = {c.id for c in state.cells.values() if c.kind == "online"}
        return frozenset(g.id for g in tables if g.cell_id in online or g.remote_seats)
    return frozenset(g.id for g in tables if g.cell_id == person.cell_id)


def propose(state: SessionState, actor: Participant, c: cmd.ProposeSeating, now: float) -> Decision:
    return _proposal(state, c)


def _proposal(
    state: SessionState,
    c: cmd.ProposeSeating,
    tables: list[Group] | None = None,
    people: list[Participant] | None = None,
) -> Decision:
    """A seating of ``people`` at ``tables`` (everyone, every café table: the session)."""
    if not 2 <= c.table_size <= 8:
        return reject("invalid_value", "Tables seat between 2 and 8 people.")
    tables = cafe_tables(state) if tables is None else tables
    if not tables:
        return reject("no_tables", "Add tables before proposing a seating.")
    people = seated(state) if people is None else people
    stays: dict[str, str] = {}
    for person in people:  # table hosts and callers keep their table; one per table
        keeps = person.role == "table_host" or "caller" in person.hats
        if keeps and person.group_id in state.groups and person.group_id not in stays.values():
            if state.groups[person.group_id].topic_id is None:
                stays[person.id] = person.group_id
    plan = [
        seating.Table(g.id, next((p for p, t in stays.items() if t == g.id), None)) for g in tables
    ]
    guests = [seating.Guest(p.id, reach(state, p, tables)) for p in people]
    if all(not g.tables for g in guests):
        return reject("no_tables", "No table can take these people: check the venues.")
    table_ids = {g.id for g in tables}
    current = {p.id: p.group_id for p in people if p.group_id and p.group_id in table_ids}
    history = [*state.table_rounds, *([current] if current else [])]
    met = seating.meetings(history)
    seats = seating.propose(plan, guests, met, seed=c.seed, size=c.table_size)
    hosted = set(stays) if len(stays) == len(tables) else set()
    best = seating.round_lower_bound(list(seats), met, tables=len(tables), hosts=hosted)
    return [ev.SeatingProposed(seats, seating.repeats(seats, met), best)]


def adjust(state: SessionState, actor: Participant, c: cmd.AdjustSeating, now: float) -> Decision:
    if state.seating is None:
        return reject("no_seating", "Propose a seating first.")
    person = state.participants.get(c.participant_id)
    if person is None or person.removed:
        return reject("unknown_participant", "There is no such participant.")
    group = state.groups.get(c.group_id)
    if group is None or group.topic_id is not None:
        return reject("unknown_group", NO_GROUP)
    if c.group_id not in reach(state, person, cafe_tables(state)):
        return reject("out_of_reach", "That table has no seat this person can reach.")
    return [ev.SeatingAdjusted(person.id, c.group_id)]


# --- rounds that seat themselves -------------------------------------------------------


def apply(state: SessionState, actor: Participant, c: cmd.ApplySeating, now: float) -> Decision:
    """Seat everyone as proposed (anyone removed since is left out)."""
    if state.seating is None:
        return reject("no_seating", "Propose a seating first.")
    seats = {
        p: g
        for p, g in state.seating.seats.items()
        if p in state.participants and not state.participants[p].removed
    }
    return [ev.SeatingApplied(seats)]


# --- a new round in one hall -------------------------------------------------------------


def hall_round(
    state: SessionState, actor: Participant, c: cmd.StartHallRound, now: float
) -> Decision:
    """A new round in one venue, as a café round: table hosts stay, travellers re-mix.

    A hall runs its own rounds (offline too, through its laptop); it moves only its own
    room people among its own tables, as its cell host could one by one.
    """
    cell = state.cells.get(c.cell_id)
    if cell is None or cell.kind != "venue":
        return reject("unknown_cell", "There is no such venue.")
    if actor.role in CELL_BOUND and actor.cell_id != c.cell_id:
        return reject("not_allowed", "You run rounds in your own venue only.")
    tables = [g for g in cafe_tables(state) if g.cell_id == c.cell_id and g.seats is None]
    if len(tables) < 2:
        return reject("no_tables", "Make at least two tables in this venue for a new round.")
    people = [p for p in seated(state) if p.where == "room" and p.cell_id == c.cell_id]
    if c.seats is not None:
        return _hall_seats(state, c.cell_id, c.seats, tables)
    if not people:
        return reject("too_few_people", "Nobody in this venue is at a table yet.")
    proposed = _proposal(
        state,
        cmd.ProposeSeating(seed=state.last_seq, table_size=table_size(state)),
        tables,
        people,
    )
    if isinstance(proposed, Rejection):
        return proposed
    (proposal,) = proposed
    assert isinstance(proposal, ev.SeatingProposed)
    return [ev.HallRoundStarted(c.cell_id, proposal.seats)]


def _hall_seats(
    state: SessionState, cell_id: str, seats: dict[str, str], tables: list[Group]
) -> Decision:
    """The round a hall seated itself (offline): as it was, for whoever is still here."""
    ids = {g.id for g in tables}
    kept: dict[str, str] = {}
    for person_id, table in seats.items():
        person = state.participants.get(person_id)
        if person is None or person.removed:
            continue  # removed since: left out, as when a proposal is applied
        if person.cell_id != cell_id or person.where != "room" or person.screen:
            return reject("not_allowed", "A venue's round moves only that venue's people.")
        if table not in ids:
            return reject("unknown_group", "There is no such table in this venue.")
        kept[person_id] = table
    if not kept:
        return reject("too_few_people", "Nobody in this venue is at a table yet.")
    return [ev.HallRoundStarted(cell_id, kept)]


def table_size(state: SessionState) -> int:
    """How many sit at a table: the template's number (Troika's three, else four)."""
    template = TEMPLATES.get(state.format)
    return template.table_size if template is not None else seating.TABLE_SIZE


def first_round(state: SessionState, phase: Phase) -> bool:
    """Whether opening ``phase`` begins the session's café rounds (none has begun yet)."""
    return phase.grouping == "tables" and not any(
        p.grouping == "tables" and p.status != "pending" for p in state.phases if p is not phase
    )


def seat_round(state: SessionState, phase: Phase) -> list[ev.AnyEvent]:
    """What opening a café round does to the tables: form them, or move the travellers.

    Nothing when the phase is not a café round or nobody is there to seat; a round that
    cannot be seated (no table anyone can reach) is left to the host, never refused.
    """
    if phase.grouping != "tables" or not seated(state):
        return []
    if first_round(state, phase):
        return _form(state)
    if state.seating is not None:  # the host's own proposal, adjusted or not
        seats = {p: g for p, g in state.seating.seats.items() if _here(state, p)}
        return [ev.SeatingApplied(seats)] if seats else []
    proposed = _proposal(
        state, cmd.ProposeSeating(seed=state.last_seq, table_size=table_size(state))
    )
    if isinstance(proposed, Rejection):
        return []
    (proposal,) = proposed
    assert isinstance(proposal, ev.SeatingProposed)
    return [ev.SeatingApplied(proposal.seats)]


def _here(state: SessionState, participant_id: str) -> bool:
    found = state.participants.get(participant_id)
    return found is not None and not found.removed


def _count(people: int, size: int) -> int:
    """Tables for ``people``: about ``size`` each, never more than five at one."""
    if people <= 0:
        return 0
    return max(1, math.floor(people / size + 0.5), math.ceil(people / seating.TABLE_MOST))


def _form(state: SessionState) -> list[ev.AnyEvent]:
    """Round 1: tables from who is present, a table host at each (see the module's doc)."""
    size = table_size(state)
    people = seated(state)
    tables = [g for g in cafe_tables(state) if g.seats is None]
    new: list[ev.GroupSpec] = []
    number = len(tables)

    def add(cell_id: str) -> Group:
        nonlocal number
        number += 1
        spec = ev.GroupSpec(f"g{state.last_seq + 1}-{number}", f"Table {number}", cell_id)
        new.append(spec)
        return Group(spec.id, spec.name, cell_id)

    seats: dict[str, str] = {}
    remote_seats: list[str] = []  # hybrid tables, once for each remote seat they offer
    for cell in (c for c in state.cells.values() if c.kind == "venue"):
        room = [p for p in people if p.where == "room" and p.cell_id == cell.id]
        here = [g for g in tables if g.cell_id == cell.id]
        here += [add(cell.id) for _ in range(_count(len(room), size) - len(here))]
        _deal(room, here, seats)
        for g in here:
            if g.remote_seats:
                sitting = sum(1 for t in seats.values() if t == g.id)
                remote_seats += [g.id] * max(1, size - sitting)
    remote = [p for p in people if p.where == "remote"]
    hybrid = min(len(remote), len(remote_seats))
    for person, table in zip(remote[:hybrid], _spread(remote_seats), strict=False):
        seats[person.id] = table
    online_cell = state.online_cell()
    if online_cell is not None and remote[hybrid:]:
        online = [g for g in tables if g.cell_id == online_cell.id]
        wanted = _count(len(remote) - hybrid, size) - len(online)
        online += [add(online_cell.id) for _ in range(wanted)]
        _deal(remote[hybrid:], online, seats)
    if not seats:
        return []
    events: list[ev.AnyEvent] = [ev.GroupCreated(spec) for spec in new]
    events.append(ev.SeatingApplied(seats))
    events += _table_hosts(state, people, seats)
    return events


def _deal(people: list[Participant], tables: list[Group], seats: dict[str, str]) -> None:
    """People to tables in turn; a table host already at one of them keeps it."""
    if not tables:
        return
    ids = {g.id for g in tables}
    staying = [p for p in people if p.role == "table_host" and p.group_id in ids]
    for p in staying:
        seats[p.id] = p.group_id or ""
    rest = [p for p in people if p not in staying]
    for n, person in enumerate(rest):
        seats[person.id] = tables[n % len(tables)].id


def _spread(table_seats: list[str]) -> list[str]:
    """Remote seats in turn across the hybrid tables, one table after another."""
    order: list[str] = []
    pending = list(table_seats)
    while pending:
        for table in dict.fromkeys(pending):
            order.append(table)
            pending.remove(table)
    return order


def _table_hosts(
    state: SessionState, people: list[Participant], seats: dict[str, str]
) -> list[ev.AnyEvent]:
    """One table host per table, who stays: one already named, else its first person."""
    hosted = {seats[p.id] for p in people if p.role == "table_host" and p.id in seats}
    events: list[ev.AnyEvent] = []
    for person in people:
        table = seats.get(person.id)
        if table is not None and table not in hosted:
            hosted.add(table)
            events.append(ev.RoleChanged(person.id, "table_host"))
    return events


HANDLERS: Handlers = handler_table(
    by_participant(cmd.ProposeSeating, propose),
    by_participant(cmd.AdjustSeating, adjust),
    by_participant(cmd.ApplySeating, apply),
    by_participant(cmd.StartHallRound, hall_round),
)
