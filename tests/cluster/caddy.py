"""A real Caddy on a free loopback port in front of hostkit nodes, run from deploy/Caddyfile.

The file is the one docker-compose.yml uses; only its environment differs (a plain-HTTP
site on a loopback port, the nodes' ports, a private admin endpoint and home directory).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.harness import OnLoopback, free_port

CADDY = shutil.which("caddy") or "/usr/bin/caddy"
CADDYFILE = Path(__file__).resolve().parents[2] / "deploy" / "Caddyfile"


def caddy_version() -> tuple[int, ...]:
    shown = subprocess.run([CADDY, "version"], capture_output=True, text=True, check=True)
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", shown.stdout)
    assert found is not None, shown.stdout
    return tuple(int(part) for part in found.groups())


def caddyfile_for(version: tuple[int, ...]) -> str:
    """deploy/Caddyfile as this Caddy reads it.

    ``stream_close_delay`` arrived in Caddy 2.7; Debian 12's package is 2.6, which does
    not know it (and closes WebSockets on a reload at once), so there the line is dropped.
    """
    text = CADDYFILE.read_text()
    if version < (2, 7):
        text = re.sub(r"\n\s*stream_close_delay .*", "", text)
    return text


@dataclass
class Caddy(OnLoopback):
    workdir: Path
    upstreams: list[int]  # the nodes' loopback ports
    port: int = field(default_factory=free_port)
    admin_port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.workdir / "Caddyfile"

    @property
    def log(self) -> Path:
        return self.workdir / "caddy.log"

    def env(self) -> dict[str, str]:
        home = self.workdir / "home"
        home.mkdir(parents=True, exist_ok=True)
        return {
            **os.environ,
            "HOME": str(home),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_CONFIG_HOME": str(home / "config"),
            "HOSTKIT_DOMAIN": self.url,
            "HOSTKIT_TLS": "internal",
            "HOSTKIT_UPSTREAMS": " ".join(f"127.0.0.1:{port}" for port in self.upstreams),
            "CADDY_ADMIN": f"127.0.0.1:{self.admin_port}",
        }

    def caddy(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CADDY, *args], capture_output=True, text=True, env=self.env(), timeout=30
        )

    async def start(self, within: float = 20.0) -> None:
        """Start Caddy and wait until it proxies /healthz to a node."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config.write_text(caddyfile_for(caddy_version()))
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(  # noqa: ASYNC220 - starting it does not block
                [CADDY, "run", "--config", str(self.config), "--adapter", "caddyfile"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env(),
            )
        deadline = time.monotonic() + within
        async with httpx.AsyncClient() as http:
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"caddy exited {self.proc.returncode}:\n{self.tail()}")
                try:
                    if (await http.get(f"{self.url}/healthz", timeout=10)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"caddy did not start:\n{self.tail()}")
                await asyncio.sleep(0.05)  # polling for readiness, not waiting for an outcome

    def reload(self) -> None:
        """``caddy reload``, forced: as after a certificate renewal or a config change."""
        done = self.caddy(
            "reload", "--config", str(self.config), "--adapter", "caddyfile",
            "--address", f"127.0.0.1:{self.admin_port}", "--force",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
