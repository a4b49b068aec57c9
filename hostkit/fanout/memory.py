"""In-process fan-out: one server process, subscribers called directly.

Each subscriber is a plain callback that must only enqueue; ``publish`` never awaits
one, so a slow client cannot hold up the others. A subscriber that raises is logged
and skipped: one broken connection must not cost the rest their events.
"""

from __future__ import annotations

import logging

from hostkit.fanout.base import Subscriber, Unsubscribe
from hostkit.store.base import StoredEvent

log = logging.getLogger(__name__)


class MemoryFanout:
    """A Fanout for a single process, keyed by session id."""

    def __init__(self) -> None:
        # per session, insertion-ordered; keyed by a token so one callable may subscribe twice
        self._subscribers: dict[str, dict[object, Subscriber]] = {}

    def subscribe(self, session_id: str, subscriber: Subscriber) -> Unsubscribe:
        token = object()
        self._subscribers.setdefault(session_id, {})[token] = subscriber

        def unsubscribe() -> None:
            """Stop delivery; safe to call more than once."""
            subscribers = self._subscribers.get(session_id)
            if subscribers is None:
                return
            subscribers.pop(token, None)
            if not subscribers:
                del self._subscribers[session_id]

        return unsubscribe

    async def start(self) -> None:
        """Nothing runs beside the server for one process."""

    def expect(self, session_id: str, seq: int) -> None:
        """Nothing to do: in one process every commit is published here, in order."""

    async def publish(self, session_id: str, events: list[StoredEvent]) -> None:
        if not events:
            return
        current = self._subscribers.get(session_id, {})
        # a snapshot, as subscribers may (un)subscribe while being called; one removed
        # meanwhile is skipped, since its connection may already be gone
        for token, subscriber in list(current.items()):
            if token not in self._subscribers.get(session_id, {}):
                continue
            try:
                subscriber(events)
            except Exception:
                log.exception(
                    "subscriber %r of session %s failed on seq %d..%d",
                    subscriber,
                    session_id,
                    events[0].seq,
                    events[-1].seq,
                )

    def subscriber_count(self, session_id: str) -> int:
        """How many subscribers the session has (for metrics and tests)."""
        return len(self._subscribers.get(session_id, {}))

    async def close(self) -> None:
        """Forget every subscriber; later publishes reach no one."""
        self._subscribers.clear()
