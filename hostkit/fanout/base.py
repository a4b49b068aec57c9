"""The fan-out interface: how committed events reach every live connection.

Fan-out only ever carries events that are already durable. Delivery to a subscriber
is a plain synchronous callback so that a slow client can never make ``publish``
wait: the callback must hand the events to a bounded per-connection queue and
return at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from hostkit.store.base import StoredEvent

Subscriber = Callable[[list[StoredEvent]], None]
Unsubscribe = Callable[[], None]


class Fanout(Protocol):
    async def start(self) -> None:
        """Begin work that runs beside the server (listening to other nodes)."""

    def subscribe(self, session_id: str, subscriber: Subscriber) -> Unsubscribe: ...

    def expect(self, session_id: str, seq: int) -> None:
        """The node's log of the session reaches seq - 1: deliver from seq on.

        Called after subscribing and then reading the log, so nothing falls between.
        """

    async def publish(self, session_id: str, events: list[StoredEvent]) -> None: ...

    async def close(self) -> None: ...
