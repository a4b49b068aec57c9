"""What a hall laptop (a relay) may do for its venue, and where its late words belong.

A relay holds a venue link: a participant of role ``relay`` bound to one venue cell. It
joins the hall's phones as room participants of that venue and forwards their commands
*as them* (their own ids, so each command applies once). Only a relay may say when a
contribution was written (``written_at``): the hall may have been offline, and what was
written while a phase was open belongs to that phase even if it closed meanwhile.
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import NOT_ALLOWED, Decision, name_problem
from hostkit.domain.model import Contribution, Participant, Phase, SessionState
from hostkit.domain.rejections import Rejection, reject

# A relay converts its clock to the server's (from the welcome and pongs); this much
# ahead is rounding and latency, more is a time in the future.
CLOCK_SLACK_S = 2.0

ONLY_RELAYS = "Only a hall laptop link may say when something was written."
OWN_VENUE = "A hall laptop acts only for people in its own venue."


def relayed_problem(
    state: SessionState,
    relay: Participant | None,
    actor: Participant | None,
    command: cmd.AnyCommand,
) -> Rejection | None:
    """Why a command may not come this way (None: fine).

    ``relay`` is who sent it when it came through a hall laptop on behalf of ``actor``;
    None when the actor sent it themselves.
    """
    written = getattr(command, "written_at", None)
    if relay is None:
        return reject("not_allowed", ONLY_RELAYS) if written is not None else None
    return acts_for(state, relay, actor)


def acts_for(
    state: SessionState, relay: Participant, actor: Participant | None
) -> Rejection | None:
    """Why this relay may not act for this person (None: it may): a hall laptop acts only
    for the people of its own venue, never for a host, a screen or another laptop. Its
    commands and its photo uploads (``POST /s/{id}/photos``) are both checked here."""
    if relay.role != "relay" or relay.removed:
        return reject("not_allowed", NOT_ALLOWED)
    if actor is None or actor.id not in state.participants:
        return reject("unknown_participant", "You are not part of this session.")
    if actor.cell_id != relay.cell_id or actor.role in ("host", "relay") or actor.screen:
        return reject("not_allowed", OWN_VENUE)
    return None


def join_hall(state: SessionState, relay: Participant, c: cmd.JoinHall, now: float) -> Decision:
    """A phone in the relay's hall joins as a room participant of the relay's venue."""
    if (problem := name_problem(c.name)) is not None:
        return problem
    if c.participant_id in state.participants:
        return reject("already_joined", "This participant has already joined.")
    if len(c.participant_id) < 16 or len(c.nonce) < 16:
        return reject("invalid_value", "A hall laptop gives each phone unguessable ids.")
    group = state.groups.get(c.group_id) if c.group_id is not None else None
    if c.group_id is not None and (group is None or group.cell_id != relay.cell_id):
        return reject("unknown_group", "There is no such table in this venue.")
    return [
        ev.ParticipantJoined(
            participant_id=c.participant_id,
            name=c.name.strip() if c.name else None,
            where="room",
            role="participant",
            cell_id=relay.cell_id,
            group_id=c.group_id,
            nonce=c.nonce,
        )
    ]


HANDLERS: Handlers = handler_table(by_participant(cmd.JoinHall, join_hall))


def phase_written_in(state: SessionState, written_at: float) -> Phase | None:
    """The phase that was open at that server time (its latest opening), if any."""
    for phase in state.phases:
        opened, closed = phase.opened_at, phase.closed_at
        if opened is not None and opened <= written_at and (closed is None or written_at < closed):
            return phase
    return None


def written_problem(state: SessionState, written_at: float, now: float) -> Phase | Rejection:
    """The phase words written at ``written_at`` belong to, or why they cannot be taken."""
    if written_at > now + CLOCK_SLACK_S:
        return reject("written_in_future", "That was written later than now: check the clock.")
    phase = phase_written_in(state, min(written_at, now))
    if phase is None:
        return reject("written_before_phase", "No phase was open when this was written.")
    return phase


def place(contributions: list[Contribution]) -> dict[str, float]:
    """Where each contribution belongs in a transcript: by seq, except that one which
    arrived late goes just before the first of its phase that arrived after it was written."""
    placed: dict[str, float] = {}
    for c in contributions:
        placed[c.id] = float(c.seq)
        if c.late and c.written_at is not None:
            after = [
                x.seq
                for x in contributions
                if x.phase_id == c.phase_id and not x.late and x.at > c.written_at
            ]
            placed[c.id] = (min(after) - 0.5 + c.seq / 1e9) if after else float(c.seq)
    return placed
