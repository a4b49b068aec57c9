"""A client that never loses what it was asked to send, like web/static/live.js.

It keeps an outbox of unacknowledged commands under stable ids, reconnects on its own
with a backoff, resumes with its last sequence number and resends the whole outbox
with the same ids; the server applies each id once however often it arrives.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import websockets

from hostkit.live.protocol import CLOSE_SHUTTING_DOWN


@dataclass
class OutboxClient:
    ws_url: str  # ws://host:port
    session_id: str
    token: str
    name: str
    heartbeat_s: float | None = 5.0
    rcvbuf: int | None = None  # a small receive buffer, to stall sooner
    outbox: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> command, in order
    sent: list[str] = field(default_factory=list)  # every id ever posted, in order
    acked: dict[str, int] = field(default_factory=dict)  # id -> seq of its first event
    duplicate_acks: int = 0
    rejected: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    last_seq: int = 0
    epoch: str | None = (
        None  # the welcome's: a new one (a restored or rebased log) means a snapshot
    )
    closes: list[tuple[int | None, str]] = field(default_factory=list)  # (code, reason)
    alerts: list[dict[str, Any]] = field(default_factory=list)  # hosts: e.g. storage_failed
    snapshots: int = 0
    gaps: list[tuple[int, int]] = field(default_factory=list)
    arrived_at: dict[str, float] = field(default_factory=dict)  # command id -> monotonic
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    on_message: Callable[[dict[str, Any]], None] | None = None
    ws: Any = None
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _task: asyncio.Task[None] | None = None
    _closing: bool = False
    _counter: int = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self._closing = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def post(self, text: str) -> str:
        """Queue a note in the outbox and send it if connected; returns its command id."""
        self._counter += 1
        command_id = f"{self.name}-{self._counter}"
        command = {"type": "post_contribution", "kind": "note", "text": text}
        self.outbox[command_id] = command
        self.sent.append(command_id)
        if self.connected.is_set():
            asyncio.create_task(self._transmit(command_id, command))  # noqa: RUF006
        return command_id

    def send_now(self, command: dict[str, Any], command_id: str) -> None:
        self.outbox[command_id] = command
        self.sent.append(command_id)
        if self.connected.is_set():
            asyncio.create_task(self._transmit(command_id, command))  # noqa: RUF006

    def resend(self) -> None:
        """Send the whole outbox again, same ids (as a phone does after a storage error)."""
        for command_id, command in list(self.outbox.items()):
            asyncio.create_task(self._transmit(command_id, command))  # noqa: RUF006

    async def _transmit(self, command_id: str, command: dict[str, Any]) -> None:
        message = json.dumps({"type": "command", "id": command_id, "command": command})
        with contextlib.suppress(websockets.ConnectionClosed, AttributeError):
            await self.ws.send(message)

    async def _connect(self) -> Any:
        url = f"{self.ws_url}/api/sessions/{self.session_id}/live"
        options: dict[str, Any] = {
            "ping_interval": self.heartbeat_s,
            "ping_timeout": self.heartbeat_s,
            "open_timeout": 5,
            "close_timeout": min(2.0, self.heartbeat_s or 2.0),
            "max_size": None,
        }
        if self.rcvbuf is not None:
            host, port = url.split("//")[1].split("/")[0].split(":")
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
            options["sock"] = sock
        return await websockets.connect(url, **options)

    async def _run(self) -> None:
        delay = 0.05
        while not self._closing:
            try:
                self.ws = await self._connect()
            except (OSError, websockets.InvalidHandshake, TimeoutError):
                await asyncio.sleep(delay)  # reconnect backoff, as a phone would
                delay = min(delay * 2, 0.5)
                continue
            delay = 0.05
            try:
                hello = {"type": "hello", "token": self.token, "last_seq": self.last_seq}
                if self.epoch is not None:
                    hello["epoch"] = self.epoch
                await self.ws.send(json.dumps(hello))
                async for raw in self.ws:
                    self._receive(json.loads(raw))
            except websockets.ConnectionClosed:
                pass
            finally:
                self.connected.clear()
                rcvd = self.ws.protocol.close_rcvd
                self.closes.append((rcvd.code, rcvd.reason) if rcvd else (None, "no close frame"))
                self._changed.set()
            if self.closes[-1][0] == CLOSE_SHUTTING_DOWN:
                await asyncio.sleep(random.uniform(0.05, 0.5))  # jitter, as live.js does

    def _receive(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "welcome":
            self.epoch = message.get("epoch")
            self.connected.set()
            for command_id, command in list(self.outbox.items()):  # resend, same ids, in order
                asyncio.create_task(self._transmit(command_id, command))  # noqa: RUF006
        elif kind == "events":
            now = time.monotonic()
            for event in message["events"]:
                if event["seq"] <= self.last_seq:
                    continue
                if event["seq"] != self.last_seq + 1:
                    self.gaps.append((self.last_seq, event["seq"]))
                self.events.append(event)
                self.last_seq = event["seq"]
                if event.get("command_id"):
                    self.arrived_at[event["command_id"]] = now
        elif kind == "snapshot":
            self.snapshots += 1
            self.last_seq = message["state"]["seq"]
        elif kind == "ack":
            if message["duplicate"]:
                self.duplicate_acks += 1
            self.acked.setdefault(message["id"], message["seq"])
            self.outbox.pop(message["id"], None)
        elif kind == "rejected":
            self.rejected[message["id"]] = message
            if message["code"] != "storage_failed":
                self.outbox.pop(message["id"], None)
        elif kind == "alert":
            self.alerts.append(message)
        if self.on_message is not None:
            self.on_message(message)
        self._changed.set()

    async def wait_for(self, predicate: Callable[[OutboxClient], object], within: float) -> None:
        async with asyncio.timeout(within):
            while not predicate(self):
                self._changed.clear()
                await self._changed.wait()

    async def caught_up(self, head: int, within: float) -> None:
        """Wait until this client has seen the log up to ``head``."""
        await self.wait_for(lambda c: c.last_seq >= head, within)

    async def answered(self, command_id: str, within: float, *, acked: bool = False) -> None:
        """Wait for the server's answer to a command (only an ack, with ``acked``)."""
        await self.wait_for(
            lambda c: command_id in c.acked or (not acked and command_id in c.rejected), within
        )

    def log(self) -> list[tuple[int, str, str | None]]:
        return [(e["seq"], e["type"], e.get("command_id")) for e in self.events]
