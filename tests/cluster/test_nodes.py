"""Three real nodes, one session, one PostgreSQL store and one Redis bus.

People reach whichever node the proxy gives them; they must not be able to tell.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.cluster.nodes import Cluster, gap_free, notes_once, settle
from tests.redis_support import PrivateRedis
from tests.reliability.client import OutboxClient
from tests.reliability.process import host_token


async def open_phase(cluster: Cluster, links: dict[str, str]) -> OutboxClient:
    host = OutboxClient(cluster.nodes[0].ws_url, links["session_id"], host_token(links), "host")
    host.start()
    host.send_now({"type": "open_phase", "phase_id": "p1"}, "host-open")
    await host.answered("host-open", 20, acked=True)
    return host


async def stop(clients: list[OutboxClient]) -> None:
    for client in clients:
        await client.stop()


async def test_people_on_different_nodes_see_each_others_notes(cluster: Cluster) -> None:
    links = cluster.new_session()
    host = await open_phase(cluster, links)
    people = [await cluster.client(node, links, f"p{i}") for i, node in enumerate(cluster.nodes)]
    try:
        for person in people:
            for n in range(3):
                person.post(f"{person.name} note {n}")
        for person in people:
            await settle(person, 30)
        log = await cluster.stored_log(links["session_id"])
        gap_free(log)
        for client in [host, *people]:
            await client.caught_up(log[-1].seq, 20)
            assert client.gaps == []
            assert [e["seq"] for e in client.events] == [e.seq for e in log]
            texts = [e["data"].get("text") for e in client.events]
            assert {f"p{i} note {n}" for i in range(3) for n in range(3)} <= set(texts)
        notes_once(people, log)
    finally:
        await stop([host, *people])


async def test_a_client_resumes_on_another_node_with_exactly_what_it_missed(
    cluster: Cluster,
) -> None:
    links = cluster.new_session()
    host = await open_phase(cluster, links)
    first, second, third = cluster.nodes
    away = await cluster.client(first, links, "away")
    others = [await cluster.client(second, links, "b"), await cluster.client(third, links, "c")]
    try:
        away.post("before the tunnel")
        await settle(away, 30)
        await away.stop()
        left_at = away.last_seq
        for person in others:
            for n in range(4):
                person.post(f"{person.name} while away {n}")
        for person in others:
            await settle(person, 30)
        head = (await cluster.stored_log(links["session_id"]))[-1].seq

        back = OutboxClient(third.ws_url, links["session_id"], away.token, "away-again")
        back.last_seq = left_at
        back.start()
        await back.caught_up(head, 20)

        assert [e["seq"] for e in back.events] == list(range(left_at + 1, head + 1))
        assert back.snapshots == 0 and back.gaps == []
        await back.stop()
    finally:
        await stop([host, away, *others])


async def stream_until_done(
    clients: list[OutboxClient], notes: int, during: asyncio.Event, at_fraction: float = 0.3
) -> None:
    """Every client posts ``notes`` notes at a steady rate; ``during`` is set part way."""

    async def stream(client: OutboxClient) -> None:
        for n in range(notes):
            client.post(f"{client.name} says {n}")
            if client is clients[0] and n == int(notes * at_fraction):
                during.set()
            await asyncio.sleep(0.03)  # a steady rate, whatever happens to the nodes

    await asyncio.gather(*(stream(c) for c in clients))
    for client in clients:
        await settle(client, 90)


async def test_a_killed_nodes_people_resume_on_another_with_every_note_once(
    cluster: Cluster,
) -> None:
    links = cluster.new_session()
    host = await open_phase(cluster, links)
    people = [await cluster.client(cluster.nodes[i % 3], links, f"p{i}") for i in range(6)]
    victim, refuge = cluster.nodes[1], cluster.nodes[2]
    try:
        midway = asyncio.Event()
        streaming = asyncio.create_task(stream_until_done(people, 30, midway))
        await midway.wait()
        victim.kill()
        for person in people:  # the proxy sends the killed node's people elsewhere
            if person.ws_url == victim.ws_url:
                person.ws_url = refuge.ws_url
        await streaming

        log = await cluster.stored_log(links["session_id"])
        gap_free(log)
        notes_once(people, log)
        assert sum(len(p.acked) for p in people) == 6 * 30
        for client in [host, *people]:
            await client.caught_up(log[-1].seq, 30)
            assert client.gaps == []
    finally:
        await stop([host, *people])


async def test_lost_redis_subscriptions_and_a_redis_restart_lose_no_event(
    tmp_path: Path, pg_url: str
) -> None:
    redis = PrivateRedis(tmp_path)
    redis.start()
    cluster = Cluster(tmp_path, pg_url, redis.url)
    people: list[OutboxClient] = []
    try:
        await cluster.start()
        links = cluster.new_session()
        host = await open_phase(cluster, links)
        people = [host] + [
            await cluster.client(cluster.nodes[i % 3], links, f"p{i}") for i in range(6)
        ]
        first, second = asyncio.Event(), asyncio.Event()
        streaming = asyncio.create_task(stream_until_done(people[1:], 40, first, 0.25))
        await first.wait()
        redis.kill_subscribers()  # every node's subscription dropped under it
        await people[1].wait_for(lambda c: len(c.acked) >= 20, 30)
        redis.stop()  # and then Redis itself goes away and comes back, empty
        await people[1].wait_for(lambda c: len(c.acked) >= 25, 30)
        redis.start()
        second.set()
        await streaming

        log = await cluster.stored_log(links["session_id"])
        gap_free(log)
        notes_once(people, log)
        for client in people:
            await client.caught_up(log[-1].seq, 30)
            assert client.gaps == [] and client.snapshots == 0
            assert [e["seq"] for e in client.events] == [e.seq for e in log]
    finally:
        await stop(people)
        cluster.stop()
        redis.stop()
