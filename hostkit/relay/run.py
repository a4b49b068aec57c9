"""``hostkit relay``: a hostkit for the hall's phones, relaying its venue to the server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette

from hostkit.domain.model import SessionState
from hostkit.joining.qr import qr_terminal
from hostkit.joining.tokens import TokenSigner
from hostkit.relay.hall import Hall, RelayHub
from hostkit.relay.link import Upstream
from hostkit.relay.outbox import Outbox
from hostkit.relay.uplink import Uplink
from hostkit.server.app import create_app
from hostkit.server.context import Context
from hostkit.sessions import projector_of
from hostkit.settings import Settings
from hostkit.store.sqlite import SqliteStore


def hall_text(base: str, signer: TokenSigner, state: SessionState) -> str:
    """A hall laptop's links: the hall's projector, and the room link its QR code encodes."""
    lines = [f"Hall laptop for “{state.title}”"]
    if (screen := projector_of(state)) is not None:
        key = signer.participant_token(state.id, screen, state.participants[screen].nonce)
        lines.append(f"  Hall projector: {base}/s/{state.id}/projector?key={key}")
    room = f"{base}/j/{state.join_code}/room"
    lines += [f"  Room link: {room}   join code: {state.join_code}", qr_terminal(room)]
    return "\n".join(lines)


def relay_app(settings: Settings, upstream: Upstream) -> Starlette:
    """The same app as ``hostkit serve``, with the hall's hub and the link to the server."""

    @contextlib.asynccontextmanager
    async def relaying(ctx: Context) -> AsyncIterator[None]:
        if not isinstance(ctx.store, SqliteStore) or not isinstance(ctx.hub, RelayHub):
            raise RuntimeError("a hall laptop keeps its copy in SQLite (--data)")
        outbox = Outbox(settings.data_dir)
        hall = Hall(upstream.session_id, ctx.hub, ctx.store, outbox, lambda: list(ctx.connections))
        ctx.greeting = hall.greeting

        async def copied() -> None:  # the hall's links, now that there is a session to join
            live = await ctx.hub.live(upstream.session_id)
            if live is not None:
                print(hall_text(ctx.base_url, ctx.signer, live.committed), flush=True)

        hall.copied = copied
        link = asyncio.create_task(Uplink(upstream, hall, settings.heartbeat_s).run())
        try:
            yield
        finally:
            link.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await link
            outbox.close()

    return create_app(settings, hub_class=RelayHub, extend=relaying)
