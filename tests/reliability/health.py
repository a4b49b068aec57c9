"""Health probes as a proxy makes them: a NEW connection each time, every 10 ms."""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

INTERVAL_S = 0.01


async def probe(port: int, path: str = "/healthz") -> int | None:
    """One GET on a fresh connection: the status, or None if nothing answered."""
    try:
        async with asyncio.timeout(10):  # a busy machine is slow, not unhealthy
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            try:
                request = f"GET {path} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n"
                writer.write(request.encode())
                line = await reader.readline()
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
    except (OSError, TimeoutError):
        return None
    return int(line.split()[1]) if line.startswith(b"HTTP/") else None


@dataclass
class Prober:
    """Probes one port until stopped; keeps (monotonic start, status) of every probe."""

    port: int
    results: list[tuple[float, int | None]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _seen: asyncio.Event = field(default_factory=asyncio.Event)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            began = time.monotonic()
            self.results.append((began, await probe(self.port)))
            self._seen.set()
            await asyncio.sleep(INTERVAL_S)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_for_status(self, status: int | None, within: float = 10) -> None:
        async with asyncio.timeout(within):
            while not any(s == status for _, s in self.results):
                self._seen.clear()
                await self._seen.wait()

    def between(self, start: float, end: float) -> list[int | None]:
        """Statuses of the probes begun in [start, end)."""
        return [s for began, s in self.results if start <= began < end]


def answered_503_until_closed(statuses: list[int | None]) -> bool:
    """503 to every probe, then (the listener closed as the process ends) no answer."""
    if 503 not in statuses:
        return False
    closed = statuses.index(None) if None in statuses else len(statuses)
    return all(s == 503 for s in statuses[:closed]) and all(s is None for s in statuses[closed:])
