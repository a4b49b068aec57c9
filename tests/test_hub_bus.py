"""Two hubs (as on two nodes) sharing one store and a real Redis bus: each decides
against the other's commits and every connection hears every event once, in order."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from hostkit.domain import commands as cmd
from hostkit.fanout.redis import RedisFanout
from hostkit.live.hub import Ack, Hub
from hostkit.sessions import create_session
from hostkit.store.base import StoredEvent
from hostkit.store.sqlite import SqliteStore
from tests.redis_support import need_redis, unique_channel, until


def hear(into: list[int], events: list[StoredEvent]) -> None:
    into.extend(e.seq for e in events)


def all_at(hubs: list[Hub], session_id: str, seq: int) -> bool:
    return all(hub._live[session_id].head == seq for hub in hubs)


def joining(n: int) -> cmd.Join:
    return cmd.Join(f"p{n}", f"nonce{n}", f"Person {n}", "remote")


async def test_two_hubs_continue_each_others_log(tmp_path: Path) -> None:
    url, channel = need_redis(), unique_channel()
    store = SqliteStore(tmp_path / "hostkit.sqlite3")
    await store.open()
    links = await create_session(store, base="http://x", title="Hall", format_id="circle")
    sid = links.session_id
    buses = [RedisFanout(url, store=store, epoch="e", channel=channel) for _ in range(2)]
    hubs = [Hub(store=store, fanout=bus) for bus in buses]
    heard: list[list[int]] = [[], []]
    try:
        for bus in buses:
            await bus.start()
        for index, (hub, bus) in enumerate(zip(hubs, buses, strict=True)):
            live = await hub.live(sid)
            assert live is not None
            bus.subscribe(sid, functools.partial(hear, heard[index]))
        start = await store.head(sid)
        for n in range(6):  # alternate nodes: each must decide after the other's commit
            hub = hubs[n % 2]
            answer = await hub.submit(sid, None, joining(n))
            assert isinstance(answer, Ack)
            await until(functools.partial(all_at, hubs, sid, start + n + 1))
        wanted = list(range(start + 1, start + 7))
        await until(lambda: heard == [wanted, wanted])
        assert await store.head(sid) == start + 6
        for hub in hubs:
            live = await hub.live(sid)
            assert live is not None
            assert {f"p{n}" for n in range(6)} <= set(live.committed.participants)
    finally:
        for bus in buses:
            await bus.close()
        await store.close()


class HeldReads(SqliteStore):
    """A real store whose full read of a log can be held once taken, as a slow read is."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.hold: asyncio.Event | None = None
        self.held = asyncio.Event()

    async def read(
        self, session_id: str, after: int = 0, limit: int | None = None
    ) -> list[StoredEvent]:
        found = await super().read(session_id, after, limit)
        if self.hold is not None and after == 0:
            self.held.set()
            await self.hold.wait()
        return found


async def test_a_commit_heard_while_the_session_is_read_again_is_not_lost(
    tmp_path: Path,
) -> None:
    """After a conflict a node reads the session again while its people stay subscribed:
    another node's commit heard during that read is part of the session it then serves."""
    url, channel = need_redis(), unique_channel()
    other = SqliteStore(tmp_path / "hostkit.sqlite3")
    await other.open()
    links = await create_session(other, base="http://x", title="Hall", format_id="circle")
    sid = links.session_id
    store = HeldReads(tmp_path / "hostkit.sqlite3")
    await store.open()
    buses = [RedisFanout(url, store=s, epoch="e", channel=channel) for s in (store, other)]
    here, there = Hub(store=store, fanout=buses[0]), Hub(store=other, fanout=buses[1])
    heard: list[int] = []
    try:
        for bus in buses:
            await bus.start()
        assert await here.live(sid) is not None and await there.live(sid) is not None
        buses[0].subscribe(sid, functools.partial(hear, heard))  # the people on this node
        head = await other.head(sid)
        here.forget(sid)  # as after a SequenceConflict: read it again
        store.hold = asyncio.Event()
        reading = asyncio.create_task(here.live(sid))
        await store.held.wait()  # the log is read up to head; the read is not back yet
        assert isinstance(await there.submit(sid, None, joining(1)), Ack)
        await until(lambda: heard == [head + 1])  # this node heard it meanwhile
        store.hold.set()
        live = await reading
        assert live is not None and live.head == head + 1
        assert "p1" in live.committed.participants
        assert isinstance(await there.submit(sid, None, joining(2)), Ack)
        await until(lambda: heard == [head + 1, head + 2])
        await until(lambda: here._live[sid].head == head + 2)  # and it keeps following
    finally:
        for bus in buses:
            await bus.close()
        await store.close()
        await other.close()
