"""The hello check, decided without a server: the participant, or why not."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hostkit.domain import events as ev
from hostkit.joining.tokens import ParticipantClaim
from hostkit.live.admission import UNAUTHORISED, UNKNOWN_SESSION, admit, claimed
from tests.domain_helpers import T0, fold, person, session


def claim(
    participant_id: str = "ana", nonce: str = "nonce-ana", session_id: str = ""
) -> ParticipantClaim:
    return ParticipantClaim(session_id, participant_id, nonce)


def test_a_current_token_of_this_session_lets_its_participant_in() -> None:
    state = session(person("ana"))
    who = admit(state, state.id, claim(session_id=state.id))
    assert who == state.participants["ana"]


def test_no_session_is_refused_before_the_token_is_looked_at() -> None:
    assert admit(None, "gone", claim(session_id="gone")) is UNKNOWN_SESSION
    assert admit(None, "gone", None) is UNKNOWN_SESSION
    assert (UNKNOWN_SESSION.status, UNKNOWN_SESSION.close_code) == (404, 4404)
    assert not UNKNOWN_SESSION.tell_socket  # the close code says it all


@pytest.mark.parametrize(
    "why",
    ["no token", "another session", "someone not here", "rotated", "removed"],
)
def test_a_token_that_does_not_stand_for_a_current_participant_is_unauthorised(why: str) -> None:
    state = session(person("host", role="host"), person("ana"))
    token = {
        "no token": None,
        "another session": claim(session_id="another"),
        "someone not here": claim("zed", "nonce-zed", state.id),
        "rotated": claim(session_id=state.id),
        "removed": claim(session_id=state.id),
    }[why]
    if why == "rotated":
        fold(state, ev.TokenRotated("ana", "fresh"), at=T0)
    if why == "removed":
        fold(state, ev.ParticipantRemoved("ana"), at=T0)
    refused = admit(state, state.id, token)
    assert refused is UNAUTHORISED
    assert (refused.code, refused.status, refused.close_code) == ("unauthorised", 401, 4401)
    assert refused.tell_socket
    assert claimed(state, state.id, token) is None


@pytest.mark.parametrize("adapter", ["websocket.py", "api.py"])
def test_the_websocket_and_the_http_fallback_ask_the_same_checks(adapter: str) -> None:
    source = (Path(__file__).resolve().parent.parent / "hostkit" / "server" / adapter).read_text()
    called = {
        n.func.id
        for n in ast.walk(ast.parse(source))
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }
    assert {"admit", "catch_up_by", "storage_failed"} <= called
