"""`hostkit check`, `hostkit backup` and `hostkit restore` against a running server."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

from hostkit.store.sqlite import DB_NAME
from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess
from tests.reliability.test_crash import open_first_phase, start_people, stored_log


async def test_backup_while_serving_then_restore_brings_the_log_back(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data")
    links = server.new_session()
    await server.start()
    clients: list[OutboxClient] = []
    try:
        host = await open_first_phase(server, links)
        clients = await start_people(server, links)

        backed_up_event = asyncio.Event()

        async def stream(client: OutboxClient) -> None:
            """Notes until the backup is taken, then five more: the backup lands mid-stream
            however long the backup command takes to start."""
            n = 0
            while n < 2000 and not backed_up_event.is_set():
                client.post(f"{client.name} note {n}")
                n += 1
                await asyncio.sleep(0.02)
            for extra in range(5):
                client.post(f"{client.name} note {n + extra}")
                await asyncio.sleep(0.02)

        streaming = asyncio.gather(*(stream(c) for c in clients))
        await clients[0].wait_for(lambda c: len(c.acked) >= 10, 10)
        out = tmp_path / "backup" / DB_NAME
        out.parent.mkdir()
        backed_up = await asyncio.to_thread(
            server.cli, "backup", "--data", str(server.data_dir), "--out", str(out)
        )
        backed_up_event.set()
        assert "Backed up" in backed_up.stdout
        await streaming
        for client in clients:
            await client.wait_for(lambda c: not c.outbox, 30)

        copy = stored_log(out.parent, links["session_id"])
        live = stored_log(server.data_dir, links["session_id"])
        print(f"\nbackup while serving: {len(copy)} of {len(live)} events copied")
        assert 0 < len(copy) < len(live)  # taken mid-stream
        assert copy == live[: len(copy)]  # a consistent prefix: the state after some commit

        checked = server.cli("check", "--data", str(server.data_dir))
        assert checked.returncode == 0 and checked.stdout.startswith("ok")
        assert server.cli("check", "--data", str(out.parent)).returncode == 0

        refused = server.cli(
            "restore", "--data", str(server.data_dir), "--from", str(out), check=False
        )
        assert refused.returncode != 0 and "stop the server first" in refused.stderr
        assert stored_log(server.data_dir, links["session_id"]) == live  # untouched

        await host.stop()
        for client in clients:
            await client.stop()
        clients = []
        await server.terminate()
        restored = server.cli("restore", "--data", str(server.data_dir), "--from", str(out))
        assert "Restored" in restored.stdout and "kept at" in restored.stdout
        await server.start()
        assert stored_log(server.data_dir, links["session_id"]) == copy
        assert any(p.name.startswith(f"{DB_NAME}.replaced-") for p in server.data_dir.iterdir())
    finally:
        for client in clients:
            await client.stop()
        server.stop()


async def test_check_names_a_gap_in_the_event_log(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data")
    links = server.new_session()
    damaged = tmp_path / "damaged"
    shutil.copytree(server.data_dir, damaged)
    conn = sqlite3.connect(damaged / DB_NAME)
    conn.execute("DELETE FROM events WHERE session_id = ? AND seq = 2", (links["session_id"],))
    conn.commit()
    conn.close()

    found = server.cli("check", "--data", str(damaged), check=False)
    assert found.returncode == 1
    assert "seq jumps from 1 to 3 (missing 2..2)" in found.stdout
    missing = server.cli("check", "--data", str(tmp_path / "nowhere"), check=False)
    assert missing.returncode != 0 and "no hostkit database" in missing.stderr
