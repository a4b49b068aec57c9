"""The host's one next step: what the console's main button says and sends.

A volunteer host running a phase should not have to find the right control among many:
the console offers the step the session's plan implies (open the next phase, or close
the last one), written in the host's words, and the command that does it. Pure: the
state and the time in, a label and a command out.
"""

from __future__ import annotations

from dataclasses import dataclass

from hostkit.domain import commands as cmd
from hostkit.domain.model import Phase, SessionState


@dataclass(frozen=True, slots=True)
class NextStep:
    """``label`` is English with %(name)s places filled from ``values`` (the page translates
    it); ``command`` is None when the step is not a command (add a phase, download)."""

    label: str
    values: dict[str, str]
    command: cmd.ClientCommand | None
    time_up: bool = False  # the open phase's timer has run out: the step is due now
    page: str | None = None  # the console page where a step that is not a command is done


def _following(state: SessionState) -> Phase | None:
    """The first phase not yet run after the open one (or after the last one run)."""
    run = [i for i, p in enumerate(state.phases) if p.status != "pending"]
    start = run[-1] + 1 if run else 0
    return next((p for p in state.phases[start:] if p.status == "pending"), None)


def _cafe_round(state: SessionState, phase: Phase) -> int | None:
    """Which table round ``phase`` is (1, 2...), when it is one; None otherwise."""
    if phase.grouping != "tables":
        return None
    rounds = [p for p in state.phases if p.grouping == "tables"]
    return rounds.index(phase) + 1


def next_step(state: SessionState, now: float) -> NextStep:
    """The single step a host takes next, for the console's main button."""
    opened = state.open_phase()
    time_up = (
        opened is not None
        and state.timer is not None
        and state.timer.phase_id == opened.id
        and state.timer.remaining(now) <= 0
    )
    following = _following(state)
    if following is not None:
        command = cmd.OpenPhase(following.id)
        number = _cafe_round(state, following)
        if number == 1:
            return NextStep(
                "Open %(phase)s and form tables", {"phase": following.title}, command, time_up
            )
        if number is not None:
            return NextStep(
                "Open %(phase)s and move travellers", {"phase": following.title}, command, time_up
            )
        return NextStep("Open %(phase)s", {"phase": following.title}, command, time_up)
    if opened is not None:
        close = cmd.ClosePhase(opened.id)
        return NextStep("Close %(phase)s", {"phase": opened.title}, close, time_up)
    if not state.phases:
        return NextStep("Add a phase", {}, None, page="phases")
    return NextStep("Every phase is done: download the harvest", {}, None, page="harvest")
