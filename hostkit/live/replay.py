"""A session's state from its stored log, and what a replay of the log may show.

Everything that reads the log (the hub on load, exports, the CLI, a phone catching up)
folds it the same way and blanks the same words, so these live apart from the hub.
"""

from __future__ import annotations

from hostkit.domain.events import decode_event
from hostkit.domain.fold import apply
from hostkit.domain.model import Contribution, SessionState
from hostkit.live import waiting
from hostkit.store.base import StoredEvent


def fold_log(session_id: str, log: list[StoredEvent]) -> SessionState:
    state = SessionState(id=session_id)
    for stored in log:
        fold_stored(state, stored)
    return state


def fold_stored(state: SessionState, stored: StoredEvent) -> None:
    apply(
        state,
        decode_event(stored.body),
        seq=stored.seq,
        at=stored.at,
        actor=stored.actor,
        command_id=stored.command_id,
    )


def redacted(state: SessionState, events: list[StoredEvent]) -> list[StoredEvent]:
    """The events, without the words of contributions since withdrawn or hidden.

    Whoever replays the log (a new phone, the events API) must not read what its
    author took back or a host hid; the withdrawal events that follow still apply.
    """

    def gone(contribution_id: str) -> bool:
        now = state.contributions.get(contribution_id)
        return now is not None and (now.withdrawn or now.hidden)

    return waiting.blanked(events, gone)


def erasable(state: SessionState, c: Contribution) -> bool:
    """Words the store must not keep: withdrawn, or said in a confidential phase now closed."""
    if c.withdrawn:
        return True
    phase = state.phase(c.phase_id)
    return c.hidden and phase is not None and phase.attribution == "confidential"
