"""Two hubs (as on two nodes) sharing one store and a real Redis bus: each decides
against the other's commits and every connection hears every event once, in order."""

from __future__ import annotations

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
