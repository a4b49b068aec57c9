"""A real ``hostkit relay`` process: a hall's laptop, to start, kill and start again."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from hostkit.sessions import SessionLinks
from tests.harness import Person, Server
from tests.reliability.process import HOSTKIT, ServerProcess
from tests.reliability.proxy import SilentProxy


@dataclass
class RelayProcess(ServerProcess):
    upstream: str = ""  # the venue link, as the laptop reaches the server
    name: str = "hall"
    heartbeat_s: float = 0.5

    @property
    def public_url(self) -> str:
        return f"http://{self.name}.test:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"relay-{self.name}-{self.port}.log"

    def argv(self) -> list[str]:
        return [
            HOSTKIT, "relay", "--upstream", self.upstream, "--data", str(self.data_dir),
            "--host", "127.0.0.1", "--port", str(self.port), "--public-url", self.public_url,
            "--heartbeat", str(self.heartbeat_s), "--log-level", "info",
        ]  # fmt: skip

    async def join(self, join_code: str, name: str) -> Person:
        """A phone in the hall scans the laptop's QR code and joins."""
        return await Person.join(self.as_server(), f"{self.public_url}/j/{join_code}/room", name)

    async def has_copy(self, session_id: str, within: float = 20.0) -> None:
        """Wait until the laptop has copied the session (its pages answer for it)."""
        async with asyncio.timeout(within), httpx.AsyncClient() as http:
            while True:
                if (await http.get(f"{self.url}/s/{session_id}")).status_code != 404:
                    return
                await asyncio.sleep(0.05)  # polling for readiness, not for an outcome


@contextlib.asynccontextmanager
async def hall_laptop(
    server: Server, links: SessionLinks, workdir: Path, venue: str = "Hall A"
) -> AsyncIterator[tuple[SilentProxy, RelayProcess]]:
    """A hall laptop for the venue, with its copy of the session, reaching the server
    through a proxy the test can cut (``proxy.drop()`` / ``proxy.restore()``)."""
    port = int(server.url.rsplit(":", 1)[1])
    async with SilentProxy(port) as proxy:
        upstream = links.venue_links[venue].replace(
            server.public_url, f"http://127.0.0.1:{proxy.port}"
        )
        hall = RelayProcess(workdir, upstream=upstream, name=venue.lower().replace(" ", "-"))
        await hall.start()
        try:
            await hall.has_copy(links.session_id)
            yield proxy, hall
        finally:
            hall.stop()
