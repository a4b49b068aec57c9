"""Decide published digests: publishing one at a link, revoking it, and the responses
people who were not there may send through it while its window is open.
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.dispatch import Handlers, by_newcomer, by_participant, handler_table
from hostkit.domain.guards import Decision, name_problem, text_problem
from hostkit.domain.model import PRIVACY, Participant, SessionState, most_private
from hostkit.domain.rejections import reject

NO_LINK = "There is no such published link."


def publish(state: SessionState, actor: Participant, c: cmd.PublishDigest, now: float) -> Decision:
    mode = c.attribution or state.attribution
    if PRIVACY.index(mode) < PRIVACY.index(state.attribution):
        why = f"This session is {state.attribution}: a digest may be more private, not less."
        return reject("less_private", why)
    if c.expires_at is not None and c.expires_at <= now:
        return reject("invalid_value", "A link must expire in the future.")
    if len(c.link) < 16 or c.link in state.publications:
        return reject("invalid_value", "That link cannot be used.")
    return [ev.DigestPublished(c.link, mode, c.expires_at)]


def revoke(state: SessionState, actor: Participant, c: cmd.RevokeDigest, now: float) -> Decision:
    found = state.publications.get(c.link)
    if found is None or found.revoked:
        return reject("unknown_link", NO_LINK)
    return [ev.DigestRevoked(c.link)]


def response_window(
    state: SessionState, actor: Participant, c: cmd.SetResponseWindow, now: float
) -> Decision:
    found = state.publications.get(c.link)
    if found is None or not found.open(now):
        return reject("unknown_link", NO_LINK)
    if not 0 <= c.days <= 366:
        return reject("invalid_value", "Keep responses open for 1 to 366 days, or 0.")
    return [ev.ResponseWindowSet(c.link, now + c.days * 86400 if c.days else None)]


def respond(state: SessionState, c: cmd.RespondToDigest, now: float) -> Decision:
    """Someone who was not there answers a question through the published page."""
    found = state.publications.get(c.link)
    if found is None or not found.open(now):
        return reject("unknown_link", "This digest is no longer published.")
    if not found.taking_responses(now):
        return reject("responses_closed", "This digest is not taking responses now.")
    phase = state.phase(c.phase_id)
    if phase is None or most_private(state.attribution, phase.attribution) == "confidential":
        return reject("unknown_phase", "There is no such question to respond to.")
    if (problem := text_problem(c.text)) is not None or (
        problem := name_problem(c.name)
    ) is not None:
        return problem
    name = c.name.strip() if c.name else None
    return [ev.DigestResponded(f"r{state.last_seq + 1}", c.link, phase.id, c.text, name)]


HANDLERS: Handlers = handler_table(
    by_participant(cmd.PublishDigest, publish),
    by_participant(cmd.RevokeDigest, revoke),
    by_participant(cmd.SetResponseWindow, response_window),
    by_newcomer(cmd.RespondToDigest, respond),
)
