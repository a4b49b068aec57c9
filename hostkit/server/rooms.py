"""Every live connection of a session in this process, behind one fan-out subscription.

The fan-out calls each room once per batch; the room wraps the batch once (so its text
is encoded once per kind of viewer, see live/outgoing.py) and offers that to each
connection's bounded buffer. Like the fan-out, a member must only enqueue, and one that
raises is logged and skipped so the rest still get their events.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from hostkit.domain.model import SessionState
from hostkit.fanout.base import Fanout, Unsubscribe
from hostkit.live.outgoing import Outgoing
from hostkit.store.base import StoredEvent

log = logging.getLogger(__name__)

Member = Callable[[Outgoing], None]


class Room:
    __slots__ = ("members", "unsubscribe")

    def __init__(self) -> None:
        self.members: dict[object, Member] = {}
        self.unsubscribe: Unsubscribe = lambda: None


class Rooms:
    def __init__(self, fanout: Fanout, state_of: Callable[[str], SessionState | None]) -> None:
        self._fanout = fanout
        self._state_of = state_of  # the session as committed, if in memory
        self._rooms: dict[str, Room] = {}

    def join(self, session_id: str, member: Member) -> Unsubscribe:
        room = self._rooms.get(session_id)
        if room is None:
            room = self._rooms[session_id] = Room()
            room.unsubscribe = self._fanout.subscribe(
                session_id, lambda events: self._publish(session_id, room, events)
            )
        token = object()
        room.members[token] = member

        def leave() -> None:
            """Stop delivery; safe to call more than once."""
            room.members.pop(token, None)
            if not room.members and self._rooms.get(session_id) is room:
                del self._rooms[session_id]
                room.unsubscribe()

        return leave

    def _publish(self, session_id: str, room: Room, events: list[StoredEvent]) -> None:
        batch = Outgoing(events, self._state_of(session_id))
        for token, member in list(room.members.items()):
            if token not in room.members:
                continue  # left while others were being offered this batch
            try:
                member(batch)
            except Exception:
                log.exception(
                    "live connection of session %s failed on seq %d", session_id, batch.first_seq
                )

    def member_count(self, session_id: str) -> int:
        room = self._rooms.get(session_id)
        return len(room.members) if room is not None else 0
