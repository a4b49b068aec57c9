"""The hall laptop's durable outbox: every command of the hall, in order, until the server
has answered it; and the few facts the laptop must remember across a crash.

One SQLite file beside the hall's copy of the log (``relay.db`` in ``--data``), written
with ``synchronous=FULL`` before anything is shown: what the hall did survives the laptop
being switched off. A command is keyed by (participant, command id), as on the server, so
a phone sending it again changes nothing.

The hall's photos themselves are files in the hall's store (``photos/`` in ``--data``,
synced before the phone gets their id); this file remembers which the server has.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

FILE = "relay.db"
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbox (
        n INTEGER PRIMARY KEY AUTOINCREMENT,
        actor TEXT NOT NULL,          -- the phone's participant id; '' for the laptop itself
        command_id TEXT NOT NULL,
        command TEXT NOT NULL,        -- JSON, as it goes to the server
        written_at REAL NOT NULL,     -- server time it was written
        state TEXT NOT NULL DEFAULT 'queued',  -- queued, done, rejected
        sent INTEGER NOT NULL DEFAULT 0,
        base INTEGER,                 -- decided in the hall on top of the server's log up to here
        here_seq INTEGER,             -- ...at this seq of the hall's copy
        seq INTEGER,                  -- the server's seq, once done
        code TEXT,
        message TEXT,
        UNIQUE (actor, command_id))""",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    # the hall's photos the server has (uploaded, or answered as already there): each once
    """CREATE TABLE IF NOT EXISTS photos (
        photo_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL)""",
)


@dataclass(frozen=True, slots=True)
class Item:
    n: int
    actor: str
    command_id: str
    command: str
    written_at: float
    state: str
    sent: bool
    base: int | None
    here_seq: int | None
    seq: int | None
    code: str | None
    message: str | None


_COLUMNS = (
    "n, actor, command_id, command, written_at, state, sent, base, here_seq, seq, code, message"
)


class Outbox:
    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(data_dir / FILE, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        for statement in _SCHEMA:
            self.db.execute(statement)

    def close(self) -> None:
        self.db.close()

    def _item(self, row: tuple[object, ...] | None) -> Item | None:
        if row is None:
            return None
        n, actor, cid, command, written, state, sent, base, here, seq, code, message = row
        return Item(
            int(n),  # type: ignore[call-overload]
            str(actor),
            str(cid),
            str(command),
            float(written),  # type: ignore[arg-type]
            str(state),
            bool(sent),
            None if base is None else int(base),  # type: ignore[call-overload]
            None if here is None else int(here),  # type: ignore[call-overload]
            None if seq is None else int(seq),  # type: ignore[call-overload]
            None if code is None else str(code),
            None if message is None else str(message),
        )

    def add(self, actor: str, command_id: str, command: str, written_at: float) -> Item:
        """Keep a command (durably), or find the one kept under the same key."""
        self.db.execute(
            "INSERT INTO outbox (actor, command_id, command, written_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (actor, command_id) DO NOTHING",
            (actor, command_id, command, written_at),
        )
        found = self._item(
            self.db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE actor = ? AND command_id = ?",  # noqa: S608
                (actor, command_id),
            ).fetchone()
        )
        assert found is not None
        return found

    def get(self, n: int) -> Item | None:
        return self._item(
            self.db.execute(f"SELECT {_COLUMNS} FROM outbox WHERE n = ?", (n,)).fetchone()  # noqa: S608
        )

    def next_queued(self) -> Item | None:
        """The oldest command the server has not answered: they go in the order made."""
        return self._item(
            self.db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE state = 'queued' ORDER BY n LIMIT 1"  # noqa: S608
            ).fetchone()
        )

    def queued(self) -> int:
        (count,) = self.db.execute("SELECT count(*) FROM outbox WHERE state = 'queued'").fetchone()
        return int(count)

    def items(self) -> list[Item]:
        rows = self.db.execute(f"SELECT {_COLUMNS} FROM outbox ORDER BY n").fetchall()  # noqa: S608
        return [item for row in rows if (item := self._item(row)) is not None]

    def sent(self, n: int) -> None:
        self.db.execute("UPDATE outbox SET sent = 1 WHERE n = ?", (n,))

    def decided_here(self, n: int, base: int, here_seq: int) -> None:
        self.db.execute("UPDATE outbox SET base = ?, here_seq = ? WHERE n = ?", (base, here_seq, n))

    def rewrite(self, n: int, command: str) -> None:
        """What goes to the server, once the hall has decided it (a hall round's seats)."""
        self.db.execute("UPDATE outbox SET command = ? WHERE n = ? AND sent = 0", (command, n))

    def drop(self, n: int) -> None:
        """Forget a command the hall itself refused before it was ever sent."""
        self.db.execute("DELETE FROM outbox WHERE n = ? AND sent = 0", (n,))

    def done(self, n: int, seq: int) -> None:
        self.db.execute("UPDATE outbox SET state = 'done', seq = ? WHERE n = ?", (seq, n))

    def rejected(self, n: int, code: str, message: str) -> None:
        self.db.execute(
            "UPDATE outbox SET state = 'rejected', code = ?, message = ? WHERE n = ?",
            (code, message, n),
        )

    def server_id(self, base: int, here_seq: int) -> int | None:
        """The server's seq of what the hall decided at ``here_seq`` on top of ``base``."""
        row = self.db.execute(
            "SELECT seq FROM outbox WHERE base = ? AND here_seq = ? AND state = 'done'",
            (base, here_seq),
        ).fetchone()
        return None if row is None else int(row[0])

    def meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def photo_shared(self, photo_id: str) -> bool:
        """Whether the server has this photo of the hall already."""
        found = self.db.execute("SELECT 1 FROM photos WHERE photo_id = ?", (photo_id,))
        return found.fetchone() is not None

    def share_photo(self, photo_id: str, owner: str) -> None:
        self.db.execute(
            "INSERT INTO photos (photo_id, owner) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (photo_id, owner),
        )
