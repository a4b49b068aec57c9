"""Fold the events of the hosting formats into session state (see ``fold.apply``)."""

from __future__ import annotations

from hostkit.domain import events as ev
from hostkit.domain.model import (
    PLENARY,
    Group,
    HostCall,
    Phase,
    Seating,
    SessionState,
    TalkingPiece,
)

FormatEvent = (
    ev.SeatingProposed
    | ev.SeatingAdjusted
    | ev.SeatingApplied
    | ev.HallRoundStarted
    | ev.GroupsFormed
    | ev.SpeakingOrderSet
    | ev.TalkingPieceMoved
    | ev.QuestionMarked
    | ev.PhaseAdded
    | ev.PhaseEdited
    | ev.PhaseRemoved
    | ev.PhaseMoved
    | ev.CallUrlSet
    | ev.HostCalled
    | ev.CallResolved
    | ev.TopicPlaced
    | ev.HatSet
    | ev.HandMoved
    | ev.HandsSorted
)


def group(spec: ev.GroupSpec) -> Group:
    return Group(
        spec.id,
        spec.name,
        spec.cell_id,
        spec.remote_seats,
        spec.call_url,
        spec.topic_id,
        spec.slot,
        spec.space,
        spec.seats,
    )


def _phase(spec: ev.PhaseSpec) -> Phase:
    phase = Phase(spec.id, spec.title, spec.question, spec.duration_s, spec.grouping, spec.allows)
    phase.attribution = spec.attribution
    phase.dots = spec.dots
    return phase


def _move(state: SessionState, seats: dict[str, str]) -> None:
    for person_id, group_id in seats.items():
        person = state.participants[person_id]
        person.group_id = group_id
        person.cell_id = state.groups[group_id].cell_id
        for queue in state.hands.values():  # as for any move: a raised hand stays behind
            queue[:] = [h for h in queue if h.participant_id != person_id]


def _round(state: SessionState, seats: dict[str, str]) -> None:
    """A new round: the one that ends becomes history the next proposal avoids."""
    tables = {g.id for g in state.groups.values() if g.topic_id is None}
    ending = {
        p.id: p.group_id
        for p in state.participants.values()
        if p.group_id is not None and p.group_id in tables and p.id in seats
    }
    if ending:
        state.table_rounds.append(ending)
    _move(state, seats)


def join_circle(state: SessionState, participant_id: str) -> None:
    """Someone who arrives in a circle while the piece goes round speaks last this round."""
    person = state.participants[participant_id]
    if person.screen or person.role == "observer":
        return
    piece = state.talking.get(person.group_id or PLENARY)
    if piece is not None and piece.holder is not None and participant_id not in piece.order:
        piece.order.append(participant_id)


def apply_format(state: SessionState, event: FormatEvent, *, at: float) -> None:
    """Fold one format event into state, in place."""
    match event:
        case ev.SeatingProposed():
            state.seating = Seating(dict(event.seats), event.repeats, event.best)
        case ev.SeatingAdjusted():
            if state.seating is not None:
                state.seating.seats[event.participant_id] = event.group_id
        case ev.SeatingApplied():
            _round(state, event.seats)
            state.seating = None
        case ev.HallRoundStarted():
            _round(state, event.seats)
        case ev.GroupsFormed():
            for spec in event.groups:
                state.groups[spec.id] = group(spec)
            _move(state, event.seats)
        case ev.SpeakingOrderSet():
            holder = event.order[0] if event.order else None
            state.talking[event.group_id or PLENARY] = TalkingPiece(
                list(event.order), holder, at, event.turn_s
            )
        case ev.TalkingPieceMoved():
            piece = state.talking[event.group_id or PLENARY]
            if event.passed_by is not None:
                piece.passed.append(event.passed_by)
            piece.holder, piece.since = event.holder, at
        case ev.QuestionMarked():
            state.contributions[event.contribution_id].answer = event.answer
        case ev.PhaseAdded():
            state.phases.insert(event.position, _phase(event.phase))
        case ev.PhaseEdited():
            old = state.phase(event.phase.id)
            if old is not None:
                old.title, old.question = event.phase.title, event.phase.question
                old.duration_s, old.grouping = event.phase.duration_s, event.phase.grouping
                old.allows = list(event.phase.allows)
        case ev.PhaseRemoved():
            state.phases = [p for p in state.phases if p.id != event.phase_id]
        case ev.PhaseMoved():
            moved = state.phase(event.phase_id)
            if moved is not None:
                state.phases.remove(moved)
                state.phases.insert(event.position, moved)
        case ev.CallUrlSet():
            state.groups[event.group_id].call_url = event.call_url
        case ev.HostCalled():
            state.calls.append(
                HostCall(event.call_id, event.participant_id, event.group_id, event.text, at)
            )
        case ev.CallResolved():
            for call in state.calls:
                if call.id == event.call_id:
                    call.resolved = True
        case ev.TopicPlaced():
            state.groups[event.group.id] = group(event.group)
        case ev.HatSet():
            hats = state.participants[event.participant_id].hats
            if event.on and event.hat not in hats:
                hats.append(event.hat)
            elif not event.on and event.hat in hats:
                hats.remove(event.hat)
        case ev.HandMoved():
            queue = state.hands.get(event.group_id or PLENARY, [])
            hand = next((h for h in queue if h.participant_id == event.participant_id), None)
            if hand is not None:
                queue.remove(hand)
                queue.insert(event.position, hand)
        case ev.HandsSorted():
            queue = state.hands.get(event.group_id or PLENARY, [])
            rank = {p: i for i, p in enumerate(event.order)}
            queue.sort(key=lambda h: rank.get(h.participant_id, len(rank)))
