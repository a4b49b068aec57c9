"""PostgreSQL for tests: the machine's shared server, one fresh schema per test.

Tests that need PostgreSQL skip where none is running, except in CI (CI=true), where
a missing server is a failure: there every such test must run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

SERVER = os.environ.get("HOSTKIT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


async def _reachable() -> bool:
    try:
        conn = await asyncpg.connect(SERVER, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return False
    await conn.close()
    return True


async def fresh_schema() -> AsyncIterator[str]:
    """A store URL naming a new, empty schema; the schema is dropped afterwards."""
    if not await _reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is not running at {SERVER}")
        pytest.skip(f"PostgreSQL is not running at {SERVER}")
    schema = f"t_{secrets.token_hex(6)}"
    try:
        yield f"{SERVER}?schema={schema}"
    finally:
        conn = await asyncpg.connect(SERVER, timeout=5)
        try:
            await asyncio.wait_for(conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE"), 30)
        finally:
            await conn.close()


class PrivatePostgres:
    """A PostgreSQL of a test's own (initdb + pg_ctl in a temporary directory, a free
    port), for tests that stop and restart it: the machine's shared server is never
    touched. As root, the server runs as the ``postgres`` user (it refuses root)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="hostkit-pg-"))
        self.data = self.directory / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        done = subprocess.run(
            [*as_user, *command], capture_output=True, text=True, check=False, timeout=120
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")

    def init(self) -> None:
        if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
            message = "initdb and pg_ctl are not installed"
            if os.environ.get("CI") == "true":
                pytest.fail(message)
            pytest.skip(message)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        self._run(
            str(shutil.which("initdb")), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._run(
            str(shutil.which("pg_ctl")), "-D", str(self.data), "-o", options,
            "-l", str(self.directory / "log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        self._run(str(shutil.which("pg_ctl")), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
