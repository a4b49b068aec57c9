"""Real Redis for tests: the shared one on 127.0.0.1:6379, or a private one to stop.

A test that only publishes and subscribes uses the shared server with its own
channel; a test that kills or restarts Redis starts its own ``redis-server`` on a
free port in a temporary directory and never touches the shared one. Without Redis
the tests skip, except in CI, where they must run.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.harness import free_port

SHARED = "redis://127.0.0.1:6379/0"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def need_redis() -> str:
    """The shared Redis's URL; skip (fail in CI) when it is not running."""
    if not _answers(6379):
        if os.environ.get("CI") == "true":
            pytest.fail("Redis on 127.0.0.1:6379 is required in CI")
        pytest.skip("no Redis on 127.0.0.1:6379")
    return SHARED


def unique_channel() -> str:
    return f"hostkit-test:{uuid.uuid4().hex}"


@dataclass
class PrivateRedis:
    """A redis-server of this test's own, to kill and restart at will."""

    directory: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, within: float = 10.0) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(binary).exists():
            if os.environ.get("CI") == "true":
                pytest.fail("redis-server is required in CI")
            pytest.skip("redis-server is not installed")
        self.proc = subprocess.Popen(
            [
                binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--dir", str(self.directory), "--save", "", "--appendonly", "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + within
        while not _answers(self.port):
            if time.monotonic() > deadline:
                raise TimeoutError("private redis-server did not start")
            time.sleep(0.02)  # polling for readiness

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None

    def kill_subscribers(self) -> None:
        """Drop every pub/sub connection, as a network cut or failover would."""
        command = b"CLIENT KILL TYPE pubsub\r\n"
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as sock:
            sock.sendall(command)
            sock.recv(64)


async def until(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait for a condition other tasks or processes bring about (fails after ``within``)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the state belongs to other tasks
            await asyncio.sleep(0.01)
