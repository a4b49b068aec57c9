"""The SQLite event store: one file, WAL, group commit, safe for a second process.

Writes go through a single writer task that owns the only write connection of this
process. Concurrent ``append`` calls are queued; the writer takes everything queued,
runs it as ONE transaction (a SAVEPOINT per batch, so a rejected batch leaves the
others intact), commits once and resolves the callers' futures in the order they
queued. One fsync thus acknowledges many appends.

The writer runs each whole transaction as a single call on its own thread, with the
plain ``sqlite3`` module. aiosqlite would hop threads once per statement, and on a
fast disk such a hop costs about as much as the commit itself, which would eat the
gain of group commit. Reads use aiosqlite. Checks, backups and restores, which
work on the file rather than the log, live in ``sqlite_maintenance``.

Another process (the ``hostkit`` CLI) may write the same file: every write
transaction starts with ``BEGIN IMMEDIATE`` under a busy timeout, and each batch is
validated against the log as it is inside that transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

import aiosqlite

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
from hostkit.store.reads import SharedReads

log = logging.getLogger(__name__)

DB_NAME = "hostkit.db"
APPLICATION_ID = 0x484B4954  # "HKIT" in the SQLite header: marks the file as ours
SCHEMA_VERSION = 1
_FILE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")  # session and photo ids as file names
MAX_GROUP = 512  # batches per transaction; bounds one commit's latency

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        id TEXT PRIMARY KEY NOT NULL,
        join_code TEXT UNIQUE NOT NULL,
        created_at REAL NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS events (
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at REAL NOT NULL,
        actor TEXT,
        command_id TEXT,
        body TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
    ) WITHOUT ROWID""",
    """CREATE UNIQUE INDEX IF NOT EXISTS events_command
        ON events (session_id, actor, command_id) WHERE command_id IS NOT NULL""",
    """CREATE TABLE IF NOT EXISTS meta (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
    )""",
)
TABLES = frozenset({"sessions", "events", "meta"})
_EVENT_COLUMNS = "session_id, seq, type, at, actor, command_id, body"
_INSERT_EVENT = "INSERT INTO events (session_id, seq, type, at, actor, command_id, body) " + (
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SELECT_EVENTS = (
    "SELECT session_id, seq, type, at, actor, command_id, body FROM events "
    "WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?"
)

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


# --- the writer's side: plain sqlite3, run on the writer thread ---------------------


class _Heads:
    """Each touched session's head as seen inside the current write transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._known: dict[str, int | None] = {}  # None: no such session

    def get(self, session_id: str) -> int | None:
        if session_id not in self._known:
            exists, head = self._conn.execute(
                "SELECT (SELECT 1 FROM sessions WHERE id = ?), "
                "(SELECT max(seq) FROM events WHERE session_id = ?)",
                (session_id, session_id),
            ).fetchone()
            self._known[session_id] = (head or 0) if exists else None
        return self._known[session_id]

    def set(self, session_id: str, head: int) -> None:
        self._known[session_id] = head

    def forget(self, session_id: str) -> None:
        self._known[session_id] = None


class _Job(Protocol[T_co]):
    def apply(self, conn: sqlite3.Connection, heads: _Heads) -> T_co:
        """Write inside the open transaction, or raise StoreError / IntegrityError."""

    def rejection(self, error: sqlite3.IntegrityError) -> StoreError:
        """What a constraint violation means for this job."""


def _event_rejection(error: sqlite3.IntegrityError) -> StoreError:
    """Name the constraint an event insert broke."""
    message = str(error)
    if "events.command_id" in message:
        return DuplicateCommand(f"command already stored: {message}")
    if "events.seq" in message:
        return SequenceConflict(f"seq already stored: {message}")
    return StoreError(f"the database refused the events: {message}")


def _rows(events: Sequence[StoredEvent]) -> list[tuple[Any, ...]]:
    return [(e.session_id, e.seq, e.type, e.at, e.actor, e.command_id, e.body) for e in events]


@dataclass(frozen=True, slots=True)
class _Append:
    events: list[StoredEvent]

    def apply(self, conn: sqlite3.Connection, heads: _Heads) -> None:
        session_id = self.events[0].session_id
        head = heads.get(session_id)
        if head is None:
            raise StoreError(f"no session {session_id!r}")
        if self.events[0].seq != head + 1:
            raise SequenceConflict(
                f"session {session_id!r} is at seq {head}; batch starts at {self.events[0].seq}"
            )
        conn.executemany(_INSERT_EVENT, _rows(self.events))
        heads.set(session_id, self.events[-1].seq)

    def rejection(self, error: sqlite3.IntegrityError) -> StoreError:
        return _event_rejection(error)


@dataclass(frozen=True, slots=True)
class _CreateSession:
    session_id: str
    join_code: str
    created_at: float
    events: list[StoredEvent]

    def apply(self, conn: sqlite3.Connection, heads: _Heads) -> None:
        if heads.get(self.session_id) is not None:
            raise SequenceConflict(f"session {self.session_id!r} already exists")
        conn.execute(
            "INSERT INTO sessions (id, join_code, created_at) VALUES (?, ?, ?)",
            (self.session_id, self.join_code, self.created_at),
        )
        conn.executemany(_INSERT_EVENT, _rows(self.events))
        heads.set(self.session_id, len(self.events))

    def rejection(self, error: sqlite3.IntegrityError) -> StoreError:
        if "sessions.join_code" in str(error):
            return JoinCodeTaken(f"join code {self.join_code!r} is taken")
        if "sessions.id" in str(error):
            return SequenceConflict(f"session {self.session_id!r} already exists")
        return _event_rejection(error)


@dataclass(frozen=True, slots=True)
class _ImportSession:
    """A session from elsewhere: created as ``_CreateSession`` does, with its links' key."""

    whole: WholeSession

    @property
    def _create(self) -> _CreateSession:
        w = self.whole
        return _CreateSession(w.session_id, w.join_code, w.created_at, w.events)

    def apply(self, conn: sqlite3.Connection, heads: _Heads) -> None:
        self._create.apply(conn, heads)
        if self.whole.participant_key is not None:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (session_key_name(self.whole.session_id), self.whole.participant_key),
            )

    def rejection(self, error: sqlite3.IntegrityError) -> StoreError:
        return self._create.rejection(error)


@dataclass(frozen=True, slots=True)
class _SetMetaIfAbsent:
    key: str
    value: str

    def apply(self, conn: sqlite3.Connection, heads: _Heads) -> str:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
            (self.key, self.value),
        )
        stored: str = conn.execute("SELECT value FROM meta WHERE key = ?", (self.key,)).fetchone()[
            0
        ]
        return stored

    def rejection(self, error: sqlite3.IntegrityError) -> StoreError:
        return StoreError(f"could not store meta {self.key!r}: {error}")


def _connect(
    path: Path, busy_timeout: float, *, check_same_thread: bool = True
) -> sqlite3.Connection:
    """A connection that leaves transactions to us and waits for other writers."""
    conn = sqlite3.connect(
        path, isolation_level=None, timeout=busy_timeout, check_same_thread=check_same_thread
    )
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    return conn


def _prepare_schema(conn: sqlite3.Connection) -> None:
    """Create the schema in a fresh file; refuse a file that is not a hostkit db."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        if app_id == 0 and not tables:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif app_id != APPLICATION_ID or not TABLES <= tables:
            raise StoreError("the file is not a hostkit database")
        elif version > SCHEMA_VERSION:
            raise StoreError(
                f"database schema {version} is newer than this hostkit ({SCHEMA_VERSION})"
            )
        conn.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise


# Errors that condemn one batch (refused, bad values, broken constraints), not the storage.
_BATCH_REJECTIONS: tuple[type[Exception], ...] = (
    StoreError,
    sqlite3.IntegrityError,
    sqlite3.DataError,
    sqlite3.ProgrammingError,
    sqlite3.InterfaceError,
    OverflowError,
)


@dataclass(frozen=True, slots=True)
class _GroupResult:
    committed: bool
    outcomes: list[object]  # per job, in order: its result or its StoreError


@dataclass(frozen=True, slots=True)
class _DeleteSession:
    session_id: str

    def apply(self, conn: sqlite3.Connection, heads: _Heads) -> bool:
        conn.execute("DELETE FROM events WHERE session_id = ?", (self.session_id,))
        conn.execute("DELETE FROM meta WHERE key = ?", (session_key_name(self.session_id),))
        gone = conn.execute("DELETE FROM sessions WHERE id = ?", (self.session_id,)).rowcount
        heads.forget(self.session_id)
        return bool(gone)

    def rejection(self, error: sqlite3.IntegrityError) -> StoreError:
        return StoreError(f"could not delete session {self.session_id!r}: {error}")


@dataclass(frozen=True, slots=True)
class _Rebase:
    session_id: str
    base: int
    events: list[StoredEvent]

    def apply(self, conn: sqlite3.Connection, heads: _Heads) -> None:
        conn.execute(
            "DELETE FROM events WHERE session_id = ? AND seq > ?", (self.session_id, self.base)
        )
        conn.executemany(_INSERT_EVENT, _rows(self.events))
        heads.set(self.session_id, self.base + len(self.events))

    def rejection(self, error: sqlite3.IntegrityError) -> StoreError:
        return _event_rejection(error)


@dataclass(frozen=True, slots=True)
class _Redact:
    session_id: str
    bodies: dict[int, str]

    def apply(self, conn: sqlite3.Connection, heads: _Heads) -> None:
        conn.executemany(
            "UPDATE events SET body = ? WHERE session_id = ? AND seq = ?",
            [(body, self.session_id, seq) for seq, body in self.bodies.items()],
        )

    def rejection(self, error: sqlite3.IntegrityError) -> StoreError:
        return StoreError(f"could not redact events of {self.session_id!r}: {error}")


class _Writer:
    """The write connection and what runs on it; lives on the writer thread only."""

    def __init__(self, path: Path, busy_timeout: float) -> None:
        self._path = path
        self._busy_timeout = busy_timeout
        self._conn: sqlite3.Connection | None = None

    def open(self) -> None:
        conn = self._fresh_connection()
        try:
            _prepare_schema(conn)
        except BaseException:
            conn.close()
            raise
        self._conn = conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _fresh_connection(self) -> sqlite3.Connection:
        conn = _connect(self._path, self._busy_timeout)
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise StoreError(f"could not switch {self._path} to WAL (got {mode!r})")
            conn.execute("PRAGMA synchronous = FULL")
            # deleted rows are overwritten with zeros, so erased text is not left in free pages
            conn.execute("PRAGMA secure_delete = ON")
        except BaseException:
            conn.close()
            raise
        return conn

    def checkpoint(self) -> None:
        """Copy the WAL into the database and truncate it, so no old page lingers there."""
        if self._conn is not None:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def commit_group(self, jobs: Sequence[_Job[object]]) -> _GroupResult:
        """Run every job in one transaction; a storage fault fails them all."""
        try:
            if self._conn is None:
                self._conn = self._fresh_connection()
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            log.warning("cannot start a write transaction: %s", error)
            return _GroupResult(False, [_fault(error) for _ in jobs])
        heads = _Heads(conn)
        try:
            outcomes = [self._run_one(conn, job, heads) for job in jobs]
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            log.error("write transaction of %d batches failed: %s", len(jobs), error)
            self._abandon_transaction(conn)
            return _GroupResult(False, [_fault(error) for _ in jobs])
        except BaseException:
            self._abandon_transaction(conn)  # never leave the next group inside this one
            raise
        return _GroupResult(True, outcomes)

    @staticmethod
    def _run_one(conn: sqlite3.Connection, job: _Job[object], heads: _Heads) -> object:
        """Apply one job under its own savepoint; its rejection spares the others."""
        conn.execute("SAVEPOINT batch")
        try:
            result = job.apply(conn, heads)
        except _BATCH_REJECTIONS as error:
            conn.execute("ROLLBACK TO batch")
            conn.execute("RELEASE batch")
            if isinstance(error, StoreError):
                return error
            if isinstance(error, sqlite3.IntegrityError):
                return job.rejection(error)
            return StoreError(f"the database cannot take this batch: {error}")
        conn.execute("RELEASE batch")
        return result

    def _abandon_transaction(self, conn: sqlite3.Connection) -> None:
        """Roll back; if even that fails, drop the connection and reconnect next time."""
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
            self._conn = None


def _fault(error: sqlite3.Error) -> StoreError:
    fault = StoreError(f"storage failed, nothing was written: {error}")
    fault.__cause__ = error
    return fault


# --- the async side -----------------------------------------------------------------


async def connect_reader(path: Path, busy_timeout: float = 5.0) -> aiosqlite.Connection:
    """A read-only aiosqlite connection: it cannot write even by mistake."""
    conn = await aiosqlite.connect(path, isolation_level=None, timeout=busy_timeout)
    try:
        await conn.execute("PRAGMA query_only = 1")
    except BaseException:
        await conn.close()
        raise
    return conn


@dataclass(slots=True)
class _Pending(Generic[T]):
    job: _Job[T]
    future: asyncio.Future[T]


def _event(row: Any) -> StoredEvent:
    return StoredEvent(*row)


class SqliteStore(SharedReads):
    """An EventStore in one SQLite file.

    ``commits`` counts committed write transactions; with concurrent appends it
    stays well below the number of appends, which is the point of group commit.
    """

    def __init__(self, path: Path, *, busy_timeout: float = 5.0) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self.commits = 0
        self._writer = _Writer(path, busy_timeout)
        self._executor: ThreadPoolExecutor | None = None
        self._reader: aiosqlite.Connection | None = None
        self._queue: asyncio.Queue[_Pending[Any] | None] | None = None
        self._writer_task: asyncio.Task[None] | None = None
        self._accepting = False

    async def __aenter__(self) -> SqliteStore:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def open(self) -> None:
        if self._executor is not None:
            raise RuntimeError("store is already open")
        loop = asyncio.get_running_loop()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="hostkit-writer")
        try:
            await loop.run_in_executor(self._executor, self._writer.open)
            self._reader = await connect_reader(self.path, self.busy_timeout)
        except BaseException as error:
            await self._shutdown_connections()
            if isinstance(error, sqlite3.Error):
                raise StoreError(f"cannot open {self.path}: {error}") from error
            raise
        self._queue = asyncio.Queue()
        self._writer_task = asyncio.create_task(
            self._run_writer(self._queue), name="hostkit-store-writer"
        )
        self._accepting = True

    async def close(self) -> None:
        """Finish every append already queued, then release the file."""
        if self._writer_task is None:
            return
        self._accepting = False
        if self._queue is not None:
            self._queue.put_nowait(None)
        await self._writer_task
        self._writer_task = None
        self._queue = None
        await self._shutdown_connections()

    async def _shutdown_connections(self) -> None:
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        if self._executor is not None:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._writer.close)
            self._executor.shutdown(wait=True)
            self._executor = None

    # --- writing ---

    async def create_session(
        self, session_id: str, join_code: str, created_at: float, events: list[StoredEvent]
    ) -> None:
        """Register a session and its first events (seq 1, 2, ...) in one transaction.

        Raises JoinCodeTaken if the code is in use, SequenceConflict if the session
        id already exists.
        """
        check_batch(events, session_id)
        if events and events[0].seq != 1:
            raise SequenceConflict(f"a new session's log starts at seq 1, not {events[0].seq}")
        await self._submit(_CreateSession(session_id, join_code, created_at, list(events)))

    async def import_session(self, whole: WholeSession) -> None:
        """Write the photo files, then the session, its log and key in one transaction;
        if that is refused, the files written are removed again. Never overwrites a file."""
        check_batch(whole.events, whole.session_id)
        if not whole.events or whole.events[0].seq != 1:
            raise SequenceConflict("an imported session's log starts at seq 1")
        if await self.session_exists(whole.session_id):
            raise SequenceConflict(f"session {whole.session_id!r} already exists")
        written: list[Path] = []
        try:
            for photo_id, photo in whole.photos.items():
                for suffix, data in ((".jpg", photo.jpeg), (".owner", photo.owner.encode())):
                    target = self._photo_file(whole.session_id, photo_id, suffix)
                    if target.exists():
                        raise StoreError(f"a photo file is already at {target}")
                    await asyncio.to_thread(_write_file, target, data)
                    written.append(target)
            await self._submit(_ImportSession(whole))
        except BaseException as error:
            for target in written:
                target.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise StoreError(f"could not keep the photos: {error}") from error
            raise

    async def append(self, events: list[StoredEvent]) -> None:
        """Durably append events of one existing session, continuing its log exactly.

        Raises SequenceConflict if the first seq is not head + 1 (counting batches
        queued before this one), DuplicateCommand if a command id is already stored,
        and StoreError for an unknown session or a storage fault. Once queued, a batch
        is written even if the caller is cancelled while waiting, unless it was
        cancelled before the writer took it up.
        """
        if not events:
            return
        check_batch(events, events[0].session_id)
        await self._submit(_Append(list(events)))

    async def set_meta_if_absent(self, key: str, value: str) -> str:
        """Store value under key unless one exists; return whichever is stored.

        Stored values never change, so one found by a plain read is the answer and
        no write transaction is needed.
        """
        existing = await self.get_meta(key)
        if existing is not None:
            return existing
        return await self._submit(_SetMetaIfAbsent(key, value))

    async def _submit(self, job: _Job[T]) -> T:
        if not self._accepting or self._queue is None:
            raise StoreError("the store is not open")
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Pending(job, future))
        return await future

    async def _run_writer(self, queue: asyncio.Queue[_Pending[Any] | None]) -> None:
        """Take everything queued, commit it as one transaction, resolve in order."""
        loop = asyncio.get_running_loop()
        stopping = False
        while not stopping:
            group, stopping = await next_group(queue, MAX_GROUP)
            group = [p for p in group if not p.future.done()]  # drop batches whose caller left
            if not group:
                continue
            try:
                result = await loop.run_in_executor(
                    self._executor, self._writer.commit_group, [p.job for p in group]
                )
            except asyncio.CancelledError:
                for pending in group:
                    pending.future.cancel()
                raise
            except Exception as error:  # the writer must outlive any single failure
                log.exception("writer failed unexpectedly")
                result = _GroupResult(False, [StoreError(f"writer failed: {error}") for _ in group])
            if result.committed:
                self.commits += 1
            answer([p.future for p in group], result.outcomes)

    # --- photos: files beside the database, ``photos/<session>/<id>.jpg`` and ``.owner`` ---

    def _photo_dir(self, session_id: str) -> Path:
        return self.path.parent / "photos" / session_id

    def _photo_file(self, session_id: str, photo_id: str, suffix: str) -> Path:
        """The file of a photo; ids that could step out of the folder name no file."""
        if not (_FILE_NAME.fullmatch(session_id) and _FILE_NAME.fullmatch(photo_id)):
            raise FileNotFoundError(photo_id)
        return self._photo_dir(session_id) / f"{photo_id}{suffix}"

    async def put_photo(self, session_id: str, photo_id: str, owner: str, jpeg: bytes) -> None:
        try:
            jpeg_file = self._photo_file(session_id, photo_id, ".jpg")
            await asyncio.to_thread(_write_file, jpeg_file, jpeg)
            owner_file = self._photo_file(session_id, photo_id, ".owner")
            await asyncio.to_thread(_write_file, owner_file, owner.encode())
        except OSError as error:
            raise StoreError(f"could not keep the photo: {error}") from error

    async def get_photo(self, session_id: str, photo_id: str) -> Photo | None:
        try:
            owner_file = self._photo_file(session_id, photo_id, ".owner")
            owner = await asyncio.to_thread(owner_file.read_text, "utf-8")
            jpeg = await asyncio.to_thread(
                self._photo_file(session_id, photo_id, ".jpg").read_bytes
            )
        except OSError:
            return None
        return Photo(owner, jpeg)

    def photo_ids(self, session_id: str) -> list[str]:
        """The ids of a session's stored photos (for ``hostkit migrate``)."""
        try:
            folder = self._photo_dir(session_id)
            return sorted(p.stem for p in folder.glob("*.jpg") if _FILE_NAME.fullmatch(p.stem))
        except OSError:
            return []

    async def meta(self) -> dict[str, str]:
        """Every stored secret by key (for ``hostkit migrate``)."""
        rows = await self._fetch("SELECT key, value FROM meta ORDER BY key")
        return {str(k): str(v) for k, v in rows}

    async def delete_photos(self, session_id: str, photo_ids: list[str]) -> None:
        for photo_id in photo_ids:
            with contextlib.suppress(FileNotFoundError):
                self._photo_file(session_id, photo_id, ".jpg").unlink(missing_ok=True)
                self._photo_file(session_id, photo_id, ".owner").unlink(missing_ok=True)

    async def delete_session(self, session_id: str) -> bool:
        """Erase a session's rows (zeroed by secure_delete), then truncate the WAL."""
        found = await self._submit(_DeleteSession(session_id))
        await asyncio.to_thread(shutil.rmtree, self._photo_dir(session_id), True)
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._writer.checkpoint)
        except sqlite3.Error as error:
            raise StoreError(f"could not checkpoint after deleting: {error}") from error
        return found

    async def rebase(self, session_id: str, base: int, events: list[StoredEvent]) -> None:
        """Replace every event after ``base`` by ``events``, in one transaction.

        Only a hall laptop (hostkit.relay) does this: its hall-only events, decided while
        the server could not be reached, give way to the server's log once it has them.
        """
        check_batch(events, session_id)
        if events and events[0].seq != base + 1:
            raise SequenceConflict(f"events after {base} must begin at {base + 1}")
        await self._submit(_Rebase(session_id, base, list(events)))

    async def redact(self, session_id: str, bodies: dict[int, str]) -> None:
        """Overwrite the bodies of some events (a withdrawn contribution's words) on disk."""
        await self._submit(_Redact(session_id, dict(bodies)))
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._writer.checkpoint)
        except sqlite3.Error as error:
            raise StoreError(f"could not checkpoint after redacting: {error}") from error

    # --- reading ---

    def _read_conn(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise StoreError("the store is not open")
        return self._reader

    async def query(self, sql: str, *args: object) -> list[Any]:
        return await self._fetch(sql, args)

    async def _fetch(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        try:
            return list(await self._read_conn().execute_fetchall(sql, params))
        except sqlite3.Error as error:
            raise StoreError(f"read failed: {error}") from error

    async def read(
        self, session_id: str, after: int = 0, limit: int | None = None
    ) -> list[StoredEvent]:
        rows = await self._fetch(
            _SELECT_EVENTS, (session_id, after, -1 if limit is None else limit)
        )
        return [_event(row) for row in rows]


# --- files --------------------------------------------------------------------------


def _write_file(path: Path, data: bytes) -> None:
    """Write a file whole and on disk (file and folder synced) before anyone is told of it:
    a photo's id is handed out, or a hall laptop tells its phone, only once it is kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def open_store(data_dir: Path) -> SqliteStore:
    """The store of a data directory (not yet opened); creates the directory."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteStore(data_dir / DB_NAME)
