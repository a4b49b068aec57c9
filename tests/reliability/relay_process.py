"""A real ``hostkit relay`` process: a hall's laptop, to start, kill and start again."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hostkit.settings import Settings
from tests.harness import OnLoopback, Person, Server, free_port
from tests.reliability.process import HOSTKIT


@dataclass
class RelayProcess(OnLoopback):
    data_dir: Path
    upstream: str  # the venue link, as the laptop reaches the server
    name: str = "hall"
    heartbeat_s: float = 0.5
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def public_url(self) -> str:
        return f"http://{self.name}.test:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"relay-{self.name}-{self.port}.log"

    def as_server(self) -> Server:
        return Server(self.url, self.public_url, self.data_dir, Settings(data_dir=self.data_dir))

    async def join(self, join_code: str, name: str) -> Person:
        """A phone in the hall scans the laptop's QR code and joins."""
        return await Person.join(self.as_server(), f"{self.public_url}/j/{join_code}/room", name)

    async def start(self, within: float = 20.0) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: ASYNC220 - starting it does not block
                [
                    HOSTKIT, "relay", "--upstream", self.upstream, "--data", str(self.data_dir),
                    "--host", "127.0.0.1", "--port", str(self.port),
                    "--public-url", self.public_url, "--heartbeat", str(self.heartbeat_s),
                    "--log-level", "info",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + within
        async with httpx.AsyncClient() as http:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"hostkit relay exited:\n{self.tail()}")
                try:
                    if (await http.get(f"{self.url}/healthz", timeout=1)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"hostkit relay did not start:\n{self.tail()}")
                await asyncio.sleep(0.05)  # polling for readiness, not waiting for an outcome

    async def has_copy(self, session_id: str, within: float = 20.0) -> None:
        """Wait until the laptop has copied the session (its join page answers)."""
        async with asyncio.timeout(within), httpx.AsyncClient() as http:
            while True:
                if (await http.get(f"{self.url}/s/{session_id}")).status_code != 404:
                    return
                await asyncio.sleep(0.05)  # polling for readiness, not for an outcome

    def kill(self) -> None:
        """SIGKILL: the laptop's power cable pulled."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, lines: int = 60) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
