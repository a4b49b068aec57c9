"""Decide merging and splitting groups live.

Both are told with the events pages already follow: everyone who changes group gets a
``participant_moved`` (their page reloads at once), a split's new groups a
``group_created``, and a merge ends with ``groups_merged``, which moves the closing
group's notes (each keeping where it was written) and closes the group for good.
A cell host may do both only within their own venue; the lead host anywhere.
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.commands import MAX_TITLE
from hostkit.domain.guards import NO_GROUP, NOT_ALLOWED, Decision, governs_group, text_problem
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.rejections import reject

GroupCommand = cmd.MergeGroups | cmd.SplitGroup

MAX_PARTS = 12


def decide_groups(state: SessionState, actor: Participant, c: GroupCommand) -> Decision:
    """The events of a merge or split, or why it is refused (the role is already checked)."""
    group = state.groups.get(c.group_id)
    if group is None:
        return reject("unknown_group", NO_GROUP)
    if not governs_group(state, actor, group.id):
        return reject("not_allowed", NOT_ALLOWED)
    match c:
        case cmd.MergeGroups():
            return _merge(state, actor, c)
        case cmd.SplitGroup():
            return _split(state, actor, c)
    return reject("unknown_command", "hostkit does not know that command.")


def _members(state: SessionState, group_id: str) -> list[Participant]:
    """The people sitting in a group, in the order they joined."""
    return [
        p
        for p in state.participants.values()
        if p.group_id == group_id and not p.removed and not p.screen
    ]


def _merge(state: SessionState, actor: Participant, c: cmd.MergeGroups) -> Decision:
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


def _split(state: SessionState, actor: Participant, c: cmd.SplitGroup) -> Decision:
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
