from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.browser import browser
from tests.harness import Server, running_server
from tests.postgres import fresh_schema

__all__ = ["browser"]


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    async with running_server(tmp_path / "data") as running:
        yield running


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A PostgreSQL store URL with a schema of its own (see tests/postgres.py)."""
    async for url in fresh_schema():
        yield url
