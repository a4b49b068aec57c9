"""Tell a session's hosts at once when the server could not store what someone sent.

The sender is told by the refusal itself (``storage_failed``); the host must know too,
because a full or failing disk is theirs to fix, and a refused contribution is not an
event (nothing was stored), so it cannot travel through the log. Host connections
register here and get an ``alert`` message; the host console also shows the last
failure on every load until something is stored again.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Awaitable, Callable

from hostkit.live import protocol

Send = Callable[[bytes], Awaitable[None]]

STORAGE_FAILED = (
    "The server could not save what someone sent: this computer's disk may be full or "
    "read-only. Phones keep the words and send them again; free some space."
)


class Alerts:
    def __init__(self) -> None:
        self._hosts: dict[str, set[Send]] = defaultdict(set)
        self._tasks: set[asyncio.Task[None]] = set()
        self.storage_failed_at: dict[str, float] = {}  # session id -> time of the last failure

    def watch(self, session_id: str, send: Send) -> Callable[[], None]:
        """Deliver this session's alerts through ``send`` until the returned call."""
        self._hosts[session_id].add(send)

        def stop() -> None:
            self._hosts[session_id].discard(send)
            if not self._hosts[session_id]:
                del self._hosts[session_id]

        return stop

    def storage_failed(self, session_id: str, at: float) -> None:
        """Record the failure and tell every host connected to the session."""
        self.storage_failed_at[session_id] = at
        message = protocol.encode(
            {"type": "alert", "code": "storage_failed", "message": STORAGE_FAILED, "at": at}
        )
        for send in list(self._hosts.get(session_id, ())):
            task = asyncio.get_running_loop().create_task(self._deliver(send, message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def storage_trouble(self, session_id: str, last_stored_at: float) -> float | None:
        """When storing last failed, if nothing has been stored since."""
        failed = self.storage_failed_at.get(session_id)
        return failed if failed is not None and failed >= last_stored_at else None

    @staticmethod
    async def _deliver(send: Send, message: bytes) -> None:
        with contextlib.suppress(Exception):  # a host that has gone is not our problem here
            await send(message)
