"""Decide posting a contribution: the words, the phase that takes them, the group.

Shared by ``rules`` (notes, questions, insights, photos, topics) and ``report_rules``
(next steps are contributions of kind "action" with an owner).
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import moderation_rules, relaying
from hostkit.domain.guards import MUTED, Decision, governs_group, text_problem
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.rejections import Rejection, reject


def post(
    state: SessionState, actor: Participant, c: cmd.PostContribution, now: float = 0.0
) -> Decision:
    if actor.muted:
        return reject("muted", MUTED)
    if (
        problem := text_problem(c.text, what="Description" if c.kind == "photo" else "Text")
    ) is not None:
        if c.kind == "photo" and problem.code == "text_empty":
            return reject("description_required", "A photo needs a short description.")
        return problem
    if c.kind == "photo" and not c.photo_id:
        return reject("photo_missing", "Upload the photo before posting it.")
    if c.kind != "photo" and c.photo_id is not None:
        return reject("invalid_value", "Only photos carry a photo.")
    phase = state.open_phase()
    if c.written_at is not None:  # a hall laptop's: the phase open when it was written
        found = relaying.written_problem(state, c.written_at, now)
        if isinstance(found, Rejection):
            return found
        phase = found
    if phase is None:
        return reject("phase_closed", "No phase is open: wait for the host to begin.")
    if c.kind not in phase.allows:
        return reject("kind_not_allowed", f"This phase does not take a {c.kind}.")
    group_id = actor.group_id if c.group_id is None else c.group_id
    if group_id is not None and group_id not in state.groups:
        return reject("unknown_group", "There is no such table or group.")
    if group_id != actor.group_id and not governs_group(state, actor, group_id):
        return reject("not_allowed", "You can only add to your own group.")
    return [
        ev.ContributionPosted(
            contribution_id=f"c{state.last_seq + 1}",
            kind=c.kind,
            text=c.text,
            author_id=actor.id,
            group_id=group_id,
            phase_id=phase.id,
            # a confidential phase is recorded for the live moment only, never the harvest
            off_record=c.off_record or phase.attribution == "confidential",
            photo_id=c.photo_id,
            pending=moderation_rules.held(state, actor),
            written_at=None if c.written_at is None else min(c.written_at, now),
            late=phase.status != "open",
        )
    ]
