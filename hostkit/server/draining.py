"""uvicorn, stopping the way a node behind a proxy should (see hostkit.server.lifecycle):
503 on /healthz from the signal on, its clients served through the drain period, then
the commands in hand answered, the clients closed with 4503, and only then the listener."""

from __future__ import annotations

import gc
import socket
import time
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from hostkit.server.app import stop_gracefully
from hostkit.server.quiet_log import keep_addresses_out
from hostkit.settings import Settings


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, app: Starlette, drain_s: float) -> None:
        super().__init__(config)
        self.app = app
        self.drain_s = drain_s

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Runs as the signal arrives, not on uvicorn's 0.1 s tick: the very next health
        # probe already sees 503.
        state = self.app.state
        state.lifecycle = state.lifecycle.signalled(time.monotonic(), self.drain_s)
        if state.lifecycle.stopping:
            super().handle_exit(sig, frame)
        else:
            self._captured_signals.append(sig)  # re-raised at exit, as uvicorn does

    async def on_tick(self, counter: int) -> bool:
        state = self.app.state
        state.lifecycle = state.lifecycle.ticked(time.monotonic())
        if state.lifecycle.stopping:
            self.should_exit = True
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await stop_gracefully(self.app)
        # uvicorn would close the listener first: keep it open to the end, so that a probe
        # on a new connection gets 503, not a refusal.
        listeners, self.servers = self.servers, []
        try:
            await super().shutdown(sockets)
        finally:
            for listener in listeners:
                listener.close()


def uvicorn_config(app: Starlette, settings: Settings, **overrides: object) -> uvicorn.Config:
    """How hostkit runs under uvicorn; the fan-out benchmark runs exactly this too."""
    options: dict[str, object] = {
        "host": settings.host,
        "port": settings.port,
        "ws_ping_interval": settings.heartbeat_s,
        "ws_ping_timeout": settings.heartbeat_s,
        "ws_max_size": 256 * 1024,
        # No permessage-deflate: with it every connection compresses every frame with
        # its own compressor (a third of the fan-out's CPU, and most of its memory per
        # connection), to save a few hundred bytes per note (bench/README.md has the
        # figures). Pages, snapshots over HTTP and downloads are still gzipped.
        "ws_per_message_deflate": False,
        "log_level": settings.log_level,
        "access_log": False,  # access logs would keep every participant's IP address
        "timeout_graceful_shutdown": 5,
        "backlog": 4096,  # a hall scanning the QR code at once, or thousands online
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)  # type: ignore[arg-type]


def freeze_startup() -> None:
    """Keep what start-up made out of the garbage collector's full collections.

    The modules, routes, templates and catalogues loaded by then (~90,000 objects) live
    as long as the process, yet every full collection walked them and paused the event
    loop for it: 25-90 ms at a time under fan-out (bench/README.md). Frozen, they are
    skipped; anything made later is collected as before.
    """
    gc.collect()
    gc.freeze()


def run(app: Starlette, settings: Settings) -> None:
    """Serve until stopped by SIGTERM or Ctrl+C (a second one ends the drain at once)."""
    server = DrainingServer(uvicorn_config(app, settings), app, settings.drain_s)
    freeze_startup()
    keep_addresses_out()  # after Config: uvicorn configures its loggers there
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl+C after its clean shutdown
        pass
