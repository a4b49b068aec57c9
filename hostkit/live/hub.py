"""The hub: where commands become durable events and reach everyone, in order.

Per session it keeps two states: ``deciding`` (every event decided so far, committed
or not, so concurrent commands pipeline into one group commit) and ``committed``
(only what is on disk, the only state anyone is shown). Events are published strictly
in sequence order once their batch is durable. If storage fails, the session is
dropped from memory and reloaded from disk, so nothing unacknowledged survives.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.events import AnyEvent, decode_event, encode_event, event_type
from hostkit.domain.fold import apply
from hostkit.domain.model import SessionState
from hostkit.domain.rejections import Rejection
from hostkit.domain.relaying import relayed_problem
from hostkit.domain.rules import decide
from hostkit.fanout.base import Fanout
from hostkit.live.replay import erasable, fold_log, fold_stored, redacted
from hostkit.store.base import (
    DecidingStore,
    DuplicateCommand,
    EventStore,
    SequenceConflict,
    StoredEvent,
    StoreError,
)

RECENT = 2000  # committed events kept in memory for fast catch-up
CATCH_UP_TRIES = 8  # decisions raced by other nodes before a command is given up


@dataclass(frozen=True, slots=True)
class Ack:
    command_id: str | None
    seq: int  # the sequence number of the command's first event
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class Kept:
    """On a hall laptop (hostkit.relay): kept in the hall, not yet shared with the server.

    The command is in the laptop's durable outbox and, while the server cannot be reached,
    decided in the hall's copy of the log (at ``seq``, 0 if not) so the hall sees it. Its
    ack comes only once the server has committed it (the phone sends it again, same id).
    """

    command_id: str | None
    seq: int


class StorageFailed(Exception):
    """The command could not be made durable; it was not acknowledged."""


def storage_failed() -> Rejection:
    """The one answer every path gives a command ``StorageFailed`` kept from the log:
    refused, nothing recorded, safe to send again with the same id (phones do so)."""
    return Rejection(
        "storage_failed", "The server could not save this, so it was not recorded. Try again."
    )


class _Stale(Exception):
    """Another node appended to the session first: catch up and decide again."""


class ShuttingDown(Exception):
    """The server is stopping: the command was not taken; the client sends it again later."""


@dataclass(eq=False)
class Live:
    """One session in memory."""

    deciding: SessionState
    committed: SessionState
    recent: deque[StoredEvent] = field(default_factory=lambda: deque(maxlen=RECENT))
    durable: dict[int, StoredEvent] = field(default_factory=dict)  # committed, not yet published
    inflight: dict[tuple[str, str], asyncio.Future[int]] = field(default_factory=dict)
    changed: asyncio.Event = field(default_factory=asyncio.Event)  # wakes long-pollers
    broken: bool = False
    unsubscribe: Callable[[], None] = lambda: None  # from the fan-out (other nodes' commits)

    @property
    def head(self) -> int:
        return self.committed.last_seq


class Hub:
    def __init__(
        self,
        *,
        store: EventStore,
        fanout: Fanout,
        clock: Callable[[], float] = time.time,
        admit: Callable[[str, str | None, str], Awaitable[Rejection | None]] | None = None,
        storage_failed: Callable[[str, float], None] | None = None,
        epoch: str = "",
    ) -> None:
        self.store = store
        self.epoch = epoch  # the store's: it changes when a backup is restored
        self.fanout = fanout
        self.clock = clock
        self.admit = admit  # rate limits: (session, actor, command type) -> refusal or None
        self.storage_failed = storage_failed  # (session, when): tell the hosts
        self._live: dict[str, Live] = {}
        self._loading: dict[str, asyncio.Lock] = {}
        self.accepting = True
        self._working = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @contextlib.asynccontextmanager
    async def working(self) -> AsyncIterator[None]:
        """Hold off a graceful stop while a command is decided, committed and answered."""
        if not self.accepting:
            raise ShuttingDown("the server is stopping")
        self._working += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._working -= 1
            if not self._working:
                self._idle.set()

    async def stop_accepting(self, grace: float) -> None:
        """Take no new commands; wait up to grace seconds for those in hand to be answered."""
        self.accepting = False
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace):
                await self._idle.wait()

    def loaded(self, session_id: str) -> Live | None:
        """The session if it is in memory, without loading it (for synchronous callers)."""
        return self._live.get(session_id)

    async def live(self, session_id: str) -> Live | None:
        """The session in memory, loaded from the store on first use (None if unknown)."""
        found = self._live.get(session_id)
        if found is not None:
            return found
        lock = self._loading.setdefault(session_id, asyncio.Lock())
        async with lock:
            found = self._live.get(session_id)
            if found is not None:
                return found
            # subscribe, then read: a commit of another node lands in one or the other. One
            # heard while the read is on its way back (the session was already subscribed
            # here, for its people) may be past what the read saw: kept, folded in after it.
            loading: list[Live] = []
            heard: list[list[StoredEvent]] = []

            def absorb(events: list[StoredEvent]) -> None:
                if loading:
                    self._absorb(loading[0], events)
                else:
                    heard.append(events)

            unsubscribe = self.fanout.subscribe(session_id, absorb)
            try:
                log = await self.store.read(session_id)
            except BaseException:
                unsubscribe()
                raise
            if not log:
                unsubscribe()
                return None
            loaded = Live(fold_log(session_id, log), fold_log(session_id, log))
            loaded.recent.extend(log[-RECENT:])
            loaded.unsubscribe = unsubscribe
            loading.append(loaded)
            for events in heard:
                self._absorb(loaded, events)
            self._live[session_id] = loaded
            self.fanout.expect(session_id, loaded.head + 1)
            # a crash between a confidential phase's close and its erase: erase now
            await self._erase_words(session_id, loaded, log)
            return loaded

    async def submit(
        self,
        session_id: str,
        actor_id: str | None,
        command: cmd.AnyCommand,
        command_id: str | None = None,
        relayed_by: str | None = None,
    ) -> Ack | Rejection | Kept:
        """Decide a command, make its events durable, then publish them.

        Returns only after the durable commit. A repeated (actor, command_id) is
        acknowledged again with its first sequence number and applied once. If another
        node appended to the session first, the session is read again from the store
        and the command decided again against what is there now. ``relayed_by``: the
        hall laptop (relay) that forwards this command on the actor's behalf.
        """
        if (
            isinstance(command, cmd.PostContribution)
            and command.photo_id is not None
            and not (actor_id and await self.owns_photo(session_id, actor_id, command.photo_id))
        ):
            return Rejection(
                "unknown_photo", "Upload the photo first: that is not a photo you sent."
            )
        if self.admit is not None and not self._repeated(session_id, actor_id, command_id):
            # once per command, before deciding: a decision raced by another node and
            # taken again is not another request
            refused = await self.admit(session_id, actor_id, cmd.command_type(command))
            if refused is not None:
                return refused
        for _ in range(CATCH_UP_TRIES):
            with contextlib.suppress(_Stale):
                return await self._submit_once(
                    session_id, actor_id, command, command_id, relayed_by
                )
        raise StorageFailed("the session kept changing on other nodes; try again")

    def _repeated(self, session_id: str, actor_id: str | None, command_id: str | None) -> bool:
        """Whether this command is known here already: sent again, it is acknowledged
        again, never refused for the rate it was sent at."""
        live = self._live.get(session_id)
        if live is None or actor_id is None or not command_id:
            return False
        return (actor_id, command_id) in live.deciding.commands

    async def owns_photo(self, session_id: str, actor_id: str, photo_id: str) -> bool:
        """Whether this actor uploaded this photo: nobody posts another's photo as theirs."""
        try:
            photo = await self.store.get_photo(session_id, photo_id)
        except StoreError as error:
            raise StorageFailed(str(error)) from error
        return photo is not None and photo.owner == actor_id

    async def _submit_once(
        self,
        session_id: str,
        actor_id: str | None,
        command: cmd.AnyCommand,
        command_id: str | None,
        relayed_by: str | None = None,
    ) -> Ack | Rejection:
        try:
            live = await self.live(session_id)
        except StoreError as error:  # the store cannot even be read (its server is down)
            if self.storage_failed is not None:
                self.storage_failed(session_id, self.clock())
            raise StorageFailed(str(error)) from error
        if live is None:
            return Rejection("unknown_session", "There is no such session.")
        key = (actor_id, command_id) if actor_id is not None and command_id else None
        if key is not None:
            seen = live.deciding.commands.get(key)
            if seen is not None:
                if key in live.inflight:
                    seen = await asyncio.shield(live.inflight[key])
                return Ack(command_id, seen, duplicate=True)
        if isinstance(self.store, DecidingStore):
            return await self._submit_deciding(
                self.store, session_id, live, actor_id, command, command_id, relayed_by
            )
        decision = self._decide(live, session_id, actor_id, command, command_id, relayed_by)
        if isinstance(decision, Rejection):
            return decision
        batch = decision
        now = batch[0].at
        future: asyncio.Future[int] | None = None
        if key is not None:
            future = asyncio.get_running_loop().create_future()
            live.inflight[key] = future
        try:
            await self.store.append(batch)
        except (SequenceConflict, DuplicateCommand) as error:
            # another node wrote first: this decision was made on an old state
            self._drop(session_id, live)
            if future is not None:
                future.set_exception(_Stale(str(error)))
                future.exception()
            raise _Stale(str(error)) from error
        except StoreError as error:
            self._drop(session_id, live)
            if self.storage_failed is not None:
                self.storage_failed(session_id, now)
            if future is not None:
                future.set_exception(StorageFailed(str(error)))
                future.exception()  # mark retrieved: waiters see it, nobody else must
            raise StorageFailed(str(error)) from error
        finally:
            if key is not None:
                live.inflight.pop(key, None)
        if future is not None:
            future.set_result(batch[0].seq)
        await self._publish(session_id, live, batch)
        if any(stored.type in ERASING for stored in batch):
            await self._erase_words(session_id, live)
        return Ack(command_id, batch[0].seq)

    def _decide(
        self,
        live: Live,
        session_id: str,
        actor_id: str | None,
        command: cmd.AnyCommand,
        command_id: str | None,
        relayed_by: str | None,
    ) -> list[StoredEvent] | Rejection:
        """Decide against the deciding state; fold and number the events if accepted."""
        actor = live.deciding.participants.get(actor_id) if actor_id else None
        relay = live.deciding.participants.get(relayed_by) if relayed_by else None
        if relayed_by is not None and relay is None:
            return Rejection("not_allowed", "Your role does not allow this.")
        if (refused := relayed_problem(live.deciding, relay, actor, command)) is not None:
            return refused
        now = self.clock()
        decision = decide(live.deciding, actor, command, now=now)
        if isinstance(decision, Rejection):
            return decision
        return self._stamp(live, session_id, decision, now, actor_id, command_id)

    async def _submit_deciding(
        self,
        store: DecidingStore,
        session_id: str,
        live: Live,
        actor_id: str | None,
        command: cmd.AnyCommand,
        command_id: str | None,
        relayed_by: str | None,
    ) -> Ack | Rejection:
        """Decide in the store's append transaction, under the session's row lock.

        Several nodes share the session: deciding here first and appending after would
        race the others (a ``SequenceConflict``, then catch up and decide again, over and
        over while they keep posting). Instead the decision waits for this node's next
        group commit, which locks the session's counter row, folds what other nodes
        appended meanwhile, and only then decides: each node waits its turn, none is
        refused, and a node's commands still commit together.
        """
        key = (actor_id, command_id) if actor_id is not None and command_id else None
        mismatch = object()

        def known() -> int:
            return live.deciding.last_seq

        def decide_now(foreign: list[StoredEvent], last: int) -> object:
            if live.broken:
                return mismatch
            for stored in foreign:  # committed by other nodes: fold them in first
                if stored.seq == live.deciding.last_seq + 1:
                    fold_stored(live.deciding, stored)
                    if stored.seq > live.head:
                        live.durable[stored.seq] = stored
            if live.deciding.last_seq != last:
                return mismatch  # an earlier batch here did not commit: read it all again
            if key is not None and (seen := live.deciding.commands.get(key)) is not None:
                return seen
            return self._decide(live, session_id, actor_id, command, command_id, relayed_by)

        future: asyncio.Future[int] | None = None
        if key is not None and key not in live.inflight:
            future = asyncio.get_running_loop().create_future()
            live.inflight[key] = future
        try:
            outcome = await store.append_deciding(session_id, known, decide_now)
        except StoreError as error:
            self._drop(session_id, live)  # what it decided here may not have been kept
            if isinstance(error, (SequenceConflict, DuplicateCommand)):
                if future is not None:
                    future.set_exception(_Stale(str(error)))
                    future.exception()
                raise _Stale(str(error)) from error
            if self.storage_failed is not None:
                self.storage_failed(session_id, self.clock())
            if future is not None:
                future.set_exception(StorageFailed(str(error)))
                future.exception()  # mark retrieved: waiters see it, nobody else must
            raise StorageFailed(str(error)) from error
        finally:
            if future is not None and key is not None:
                live.inflight.pop(key, None)
        if outcome is mismatch:
            self._drop(session_id, live)
            if future is not None:
                future.set_exception(_Stale("decided on a state that was not kept"))
                future.exception()
            raise _Stale("decided on a state that was not kept")
        if isinstance(outcome, int | Rejection):
            await self._publish(session_id, live, [])  # what other nodes appended meanwhile
            if isinstance(outcome, Rejection):
                if future is not None:
                    future.cancel()
                return outcome
            if future is not None:  # the command was stored already (sent twice)
                future.set_result(outcome)
            return Ack(command_id, outcome, duplicate=True)
        assert isinstance(outcome, list)
        batch: list[StoredEvent] = outcome
        if future is not None:
            future.set_result(batch[0].seq if batch else live.deciding.last_seq)
        await self._publish(session_id, live, batch)
        if any(stored.type in ERASING for stored in batch):
            await self._erase_words(session_id, live)
        return Ack(command_id, batch[0].seq if batch else live.head)

    async def _erase_words(
        self, session_id: str, live: Live, log: list[StoredEvent] | None = None
    ) -> None:
        """Overwrite withdrawn words, and those of a closed confidential phase, in the
        store and in memory, photos first (best effort: replay blanks them anyway, see
        ``redacted``; and a session loaded after a crash is erased again)."""
        state = live.committed
        seqs = {c.seq for c in state.contributions.values() if erasable(state, c)}
        if not seqs:
            return
        if log is None:
            log = await self.store.read(session_id)
        stored = [e for e in log if e.seq in seqs]
        blanked = {e.seq: e for e in redacted(state, stored) if e not in stored}
        if not blanked:
            return
        photos = [_photo_of(e) for e in stored if e.seq in blanked]
        try:
            await self.store.delete_photos(session_id, [p for p in photos if p])
            await self.store.redact(session_id, {seq: e.body for seq, e in blanked.items()})
        except StoreError:
            return
        live.recent = deque((blanked.get(e.seq, e) for e in live.recent), maxlen=RECENT)

    def _stamp(
        self,
        live: Live,
        session_id: str,
        events: list[AnyEvent],
        now: float,
        actor_id: str | None,
        command_id: str | None,
    ) -> list[StoredEvent]:
        """Number the events and fold them into the deciding state."""
        batch = []
        for index, event in enumerate(events):
            stored = StoredEvent(
                session_id=session_id,
                seq=live.deciding.last_seq + 1,
                type=event_type(event),
                at=now,
                actor=actor_id,
                command_id=command_id if index == 0 else None,
                body=encode_event(event),
            )
            apply(
                live.deciding,
                event,
                seq=stored.seq,
                at=now,
                actor=actor_id,
                command_id=stored.command_id,
            )
            batch.append(stored)
        return batch

    async def _publish(self, session_id: str, live: Live, batch: list[StoredEvent]) -> None:
        """Publish every durable event that directly follows the published head."""
        for stored in batch:
            if stored.seq > live.head:  # else a backfill delivered it already
                live.durable[stored.seq] = stored
        ready = []
        while (live.head + 1) in live.durable:
            stored = live.durable.pop(live.head + 1)
            fold_stored(live.committed, stored)
            live.recent.append(stored)
            ready.append(stored)
        if ready:
            live.changed.set()
            live.changed = asyncio.Event()
            await self.fanout.publish(session_id, ready)

    def _absorb(self, live: Live, events: list[StoredEvent]) -> None:
        """Fold in commits the fan-out delivers that this hub has not folded itself:
        another node's, or its own heard back from the store first (a backfill).

        A command of this node still in flight with the same seq fails in the store
        (SequenceConflict) and the session reloads; otherwise deciding follows too.
        """
        fresh = False
        for stored in events:
            if stored.seq != live.head + 1:
                continue  # already folded here
            fold_stored(live.committed, stored)
            live.recent.append(stored)
            live.durable.pop(stored.seq, None)
            if live.deciding.last_seq == stored.seq - 1:
                fold_stored(live.deciding, stored)
            fresh = True
        if fresh:
            live.changed.set()
            live.changed = asyncio.Event()

    def forget(self, session_id: str) -> None:
        """Drop a deleted session from memory; anyone waiting on it wakes and finds it gone."""
        live = self._live.get(session_id)
        if live is not None:
            self._drop(session_id, live)

    def _drop(self, session_id: str, live: Live) -> None:
        live.broken = True
        live.changed.set()
        live.unsubscribe()
        if self._live.get(session_id) is live:
            del self._live[session_id]

    async def events_after(
        self, session_id: str, after: int, limit: int = 1000
    ) -> list[StoredEvent]:
        """Committed events with seq > after, from memory when recent enough."""
        live = await self.live(session_id)
        if live is None:
            return []
        if live.recent and live.recent[0].seq <= after + 1:
            return redacted(live.committed, [e for e in live.recent if e.seq > after][:limit])
        found = await self.store.read(session_id, after, limit)
        return redacted(live.committed, [e for e in found if e.seq <= live.head])


# events after which words may have to be erased from the store
ERASING = frozenset(
    {"contribution_withdrawn", "phase_closed", "phase_opened", "phase_attribution_set"}
)


def _photo_of(stored: StoredEvent) -> str | None:
    event = decode_event(stored.body)
    return event.photo_id if isinstance(event, ev.ContributionPosted) else None
