"""SqliteStore against real SQLite files: durability, group commit, faults, upkeep."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from hostkit.store.base import (
    DuplicateCommand,
    JoinCodeTaken,
    SequenceConflict,
    StoredEvent,
    StoreError,
)
from hostkit.store.sqlite import DB_NAME, SqliteStore, open_store
from hostkit.store.sqlite_maintenance import backup, check, restore

REPO = Path(__file__).resolve().parents[1]


def event(
    session_id: str,
    seq: int,
    *,
    actor: str | None = None,
    command_id: str | None = None,
    body: str | None = None,
) -> StoredEvent:
    return StoredEvent(
        session_id=session_id,
        seq=seq,
        type="note.added",
        at=1_700_000_000.25 + seq,
        actor=actor,
        command_id=command_id,
        body=body if body is not None else json.dumps({"n": seq, "text": f"é {seq}"}),
    )


def events(session_id: str, first: int, last: int) -> list[StoredEvent]:
    return [event(session_id, seq) for seq in range(first, last + 1)]


async def new_session(store: SqliteStore, session_id: str, count: int = 1) -> None:
    await store.create_session(session_id, f"code-{session_id}", 1.0, events(session_id, 1, count))


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    async with SqliteStore(tmp_path / DB_NAME) as opened:
        yield opened


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# --- round trips --------------------------------------------------------------------


async def test_appended_events_read_back_in_order_exactly(store: SqliteStore) -> None:
    first = events("s", 1, 2)
    more = [event("s", 3, actor="p1", command_id="c1"), event("s", 4, actor="p1")]
    await store.create_session("s", "ABCD", 10.5, first)
    await store.append(more)

    assert await store.read("s") == first + more
    assert await store.read("s", after=2) == more
    assert await store.read("s", after=1, limit=2) == [first[1], more[0]]
    assert await store.read("s", after=4) == []
    assert await store.head("s") == 4


async def test_sessions_are_found_by_code_and_listed_oldest_first(store: SqliteStore) -> None:
    await store.create_session("later", "LATE", 20.0, events("later", 1, 1))
    await store.create_session("early", "EARLY", 10.0, events("early", 1, 1))

    assert await store.session_by_code("LATE") == "later"
    assert await store.session_by_code("NOPE") is None
    assert await store.session_exists("early")
    assert not await store.session_exists("missing")
    assert await store.list_sessions() == [("early", "EARLY", 10.0), ("later", "LATE", 20.0)]
    assert await store.head("missing") == 0
    assert await store.read("missing") == []


async def test_reopened_store_finds_every_event_exactly(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    written: dict[str, list[StoredEvent]] = {}
    async with SqliteStore(path) as first:
        for sid in ("a", "b"):
            written[sid] = events(sid, 1, 3)
            await first.create_session(sid, f"code-{sid}", 1.0, written[sid][:1])
            await first.append(written[sid][1:])
        assert await first.set_meta_if_absent("secret", "s3cret") == "s3cret"

    async with SqliteStore(path) as second:
        for sid, expected in written.items():
            assert await second.read(sid) == expected
        assert await second.get_meta("secret") == "s3cret"
        assert await check(second.path) == []


async def test_open_store_makes_the_data_directory(tmp_path: Path) -> None:
    data_dir = tmp_path / "nested" / "data"
    async with open_store(data_dir) as store:
        await new_session(store, "s")
    assert (data_dir / DB_NAME).is_file()


async def test_opening_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = raw(path)
    conn.execute("CREATE TABLE something (x)")
    conn.close()

    with pytest.raises(StoreError, match="not a hostkit database"):
        await SqliteStore(path).open()


# --- sequencing and commands --------------------------------------------------------


async def test_gap_and_duplicate_rejected_while_valid_batches_of_same_commit_land(
    store: SqliteStore,
) -> None:
    await new_session(store, "a", 3)
    await new_session(store, "b", 1)
    commits_before = store.commits

    outcomes = await asyncio.gather(
        store.append(events("b", 2, 2)),
        store.append(events("a", 5, 6)),  # gap: a is at 3
        store.append(events("a", 3, 3)),  # duplicate seq
        store.append(events("a", 4, 5)),  # continues a exactly
        store.append(events("a", 6, 6)),  # continues the batch queued just before it
        return_exceptions=True,
    )

    assert outcomes[0] is None
    assert isinstance(outcomes[1], SequenceConflict)
    assert isinstance(outcomes[2], SequenceConflict)
    assert outcomes[3] is None
    assert outcomes[4] is None
    assert store.commits == commits_before + 1  # all five were one transaction
    assert [e.seq for e in await store.read("a")] == [1, 2, 3, 4, 5, 6]
    assert await store.read("b") == events("b", 1, 2)


async def test_batch_with_inner_gap_is_refused(store: SqliteStore) -> None:
    await new_session(store, "s")
    with pytest.raises(SequenceConflict):
        await store.append([event("s", 2), event("s", 4)])
    assert await store.head("s") == 1


async def test_batch_mixing_sessions_is_a_caller_error(store: SqliteStore) -> None:
    await new_session(store, "s")
    with pytest.raises(ValueError, match="mixes sessions"):
        await store.append([event("s", 2), event("t", 3)])


async def test_append_to_unknown_session_is_refused(store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="no session"):
        await store.append(events("ghost", 1, 1))
    assert await store.read("ghost") == []


async def test_duplicate_command_id_is_rejected_and_leaves_nothing_of_its_batch(
    store: SqliteStore,
) -> None:
    await new_session(store, "s")
    await store.append([event("s", 2, actor="p1", command_id="c1")])

    with pytest.raises(DuplicateCommand):
        await store.append([event("s", 3, actor="p1", command_id="c1")])
    # the second event repeats the command: the first must not stay behind either
    with pytest.raises(DuplicateCommand):
        await store.append(
            [
                event("s", 3, actor="p1", command_id="c2"),
                event("s", 4, actor="p1", command_id="c1"),
            ]
        )

    assert await store.head("s") == 2
    await store.append([event("s", 3, actor="p2", command_id="c1")])  # another actor may
    assert await store.head("s") == 3


async def test_repeated_command_in_the_same_commit_lands_once(store: SqliteStore) -> None:
    await new_session(store, "s")
    commits_before = store.commits

    first, second = await asyncio.gather(
        store.append([event("s", 2, actor="p1", command_id="c1")]),
        store.append([event("s", 3, actor="p1", command_id="c1")]),
        return_exceptions=True,
    )

    assert first is None
    assert isinstance(second, DuplicateCommand)
    assert store.commits == commits_before + 1
    assert await store.head("s") == 2


async def test_batch_the_database_cannot_take_is_refused_alone(store: SqliteStore) -> None:
    await new_session(store, "a")
    await new_session(store, "b")
    unbindable = StoredEvent("a", 3, "t", 1.0, None, None, {"not": "text"})  # type: ignore[arg-type]
    commits_before = store.commits

    bad, good = await asyncio.gather(
        store.append([event("a", 2), unbindable]),
        store.append(events("b", 2, 2)),
        return_exceptions=True,
    )

    assert type(bad) is StoreError
    assert good is None
    assert store.commits == commits_before + 1
    assert await store.head("a") == 1
    assert await store.head("b") == 2
    await store.append(events("a", 2, 2))


async def test_join_code_taken_and_existing_session_id_are_refused(store: SqliteStore) -> None:
    await store.create_session("s1", "SAME", 1.0, events("s1", 1, 1))

    with pytest.raises(JoinCodeTaken):
        await store.create_session("s2", "SAME", 2.0, events("s2", 1, 1))
    with pytest.raises(SequenceConflict, match="already exists"):
        await store.create_session("s1", "OTHER", 2.0, events("s1", 1, 1))

    assert not await store.session_exists("s2")
    assert await store.read("s2") == []
    assert await store.list_sessions() == [("s1", "SAME", 1.0)]


async def test_new_session_log_must_start_at_one(store: SqliteStore) -> None:
    with pytest.raises(SequenceConflict):
        await store.create_session("s", "CODE", 1.0, events("s", 2, 3))
    assert not await store.session_exists("s")


async def test_concurrent_appends_land_gap_free_in_fewer_commits(store: SqliteStore) -> None:
    sessions = [f"s{i}" for i in range(20)]
    for sid in sessions:
        await new_session(store, sid)
    commits_before = store.commits

    # 10 appends per session, all in flight at once, queued in seq order
    await asyncio.gather(
        *(store.append(events(sid, seq, seq)) for seq in range(2, 12) for sid in sessions)
    )

    for sid in sessions:
        assert await store.read(sid) == events(sid, 1, 11)
    assert store.commits - commits_before < 200
    assert await check(store.path) == []


async def test_appends_are_acknowledged_in_the_order_they_were_queued(
    store: SqliteStore,
) -> None:
    sessions = [f"s{i}" for i in range(4)]
    for sid in sessions:
        await new_session(store, sid)
    acked: list[tuple[str, int]] = []

    async def append(sid: str, seq: int) -> None:
        await store.append(events(sid, seq, seq))
        acked.append((sid, seq))

    queued = [(sid, seq) for seq in range(2, 8) for sid in sessions]
    await asyncio.gather(*(append(sid, seq) for sid, seq in queued))

    assert acked == queued


def test_store_can_be_reopened_in_another_event_loop(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / DB_NAME)

    async def first() -> None:
        async with store:
            await new_session(store, "s")

    async def second() -> int:
        async with store:
            await store.append(events("s", 2, 2))
            return await store.head("s")

    asyncio.run(first())
    assert asyncio.run(second()) == 2


async def test_append_to_closed_store_is_refused(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / DB_NAME)
    async with store:
        await new_session(store, "s")
    with pytest.raises(StoreError, match="not open"):
        await store.append(events("s", 2, 2))


async def test_close_finishes_appends_already_queued(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    store = SqliteStore(path)
    await store.open()
    await new_session(store, "s")
    pending = [asyncio.ensure_future(store.append(events("s", n, n))) for n in range(2, 7)]
    await asyncio.sleep(0)  # let them queue
    await store.close()
    await asyncio.gather(*pending)

    async with SqliteStore(path) as reopened:
        assert await reopened.head("s") == 6


# --- storage faults -----------------------------------------------------------------


@contextlib.contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Make files of this process unable to grow past limit bytes, like a full disk.

    The kernel refuses the write with EFBIG (SIGXFSZ is ignored meanwhile), so
    SQLite meets a genuine I/O failure when it writes the WAL at commit.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)


async def test_full_disk_fails_the_whole_commit_and_store_recovers(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    big = json.dumps("x" * 400 * 1024)  # cannot fit below the limit
    async with SqliteStore(path) as store:
        await new_session(store, "a")
        await new_session(store, "b")
        assert path.stat().st_size < 64 * 1024
        commits_before = store.commits

        # a full disk is a fault of the transaction: every batch in it fails
        with file_size_limit(256 * 1024):
            outcomes = await asyncio.gather(
                store.append([event("a", 2, body=big)]),
                store.append(events("b", 2, 2)),
                return_exceptions=True,
            )

        assert all(isinstance(o, StoreError) for o in outcomes), outcomes
        assert not any(isinstance(o, SequenceConflict | DuplicateCommand) for o in outcomes)
        assert store.commits == commits_before
        assert await store.head("a") == 1
        assert await store.head("b") == 1
        assert await check(store.path) == []

        # the fault is gone: the same store writes again
        await store.append([event("a", 2, body=big)])
        await store.append(events("b", 2, 2))
        assert (await store.read("a"))[-1].body == big

    async with SqliteStore(path) as reopened:
        assert await reopened.head("a") == 2
        assert await reopened.head("b") == 2
        assert await check(reopened.path) == []


async def test_write_lock_held_elsewhere_gives_store_error_then_recovers(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    async with SqliteStore(path, busy_timeout=0.2) as store:
        await new_session(store, "s")
        other = raw(path)
        other.execute("BEGIN IMMEDIATE")  # another process holding the write lock too long
        try:
            with pytest.raises(StoreError, match="locked"):
                await store.append(events("s", 2, 2))
        finally:
            other.execute("ROLLBACK")
            other.close()

        await store.append(events("s", 2, 2))
        assert await store.head("s") == 2


# --- upkeep -------------------------------------------------------------------------


async def test_check_finds_nothing_wrong_in_a_sound_store(store: SqliteStore) -> None:
    await new_session(store, "s", 5)
    assert await check(store.path) == []


async def test_check_reports_a_deleted_event_as_gap(store: SqliteStore) -> None:
    await new_session(store, "s", 6)
    conn = raw(store.path)
    conn.execute("DELETE FROM events WHERE session_id = 's' AND seq IN (3, 4)")
    conn.close()

    problems = await check(store.path)

    assert len(problems) == 1
    assert "'s'" in problems[0]
    assert "from 2 to 5" in problems[0]


async def test_check_reports_bodies_that_are_not_json_or_not_text(store: SqliteStore) -> None:
    await new_session(store, "s", 3)
    conn = raw(store.path)
    conn.execute("UPDATE events SET body = '{broken' WHERE session_id = 's' AND seq = 2")
    conn.execute("UPDATE events SET body = x'ff00' WHERE session_id = 's' AND seq = 3")
    conn.close()

    problems = await check(store.path)

    assert problems == [
        "session 's' seq 2: body is not valid JSON",
        "session 's' seq 3: body is not text",
    ]


async def test_backup_taken_while_appends_continue_is_consistent(
    store: SqliteStore, tmp_path: Path
) -> None:
    sessions = [f"s{i}" for i in range(5)]
    for sid in sessions:
        await new_session(store, sid)
    stop = asyncio.Event()

    async def keep_appending(sid: str) -> None:
        seq = 2
        while not stop.is_set():
            await store.append([event(sid, seq), event(sid, seq + 1)])
            seq += 2

    async def total(of: SqliteStore) -> int:
        return sum([await of.head(sid) for sid in sessions])

    writers = [asyncio.create_task(keep_appending(sid)) for sid in sessions]
    while await store.head(sessions[-1]) < 20:
        pass
    dest = tmp_path / "backups" / "copy.db"
    dest.parent.mkdir()
    before = await total(store)
    await backup(store.path, dest)
    after = await total(store)
    stop.set()
    await asyncio.gather(*writers)

    async with SqliteStore(dest) as copy:
        assert await check(copy.path) == []
        assert before <= await total(copy) <= after
        for sid in sessions:
            copied = await copy.read(sid)
            assert len(copied) % 2 == 1  # whole batches only: the first event, then pairs
            assert copied == (await store.read(sid))[: len(copied)]
    assert listing(dest.parent) == ["copy.db"]


async def test_restore_puts_the_backup_in_place_and_keeps_the_replaced_db(
    tmp_path: Path,
) -> None:
    path = tmp_path / "data" / DB_NAME
    backup_file = tmp_path / "backup.db"
    async with open_store(path.parent) as store:
        await new_session(store, "s", 3)
        await backup(store.path, backup_file)
        await store.append(events("s", 4, 5))
        await new_session(store, "later")

    kept = restore(backup_file, path)

    assert kept is not None and kept.is_file()
    async with SqliteStore(path) as restored:
        assert await restored.read("s") == events("s", 1, 3)
        assert not await restored.session_exists("later")
        assert await check(restored.path) == []
        await restored.append(events("s", 4, 4))
    async with SqliteStore(kept) as replaced:
        assert await replaced.head("s") == 5


async def test_restore_into_empty_data_dir(tmp_path: Path) -> None:
    backup_file = tmp_path / "backup.db"
    async with SqliteStore(tmp_path / "origin.db") as store:
        await new_session(store, "s", 2)
        await backup(store.path, backup_file)

    target = tmp_path / "fresh" / DB_NAME
    assert restore(backup_file, target) is None
    async with SqliteStore(target) as restored:
        assert await restored.read("s") == events("s", 1, 2)


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, this is not a database at all", None],
    ids=["empty-file", "text-file", "foreign-sqlite-db"],
)
async def test_restore_refuses_what_is_not_a_hostkit_db_and_changes_nothing(
    tmp_path: Path, content: bytes | None
) -> None:
    path = tmp_path / DB_NAME
    async with SqliteStore(path) as store:
        await new_session(store, "s", 2)
    bogus = tmp_path / "bogus.db"
    if content is None:
        conn = raw(bogus)
        conn.execute("CREATE TABLE events (x)")
        conn.close()
    else:
        bogus.write_bytes(content)
    before = listing(tmp_path)

    with pytest.raises(StoreError, match="cannot be restored"):
        restore(bogus, path)

    assert listing(tmp_path) == before
    async with SqliteStore(path) as store:
        assert await store.head("s") == 2


async def test_restore_refuses_while_the_database_is_open(
    store: SqliteStore, tmp_path: Path
) -> None:
    await new_session(store, "s", 2)
    backup_file = tmp_path / "backup.db"
    await backup(store.path, backup_file)
    await store.append(events("s", 3, 3))

    with pytest.raises(StoreError, match="in use"):
        await asyncio.to_thread(restore, backup_file, store.path)

    assert await store.head("s") == 3


# --- meta and sharing the file ------------------------------------------------------


async def test_set_meta_if_absent_race_settles_on_one_value(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    async with SqliteStore(path) as server, SqliteStore(path) as cli:
        results = await asyncio.gather(
            *(
                (server if i % 2 else cli).set_meta_if_absent("signing_secret", f"value-{i}")
                for i in range(20)
            )
        )
        assert len(set(results)) == 1
        assert await server.get_meta("signing_secret") == results[0]
        assert await cli.get_meta("signing_secret") == results[0]
        assert await server.get_meta("absent") is None


async def test_two_stores_on_one_file_both_write(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    async with SqliteStore(path) as server, SqliteStore(path) as cli:
        await new_session(server, "srv")
        await new_session(cli, "cli")

        async def write(store: SqliteStore, sid: str) -> None:
            for seq in range(2, 31):
                await store.append(events(sid, seq, seq))

        await asyncio.gather(write(server, "srv"), write(cli, "cli"))
        # both aim at the same next seq of one session: exactly one wins
        outcomes = await asyncio.gather(
            server.append(events("srv", 31, 31)),
            cli.append(events("srv", 31, 31)),
            return_exceptions=True,
        )

        assert sorted(type(o).__name__ for o in outcomes) == ["NoneType", "SequenceConflict"]
        assert await cli.read("srv") == events("srv", 1, 31)
        assert await server.read("cli") == events("cli", 1, 30)
        assert await check(server.path) == []


_CLI_SCRIPT = """
import asyncio, json, sys
from pathlib import Path
from hostkit.store.base import StoredEvent
from hostkit.store.sqlite import SqliteStore

async def main() -> None:
    async with SqliteStore(Path(sys.argv[1])) as store:
        await store.create_session("cli", "CLI", 2.0, [])
        for seq in range(1, 101):
            await store.append([StoredEvent("cli", seq, "t", 1.0, None, None, json.dumps(seq))])

asyncio.run(main())
"""


async def test_a_second_process_writes_the_same_file_while_the_server_appends(
    store: SqliteStore,
) -> None:
    await new_session(store, "srv")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _CLI_SCRIPT, str(store.path), env=env, cwd=REPO
    )
    for seq in range(2, 101):
        await store.append(events("srv", seq, seq))

    assert await cli.wait() == 0
    assert await store.head("srv") == 100
    assert await store.head("cli") == 100
    assert await check(store.path) == []
