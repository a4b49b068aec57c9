"""Health probes as a proxy makes them: a NEW connection each time, every 10 ms.

The prober runs in a thread of its own with blocking sockets, so a test process busy with
hundreds of clients on its event loop still probes every 10 ms (its sockets release the
GIL while they wait), as a proxy on another machine would.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field

INTERVAL_S = 0.01
PATIENCE_S = 30.0  # a busy machine is slow, not unhealthy: only a refusal counts as down


def probe(port: int, path: str = "/healthz") -> int | None:
    """One GET on a fresh connection: the status, or None if nothing answered."""
    request = f"GET {path} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n".encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=PATIENCE_S) as sock:
            sock.sendall(request)
            line = sock.makefile("rb").readline()
    except OSError:
        return None
    return int(line.split()[1]) if line.startswith(b"HTTP/") else None


@dataclass
class Prober:
    """Probes one port until stopped; keeps (monotonic start, status) of every probe."""

    port: int
    results: list[tuple[float, int | None]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="prober", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.monotonic()
            self.results.append((began, probe(self.port)))  # list.append is atomic
            self._stop.wait(INTERVAL_S)

    async def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join)

    async def wait_for_status(self, status: int | None, within: float = 30) -> None:
        async with asyncio.timeout(within):
            while not any(s == status for _, s in list(self.results)):  # noqa: ASYNC110
                await asyncio.sleep(INTERVAL_S)  # the prober is another thread

    def between(self, start: float, end: float) -> list[int | None]:
        """Statuses of the probes begun in [start, end)."""
        return [s for began, s in list(self.results) if start <= began < end]


def answered_503_until_closed(statuses: list[int | None]) -> bool:
    """503 to every probe, then (the listener closed as the process ends) no answer."""
    if 503 not in statuses:
        return False
    closed = statuses.index(None) if None in statuses else len(statuses)
    return all(s == 503 for s in statuses[:closed]) and all(s is None for s in statuses[closed:])
