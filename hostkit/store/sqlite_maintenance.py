"""Offline care of an SQLite store's file: check it, back it up while serving, restore it.

These work on the database file, not the log: they open their own connections and
never go through the store's writer, so a check or a backup runs beside a serving
hostkit, and a restore refuses to run while one has the file open.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import aiosqlite

from hostkit.store.base import EPOCH_KEY, StoreError, new_epoch
from hostkit.store.sqlite import APPLICATION_ID, SCHEMA_VERSION, TABLES, connect_reader

SQLITE_MAGIC = b"SQLite format 3\x00"
REPORT_CAP = 50  # problems listed per kind by check()


async def check(db: Path, busy_timeout: float = 5.0) -> list[str]:
    """Problems found in the file, in words; empty if it is sound."""
    conn = await connect_reader(db, busy_timeout)
    try:
        return await _find_problems(conn)
    except sqlite3.Error as error:
        return [f"database unreadable: {error}"]
    finally:
        await conn.close()


async def backup(db: Path, dest: Path, busy_timeout: float = 5.0) -> None:
    """Write a consistent copy of the database to dest while writes go on.

    SQLite's online backup copies every page in one step inside a single read
    transaction, so the copy is the state after some commit. The copy is made
    beside dest and renamed into place, so dest is never half-written.
    """
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    source = await connect_reader(db, busy_timeout)
    try:
        target = await aiosqlite.connect(partial, isolation_level=None)
        try:
            await source.backup(target)
            await target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            await target.close()
        await asyncio.to_thread(_durable_replace, partial, dest)
    except sqlite3.Error as error:
        raise StoreError(f"backup to {dest} failed: {error}") from error
    finally:
        await source.close()
        partial.unlink(missing_ok=True)


async def _find_problems(conn: aiosqlite.Connection) -> list[str]:
    problems: list[str] = []

    async def rows(sql: str) -> list[Any]:
        return list(await conn.execute_fetchall(sql))

    integrity = [str(r[0]) for r in await rows("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems += [f"integrity: {line}" for line in integrity]
    app_id = (await rows("PRAGMA application_id"))[0][0]
    if app_id != APPLICATION_ID:
        problems.append(f"not marked as a hostkit database (application_id {app_id})")
        return problems

    def capped(kind: str, found: list[str]) -> list[str]:
        if len(found) > REPORT_CAP:
            return [*found[:REPORT_CAP], f"... and {len(found) - REPORT_CAP} more {kind}"]
        return found

    gaps = await rows(
        "SELECT session_id, prev, seq FROM ("
        " SELECT session_id, seq, lag(seq, 1, 0) OVER (PARTITION BY session_id ORDER BY seq)"
        " AS prev FROM events) WHERE seq != prev + 1 ORDER BY session_id, seq"
    )
    problems += capped(
        "gaps",
        [
            f"session {sid!r}: seq jumps from {prev} to {seq} (missing {prev + 1}..{seq - 1})"
            for sid, prev, seq in gaps
        ],
    )
    orphans = await rows(
        "SELECT DISTINCT session_id FROM events"
        " WHERE session_id NOT IN (SELECT id FROM sessions) ORDER BY session_id"
    )
    problems += capped(
        "orphans", [f"session {sid!r}: events without a session row" for (sid,) in orphans]
    )
    bodies = await rows(
        "SELECT session_id, seq, typeof(body) = 'text' FROM events"
        " WHERE typeof(body) != 'text' OR NOT json_valid(body) ORDER BY session_id, seq"
    )
    problems += capped(
        "bad bodies",
        [
            f"session {sid!r} seq {seq}: body is {'not valid JSON' if is_text else 'not text'}"
            for sid, seq, is_text in bodies
        ],
    )
    return problems


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _durable_replace(source: Path, dest: Path) -> None:
    """Move source over dest so that after a crash dest is either old or new, whole."""
    with source.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(source, dest)
    _fsync_dir(dest.parent)


def _validate_copy(candidate: Path) -> None:
    """Raise StoreError unless candidate is a sound hostkit database file."""
    with candidate.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise StoreError("not an SQLite database")
    try:
        conn = sqlite3.connect(candidate, isolation_level=None)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema")}
            if app_id != APPLICATION_ID or not TABLES <= tables:
                raise StoreError("not a hostkit database")
            if version > SCHEMA_VERSION:
                raise StoreError(f"schema {version} is newer than this hostkit ({SCHEMA_VERSION})")
            integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if integrity != ["ok"]:
                raise StoreError("failed its integrity check: " + "; ".join(integrity[:5]))
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StoreError(f"unreadable: {error}") from error


def _quiesce(db: Path) -> None:
    """Fold db's WAL back into it, proving no one else has it open."""
    try:
        conn = sqlite3.connect(db, isolation_level=None, timeout=0)
        try:
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StoreError(f"{db} is in use; stop the server first ({error})") from error
    if mode != "delete":
        raise StoreError(f"{db} is in use; stop the server first")


def restore(backup_file: Path, data_dir_db: Path) -> Path | None:
    """Put a backup in place of the database; the server must be stopped.

    The backup is copied next to the target, checked to be a sound hostkit database,
    and renamed into place. A database already there is kept beside it, renamed
    with a timestamp; its path is returned (None if there was none).
    """
    if not backup_file.is_file():
        raise StoreError(f"no backup file at {backup_file}")
    data_dir_db.parent.mkdir(parents=True, exist_ok=True)
    incoming = data_dir_db.with_name(data_dir_db.name + ".restoring")
    try:
        shutil.copyfile(backup_file, incoming)
        try:
            _validate_copy(incoming)
        except StoreError as error:
            raise StoreError(f"{backup_file} cannot be restored: {error}") from error
        _new_epoch(incoming)
        kept: Path | None = None
        if data_dir_db.exists():
            _quiesce(data_dir_db)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            kept = data_dir_db.with_name(f"{data_dir_db.name}.replaced-{stamp}")
            os.replace(data_dir_db, kept)
        for leftover in ("-wal", "-shm"):  # a stale WAL would be replayed onto the backup
            data_dir_db.with_name(data_dir_db.name + leftover).unlink(missing_ok=True)
        _durable_replace(incoming, data_dir_db)
        return kept
    finally:
        incoming.unlink(missing_ok=True)


def _new_epoch(db: Path) -> None:
    """Give a restored database a new epoch, so clients that saw the log as it was after
    the backup learn that it went back (see docs/protocol.md, welcome)."""
    try:
        conn = sqlite3.connect(db, isolation_level=None)
        try:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (EPOCH_KEY, new_epoch()),
            )
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise StoreError(f"could not mark the restored copy: {error}") from error
