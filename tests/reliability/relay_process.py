"""A real ``hostkit relay`` process: a hall's laptop, to start, kill and start again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.harness import Person
from tests.reliability.process import HOSTKIT, ServerProcess


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
