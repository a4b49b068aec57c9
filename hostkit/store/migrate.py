"""Move every session of an SQLite data directory into a PostgreSQL store.

Each session goes over whole in one transaction: its row and join code, every event
with its own seq (so resume points, acknowledgements and retention choices hold), and
its photos. The signing secret and the admin nonce go first and must match whatever
the target already has: they are what makes the links people were sent keep working.
A session the target already has with the same log is left alone, so a migration
interrupted halfway can be run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hostkit.store.base import StoreError
from hostkit.store.postgresql import PostgresStore
from hostkit.store.sqlite import DB_NAME, SqliteStore


@dataclass(frozen=True, slots=True)
class Moved:
    sessions: int
    events: int
    photos: int
    skipped: int  # already in the target with the same log


async def migrate(
    source_dir: Path, target_url: str, report: Callable[[str], None] = lambda _: None
) -> Moved:
    db = source_dir / DB_NAME
    if not db.is_file():
        raise StoreError(f"no hostkit database at {db}")
    sessions = events = photos = skipped = 0
    async with SqliteStore(db) as source, PostgresStore(target_url) as target:
        for key, value in (await source.meta()).items():
            if await target.set_meta_if_absent(key, value) != value:
                raise StoreError(
                    f"the target already has a different {key!r}: it belongs to another "
                    "hostkit; migrate into an empty database"
                )
        for session_id, join_code, created_at in await source.list_sessions():
            log = await source.read(session_id)
            if await target.session_exists(session_id):
                if await target.read(session_id) != log:
                    raise StoreError(f"the target has a different session {session_id!r}")
                skipped += 1
                continue
            found = {p: await source.get_photo(session_id, p) for p in source.photo_ids(session_id)}
            kept = {p: photo for p, photo in found.items() if photo is not None}
            await target.create_session(session_id, join_code, created_at, log)
            for photo_id, photo in kept.items():
                await target.put_photo(session_id, photo_id, photo.owner, photo.jpeg)
            sessions, events, photos = sessions + 1, events + len(log), photos + len(kept)
            report(f"moved session {session_id}: {len(log)} events, {len(kept)} photos")
    return Moved(sessions, events, photos, skipped)
