"""A connection's bounded buffer of committed events.

Publishing never waits for a client: ``offer`` drops the batch and marks the
subscription overflowed when the buffer is full. The connection then closes with a
reason and the client resumes from its last sequence number, as websockets' own
broadcast guidance recommends.
"""

from __future__ import annotations

import asyncio

from hostkit.store.base import StoredEvent


class Subscription:
    def __init__(self, limit: int) -> None:
        self._queue: asyncio.Queue[list[StoredEvent] | None] = asyncio.Queue(limit)
        self.overflowed = False

    def offer(self, events: list[StoredEvent]) -> None:
        if self.overflowed:
            return
        try:
            self._queue.put_nowait(events)
        except asyncio.QueueFull:
            self.overflowed = True
            while not self._queue.empty():
                self._queue.get_nowait()
            self._queue.put_nowait(None)

    async def next(self) -> list[StoredEvent] | None:
        """The next batch, or None once the subscriber has fallen too far behind."""
        return await self._queue.get()
