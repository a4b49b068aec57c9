"""Slow consumers: one phone that stops reading must not hold back anyone else."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State
from websockets.uri import parse_uri

from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess, join
from tests.reliability.test_crash import open_first_phase

READERS = 8
SENDERS = 12  # each stays under the per-participant rate limit (600/minute)
CALM_NOTES = 1200
# enough to overrun what the stalled phone's connection can hold: the kernel's socket
# buffers (up to 4 MB here) and then the server's bounded per-connection queue
STORMY_NOTES = 3600
TEXT = "A long note from the table, as a scribe would type it. " * 34  # ~1.9 kB


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


class StalledPhone:
    """A phone, up to date at some seq, whose app then freezes: it never reads again.

    A raw TCP socket with a small receive buffer speaks WebSocket through websockets'
    sans-I/O protocol, so nothing reads in the background as a client library would.
    """

    def __init__(self, server: ServerProcess, session_id: str) -> None:
        self.url = f"{server.ws_url}/api/sessions/{session_id}/live"
        self.port = server.port
        self.protocol = ClientProtocol(parse_uri(self.url))
        self.messages = 0

    async def connect(self, token: str, seq: int) -> None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", self.port))
        self.reader, self.writer = await asyncio.open_connection(sock=sock, limit=4096)
        self.protocol.send_request(self.protocol.connect())
        await self._flush()
        while self.protocol.state is State.CONNECTING:
            self.protocol.receive_data(await self.reader.read(4096))
        assert self.protocol.state is State.OPEN, self.protocol.handshake_exc
        self.protocol.send_text(
            json.dumps({"type": "hello", "token": token, "last_seq": seq}).encode()
        )
        await self._flush()

    async def _flush(self) -> None:
        for data in self.protocol.data_to_send():
            self.writer.write(data)
        await self.writer.drain()

    async def wake_and_read_all(self, within: float) -> tuple[int | None, str]:
        """Read everything the server left for it; the close it got (code, reason)."""
        async with asyncio.timeout(within):
            while data := await self.reader.read(65536):
                self.protocol.receive_data(data)
                self.messages += sum(
                    1
                    for f in self.protocol.events_received()
                    if isinstance(f, Frame) and f.opcode == Opcode.TEXT
                )
        self.writer.close()
        close = self.protocol.close_rcvd
        return (close.code, close.reason) if close else (None, "no close frame")


async def test_a_stalled_phone_does_not_slow_the_others_and_memory_stays_bounded(
    tmp_path: Path,
) -> None:
    # The stalled phone stops answering pings too, so the heartbeat (5 s by default) would drop
    # it with 1011 if the stormy phase runs long on a busy machine. Slow that check down here:
    # this test is about the bounded queue, which must drop it with 4408 on its own.
    server = ServerProcess(tmp_path / "data", extra=("--heartbeat", "120"))
    links = server.new_session()
    await server.start()
    clients: list[OutboxClient] = []
    try:
        host = await open_first_phase(server, links)
        for i in range(READERS + SENDERS):
            person = await join(server, links["remote_url"], f"Person {i}")
            client = OutboxClient(server.ws_url, links["session_id"], person.token, f"c{i}")
            client.start()
            clients.append(client)
        for client in clients:
            await asyncio.wait_for(client.connected.wait(), 10)
        readers, senders = clients[:READERS], clients[READERS:]
        sent_at: dict[str, float] = {}

        async def send_all(sender: OutboxClient, label: str, ids: list[str], count: int) -> None:
            for n in range(count // SENDERS):
                command_id = sender.post(f"{label} {n}: {TEXT}")
                sent_at[command_id] = time.monotonic()
                ids.append(command_id)
                await sender.answered(command_id, 10, acked=True)

        async def run_phase(label: str, count: int) -> tuple[list[float], int]:
            """Send notes from every sender; every reader's delay per note, and RSS growth."""
            rss_before = server.rss_kb()
            ids: list[str] = []
            await asyncio.gather(*(send_all(s, label, ids, count) for s in senders))
            head = max(seq for s in senders for seq in s.acked.values())
            for reader in readers:
                await reader.caught_up(head, 30)
            latencies = [r.arrived_at[cid] - sent_at[cid] for r in readers for cid in ids]
            return latencies, server.rss_kb() - rss_before

        calm, calm_rss = await run_phase("calm", CALM_NOTES)

        stalled_person = await join(server, links["room_url"], "Stalled")
        stalled_head = max(r.last_seq for r in readers)
        stalled = StalledPhone(server, links["session_id"])
        await stalled.connect(stalled_person.token, stalled_head)
        stormy, stormy_rss = await run_phase("stalled", STORMY_NOTES)

        print(
            f"\nslow consumer: {len(calm)} deliveries without, {len(stormy)} with a stalled phone"
            f"\n  healthy p50 {percentile(calm, 0.5) * 1e3:.1f} ms -> "
            f"{percentile(stormy, 0.5) * 1e3:.1f} ms; "
            f"p99 {percentile(calm, 0.99) * 1e3:.1f} ms -> {percentile(stormy, 0.99) * 1e3:.1f} ms"
            f"\n  server RSS growth {calm_rss} kB for {CALM_NOTES} notes without, "
            f"{stormy_rss} kB for {STORMY_NOTES} notes with the stalled phone"
        )
        assert percentile(stormy, 0.5) <= 3 * percentile(calm, 0.5) + 0.02
        assert percentile(stormy, 0.99) <= 3 * percentile(calm, 0.99) + 0.05
        # the session itself grows with every note kept; the stalled phone must add no more
        # than a bounded amount on top (its queue is capped, its socket buffers are the kernel's)
        assert stormy_rss <= calm_rss * STORMY_NOTES / CALM_NOTES + 16 * 1024

        # the stalled phone wakes up: it finds it was dropped, and why
        close = await stalled.wake_and_read_all(30)
        print(f"  stalled phone: {stalled.messages} messages before the close {close}")
        assert stalled.messages < STORMY_NOTES
        assert close[0] == 4408 and "resume" in close[1]
        assert stalled_head < host.last_seq
    finally:
        for client in clients:
            await client.stop()
        server.stop()
