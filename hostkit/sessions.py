"""Creating sessions and the links people use to reach them.

Shared by ``hostkit new`` and the admin page, and safe to run beside a live server on
the same data directory: it only writes a new session's first events.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from hostkit.domain import commands as cmd
from hostkit.domain.events import AnyEvent, LanguageSet, encode_event, event_type
from hostkit.domain.fold import apply
from hostkit.domain.formats import LICENCES, session_created
from hostkit.domain.model import Attribution, SessionState
from hostkit.domain.rejections import Rejection
from hostkit.domain.rules import decide
from hostkit.joining.joincode import new_join_code
from hostkit.joining.tokens import TokenSigner, new_id, new_secret, new_session_id
from hostkit.live.replay import fold_log
from hostkit.store.base import (
    SESSION_KEY_PREFIX,
    EventStore,
    JoinCodeTaken,
    StoredEvent,
    session_key_name,
)


@dataclass(frozen=True, slots=True)
class SessionLinks:
    session_id: str
    join_code: str
    host_url: str
    room_url: str
    remote_url: str
    projector_url: str
    qr_svg_url: str
    qr_png_url: str
    # each venue's secret hall laptop link (``hostkit relay --upstream``): venue name -> URL
    venue_links: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def signer_for(store: EventStore) -> TokenSigner:
    """The server's signing key, made on first use and kept in the store, with the keys
    of the sessions imported with their own (``hostkit import``)."""
    signer = TokenSigner(await store.set_meta_if_absent("signing_secret", new_secret()))
    for name, key in (await store.meta_starting(SESSION_KEY_PREFIX)).items():
        with contextlib.suppress(ValueError):  # a damaged key: that session's old links fail
            signer.use_session_key(name.removeprefix(SESSION_KEY_PREFIX), key)
    return signer


async def learn_session_key(store: EventStore, signer: TokenSigner, session_id: str) -> bool:
    """Have the signer use the key an imported session brought (``hostkit import``), if it
    has one the signer does not use yet; return whether it learned one. A server learns
    it the first time one of that session's tokens fails its own key, so a session
    imported while the server runs works at once."""
    key = await store.get_meta(session_key_name(session_id))
    if key is None:
        return False
    try:
        return signer.use_session_key(session_id, key)
    except ValueError:
        return False


async def admin_key(store: EventStore) -> str:
    """The key of the admin link: whoever can read the store is this server's admin."""
    signer = await signer_for(store)
    return signer.admin_token(await store.set_meta_if_absent("admin_nonce", new_id()))


async def admin_url(store: EventStore, base: str) -> str:
    return f"{base}/admin?key={await admin_key(store)}"


def room_url(base: str, join_code: str, group_id: str | None = None) -> str:
    url = f"{base}/j/{join_code}/room"
    return f"{url}?table={group_id}" if group_id else url


def venue_link(base: str, signer: TokenSigner, state: SessionState, relay_id: str) -> str:
    """The secret link a hall laptop relays its venue with (``hostkit relay --upstream``)."""
    relay = state.participants[relay_id]
    return (
        f"{base}/s/{state.id}/relay?key={signer.participant_token(state.id, relay.id, relay.nonce)}"
    )


def venue_links(base: str, signer: TokenSigner, state: SessionState) -> dict[str, str]:
    """Venue name -> its hall laptop link, for every venue whose link stands."""
    return {
        state.cells[p.cell_id].name: venue_link(base, signer, state, p.id)
        for p in state.participants.values()
        if p.role == "relay" and not p.removed and p.cell_id in state.cells
    }


def projector_of(state: SessionState) -> str | None:
    """The id of the session's projector screen (hall laptops are screens too: not them)."""
    return next(
        (p.id for p in state.participants.values() if p.screen and p.role == "observer"), None
    )


def links(
    base: str, signer: TokenSigner, state: SessionState, host_id: str, screen_id: str
) -> SessionLinks:
    host, screen = state.participants[host_id], state.participants[screen_id]
    sid = state.id
    return SessionLinks(
        session_id=sid,
        join_code=state.join_code,
        host_url=f"{base}/s/{sid}/host?key={signer.participant_token(sid, host.id, host.nonce)}",
        room_url=room_url(base, state.join_code),
        remote_url=f"{base}/j/{state.join_code}/remote",
        projector_url=(
            f"{base}/s/{sid}/projector?key={signer.participant_token(sid, screen.id, screen.nonce)}"
        ),
        qr_svg_url=f"{base}/s/{sid}/qr/room.svg",
        qr_png_url=f"{base}/s/{sid}/qr/room.png",
        venue_links=venue_links(base, signer, state),
    )


async def create_session(
    store: EventStore,
    *,
    base: str,
    title: str,
    format_id: str,
    purpose: str = "",
    attribution: Attribution = "attributed",
    venues: tuple[str, ...] = ("Main room",),
    host_name: str | None = "Host",
    clock: float | None = None,
    language: str | None = None,
    licence: str = "",
) -> SessionLinks:
    """Create a session with a host and a projector screen; return its links.

    ``language`` ("en", "cy") is the session's language from the start, as if the host had
    set it; None leaves it to each person's browser. ``licence`` is the host's choice for
    the harvest (one of ``LICENCES``); "" means nobody chose one, and digests say so.
    """
    if licence and licence not in LICENCES:
        raise ValueError(f"choose one of {', '.join(LICENCES)}, not {licence!r}")
    if language is not None and language not in cmd.LANGUAGES:
        raise ValueError(f"hostkit ships {', '.join(cmd.LANGUAGES)}, not {language!r}")
    now = time.time() if clock is None else clock
    signer = await signer_for(store)
    session_id, host_id, screen_id = new_session_id(), new_id(), new_id()
    for _attempt in range(20):
        code = new_join_code()
        state = SessionState(id=session_id)
        first: list[AnyEvent] = [
            session_created(
                title=title,
                format_id=format_id,
                join_code=code,
                purpose=purpose,
                attribution=attribution,
                venues=venues,
                licence=licence,
            )
        ]
        apply(state, first[0], seq=1, at=now)
        for pid, name, role, screen in (
            (host_id, host_name, "host", False),
            (screen_id, "Projector", "observer", True),
        ):
            join = cmd.Join(pid, new_id(), name, "room", role, screen=screen)  # type: ignore[arg-type]
            decided = decide(state, None, join, now=now)
            if isinstance(decided, Rejection):
                raise RuntimeError(decided.message)
            apply(state, decided[0], seq=state.last_seq + 1, at=now)
            first.extend(decided)
        for cell in [c for c in state.cells.values() if c.kind == "venue"]:  # hall laptops
            relay = cmd.Join(
                new_id(), new_id(), "Hall laptop", "room", "relay", cell.id, screen=True
            )
            decided = decide(state, None, relay, now=now)
            if isinstance(decided, Rejection):
                raise RuntimeError(decided.message)
            apply(state, decided[0], seq=state.last_seq + 1, at=now)
            first.extend(decided)
        if language is not None:
            first.append(LanguageSet(language))
            apply(state, first[-1], seq=state.last_seq + 1, at=now)
        stored = [
            StoredEvent(session_id, seq, event_type(e), now, None, None, encode_event(e))
            for seq, e in enumerate(first, 1)
        ]
        try:
            await store.create_session(session_id, code, now, stored)
        except JoinCodeTaken:
            continue
        return links(base, signer, state, host_id, screen_id)
    raise RuntimeError("Could not find a free join code.")


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A session as the admin page and ``hostkit list`` show it, with its links."""

    title: str
    format: str
    created_at: float
    last_activity: float
    licence: str
    links: SessionLinks
    cards_url: str

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "format": self.format,
            "created_at": self.created_at,
            "last_activity": self.last_activity,
            "licence": self.licence,
            **self.links.as_dict(),
            "cards_url": self.cards_url,
        }


async def session_list(store: EventStore, base: str, newest: int = 50) -> list[SessionSummary]:
    """The newest sessions first, with their host, projector, room and remote links, so a
    host who lost the links finds them again (the admin page and ``hostkit list``)."""
    signer = await signer_for(store)
    found = []
    for session_id, last in sorted(await store.last_activity(), key=lambda s: -s[1])[:newest]:
        summary = await session_summary(store, signer, base, session_id, last)
        if summary is not None:
            found.append(summary)
    return found


async def session_summary(
    store: EventStore, signer: TokenSigner, base: str, session_id: str, last: float
) -> SessionSummary | None:
    """One session with its links (signed with its own key if it was imported with one);
    None if it has no host or projector to link to."""
    state = fold_log(session_id, await store.read(session_id))
    host = next((p for p in state.participants.values() if p.role == "host"), None)
    screen = projector_of(state)
    if host is None or screen is None:
        return None
    key = signer.participant_token(session_id, host.id, host.nonce)
    return SessionSummary(
        state.title,
        state.format,
        state.created_at,
        last,
        state.licence,
        links(base, signer, state, host.id, screen),
        f"{base}/s/{session_id}/cards?key={key}",
    )
