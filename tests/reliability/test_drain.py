"""Draining: from SIGTERM a node fails its health probes while still serving its clients,
then stops taking commands, asks its clients to reconnect (4503) and exits."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from tests.reliability.client import OutboxClient
from tests.reliability.health import Prober, answered_503_until_closed
from tests.reliability.process import ServerProcess
from tests.reliability.test_crash import (
    every_note_stored_once,
    open_first_phase,
    start_people,
    stored_log,
)

DRAIN_S = 1.5
NOTES_EACH = 80
INTERVAL_S = 0.05  # each client posts for about 4 s: before, during and after the drain


@dataclass
class Watched:
    """A real node with a session, its host and people connected, and a prober on it."""

    server: ServerProcess
    links: dict[str, str]
    host: OutboxClient
    clients: list[OutboxClient]
    prober: Prober


@contextlib.asynccontextmanager
async def watched_node(data_dir: Path, drain_s: float) -> AsyncIterator[Watched]:
    server = ServerProcess(data_dir, extra=("--drain", str(drain_s)))
    links = server.new_session()
    await server.start()
    prober = Prober(server.port)
    clients: list[OutboxClient] = []
    try:
        host = await open_first_phase(server, links)
        clients = await start_people(server, links)
        prober.start()
        await prober.wait_for_status(200)
        yield Watched(server, links, host, clients, prober)
    finally:
        await prober.stop()
        for client in clients:
            await client.stop()
        server.stop()


async def test_a_draining_node_fails_new_probes_serves_its_clients_then_loses_nothing(
    tmp_path: Path,
) -> None:
    async with watched_node(tmp_path / "data", DRAIN_S) as node:
        server, links, host, clients, prober = (
            node.server, node.links, node.host, node.clients, node.prober
        )  # fmt: skip

        async def stream(client: OutboxClient) -> None:
            for n in range(NOTES_EACH):
                client.post(f"{client.name} says note {n}")
                await asyncio.sleep(INTERVAL_S)  # a steady rate, server up or down

        streaming = asyncio.gather(*(stream(c) for c in clients))
        await clients[0].wait_for(lambda c: len(c.acked) >= 10, 30)

        assert server.proc is not None
        server.proc.send_signal(signal.SIGTERM)
        signalled = time.monotonic()  # once sent: see test_rolling_restart
        acked_at_signal = sum(len(c.acked) for c in clients)
        await asyncio.to_thread(server.proc.wait, 15)
        exited = time.monotonic()
        statuses = prober.between(signalled, exited)
        await prober.stop()
        acked_during_drain = sum(len(c.acked) for c in clients) - acked_at_signal
        counts = Counter(statuses)
        print(
            f"\ndrain: exit after {exited - signalled:.2f} s; probes after the signal "
            f"{dict(counts)}; acks during the drain {acked_during_drain}"
        )
        assert answered_503_until_closed(statuses), statuses
        assert acked_during_drain > 0, counts  # the people already here kept working
        first_closes = [c.closes[0] for c in [host, *clients]]
        assert all(code == 4503 for code, _ in first_closes), first_closes
        acked_before = {cid for c in clients for cid in c.acked}
        stored = [row[3] for row in stored_log(server.data_dir, links["session_id"])]
        assert acked_before <= set(stored)  # nothing acknowledged is lost

        await server.start()
        await streaming
        log = await every_note_stored_once(server, links["session_id"], clients)
        assert [row[0] for row in log] == list(range(1, len(log) + 1))
