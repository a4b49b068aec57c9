"""Signed tokens that let a phone or a facilitator's browser prove who it is.

Everything is signed with one server secret through ``itsdangerous``. Each kind of
token has its own salt, so a participant token can never pass as an admin token or
a CSRF token, and the other way round. Tokens are signed, not encrypted: never put
anything in one that its holder must not read.

Readers return None for anything that does not check out (forged, garbled, another
secret, another kind) and never raise, so request handlers can treat "no token" and
"bad token" alike.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from itsdangerous import BadData, Signer, URLSafeSerializer

_PARTICIPANT_SALT = "hostkit.participant"
_ADMIN_SALT = "hostkit.admin"
_CSRF_SALT = "hostkit.csrf"

MIN_SECRET_LENGTH = 16


@dataclass(frozen=True, slots=True)
class ParticipantClaim:
    """What a valid participant token says: this device is this participant."""

    session_id: str
    participant_id: str
    nonce: str


def new_secret() -> str:
    """Return a fresh server secret (256 bits, URL-safe text) for signing tokens."""
    return secrets.token_urlsafe(32)


def new_id() -> str:
    """Return a fresh unguessable id (128 bits, URL-safe text)."""
    return secrets.token_urlsafe(16)


def new_session_id() -> str:
    """A fresh id that never begins with ``-``: people paste it into command lines."""
    while (made := new_id()).startswith("-"):
        pass
    return made


class TokenSigner:
    """Makes and checks every kind of token hostkit hands out, under one secret."""

    def __init__(self, secret: str) -> None:
        if len(secret) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"the signing secret must be at least {MIN_SECRET_LENGTH} characters; "
                "make one with new_secret()"
            )
        signer_kwargs = {"digest_method": hashlib.sha256}
        self._participant = URLSafeSerializer(
            secret, salt=_PARTICIPANT_SALT, signer_kwargs=signer_kwargs
        )
        self._admin = URLSafeSerializer(secret, salt=_ADMIN_SALT, signer_kwargs=signer_kwargs)
        # The CSRF token is only the signature, so the session key it is bound to
        # (a cookie value) is never copied into the page.
        self._csrf = Signer(secret, salt=_CSRF_SALT, digest_method=hashlib.sha256)

    def participant_token(self, session_id: str, participant_id: str, nonce: str) -> str:
        """Return a token naming this participant of this session."""
        return self._participant.dumps([session_id, participant_id, nonce])

    def read_participant_token(self, token: str) -> ParticipantClaim | None:
        """Return the claim in a participant token, or None if it is not a valid one."""
        payload = _loads(self._participant, token)
        if (
            isinstance(payload, list)
            and len(payload) == 3
            and all(isinstance(part, str) for part in payload)
        ):
            session_id, participant_id, nonce = payload
            return ParticipantClaim(session_id, participant_id, nonce)
        return None

    def admin_token(self, nonce: str) -> str:
        """Return a token granting facilitator rights, tied to a revocable nonce."""
        return self._admin.dumps(nonce)

    def read_admin_token(self, token: str) -> str | None:
        """Return the nonce in an admin token, or None if it is not a valid one."""
        payload = _loads(self._admin, token)
        return payload if isinstance(payload, str) else None

    def csrf_token(self, session_key: str) -> str:
        """Return the CSRF token for forms served to the holder of this session key."""
        return self._csrf.get_signature(session_key).decode("ascii")

    def check_csrf(self, session_key: str, token: str) -> bool:
        """Tell whether a submitted CSRF token belongs to this session key."""
        try:
            return self._csrf.verify_signature(session_key, token)
        except UnicodeError:  # lone surrogates in the session key
            return False


def _loads(serializer: URLSafeSerializer, token: str) -> object:
    """Return the verified payload, or None for anything that does not verify."""
    try:
        payload: object = serializer.loads(token)
    except (BadData, UnicodeError):
        return None
    return payload
