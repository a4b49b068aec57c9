"""Snapshot or replay: how a client that comes back catches up, decided without I/O.

The WebSocket's hello and the HTTP fallback's ``events?after=N`` both ask it, so a client
is caught up the same way whichever path it takes (Zulip's "events since N", with a fresh
snapshot when those events cannot or should not be replayed).
"""

from __future__ import annotations

from typing import Literal

CatchUp = Literal["snapshot", "events"]


def catch_up_by(
    *,
    last_seq: int,
    head: int,
    snapshot_after: int,
    epoch: str | None = None,
    current_epoch: str | None = None,
) -> CatchUp:
    """A snapshot when the client counts from another log (a restored backup: its seqs
    name other events), is ahead of the head, or is more than ``snapshot_after`` events
    behind (a snapshot is then smaller than the events); else the events after last_seq."""
    restored = epoch is not None and epoch != current_epoch
    if restored or last_seq > head or head - last_seq > snapshot_after:
        return "snapshot"
    return "events"
