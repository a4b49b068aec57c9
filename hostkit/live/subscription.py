"""A connection's bounded buffer of published batches.

Publishing never waits for a client: ``offer`` drops the batch and marks the
subscription overflowed when the buffer is full. The connection then closes with a
reason and the client resumes from its last sequence number, as websockets' own
broadcast guidance recommends. A deque and one waiter, not an asyncio.Queue: there are
thousands of these at rest, and a Queue carries three deques and an Event each.
"""

from __future__ import annotations

import asyncio
from collections import deque

from hostkit.live.outgoing import Outgoing


class Subscription:
    __slots__ = ("_batches", "_limit", "_waiter", "overflowed")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._batches: deque[Outgoing] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.overflowed = False

    @property
    def empty(self) -> bool:
        """Nothing buffered or dropped: a batch sent now cannot overtake or skip one."""
        return not self._batches and not self.overflowed

    def offer(self, batch: Outgoing) -> None:
        if self.overflowed:
            return
        if len(self._batches) >= self._limit:
            self.overflowed = True
            self._batches.clear()
        else:
            self._batches.append(batch)
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self) -> Outgoing | None:
        """The next batch, or None once the subscriber has fallen too far behind."""
        while not self._batches:
            if self.overflowed:
                return None
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._batches.popleft()
