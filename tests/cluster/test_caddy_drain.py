"""A real Caddy (deploy/Caddyfile) in front of real `hostkit serve` nodes: a draining node
gets no new connections while its own clients keep working; a reload keeps WebSockets.

Each node here has its own SQLite store, so only routing and health can be tested: a
session lives on one node, and a request for it through Caddy shows which node answered.
"""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.cluster.caddy import Caddy, caddy_version
from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess, join
from tests.reliability.test_crash import open_first_phase

DRAIN = ("--drain", "6")  # long beside Caddy's 1 s health checks, so the test sees the drain


async def answered_by_a(http: httpx.AsyncClient, caddy: Caddy, a_room: str) -> bool:
    """One request on a new connection: node A knows the room link, node B does not."""
    response = await http.get(f"{caddy.url}{a_room}", headers={"Connection": "close"})
    assert response.status_code in (200, 404), response.status_code
    return response.status_code == 200


async def test_a_draining_node_gets_no_new_connections_but_keeps_its_clients(
    tmp_path: Path,
) -> None:
    a = ServerProcess(tmp_path / "a", extra=DRAIN)
    b = ServerProcess(tmp_path / "b", extra=DRAIN)
    links = a.new_session()
    b.new_session()
    await asyncio.gather(a.start(), b.start())
    caddy = Caddy(tmp_path / "caddy", [a.port, b.port])
    client: OutboxClient | None = None
    try:
        await caddy.start()
        a_room = urlsplit(links["room_url"]).path
        async with httpx.AsyncClient() as http:
            before = [await answered_by_a(http, caddy, a_room) for _ in range(40)]
            assert any(before) and not all(before)  # both nodes take new people

            person = await join(a, links["room_url"], "Ada")
            await open_first_phase(a, links)
            client = OutboxClient(caddy.ws_url, links["session_id"], person.token, "ada")
            client.start()  # through Caddy; it lands on node A sooner or later
            await asyncio.wait_for(client.connected.wait(), 30)
            closes_before_drain = len(client.closes)

            assert a.proc is not None
            a.proc.send_signal(signal.SIGTERM)
            async with asyncio.timeout(10):  # Caddy's next health check sees the 503
                streak = 0
                while streak < 10:
                    streak = 0 if await answered_by_a(http, caddy, a_room) else streak + 1
            during = [await answered_by_a(http, caddy, a_room) for _ in range(30)]
            note = client.post("Still here while my node drains")
            await client.wait_for(lambda c: note in c.acked, 10)
            assert a.proc.poll() is None, "node A ended its drain before the test could see it"
            print(f"\ncaddy: before the drain {sum(before)}/40 to A; during it {sum(during)}/30")
            assert not any(during)  # no new connection for the draining node
            assert len(client.closes) == closes_before_drain  # its own client kept working

            await asyncio.to_thread(a.proc.wait, 15)
            await client.wait_for(lambda c: len(c.closes) > closes_before_drain, 10)
            assert client.closes[closes_before_drain][0] == 4503  # then asked to reconnect
    finally:
        if client is not None:
            await client.stop()
        caddy.stop()
        a.stop()
        b.stop()


async def test_a_caddy_reload_keeps_live_websockets_or_they_resume(tmp_path: Path) -> None:
    """Caddy 2.7+ keeps them (stream_close_delay); 2.6 closes them (1001): one reconnect."""
    node = ServerProcess(tmp_path / "a")
    links = node.new_session()
    await node.start()
    caddy = Caddy(tmp_path / "caddy", [node.port])
    client: OutboxClient | None = None
    try:
        await caddy.start()
        person = await join(node, links["room_url"], "Ada")
        await open_first_phase(node, links)
        client = OutboxClient(caddy.ws_url, links["session_id"], person.token, "ada")
        client.start()
        await asyncio.wait_for(client.connected.wait(), 10)
        await asyncio.to_thread(caddy.reload)
        note = client.post("Written after the proxy reloaded")
        await client.wait_for(lambda c: note in c.acked, 10)
        if caddy_version() >= (2, 7):
            assert client.closes == []  # the same WebSocket, never dropped
        else:
            assert [code for code, _ in client.closes] == [1001]  # one reconnect, nothing lost
        assert client.gaps == []
    finally:
        if client is not None:
            await client.stop()
        caddy.stop()
        node.stop()
