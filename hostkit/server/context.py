"""Everything a request handler needs, opened in the app's lifespan and kept on app.state."""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from starlette.templating import Jinja2Templates

from hostkit.domain.model import SessionState
from hostkit.fanout.base import Fanout
from hostkit.joining.tokens import TokenSigner
from hostkit.live.hub import Hub
from hostkit.server.alerts import Alerts
from hostkit.server.limits import Guard
from hostkit.server.rooms import Rooms
from hostkit.settings import Settings
from hostkit.store.base import EventStore


@dataclass(eq=False)
class Context:
    settings: Settings
    store: EventStore
    fanout: Fanout
    hub: Hub
    signer: TokenSigner
    base_url: str
    templates: Jinja2Templates
    connections: set[Any] = field(default_factory=set)
    guard: Guard = field(default_factory=Guard)
    alerts: Alerts = field(default_factory=Alerts)
    # a hall laptop's word on what its hall has not yet shared, sent after each welcome
    greeting: Callable[[str], dict[str, Any] | None] | None = None

    @cached_property
    def node(self) -> str | None:
        """This node's name, when several nodes share the store (the admin page's drain)."""
        if self.settings.bus == "memory":
            return None
        return f"{socket.gethostname()}:{self.settings.port}"

    @cached_property
    def rooms(self) -> Rooms:
        """The live connections of each session, one fan-out subscription per session."""

        def committed(session_id: str) -> SessionState | None:
            live = self.hub.loaded(session_id)
            return live.committed if live is not None else None

        return Rooms(self.fanout, committed)
