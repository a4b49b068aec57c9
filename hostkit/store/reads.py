"""The lookups both SQL engines answer with the same queries.

An engine supplies ``query(sql, *args)`` and takes SQL written with ``?`` placeholders
(PostgreSQL's engine numbers them); the log itself (``read``) stays with each engine,
whose paging differs.
"""

from __future__ import annotations

from typing import Any


class SharedReads:
    async def query(self, sql: str, *args: object) -> list[Any]:
        raise NotImplementedError

    async def head(self, session_id: str) -> int:
        """The highest seq stored for the session (0 if none)."""
        rows = await self.query(
            "SELECT coalesce(max(seq), 0) FROM events WHERE session_id = ?", session_id
        )
        return int(rows[0][0])

    async def session_by_code(self, join_code: str) -> str | None:
        rows = await self.query("SELECT id FROM sessions WHERE join_code = ?", join_code)
        return str(rows[0][0]) if rows else None

    async def session_exists(self, session_id: str) -> bool:
        return bool(await self.query("SELECT 1 FROM sessions WHERE id = ?", session_id))

    async def list_sessions(self) -> list[tuple[str, str, float]]:
        """(session_id, join_code, created_at) of every session, oldest first."""
        rows = await self.query(
            "SELECT id, join_code, created_at FROM sessions ORDER BY created_at, id"
        )
        return [(str(r[0]), str(r[1]), float(r[2])) for r in rows]

    async def last_activity(self) -> list[tuple[str, float]]:
        """(session_id, time of its latest event) of every session."""
        rows = await self.query(
            "SELECT s.id, coalesce((SELECT max(at) FROM events e WHERE e.session_id = s.id), "
            "s.created_at) FROM sessions s ORDER BY s.created_at, s.id"
        )
        return [(str(r[0]), float(r[1])) for r in rows]

    async def get_meta(self, key: str) -> str | None:
        rows = await self.query("SELECT value FROM meta WHERE key = ?", key)
        return str(rows[0][0]) if rows else None

    async def meta_starting(self, prefix: str) -> dict[str, str]:
        """Every meta value whose key begins with prefix (the imported sessions' keys)."""
        rows = await self.query(
            "SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?", len(prefix), prefix
        )
        return {str(k): str(v) for k, v in rows}


def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, ...``."""
    parts = sql.split("?")
    return parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], 1))
