"""Decide the timers: the phase timer (the lead host's), and a venue's own timer.

Time left is computed from ``now``, which the adapter passes in, so the rules read no clock.

A venue's timer (``cell_id`` on the command) lets a hall run its own rounds: the lead host,
that venue's cell host or its hall laptop may start, pause, extend and stop it, and the
venue's people see it in place of the session's. A hall laptop that was offline forwards
these later with ``written_at``, when the hall did them: the server's timer then ends when
the hall's did (or has already run out), never later. A new phase ends every venue timer,
so one the hall started before the phase that is open now is refused.
"""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.commands import MAX_TIMER_S
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import Decision
from hostkit.domain.model import CELL_BOUND, Participant, SessionState, Timer
from hostkit.domain.rejections import Rejection, reject
from hostkit.domain.relaying import CLOCK_SLACK_S

TimerCommand = cmd.StartTimer | cmd.PauseTimer | cmd.ExtendTimer | cmd.StopTimer

LEAD_ONLY = "Only the lead host runs the session's timer: a hall runs its own."
OWN_VENUE = "You run the timer of your own venue only."
NO_VENUE_TIMER = "This venue has no timer running."


def start(state: SessionState, actor: Participant, c: cmd.StartTimer, now: float) -> Decision:
    if c.duration_s is not None and not 0 < c.duration_s <= MAX_TIMER_S:
        return reject("invalid_value", "A timer runs for between 1 second and 24 hours.")
    if c.cell_id is not None:
        return _venue_start(state, actor, c, now)
    if (problem := _session_problem(actor, c)) is not None:
        return problem
    phase = state.open_phase()
    if phase is None:
        return reject("phase_closed", "Open a phase before starting its timer.")
    timer = state.timer
    if c.duration_s is None and timer is not None and timer.phase_id == phase.id:
        if timer.running:
            return reject("timer_running", "The timer is already running.")
        return [ev.TimerStarted(phase.id, timer.remaining(now))]  # resume
    return [ev.TimerStarted(phase.id, float(c.duration_s or phase.duration_s))]


def pause(state: SessionState, actor: Participant, c: cmd.PauseTimer, now: float) -> Decision:
    if c.cell_id is not None:
        found = _venue(state, actor, c, now)
        if isinstance(found, Rejection):
            return found
        timer, written = found
        if timer is None or not timer.running:
            return reject("timer_not_running", NO_VENUE_TIMER)
        return [ev.VenueTimerSet(c.cell_id, timer.remaining(written), running=False)]
    if (problem := _session_problem(actor, c)) is not None:
        return problem
    if state.timer is None or not state.timer.running:
        return reject("timer_not_running", "The timer is not running.")
    return [ev.TimerPaused(state.timer.remaining(now))]


def extend(state: SessionState, actor: Participant, c: cmd.ExtendTimer, now: float) -> Decision:
    if not 0 < c.seconds <= MAX_TIMER_S:
        return reject("invalid_value", "Extend by a positive number of seconds.")
    if c.cell_id is not None:
        found = _venue(state, actor, c, now)
        if isinstance(found, Rejection):
            return found
        timer, written = found
        if timer is None:
            return reject("timer_not_running", NO_VENUE_TIMER)
        # from what was left when the hall extended it (a timer that ran out gets it all),
        # less the time since: it ends when the hall's did
        left = timer.remaining(written) + c.seconds - (now - written if timer.running else 0)
        return [ev.VenueTimerSet(c.cell_id, max(0.0, left), timer.running)]
    if (problem := _session_problem(actor, c)) is not None:
        return problem
    if state.timer is None:
        return reject("timer_not_running", "There is no timer to extend.")
    return [ev.TimerExtended(c.seconds)]


def stop(state: SessionState, actor: Participant, c: cmd.StopTimer, now: float) -> Decision:
    if c.cell_id is not None:
        found = _venue(state, actor, c, now)
        if isinstance(found, Rejection):
            return found
        if found[0] is None:
            return reject("timer_not_running", NO_VENUE_TIMER)
        return [ev.VenueTimerStopped(c.cell_id)]
    if (problem := _session_problem(actor, c)) is not None:
        return problem
    if state.timer is None:
        return reject("timer_not_running", "There is no timer to stop.")
    return [ev.TimerStopped()]


# --- a venue's own timer ------------------------------------------------------------------


def _session_problem(actor: Participant, c: TimerCommand) -> Rejection | None:
    """The session's timer is the lead host's, and nobody says when they ran it."""
    if actor.role != "host":
        return reject("not_allowed", LEAD_ONLY)
    if c.written_at is not None:
        return reject("invalid_value", "Only a venue's timer can have been run offline.")
    return None


def _venue(
    state: SessionState, actor: Participant, c: TimerCommand, now: float
) -> tuple[Timer | None, float] | Rejection:
    """The venue's timer (None: none) and when the command was given, or why not."""
    assert c.cell_id is not None
    if c.cell_id not in state.cells:
        return reject("unknown_cell", "There is no such venue.")
    if actor.role in CELL_BOUND and actor.cell_id != c.cell_id:
        return reject("not_allowed", OWN_VENUE)
    if c.written_at is None:
        return state.venue_timers.get(c.cell_id), now
    if c.written_at > now + CLOCK_SLACK_S:
        return reject("written_in_future", "That was done later than now: check the clock.")
    written = min(c.written_at, now)
    opened = [p.opened_at for p in state.phases if p.opened_at is not None]
    if opened and written < max(opened):  # a new phase ended the hall's timer since
        return reject("written_before_phase", "A new phase has opened since: it ended that timer.")
    return state.venue_timers.get(c.cell_id), written


def _venue_start(
    state: SessionState, actor: Participant, c: cmd.StartTimer, now: float
) -> Decision:
    found = _venue(state, actor, c, now)
    if isinstance(found, Rejection):
        return found
    timer, written = found
    assert c.cell_id is not None
    late = now - written  # how long ago the hall started it: that much has run already
    if c.duration_s is None:
        if timer is None:
            return reject("invalid_value", "Say how long the venue's timer runs.")
        if timer.running:
            return reject("timer_running", "The venue's timer is already running.")
        return [ev.VenueTimerSet(c.cell_id, max(0.0, timer.remaining_s - late), running=True)]
    return [ev.VenueTimerSet(c.cell_id, max(0.0, c.duration_s - late), running=True)]


HANDLERS: Handlers = handler_table(
    by_participant(cmd.StartTimer, start),
    by_participant(cmd.PauseTimer, pause),
    by_participant(cmd.ExtendTimer, extend),
    by_participant(cmd.StopTimer, stop),
)
