"""What a phone shows around its note form: who will see what I add, what I added in this
phase, the host's announcements shown now, and how a remote person hears
their table.

Pure: the page's zone is passed in, like the time everywhere else in hostkit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from hostkit.domain.model import Participant, SessionState
from hostkit.domain.moderation_rules import held
from hostkit.live.announcements import shown

Audience = Literal["table", "group", "everyone"]
SHOWN_ANNOUNCEMENTS = 3  # the newest few: a phone is small


def audience(state: SessionState, me: Participant) -> Audience:
    """Who sees a note I add now (once approved, where the host approves first)."""
    phase = state.open_phase()
    group = state.groups.get(me.group_id) if me.group_id else None
    if group is None or phase is None or phase.grouping == "plenary":
        return "everyone"
    return "table" if phase.grouping == "tables" else "group"


def own(state: SessionState, me: Participant) -> list[dict[str, Any]]:
    """My contributions in the open phase, oldest first (next steps have their own list)."""
    phase = state.open_phase()
    if phase is None:
        return []
    return [
        {"id": c.id, "seq": c.seq, "kind": c.kind, "text": c.text, "pending": c.pending}
        for c in state.contributions.values()
        if c.author_id == me.id
        and c.phase_id == phase.id
        and c.kind != "action"
        and not c.withdrawn
        and not c.hidden
    ]


def announcements(state: SessionState, me: Participant, zone: ZoneInfo) -> list[dict[str, Any]]:
    """The host's announcements shown in my venue (live/announcements.py), newest first."""
    mine = shown(state, me.cell_id)
    return [
        {
            "seq": a.seq,
            "text": a.text,
            "at": datetime.fromtimestamp(a.at, UTC).isoformat().replace("+00:00", "Z"),
            "time": datetime.fromtimestamp(a.at, zone).strftime("%H:%M"),
        }
        for a in reversed(mine[-SHOWN_ANNOUNCEMENTS:])
    ]


def hearing(state: SessionState, me: Participant) -> Literal["call", "no_call"] | None:
    """A remote person at a table: "call" when the table has a call link to hear it by,
    "no_call" when it has none yet (they are told how to ask); None for everyone else."""
    group = state.groups.get(me.group_id) if me.group_id else None
    if me.where != "remote" or group is None:
        return None
    return "call" if group.call_url else "no_call"


def phone_view(state: SessionState, participant_id: str, zone: ZoneInfo) -> dict[str, Any]:
    me = state.participants[participant_id]
    group = state.groups.get(me.group_id) if me.group_id else None
    return {
        "audience": audience(state, me),
        "held": held(state, me),  # what I add waits for the host's approval
        "own": own(state, me),
        "announcements": announcements(state, me, zone),
        "hearing": hearing(state, me),
        "hybrid": group is not None and group.remote_seats,
    }
