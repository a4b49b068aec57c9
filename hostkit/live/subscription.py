"""A connection's bounded buffer of published batches.

Publishing never waits for a client: ``offer`` drops the batch and marks the
subscription overflowed when the buffer is full. The connection then closes with a
reason and the client resumes from its last sequence number, as websockets' own
broadcast guidance recommends. Most batches never wait here (the room writes them
straight to an idle socket, see server/wire.py), so the buffer is a plain list that
costs nothing at rest: there are thousands of these, one per live connection.
"""

from __future__ import annotations

from hostkit.live.outgoing import Outgoing


class Subscription:
    __slots__ = ("_batches", "_limit", "overflowed")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._batches: list[Outgoing] = []
        self.overflowed = False

    @property
    def empty(self) -> bool:
        """Nothing buffered or dropped: a batch sent now cannot overtake or skip one."""
        return not self._batches and not self.overflowed

    @property
    def pending(self) -> bool:
        """Something buffered, waiting to be sent."""
        return bool(self._batches)

    def offer(self, batch: Outgoing) -> None:
        if self.overflowed:
            return
        if len(self._batches) >= self._limit:
            self.overflowed = True
            self._batches.clear()
        else:
            self._batches.append(batch)

    def take(self) -> Outgoing | None:
        """The oldest buffered batch, or None when there is none (or it fell behind)."""
        if self.overflowed or not self._batches:
            return None
        return self._batches.pop(0)
