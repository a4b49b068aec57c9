"""``hostkit relay``: a hostkit for the hall's phones, relaying its venue to the server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from hostkit.relay.hall import Hall, RelayHub
from hostkit.relay.link import Upstream
from hostkit.relay.outbox import Outbox
from hostkit.relay.uplink import Uplink
from hostkit.server.app import create_app
from hostkit.server.context import Context
from hostkit.settings import Settings
from hostkit.store.sqlite import SqliteStore


def relay_app(settings: Settings, upstream: Upstream) -> Starlette:
    """The same app as ``hostkit serve``, with the hall's hub and the link to the server."""

    @contextlib.asynccontextmanager
    async def relaying(ctx: Context) -> AsyncIterator[None]:
        if not isinstance(ctx.store, SqliteStore) or not isinstance(ctx.hub, RelayHub):
            raise RuntimeError("a hall laptop keeps its copy in SQLite (--data)")
        outbox = Outbox(settings.data_dir)
        hall = Hall(upstream.session_id, ctx.hub, ctx.store, outbox, lambda: list(ctx.connections))
        ctx.greeting = hall.greeting
        link = asyncio.create_task(Uplink(upstream, hall, settings.heartbeat_s).run())
        try:
            yield
        finally:
            link.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await link
            outbox.close()

    return create_app(settings, hub_class=RelayHub, extend=relaying)
