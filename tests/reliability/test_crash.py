"""Crash safety: SIGKILL the server mid-stream; no acknowledged note is lost or doubled."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from hostkit.store.sqlite import DB_NAME
from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess, host_token, join

CLIENTS = 10
NOTES_EACH = 60
INTERVAL_S = 0.02  # each client posts 50 notes a second: 500 a second in all


def stored_log(data_dir: Path, session_id: str) -> list[tuple[int, str, str | None, str | None]]:
    """The event log as it is on disk, read through its own read-only connection."""
    conn = sqlite3.connect(f"file:{data_dir / DB_NAME}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT seq, type, actor, command_id FROM events WHERE session_id = ? ORDER BY seq",
            (session_id,),
        ).fetchall()
    finally:
        conn.close()
    return [(int(r[0]), str(r[1]), r[2], r[3]) for r in rows]


async def start_people(server: ServerProcess, links: dict[str, str]) -> list[OutboxClient]:
    clients = []
    for i in range(CLIENTS):
        link = links["room_url"] if i % 2 else links["remote_url"]
        person = await join(server, link, f"Person {i}")
        client = OutboxClient(server.ws_url, links["session_id"], person.token, f"c{i}")
        client.start()
        clients.append(client)
    for client in clients:
        await asyncio.wait_for(client.connected.wait(), 10)
    return clients


async def open_first_phase(server: ServerProcess, links: dict[str, str]) -> OutboxClient:
    host = OutboxClient(server.ws_url, links["session_id"], host_token(links), "host")
    host.start()
    host.send_now({"type": "open_phase", "phase_id": "p1"}, "host-open")
    await host.wait_for(lambda c: "host-open" in c.acked or c.rejected, 10)
    assert "host-open" in host.acked, host.rejected
    return host


async def test_sigkill_mid_stream_keeps_every_acknowledged_note_exactly_once(
    tmp_path: Path,
) -> None:
    server = ServerProcess(tmp_path / "data")
    links = server.new_session()
    await server.start()
    clients: list[OutboxClient] = []
    try:
        host = await open_first_phase(server, links)
        clients = await start_people(server, links)
        everyone = [host, *clients]
        half = asyncio.Event()

        def count_acks(_message: object) -> None:
            if sum(len(c.acked) for c in clients) >= CLIENTS * NOTES_EACH // 3:
                half.set()

        for client in clients:
            client.on_message = count_acks

        async def stream(client: OutboxClient) -> None:
            for n in range(NOTES_EACH):
                client.post(f"{client.name} says note {n}")
                await asyncio.sleep(INTERVAL_S)  # a steady rate, server up or down

        streaming = asyncio.gather(*(stream(c) for c in clients))
        await asyncio.wait_for(half.wait(), 30)
        acked_before = {cid: seq for c in clients for cid, seq in c.acked.items()}
        server.kill()
        killed_at = time.monotonic()
        await server.start()
        restarted_in = time.monotonic() - killed_at
        await streaming
        for client in clients:
            await client.wait_for(lambda c: not c.outbox, 30)
        log = stored_log(server.data_dir, links["session_id"])
        head = log[-1][0]
        for client in everyone:
            await client.caught_up(head, 30)

        sent = [cid for c in clients for cid in c.sent]
        notes = [row for row in log if row[1] == "contribution_posted"]
        present = [str(row[3]) for row in notes]
        duplicates = len(present) - len(set(present))
        reconnects = sum(len(c.closes) for c in clients)
        print(
            f"\ncrash: sent {len(sent)}, acknowledged before SIGKILL {len(acked_before)}, "
            f"acknowledged in all {sum(len(c.acked) for c in clients)}, "
            f"present after restart {len(present)}, duplicates {duplicates}, "
            f"duplicate acks (resent after commit) {sum(c.duplicate_acks for c in clients)}, "
            f"reconnects {reconnects}, restart took {restarted_in:.2f} s"
        )
        assert duplicates == 0
        assert sorted(present) == sorted(sent)  # every note once, acknowledged or resent
        by_id = {row[3]: row[0] for row in notes}
        assert all(by_id[cid] == seq for cid, seq in acked_before.items())  # same place in order
        assert [row[0] for row in log] == list(range(1, head + 1))
        for client in clients:
            own = [row[3] for row in notes if row[3] and row[3].startswith(client.name + "-")]
            assert own == client.sent  # each person's notes in the order they wrote them
            assert not client.rejected and not client.gaps and not client.snapshots
            assert any(code is None or code == 1006 for code, _ in client.closes)  # saw the crash
        expected = [(seq, kind, cid) for seq, kind, _actor, cid in log]
        for client in everyone:
            assert client.log()[-len(expected) :] == expected[-len(client.log()) :]
            assert client.last_seq == head
        first = everyone[0].log()
        assert all(c.log() == first for c in everyone)
    finally:
        for client in clients:
            await client.stop()
        server.stop()
