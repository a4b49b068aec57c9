"""Rate limits and connection caps shared by several nodes through a real Redis."""

from __future__ import annotations

import asyncio
import logging
import random
import resource
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import redis

from hostkit.domain.rejections import Rejection
from hostkit.server import limits
from hostkit.server.limits import Guard, raise_open_file_limit
from tests.harness import Person, free_port, running_server
from tests.redis_support import PrivateRedis, need_redis
from tests.security.support import ok

Nodes = Callable[..., list[Guard]]


@pytest.fixture
async def nodes() -> AsyncIterator[Nodes]:
    """Guards of n nodes sharing one Redis (the shared one, or url), closed afterwards."""
    made: list[Guard] = []

    def make(n: int, url: str | None = None, **caps: object) -> list[Guard]:
        url, prefix = url or need_redis(), f"hostkit-test:{uuid.uuid4().hex}"
        guards = [Guard(shared=url, prefix=prefix, **caps) for _ in range(n)]  # type: ignore[arg-type]
        made.extend(guards)
        return guards

    yield make
    for guard in made:
        await guard.close()


def codes(answers: list[Rejection | None]) -> list[str]:
    return [x.code if x else "ok" for x in answers]


async def test_a_participants_commands_count_on_every_node(nodes: Nodes) -> None:
    a, b = nodes(2, commands_per_participant="5/minute")
    order = (a, a, a, b, b, b, a)
    answers = [await node.admit("s", "rhian", "post_contribution") for node in order]
    assert codes(answers) == ["ok"] * 5 + ["rate_limited"] * 2
    assert await b.admit("s", "someone-else", "post_contribution") is None


async def test_a_sessions_cap_counts_connections_on_every_node(nodes: Nodes) -> None:
    a, b = nodes(2, max_connections_per_session=3)
    opened = [await a.open_connection("s"), await a.open_connection("s")]
    assert [*opened, await b.open_connection("s")] == [True] * 3
    assert not await b.open_connection("s")
    assert not await a.open_connection("s")
    assert await b.open_connection("other")  # another session has its own places
    await a.close_connection("s")
    assert await b.open_connection("s")  # a place came free on the other node


async def test_two_nodes_racing_for_the_last_places_take_exactly_the_cap(nodes: Nodes) -> None:
    a, b = nodes(2, max_connections_per_session=50)
    opened = await asyncio.gather(*(node.open_connection("s") for node in [a, b] * 40))
    assert sum(opened) == 50


async def test_a_node_that_stops_renewing_stops_holding_places(nodes: Nodes) -> None:
    a, b = nodes(2, max_connections_per_session=2)
    assert await a.open_connection("s") and await a.open_connection("s")
    assert not await b.open_connection("s")
    shared = a._shared
    assert shared is not None
    redis.Redis.from_url(need_redis()).delete(f"{shared._prefix}:node:{shared.node}")  # expired
    assert await b.open_connection("s")


async def test_a_renewal_putting_counts_back_agrees_with_connections_coming_and_going(
    nodes: Nodes,
) -> None:
    (a,) = nodes(1, max_connections_per_session=10_000)
    shared = a._shared
    assert shared is not None
    for _ in range(100):
        assert await a.open_connection("s")
    # as after a Redis restart: this node's key and counts are gone and must be put back
    redis.Redis.from_url(need_redis()).delete(f"{shared._prefix}:node:{shared.node}")
    rng = random.Random(12)

    async def come_and_go(n: int) -> None:
        if rng.random() < 0.5:
            assert await a.open_connection("s")
        else:
            await a.close_connection("s")

    await asyncio.gather(a.renew(), *(come_and_go(n) for n in range(200)), a.renew())
    assert await shared.count("s") == a._connections["s"]


async def test_without_redis_a_node_counts_its_own_connections() -> None:
    alone = Guard(
        shared=f"redis://127.0.0.1:{free_port()}/0",
        max_connections_per_session=2,
        commands_per_participant="2/minute",
    )
    assert await alone.open_connection("s") and await alone.open_connection("s")
    assert not await alone.open_connection("s")
    assert await alone.admit("s", "p", "post") is None
    assert await alone.admit("s", "p", "post") is None
    refused = await alone.admit("s", "p", "post")
    assert refused is not None and refused.code == "rate_limited"
    await alone.close()


async def test_when_redis_stops_each_node_limits_alone_and_shares_again_when_it_is_back(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    nodes: Nodes,
) -> None:
    monkeypatch.setattr(limits, "RETRY_REDIS_S", 0.0)  # ask Redis again at once
    private = PrivateRedis(tmp_path)
    private.start()
    try:
        a, b = nodes(
            2, private.url, commands_per_participant="3/minute", max_connections_per_session=2
        )
        assert codes([await a.admit("s", "p", "x"), await b.admit("s", "p", "x")]) == ["ok"] * 2
        assert await a.open_connection("s") and await a.open_connection("s")
        assert not await b.open_connection("s")  # shared: the session is full

        private.stop()
        with caplog.at_level(logging.WARNING, logger="hostkit.server.limits"):
            on_a = [await a.admit("s", "q", "x") for _ in range(4)]
            on_b = [await b.admit("s", "q", "x") for _ in range(4)]
            assert codes(on_a) == codes(on_b) == ["ok"] * 3 + ["rate_limited"]
            assert await b.open_connection("s") and await b.open_connection("s")
            assert not await b.open_connection("s")  # each node keeps the cap alone
            await a.close_connection("s")
        assert "counting on this node" in caplog.text

        private.start()  # an empty Redis: the nodes put their live connections back
        await a.renew()
        await b.renew()
        assert not await a.open_connection("s")  # a has 1 and b 2: over the cap of 2
        await b.close_connection("s")
        await b.close_connection("s")
        assert await a.open_connection("s")
        assert not await b.open_connection("s")
    finally:
        private.stop()


async def test_two_real_nodes_count_one_participants_commands_together(
    tmp_path: Path, pg_url: str
) -> None:
    shared = {"store": pg_url, "bus": need_redis(), "command_rate": "5/minute"}
    async with (
        running_server(tmp_path / "a", **shared) as first,
        running_server(tmp_path / "b", **shared) as second,
    ):
        links = await first.new_session("world-cafe")
        host = Person.from_link(first, links.host_url)
        await host.connect()
        await ok(host.send({"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False}))
        rhian = await Person.join(first, links.room_url, "Rhian")
        rhian_there = Person(second, rhian.session_id, rhian.token)
        joined = await Person.join(first, links.room_url, "Neighbour")
        neighbour = Person(second, joined.session_id, joined.token)
        note = {"type": "post_contribution", "kind": "note", "text": "Hello"}

        statuses = [(await p.post(note)).status_code for p in [rhian, rhian_there] * 3]

        assert statuses == [200] * 5 + [429]
        assert (await neighbour.post(note)).status_code == 200  # counted by person
        await host.disconnect()


def test_the_open_file_limit_is_raised_to_the_hard_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    raised = raise_open_file_limit()
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == raised
    if hard != resource.RLIM_INFINITY:
        assert raised == hard


async def test_a_session_whose_people_all_left_leaves_nothing_in_redis(nodes: Nodes) -> None:
    a, b = nodes(2, max_connections_per_session=10)
    assert await a.open_connection("s") and await a.open_connection("s")
    assert await b.open_connection("s")
    shared = a._shared
    assert shared is not None
    client = redis.Redis.from_url(need_redis())
    key = f"{shared._prefix}:connections:s"
    await a.close_connection("s")
    await a.close_connection("s")
    assert client.hkeys(key) == [b._shared.node.encode()]  # type: ignore[union-attr]
    await b.close_connection("s")
    assert not client.exists(key)
    assert await a.open_connection("s")  # and the session still counts as before
    assert await shared.count("s") == 1
