"""Issue 17's proof: three real nodes on one PostgreSQL and one Redis, behind a real Caddy,
200 people posting and listening, and the nodes restarted one after another under load.

Every acknowledged note is in the log exactly once, every client ends gap-free, no client
reconnects more than once per restart, and the draining node answers 503 to every new
health probe (every 10 ms) from its signal until it exits.

NOT YET WIRED IN (the file name keeps pytest from collecting it): on the shared 2-core
machine at load 20-27 it has not passed. Twice the first node drained (probes all 503,
then refused as it exited) and came back, and the second node drained and exited but its
restart did not answer /healthz within 60 s, then 180 s. Run it on its own with
``pytest tests/cluster/rolling_restart.py -s`` (an explicit path is collected).
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import time
from collections import Counter
from pathlib import Path

from hostkit.settings import Settings
from hostkit.store.url import store_for
from tests.cluster.caddy import Caddy
from tests.harness import Person, Server
from tests.redis_support import PrivateRedis
from tests.reliability.client import OutboxClient
from tests.reliability.health import Prober, answered_503_until_closed
from tests.reliability.process import ServerProcess, host_token

NODES = 3
CLIENTS = 200
POST_EVERY_S = 10.0  # 200 people: about 20 notes a second in all, each to 200 listeners
DRAIN_S = 2.0  # beside Caddy's 1 s health checks


async def test_nodes_restarted_one_after_another_under_load_lose_nothing(
    tmp_path: Path, pg_url: str
) -> None:
    redis = PrivateRedis(tmp_path / "redis")
    redis.directory.mkdir()
    redis.start()
    try:
        await rolling_restart(tmp_path, pg_url, redis.url)
    finally:
        redis.stop()


async def rolling_restart(tmp_path: Path, database: str, bus: str) -> None:
    flags = ("--store", database, "--bus", bus, "--drain", str(DRAIN_S))
    nodes = [ServerProcess(tmp_path / f"node{n}", extra=flags) for n in range(NODES)]
    for node in nodes:
        node.data_dir.mkdir(parents=True)
    created = nodes[0].cli(
        "new", "--store", database, "--licence", "CC BY 4.0", "--title",
        "Council consultation", "--format", "world-cafe", "--public-url", "http://talk.test",
        "--json",
    )  # fmt: skip
    links = json.loads(created.stdout)
    session_id = links["session_id"]
    caddy = Caddy(tmp_path / "caddy", [node.port for node in nodes])
    clients: list[OutboxClient] = []
    posting = True
    try:
        await asyncio.gather(*(node.start(within=180) for node in nodes))
        await caddy.start()
        began = time.monotonic()

        def progress(what: str) -> None:
            print(f"  {time.monotonic() - began:6.1f} s  {what}", flush=True)

        front = Server(caddy.url, "http://talk.test", tmp_path, Settings())
        host = OutboxClient(caddy.ws_url, session_id, host_token(links), "host")
        host.start()
        host.send_now({"type": "open_phase", "phase_id": "p1"}, "host-open")
        await host.wait_for(lambda c: "host-open" in c.acked, 30)
        progress("nodes and caddy up; host opened the phase")
        people = [
            await Person.join(front, links["room_url" if n % 2 else "remote_url"], f"P{n}")
            for n in range(CLIENTS)
        ]
        clients = [OutboxClient(caddy.ws_url, session_id, p.token, f"c{n}") for n, p in
                   enumerate(people)]  # fmt: skip
        for client in clients:
            client.start()
        async with asyncio.timeout(60):
            await asyncio.gather(*(c.connected.wait() for c in clients))

        async def post(client: OutboxClient) -> None:
            await asyncio.sleep(random.uniform(0, POST_EVERY_S))  # people do not post in step
            n = 0
            while posting:
                n += 1
                client.post(f"{client.name} says {n}")
                await asyncio.sleep(POST_EVERY_S)

        progress(f"{CLIENTS} people joined and connected")
        streams = [asyncio.create_task(post(c)) for c in clients]
        await clients[0].wait_for(lambda c: len(c.acked) >= 1, 60)

        reconnects: list[Counter[str]] = []
        probes: list[Counter[int | None]] = []
        for node in nodes:
            closes_before = {c.name: len(c.closes) for c in clients}
            prober = Prober(node.port)
            prober.start()
            await prober.wait_for_status(200)
            assert node.proc is not None
            signalled = time.monotonic()
            node.proc.send_signal(signal.SIGTERM)
            await asyncio.to_thread(node.proc.wait, 30)
            exited = time.monotonic()
            await prober.stop()
            statuses = prober.between(signalled, exited)
            probes.append(Counter(statuses))
            assert answered_503_until_closed(statuses), statuses
            progress(f"node on {node.port} drained and exited; restarting it")
            await node.start(within=180)
            async with asyncio.timeout(60):  # everyone it served is back, elsewhere
                await asyncio.gather(*(c.connected.wait() for c in clients))
            reconnects.append(Counter({c.name: len(c.closes) - closes_before[c.name]
                                       for c in clients}))  # fmt: skip

        progress("every node restarted; posting stops")
        posting = False
        await asyncio.gather(*streams)
        for client in clients:
            await client.wait_for(lambda c: not c.outbox, 60)
        store = store_for(database)
        await store.open()
        try:
            log = await store.read(session_id)
        finally:
            await store.close()
        head = log[-1].seq
        for client in [host, *clients]:
            await client.wait_for(lambda c: c.last_seq >= head, 30)

        sent = [cid for c in clients for cid in c.sent]
        acked = {cid for c in clients for cid in c.acked}
        stored = Counter(e.command_id for e in log if e.type == "contribution_posted")
        moved = [sum(1 for n in r.values() if n) for r in reconnects]
        print(
            f"\nrolling restart: {len(sent)} notes sent, {len(acked)} acknowledged, "
            f"{sum(stored.values())} stored; clients moved per restart {moved}; "
            f"probes of the draining node {[dict(p) for p in probes]}"
        )
        assert [e.seq for e in log] == list(range(1, head + 1))  # gap-free log
        assert max(stored.values()) == 1  # nothing applied twice
        assert set(stored) == set(sent)  # everything sent is stored, acked included
        assert acked <= set(stored)
        for client in [host, *clients]:
            assert client.gaps == [], (client.name, client.gaps)
            assert client.last_seq == head
        assert all(max(r.values()) <= 1 for r in reconnects), reconnects
        assert all(n > 0 for n in moved)  # each restart did move people
    finally:
        posting = False
        for client in clients:
            await client.stop()
        caddy.stop()
        for node in nodes:
            node.stop()
