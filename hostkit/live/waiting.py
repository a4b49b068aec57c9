"""Words waiting for a host's approval reach only their author and the hosts.

Pre-moderation exists so that nothing reaches the room before a host has read it: an
abusive anonymous note must not sit in every phone's memory (or its developer tools)
while it waits. So the words of a waiting contribution are blanked in what is sent to
anyone else, live or on catch-up; once approved, the snapshot and replay carry them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import msgspec

from hostkit.domain import events as ev
from hostkit.domain.events import decode_event, encode_event
from hostkit.domain.model import SessionState
from hostkit.store.base import StoredEvent

# those who approve, and hall laptops (which pass them on by the same rule to their hall)
SEES_WAITING = frozenset({"host", "cell_host", "relay"})


def sees_waiting(state: SessionState, viewer_id: str | None) -> bool:
    viewer = state.participants.get(viewer_id or "")
    return viewer is not None and viewer.role in SEES_WAITING


def withheld(state: SessionState, viewer_id: str | None, contribution_id: str) -> bool:
    """Whether this viewer must not get this contribution's words (yet)."""
    c = state.contributions.get(contribution_id)
    return (
        c is not None
        and c.pending
        and c.author_id != viewer_id
        and not sees_waiting(state, viewer_id)
    )


def for_viewer(
    state: SessionState, viewer_id: str | None, events: list[StoredEvent]
) -> list[StoredEvent]:
    """The events as this viewer may get them. Nothing waits while moderation is off
    (turning it off approves everything), so then this costs nothing."""
    hidden = hidden_from(state, viewer_id, waiting_posts(state, events))
    return blanked(events, hidden.__contains__) if hidden else events


def waiting_posts(state: SessionState, events: list[StoredEvent]) -> tuple[tuple[str, str], ...]:
    """(contribution id, author id) of each post in these events still waiting for a host."""
    if not state.moderation:
        return ()
    out = []
    for stored in events:
        if stored.type == "contribution_posted":
            event = decode_event(stored.body)
            assert isinstance(event, ev.ContributionPosted)
            c = state.contributions.get(event.contribution_id)
            if c is not None and c.pending:
                out.append((c.id, c.author_id))
    return tuple(out)


def hidden_from(
    state: SessionState, viewer_id: str | None, posts: tuple[tuple[str, str], ...]
) -> frozenset[str]:
    """Which of these waiting posts this viewer must not read: viewers with the same set
    get the same bytes, so a batch is encoded once per set, not once per connection."""
    if not posts or sees_waiting(state, viewer_id):
        return frozenset()
    return frozenset(cid for cid, author in posts if author != viewer_id)


def blanked(events: list[StoredEvent], hide: Callable[[str], bool]) -> list[StoredEvent]:
    """The events with the words of the contributions ``hide`` names blanked."""
    out = []
    for stored in events:
        if stored.type == "contribution_posted":
            event = decode_event(stored.body)
            assert isinstance(event, ev.ContributionPosted)
            if hide(event.contribution_id):
                blank = msgspec.structs.replace(event, text="", photo_id=None)
                stored = replace(stored, body=encode_event(blank))
        out.append(stored)
    return out
