"""Which event store a URL names: ``sqlite://DIR`` (the default) or ``postgresql://...``."""

from __future__ import annotations

from pathlib import Path

from hostkit.store.base import EventStore, StoreError
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


def store_for(url: str) -> EventStore:
    """The store a URL names, not yet opened; an SQLite data directory is created."""
    directory = sqlite_dir(url)
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)
        return SqliteStore(directory / DB_NAME)
    if is_postgresql(url):
        raise UnknownStore("the PostgreSQL store is not part of this version of hostkit yet")
    raise UnknownStore(
        f"unknown store {url!r}: use sqlite:///DIR or postgresql://USER@HOST/DATABASE"
    )
