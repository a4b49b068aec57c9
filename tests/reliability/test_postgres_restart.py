"""PostgreSQL restarts under a running hostkit: clear refusals, an alerted host, no loss.

The test runs a private PostgreSQL (initdb + pg_ctl in a temporary directory on a free
port), never the machine's shared one.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostkit.store.postgresql import PostgresStore
from tests.harness import free_port
from tests.postgres import PrivatePostgres
from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess
from tests.reliability.test_crash import open_first_phase, phone_with_notes


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    pg = PrivatePostgres(free_port())
    try:
        pg.init()
        pg.start()
        yield pg
    finally:
        pg.remove()


async def test_commands_fail_clearly_while_postgresql_is_down_and_nothing_acked_is_lost(
    private_postgres: PrivatePostgres, tmp_path: Path
) -> None:
    store = ("--store", private_postgres.url)
    server = ServerProcess(tmp_path / "data", extra=store)
    made = server.cli(
        "new", *store, "--title", "Village hall", "--format", "world-cafe", "--licence", "CC0 1.0",
        "--public-url", server.public_url, "--json",
    )  # fmt: skip
    links = json.loads(made.stdout)
    await server.start()
    phone: OutboxClient | None = None
    host: OutboxClient | None = None
    try:
        host = await open_first_phase(server, links)
        phone = await phone_with_notes(server, links, 5)

        await asyncio.to_thread(private_postgres.stop)
        refused = phone.post("While the database is down")
        try:
            await phone.wait_for(lambda c: refused in c.rejected, 30)
        except TimeoutError:
            raise AssertionError(server.tail(40)) from None
        assert phone.rejected[refused]["code"] == "storage_failed"
        await host.wait_for(lambda c: c.alerts, 20)
        assert host.alerts[0]["code"] == "storage_failed"
        acked = dict(phone.acked)
        print(f"\nPostgreSQL down: {len(acked)} acknowledged before, the next refused")

        await asyncio.to_thread(private_postgres.start)
        phone.resend()
        phone.post("After the restart")
        await phone.wait_for(lambda c: not c.outbox, 60)

        async with PostgresStore(private_postgres.url) as after:
            log = await after.read(links["session_id"])
        notes = [e.command_id for e in log if e.command_id and e.command_id.startswith("phone-")]
        assert [e.seq for e in log] == list(range(1, len(log) + 1))
        assert set(acked) <= set(notes)
        assert notes == phone.sent  # each once, in the order written, the refused one too
        print(f"PostgreSQL back: {len(notes)} of {len(phone.sent)} notes stored, each once")
    finally:
        for client in (phone, host):
            if client is not None:
                await client.stop()
        server.stop()
