"""Issue 17's proof: three real nodes on one PostgreSQL and one Redis, behind a real Caddy,
200 people posting and listening, and the nodes restarted one after another under load.

Every acknowledged note is in the log exactly once, every client ends gap-free, no client
reconnects more than once per restart, and the draining node answers 503 to every new
health probe (every 10 ms, from a thread of its own) from its signal until it exits.

Built for a slow, shared CI machine: every wait is for an outcome, with room to spare;
the heartbeat is long, so a test process busy with 200 clients is never taken for a
dead phone; the drain is several of Caddy's health checks long.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import signal
import time
from collections import Counter
from pathlib import Path

from hostkit.settings import Settings
from hostkit.store.base import StoredEvent
from hostkit.store.url import store_for
from tests.cluster.caddy import Caddy
from tests.cluster.nodes import gap_free, notes_once, settle
from tests.harness import Person, Server
from tests.redis_support import PrivateRedis
from tests.reliability.client import OutboxClient
from tests.reliability.health import Prober, answered_503_until_closed
from tests.reliability.process import ServerProcess, host_token

NODES = 3
CLIENTS = 200
POST_EVERY_S = 15.0  # 200 people: about 13 notes a second in all, each to 200 listeners
DRAIN_S = 4.0  # beside Caddy's health checks every second, on a busy machine too
HEARTBEAT_S = 30.0  # a busy test process answers pings late; it is not a dead phone


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
    flags = (
        "--store",
        database,
        "--bus",
        bus,
        "--drain",
        str(DRAIN_S),
        "--heartbeat",
        str(HEARTBEAT_S),
    )
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
    host: OutboxClient | None = None
    clients: list[OutboxClient] = []
    posting = True
    began = time.monotonic()

    def progress(what: str) -> None:
        print(f"  {time.monotonic() - began:6.1f} s  {what}", flush=True)

    def client(token: str, name: str) -> OutboxClient:
        return OutboxClient(caddy.ws_url, session_id, token, name, heartbeat_s=HEARTBEAT_S)

    try:
        for node in nodes:  # one at a time: the first applies the schema
            await node.start(within=180)
        await caddy.start(within=60)
        host = client(host_token(links), "host")
        host.start()
        host.send_now({"type": "open_phase", "phase_id": "p1"}, "host-open")
        await host.wait_for(lambda c: "host-open" in c.acked, 60)
        front = Server(caddy.url, "http://talk.test", tmp_path, Settings())
        people = [
            await Person.join(front, links["room_url" if n % 2 else "remote_url"], f"P{n}")
            for n in range(CLIENTS)
        ]
        clients = [client(p.token, f"c{n}") for n, p in enumerate(people)]
        for each in clients:
            each.start()
        async with asyncio.timeout(120):
            await asyncio.gather(*(c.connected.wait() for c in clients))
        progress(f"{NODES} nodes, caddy, {CLIENTS} people connected")

        async def post(person: OutboxClient) -> None:
            await asyncio.sleep(random.uniform(0, POST_EVERY_S))  # people do not post in step
            n = 0
            while posting:
                n += 1
                person.post(f"{person.name} says {n}")
                await asyncio.sleep(POST_EVERY_S)

        streams = [asyncio.create_task(post(c)) for c in clients]
        await clients[0].wait_for(lambda c: len(c.acked) >= 1, 120)

        closes_at: list[dict[str, int]] = []  # each client's closes so far, at each signal
        probes: list[list[int | None]] = []
        for node in nodes:
            prober = Prober(node.port)
            prober.start()
            try:
                await prober.wait_for_status(200)
                assert node.proc is not None
                closes_at.append({c.name: len(c.closes) for c in clients})
                node.proc.send_signal(signal.SIGTERM)
                # from the moment the signal is sent: a probe that began while kill() was
                # still on its way could be answered before the node had any signal to see
                signalled = time.monotonic()
                await asyncio.to_thread(node.proc.wait, 180)
                exited = time.monotonic()
            finally:
                await prober.stop()
            probes.append(prober.between(signalled, exited))
            progress(f"node on {node.port} exited {exited - signalled:.1f} s after SIGTERM")
            await node.start(within=180)
            async with asyncio.timeout(120):  # everyone it served is back, on another node
                await asyncio.gather(*(c.connected.wait() for c in clients))
            progress("restarted; everyone connected again")

        posting = False
        for stream in streams:
            stream.cancel()  # between two notes: what is in the outboxes is what was sent
        await asyncio.gather(*streams, return_exceptions=True)
        closes_at.append({c.name: len(c.closes) for c in clients})
        for each in [host, *clients]:
            await settle(each, within=120)
        log = await stored_log(database, session_id)
        head = log[-1].seq
        for each in [host, *clients]:
            await each.caught_up(head, 120)
        progress("every note acknowledged; every client at the head")

        reconnects = [
            Counter({name: after[name] - before[name] for name in before})
            for before, after in itertools.pairwise(closes_at)
        ]
        moved = [sum(1 for n in r.values() if n) for r in reconnects]
        sent = {cid for c in clients for cid in c.sent}
        stored = Counter(e.command_id for e in log if e.type == "contribution_posted")
        print(
            f"\nrolling restart: {len(sent)} notes sent, {sum(stored.values())} stored; "
            f"clients moved per restart {moved}; "
            f"probes of each draining node {[dict(Counter(p)) for p in probes]}"
        )
        for statuses in probes:
            assert answered_503_until_closed(statuses), statuses
        gap_free(log)
        notes_once([host, *clients], log)  # every acknowledged note once, at its seq
        assert set(stored) == sent and max(stored.values()) == 1
        for each in [host, *clients]:
            assert each.gaps == [], (each.name, each.gaps)
        assert all(max(r.values()) <= 1 for r in reconnects), reconnects
        assert all(moved), moved  # each restart did move people
    finally:
        posting = False
        for each in [*clients, *([host] if host else [])]:
            await each.stop()
        caddy.stop()
        for node in nodes:
            node.stop()


async def stored_log(database: str, session_id: str) -> list[StoredEvent]:
    store = store_for(database)
    await store.open()
    try:
        return await store.read(session_id)
    finally:
        await store.close()
