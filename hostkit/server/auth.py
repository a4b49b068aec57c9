"""Who is calling: tokens from hellos, headers, cookies and links, resolved to participants."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from hostkit.domain.model import Participant
from hostkit.joining.tokens import TokenSigner
from hostkit.live.admission import claimed
from hostkit.live.hub import Hub
from hostkit.store.base import EventStore


def cookie_name(session_id: str) -> str:
    return f"hk_{session_id}"


def token_from(conn: HTTPConnection, session_id: str) -> str | None:
    """A participant token from the Authorization header, else the session's cookie."""
    header = conn.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return conn.cookies.get(cookie_name(session_id))


async def participant_for(
    hub: Hub, signer: TokenSigner, session_id: str, token: str | None
) -> Participant | None:
    """The participant a token stands for, if it is valid, current and not revoked."""
    if not token:
        return None
    live = await hub.live(session_id)
    if live is None:
        return None
    return claimed(live.committed, session_id, signer.read_participant_token(token))


async def is_admin(store: EventStore, signer: TokenSigner, key: str | None) -> bool:
    """Whether a key is the admin link's (printed at first start), as the admin page checks."""
    if not key:
        return False
    nonce = await store.get_meta("admin_nonce")
    return nonce is not None and signer.read_admin_token(key) == nonce
