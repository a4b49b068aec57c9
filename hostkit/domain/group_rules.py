"""Decide groups: creating and renaming them, who moves into which, and merging and
splitting them live.

Merging and splitting are told with the events pages already follow: everyone who
changes group gets a ``participant_moved`` (their page reloads at once), a split's new
groups a ``group_created``, and a merge ends with ``groups_merged``, which moves the closing
group's notes (each keeping where it was written) and closes the group for good.
A cell host may do both only within their own venue; the lead host anywhere. A group
with a fixed number of seats (the fishbowl's inner circle) takes nobody once it is full.
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.commands import MAX_TITLE
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import (
    NO_GROUP,
    NOT_ALLOWED,
    Decision,
    governs_group,
    governs_participant,
    text_problem,
)
from hostkit.domain.model import CELL_BOUND, Participant, SessionState
from hostkit.domain.rejections import Rejection, reject

MAX_PARTS = 12


def create(state: SessionState, actor: Participant, c: cmd.CreateGroup, now: float) -> Decision:
    if (problem := text_problem(c.name, limit=MAX_TITLE, what="Name")) is not None:
        return problem
    if c.cell_id not in state.cells:
        return reject("unknown_cell", "There is no such venue in this session.")
    if actor.role in CELL_BOUND and c.cell_id != actor.cell_id:
        return reject("not_allowed", NOT_ALLOWED)
    if c.call_url is not None and not c.call_url.startswith(("https://", "http://")):
        return reject("invalid_value", "A call link must start with https://.")
    spec = ev.GroupSpec(
        f"g{state.last_seq + 1}", c.name.strip(), c.cell_id, c.remote_seats, c.call_url
    )
    return [ev.GroupCreated(spec)]


def rename(state: SessionState, actor: Participant, c: cmd.RenameGroup, now: float) -> Decision:
    if c.group_id not in state.groups:
        return reject("unknown_group", NO_GROUP)
    if (problem := text_problem(c.name, limit=MAX_TITLE, what="Name")) is not None:
        return problem
    if not governs_group(state, actor, c.group_id):
        return reject("not_allowed", NOT_ALLOWED)
    return [ev.GroupRenamed(c.group_id, c.name.strip())]


def move(state: SessionState, actor: Participant, c: cmd.MoveParticipant, now: float) -> Decision:
    """A host moves someone of their venue (or table) to another group, or the plenary."""
    other = state.participants.get(c.participant_id)
    if other is None or other.removed:
        return reject("unknown_participant", "There is no such participant.")
    if c.group_id is not None and c.group_id not in state.groups:
        return reject("unknown_group", NO_GROUP)
    if not governs_participant(state, actor, other) or (
        c.group_id is not None and not governs_group(state, actor, c.group_id)
    ):
        return reject("not_allowed", NOT_ALLOWED)
    return [ev.ParticipantMoved(other.id, c.group_id, by=actor.id)]


def choose(state: SessionState, actor: Participant, c: cmd.ChooseGroup, now: float) -> Decision:
    """Someone moves themselves: a table's QR code, or the law of two feet."""
    if c.group_id is not None and c.group_id not in state.groups:
        return reject("unknown_group", NO_GROUP)
    if c.group_id == actor.group_id:
        return reject("already_there", "You are already in that group.")
    if (full := seat_problem(state, c.group_id)) is not None:
        return full
    return [ev.ParticipantMoved(actor.id, c.group_id, by=actor.id)]


def seat_problem(state: SessionState, group_id: str | None) -> Rejection | None:
    """Why nobody else can sit in a group with a fixed number of seats (the fishbowl)."""
    group = state.groups.get(group_id) if group_id is not None else None
    if group is None or group.seats is None:
        return None
    seated = sum(
        1
        for p in state.participants.values()
        if p.group_id == group.id and not p.removed and not p.screen
    )
    if seated >= group.seats:
        return reject("group_full", f"Every seat in {group.name} is taken: wait for one to free.")
    return None


def governed(state: SessionState, actor: Participant, group_id: str) -> Rejection | None:
    """Why the actor may not merge or split this group, or None."""
    if state.groups.get(group_id) is None:
        return reject("unknown_group", NO_GROUP)
    if not governs_group(state, actor, group_id):
        return reject("not_allowed", NOT_ALLOWED)
    return None


def _members(state: SessionState, group_id: str) -> list[Participant]:
    """The people sitting in a group, in the order they joined."""
    return [
        p
        for p in state.participants.values()
        if p.group_id == group_id and not p.removed and not p.screen
    ]


def merge(state: SessionState, actor: Participant, c: cmd.MergeGroups, now: float) -> Decision:
    if (problem := governed(state, actor, c.group_id)) is not None:
        return problem
    into = state.groups.get(c.into_id)
    if into is None:
        return reject("unknown_group", NO_GROUP)
    if into.id == c.group_id:
        return reject("same_group", "Choose two different groups to merge.")
    if not governs_group(state, actor, into.id):
        return reject("not_allowed", NOT_ALLOWED)
    # everyone whose group closes moves, even someone removed: no one is left in a closed group
    moving = [p for p in state.participants.values() if p.group_id == c.group_id]
    online = state.cells[into.cell_id].kind == "online"
    if not online and not into.remote_seats and any(p.where == "remote" for p in moving):
        return reject(
            "out_of_reach",
            f"{into.name} has no seats for people at home: merge it into their group instead.",
        )
    seated = len(_members(state, into.id)) + len(_members(state, c.group_id))
    if into.seats is not None and seated > into.seats:
        return reject("group_full", f"{into.name} seats {into.seats}: there is not room for all.")
    notes = [x.id for x in state.contributions.values() if x.group_id == c.group_id]
    events: list[ev.AnyEvent] = [ev.ParticipantMoved(p.id, into.id, by=actor.id) for p in moving]
    events.append(ev.GroupsMerged(c.group_id, into.id, notes, by=actor.id))
    return events


def _ids(listed: list[str] | str) -> list[str]:
    names = listed if isinstance(listed, list) else listed.split(",")
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def split(state: SessionState, actor: Participant, c: cmd.SplitGroup, now: float) -> Decision:
    if (problem := governed(state, actor, c.group_id)) is not None:
        return problem
    group = state.groups[c.group_id]
    members = _members(state, group.id)
    base = ev.GroupSpec("", "", group.cell_id, group.remote_seats)
    first_id = f"g{state.last_seq + 1}"
    if c.participant_ids is not None and _ids(c.participant_ids):
        chosen = _ids(c.participant_ids)
        inside = {p.id for p in members}
        if any(p not in inside for p in chosen):
            return reject("not_in_group", f"Choose people who are in {group.name}.")
        name = (c.name or "").strip() or f"{group.name} (2)"
        if (problem := text_problem(name, limit=MAX_TITLE, what="Name")) is not None:
            return problem
        spec = ev.GroupSpec(first_id, name, base.cell_id, base.remote_seats)
        moves = [ev.ParticipantMoved(p, spec.id, by=actor.id) for p in chosen]
        return [ev.GroupCreated(spec), *moves]
    if not 2 <= c.parts <= MAX_PARTS:
        return reject("invalid_value", f"Split a group into 2 to {MAX_PARTS} groups.")
    if len(members) < c.parts:
        return reject("too_few_people", f"{group.name} has fewer people than groups asked for.")
    # table hosts stay with the notes; room people are dealt out, then remote people, each
    # round the parts in turn, so every part gets its share of both
    stays = [p.id for p in members if p.role == "table_host"]
    room = [p.id for p in members if p.where == "room" and p.id not in stays]
    remote = [p.id for p in members if p.where == "remote" and p.id not in stays]
    dealt = [*stays, *room, *remote]
    specs = [
        ev.GroupSpec(f"{first_id}-{k}", f"{group.name} ({k})", base.cell_id, base.remote_seats)
        for k in range(2, c.parts + 1)
    ]
    targets = [group.id, *(s.id for s in specs)]
    events: list[ev.AnyEvent] = [ev.GroupCreated(s) for s in specs]
    for n, person in enumerate(dealt):
        part = targets[n % c.parts] if n >= len(stays) else group.id
        if part != group.id:
            events.append(ev.ParticipantMoved(person, part, by=actor.id))
    return events


HANDLERS: Handlers = handler_table(
    by_participant(cmd.CreateGroup, create),
    by_participant(cmd.RenameGroup, rename),
    by_participant(cmd.MoveParticipant, move),
    by_participant(cmd.ChooseGroup, choose),
    by_participant(cmd.MergeGroups, merge),
    by_participant(cmd.SplitGroup, split),
)
