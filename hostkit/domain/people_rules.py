"""Decide who is in the session and as what: joining, roles, muting, removing, and
revoking someone's links. Only the hosts of a person's venue manage them, never
themselves (except revoking their own links) and never the lead host.
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.dispatch import Handlers, by_newcomer, by_participant, handler_table
from hostkit.domain.guards import NOT_ALLOWED, Decision, governs_participant, name_problem
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.rejections import Rejection, reject


def join(state: SessionState, c: cmd.Join, now: float) -> Decision:
    """Someone joins: at a venue, online, or straight at a table (its QR code)."""
    if (problem := name_problem(c.name)) is not None:
        return problem
    if c.participant_id in state.participants:
        return reject("already_joined", "This participant has already joined.")
    cell_id = c.cell_id
    if cell_id is None:
        cell = state.online_cell() if c.where == "remote" else state.first_venue()
        cell = cell or next(iter(state.cells.values()), None)
        if cell is None:
            return reject("unknown_cell", "This session has no venue to join.")
        cell_id = cell.id
    elif cell_id not in state.cells:
        return reject("unknown_cell", "There is no such venue in this session.")
    if c.group_id is not None and c.group_id not in state.groups:
        return reject("unknown_group", "There is no such table or group.")
    if c.group_id is not None:
        cell_id = state.groups[c.group_id].cell_id
    return [
        ev.ParticipantJoined(
            participant_id=c.participant_id,
            name=c.name.strip() if c.name else None,
            where=c.where,
            role=c.role,
            cell_id=cell_id,
            group_id=c.group_id,
            nonce=c.nonce,
            screen=c.screen,
        )
    ]


def managed(
    state: SessionState, actor: Participant, participant_id: str, *, self_too: bool = False
) -> Participant | Rejection:
    """The person the actor may manage, or why not."""
    other = state.participants.get(participant_id)
    if other is None or other.removed:
        return reject("unknown_participant", "There is no such participant.")
    if not governs_participant(state, actor, other):
        return reject("not_allowed", NOT_ALLOWED)
    if other.id == actor.id and not self_too:
        return reject("not_allowed", "You cannot do that to yourself.")
    return other


def set_role(state: SessionState, actor: Participant, c: cmd.SetRole, now: float) -> Decision:
    other = managed(state, actor, c.participant_id)
    if isinstance(other, Rejection):
        return other
    if "relay" in (c.role, other.role):
        return reject("not_allowed", "A hall laptop link is made for a venue; no one becomes one.")
    return [ev.RoleChanged(other.id, c.role)]


def remove(
    state: SessionState, actor: Participant, c: cmd.RemoveParticipant, now: float
) -> Decision:
    other = managed(state, actor, c.participant_id)
    return other if isinstance(other, Rejection) else [ev.ParticipantRemoved(other.id)]


def mute(state: SessionState, actor: Participant, c: cmd.MuteParticipant, now: float) -> Decision:
    other = managed(state, actor, c.participant_id)
    return other if isinstance(other, Rejection) else [ev.ParticipantMuted(other.id, c.muted)]


def rotate_token(
    state: SessionState, actor: Participant, c: cmd.RotateToken, now: float
) -> Decision:
    """Revoke someone's links (one's own too: a host link that leaked)."""
    other = managed(state, actor, c.participant_id, self_too=True)
    return other if isinstance(other, Rejection) else [ev.TokenRotated(other.id, c.nonce)]


HANDLERS: Handlers = handler_table(
    by_newcomer(cmd.Join, join),
    by_participant(cmd.SetRole, set_role),
    by_participant(cmd.RemoveParticipant, remove),
    by_participant(cmd.MuteParticipant, mute),
    by_participant(cmd.RotateToken, rotate_token),
)
