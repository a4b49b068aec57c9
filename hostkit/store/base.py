"""The event-store interface: what the rest of hostkit may ask of durable storage.

The store knows nothing of the domain. It keeps, per session, a gap-free log of
opaque events (JSON bodies), a row per session for lookup by join code, its photos,
and a small key/value table for server secrets (signing keys, the admin secret), so
that every node sharing a store serves every session. An ``append`` returns only once the events are
durably on disk; that is what lets the server acknowledge a command.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# The meta key of the store's epoch: a value that changes whenever the log may have
# gone back (a backup restored), so a client's seqs from before no longer apply.
EPOCH_KEY = "epoch"


def new_epoch() -> str:
    return uuid.uuid4().hex[:16]


SESSION_KEY_PREFIX = "session_key:"


def session_key_name(session_id: str) -> str:
    """The meta key under which an imported session keeps the key its links were signed
    with (see ``hostkit.joining.tokens``); erased with the session."""
    return f"{SESSION_KEY_PREFIX}{session_id}"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One entry of a session's log, as stored and as sent to clients."""

    session_id: str
    seq: int
    type: str
    at: float  # server time, seconds since the epoch
    actor: str | None  # participant id of whoever caused it, if anyone
    command_id: str | None  # the client-made id of the command, on its first event only
    body: str  # the event's JSON payload


@dataclass(frozen=True, slots=True)
class Photo:
    """A cleaned JPEG and the participant who uploaded it."""

    owner: str
    jpeg: bytes


@dataclass(frozen=True, slots=True)
class WholeSession:
    """A session as it moves between hostkits (``hostkit import``): its row, its whole log
    with the seqs it had, its photos by id, and the key its participant links were signed
    with (None: this server makes its links)."""

    session_id: str
    join_code: str
    created_at: float
    events: list[StoredEvent]
    photos: dict[str, Photo]
    participant_key: str | None


class StoreError(Exception):
    """Storage failed (disk full, read-only, corrupt); nothing of the batch was kept."""


class SequenceConflict(StoreError):
    """The batch does not continue the session's log exactly (gap or duplicate)."""


class DuplicateCommand(StoreError):
    """This (session, actor, command_id) was already stored."""


class JoinCodeTaken(StoreError):
    """Another session already uses this join code."""


def check_batch(events: Sequence[StoredEvent], session_id: str) -> None:
    """Reject malformed batches before they reach a writer: these are caller bugs."""
    for index, event in enumerate(events):
        if event.session_id != session_id:
            raise ValueError(f"batch mixes sessions {session_id!r} and {event.session_id!r}")
        if event.seq != events[0].seq + index:
            raise SequenceConflict(f"batch seqs are not consecutive at {event.seq}")


@runtime_checkable
class DecidingStore(Protocol):
    """A store shared by several nodes that lets a node decide under the session's lock.

    ``decide(foreign, last)`` runs inside the append transaction, holding the session's
    counter row: ``foreign`` are the events other nodes appended after ``known()``,
    ``last`` the locked head. It returns the events to append (numbered from ``last + 1``),
    or anything else to append nothing; ``append_deciding`` returns that once durable.
    """

    async def append_deciding(
        self,
        session_id: str,
        known: Callable[[], int],
        decide: Callable[[list[StoredEvent], int], object],
    ) -> object: ...


class EventStore(Protocol):
    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def create_session(
        self, session_id: str, join_code: str, created_at: float, events: list[StoredEvent]
    ) -> None:
        """Register a session and its first events in one transaction."""

    async def import_session(self, whole: WholeSession) -> None:
        """Register a whole session from elsewhere (row, log, photos, key) in one go: it
        lands whole, or raises and leaves nothing behind. SequenceConflict if the id is
        taken, JoinCodeTaken if the code is."""

    async def append(self, events: list[StoredEvent]) -> None:
        """Durably append events of one session, continuing its log exactly.

        Concurrent calls are committed together (group commit); each call either
        lands whole or raises and leaves nothing behind.
        """

    async def read(
        self, session_id: str, after: int = 0, limit: int | None = None
    ) -> list[StoredEvent]:
        """Events with seq > after, in order."""

    async def head(self, session_id: str) -> int:
        """The highest seq stored for the session (0 if none)."""

    async def session_by_code(self, join_code: str) -> str | None: ...

    async def session_exists(self, session_id: str) -> bool: ...

    async def list_sessions(self) -> list[tuple[str, str, float]]:
        """(session_id, join_code, created_at) of every session, oldest first."""

    async def get_meta(self, key: str) -> str | None: ...

    async def meta_starting(self, prefix: str) -> dict[str, str]:
        """Every meta value whose key begins with prefix."""

    async def set_meta_if_absent(self, key: str, value: str) -> str:
        """Store value under key unless one exists; return whichever is stored."""

    async def put_photo(self, session_id: str, photo_id: str, owner: str, jpeg: bytes) -> None:
        """Keep a cleaned photo of a session, durably, before its id is handed out."""

    async def get_photo(self, session_id: str, photo_id: str) -> Photo | None: ...

    async def delete_photos(self, session_id: str, photo_ids: list[str]) -> None:
        """Erase these photos (their contributions were withdrawn)."""

    async def delete_session(self, session_id: str) -> bool:
        """Erase a session, its whole log and its photos so its text is gone from the files too.

        Returns whether there was such a session.
        """

    async def redact(self, session_id: str, bodies: dict[int, str]) -> None:
        """Overwrite the bodies of these events (by seq) so the old text is gone from disk.

        The one exception to an append-only log: words their author withdrew.
        """

    async def last_activity(self) -> list[tuple[str, float]]:
        """(session_id, time of its latest event) of every session."""
