"""Who a hello lets in, decided without I/O, for the WebSocket and the HTTP fallback alike.

Both paths ask the same question of the same two facts: the session's state (None: there
is no such session) and what the caller's token claims (None: no token, or not one this
server signed). The answer is the participant, or a ``Refusal`` each path renders its own
way: an error frame and a close code on the socket, a status over HTTP. As websockets
accepts or rejects a handshake without a socket, this is tested without a server.
"""

from __future__ import annotations

from dataclasses import dataclass

from hostkit.domain.model import Participant, SessionState
from hostkit.joining.tokens import ParticipantClaim
from hostkit.live.protocol import CLOSE_UNAUTHORISED, CLOSE_UNKNOWN_SESSION


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a caller is not let in, in the words and numbers of both paths."""

    code: str
    message: str
    status: int  # the HTTP fallback's status
    close_code: int  # the WebSocket's close code
    close_reason: str
    tell_socket: bool = True  # send the error frame on the socket before closing it


# A socket to no session learns it from its close code alone (pages treat 4404 as a dead link).
UNKNOWN_SESSION = Refusal(
    "unknown_session",
    "There is no such session.",
    404,
    CLOSE_UNKNOWN_SESSION,
    "No such session.",
    tell_socket=False,
)
UNAUTHORISED = Refusal(
    "unauthorised",
    "This link is not valid for this session.",
    401,
    CLOSE_UNAUTHORISED,
    "Not a valid token for this session.",
)


def claimed(
    state: SessionState, session_id: str, claim: ParticipantClaim | None
) -> Participant | None:
    """The participant a token's claim stands for, if it is of this session, current
    (its nonce not rotated) and not removed."""
    if claim is None or claim.session_id != session_id:
        return None
    found = state.participants.get(claim.participant_id)
    if found is None or found.removed or found.nonce != claim.nonce:
        return None
    return found


def admit(
    state: SessionState | None, session_id: str, claim: ParticipantClaim | None
) -> Participant | Refusal:
    """The hello check: the participant let in, or why not (no session first, then the token)."""
    if state is None:
        return UNKNOWN_SESSION
    who = claimed(state, session_id, claim)
    return UNAUTHORISED if who is None else who
