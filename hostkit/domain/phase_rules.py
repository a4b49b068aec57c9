"""Decide phases: opening (the phase opens, its timer starts, a café round seats people),
closing, and how privately one phase is recorded.

One command does what the host's next step says ("Open Round 2 and move travellers"),
so the console needs one button and the log tells everyone what happened: the phase
opened, who sits where (``table_rules``), who hosts each table, and the timer. The
host may open a phase without its timer (``timer``) or without seating (``seat``), and
adjust anything before or after with the other commands.

A phase may become more private than the session at any time, but once people have
spoken in it, never less: they spoke trusting the mode shown to them.
"""

from __future__ import annotations

from typing import Literal

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import table_rules
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import Decision
from hostkit.domain.model import PRIVACY, Participant, Phase, SessionState, most_private
from hostkit.domain.rejections import reject

Seating = Literal["form_tables", "move_travellers"]

_SPOKEN = "People have already spoken in this phase: it can become more private, not less."


def open_phase(state: SessionState, actor: Participant, c: cmd.OpenPhase, now: float) -> Decision:
    """The events of opening a phase, or why it cannot open."""
    phase = state.phase(c.phase_id)
    if phase is None:
        return reject("unknown_phase", "There is no such phase.")
    if phase.status == "open":
        return reject("phase_already_open", "That phase is already open.")
    events: list[ev.AnyEvent] = [ev.PhaseOpened(phase.id)]
    if c.seat:
        events += table_rules.seat_round(state, phase)
    if c.timer and phase.duration_s > 0:
        events.append(ev.TimerStarted(phase.id, float(phase.duration_s)))
    return events


def close_phase(state: SessionState, actor: Participant, c: cmd.ClosePhase, now: float) -> Decision:
    phase = state.phase(c.phase_id)
    if phase is None:
        return reject("unknown_phase", "There is no such phase.")
    if phase.status != "open":
        return reject("phase_closed", "That phase is not open.")
    return [ev.PhaseClosed(c.phase_id)]


def set_attribution(
    state: SessionState, actor: Participant, c: cmd.SetPhaseAttribution, now: float
) -> Decision:
    phase = state.phase(c.phase_id)
    if phase is None:
        return reject("unknown_phase", "There is no such phase.")
    now_mode = most_private(state.attribution, phase.attribution)
    new_mode = most_private(state.attribution, c.attribution)
    said = any(x.phase_id == phase.id for x in state.contributions.values())
    if said and PRIVACY.index(new_mode) < PRIVACY.index(now_mode):
        return reject("consent_locked", _SPOKEN)
    return [ev.PhaseAttributionSet(phase.id, c.attribution)]


def seating_on_opening(state: SessionState, phase: Phase) -> Seating | None:
    """What opening ``phase`` will do to the tables, for the console's next-step button."""
    if phase.grouping != "tables" or not table_rules.seated(state):
        return None
    return "form_tables" if table_rules.first_round(state, phase) else "move_travellers"


HANDLERS: Handlers = handler_table(
    by_participant(cmd.OpenPhase, open_phase),
    by_participant(cmd.ClosePhase, close_phase),
    by_participant(cmd.SetPhaseAttribution, set_attribution),
)
