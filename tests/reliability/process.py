"""A real ``hostkit serve`` process on a loopback port, to kill, stop and restart.

The server runs exactly as an organiser would run it (the installed ``hostkit``
command), so these tests see its real signal handling, startup and recovery.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hostkit.settings import Settings
from tests.harness import OnLoopback, Person, Server, free_port

HOSTKIT = str(Path(sys.executable).with_name("hostkit"))


@dataclass
class ServerProcess(OnLoopback):
    data_dir: Path
    port: int = field(default_factory=free_port)
    extra: tuple[str, ...] = ()
    proc: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def public_url(self) -> str:
        return f"http://hall.test:{self.port}"

    @property
    def log(self) -> Path:
        return self.data_dir.parent / f"server-{self.port}.log"

    def as_server(self) -> Server:
        """The harness's view of this server, so harness helpers (Person.join) work."""
        return Server(self.url, self.public_url, self.data_dir, Settings(data_dir=self.data_dir))

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run another ``hostkit`` command against this data directory."""
        return subprocess.run(
            [HOSTKIT, *args], capture_output=True, text=True, check=check, timeout=60
        )

    def new_session(self, format_id: str = "world-cafe") -> dict[str, str]:
        done = self.cli(
            "new", "--licence", "CC BY 4.0", "--data", str(self.data_dir),
            "--title", "Village hall",
            "--format", format_id, "--public-url", self.public_url, "--json",
        )  # fmt: skip
        found: dict[str, str] = json.loads(done.stdout)
        return found

    def argv(self) -> list[str]:
        return [
            HOSTKIT, "serve", "--data", str(self.data_dir), "--host", "127.0.0.1",
            "--port", str(self.port), "--public-url", self.public_url,
            "--log-level", "warning", *self.extra,
        ]  # fmt: skip

    async def start(self, within: float = 20.0) -> None:
        """Start the server and wait until it answers /healthz."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: ASYNC220 - starting it does not block
                self.argv(), stdout=log, stderr=subprocess.STDOUT
            )
        self.starts += 1
        deadline = time.monotonic() + within
        async with httpx.AsyncClient() as http:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"hostkit serve exited {self.proc.returncode}:\n{self.tail()}"
                    )
                try:  # a loaded machine answers slowly: slow is not down
                    if (await http.get(f"{self.url}/healthz", timeout=10)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"hostkit serve did not start:\n{self.tail()}")
                await asyncio.sleep(0.05)  # polling for readiness, not waiting for an outcome

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs at all, as when power is lost."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    async def terminate(self, within: float = 15.0) -> tuple[int, float]:
        """SIGTERM and wait for the exit; returns (exit code, seconds taken)."""
        assert self.proc is not None
        began = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        while self.proc.poll() is None:
            if time.monotonic() - began > within:
                self.proc.kill()
                raise TimeoutError(f"hostkit serve ignored SIGTERM for {within} s")
            await asyncio.sleep(0.02)
        return self.proc.returncode, time.monotonic() - began

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def rss_kb(self) -> int:
        """Resident memory of the server process, from /proc/PID/status."""
        assert self.proc is not None
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
        return int(line.split()[1])

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


async def join(server: ServerProcess, link: str, name: str) -> Person:
    return await Person.join(server.as_server(), link, name)


def host_token(links: dict[str, Any]) -> str:
    return str(links["host_url"]).split("key=")[1]


def env_ci() -> bool:
    return os.environ.get("CI") == "true"
