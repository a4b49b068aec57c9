"""Fold the shared mechanics: pre-moderation and merged groups (see ``fold.apply``)."""

from __future__ import annotations

from hostkit.domain import events as ev
from hostkit.domain.model import SessionState

MechanicsEvent = ev.ModerationSet | ev.ContributionApproved | ev.GroupsMerged


def apply_mechanics(state: SessionState, event: MechanicsEvent) -> None:
    """Fold one pre-moderation or merge event into state, in place."""
    match event:
        case ev.ModerationSet():
            state.moderation = event.on
        case ev.ContributionApproved():
            state.contributions[event.contribution_id].pending = False
        case ev.GroupsMerged():
            _merge(state, event)


def _merge(state: SessionState, event: ev.GroupsMerged) -> None:
    """Notes follow their people; what pointed at the closed group points at the new one."""
    for note_id in event.notes:
        note = state.contributions[note_id]
        note.earlier_groups.append(event.group_id)
        note.group_id = event.into_id
    for call in state.calls:
        if call.group_id == event.group_id:
            call.group_id = event.into_id
    state.hands.pop(event.group_id, None)  # everyone in it has moved: the queue is empty
    state.talking.pop(event.group_id, None)
    if state.seating is not None and event.group_id in state.seating.seats.values():
        state.seating = None  # a proposal seating people at a closed table: propose again
    closed = state.groups.pop(event.group_id)
    closed.merged_into = event.into_id
    state.closed_groups[closed.id] = closed
