"""Decide: ``decide(state, actor, command, now) -> events | Rejection``.

The rules read the state and the command and never change either. Ids of new things
are derived from the sequence number they will be stored at, so deciding needs no
randomness; ids that must be unguessable (participants, nonces) arrive in the command.
"""

from __future__ import annotations

import typing

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import (
    format_rules,
    group_rules,
    moderation_rules,
    phase_rules,
    posting,
    relaying,
    report_rules,
    vote_rules,
)
from hostkit.domain.commands import (
    MAX_RETENTION_DAYS,
    MAX_TIMER_S,
    MAX_TITLE,
    MIN_RETENTION_DAYS,
    command_type,
)
from hostkit.domain.guards import (
    NOT_ALLOWED,
    Decision,
    contribution_problem,
    governs_group,
    governs_participant,
    name_problem,
    text_problem,
)
from hostkit.domain.model import (
    CELL_BOUND,
    PLENARY,
    PRIVACY,
    Participant,
    SessionState,
    most_private,
)
from hostkit.domain.rejections import reject
from hostkit.domain.roles import may

_SPOKEN = "People have already spoken in this phase: it can become more private, not less."


def _join(state: SessionState, c: cmd.Join) -> Decision:
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


def _decide_as(state: SessionState, actor: Participant, c: cmd.AnyCommand, now: float) -> Decision:
    match c:
        case cmd.PostContribution():
            return posting.post(state, actor, c, now)
        case cmd.JoinHall():
            return relaying.join_hall(state, actor, c)
        case cmd.WithdrawContribution():
            if (problem := contribution_problem(state, c.contribution_id)) is not None:
                return problem
            if state.contributions[c.contribution_id].author_id != actor.id:
                return reject("not_author", "Only its author can withdraw a contribution.")
            return [ev.ContributionWithdrawn(c.contribution_id)]
        case cmd.WithdrawAll():
            mine: list[ev.AnyEvent] = [
                ev.ContributionWithdrawn(c.id)
                for c in state.contributions.values()
                if c.author_id == actor.id and not c.withdrawn
            ]
            return mine or reject("nothing_to_withdraw", "You have nothing left to withdraw.")
        case cmd.HideContribution():
            if (problem := contribution_problem(state, c.contribution_id)) is not None:
                return problem
            if not governs_group(state, actor, state.contributions[c.contribution_id].group_id):
                return reject("not_allowed", NOT_ALLOWED)
            return [ev.ContributionHidden(c.contribution_id, by=actor.id)]
        case cmd.CastVote() | cmd.SetDots():
            return vote_rules.decide_votes(state, actor, c)
        case cmd.React():
            if (problem := contribution_problem(state, c.contribution_id)) is not None:
                return problem
            if (problem := moderation_rules.waiting(state, c.contribution_id)) is not None:
                return problem
            current = state.contributions[c.contribution_id].reactions.get(c.reaction, [])
            return [
                ev.ReactionToggled(c.contribution_id, actor.id, c.reaction, actor.id not in current)
            ]
        case cmd.RaiseHand():
            queue = state.hands.get(actor.group_id or PLENARY, [])
            if any(h.participant_id == actor.id for h in queue):
                return reject("hand_already_raised", "Your hand is already up.")
            return [ev.HandRaised(actor.id, actor.group_id)]
        case cmd.LowerHand():
            whose = state.participants.get(c.participant_id or actor.id)
            if whose is None:
                return reject("unknown_participant", "There is no such participant.")
            if whose.id != actor.id and not governs_group(state, actor, whose.group_id):
                return reject("not_allowed", NOT_ALLOWED)
            if not any(h.participant_id == whose.id for q in state.hands.values() for h in q):
                return reject("hand_not_raised", "That hand is not raised.")
            return [ev.HandLowered(whose.id, whose.group_id, by=actor.id)]
        case cmd.OpenPhase():
            return phase_rules.open_phase(state, c)
        case cmd.ClosePhase():
            phase = state.phase(c.phase_id)
            if phase is None:
                return reject("unknown_phase", "There is no such phase.")
            if phase.status != "open":
                return reject("phase_closed", "That phase is not open.")
            return [ev.PhaseClosed(c.phase_id)]
        case cmd.SetPhaseAttribution():
            return _set_phase_attribution(state, c)
        case cmd.PublishDigest():
            return _publish(state, c, now)
        case cmd.RevokeDigest():
            found = state.publications.get(c.link)
            if found is None or found.revoked:
                return reject("unknown_link", "There is no such published link.")
            return [ev.DigestRevoked(c.link)]
        case cmd.SetRetention():
            if c.days is not None and not MIN_RETENTION_DAYS <= c.days <= MAX_RETENTION_DAYS:
                return reject("invalid_value", "Keep a session for 1 to 3,660 days.")
            return [ev.RetentionSet(c.days)]
        case cmd.SetLanguage():
            if c.language is not None and c.language not in cmd.LANGUAGES:
                return reject("unknown_language", "Choose English or Welsh (en or cy).")
            return [ev.LanguageSet(c.language)]
        case cmd.SetProjector():
            return [ev.ProjectorSet(c.mode)]
        case cmd.SetResponseWindow():
            found = state.publications.get(c.link)
            if found is None or not found.open(now):
                return reject("unknown_link", "There is no such published link.")
            if not 0 <= c.days <= 366:
                return reject("invalid_value", "Keep responses open for 1 to 366 days, or 0.")
            return [ev.ResponseWindowSet(c.link, now + c.days * 86400 if c.days else None)]
        case cmd.StartTimer():
            return _start_timer(state, c, now)
        case cmd.PauseTimer():
            if state.timer is None or not state.timer.running:
                return reject("timer_not_running", "The timer is not running.")
            return [ev.TimerPaused(state.timer.remaining(now))]
        case cmd.ExtendTimer():
            if state.timer is None:
                return reject("timer_not_running", "There is no timer to extend.")
            if not 0 < c.seconds <= MAX_TIMER_S:
                return reject("invalid_value", "Extend by a positive number of seconds.")
            return [ev.TimerExtended(c.seconds)]
        case cmd.StopTimer():
            if state.timer is None:
                return reject("timer_not_running", "There is no timer to stop.")
            return [ev.TimerStopped()]
        case cmd.MoveParticipant():
            other = state.participants.get(c.participant_id)
            if other is None or other.removed:
                return reject("unknown_participant", "There is no such participant.")
            if c.group_id is not None and c.group_id not in state.groups:
                return reject("unknown_group", "There is no such table or group.")
            if not governs_participant(state, actor, other) or (
                c.group_id is not None and not governs_group(state, actor, c.group_id)
            ):
                return reject("not_allowed", NOT_ALLOWED)
            return [ev.ParticipantMoved(other.id, c.group_id, by=actor.id)]
        case cmd.ChooseGroup():
            if c.group_id is not None and c.group_id not in state.groups:
                return reject("unknown_group", "There is no such table or group.")
            if c.group_id == actor.group_id:
                return reject("already_there", "You are already in that group.")
            if (full := format_rules.seat_problem(state, c.group_id)) is not None:
                return full
            return [ev.ParticipantMoved(actor.id, c.group_id, by=actor.id)]
        case cmd.Announce():
            if (problem := text_problem(c.text)) is not None:
                return problem
            # a cell host speaks to their own venue; the lead host to all, or to one venue
            cell_id = actor.cell_id if actor.role in CELL_BOUND and not c.cell_id else c.cell_id
            if cell_id is not None and cell_id not in state.cells:
                return reject("unknown_cell", "There is no such venue in this session.")
            if actor.role in CELL_BOUND and cell_id != actor.cell_id:
                return reject("not_allowed", NOT_ALLOWED)
            return [ev.Announced(c.text, by=actor.id, cell_id=cell_id)]
        case cmd.EndAnnouncement():
            shown = next((a for a in state.announcements if a.seq == c.seq and not a.ended), None)
            if shown is None:
                return reject("unknown_announcement", "That announcement is not shown any more.")
            if actor.role in CELL_BOUND and shown.cell_id != actor.cell_id:
                return reject("not_allowed", NOT_ALLOWED)
            return [ev.AnnouncementEnded(c.seq, by=actor.id)]
        case cmd.CreateGroup():
            if (problem := text_problem(c.name, limit=MAX_TITLE, what="Name")) is not None:
                return problem
            if c.cell_id not in state.cells:
                return reject("unknown_cell", "There is no such venue in this session.")
            if actor.role in CELL_BOUND and c.cell_id != actor.cell_id:
                return reject("not_allowed", NOT_ALLOWED)
            if c.call_url is not None and not c.call_url.startswith(("https://", "http://")):
                return reject("invalid_value", "A call link must start with https://.")
            spec = ev.GroupSpec(
                f"g{state.last_seq + 1}", c.name.strip(), c.cell_id, c.remote_seats, c.call_url
            )
            return [ev.GroupCreated(spec)]
        case cmd.RenameGroup():
            if c.group_id not in state.groups:
                return reject("unknown_group", "There is no such table or group.")
            if (problem := text_problem(c.name, limit=MAX_TITLE, what="Name")) is not None:
                return problem
            if not governs_group(state, actor, c.group_id):
                return reject("not_allowed", NOT_ALLOWED)
            return [ev.GroupRenamed(c.group_id, c.name.strip())]
        case cmd.SetRole() | cmd.RemoveParticipant() | cmd.MuteParticipant() | cmd.RotateToken():
            return _manage(state, actor, c)
    if isinstance(c, typing.get_args(moderation_rules.ModerationCommand)):
        return moderation_rules.decide_moderation(state, actor, c)
    if isinstance(c, typing.get_args(group_rules.GroupCommand)):
        return group_rules.decide_groups(state, actor, c)
    if isinstance(c, typing.get_args(format_rules.FormatCommand)):
        return format_rules.decide_format(state, actor, c, now)
    if isinstance(c, typing.get_args(report_rules.ReportCommand)):
        return report_rules.decide_reports(state, actor, c)
    return reject("unknown_command", "hostkit does not know that command.")


def _set_phase_attribution(state: SessionState, c: cmd.SetPhaseAttribution) -> Decision:
    phase = state.phase(c.phase_id)
    if phase is None:
        return reject("unknown_phase", "There is no such phase.")
    now_mode = most_private(state.attribution, phase.attribution)
    new_mode = most_private(state.attribution, c.attribution)
    said = any(x.phase_id == phase.id for x in state.contributions.values())
    # people spoke trusting the mode shown to them: it may tighten, never loosen, after that
    if said and PRIVACY.index(new_mode) < PRIVACY.index(now_mode):
        return reject("consent_locked", _SPOKEN)
    return [ev.PhaseAttributionSet(phase.id, c.attribution)]


def _publish(state: SessionState, c: cmd.PublishDigest, now: float) -> Decision:
    mode = c.attribution or state.attribution
    if PRIVACY.index(mode) < PRIVACY.index(state.attribution):
        why = f"This session is {state.attribution}: a digest may be more private, not less."
        return reject("less_private", why)
    if c.expires_at is not None and c.expires_at <= now:
        return reject("invalid_value", "A link must expire in the future.")
    if len(c.link) < 16 or c.link in state.publications:
        return reject("invalid_value", "That link cannot be used.")
    return [ev.DigestPublished(c.link, mode, c.expires_at)]


def _respond(state: SessionState, c: cmd.RespondToDigest, now: float) -> Decision:
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


def _start_timer(state: SessionState, c: cmd.StartTimer, now: float) -> Decision:
    phase = state.open_phase()
    if phase is None:
        return reject("phase_closed", "Open a phase before starting its timer.")
    if c.duration_s is not None and not 0 < c.duration_s <= MAX_TIMER_S:
        return reject("invalid_value", "A timer runs for between 1 second and 24 hours.")
    timer = state.timer
    if c.duration_s is None and timer is not None and timer.phase_id == phase.id:
        if timer.running:
            return reject("timer_running", "The timer is already running.")
        return [ev.TimerStarted(phase.id, timer.remaining(now))]  # resume
    return [ev.TimerStarted(phase.id, float(c.duration_s or phase.duration_s))]


def _manage(
    state: SessionState,
    actor: Participant,
    c: cmd.SetRole | cmd.RemoveParticipant | cmd.MuteParticipant | cmd.RotateToken,
) -> Decision:
    other = state.participants.get(c.participant_id)
    if other is None or other.removed:
        return reject("unknown_participant", "There is no such participant.")
    if not governs_participant(state, actor, other):
        return reject("not_allowed", NOT_ALLOWED)
    if other.id == actor.id and not isinstance(c, cmd.RotateToken):
        return reject("not_allowed", "You cannot do that to yourself.")
    if isinstance(c, cmd.SetRole) and "relay" in (c.role, other.role):
        return reject("not_allowed", "A hall laptop link is made for a venue; no one becomes one.")
    match c:
        case cmd.SetRole():
            return [ev.RoleChanged(other.id, c.role)]
        case cmd.RemoveParticipant():
            return [ev.ParticipantRemoved(other.id)]
        case cmd.MuteParticipant():
            return [ev.ParticipantMuted(other.id, c.muted)]
        case cmd.RotateToken():
            return [ev.TokenRotated(other.id, c.nonce)]


def decide(
    state: SessionState, actor: Participant | None, command: cmd.AnyCommand, *, now: float
) -> Decision:
    """The events a command yields, or why it is refused."""
    if isinstance(command, cmd.Join):
        return _join(state, command)
    if isinstance(command, cmd.RespondToDigest):
        return _respond(state, command, now)
    if actor is None or actor.id not in state.participants:
        return reject("unknown_participant", "You are not part of this session.")
    if actor.removed:
        return reject("removed", "The host has removed you from this session.")
    kind = command_type(command)
    if kind in ("rotate_token", "publish_digest"):
        if actor.role != "host":
            return reject("not_allowed", NOT_ALLOWED)
    elif not may(actor.role, kind):
        return reject("not_allowed", NOT_ALLOWED)
    return _decide_as(state, actor, command, now)
