"""Decide the session's own settings and its announcements: how long it is kept, its
language, what the projector shows, and what the hosts announce to a venue or to all (and
take down again).
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.commands import MAX_RETENTION_DAYS, MIN_RETENTION_DAYS
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import NOT_ALLOWED, Decision, text_problem
from hostkit.domain.model import CELL_BOUND, Participant, SessionState
from hostkit.domain.rejections import reject


def retention(state: SessionState, actor: Participant, c: cmd.SetRetention, now: float) -> Decision:
    if c.days is not None and not MIN_RETENTION_DAYS <= c.days <= MAX_RETENTION_DAYS:
        return reject("invalid_value", "Keep a session for 1 to 3,660 days.")
    return [ev.RetentionSet(c.days)]


def language(state: SessionState, actor: Participant, c: cmd.SetLanguage, now: float) -> Decision:
    if c.language is not None and c.language not in cmd.LANGUAGES:
        return reject("unknown_language", "Choose English or Welsh (en or cy).")
    return [ev.LanguageSet(c.language)]


def projector(state: SessionState, actor: Participant, c: cmd.SetProjector, now: float) -> Decision:
    return [ev.ProjectorSet(c.mode)]


def announce(state: SessionState, actor: Participant, c: cmd.Announce, now: float) -> Decision:
    if (problem := text_problem(c.text)) is not None:
        return problem
    # a cell host speaks to their own venue; the lead host to all, or to one venue
    cell_id = actor.cell_id if actor.role in CELL_BOUND and not c.cell_id else c.cell_id
    if cell_id is not None and cell_id not in state.cells:
        return reject("unknown_cell", "There is no such venue in this session.")
    if actor.role in CELL_BOUND and cell_id != actor.cell_id:
        return reject("not_allowed", NOT_ALLOWED)
    return [ev.Announced(c.text, by=actor.id, cell_id=cell_id)]


def end_announcement(
    state: SessionState, actor: Participant, c: cmd.EndAnnouncement, now: float
) -> Decision:
    """Take an announcement down (done, or said by mistake): a cell host, their venue's."""
    shown = next((a for a in state.announcements if a.seq == c.seq and not a.ended), None)
    if shown is None:
        return reject("unknown_announcement", "That announcement is not shown any more.")
    if actor.role in CELL_BOUND and shown.cell_id != actor.cell_id:
        return reject("not_allowed", NOT_ALLOWED)
    return [ev.AnnouncementEnded(c.seq, by=actor.id)]


HANDLERS: Handlers = handler_table(
    by_participant(cmd.SetRetention, retention),
    by_participant(cmd.SetLanguage, language),
    by_participant(cmd.SetProjector, projector),
    by_participant(cmd.Announce, announce),
    by_participant(cmd.EndAnnouncement, end_announcement),
)
