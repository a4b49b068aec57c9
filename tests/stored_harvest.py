"""Read a finished test session's harvest from its data directory, as `hostkit export` does."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hostkit.domain.model import Attribution
from hostkit.export.harvest import Harvest, no_photos, photos_in, read_harvest
from hostkit.store.sqlite import open_store


def stored_harvest(
    data: Path,
    session_id: str,
    mode: Attribution | None = None,
    *,
    with_photos: bool = False,
    language: str | None = None,
) -> Harvest:
    async def read() -> Harvest:
        store = open_store(data)
        await store.open()
        try:
            photos = photos_in(data / "photos" / session_id) if with_photos else no_photos
            found = await read_harvest(store, session_id, mode, photos, language=language)
        finally:
            await store.close()
        assert found is not None
        return found

    return asyncio.run(read())
