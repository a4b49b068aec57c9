"""The hall laptop's link to the server: catch up, say hello, forward, copy; and again.

Each time the link comes up: copy what the server committed since (HTTP ``events``, never
a snapshot for a relay), say hello with the venue link's token, then at once copy every
event the server sends and forward the outbox in order, one command at a time, each
answered before the next goes. When the outbox is empty and the hall decided things
offline, the hall's copy is rebased on the server's log and the link starts again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import httpx
import msgspec
import websockets

from hostkit.relay.hall import Hall
from hostkit.relay.link import Upstream
from hostkit.relay.outbox import Item
from hostkit.store.base import StoredEvent, StoreError

log = logging.getLogger("hostkit.relay")

RETRY_S = (0.2, 5.0)  # back-off between attempts: from, to
BUSY_S = 2.0  # the server could not store or asked us to slow down: try this again after


class WireEvent(msgspec.Struct):
    seq: int
    type: str
    at: float
    actor: str | None
    command_id: str | None
    data: msgspec.Raw  # the event's body exactly as the server stored it


class Incoming(msgspec.Struct):
    """Any server message, with only the fields a relay reads."""

    type: str
    events: list[WireEvent] = []
    id: str | None = None
    seq: int | None = None
    code: str | None = None
    message: str | None = None
    server_time: float | None = None
    participant_id: str | None = None


_decode = msgspec.json.Decoder(Incoming).decode


class Again(Exception):
    """Start the link again (a gap, a snapshot, a rebase done)."""


class Refused(Exception):
    """The server refused the venue link (revoked, or another session's)."""


def stored(session_id: str, event: WireEvent) -> StoredEvent:
    return StoredEvent(
        session_id,
        event.seq,
        event.type,
        event.at,
        event.actor,
        event.command_id,
        bytes(event.data).decode(),
    )


class Uplink:
    def __init__(self, upstream: Upstream, hall: Hall, heartbeat_s: float) -> None:
        self.upstream, self.hall, self.heartbeat_s = upstream, hall, heartbeat_s
        self.pending: dict[str, asyncio.Future[Incoming]] = {}
        # how long to wait for the server to answer at all: a silent line is given up on as
        # soon as the heartbeat would give it up, so the hall is back soon after the line
        self.patience_s = 2.0 + 2 * heartbeat_s

    async def run(self) -> None:
        """Keep the link up for as long as the laptop runs."""
        delay = RETRY_S[0]
        while True:
            try:
                await self.once()
                delay = RETRY_S[0]
            except Refused as error:
                log.warning("the server refused this hall laptop link: %s", error)
                delay = RETRY_S[1]
            except (
                OSError,
                TimeoutError,
                Again,
                StoreError,
                httpx.HTTPError,
                websockets.WebSocketException,
                msgspec.DecodeError,
            ) as error:
                log.info("link to the server: %r", error)
            finally:
                self.hall.connected.clear()
                self.hall.disconnected.set()
                for future in self.pending.values():
                    future.cancel()
                self.pending.clear()
                await self.hall.tell_phones()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_S[1])

    async def fetch_after(self, after: int) -> list[StoredEvent]:
        """Every event the server committed after ``after``, page by page."""
        found: list[StoredEvent] = []
        headers = {"Authorization": f"Bearer {self.upstream.token}"}
        async with httpx.AsyncClient(timeout=self.patience_s) as http:
            while True:
                answer = await http.get(
                    self.upstream.events_url, params={"after": after}, headers=headers
                )
                if answer.status_code in (401, 404):
                    raise Refused(answer.text)
                answer.raise_for_status()
                message = _decode(answer.content)
                if message.type != "events":
                    raise Again(f"expected events, got {message.type}")
                if not message.events:
                    return found
                found += [stored(self.upstream.session_id, e) for e in message.events]
                after = found[-1].seq

    async def once(self) -> None:
        hall = self.hall
        if not await hall.hall_only():
            caught_up = await self.fetch_after(hall.shared_head)
            if caught_up and not await hall.take(caught_up):
                raise Again("the copy and the server's log do not follow on")
        async with websockets.connect(
            self.upstream.ws_url,
            ping_interval=self.heartbeat_s,
            ping_timeout=self.heartbeat_s,
            open_timeout=self.patience_s,
            close_timeout=self.heartbeat_s,
            max_size=None,
        ) as ws:
            hello = {"type": "hello", "token": self.upstream.token, "last_seq": hall.shared_head}
            await ws.send(json.dumps(hello))
            welcome = _decode(await ws.recv())
            if welcome.type != "welcome":
                raise Refused(welcome.message or welcome.type)
            if welcome.server_time is not None:
                hall.set_offset(welcome.server_time)
            await self.know_venue(welcome.participant_id)
            hall.disconnected.clear()
            hall.connected.set()
            await hall.tell_phones()
            tasks = [asyncio.create_task(self.read(ws)), asyncio.create_task(self.forward(ws))]
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(BaseException):
                        await task
            for task in done:
                if (failure := task.exception()) is not None:
                    raise failure

    async def know_venue(self, relay_id: str | None) -> None:
        live = await self.hall.hub.live(self.hall.session_id)
        me = live.committed.participants.get(relay_id or "") if live is not None else None
        if me is None or me.role != "relay":
            raise Refused("this link is not a hall laptop link")
        if me.cell_id != self.hall.cell_id:
            self.hall.know_relay(me.cell_id)

    async def read(self, ws: websockets.ClientConnection) -> None:
        hall = self.hall
        async for raw in ws:
            message = _decode(raw)
            if message.type == "events":
                events = [stored(self.upstream.session_id, e) for e in message.events]
                if not await hall.take(events):
                    raise Again("a gap in the server's events")
            elif message.type == "snapshot" and not await hall.hall_only():
                raise Again("too far behind: catch up by events")
            elif message.type in ("ack", "rejected") and message.id is not None:
                future = self.pending.pop(message.id, None)
                if future is not None and not future.done():
                    future.set_result(message)
            elif message.type == "pong" and message.server_time is not None:
                hall.set_offset(message.server_time)
            elif message.type == "error":
                log.warning("the server did not understand: %s", message.message)

    async def forward(self, ws: websockets.ClientConnection) -> None:
        """The outbox in order, each command answered before the next goes."""
        hall = self.hall
        while True:
            hall.wake.clear()
            item = hall.outbox.next_queued()
            if item is None:
                if await hall.hall_only():
                    await hall.rebase(await self.fetch_after(hall.shared_head))
                    raise Again("rebased on the server's log")
                await hall.wake.wait()
                continue
            item = await hall.seat_as_here(item)  # a hall round: as the hall seated it
            reply = await self.send(ws, item)
            if reply.type == "rejected" and reply.code in ("storage_failed", "rate_limited"):
                await asyncio.sleep(BUSY_S)
                continue
            hall.settle(item, msgspec.to_builtins(reply))

    async def send(self, ws: websockets.ClientConnection, item: Item) -> Incoming:
        message = {"type": "command", "id": item.command_id, "command": self.hall.upward(item)}
        if item.actor:
            message["on_behalf_of"] = item.actor
        future: asyncio.Future[Incoming] = asyncio.get_running_loop().create_future()
        self.pending[item.command_id] = future
        self.hall.outbox.sent(item.n)
        await ws.send(json.dumps(message))
        return await future
