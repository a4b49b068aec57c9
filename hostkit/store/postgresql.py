"""The PostgreSQL event store: several hostkit nodes share one database.

The session's sequence stays gap-free with writers on several nodes: each session row
carries a counter, moved on inside the append's transaction, and the primary key
(session_id, seq) is the backstop. Never a SERIAL: sequences leave gaps on rollback.

The hub decides its commands in the store (``append_deciding``): the append transaction
first locks the session's counter row (``SELECT ... FOR UPDATE``), which waits for any
other node's append to that session to commit; reads what other nodes appended since
the node's own copy; then has the hub decide against that latest state and writes. So
nodes posting into one session take turns instead of overtaking each other, and a
command is never refused because another node was faster. A plain ``append`` (events
decided beforehand) is still checked against the counter: a batch that does not follow
it exactly is refused with ``SequenceConflict``.

Per node, writes are group-committed as in the SQLite store: one writer connection
takes everything queued, runs it as one transaction (the commands of one session
decided together, under one savepoint; any other write under its own), and commits
once. A group that touches several sessions locks their rows in id order first, so two
nodes never wait for each other in a circle. A pre-decided batch queued before a
conflict of its session was reported was decided on the same stale state, so it is
refused too.

Schema migrations are numbered and applied at open, under an advisory lock so that
nodes starting together apply each once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from hostkit.store.base import (
    DuplicateCommand,
    JoinCodeTaken,
    Photo,
    SequenceConflict,
    StoredEvent,
    StoreError,
    WholeSession,
    check_batch,
    session_key_name,
)
from hostkit.store.groups import answer, next_group
from hostkit.store.reads import SharedReads, numbered

log = logging.getLogger(__name__)

MAX_GROUP = 512
_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# advisory lock held while migrating ("HKIT"), one per schema: nodes of one deployment
# wait for each other, never for another deployment (or test) sharing the database server
_LOCK_KEY = 0x484B4954

# Each entry moves the schema one version on; never edit one that has shipped.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE sessions (
            id text PRIMARY KEY,
            join_code text UNIQUE NOT NULL,
            created_at double precision NOT NULL,
            last_seq bigint NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE events (
            session_id text NOT NULL REFERENCES sessions (id),
            seq bigint NOT NULL,
            type text NOT NULL,
            at double precision NOT NULL,
            actor text,
            command_id text,
            body text NOT NULL,
            PRIMARY KEY (session_id, seq)
        )""",
        """CREATE UNIQUE INDEX events_command
            ON events (session_id, actor, command_id) WHERE command_id IS NOT NULL""",
        """CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL)""",
        """CREATE TABLE photos (
            session_id text NOT NULL REFERENCES sessions (id),
            photo_id text NOT NULL,
            owner text NOT NULL,
            jpeg bytea NOT NULL,
            PRIMARY KEY (session_id, photo_id)
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_INSERT_EVENTS = (
    "INSERT INTO events (session_id, seq, type, at, actor, command_id, body) "
    "SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::float8[], "
    "$5::text[], $6::text[], $7::text[])"
)

_READ_AFTER = (
    "SELECT session_id, seq, type, at, actor, command_id, body FROM events "
    "WHERE session_id = $1 AND seq > $2 ORDER BY seq"
)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

# what a broken connection or a stopped server looks like through asyncpg
_CONNECTION_FAULTS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.CannotConnectNowError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.ReadOnlySQLTransactionError,
    TimeoutError,
)
_FAULTS: tuple[type[BaseException], ...] = (*_CONNECTION_FAULTS, asyncpg.PostgresError)


def split_url(url: str) -> tuple[str, str | None]:
    """The connection URL without ``schema=``, and that schema (tests keep one each)."""
    parts = urlsplit(url)
    if parts.scheme == "postgres":
        parts = parts._replace(scheme="postgresql")
    query = parse_qsl(parts.query)
    schema = next((v for k, v in query if k == "schema"), None)
    if schema is not None and not _SCHEMA_NAME.fullmatch(schema):
        raise StoreError(f"schema {schema!r}: use lowercase letters, digits and _")
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    return urlunsplit(parts._replace(query=rest)), schema


def _columns(events: Sequence[StoredEvent]) -> list[list[Any]]:
    return [
        [e.session_id for e in events],
        [e.seq for e in events],
        [e.type for e in events],
        [e.at for e in events],
        [e.actor for e in events],
        [e.command_id for e in events],
        [e.body for e in events],
    ]


def _event(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(*row)


def _refusal(error: asyncpg.UniqueViolationError, session_id: str) -> StoreError:
    if error.constraint_name == "events_command":
        return DuplicateCommand(f"command already stored in {session_id!r}")
    if error.constraint_name == "sessions_join_code_key":
        return JoinCodeTaken("join code is taken")
    if error.constraint_name == "sessions_pkey":
        return SequenceConflict(f"session {session_id!r} already exists")
    return SequenceConflict(f"seq already stored in {session_id!r}: {error}")


class _Job(Protocol[T_co]):
    @property
    def session_id(self) -> str | None: ...

    async def apply(self, conn: asyncpg.Connection) -> T_co:
        """Write inside the open transaction, or raise."""


@dataclass(frozen=True, slots=True)
class _Append:
    events: list[StoredEvent]

    @property
    def session_id(self) -> str:
        return self.events[0].session_id

    async def apply(self, conn: asyncpg.Connection) -> None:
        last = await conn.fetchval(
            "UPDATE sessions SET last_seq = last_seq + $2 WHERE id = $1 RETURNING last_seq",
            self.session_id,
            len(self.events),
        )
        if last is None:
            raise StoreError(f"no session {self.session_id!r}")
        if last != self.events[-1].seq:
            raise SequenceConflict(
                f"session {self.session_id!r} is at seq {last - len(self.events)}; "
                f"batch starts at {self.events[0].seq}"
            )
        await conn.execute(_INSERT_EVENTS, *_columns(self.events))


# What a node decides under the session's row lock: the events to store, a refusal (any
# other object: nothing is written), or an int, the seq of a command already stored.
Decider = Callable[[list[StoredEvent], int], object]


@dataclass(frozen=True, slots=True)
class _Decide:
    """A command to decide against the latest log, holding the session's counter row.

    ``SELECT ... FOR UPDATE`` waits for any other node's append to the session to commit,
    then keeps the others waiting until this transaction ends; the events appended since
    the node's own copy (``known``) are read under that lock and handed to ``decide``
    with the locked head, so the decision is made against the latest state and cannot be
    overtaken: contention between nodes costs waiting, never a refusal. The commands of
    one session in one group commit are decided together (``_decide_all``).
    """

    session_id: str
    known: Callable[[], int]  # the last seq the node's deciding state holds
    decide: Decider

    async def apply(self, conn: asyncpg.Connection) -> object:
        return (await _decide_all(conn, self.session_id, [self]))[0]


async def _decide_all(
    conn: asyncpg.Connection, session_id: str, jobs: list[_Decide]
) -> list[object]:
    """Lock the session's row once, catch up once, decide every job in order, then move
    the counter and insert all their events in one statement each."""
    last = await conn.fetchval("SELECT last_seq FROM sessions WHERE id = $1 FOR UPDATE", session_id)
    if last is None:
        raise StoreError(f"no session {session_id!r}")
    outcomes: list[object] = []
    events: list[StoredEvent] = []
    spoilt = False  # a decision failed half-way: the ones after it decide again
    for job in jobs:
        if spoilt:
            outcomes.append(SequenceConflict(f"an earlier decision in {session_id!r} failed"))
            continue
        known = job.known()
        foreign: list[StoredEvent] = []
        if last > known:
            foreign = [_event(row) for row in await conn.fetch(_READ_AFTER, session_id, known)]
        try:
            outcome = job.decide(foreign, last)
        except Exception as error:  # a fault in the rules must not end the node's writer
            log.exception("deciding a command in %s failed", session_id)
            outcomes.append(StoreError(f"deciding failed: {error}"))
            spoilt = True
            continue
        if isinstance(outcome, list) and outcome:
            if outcome[0].seq != last + 1:
                outcomes.append(
                    SequenceConflict(f"{session_id!r} is at {last}; batch at {outcome[0].seq}")
                )
                spoilt = True
                continue
            events.extend(outcome)
            last = outcome[-1].seq
        outcomes.append(outcome)
    if events:
        await conn.execute("UPDATE sessions SET last_seq = $2 WHERE id = $1", session_id, last)
        await conn.execute(_INSERT_EVENTS, *_columns(events))
    return outcomes


@dataclass(frozen=True, slots=True)
class _CreateSession:
    session_id: str
    join_code: str
    created_at: float
    events: list[StoredEvent]

    async def apply(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            "INSERT INTO sessions (id, join_code, created_at, last_seq) VALUES ($1, $2, $3, $4)",
            self.session_id,
            self.join_code,
            self.created_at,
            len(self.events),
        )
        await conn.execute(_INSERT_EVENTS, *_columns(self.events))


@dataclass(frozen=True, slots=True)
class _ImportSession:
    """A session from elsewhere: its row and log as ``_CreateSession``, its photos, its key."""

    whole: WholeSession

    @property
    def session_id(self) -> str:
        return self.whole.session_id

    async def apply(self, conn: asyncpg.Connection) -> None:
        w = self.whole
        await _CreateSession(w.session_id, w.join_code, w.created_at, w.events).apply(conn)
        for photo_id, photo in w.photos.items():
            await conn.execute(
                "INSERT INTO photos (session_id, photo_id, owner, jpeg) VALUES ($1, $2, $3, $4)",
                w.session_id,
                photo_id,
                photo.owner,
                photo.jpeg,
            )
        if w.participant_key is not None:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                session_key_name(w.session_id),
                w.participant_key,
            )


@dataclass(frozen=True, slots=True)
class _Sql:
    """Any other write: statements run in order; the last one's value is the result."""

    session_id: str | None
    statements: tuple[tuple[str, tuple[Any, ...]], ...]

    async def apply(self, conn: asyncpg.Connection) -> Any:
        result: Any = None
        for sql, args in self.statements:
            result = await conn.fetchval(sql, *args)
        return result


@dataclass(slots=True)
class _Pending(Generic[T]):
    job: _Job[T]
    future: asyncio.Future[T]
    number: int  # order of submission, to tell batches decided before a conflict


def _decisions_by_session(group: list[_Pending[Any]]) -> dict[str, list[int]]:
    """Where in the group each session's commands to decide are, in order."""
    found: dict[str, list[int]] = {}
    for index, pending in enumerate(group):
        if isinstance(pending.job, _Decide):
            found.setdefault(pending.job.session_id, []).append(index)
    return found


def _fault(error: BaseException) -> StoreError:
    fault = StoreError(f"storage failed, nothing was written: {error}")
    fault.__cause__ = error
    return fault


class PostgresStore(SharedReads):
    """An EventStore in a PostgreSQL database shared by every node.

    ``commits`` counts committed write transactions, as in the SQLite store.
    """

    def __init__(self, url: str, *, pool_size: int = 4) -> None:
        self.url, self.schema = split_url(url)
        self.pool_size = pool_size
        self.commits = 0
        self._pool: asyncpg.Pool | None = None
        self._writer: asyncpg.Connection | None = None
        self._queue: asyncio.Queue[_Pending[Any] | None] | None = None
        self._task: asyncio.Task[None] | None = None
        self._submitted = 0
        self._stale_before: dict[str, int] = {}  # session: batches numbered below are stale
        # told of a raced session before any caller hears of it (the hub forgets its state,
        # so nothing decided after this moment uses the old one)
        self.conflicted: Callable[[str], None] | None = None

    def _settings(self) -> dict[str, str]:
        return {"search_path": self.schema} if self.schema else {}

    async def _connect(self) -> asyncpg.Connection:
        return await asyncpg.connect(self.url, server_settings=self._settings(), timeout=10)

    async def open(self) -> None:
        if self._task is not None:
            raise RuntimeError("store is already open")
        try:
            conn = await asyncpg.connect(self.url, timeout=10)
            try:
                await migrate(conn, self.schema)
            finally:
                await conn.close()
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=1,
                max_size=self.pool_size,
                server_settings=self._settings(),
                timeout=10,
            )
        except _FAULTS as error:
            raise StoreError(f"cannot open the PostgreSQL store: {error}") from error
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._run_writer(self._queue), name="hostkit-pg-writer")

    async def close(self) -> None:
        """Finish every append already queued, then disconnect."""
        if self._task is None:
            return
        assert self._queue is not None
        self._queue.put_nowait(None)
        await self._task
        self._task = None
        self._queue = None
        if self._writer is not None:
            with contextlib.suppress(*_CONNECTION_FAULTS):
                await self._writer.close()
            self._writer = None
        if self._pool is not None:
            with contextlib.suppress(*_CONNECTION_FAULTS):
                await asyncio.wait_for(self._pool.close(), 10)
            self._pool = None

    async def __aenter__(self) -> PostgresStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- writing ---

    async def create_session(
        self, session_id: str, join_code: str, created_at: float, events: list[StoredEvent]
    ) -> None:
        check_batch(events, session_id)
        if events and events[0].seq != 1:
            raise SequenceConflict(f"a new session's log starts at seq 1, not {events[0].seq}")
        await self._submit(_CreateSession(session_id, join_code, created_at, list(events)))

    async def import_session(self, whole: WholeSession) -> None:
        check_batch(whole.events, whole.session_id)
        if not whole.events or whole.events[0].seq != 1:
            raise SequenceConflict("an imported session's log starts at seq 1")
        await self._submit(_ImportSession(whole))

    async def append(self, events: list[StoredEvent]) -> None:
        if not events:
            return
        check_batch(events, events[0].session_id)
        await self._submit(_Append(list(events)))

    async def append_deciding(
        self, session_id: str, known: Callable[[], int], decide: Decider
    ) -> object:
        """Decide and append in this node's next group commit, under the session's row
        lock (see ``_Decide``); returns what ``decide`` returned, once it is durable."""
        return await self._submit(_Decide(session_id, known, decide))

    async def set_meta_if_absent(self, key: str, value: str) -> str:
        existing = await self.get_meta(key)
        if existing is not None:
            return existing
        stored: str = await self._submit(
            _Sql(
                None,
                (
                    (
                        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                        (key, value),
                    ),
                    ("SELECT value FROM meta WHERE key = $1", (key,)),
                ),
            )
        )
        return stored

    async def delete_session(self, session_id: str) -> bool:
        found = await self._submit(
            _Sql(
                None,
                (
                    ("DELETE FROM photos WHERE session_id = $1", (session_id,)),
                    ("DELETE FROM events WHERE session_id = $1", (session_id,)),
                    ("DELETE FROM meta WHERE key = $1", (session_key_name(session_id),)),
                    (
                        "WITH gone AS (DELETE FROM sessions WHERE id = $1 RETURNING 1) "
                        "SELECT count(*) FROM gone",
                        (session_id,),
                    ),
                ),
            )
        )
        await self._vacuum("events", "photos", "sessions", "meta")
        return bool(found)

    async def redact(self, session_id: str, bodies: dict[int, str]) -> None:
        await self._submit(
            _Sql(
                None,
                tuple(
                    (
                        "UPDATE events SET body = $3 WHERE session_id = $1 AND seq = $2",
                        (session_id, seq, body),
                    )
                    for seq, body in bodies.items()
                ),
            )
        )
        await self._vacuum("events")

    async def put_photo(self, session_id: str, photo_id: str, owner: str, jpeg: bytes) -> None:
        await self._submit(
            _Sql(
                None,
                (
                    (
                        "INSERT INTO photos (session_id, photo_id, owner, jpeg) "
                        "VALUES ($1, $2, $3, $4)",
                        (session_id, photo_id, owner, jpeg),
                    ),
                ),
            )
        )

    async def delete_photos(self, session_id: str, photo_ids: list[str]) -> None:
        await self._submit(
            _Sql(
                None,
                (
                    (
                        "DELETE FROM photos WHERE session_id = $1 AND photo_id = ANY($2::text[])",
                        (session_id, photo_ids),
                    ),
                ),
            )
        )
        await self._vacuum("photos")

    async def _vacuum(self, *tables: str) -> None:
        """Let PostgreSQL reclaim erased rows now rather than whenever autovacuum runs."""
        for table in tables:
            with contextlib.suppress(*_FAULTS):
                await self._pool_conn().execute(f"VACUUM {table}")

    async def _submit(self, job: _Job[T]) -> T:
        if self._queue is None:
            raise StoreError("the store is not open")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._submitted += 1
        self._queue.put_nowait(_Pending(job, future, self._submitted))
        return await future

    async def _run_writer(self, queue: asyncio.Queue[_Pending[Any] | None]) -> None:
        """Take everything queued, commit it as one transaction, resolve in order."""
        stopping = False
        while not stopping:
            group, stopping = await next_group(queue, MAX_GROUP)
            group = [p for p in group if not p.future.done()]
            if group:
                outcomes = await self._commit_group(group)
                self._resolve(group, outcomes)

    def _resolve(self, group: list[_Pending[Any]], outcomes: list[object]) -> None:
        for pending, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, SequenceConflict) and pending.job.session_id is not None:
                # every batch of this session submitted so far was decided on the same state
                self._stale_before[pending.job.session_id] = self._submitted + 1
                if self.conflicted is not None:
                    self.conflicted(pending.job.session_id)
        answer([p.future for p in group], outcomes)

    async def _commit_group(self, group: list[_Pending[Any]]) -> list[object]:
        try:
            if self._writer is None or self._writer.is_closed():
                self._writer = await self._connect()
            conn = self._writer
            outcomes: list[object] = []
            conflicted: set[str] = set()
            async with conn.transaction():
                sessions = sorted({p.job.session_id for p in group if p.job.session_id})
                if len(sessions) > 1:  # rows locked in one order on every node: no deadlock
                    await conn.execute(
                        "SELECT 1 FROM sessions WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE",
                        sessions,
                    )
                together = _decisions_by_session(group)
                done: dict[int, object] = {}
                for index, pending in enumerate(group):
                    if index in done:
                        continue
                    job = pending.job
                    if isinstance(job, _Decide) and len(together[job.session_id]) > 1:
                        indexes = together[job.session_id]
                        jobs = [group[i].job for i in indexes]
                        found = await self._decide_group(conn, job.session_id, jobs)
                        done.update(zip(indexes, found, strict=True))
                    else:
                        done[index] = await self._run_one(conn, pending, conflicted)
                outcomes = [done[index] for index in range(len(group))]
            self.commits += 1
            return outcomes
        except _FAULTS as error:
            log.error("write transaction of %d batches failed: %s", len(group), error)
            await self._drop_writer()
            return [_fault(error) for _ in group]

    async def _decide_group(
        self, conn: asyncpg.Connection, session_id: str, jobs: list[Any]
    ) -> list[object]:
        """Several commands of one session under one savepoint: one refusal of the
        database refuses them all (they were decided one on top of the other)."""
        try:
            async with conn.transaction():
                return await _decide_all(conn, session_id, jobs)
        except StoreError as error:
            refusal: StoreError = error
        except asyncpg.UniqueViolationError as error:
            refusal = _refusal(error, session_id)
        except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as error:
            refusal = StoreError(f"the database cannot take this batch: {error}")
        return [refusal for _ in jobs]

    async def _run_one(
        self, conn: asyncpg.Connection, pending: _Pending[Any], conflicted: set[str]
    ) -> object:
        """Apply one job under its own savepoint; its refusal spares the others."""
        session_id = pending.job.session_id
        decided_here = isinstance(pending.job, _Decide)  # against the latest log: never stale
        if (
            session_id is not None
            and not decided_here
            and (session_id in conflicted or pending.number < self._stale_before.get(session_id, 0))
        ):
            return SequenceConflict(f"session {session_id!r} moved on: decided on an old state")
        try:
            async with conn.transaction():
                return await pending.job.apply(conn)
        except StoreError as error:
            refusal: StoreError = error
        except asyncpg.UniqueViolationError as error:
            refusal = _refusal(error, session_id or "")
        except asyncpg.ForeignKeyViolationError as error:
            refusal = StoreError(f"no session {session_id!r}: {error}")
        except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as error:
            refusal = StoreError(f"the database cannot take this batch: {error}")
        if isinstance(refusal, SequenceConflict) and session_id is not None:
            conflicted.add(session_id)
        return refusal

    async def _drop_writer(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(*_FAULTS):
                await asyncio.wait_for(self._writer.close(), 2)
            self._writer.terminate()
            self._writer = None

    # --- reading ---

    def _pool_conn(self) -> asyncpg.Pool:
        if self._pool is None:
            raise StoreError("the store is not open")
        return self._pool

    async def query(self, sql: str, *args: object) -> list[asyncpg.Record]:
        return await self._fetch(numbered(sql), *args)

    async def _fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        try:
            return list(await self._pool_conn().fetch(sql, *args))
        except _FAULTS as error:
            raise StoreError(f"read failed: {error}") from error

    async def read(
        self, session_id: str, after: int = 0, limit: int | None = None
    ) -> list[StoredEvent]:
        rows = await self._fetch(
            "SELECT session_id, seq, type, at, actor, command_id, body FROM events "
            "WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            session_id,
            after,
            limit,
        )
        return [_event(row) for row in rows]

    async def get_photo(self, session_id: str, photo_id: str) -> Photo | None:
        rows = await self._fetch(
            "SELECT owner, jpeg FROM photos WHERE session_id = $1 AND photo_id = $2",
            session_id,
            photo_id,
        )
        return Photo(str(rows[0][0]), bytes(rows[0][1])) if rows else None

    # --- maintenance ---

    async def check(self) -> list[str]:
        """Problems found in the database, in words; empty if it is sound."""
        try:
            return await self._find_problems()
        except StoreError as error:
            return [f"database unreadable: {error}"]

    async def _find_problems(self) -> list[str]:
        problems: list[str] = []
        version = await self._fetch("SELECT max(version) FROM schema_version")
        if version[0][0] != SCHEMA_VERSION:
            problems.append(f"schema version {version[0][0]}, expected {SCHEMA_VERSION}")
        gaps = await self._fetch(
            "SELECT session_id, prev, seq FROM ("
            " SELECT session_id, seq, lag(seq, 1, 0::bigint) OVER"
            " (PARTITION BY session_id ORDER BY seq) AS prev FROM events) AS numbered"
            " WHERE seq != prev + 1 ORDER BY session_id, seq LIMIT 50"
        )
        problems += [
            f"session {sid!r}: seq jumps from {prev} to {seq} (missing {prev + 1}..{seq - 1})"
            for sid, prev, seq in gaps
        ]
        counters = await self._fetch(
            "SELECT s.id, s.last_seq, coalesce(max(e.seq), 0) FROM sessions s"
            " LEFT JOIN events e ON e.session_id = s.id GROUP BY s.id, s.last_seq"
            " HAVING s.last_seq != coalesce(max(e.seq), 0) ORDER BY s.id LIMIT 50"
        )
        problems += [
            f"session {sid!r}: counter at {last} but the log ends at {head}"
            for sid, last, head in counters
        ]
        bad = []
        async with self._pool_conn().acquire() as conn, conn.transaction():
            async for sid, seq, body in conn.cursor(
                "SELECT session_id, seq, body FROM events ORDER BY session_id, seq"
            ):
                try:
                    json.loads(body)
                except ValueError:
                    bad.append(f"session {sid!r} seq {seq}: body is not valid JSON")
        return problems + bad[:50]


async def migrate(conn: asyncpg.Connection, schema: str | None) -> int:
    """Bring the database's schema to SCHEMA_VERSION; return the version found before.

    Refuses a database made by a newer hostkit rather than guess at its tables.
    """
    await conn.execute("SELECT pg_advisory_lock($1, hashtext($2))", _LOCK_KEY, schema or "")
    try:
        if schema:
            await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            await conn.execute(f'SET search_path TO "{schema}"')
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_version ("
            " version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        found = int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"database schema {found} is newer than this hostkit ({SCHEMA_VERSION})"
            )
        for version in range(found + 1, SCHEMA_VERSION + 1):
            async with conn.transaction():
                for statement in MIGRATIONS[version - 1]:
                    await conn.execute(statement)
                await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", version)
        return found
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1, hashtext($2))", _LOCK_KEY, schema or "")
