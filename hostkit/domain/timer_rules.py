"""Decide the phase timer: start (or resume), pause, extend, stop.

Time left is computed from ``now``, which the adapter passes in, so the rules read no clock.
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.commands import MAX_TIMER_S
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import Decision
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.rejections import reject


def start(state: SessionState, actor: Participant, c: cmd.StartTimer, now: float) -> Decision:
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


def pause(state: SessionState, actor: Participant, c: cmd.PauseTimer, now: float) -> Decision:
    if state.timer is None or not state.timer.running:
        return reject("timer_not_running", "The timer is not running.")
    return [ev.TimerPaused(state.timer.remaining(now))]


def extend(state: SessionState, actor: Participant, c: cmd.ExtendTimer, now: float) -> Decision:
    if state.timer is None:
        return reject("timer_not_running", "There is no timer to extend.")
    if not 0 < c.seconds <= MAX_TIMER_S:
        return reject("invalid_value", "Extend by a positive number of seconds.")
    return [ev.TimerExtended(c.seconds)]


def stop(state: SessionState, actor: Participant, c: cmd.StopTimer, now: float) -> Decision:
    if state.timer is None:
        return reject("timer_not_running", "There is no timer to stop.")
    return [ev.TimerStopped()]


HANDLERS: Handlers = handler_table(
    by_participant(cmd.StartTimer, start),
    by_participant(cmd.PauseTimer, pause),
    by_participant(cmd.ExtendTimer, extend),
    by_participant(cmd.StopTimer, stop),
)
