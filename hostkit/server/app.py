"""The Starlette application: routes, and the resources opened in its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import sys
from collections.abc import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket

from hostkit import i18n
from hostkit.assets import asset_dir
from hostkit.domain.commands import MAX_TEXT
from hostkit.fanout.url import fanout_for
from hostkit.joining.address import base_url
from hostkit.live.hub import Hub
from hostkit.live.protocol import CLOSE_SHUTTING_DOWN
from hostkit.server import admin, api, downloads, hosting, node_admin, openapi, pages, photos
from hostkit.server.alerts import Alerts
from hostkit.server.context import Context
from hostkit.server.headers import SameOriginPosts, SecurityHeaders
from hostkit.server.lifecycle import Lifecycle
from hostkit.server.limits import Guard
from hostkit.server.websocket import live_socket
from hostkit.server.wire import SEND_KEY
from hostkit.sessions import signer_for
from hostkit.settings import Settings
from hostkit.store.base import EPOCH_KEY, new_epoch
from hostkit.store.postgresql import PostgresStore
from hostkit.store.url import store_for
from hostkit.text.markdown import markup

log = logging.getLogger("hostkit")


async def stop_gracefully(app: Starlette, grace: float = 3.0) -> None:
    """Finish the commands in hand, then ask every live client to reconnect (close 4503).

    Runs before uvicorn's own shutdown, which would otherwise close sockets with a bare
    1012 while acknowledgements are still on their way.
    """
    app.state.lifecycle = app.state.lifecycle.signalled(0.0, drain_s=0)
    ctx: Context | None = getattr(app.state, "ctx", None)
    if ctx is None:
        return
    await ctx.hub.stop_accepting(grace)

    async def close(ws: WebSocket) -> None:
        with contextlib.suppress(Exception):
            await ws.close(CLOSE_SHUTTING_DOWN, "Server restarting: reconnect shortly.")

    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(grace):
            await asyncio.gather(*(close(ws) for ws in list(ctx.connections)))


async def renew(guard: Guard, every: float = 5.0) -> None:
    """Keep this node's connections counted in a shared cap (see limits.SharedConnections)."""
    while True:
        await guard.renew()
        await asyncio.sleep(every)


Extension = Callable[[Context], contextlib.AbstractAsyncContextManager[None]]


SWITCH_INTERVAL_S = 0.0005
LIVE_PATH = re.compile(r"/api/sessions/(?P<session_id>[^/]+)/live")


class HostkitApp(Starlette):
    """Starlette, with the live socket taken before the middleware: none of it acts on a
    WebSocket, and thousands of sockets stay open, each keeping every layer's frame
    alive. The socket also gets the server's own send, to write shared frames with."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and (match := LIVE_PATH.fullmatch(scope["path"])):
            scope["app"] = self
            scope["path_params"] = {"session_id": match["session_id"]}
            scope[SEND_KEY] = send
            await live_socket(WebSocket(scope, receive, send))
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings, *, hub_class: type[Hub] = Hub, extend: Extension | None = None
) -> Starlette:
    """The app; a hall laptop (hostkit.relay) brings its own hub and runs beside it."""
    templates = Jinja2Templates(directory=str(asset_dir("web") / "templates"))
    i18n.install(templates.env)
    templates.env.globals["max_text"] = MAX_TEXT  # every text box stops where the rules do
    templates.env.filters["markdown"] = markup  # contributions: the subset the exports read

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # The store's writer thread (and aiosqlite's reader) need the GIL for a moment
        # between each step of a commit; while the loop is busy fanning out a batch they
        # would wait up to the default 5 ms for it each time. 0.5 ms cut the commit's
        # p50 from 4.7 to 1.2 ms under fan-out load (bench/README.md).
        sys.setswitchinterval(SWITCH_INTERVAL_S)
        store = store_for(settings.store_url)
        await store.open()
        epoch = await store.set_meta_if_absent(EPOCH_KEY, new_epoch())
        fanout = fanout_for(settings.bus, store)
        await fanout.start()
        shared = settings.bus if settings.bus != "memory" else None  # counts across nodes
        guard = Guard(
            commands_per_participant=settings.command_rate,
            joins_per_session=settings.join_rate,
            max_connections_per_session=settings.max_connections,
            shared=shared,
        )
        renewing = asyncio.create_task(renew(guard)) if shared else None
        alerts = Alerts()
        hub = hub_class(
            store=store,
            fanout=fanout,
            admit=guard.admit,
            storage_failed=alerts.storage_failed,
            epoch=epoch,
        )
        if isinstance(store, PostgresStore):
            store.conflicted = hub.forget  # another node moved the session on: read it again
        base = base_url(host=settings.host, port=settings.port, public_url=settings.public_url)
        ctx = Context(settings, store, fanout, hub, await signer_for(store), base, templates)
        ctx.guard, ctx.alerts = guard, alerts
        app.state.ctx = ctx
        try:
            if extend is None:
                yield
            else:
                async with extend(ctx):
                    yield
        finally:
            app.state.lifecycle = app.state.lifecycle.signalled(0.0, drain_s=0)
            hub.accepting = False
            for ws in list(ctx.connections):
                with contextlib.suppress(Exception):
                    await ws.close(CLOSE_SHUTTING_DOWN, "Server restarting: reconnect shortly.")
            if renewing is not None:
                renewing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewing
            await guard.close()
            await fanout.close()
            await store.close()

    sid = "{session_id:str}"
    routes = [
        Route("/", pages.landing),
        Route("/healthz", api.healthz),
        Route("/sw.js", pages.service_worker),
        Route("/lang/{lang:str}", pages.set_language),
        Route("/join", pages.join_by_code, methods=["GET", "POST"]),
        Route("/j/{code:str}/{where:str}", pages.join, methods=["GET", "POST"]),
        Route("/admin", admin.admin, methods=["GET", "POST"]),
        Route("/admin/drain", node_admin.drain, methods=["POST"]),
        Route(f"/s/{sid}", pages.participant_page),
        Route(f"/s/{sid}/act", pages.act, methods=["POST"]),
        Route(f"/s/{sid}/photos", photos.upload_photo, methods=["POST"]),
        Route(f"/s/{sid}/photos/{{photo_id:str}}", photos.get_photo),
        Route(f"/s/{sid}/host/rotate", hosting.rotate_link, methods=["POST"]),
        Route(f"/s/{sid}/host/delete", hosting.delete_session, methods=["POST"]),
        Route(f"/s/{sid}/host", pages.host_page),
        Route(f"/s/{sid}/host/{{page:str}}", pages.host_page),
        Route(f"/s/{sid}/projector", pages.projector_page),
        Route(f"/s/{sid}/cards", pages.table_cards),
        Route(f"/s/{sid}/relay", pages.venue_link),
        Route(f"/s/{sid}/qr/room.{{ext:str}}", pages.qr_code),
        Route(f"/s/{sid}/qr/table/{{group_id:str}}.{{ext:str}}", pages.qr_code),
        Route(f"/s/{sid}/export/{{format:str}}", downloads.export),
        Route(f"/s/{sid}/publish", downloads.publish, methods=["POST"]),
        Route(f"/d/{sid}/{{link:str}}", downloads.published),
        Route(f"/d/{sid}/{{link:str}}/respond", downloads.respond, methods=["POST"]),
        Route(f"/d/{sid}/{{link:str}}/{{variant:str}}", downloads.published),
        Route("/api/openapi.json", openapi.openapi_json),
        Route(f"/api/sessions/{sid}/events", api.get_events),
        Route(f"/api/sessions/{sid}/snapshot", api.get_snapshot),
        Route(f"/api/sessions/{sid}/commands", api.post_command, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(asset_dir("web") / "static")), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(SameOriginPosts),
        Middleware(GZipMiddleware, minimum_size=500),
    ]
    app = HostkitApp(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.catalogues = i18n.Catalogues.load(asset_dir("locale"))
    app.state.lifecycle = Lifecycle()  # swapped by the signal handler and stop_gracefully
    return app
