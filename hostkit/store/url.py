"""Which event store a URL names: ``sqlite://DIR`` (the default) or ``postgresql://...``."""

from __future__ import annotations

from pathlib import Path

from hostkit.store import sqlite_maintenance
from hostkit.store.base import EventStore, StoreError
from hostkit.store.postgresql import PostgresStore
from hostkit.store.sqlite import DB_NAME, SqliteStore


class UnknownStore(StoreError):
    """The URL names no store engine hostkit has."""


def sqlite_dir(url: str) -> Path | None:
    """The data directory of an SQLite store URL (``sqlite:///srv/hostkit`` is /srv/hostkit)."""
    if url.startswith("sqlite://"):
        return Path(url.removeprefix("sqlite://") or ".")
    return None


def is_postgresql(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


async def check(url: str) -> list[str]:
    """Problems found in the store a URL names, in words; empty if it is sound."""
    directory = sqlite_dir(url)
    if directory is not None:
        db = directory / DB_NAME
        if not db.is_file():
            return [f"no hostkit database at {db}"]
        return await sqlite_maintenance.check(db)
    async with PostgresStore(url) as store:
        return await store.check()


def store_for(url: str) -> EventStore:
    """The store a URL names, not yet opened; an SQLite data directory is created."""
    directory = sqlite_dir(url)
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        return SqliteStore(directory / DB_NAME)
    if is_postgresql(url):
        return PostgresStore(url)
    raise UnknownStore(
        f"unknown store {url!r}: use sqlite:///DIR or postgresql://USER@HOST/DATABASE"
    )
