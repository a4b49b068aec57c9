"""The live WebSocket: hello, catch-up, then events as they are committed.

After the hello the server subscribes first and reads the backlog second, then skips
anything it already sent, so the client sees every event once and in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from hostkit import i18n
from hostkit.domain.rejections import Rejection
from hostkit.live import protocol, waiting
from hostkit.live.admission import Refusal, admit
from hostkit.live.hub import Hub, Kept, Live, ShuttingDown, StorageFailed, storage_failed
from hostkit.live.outgoing import Outgoing
from hostkit.live.protocol import (
    CLOSE_FORBIDDEN_ORIGIN,
    CLOSE_SHUTTING_DOWN,
    CLOSE_TOO_MANY,
    CLOSE_TOO_SLOW,
    CLOSE_UNAUTHORISED,
)
from hostkit.live.resumption import catch_up_by
from hostkit.live.subscription import Subscription
from hostkit.live.view import snapshot
from hostkit.server.auth import claim_of
from hostkit.server.context import Context
from hostkit.server.wire import Wire, text_frame
from hostkit.store.base import StoredEvent, StoreError

log = logging.getLogger(__name__)

_HOSTS = frozenset({"host", "cell_host"})  # told at once when the server cannot store


def same_origin(ws: WebSocket, base_url: str) -> bool:
    """A browser's Origin must be this server (as reached, or its public URL)."""
    origin = ws.headers.get("origin")
    if origin is None:  # not a browser: the token in the hello is the whole proof
        return True
    scheme = "https" if ws.url.scheme == "wss" else "http"
    here = f"{scheme}://{ws.headers.get('host', '')}"
    return origin.rstrip("/") in (here, base_url.rstrip("/"))


class Connection:
    __slots__ = (
        "ctx",
        "ended_by",
        "last_sent",
        "live",
        "main",
        "nonce",
        "participant_id",
        "pumping",
        "send_lock",
        "session_id",
        "subscription",
        "wire",
        "ws",
    )

    def __init__(self, ws: WebSocket, ctx: Context, session_id: str) -> None:
        self.ws, self.ctx, self.session_id = ws, ctx, session_id
        self.send_lock = asyncio.Lock()
        self.last_sent = 0
        self.participant_id = ""
        self.nonce: str | None = None  # the token's nonce, once the hello checked out
        self.wire = Wire.of(ws.scope)
        self.subscription = Subscription(ctx.settings.queue_limit)
        self.live = False  # caught up: published batches may go out as they come
        self.pumping: asyncio.Task[None] | None = None  # sending what the buffer holds
        self.main: asyncio.Task[Any] | None = None  # the socket's own task, reading commands
        self.ended_by: str | None = None  # why this connection stopped itself

    # --- published batches: straight to the socket when nothing is ahead of them ---

    def offer(self, batch: Outgoing) -> None:
        """A published batch, offered in the publisher's turn: never waits for the client.

        An idle connection (caught up, nothing buffered, nothing being sent) writes it
        at once; otherwise it waits in the bounded buffer for the pump, a task that runs
        only while there is something to send. A connection whose buffer overflows stops
        (4408) and its client resumes from its last seq."""
        subscription = self.subscription
        if self.live and self.pumping is None and subscription.empty and self.write_now(batch):
            return
        was_behind = subscription.overflowed
        subscription.offer(batch)
        if subscription.overflowed:
            if not was_behind:
                self.stop("behind")  # even if a send is stuck on a client not reading
        else:
            self.wake_pump()

    def write_now(self, batch: Outgoing) -> bool:
        """Write the batch's shared frame now, unless the socket cannot take it, catch-up
        sent part of it, or it holds an event that makes the connection re-check its token
        (then it goes through the pump, which does)."""
        if self.wire is None or batch.revoking or batch.first_seq <= self.last_sent:
            return False
        if not self.wire.write(batch.frame_for(self.participant_id, text_frame)):
            return False
        self.last_sent = batch.last_seq
        return True

    def go_live(self) -> None:
        """Caught up: from now on batches go out as they are published."""
        self.live = True
        self.wake_pump()

    def wake_pump(self) -> None:
        """Start the pump if the buffer holds something for a live connection."""
        if self.live and self.pumping is None and self.subscription.pending:
            self.pumping = asyncio.create_task(self.pump())

    async def pump(self) -> None:
        """Send what the buffer holds, in order; the connection is idle again once empty."""
        try:
            while (batch := self.subscription.take()) is not None:
                await self.send_batch(batch)
                if self.nonce is not None and batch.revoking:
                    if not await self.still_admitted():
                        self.live = False
                        await self.ws.close(CLOSE_UNAUTHORISED, "The host has withdrawn this link.")
                        return
        except Exception as error:  # the socket is gone, or worse: end the connection
            self.live = False
            if not isinstance(error, WebSocketDisconnect | OSError):
                log.info("live connection could not send: %r", error)
            self.stop("failed")
        finally:
            self.pumping = None

    def stop(self, why: str) -> None:
        """End this connection from outside its own task (a stuck send, a failed pump)."""
        if self.ended_by is None and self.main is not None:
            self.ended_by = why
            self.main.cancel()

    async def send(self, data: bytes) -> None:
        await self.send_text(data.decode())

    async def send_text(self, text: str) -> None:
        async with self.send_lock:
            await self.ws.send_text(text)

    async def receive(self) -> str:
        """The next text frame; a binary frame is a BadMessage (the protocol is JSON text)."""
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
        text = message.get("text")
        if text is None:
            raise protocol.BadMessage("Binary frames are not accepted: send JSON in a text frame.")
        return str(text)

    async def send_events(self, events: list[StoredEvent]) -> None:
        fresh = [e for e in events if e.seq > self.last_sent]
        if fresh:
            self.last_sent = fresh[-1].seq
            live = await self.ctx.hub.live(self.session_id)
            if live is not None:
                fresh = waiting.for_viewer(live.committed, self.participant_id, fresh)
            await self.send(protocol.events_message(fresh))

    async def catch_up(self, hub: Hub, live: Live, last_seq: int, epoch: str | None) -> None:
        # the session as it is now: if it was read again since the hello (another node's
        # commit raced this one's), the old copy stopped following, and what it missed
        # would be neither in this catch-up nor in the room's batches
        live = await hub.live(self.session_id) or live
        head = live.head
        how = catch_up_by(
            last_seq=last_seq,
            head=head,
            snapshot_after=self.ctx.settings.snapshot_after,
            epoch=epoch,
            current_epoch=hub.epoch,
        )
        if how == "snapshot":
            view = snapshot(live.committed, now=hub.clock(), viewer=self.participant_id)
            self.last_sent = view["seq"]
            await self.send(protocol.encode({"type": "snapshot", "state": view}))
            return
        self.last_sent = last_seq
        while self.last_sent < head:
            batch = await hub.events_after(self.session_id, self.last_sent)
            if not batch:
                break
            await self.send_events(batch)

    async def send_batch(self, batch: Outgoing) -> None:
        """A published batch: its shared text, unless catch-up already sent part of it."""
        if batch.first_seq > self.last_sent:
            self.last_sent = batch.last_seq
            await self.send_text(batch.text_for(self.participant_id))
        else:
            await self.send_events(batch.events)

    async def still_admitted(self) -> bool:
        live = await self.ctx.hub.live(self.session_id)
        me = live.committed.participants.get(self.participant_id) if live else None
        return me is not None and not me.removed and me.nonce == self.nonce

    async def serve_commands(self, participant_id: str) -> None:
        hub = self.ctx.hub
        while True:
            try:
                message = protocol.decode_client(await self.receive())
            except protocol.BadMessage as error:
                await self.send(
                    protocol.encode(protocol.error_message("invalid_message", str(error)))
                )
                continue
            if isinstance(message, protocol.Ping):
                await self.send(protocol.encode({"type": "pong", "server_time": hub.clock()}))
                continue
            if isinstance(message, protocol.Hello):
                await self.send(
                    protocol.encode(
                        protocol.error_message("already_hello", "This connection has said hello.")
                    )
                )
                continue
            try:
                async with hub.working():
                    await self.answer(participant_id, message)
            except ShuttingDown:
                continue  # left unanswered: the client resends it after reconnecting

    async def in_their_language(self, rejection: Rejection) -> Rejection:
        """A refusal in the language of the person's page (their switch, else the session's,
        else their browser's): a phone shows its message as it comes. The code stays."""
        catalogues: i18n.Catalogues = self.ws.app.state.catalogues
        try:
            live = await self.ctx.hub.live(self.session_id)
        except StoreError:  # the store is down: answer in the browser's language
            live = None
        state = live.committed if live is not None else None
        chosen = state.language if state is not None and state.language_chosen else None
        lang = i18n.choose(
            self.ws.cookies.get(i18n.COOKIE), self.ws.headers.get("accept-language"), chosen
        )
        message = i18n.translate_message(catalogues.get(lang), rejection.message)
        return Rejection(rejection.code, message)

    async def answer(self, participant_id: str, message: protocol.CommandMessage) -> None:
        try:
            outcome = await self.ctx.hub.submit(
                self.session_id,
                message.on_behalf_of or participant_id,
                message.command,
                message.id,
                relayed_by=participant_id if message.on_behalf_of else None,
            )
        except StorageFailed:
            outcome = storage_failed()
        if isinstance(outcome, Rejection):
            reply = protocol.rejected_message(message.id, await self.in_their_language(outcome))
        elif isinstance(outcome, Kept):  # a hall laptop's: the ack comes later
            reply = protocol.kept_message(message.id, outcome.seq)
        else:
            reply = protocol.ack_message(message.id, outcome.seq, outcome.duplicate)
        await self.send(protocol.encode(reply))


async def live_socket(ws: WebSocket) -> None:
    ctx: Context = ws.app.state.ctx
    session_id = ws.path_params["session_id"]
    if not same_origin(ws, ctx.base_url):
        await ws.close(CLOSE_FORBIDDEN_ORIGIN, "Cross-origin connections are refused.")
        return
    await ws.accept()
    connection = Connection(ws, ctx, session_id)
    try:
        async with asyncio.timeout(ctx.settings.hello_timeout_s):
            raw = await connection.receive()
        hello = protocol.decode_client(raw)
    except (TimeoutError, protocol.BadMessage) as error:
        text = str(error) or "Say hello first."
        await connection.send(protocol.encode(protocol.error_message("hello_required", text)))
        await ws.close(CLOSE_UNAUTHORISED, "Say hello first.")
        return
    except WebSocketDisconnect:
        return
    if not isinstance(hello, protocol.Hello):
        await connection.send(
            protocol.encode(
                protocol.error_message("hello_required", "The first message must be a hello.")
            )
        )
        await ws.close(CLOSE_UNAUTHORISED, "Say hello first.")
        return
    if not ctx.hub.accepting:
        await ws.close(CLOSE_SHUTTING_DOWN, "Server restarting: reconnect shortly.")
        return
    try:
        live = await ctx.hub.live(session_id)
    except StoreError:  # the store cannot be read just now: the client retries with back-off
        await ws.close(CLOSE_SHUTTING_DOWN, "Storage unavailable: reconnect shortly.")
        return
    who = admit(
        live.committed if live is not None else None,
        session_id,
        await claim_of(ctx.hub, ctx.signer, session_id, hello.token),
    )
    if isinstance(who, Refusal):
        if who.tell_socket:
            await connection.send(protocol.encode(protocol.error_message(who.code, who.message)))
        await ws.close(who.close_code, who.close_reason)
        return
    assert live is not None  # admitted: the session is there
    if not await ctx.guard.open_connection(session_id):
        await connection.send(
            protocol.encode(
                protocol.error_message(
                    "too_many_connections", "This session is full right now: try again soon."
                )
            )
        )
        await ws.close(CLOSE_TOO_MANY, "This session has as many connections as it can take.")
        return
    connection.participant_id, connection.nonce = who.id, who.nonce
    connection.main = me = asyncio.current_task()
    unsubscribe = ctx.rooms.join(session_id, connection.offer)
    unwatch = ctx.alerts.watch(session_id, connection.send) if who.role in _HOSTS else None
    ctx.connections.add(ws)
    try:
        await connection.send(
            protocol.encode(
                {
                    "type": "welcome",
                    "participant_id": who.id,
                    "role": who.role,
                    "server_time": ctx.hub.clock(),
                    "head": live.head,
                    "epoch": ctx.hub.epoch,
                }
            )
        )
        hall = ctx.greeting(session_id) if ctx.greeting is not None else None
        if hall is not None:  # on a hall laptop: what is kept in the hall, not yet shared
            await connection.send(protocol.encode(hall))
        await connection.catch_up(ctx.hub, live, hello.last_seq, hello.epoch)
        connection.go_live()
        # this task reads the client's commands; published batches go out without it
        await connection.serve_commands(who.id)
    except WebSocketDisconnect:
        pass
    except asyncio.CancelledError:
        if connection.ended_by is None or me is None or me.cancelling() > 1:
            raise  # cancelled from outside (the server stopping), not by the connection
        me.uncancel()
    except Exception as error:
        log.info("live connection ended: %r", error)
    finally:
        connection.live = False
        connection.ended_by = connection.ended_by or "closed"  # nothing may stop it now
        if connection.pumping is not None:
            connection.pumping.cancel()
            with contextlib.suppress(BaseException):
                await connection.pumping
        if connection.ended_by == "behind":
            # Its sends are stuck or it is far behind: drop it and free its buffer. The
            # close frame waits behind unread data, so give the phone a heartbeat's grace
            # to read on and learn why; then stop waiting (the server lets go either way).
            unsubscribe()
            with contextlib.suppress(Exception, TimeoutError):
                async with asyncio.timeout(2 * ctx.settings.heartbeat_s):
                    await ws.close(CLOSE_TOO_SLOW, "Too far behind: resume from your last seq.")
        unsubscribe()
        if unwatch is not None:
            unwatch()
        ctx.connections.discard(ws)
        await ctx.guard.close_connection(session_id)
