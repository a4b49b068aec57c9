"""Decide pre-moderation: the lead host's switch, and hosts approving what waits.

While moderation is on, what participants (and table hosts) post is held: it is in the
session, its author sees it, but the projector wall leaves it out until a host of its
venue approves it (or hides it). Hosts' own contributions are never held. Turning
moderation off lets everything still waiting through, so nothing stays stuck unseen.
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import NOT_ALLOWED, Decision, governs_group, governs_participant
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.rejections import Rejection, reject


def held(state: SessionState, author: Participant) -> bool:
    """Whether what ``author`` posts now waits for approval."""
    return state.moderation and author.role not in ("host", "cell_host")


def waiting(state: SessionState, contribution_id: str) -> Rejection | None:
    """Refuse votes and reactions on a contribution nobody but its author can see yet."""
    found = state.contributions.get(contribution_id)
    if found is not None and found.pending:
        return reject("awaiting_approval", "That contribution is waiting for the host.")
    return None


def governs_contribution(state: SessionState, actor: Participant, contribution_id: str) -> bool:
    """A group's contribution belongs to its venue; one said to everyone, to its author's."""
    found = state.contributions[contribution_id]
    if found.group_id is not None:
        return governs_group(state, actor, found.group_id)
    author = state.participants.get(found.author_id)
    return actor.role == "host" or (
        author is not None and governs_participant(state, actor, author)
    )


def set_moderation(
    state: SessionState, actor: Participant, c: cmd.SetModeration, now: float
) -> Decision:
    """Turn moderation on or off; off lets everything still waiting through."""
    if state.moderation == c.on:
        state_word = "on" if c.on else "off"
        return reject("already_there", f"Pre-moderation is already {state_word}.")
    events: list[ev.AnyEvent] = [ev.ModerationSet(c.on, by=actor.id)]
    if not c.on:
        events += [
            ev.ContributionApproved(x.id, by=actor.id)
            for x in sorted(state.contributions.values(), key=lambda x: x.seq)
            if x.pending and not x.withdrawn and not x.hidden
        ]
    return events


def approve(
    state: SessionState, actor: Participant, c: cmd.ApproveContribution, now: float
) -> Decision:
    found = state.contributions.get(c.contribution_id)
    if found is None or found.withdrawn or found.hidden:
        return reject("unknown_contribution", "That contribution is not there any more.")
    if not governs_contribution(state, actor, found.id):
        return reject("not_allowed", NOT_ALLOWED)
    if not found.pending:
        return reject("not_pending", "That contribution is already on the wall.")
    return [ev.ContributionApproved(found.id, by=actor.id)]


HANDLERS: Handlers = handler_table(
    by_participant(cmd.SetModeration, set_moderation),
    by_participant(cmd.ApproveContribution, approve),
)
