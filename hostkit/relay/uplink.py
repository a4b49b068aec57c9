"""The hall laptop's link to the server: catch up, say hello, forward, copy; and again.

Each time the link comes up: copy what the server committed since (HTTP ``events``, never
a snapshot for a relay), say hello with the venue link's token, then at once copy every
event the server sends and forward the outbox in order, one command at a time, each
answered before the next goes. When the outbox is empty and the hall decided things
offline, the hall's copy is rebased on the server's log and the link starts again.

Photos go by HTTP beside the log. A hall photo is uploaded just before the first command
that posts it (as its phone, under the id the hall knows it by: sent again, the server
answers that it has it). A photo posted elsewhere is fetched from the server before the
event that shows it is copied, so the hall's pages show it as the server's do.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re

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
PHOTO_S = 120.0  # a photo is megabytes on a hall's weak line: this long to send or fetch one
_PHOTO = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # a photo id names a file: nothing else
UNKNOWN_PHOTO = "Upload the photo first: that is not a photo you sent."


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
BUSY = Incoming("busy")  # the server asked the laptop to wait (rate, storage): again soon


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

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.upstream.token}"}

    def http(self, timeout: float | None = None) -> httpx.AsyncClient:
        patience = self.patience_s
        return httpx.AsyncClient(
            timeout=httpx.Timeout(patience, read=timeout or patience, write=timeout or patience)
        )

    async def fetch_after(self, after: int) -> list[StoredEvent]:
        """Every event the server committed after ``after``, page by page, and their photos."""
        found: list[StoredEvent] = []
        async with self.http() as http:
            while True:
                answer = await http.get(
                    self.upstream.events_url, params={"after": after}, headers=self.headers
                )
                if answer.status_code in (401, 404):
                    raise Refused(answer.text)
                answer.raise_for_status()
                message = _decode(answer.content)
                if message.type != "events":
                    raise Again(f"expected events, got {message.type}")
                if not message.events:
                    break
                found += [stored(self.upstream.session_id, e) for e in message.events]
                after = found[-1].seq
        await self.fetch_photos(found)
        return found

    async def fetch_photos(self, events: list[StoredEvent]) -> None:
        """The photos these events show that the hall does not have yet, from the server."""
        store, sid = self.hall.store, self.upstream.session_id
        wanted: dict[str, str] = {}
        for event in events:
            if event.type == "contribution_posted":
                body = json.loads(event.body)
                if isinstance(photo_id := body.get("photo_id"), str) and _PHOTO.match(photo_id):
                    wanted[photo_id] = str(body.get("author_id") or "")
        missing = {p: who for p, who in wanted.items() if await store.get_photo(sid, p) is None}
        if not missing:
            return
        async with self.http(PHOTO_S) as http:
            for photo_id, author in missing.items():
                answer = await http.get(self.upstream.photo_url(photo_id), headers=self.headers)
                if answer.status_code == 404:  # withdrawn since: the event shows none either
                    continue
                if answer.status_code == 401:
                    raise Refused(answer.text)
                answer.raise_for_status()
                if answer.headers.get("content-type") != "image/jpeg":
                    raise Again(f"the server's photo {photo_id} is not a JPEG")
                await store.put_photo(sid, photo_id, author, answer.content)

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
                if not await hall.hall_only():
                    await self.fetch_photos(events)
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
            refused = await self.photo_first(item)
            if refused is BUSY:
                await asyncio.sleep(BUSY_S)
                continue
            item = await hall.seat_as_here(item)  # a hall round: as the hall seated it
            reply = refused or await self.send(ws, item)
            if reply.type == "rejected" and reply.code in ("storage_failed", "rate_limited"):
                await asyncio.sleep(BUSY_S)
                continue
            hall.settle(item, msgspec.to_builtins(reply))

    async def photo_first(self, item: Item) -> Incoming | None:
        """Upload the photo this command posts, if the server does not have it yet.

        None when the command may go; BUSY to try again shortly; else the refusal the
        command gets instead (the server would refuse it too, for want of its photo).
        """
        command = json.loads(item.command)
        photo_id = command.get("photo_id") if command.get("type") == "post_contribution" else None
        if not isinstance(photo_id, str) or not item.actor:
            return None
        outbox, sid = self.hall.outbox, self.upstream.session_id
        if outbox.photo_shared(photo_id):
            return None
        photo = await self.hall.store.get_photo(sid, photo_id)
        if photo is None or photo.owner != item.actor:
            return Incoming("rejected", id=item.command_id, code="unknown_photo",
                            message=UNKNOWN_PHOTO)  # fmt: skip
        async with self.http(PHOTO_S) as http:
            answer = await http.post(
                self.upstream.photos_url,
                headers=self.headers,
                data={"on_behalf_of": item.actor, "photo_id": photo_id},
                files={"photo": (f"{photo_id}.jpg", photo.jpeg, "image/jpeg")},
            )
        if answer.status_code in (429, 503):
            return BUSY
        if answer.status_code == 401:
            raise Refused(answer.text)
        if answer.status_code >= 500:
            answer.raise_for_status()
        if answer.status_code != 200:
            try:
                refusal = _decode(answer.content)
            except msgspec.DecodeError:
                refusal = Incoming("error", code="unknown_photo", message=UNKNOWN_PHOTO)
            log.warning("the server refused photo %s: %s", photo_id, refusal.message)
            # one of the protocol's rejection codes (the photo is not there), the server's why
            return Incoming("rejected", id=item.command_id, code="unknown_photo",
                            message=refusal.message or UNKNOWN_PHOTO)  # fmt: skip
        outbox.share_photo(photo_id, item.actor)
        return None

    async def send(self, ws: websockets.ClientConnection, item: Item) -> Incoming:
        message = {"type": "command", "id": item.command_id, "command": self.hall.upward(item)}
        if item.actor:
            message["on_behalf_of"] = item.actor
        future: asyncio.Future[Incoming] = asyncio.get_running_loop().create_future()
        self.pending[item.command_id] = future
        self.hall.outbox.sent(item.n)
        await ws.send(json.dumps(message))
        return await future
