"""The hall's copy of the session, and what the hall does to it.

The laptop's store holds the server's log, event for event with the same seqs (the
*shared* part, up to ``shared_head``). Every command of a hall phone goes into the outbox
first. While the server answers, it is forwarded and the phone is acknowledged once the
server has committed it and its events have come back into the copy. While the server
cannot be reached, the command is also decided here, on top of the copy (the *hall-only*
part, after ``shared_head``), so the whole hall sees it; the phone gets ``kept``, not an ack.

When the server is back and the outbox has been forwarded in order, the hall-only part is
replaced by the server's log (``rebase``), and every phone is asked to reconnect: it gets a
snapshot of the server's version, and its acks when it sends its commands again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from hostkit.domain import commands as cmd
from hostkit.domain.rejections import Rejection
from hostkit.live.hub import ERASING, Ack, Hub, Kept
from hostkit.live.replay import fold_stored
from hostkit.relay.outbox import Item, Outbox
from hostkit.store.base import StoredEvent, new_epoch
from hostkit.store.sqlite import SqliteStore

ONLINE_WAIT_S = 10.0  # the longest a phone waits for the server before the hall decides
CLOSE_RECONNECT = 4503  # as a restarting server: phones reconnect and resume
# Ids the rules derive from the seq of the event that made the thing (``c{seq}``, ``g{seq}``):
# what the hall made offline has another seq, so another id, on the server.
_MADE_ID = re.compile(r"([cg])(\d+)")
_ID_FIELDS = ("contribution_id", "group_id", "into_id")
# Commands the laptop stamps with when the hall did them (``written_at``), so the server
# places them where they belong: a note in its phase, a venue timer's end where it was.
_VENUE_TIMER = (cmd.StartTimer, cmd.PauseTimer, cmd.ExtendTimer, cmd.StopTimer)


def in_server_ids(
    command: dict[str, Any], base: int | None, server_seq: Callable[[int], int | None]
) -> dict[str, Any]:
    """The command with the hall's own ids (made on top of the server's log up to ``base``)
    replaced by the server's, where the server has made those things by now."""
    if base is None:
        return command
    moved = dict(command)
    for key in _ID_FIELDS:
        found = _MADE_ID.fullmatch(value) if isinstance(value := command.get(key), str) else None
        if found and int(found.group(2)) > base:
            there = server_seq(int(found.group(2)))
            if there is not None:
                moved[key] = f"{found.group(1)}{there}"
    if isinstance(seats := command.get("seats"), dict):  # a hall round: tables made offline
        moved["seats"] = {
            person: in_server_ids({"group_id": table}, base, server_seq)["group_id"]
            for person, table in seats.items()
        }
    return moved


class RelayHub(Hub):
    """The laptop's hub: the hall's session goes through the hall (``Hall.submit``)."""

    hall: Hall | None = None

    async def submit(
        self,
        session_id: str,
        actor_id: str | None,
        command: cmd.AnyCommand,
        command_id: str | None = None,
        relayed_by: str | None = None,
    ) -> Ack | Rejection | Kept:
        hall = self.hall
        if hall is None or session_id != hall.session_id or relayed_by is not None:
            return await super().submit(session_id, actor_id, command, command_id, relayed_by)
        return await hall.submit(actor_id, command, command_id)

    async def decide_here(
        self, session_id: str, actor_id: str | None, command: cmd.AnyCommand, command_id: str
    ) -> Ack | Rejection:
        """Decide in the hall's copy, as a server would (offline)."""
        decided = await super().submit(session_id, actor_id, command, command_id)
        assert not isinstance(decided, Kept)  # the plain hub never keeps
        return decided

    async def mirror(self, session_id: str, events: list[StoredEvent]) -> None:
        """Append the server's events, as they are, and show them to the hall."""
        live = await self.live(session_id)
        assert live is not None
        await self.store.append(events)
        for stored in events:
            if live.deciding.last_seq == stored.seq - 1:
                fold_stored(live.deciding, stored)
        await self._publish(session_id, live, events)
        if any(stored.type in ERASING for stored in events):
            await self._erase_words(session_id, live)


class Hall:
    """One relayed session: the copy, the outbox and the state of the link."""

    def __init__(
        self,
        session_id: str,
        hub: RelayHub,
        store: SqliteStore,
        outbox: Outbox,
        phones: Callable[[], list[Any]],
    ) -> None:
        self.session_id = session_id
        self.hub, self.store, self.outbox = hub, store, outbox
        self.phones = phones  # the hall's live WebSockets (to ask them to reconnect)
        self.copied: Callable[[], Awaitable[None]] | None = None  # the first copy is made
        self.shared_head = int(outbox.meta("shared_head") or 0)
        self.offset = float(outbox.meta("offset") or 0.0)  # server clock minus ours
        self.cell_id = outbox.meta("cell_id") or ""
        self.connected = asyncio.Event()  # the server answers
        self.disconnected = asyncio.Event()
        self.disconnected.set()
        self.turn = asyncio.Lock()  # one change to the hall's copy at a time
        self.wake = asyncio.Event()  # something new in the outbox
        self.answered = asyncio.Event()  # the server answered something
        epoch = outbox.meta("epoch")
        if epoch is None:
            epoch = hub.epoch or new_epoch()
            outbox.set_meta("epoch", epoch)
        hub.epoch = epoch
        hub.hall = self
        hub.clock = self.server_now  # the hall's times (timers, pongs) on the server's clock

    # --- the clock and the state of the copy -------------------------------------------

    def server_now(self) -> float:
        return time.time() + self.offset

    def set_offset(self, server_time: float) -> None:
        self.offset = server_time - time.time()
        self.outbox.set_meta("offset", repr(self.offset))

    async def local_head(self) -> int:
        live = await self.hub.live(self.session_id)
        return live.head if live is not None else 0

    async def hall_only(self) -> bool:
        """Whether the copy has events the server does not have yet (decided offline)."""
        return await self.local_head() > self.shared_head

    async def online(self) -> bool:
        return self.connected.is_set() and not await self.hall_only()

    def greeting(self, session_id: str) -> dict[str, Any] | None:
        """What a phone is told after its welcome: what the hall has not yet shared."""
        if session_id != self.session_id:
            return None
        live = self.hub.loaded(session_id)
        head = live.head if live is not None else self.shared_head
        return {
            "type": "hall",
            "connected": self.connected.is_set(),
            "shared_seq": self.shared_head,
            "kept": max(0, head - self.shared_head),
            "queued": self.outbox.queued(),
        }

    async def tell_phones(self) -> None:
        """Every phone learns at once when the hall goes offline or comes back."""
        message = json.dumps(self.greeting(self.session_id))
        for ws in self.phones():
            with contextlib.suppress(Exception):
                await ws.send_text(message)

    # --- the hall's commands ----------------------------------------------------------

    async def submit(
        self, actor_id: str | None, command: cmd.AnyCommand, command_id: str | None
    ) -> Ack | Rejection | Kept:
        if isinstance(command, cmd.Join):  # a phone of the hall joins, by the join form
            if actor_id is not None:
                return Rejection("not_allowed", "Your role does not allow this.")
            upward: cmd.AnyCommand = cmd.JoinHall(
                command.participant_id, command.nonce, command.name, command.group_id
            )
            here: cmd.AnyCommand = msgspec.structs.replace(
                command, where="room", role="participant", cell_id=self.cell_id or None
            )
            actor, key = "", f"join-{command.participant_id}"
        elif actor_id is None:
            return Rejection("not_allowed", "Your role does not allow this.")
        else:
            actor, key = actor_id, command_id or uuid.uuid4().hex
            here = upward = command
            if getattr(command, "written_at", None) is not None:  # only the laptop says so
                return Rejection("not_allowed", "Your role does not allow this.")
            if (
                isinstance(command, cmd.PostContribution)
                and command.photo_id is not None
                and not await self.hub.owns_photo(self.session_id, actor_id, command.photo_id)
            ):  # the laptop uploads only a phone's own photo, as that phone's
                return Rejection(
                    "unknown_photo", "Upload the photo first: that is not a photo you sent."
                )
            if isinstance(command, cmd.PostContribution) or (
                isinstance(command, _VENUE_TIMER) and command.cell_id is not None
            ):
                upward = msgspec.structs.replace(command, written_at=self.server_now())
        body = msgspec.json.encode(upward).decode()
        item = self.outbox.add(actor, key, body, self.server_now())
        if (settled := self.settled(item)) is not None:
            return settled
        self.wake.set()
        if await self.online():
            answer = await self.wait_for_server(item.n)
            if answer is not None:
                return answer
        async with self.turn:
            item = self.outbox.get(item.n) or item
            if (settled := self.settled(item)) is not None:
                return settled
            base = self.shared_head
            decided = await self.hub.decide_here(
                self.session_id, actor_id, here, key if actor_id is not None else ""
            )
            if isinstance(decided, Rejection):
                if not item.sent:
                    self.outbox.drop(item.n)
                return decided
            if item.here_seq is None:
                self.outbox.decided_here(item.n, base, decided.seq)
                await self.seat_as_here(self.outbox.get(item.n) or item)
        self.wake.set()  # if the server is there after all, the link forwards and rebases
        await self.tell_phones()
        return Kept(command_id, decided.seq)

    async def seat_as_here(self, item: Item) -> Item:
        """A hall round seated offline goes to the server with the hall's seating: the
        server, deciding later on another log, would mix the hall differently. Done when
        the hall decides it, and again before forwarding (a crash in between loses nothing)."""
        upward = json.loads(item.command)
        if upward.get("type") != "start_hall_round" or upward.get("seats") is not None:
            return item
        if item.here_seq is None or item.sent:
            return item
        made = await self.store.read(self.session_id, after=item.here_seq - 1, limit=1)
        if not made or made[0].type != "hall_round_started":
            return item
        upward["seats"] = json.loads(made[0].body)["seats"]
        self.outbox.rewrite(item.n, json.dumps(upward))
        return self.outbox.get(item.n) or item

    def settled(self, item: Item) -> Ack | Rejection | None:
        """The server's answer, if it has given one (a command sent again)."""
        if item.state == "done" and item.seq is not None:
            return Ack(item.command_id, item.seq, duplicate=True)
        if item.state == "rejected":
            return Rejection(item.code, item.message or "")  # type: ignore[arg-type]
        return None

    async def wait_for_server(self, n: int) -> Ack | Rejection | None:
        """The server's answer and its events in the copy; None when it does not come."""
        deadline = asyncio.get_running_loop().time() + ONLINE_WAIT_S
        while (item := self.outbox.get(n)) is not None:
            answer = self.settled(item)
            if isinstance(answer, Rejection):
                return answer
            if answer is not None and await self.local_head() >= answer.seq:
                return Ack(answer.command_id, answer.seq)
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0 or not self.connected.is_set():
                return None
            self.answered.clear()
            waiting = [
                asyncio.ensure_future(self.answered.wait()),
                asyncio.ensure_future(self.disconnected.wait()),
            ]
            try:
                await asyncio.wait(waiting, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in waiting:
                    task.cancel()
        return None

    def upward(self, item: Item) -> dict[str, Any]:
        """The command as the server must get it, in the server's ids."""
        base = item.base

        def server_seq(here_seq: int) -> int | None:
            return self.outbox.server_id(base, here_seq) if base is not None else None

        return in_server_ids(json.loads(item.command), base, server_seq)

    def settle(self, item: Item, reply: dict[str, Any]) -> None:
        """Record the server's answer to a forwarded command."""
        if reply["type"] == "ack":
            self.outbox.done(item.n, int(reply["seq"]))
        else:
            self.outbox.rejected(item.n, str(reply["code"]), str(reply["message"]))
        self.answered.set()

    # --- the server's log into the copy -----------------------------------------------

    async def take(self, events: list[StoredEvent]) -> bool:
        """Copy the server's next events; False if they do not follow on (catch up again)."""
        async with self.turn:
            if await self.hall_only():
                return True  # the copy waits for the rebase
            head = await self.local_head()
            fresh = [e for e in events if e.seq > head]
            if not fresh:
                return True
            if fresh[0].seq != head + 1:
                return False
            if head == 0:
                await self.create(fresh)
                if self.copied is not None:
                    await self.copied()
            else:
                await self.hub.mirror(self.session_id, fresh)
            self.set_shared(fresh[-1].seq)
        self.answered.set()
        return True

    async def create(self, events: list[StoredEvent]) -> None:
        """The first copy: the session's own row (join code) and its first events."""
        first = json.loads(events[0].body)
        await self.store.create_session(self.session_id, first["join_code"], events[0].at, events)

    def set_shared(self, seq: int) -> None:
        self.shared_head = seq
        self.outbox.set_meta("shared_head", str(seq))

    def know_relay(self, cell_id: str) -> None:
        self.cell_id = cell_id
        self.outbox.set_meta("cell_id", cell_id)

    async def rebase(self, events: list[StoredEvent]) -> None:
        """Give the hall-only events up for the server's (which now hold them, forwarded)."""
        async with self.turn:
            await self.store.rebase(self.session_id, self.shared_head, events)
            if events:
                self.set_shared(events[-1].seq)
            self.hub.forget(self.session_id)
            epoch = new_epoch()  # the phones' seqs after shared_head named other events
            self.outbox.set_meta("epoch", epoch)
            self.hub.epoch = epoch
        for ws in self.phones():
            with contextlib.suppress(Exception):
                await ws.close(CLOSE_RECONNECT, "The hall is back online: reconnect.")
