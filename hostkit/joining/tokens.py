"""Signed tokens that let a phone or a facilitator's browser prove who it is.

Everything is signed with one server secret through ``itsdangerous``. Each kind of
token has its own salt, so a participant token can never pass as an admin token or
a CSRF token, and the other way round. Tokens are signed, not encrypted: never put
anything in one that its holder must not read.

Readers return None for anything that does not check out (forged, garbled, another
secret, another kind) and never raise, so request handlers can treat "no token" and
"bad token" alike.

A session imported from another hostkit (``hostkit import``) brings the key its
participant tokens were signed with, so the links its people hold keep working here.
Only the participant key travels: it is derived from the other server's secret, so an
archive can never make admin or CSRF tokens. Such a session's tokens are checked with
its own key, and with this server's too (tokens minted here before the key was known).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass

from itsdangerous import BadData, Signer, URLSafeSerializer

_PARTICIPANT_SALT = "hostkit.participant"
_ADMIN_SALT = "hostkit.admin"
_CSRF_SALT = "hostkit.csrf"
_DIGEST = {"digest_method": hashlib.sha256}

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
        self._participant = URLSafeSerializer(secret, salt=_PARTICIPANT_SALT, signer_kwargs=_DIGEST)
        self._admin = URLSafeSerializer(secret, salt=_ADMIN_SALT, signer_kwargs=_DIGEST)
        self._own_key = _encode_key(self._participant.make_signer().derive_key())
        self._session_keys: dict[str, str] = {}
        self._session_serializers: dict[str, URLSafeSerializer] = {}
        # The CSRF token is only the signature, so the session key it is bound to
        # (a cookie value) is never copied into the page.
        self._csrf = Signer(secret, salt=_CSRF_SALT, digest_method=hashlib.sha256)

    def participant_key(self, session_id: str) -> str:
        """The key that signs this session's participant tokens, as text for an archive."""
        return self._session_keys.get(session_id, self._own_key)

    def use_session_key(self, session_id: str, key: str) -> bool:
        """Sign and check this session's participant tokens with ``key`` (brought by an
        archive) as well as this server's; return whether that changed anything."""
        if self._session_keys.get(session_id, self._own_key) == key:
            return False
        self._session_keys[session_id] = key
        self._session_serializers[session_id] = URLSafeSerializer(
            decode_key(key),
            salt=_PARTICIPANT_SALT,
            signer_kwargs={**_DIGEST, "key_derivation": "none"},
        )
        return True

    def participant_token(self, session_id: str, participant_id: str, nonce: str) -> str:
        """Return a token naming this participant of this session."""
        serializer = self._session_serializers.get(session_id, self._participant)
        return serializer.dumps([session_id, participant_id, nonce])

    def read_participant_token(self, token: str) -> ParticipantClaim | None:
        """Return the claim in a participant token, or None if it is not a valid one."""
        serializers = [self._participant]
        claimed = _claim(_peek(self._participant, token))
        if claimed is not None and claimed.session_id in self._session_serializers:
            serializers.insert(0, self._session_serializers[claimed.session_id])
        for serializer in serializers:
            claim = _claim(_loads(serializer, token))
            if claim is not None:
                return claim
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


def decode_key(key: str) -> bytes:
    """The bytes of a participant key given as text; ValueError if it is not one."""
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (UnicodeError, binascii.Error) as error:
        raise ValueError("a participant key is URL-safe base64") from error
    if len(raw) != hashlib.sha256().digest_size:
        raise ValueError("a participant key is 32 bytes")
    return raw


def _encode_key(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def _claim(payload: object) -> ParticipantClaim | None:
    if (
        isinstance(payload, list)
        and len(payload) == 3
        and all(isinstance(part, str) for part in payload)
    ):
        session_id, participant_id, nonce = payload
        return ParticipantClaim(session_id, participant_id, nonce)
    return None


def _peek(serializer: URLSafeSerializer, token: str) -> object:
    """The payload of a token, unverified: only to choose which key checks it."""
    try:
        _ok, payload = serializer.loads_unsafe(token)
    except (BadData, UnicodeError, ValueError):
        return None
    return payload


def _loads(serializer: URLSafeSerializer, token: str) -> object:
    """Return the verified payload, or None for anything that does not verify."""
    try:
        payload: object = serializer.loads(token)
    except (BadData, UnicodeError):
        return None
    return payload
