"""Rate limits and connection caps shared by several nodes through a real Redis."""

from __future__ import annotations

import resource
import uuid

import redis

from hostkit.server.limits import Guard, raise_open_file_limit
from tests.harness import free_port
from tests.redis_support import need_redis


def nodes(n: int, **limits: object) -> list[Guard]:
    url, prefix = need_redis(), f"hostkit-test:{uuid.uuid4().hex}"
    return [Guard(shared=url, prefix=prefix, **limits) for _ in range(n)]  # type: ignore[arg-type]


def test_a_participants_commands_count_on_every_node() -> None:
    a, b = nodes(2, commands_per_participant="5/minute")
    answers = [node.admit("s", "rhian", "post_contribution") for node in (a, a, a, b, b, b, a)]
    assert [x.code if x else "ok" for x in answers] == ["ok"] * 5 + ["rate_limited"] * 2
    assert b.admit("s", "someone-else", "post_contribution") is None


async def test_a_sessions_cap_counts_connections_on_every_node() -> None:
    a, b = nodes(2, max_connections_per_session=3)
    opened = [await a.open_connection("s"), await a.open_connection("s")]
    assert [*opened, await b.open_connection("s")] == [True] * 3
    assert not await b.open_connection("s")
    assert not await a.open_connection("s")
    assert await b.open_connection("other")  # another session has its own places
    await a.close_connection("s")
    assert await b.open_connection("s")  # a place came free on the other node


async def test_a_node_that_stops_renewing_stops_holding_places() -> None:
    a, b = nodes(2, max_connections_per_session=2)
    assert await a.open_connection("s") and await a.open_connection("s")
    assert not await b.open_connection("s")
    shared = a._shared
    assert shared is not None
    redis.Redis.from_url(need_redis()).delete(f"{shared._prefix}:node:{shared.node}")  # expired
    assert await b.open_connection("s")


async def test_without_redis_a_node_counts_its_own_connections() -> None:
    alone = Guard(
        shared=f"redis://127.0.0.1:{free_port()}/0",
        max_connections_per_session=2,
        commands_per_participant="2/minute",
    )
    assert await alone.open_connection("s") and await alone.open_connection("s")
    assert not await alone.open_connection("s")
    assert alone.admit("s", "p", "post") is None
    assert alone.admit("s", "p", "post") is None
    refused = alone.admit("s", "p", "post")
    assert refused is not None and refused.code == "rate_limited"


def test_the_open_file_limit_is_raised_to_the_hard_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    raised = raise_open_file_limit()
    assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == raised
    if hard != resource.RLIM_INFINITY:
        assert raised == hard
