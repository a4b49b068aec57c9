"""Fold events into session state: ``apply(state, event, seq, at, actor, command_id)``.

``apply`` is the only writer of state. It trusts the event (the rules checked the
command before the event existed), so replaying a log never fails half-way.
"""

from __future__ import annotations

from hostkit.domain import events as ev
from hostkit.domain import format_fold, mechanics_fold, report_fold
from hostkit.domain.model import (
    PLENARY,
    Announcement,
    Cell,
    Contribution,
    DigestResponse,
    Group,
    Hand,
    Participant,
    Phase,
    Publication,
    SessionState,
    Timer,
)


def _group(spec: ev.GroupSpec) -> Group:
    return format_fold.group(spec)


def _lower(state: SessionState, participant_id: str) -> None:
    for queue in state.hands.values():
        queue[:] = [h for h in queue if h.participant_id != participant_id]


def _forget_if_confidential(state: SessionState, phase: Phase) -> None:
    """A closed confidential phase's words live no longer than the moment: blank them.

    They become hidden (shown to nobody, like a host's hide); the hub then erases them
    from the store, and replay blanks them even if that erase never happened.
    """
    if phase.attribution != "confidential":
        return
    for c in state.contributions.values():
        if c.phase_id == phase.id and (c.text or c.photo_id or not c.hidden):
            c.text, c.photo_id, c.hidden = "", None, True


def apply(
    state: SessionState,
    event: ev.AnyEvent,
    *,
    seq: int,
    at: float,
    actor: str | None = None,
    command_id: str | None = None,
) -> SessionState:
    """Fold one event into state (in place) and return it."""
    state.last_seq = seq
    if actor is not None and command_id is not None:
        state.commands[(actor, command_id)] = seq
    match event:
        case ev.SessionCreated():
            state.title, state.purpose, state.licence = event.title, event.purpose, event.licence
            state.format, state.attribution = event.format, event.attribution
            state.join_code, state.created_at = event.join_code, at
            state.cells = {c.id: Cell(c.id, c.name, c.kind) for c in event.cells}
            state.groups = {g.id: _group(g) for g in event.groups}
            state.phases = [
                Phase(
                    p.id,
                    p.title,
                    p.question,
                    p.duration_s,
                    p.grouping,
                    list(p.allows),
                    attribution=p.attribution,
                    dots=p.dots,
                )
                for p in event.phases
            ]
        case ev.ParticipantJoined():
            state.participants[event.participant_id] = Participant(
                id=event.participant_id,
                name=event.name,
                where=event.where,
                role=event.role,
                cell_id=event.cell_id,
                group_id=event.group_id,
                nonce=event.nonce,
                joined_at=at,
                screen=event.screen,
            )
            format_fold.join_circle(state, event.participant_id)
            report_fold.visit(state, event.participant_id)
        case ev.ContributionPosted():
            state.contributions[event.contribution_id] = Contribution(
                id=event.contribution_id,
                seq=seq,
                kind=event.kind,
                text=event.text,
                author_id=event.author_id,
                group_id=event.group_id,
                phase_id=event.phase_id,
                at=at,
                off_record=event.off_record,
                photo_id=event.photo_id,
                pending=event.pending,
                owner_id=event.owner_id,
                owner=event.owner,
                due=event.due,
                written_at=event.written_at,
                late=event.late,
            )
        case ev.ContributionWithdrawn():
            state.contributions[event.contribution_id].withdrawn = True
        case ev.ContributionHidden():
            state.contributions[event.contribution_id].hidden = True
        case ev.VoteCast():
            votes = state.contributions[event.contribution_id].votes
            if event.dots:
                votes[event.participant_id] = event.dots
            else:
                votes.pop(event.participant_id, None)
            voting = state.phase(event.phase_id) if event.phase_id else None
            if voting is not None:
                ballot = voting.ballots.setdefault(event.participant_id, {})
                ballot[event.contribution_id] = event.dots
                if not event.dots:
                    del ballot[event.contribution_id]
        case ev.DotsSet():
            found = state.phase(event.phase_id)
            if found is not None:
                found.dots = event.dots
        case ev.ReactionToggled():
            reactions = state.contributions[event.contribution_id].reactions
            who = [p for p in reactions.get(event.reaction, []) if p != event.participant_id]
            if event.on:
                who.append(event.participant_id)
            if who:
                reactions[event.reaction] = who
            else:
                reactions.pop(event.reaction, None)
        case ev.HandRaised():
            key = event.group_id or PLENARY
            state.hands.setdefault(key, []).append(Hand(event.participant_id, at, seq))
        case ev.HandLowered():
            _lower(state, event.participant_id)
        case ev.PhaseOpened():
            for phase in state.phases:
                if phase.status == "open":
                    phase.status = "closed"
                    phase.closed_at = at
                    _forget_if_confidential(state, phase)
            opened = state.phase(event.phase_id)
            if opened is not None:
                opened.status = "open"
                opened.opened_seq = seq
                opened.opened_at, opened.closed_at = at, None
            state.timer = None
            state.venue_timers.clear()  # a new phase: every venue back on the session's clock
        case ev.PhaseClosed():
            closed = state.phase(event.phase_id)
            if closed is not None:
                closed.status = "closed"
                closed.closed_at = at
                _forget_if_confidential(state, closed)
            if state.timer is not None and state.timer.phase_id == event.phase_id:
                state.timer = None
        case ev.PhaseAttributionSet():
            changed = state.phase(event.phase_id)
            if changed is not None:
                changed.attribution = event.attribution
                if changed.status == "closed":
                    _forget_if_confidential(state, changed)
        case ev.DigestPublished():
            state.publications[event.link] = Publication(
                event.link, event.attribution, at, event.expires_at
            )
        case ev.DigestRevoked():
            state.publications[event.link].revoked = True
        case ev.RetentionSet():
            state.retention_days = event.days
        case ev.LanguageSet():
            state.language = event.language or "en"
            state.language_chosen = event.language is not None
        case ev.ProjectorSet():
            state.projector = event.mode
        case ev.ResponseWindowSet():
            state.publications[event.link].responses_until = event.until
        case ev.DigestResponded():
            state.responses.append(
                DigestResponse(
                    event.response_id, seq, event.link, event.phase_id, event.text, event.name, at
                )
            )
        case ev.TimerStarted():
            state.timer = Timer(event.phase_id, event.remaining_s, at, running=True)
        case ev.TimerPaused():
            if state.timer is not None:
                state.timer.remaining_s, state.timer.since = event.remaining_s, at
                state.timer.running = False
        case ev.TimerExtended():
            if state.timer is not None:  # from what is left, so a timer that ran out gets it all
                state.timer.remaining_s = state.timer.remaining(at) + event.seconds
                state.timer.since = at
        case ev.TimerStopped():
            state.timer = None
        case ev.VenueTimerSet():
            state.venue_timers[event.cell_id] = Timer("", event.remaining_s, at, event.running)
        case ev.VenueTimerStopped():
            state.venue_timers.pop(event.cell_id, None)
        case ev.ParticipantMoved():
            moved = state.participants[event.participant_id]
            moved.group_id = event.group_id
            if event.group_id is not None:  # as on joining: a group's venue is its members'
                moved.cell_id = state.groups[event.group_id].cell_id
            _lower(state, event.participant_id)
            format_fold.join_circle(state, event.participant_id)
            report_fold.visit(state, event.participant_id)
        case ev.Announced():
            state.announcements.append(Announcement(seq, event.text, at, event.by, event.cell_id))
        case ev.AnnouncementEnded():
            for announcement in state.announcements:
                if announcement.seq == event.seq:
                    announcement.ended = True
        case ev.GroupCreated():
            state.groups[event.group.id] = _group(event.group)
        case ev.GroupRenamed():
            state.groups[event.group_id].name = event.name
        case ev.RoleChanged():
            state.participants[event.participant_id].role = event.role
        case ev.ParticipantRemoved():
            state.participants[event.participant_id].removed = True
            _lower(state, event.participant_id)
        case ev.ParticipantMuted():
            state.participants[event.participant_id].muted = event.muted
        case ev.TokenRotated():
            state.participants[event.participant_id].nonce = event.nonce
        case ev.ReportSubmitted():
            report_fold.apply_report(state, event, seq=seq, at=at)
        case ev.ModerationSet() | ev.ContributionApproved() | ev.GroupsMerged():
            mechanics_fold.apply_mechanics(state, event)
        case _:
            format_fold.apply_format(state, event, at=at)
    return state
