"""Signed tokens: each kind round-trips, and nothing forged or misused gets through."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostkit.joining.tokens import (
    ParticipantClaim,
    TokenSigner,
    new_id,
    new_secret,
    new_session_id,
)


@pytest.fixture
def signer() -> TokenSigner:
    return TokenSigner(new_secret())


def tampered(token: str) -> str:
    """Flip one character in the middle of the token."""
    middle = len(token) // 2
    replacement = "A" if token[middle] != "A" else "B"
    return token[:middle] + replacement + token[middle + 1 :]


def test_participant_token_round_trips(signer: TokenSigner) -> None:
    token = signer.participant_token("sess-1", "part-7", "nonce-x")
    assert signer.read_participant_token(token) == ParticipantClaim(
        session_id="sess-1", participant_id="part-7", nonce="nonce-x"
    )


def test_participant_token_round_trips_text_outside_ascii(signer: TokenSigner) -> None:
    token = signer.participant_token("séance", "participant ☕", "n")
    claim = signer.read_participant_token(token)
    assert claim == ParticipantClaim("séance", "participant ☕", "n")


def test_tokens_are_url_safe(signer: TokenSigner) -> None:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")
    for token in (
        signer.participant_token("s" * 40, "p" * 40, "n" * 40),
        signer.admin_token("n" * 40),
        signer.csrf_token("k" * 40),
    ):
        assert set(token) <= allowed


def test_admin_token_round_trips_its_nonce(signer: TokenSigner) -> None:
    assert signer.read_admin_token(signer.admin_token("nonce-a")) == "nonce-a"


def test_csrf_token_checks_only_against_its_own_session_key(signer: TokenSigner) -> None:
    token = signer.csrf_token("session-key-1")
    assert signer.check_csrf("session-key-1", token)
    assert not signer.check_csrf("session-key-2", token)


def test_csrf_token_does_not_reveal_the_session_key(signer: TokenSigner) -> None:
    assert "session-key-1" not in signer.csrf_token("session-key-1")


def test_tampered_tokens_are_rejected(signer: TokenSigner) -> None:
    participant = signer.participant_token("sess-1", "part-7", "nonce-x")
    admin = signer.admin_token("nonce-a")
    csrf = signer.csrf_token("key")
    assert signer.read_participant_token(tampered(participant)) is None
    assert signer.read_admin_token(tampered(admin)) is None
    assert not signer.check_csrf("key", tampered(csrf))


def test_payload_edited_to_another_participant_is_rejected(signer: TokenSigner) -> None:
    mine = signer.participant_token("sess-1", "part-7", "nonce-x")
    theirs = signer.participant_token("sess-1", "part-8", "nonce-x")
    forged = theirs.split(".")[0] + "." + mine.split(".")[1]
    assert signer.read_participant_token(forged) is None


def test_tokens_signed_with_another_secret_are_rejected(signer: TokenSigner) -> None:
    other = TokenSigner(new_secret())
    assert signer.read_participant_token(other.participant_token("s", "p", "n")) is None
    assert signer.read_admin_token(other.admin_token("n")) is None
    assert not signer.check_csrf("key", other.csrf_token("key"))


def test_tokens_of_one_kind_never_pass_as_another(signer: TokenSigner) -> None:
    participant = signer.participant_token("s", "p", "n")
    admin = signer.admin_token("n")
    csrf = signer.csrf_token("n")
    assert signer.read_admin_token(participant) is None
    assert signer.read_participant_token(admin) is None
    assert signer.read_participant_token(csrf) is None
    assert signer.read_admin_token(csrf) is None
    assert not signer.check_csrf("n", admin)
    assert not signer.check_csrf("n", participant)


def test_same_secret_in_a_new_signer_reads_old_tokens() -> None:
    secret = new_secret()
    token = TokenSigner(secret).admin_token("nonce")
    assert TokenSigner(secret).read_admin_token(token) == "nonce"


@pytest.mark.parametrize(
    "garbage",
    ["", ".", "..", "not-a-token", "a.b.c", "\x00", "\ud800", "é" * 50, "=" * 10],
)
def test_garbled_tokens_are_rejected_without_raising(signer: TokenSigner, garbage: str) -> None:
    assert signer.read_participant_token(garbage) is None
    assert signer.read_admin_token(garbage) is None
    assert not signer.check_csrf("key", garbage)
    assert not signer.check_csrf(garbage, garbage)


@given(st.text())
def test_readers_never_raise_on_any_text(garbage: str) -> None:
    signer = TokenSigner("a fixed secret for hypothesis")
    assert signer.read_participant_token(garbage) is None
    assert signer.read_admin_token(garbage) is None
    assert not signer.check_csrf("key", garbage)


def test_short_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="new_secret"):
        TokenSigner("too short")


def test_new_secret_and_new_id_are_url_safe_fresh_and_long_enough() -> None:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    ids = {new_id() for _ in range(100)}
    secrets = {new_secret() for _ in range(100)}
    assert len(ids) == 100
    assert len(secrets) == 100
    for value in ids | secrets:
        assert set(value) <= allowed
    # 6 bits per character: 22 characters carry at least 128 bits.
    assert all(len(value) >= 22 for value in ids)
    assert all(len(value) >= 43 for value in secrets)


def test_a_new_session_id_never_starts_with_a_dash() -> None:
    # one id in 64 would (token_urlsafe), and a command line takes it for an option
    assert not any(new_session_id().startswith("-") for _ in range(3000))


def test_a_session_brought_from_another_server_keeps_its_links_and_nothing_more() -> None:
    hall, office = TokenSigner(new_secret()), TokenSigner(new_secret())
    link = hall.participant_token("moved", "host-1", "n1")
    other = hall.participant_token("stayed", "host-2", "n2")
    assert office.read_participant_token(link) is None
    assert office.use_session_key("moved", hall.participant_key("moved"))
    assert not office.use_session_key("moved", hall.participant_key("moved"))  # known already
    assert office.read_participant_token(link) == ParticipantClaim("moved", "host-1", "n1")
    # the key is the session's: no other session of the hall, no admin or CSRF token
    assert office.read_participant_token(other) is None
    assert office.read_admin_token(hall.admin_token("nonce")) is None
    assert not office.check_csrf("admin", hall.csrf_token("admin"))
    # links made here for the moved session are the ones people already hold
    assert office.participant_token("moved", "host-1", "n1") == link
    assert office.participant_key("moved") == hall.participant_key("moved")


def test_a_moved_session_still_takes_tokens_made_here_before_its_key_was_known() -> None:
    hall, office = TokenSigner(new_secret()), TokenSigner(new_secret())
    made_here = office.participant_token("moved", "dewi", "n3")
    office.use_session_key("moved", hall.participant_key("moved"))
    assert office.read_participant_token(made_here) == ParticipantClaim("moved", "dewi", "n3")
    assert office.read_participant_token(tampered(made_here)) is None


@pytest.mark.parametrize("key", ["", "not base64 at all!", "c2hvcnQ="])
def test_a_malformed_session_key_is_refused(signer: TokenSigner, key: str) -> None:
    with pytest.raises(ValueError, match="participant key"):
        signer.use_session_key("moved", key)
