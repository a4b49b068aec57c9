"""Decide raising and lowering hands (the order of a queue is ``format_rules``'s)."""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import NOT_ALLOWED, Decision, governs_group
from hostkit.domain.model import PLENARY, Participant, SessionState
from hostkit.domain.rejections import reject


def raise_hand(state: SessionState, actor: Participant, c: cmd.RaiseHand, now: float) -> Decision:
    queue = state.hands.get(actor.group_id or PLENARY, [])
    if any(h.participant_id == actor.id for h in queue):
        return reject("hand_already_raised", "Your hand is already up.")
    return [ev.HandRaised(actor.id, actor.group_id)]


def lower_hand(state: SessionState, actor: Participant, c: cmd.LowerHand, now: float) -> Decision:
    """One's own hand, or (for the hosts of their group) someone else's."""
    whose = state.participants.get(c.participant_id or actor.id)
    if whose is None:
        return reject("unknown_participant", "There is no such participant.")
    if whose.id != actor.id and not governs_group(state, actor, whose.group_id):
        return reject("not_allowed", NOT_ALLOWED)
    if not any(h.participant_id == whose.id for q in state.hands.values() for h in q):
        return reject("hand_not_raised", "That hand is not raised.")
    return [ev.HandLowered(whose.id, whose.group_id, by=actor.id)]


HANDLERS: Handlers = handler_table(
    by_participant(cmd.RaiseHand, raise_hand),
    by_participant(cmd.LowerHand, lower_hand),
)
