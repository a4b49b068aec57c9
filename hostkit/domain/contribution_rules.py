"""Decide what happens to contributions once said: withdrawn, hidden, reacted to.

Posting itself lives in ``posting`` (report rules post next steps through it too).
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import moderation_rules, posting
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import NOT_ALLOWED, Decision, contribution_problem, governs_group
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.rejections import reject


def post(state: SessionState, actor: Participant, c: cmd.PostContribution, now: float) -> Decision:
    return posting.post(state, actor, c, now)


def withdraw(
    state: SessionState, actor: Participant, c: cmd.WithdrawContribution, now: float
) -> Decision:
    if (problem := contribution_problem(state, c.contribution_id)) is not None:
        return problem
    if state.contributions[c.contribution_id].author_id != actor.id:
        return reject("not_author", "Only its author can withdraw a contribution.")
    return [ev.ContributionWithdrawn(c.contribution_id)]


def withdraw_all(
    state: SessionState, actor: Participant, c: cmd.WithdrawAll, now: float
) -> Decision:
    mine: list[ev.AnyEvent] = [
        ev.ContributionWithdrawn(x.id)
        for x in state.contributions.values()
        if x.author_id == actor.id and not x.withdrawn
    ]
    return mine or reject("nothing_to_withdraw", "You have nothing left to withdraw.")


def hide(state: SessionState, actor: Participant, c: cmd.HideContribution, now: float) -> Decision:
    if (problem := contribution_problem(state, c.contribution_id)) is not None:
        return problem
    if not governs_group(state, actor, state.contributions[c.contribution_id].group_id):
        return reject("not_allowed", NOT_ALLOWED)
    return [ev.ContributionHidden(c.contribution_id, by=actor.id)]


def react(state: SessionState, actor: Participant, c: cmd.React, now: float) -> Decision:
    if (problem := contribution_problem(state, c.contribution_id)) is not None:
        return problem
    if (problem := moderation_rules.waiting(state, c.contribution_id)) is not None:
        return problem
    current = state.contributions[c.contribution_id].reactions.get(c.reaction, [])
    return [ev.ReactionToggled(c.contribution_id, actor.id, c.reaction, actor.id not in current)]


HANDLERS: Handlers = handler_table(
    by_participant(cmd.PostContribution, post),
    by_participant(cmd.WithdrawContribution, withdraw),
    by_participant(cmd.WithdrawAll, withdraw_all),
    by_participant(cmd.HideContribution, hide),
    by_participant(cmd.React, react),
)
