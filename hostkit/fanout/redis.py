"""Fan-out across nodes through Redis pub/sub; the store stays the only authority.

Every node delivers its own commits to its own connections at once and also publishes
them, as ``{session, seq, epoch, events}``, on one channel every node listens to.
Whatever a node hears, its own commits included, passes the same check
(``sequencing.plan``) against the seq it expects next for that session, so each
connection gets each event once and in order: a jump is backfilled from the store
first and an old batch is dropped.

Redis pub/sub delivers at most once and redis-py's asyncio pub/sub does not reconnect
by itself, so a node here reconnects with back-off, publishes a probe to itself every
second and subscribes again when none comes back, and every few seconds compares the
stored head of each session it serves with what it delivered (a lost *last* event
shows no jump). Publishing never makes a command wait for Redis: messages go through
a bounded outbox, and one that cannot be sent is left to those head checks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import Protocol

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from hostkit.fanout.base import Subscriber, Unsubscribe
from hostkit.fanout.memory import MemoryFanout
from hostkit.fanout.sequencing import Backfill, Drop, Probe, backoff, behind, plan
from hostkit.store.base import EPOCH_KEY, StoredEvent, StoreError

log = logging.getLogger(__name__)

READ_PAGE = 1000  # events per store read while backfilling
EARLY_LIMIT = 64  # batches kept for a session whose head is still being read


class LogReader(Protocol):
    """The part of the event store the bus needs: what it backfills and checks from."""

    async def read(
        self, session_id: str, after: int = 0, limit: int | None = None
    ) -> list[StoredEvent]: ...

    async def head(self, session_id: str) -> int: ...

    async def get_meta(self, key: str) -> str | None: ...


# (seq, type, at, actor, command_id, body): compact, and the session is said once
WireEvent = tuple[int, str, float, str | None, str | None, str]


class Committed(msgspec.Struct, tag="events", frozen=True):
    session: str
    seq: int  # of the first event
    epoch: str
    events: list[WireEvent]


class Ping(msgspec.Struct, tag="probe", frozen=True):
    node: str


_decoder: msgspec.json.Decoder[Committed | Ping] = msgspec.json.Decoder(Committed | Ping)
_encoder = msgspec.json.Encoder()


def to_wire(session_id: str, epoch: str, events: list[StoredEvent]) -> bytes:
    wire = [(e.seq, e.type, e.at, e.actor, e.command_id, e.body) for e in events]
    return _encoder.encode(Committed(session_id, events[0].seq, epoch, wire))


def from_wire(message: Committed) -> list[StoredEvent]:
    return [StoredEvent(message.session, *event) for event in message.events]


class RedisFanout:
    """A Fanout for several nodes sharing one store and one Redis."""

    def __init__(
        self,
        url: str,
        *,
        store: LogReader,
        epoch: str | None = None,
        channel: str = "hostkit:events",
        probe_every: float = 1.0,
        probe_patience: float = 3.0,
        head_check_every: float = 3.0,
        outbox_limit: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.node = uuid.uuid4().hex
        self.epoch = epoch or ""  # the store's (read at start unless given)
        self.channel = channel
        self._redis = aioredis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=5, retry_on_timeout=False
        )
        self._store = store
        self._local = MemoryFanout()
        self._expected: dict[str, int] = {}  # per session served: the seq delivered next
        self._early: dict[str, list[list[StoredEvent]]] = {}  # heard before expect()
        self._locks: dict[str, asyncio.Lock] = {}
        self._outbox: asyncio.Queue[bytes] = asyncio.Queue(outbox_limit)
        self._probe = Probe(every=probe_every, patience=probe_patience)
        self._head_check_every = head_check_every
        self._check_now = asyncio.Event()
        self._clock = clock
        self._tasks: list[asyncio.Task[None]] = []
        self.subscribed = asyncio.Event()  # set while a working subscription is believed up
        self.subscriptions = 0  # how many times the node has (re)subscribed
        self.backfills = 0  # how many gaps were filled from the store

    async def start(self) -> None:
        """Start listening, publishing and checking; a Redis that is down is retried."""
        if not self.epoch:
            self.epoch = await self._store.get_meta(EPOCH_KEY) or ""
        self._tasks = [
            asyncio.create_task(self._listen(), name="bus-listen"),
            asyncio.create_task(self._send(), name="bus-send"),
            asyncio.create_task(self._check_heads(), name="bus-heads"),
        ]

    def subscribe(self, session_id: str, subscriber: Subscriber) -> Unsubscribe:
        local = self._local.subscribe(session_id, subscriber)
        if session_id not in self._expected:
            self._early.setdefault(session_id, [])

        def unsubscribe() -> None:
            local()
            if not self._local.subscriber_count(session_id):
                self._expected.pop(session_id, None)
                self._early.pop(session_id, None)
                self._locks.pop(session_id, None)

        return unsubscribe

    def expect(self, session_id: str, seq: int) -> None:
        """The node has read the session's log up to seq - 1: deliver from seq on.

        Called once after the first subscription (subscribe, then read: nothing falls
        between); batches heard meanwhile are replayed through the same check.
        """
        if not self._local.subscriber_count(session_id) or session_id in self._expected:
            return
        self._expected[session_id] = seq
        early = self._early.pop(session_id, [])
        if early:
            task = asyncio.create_task(self._replay(session_id, early))
            self._tasks.append(task)
            task.add_done_callback(self._forget_task)

    def _forget_task(self, task: asyncio.Task[None]) -> None:
        with contextlib.suppress(ValueError):
            self._tasks.remove(task)

    async def _replay(self, session_id: str, batches: list[list[StoredEvent]]) -> None:
        for events in batches:
            await self._receive(session_id, events)

    async def publish(self, session_id: str, events: list[StoredEvent]) -> None:
        """Deliver a commit of this node here, and tell the other nodes."""
        if not events:
            return
        await self._receive(session_id, events)
        self._enqueue(to_wire(session_id, self.epoch, events))

    def _enqueue(self, message: bytes) -> None:
        try:
            self._outbox.put_nowait(message)
        except asyncio.QueueFull:
            log.warning("bus outbox full: a message is left to the other nodes' head checks")

    async def _receive(self, session_id: str, events: list[StoredEvent]) -> None:
        """Deliver what follows the expected seq; backfill a jump from the store first."""
        if session_id not in self._expected:
            early = self._early.get(session_id)
            if early is not None and len(early) < EARLY_LIMIT:
                early.append(events)
            return
        async with self._lock(session_id):
            expected = self._expected.get(session_id)
            if expected is None:
                return
            step = plan(expected, events[0].seq, events[-1].seq)
            if isinstance(step, Drop):
                return
            if isinstance(step, Backfill):
                await self._backfill(session_id, step.after)
                expected = self._expected.get(session_id)
                if expected is None or events[-1].seq < expected:
                    return
                if events[0].seq > expected:  # the store could not fill it: later, then
                    return
            await self._deliver(session_id, [e for e in events if e.seq >= expected])

    def _lock(self, session_id: str) -> asyncio.Lock:
        return self._locks.setdefault(session_id, asyncio.Lock())

    async def _deliver(self, session_id: str, events: list[StoredEvent]) -> None:
        if session_id not in self._expected or not events:
            return
        self._expected[session_id] = events[-1].seq + 1
        await self._local.publish(session_id, events)

    async def _backfill(self, session_id: str, after: int) -> None:
        """Read and deliver every stored event after seq ``after`` (caller holds the lock)."""
        self.backfills += 1
        while session_id in self._expected:
            try:
                found = await self._store.read(session_id, after, READ_PAGE)
            except StoreError as error:
                log.warning("bus backfill of %s failed: %s", session_id, error)
                return
            await self._deliver(session_id, [e for e in found if e.seq > after])
            if len(found) < READ_PAGE:
                return
            after = found[-1].seq

    async def _heard(self, data: bytes) -> None:
        try:
            message = _decoder.decode(data)
        except msgspec.DecodeError:
            log.warning("bus: a message that is not hostkit's was ignored")
            return
        if isinstance(message, Ping):
            if message.node == self.node:
                self._probe.heard(self._clock())
            return
        if message.epoch != self.epoch:
            log.warning("bus: a node on another store epoch (%s) was ignored", message.epoch)
            return
        if message.events:
            await self._receive(message.session, from_wire(message))

    async def _listen(self) -> None:
        delays = backoff()
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(self.channel)
                self._probe.restart(self._clock())
                self.subscriptions += 1
                self.subscribed.set()
                self._check_now.set()  # whatever was published while deaf: find it now
                delays = backoff()
                while not self._probe.dead(self._clock()):
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.2)
                    if message is not None and message["type"] == "message":
                        await self._heard(message["data"])
                    if self._probe.due(self._clock()):
                        self._probe.sent(self._clock())
                        self._enqueue(_encoder.encode(Ping(self.node)))
                log.warning("bus: no probe came back; subscribing again")
            except (RedisError, OSError) as error:
                log.warning("bus: Redis subscription lost (%s); reconnecting", error)
            finally:
                self.subscribed.clear()
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(next(delays))

    async def _send(self) -> None:
        delays = backoff()
        while True:
            message = await self._outbox.get()
            try:
                await self._redis.publish(self.channel, message)
                delays = backoff()
            except (RedisError, OSError) as error:
                # dropped: at most once, as pub/sub itself; the head checks recover it
                log.warning("bus: publish failed (%s)", error)
                await asyncio.sleep(next(delays))

    async def _check_heads(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._head_check_every):
                    await self._check_now.wait()
            self._check_now.clear()
            await self.check_heads()

    async def check_heads(self) -> None:
        """Backfill every served session whose stored head is past what was delivered."""
        heads: dict[str, int] = {}
        for session_id in list(self._expected):
            try:
                heads[session_id] = await self._store.head(session_id)
            except StoreError as error:
                log.warning("bus head check of %s failed: %s", session_id, error)
        for session_id, after in behind(dict(self._expected), heads).items():
            async with self._lock(session_id):
                expected = self._expected.get(session_id)
                if expected is not None and expected - 1 == after:
                    await self._backfill(session_id, after)

    def subscriber_count(self, session_id: str) -> int:
        return self._local.subscriber_count(session_id)

    async def close(self) -> None:
        """Stop listening, sending and checking; never hold the node's exit for long.

        A cancellation that arrives while the Redis client is mid-command can be used up
        inside it, leaving the task waiting for its next message: seen as a node that
        drained, closed every client, and then never exited. So ask twice, and after
        that leave a task that still runs (the process is ending) rather than wait on it.
        """
        running = set(self._tasks)
        for _ in range(2):
            for task in running:
                task.cancel()
            if running:
                done, running = await asyncio.wait(running, timeout=1.0)
                for task in done:
                    if not task.cancelled():
                        task.exception()  # retrieved: it ended, which is all that matters
        for task in running:
            log.warning("bus: task %s did not stop", task.get_name())
        self._tasks = []
        await self._local.close()
        self._expected.clear()
        await self._redis.aclose()


def from_url(url: str, *, store: LogReader) -> RedisFanout:
    """The bus for ``--bus redis://HOST:PORT/DB`` (see hostkit.fanout.url)."""
    return RedisFanout(url, store=store)
