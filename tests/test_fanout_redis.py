"""The Redis bus against a real Redis: two nodes in one process sharing one store.

Each test has its own channel on the shared Redis, or its own redis-server when it
kills connections or restarts Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hostkit.fanout.redis import RedisFanout
from hostkit.store.base import StoredEvent
from hostkit.store.sqlite import SqliteStore
from tests.redis_support import PrivateRedis, need_redis, unique_channel, until

SESSION = "s1"


def event(seq: int) -> StoredEvent:
    return StoredEvent(SESSION, seq, "note", 1.0 + seq, "p1", f"c{seq}", f'{{"n":{seq}}}')


class Node:
    """One node's bus and what its one connection to the session received."""

    def __init__(self, url: str, store: SqliteStore, channel: str) -> None:
        self.bus = RedisFanout(
            url, store=store, epoch="e1", channel=channel, probe_every=0.2,
            probe_patience=1.0, head_check_every=0.5,
        )  # fmt: skip
        self.received: list[int] = []

    async def join(self) -> None:
        await self.bus.start()
        await asyncio.wait_for(self.bus.subscribed.wait(), 10)
        self.bus.subscribe(SESSION, lambda events: self.received.extend(e.seq for e in events))
        self.bus.expect(SESSION, 2)  # the log read on join ends at seq 1


async def commit(store: SqliteStore, node: Node | None, *seqs: int) -> None:
    """Append to the shared log; publish through node (None: the message is lost)."""
    events = [event(s) for s in seqs]
    await store.append(events)
    if node is not None:
        await node.bus.publish(SESSION, events)


@contextlib.asynccontextmanager
async def two_nodes(tmp_path: Path, url: str) -> AsyncIterator[tuple[SqliteStore, Node, Node]]:
    store = SqliteStore(tmp_path / "hostkit.sqlite3")
    await store.open()
    await store.create_session(SESSION, "ABCD", 1.0, [event(1)])
    channel = unique_channel()
    a, b = Node(url, store, channel), Node(url, store, channel)
    try:
        await a.join()
        await b.join()
        yield store, a, b
    finally:
        await a.bus.close()
        await b.bus.close()
        await store.close()


async def test_a_commit_on_one_node_reaches_the_other_once(tmp_path: Path) -> None:
    async with two_nodes(tmp_path, need_redis()) as (store, a, b):
        await commit(store, a, 2, 3)
        await commit(store, b, 4)
        await until(lambda: a.received == [2, 3, 4] and b.received == [2, 3, 4])
        await asyncio.sleep(0.3)  # the echoes of both nodes' own commits come back meanwhile
        assert a.received == [2, 3, 4]
        assert b.received == [2, 3, 4]


async def test_a_lost_message_is_backfilled_from_the_store_before_the_next(tmp_path: Path) -> None:
    async with two_nodes(tmp_path, need_redis()) as (store, a, b):
        await commit(store, None, 2)  # never published
        await commit(store, a, 3)
        await until(lambda: b.received == [2, 3])
        assert b.bus.backfills >= 1


async def test_a_lost_last_message_is_found_by_the_head_check(tmp_path: Path) -> None:
    async with two_nodes(tmp_path, need_redis()) as (store, _a, b):
        await commit(store, None, 2, 3)
        await until(lambda: b.received == [2, 3])


async def test_a_batch_from_another_epoch_is_ignored(tmp_path: Path) -> None:
    async with two_nodes(tmp_path, need_redis()) as (store, a, b):
        a.bus.epoch = "restored-elsewhere"
        await commit(store, a, 2)
        await commit(store, None, 3)
        await until(lambda: b.received == [2, 3])  # from the store, not the stranger
        assert b.bus.backfills >= 1


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


async def test_killed_subscriptions_are_renewed_and_nothing_is_missed(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    async with two_nodes(tmp_path, private_redis.url) as (store, a, b):
        before = b.bus.subscriptions
        private_redis.kill_subscribers()
        await commit(store, a, 2)  # may be published while b is not listening
        await until(lambda: b.bus.subscriptions > before)
        await commit(store, a, 3)
        await until(lambda: b.received == [2, 3])


async def test_a_restarted_redis_is_reconnected_and_nothing_is_missed(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    async with two_nodes(tmp_path, private_redis.url) as (store, a, b):
        before = b.bus.subscriptions
        private_redis.stop()
        await commit(store, a, 2, 3)  # delivered on a; lost on the way to b
        assert a.received == [2, 3]
        private_redis.start()
        await until(lambda: b.bus.subscriptions > before)
        await commit(store, a, 4)
        await until(lambda: b.received == [2, 3, 4])
        assert a.received == [2, 3, 4]
