"""A published batch of events, encoded once per kind of viewer.

Every live connection of a session gets the same batch. Encoding it per connection made
the work grow with connections x events; here the text of an ``events`` message is made
on first use for each set of words a viewer may not read, and shared by every viewer
with that set: with pre-moderation off that is one text for everyone; with it on, the
hosts and each waiting post's author differ from the rest (see waiting.py).
"""

from __future__ import annotations

from collections.abc import Callable

from hostkit.domain.model import SessionState
from hostkit.live import protocol, waiting
from hostkit.store.base import StoredEvent

_NOTHING_HIDDEN: frozenset[str] = frozenset()


# Events after which a live connection re-checks that its token still stands.
REVOKING = frozenset({"participant_removed", "token_rotated"})


class Outgoing:
    __slots__ = (
        "_frames",
        "_posts",
        "_state",
        "_texts",
        "events",
        "first_seq",
        "last_seq",
        "revoking",
    )

    def __init__(self, events: list[StoredEvent], state: SessionState | None) -> None:
        self.events = events
        self.first_seq = events[0].seq
        self.last_seq = events[-1].seq
        self.revoking = any(e.type in REVOKING for e in events)
        self._state = state  # as committed when published: who waits, who hosts
        self._posts = waiting.waiting_posts(state, events) if state is not None else ()
        self._texts: dict[frozenset[str], str] = {}
        self._frames: dict[str, bytes] = {}  # by text: the WebSocket frame carrying it

    def text_for(self, viewer_id: str) -> str:
        """The ``events`` message as this viewer may read it, shared with its class."""
        hidden = _NOTHING_HIDDEN
        if self._posts and self._state is not None:
            hidden = waiting.hidden_from(self._state, viewer_id, self._posts)
        text = self._texts.get(hidden)
        if text is None:
            # text, not bytes: the ASGI send takes str, so decode once here, not per send
            events = waiting.blanked(self.events, hidden.__contains__) if hidden else self.events
            text = protocol.events_message(events).decode()
            self._texts[hidden] = text
        return text

    def frame_for(self, viewer_id: str, make: Callable[[str], bytes]) -> bytes:
        """This viewer's text made into a frame by ``make``, once per kind of viewer."""
        text = self.text_for(viewer_id)
        frame = self._frames.get(text)
        if frame is None:
            frame = self._frames[text] = make(text)
        return frame
