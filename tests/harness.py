"""Test harness: a real hostkit server on a loopback port, and real clients to drive it.

``running_server`` starts uvicorn in the test's event loop with a fresh SQLite data
directory; ``Person`` joins through the real join form and talks over a real WebSocket
(or the HTTP fallback), so tests read as what people do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
import websockets

from hostkit.server.app import create_app
from hostkit.server.draining import uvicorn_config
from hostkit.sessions import SessionLinks, admin_url, create_session
from hostkit.settings import Settings
from hostkit.store.url import store_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OnLoopback:
    """A process of a test's own, listening on a loopback port."""

    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"


@dataclass
class Server:
    url: str  # where tests reach it (loopback)
    public_url: str  # what links and QR codes carry
    data_dir: Path
    settings: Settings

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://")

    async def new_session(self, format_id: str = "world-cafe", **kwargs: Any) -> SessionLinks:
        """Create a session the way `hostkit new` does: through its own store connection."""
        store = store_for(self.settings.store_url)
        await store.open()
        try:
            return await create_session(
                store,
                base=self.public_url,
                title=kwargs.pop("title", "Village hall"),
                format_id=format_id,
                **kwargs,
            )
        finally:
            await store.close()

    async def admin_link(self) -> str:
        """The admin link `hostkit serve` prints, rewritten to reach this test server."""
        store = store_for(self.settings.store_url)
        await store.open()
        try:
            return self.local(await admin_url(store, self.public_url))
        finally:
            await store.close()

    def local(self, link: str) -> str:
        """A link as handed to people, rewritten to reach this test server."""
        return link.replace(self.public_url, self.url)


@contextlib.asynccontextmanager
async def running_server(data_dir: Path, **overrides: Any) -> AsyncIterator[Server]:
    port = free_port()
    public = f"http://hall.test:{port}"
    settings = Settings(
        data_dir=data_dir, host="127.0.0.1", port=port, public_url=public, **overrides
    )
    # uvicorn as `hostkit serve` configures it (no permessage-deflate, frames written
    # straight to the socket); a failing test's teardown is still bounded by its
    # graceful-shutdown timeout
    config = uvicorn_config(create_app(settings), settings, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield Server(f"http://127.0.0.1:{port}", public, data_dir, settings)
    finally:
        server.should_exit = True
        await task


@dataclass
class Person:
    """Someone in a session: their identity token, and optionally a live socket."""

    server: Server
    session_id: str
    token: str
    participant_id: str = ""
    last_seq: int = 0
    seen: list[dict[str, Any]] = field(default_factory=list)  # events, in arrival order
    inbox: list[dict[str, Any]] = field(default_factory=list)  # every other message
    ws: Any = None
    _reader: asyncio.Task[None] | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def join(cls, server: Server, link: str, name: str | None = "Alex") -> Person:
        """Open a room/remote/table link and submit the join form, as a phone would."""
        async with httpx.AsyncClient(follow_redirects=False) as http:
            form = {"name": name} if name else {"anonymous": "yes"}
            response = await http.post(server.local(link), data=form)
            assert response.status_code == 303, response.text
            session_id = response.headers["location"].split("/s/")[1].split("?")[0]
            token = response.cookies[f"hk_{session_id}"]
        return cls(server, session_id, token)

    @classmethod
    def from_link(cls, server: Server, link: str) -> Person:
        """A host or projector, whose secret link carries the token."""
        session_id = link.split("/s/")[1].split("/")[0]
        return cls(server, session_id, link.split("key=")[1])

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def connect(
        self, last_seq: int | None = None, epoch: str | None = None
    ) -> dict[str, Any]:
        """Open the live socket and say hello; returns the welcome message."""
        url = f"{self.server.ws_url}/api/sessions/{self.session_id}/live"
        self.ws = await websockets.connect(url)
        hello = {
            "type": "hello",
            "token": self.token,
            "last_seq": self.last_seq if last_seq is None else last_seq,
        }
        if epoch is not None:
            hello["epoch"] = epoch
        await self.ws.send(json.dumps(hello))
        welcome: dict[str, Any] = json.loads(await self.ws.recv())
        assert welcome["type"] == "welcome", welcome
        self.participant_id = welcome["participant_id"]
        self._reader = asyncio.create_task(self._read())
        return welcome

    async def _read(self) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in self.ws:
                message = json.loads(raw)
                if message["type"] == "events":
                    for event in message["events"]:
                        self.seen.append(event)
                        self.last_seq = event["seq"]
                elif message["type"] == "snapshot":
                    self.last_seq = message["state"]["seq"]
                    self.inbox.append(message)
                else:
                    self.inbox.append(message)
                self._arrived.set()

    async def disconnect(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await self._reader
        self.ws = None

    async def wait_for(self, predicate: Any, within: float = 5.0) -> Any:
        """Wait until predicate(self) is truthy, woken by each arriving message."""
        async with asyncio.timeout(within):
            while not (result := predicate(self)):
                self._arrived.clear()
                await self._arrived.wait()
            return result

    async def send(
        self, command: dict[str, Any], command_id: str | None = None, on_behalf_of: str = ""
    ) -> dict[str, Any]:
        """Send a command on the socket and wait for its ack or rejection (``on_behalf_of``:
        a hall laptop forwarding a phone's command)."""
        command_id = command_id or uuid.uuid4().hex
        message = {"type": "command", "id": command_id, "command": command}
        if on_behalf_of:
            message["on_behalf_of"] = on_behalf_of
        await self.ws.send(json.dumps(message))
        reply: dict[str, Any] = await self.wait_for(
            lambda p: next(
                (
                    m
                    for m in p.inbox
                    if m.get("id") == command_id and m["type"] in ("ack", "rejected")
                ),
                None,
            )
        )
        return reply

    async def post(self, command: dict[str, Any], command_id: str | None = None) -> httpx.Response:
        """Send a command through the HTTP fallback."""
        async with httpx.AsyncClient() as http:
            return await http.post(
                f"{self.server.url}/api/sessions/{self.session_id}/commands",
                json={"id": command_id or uuid.uuid4().hex, "command": command},
                headers=self.headers,
            )

    async def snapshot(self) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.get(
                f"{self.server.url}/api/sessions/{self.session_id}/snapshot", headers=self.headers
            )
            response.raise_for_status()
            return dict(response.json()["state"])

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.seen if e["type"] == kind]


def note(text: str) -> dict[str, Any]:
    """The command a phone sends to add a note."""
    return {"type": "post_contribution", "kind": "note", "text": text}


async def open_first_phase(server: Server, links: SessionLinks) -> Person:
    """Connect the host and open the first phase, so that notes can be posted."""
    host = Person.from_link(server, links.host_url)
    await host.connect()
    phase = (await host.snapshot())["phases"][0]["id"]
    opened = {"type": "open_phase", "phase_id": phase, "seat": False, "timer": False}
    assert (await host.send(opened))["type"] == "ack"
    return host
