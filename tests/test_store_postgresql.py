"""What only the PostgreSQL store has to prove: several nodes writing one session."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import asyncpg
import pytest

from hostkit.domain import commands as cmd
from hostkit.fanout.memory import MemoryFanout
from hostkit.live.hub import Ack, Hub
from hostkit.live.replay import fold_log
from hostkit.sessions import create_session
from hostkit.store.base import SequenceConflict, StoredEvent, StoreError
from hostkit.store.postgresql import SCHEMA_VERSION, PostgresStore, split_url

REPO = Path(__file__).resolve().parents[1]

_WRITER = """
import asyncio, json, sys
from hostkit.store.base import DuplicateCommand, SequenceConflict, StoredEvent
from hostkit.store.postgresql import PostgresStore

url, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])

async def send(store, command_id, n):
    while True:  # decide against the head as it is now; on a race, look again
        head = await store.head("s")
        try:
            await store.append([StoredEvent("s", head + 1, "t", 1.0, name, command_id, str(n))])
            return
        except SequenceConflict:
            continue
        except DuplicateCommand:
            return  # stored already: acknowledged once, kept once

async def worker(store, lane, acked, resent):
    for n in range(lane, count, 4):
        command_id = f"{name}-{n}"
        await send(store, command_id, n)
        acked.append(command_id)
        if n % 5 == 0:  # the phone did not hear the ack and sends it again
            await send(store, command_id, n)
            resent.append(command_id)

async def main():
    async with PostgresStore(url) as store:
        acked, resent = [], []
        await asyncio.gather(*(worker(store, lane, acked, resent) for lane in range(4)))
        print(json.dumps({"acked": acked, "resent": resent, "commits": store.commits}))

asyncio.run(main())
"""


async def test_processes_appending_to_one_session_leave_a_gap_free_log_of_every_ack_once(
    pg_url: str,
) -> None:
    async with PostgresStore(pg_url) as store:
        await store.create_session(
            "s", "CODE", 1.0, [StoredEvent("s", 1, "t", 1.0, None, None, "0")]
        )
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        writers = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                _WRITER,
                pg_url,
                f"node{i}",
                "60",
                env=env,
                cwd=REPO,
                stdout=asyncio.subprocess.PIPE,
            )
            for i in range(3)
        ]
        outputs = [json.loads((await w.communicate())[0]) for w in writers]
        assert [w.returncode for w in writers] == [0, 0, 0]

        log = await store.read("s")
        acked = [c for out in outputs for c in out["acked"]]
        stored = [e.command_id for e in log if e.command_id is not None]
        print(
            f"\n3 processes x 60 commands: {len(log)} events, "
            f"{sum(o['commits'] for o in outputs)} commits"
        )
        assert [e.seq for e in log] == list(range(1, len(log) + 1))  # gap-free
        assert sorted(stored) == sorted(acked)  # every acked command, each once
        assert len(acked) == 180
        assert sum(len(o["resent"]) for o in outputs) == 36  # resent, never stored twice
        assert await store.check() == []


async def test_a_batch_queued_behind_a_refused_one_of_its_session_is_refused_too(
    pg_url: str,
) -> None:
    """Both were decided on the same old state: the second must not land on the new one."""
    async with PostgresStore(pg_url) as node_a, PostgresStore(pg_url) as node_b:
        await node_a.create_session(
            "s", "CODE", 1.0, [StoredEvent("s", 1, "t", 1.0, None, None, "1")]
        )
        await node_b.append([StoredEvent("s", 2, "t", 1.0, "b", None, '"b"')])
        stale = await asyncio.gather(
            node_a.append([StoredEvent("s", 2, "t", 1.0, "a", None, '"a1"')]),
            node_a.append([StoredEvent("s", 3, "t", 1.0, "a", None, '"a2"')]),
            return_exceptions=True,
        )
        assert all(isinstance(o, SequenceConflict) for o in stale), stale
        await node_a.append([StoredEvent("s", 3, "t", 1.0, "a", None, '"a again"')])
        assert [e.body for e in await node_a.read("s")] == ["1", '"b"', '"a again"']


async def test_hubs_on_two_nodes_catch_up_and_decide_again_when_raced(pg_url: str) -> None:
    async with PostgresStore(pg_url) as store_a, PostgresStore(pg_url) as store_b:
        links = await create_session(
            store_a, base="http://hall.test", title="Two nodes", format_id="circle"
        )
        sid = links.session_id
        host = next(
            p
            for p in fold_log(sid, await store_a.read(sid)).participants.values()
            if p.role == "host"
        )
        hubs = [Hub(store=s, fanout=MemoryFanout()) for s in (store_a, store_b)]
        for hub in hubs:
            await hub.live(sid)  # both nodes hold the session before either writes

        answers = await asyncio.gather(
            *(
                hubs[n % 2].submit(sid, host.id, cmd.Announce(text=f"notice {n}"), f"c{n}")
                for n in range(40)
            )
        )
        assert all(isinstance(a, Ack) and not a.duplicate for a in answers), answers
        again = await hubs[1].submit(sid, host.id, cmd.Announce(text="notice 0"), "c0")
        assert isinstance(again, Ack) and again.duplicate  # the other node's command, once
        assert again.seq == answers[0].seq  # type: ignore[union-attr]

        log = await store_b.read(sid)
        assert [e.seq for e in log] == list(range(1, len(log) + 1))
        state = fold_log(sid, log)
        assert sorted(a.text for a in state.announcements) == sorted(
            f"notice {n}" for n in range(40)
        )


async def test_migrations_run_once_and_a_newer_schema_is_refused(pg_url: str) -> None:
    nodes = [PostgresStore(pg_url) for _ in range(3)]
    await asyncio.gather(*(n.open() for n in nodes))  # nodes starting together
    await asyncio.gather(*(n.close() for n in nodes))
    url, schema = split_url(pg_url)
    conn = await asyncpg.connect(url, server_settings={"search_path": str(schema)})
    try:
        versions = await conn.fetch("SELECT version FROM schema_version ORDER BY version")
        assert [v[0] for v in versions] == list(range(1, SCHEMA_VERSION + 1))
        await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", SCHEMA_VERSION + 1)
    finally:
        await conn.close()
    with pytest.raises(StoreError, match="newer than this hostkit"):
        await PostgresStore(pg_url).open()


async def test_check_reports_a_gap_and_a_counter_out_of_step(pg_url: str) -> None:
    async with PostgresStore(pg_url) as store:
        await store.create_session(
            "s",
            "CODE",
            1.0,
            [StoredEvent("s", n, "t", 1.0, None, None, str(n)) for n in (1, 2, 3, 4)],
        )
        assert await store.check() == []
        url, schema = split_url(pg_url)
        conn = await asyncpg.connect(url, server_settings={"search_path": str(schema)})
        try:
            await conn.execute("DELETE FROM events WHERE seq IN (2, 4)")
            await conn.execute("UPDATE events SET body = '{broken' WHERE seq = 3")
        finally:
            await conn.close()
        assert await store.check() == [
            "session 's': seq jumps from 1 to 3 (missing 2..2)",
            "session 's': counter at 4 but the log ends at 3",
            "session 's' seq 3: body is not valid JSON",
        ]


async def test_an_unreachable_server_is_a_store_error_in_words() -> None:
    with pytest.raises(StoreError, match="cannot open the PostgreSQL store"):
        await PostgresStore("postgresql://nobody@127.0.0.1:1/none").open()
