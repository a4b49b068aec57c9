"""Decide votes and dot voting.

Outside dot voting a vote is an upvote of 1 to 3 dots (questions, topics). A phase with
dots (the World Café harvest, Open Space convergence, Pro Action Café's next steps, or
any phase the host gives dots) lets each person place that many dots, several on one
item if they like; the ones placed in the phase are counted against it, so a vote of
an earlier phase never uses them up. Taking a dot back is always allowed.
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import moderation_rules
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import Decision, contribution_problem
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.rejections import reject

MAX_UPVOTE = 3
MAX_DOTS = 10  # dots per person in a phase: enough to spread, few enough to choose


def set_dots(state: SessionState, actor: Participant, c: cmd.SetDots, now: float) -> Decision:
    """The host gives each person a phase's dots (0 turns dot voting off)."""
    phase = state.phase(c.phase_id)
    if phase is None:
        return reject("unknown_phase", "There is no such phase.")
    if not 0 <= c.dots <= MAX_DOTS:
        return reject("invalid_value", "Give each person 0 to 10 dots.")
    return [ev.DotsSet(phase.id, c.dots)]


def cast(state: SessionState, actor: Participant, c: cmd.CastVote, now: float) -> Decision:
    if (problem := contribution_problem(state, c.contribution_id)) is not None:
        return problem
    if (problem := moderation_rules.waiting(state, c.contribution_id)) is not None:
        return problem
    phase = state.open_phase()
    if phase is None or not phase.dots:
        if not 0 <= c.dots <= MAX_UPVOTE:
            return reject("invalid_value", "A vote is between 0 and 3 dots.")
        return [ev.VoteCast(c.contribution_id, actor.id, c.dots)]
    ballot = phase.ballots.get(actor.id, {})
    placed = sum(ballot.values()) - ballot.get(c.contribution_id, 0)
    if c.dots < 0:
        return reject("invalid_value", "A vote cannot be fewer than 0 dots.")
    if c.dots > ballot.get(c.contribution_id, 0) and placed + c.dots > phase.dots:
        return reject("no_dots_left", "You have placed all your dots: take one back first.")
    return [ev.VoteCast(c.contribution_id, actor.id, c.dots, phase.id)]


HANDLERS: Handlers = handler_table(
    by_participant(cmd.CastVote, cast),
    by_participant(cmd.SetDots, set_dots),
)
