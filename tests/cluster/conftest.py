"""Three real hostkit nodes on their own PostgreSQL database and the shared Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.cluster.nodes import Cluster
from tests.redis_support import need_redis


@pytest.fixture
async def cluster(tmp_path: Path, pg_url: str) -> AsyncIterator[Cluster]:
    nodes = Cluster(tmp_path, pg_url, need_redis())
    try:
        await nodes.start()
        yield nodes
    finally:
        nodes.stop()
