"""Fold Open Space reports, and remember who has been in each topic group (see ``fold.apply``)."""

from __future__ import annotations

from hostkit.domain import events as ev
from hostkit.domain.model import Report, SessionState


def visit(state: SessionState, participant_id: str) -> None:
    """Someone arrived in a topic group: they may write its report, and took part in it."""
    person = state.participants[participant_id]
    group = state.groups.get(person.group_id) if person.group_id else None
    if group is None or group.topic_id is None or person.screen:
        return
    seen = state.visits.setdefault(group.id, [])
    if participant_id not in seen:
        seen.append(participant_id)


def apply_report(state: SessionState, event: ev.ReportSubmitted, *, seq: int, at: float) -> None:
    """A new version of a report replaces the last in state (the log keeps them all)."""
    previous = state.reports.get(event.group_id)
    state.reports[event.group_id] = Report(
        group_id=event.group_id,
        phase_id=event.phase_id,
        topic_id=event.topic_id,
        convener_id=event.convener_id,
        topic=event.topic,
        participant_ids=list(event.participant_ids),
        summary=event.summary,
        recommendations=event.recommendations,
        resources=event.resources,
        requests=event.requests,
        author_id=event.author_id,
        version=previous.version + 1 if previous is not None else 1,
        first_seq=previous.first_seq if previous is not None else seq,
        seq=seq,
        at=at,
        off_record=event.off_record,
    )
