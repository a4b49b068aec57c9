"""Graceful shutdown: SIGTERM finishes what is in hand, asks clients to reconnect, exits."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess
from tests.reliability.test_crash import open_first_phase, start_people, stored_log

NOTES_EACH = 60


async def test_sigterm_finishes_commits_and_asks_clients_to_reconnect(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data")
    links = server.new_session()
    await server.start()
    clients: list[OutboxClient] = []
    try:
        host = await open_first_phase(server, links)
        clients = await start_people(server, links)
        some = asyncio.Event()

        def count_acks(_message: object) -> None:
            if sum(len(c.acked) for c in clients) >= 100:
                some.set()

        for client in clients:
            client.on_message = count_acks

        async def stream(client: OutboxClient) -> None:
            for n in range(NOTES_EACH):
                client.post(f"{client.name} says note {n}")
                await asyncio.sleep(0.02)

        streaming = asyncio.gather(*(stream(c) for c in clients))
        await asyncio.wait_for(some.wait(), 30)
        code, took = await server.terminate()
        acked_before = {cid: seq for c in clients for cid, seq in c.acked.items()}
        log_after_stop = stored_log(server.data_dir, links["session_id"])
        stored_ids = {row[3] for row in log_after_stop}
        first_closes = [c.closes[0] for c in [host, *clients]]
        print(
            f"\nshutdown: exit code {code} after {took:.2f} s; acknowledged "
            f"{len(acked_before)}, stored {len(stored_ids - {None})}; "
            f"closes seen {sorted(set(first_closes))}"
        )
        assert code in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled
        assert "Traceback" not in server.tail(200)
        assert took < 5
        assert set(acked_before) <= stored_ids  # nothing acknowledged is lost
        assert all(c == (4503, "Server restarting: reconnect shortly.") for c in first_closes)

        await server.start()
        await streaming
        for client in clients:
            await client.wait_for(lambda c: not c.outbox, 30)
        log = stored_log(server.data_dir, links["session_id"])
        present = [str(row[3]) for row in log if row[1] == "contribution_posted"]
        sent = [cid for c in clients for cid in c.sent]
        print(f"shutdown: sent {len(sent)}, present after restart {len(present)}")
        assert sorted(present) == sorted(sent)
    finally:
        for client in clients:
            await client.stop()
        server.stop()
