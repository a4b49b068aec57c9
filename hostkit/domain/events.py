"""Events: the facts a session's log records, one struct per kind.

Events are decided once (with ids and times already fixed) and folded many times,
so they carry everything ``apply`` needs and nothing it would have to look up.
"""

from __future__ import annotations

import msgspec

from hostkit.domain.model import (
    Attribution,
    CellKind,
    ContributionKind,
    PhaseAttribution,
    Reaction,
    Role,
    Where,
)


class Event(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, frozen=True):
    pass


class CellSpec(msgspec.Struct, frozen=True):
    id: str
    name: str
    kind: CellKind


class GroupSpec(msgspec.Struct, frozen=True):
    id: str
    name: str
    cell_id: str
    remote_seats: bool = False
    call_url: str | None = None


class PhaseSpec(msgspec.Struct, frozen=True):
    id: str
    title: str
    question: str
    duration_s: int
    grouping: str
    allows: list[ContributionKind]
    attribution: PhaseAttribution | None = None


class SessionCreated(Event, tag="session_created", frozen=True):
    title: str
    purpose: str
    licence: str
    format: str
    attribution: Attribution
    join_code: str
    cells: list[CellSpec]
    phases: list[PhaseSpec]
    groups: list[GroupSpec] = []


class ParticipantJoined(Event, tag="participant_joined", frozen=True):
    participant_id: str
    name: str | None
    where: Where
    role: Role
    cell_id: str
    group_id: str | None
    nonce: str
    screen: bool = False


class ContributionPosted(Event, tag="contribution_posted", frozen=True):
    contribution_id: str
    kind: ContributionKind
    text: str
    author_id: str
    group_id: str | None
    phase_id: str
    off_record: bool = False
    photo_id: str | None = None


class ContributionWithdrawn(Event, tag="contribution_withdrawn", frozen=True):
    contribution_id: str


class ContributionHidden(Event, tag="contribution_hidden", frozen=True):
    contribution_id: str
    by: str


class VoteCast(Event, tag="vote_cast", frozen=True):
    contribution_id: str
    participant_id: str
    dots: int


class ReactionToggled(Event, tag="reaction_toggled", frozen=True):
    contribution_id: str
    participant_id: str
    reaction: Reaction
    on: bool


class HandRaised(Event, tag="hand_raised", frozen=True):
    participant_id: str
    group_id: str | None


class HandLowered(Event, tag="hand_lowered", frozen=True):
    participant_id: str
    group_id: str | None
    by: str


class PhaseOpened(Event, tag="phase_opened", frozen=True):
    phase_id: str


class PhaseClosed(Event, tag="phase_closed", frozen=True):
    phase_id: str


class PhaseAttributionSet(Event, tag="phase_attribution_set", frozen=True):
    phase_id: str
    attribution: PhaseAttribution | None


class DigestPublished(Event, tag="digest_published", frozen=True):
    link: str
    attribution: Attribution
    expires_at: float | None = None


class DigestRevoked(Event, tag="digest_revoked", frozen=True):
    link: str


class TimerStarted(Event, tag="timer_started", frozen=True):
    phase_id: str
    remaining_s: float


class TimerPaused(Event, tag="timer_paused", frozen=True):
    remaining_s: float


class TimerExtended(Event, tag="timer_extended", frozen=True):
    seconds: int


class TimerStopped(Event, tag="timer_stopped", frozen=True):
    pass


class ParticipantMoved(Event, tag="participant_moved", frozen=True):
    participant_id: str
    group_id: str | None
    by: str


class Announced(Event, tag="announced", frozen=True):
    text: str
    by: str


class GroupCreated(Event, tag="group_created", frozen=True):
    group: GroupSpec


class GroupRenamed(Event, tag="group_renamed", frozen=True):
    group_id: str
    name: str


class RoleChanged(Event, tag="role_changed", frozen=True):
    participant_id: str
    role: Role


class ParticipantRemoved(Event, tag="participant_removed", frozen=True):
    participant_id: str


class ParticipantMuted(Event, tag="participant_muted", frozen=True):
    participant_id: str
    muted: bool


class TokenRotated(Event, tag="token_rotated", frozen=True):
    participant_id: str
    nonce: str


AnyEvent = (
    SessionCreated
    | ParticipantJoined
    | ContributionPosted
    | ContributionWithdrawn
    | ContributionHidden
    | VoteCast
    | ReactionToggled
    | HandRaised
    | HandLowered
    | PhaseOpened
    | PhaseClosed
    | PhaseAttributionSet
    | DigestPublished
    | DigestRevoked
    | TimerStarted
    | TimerPaused
    | TimerExtended
    | TimerStopped
    | ParticipantMoved
    | Announced
    | GroupCreated
    | GroupRenamed
    | RoleChanged
    | ParticipantRemoved
    | ParticipantMuted
    | TokenRotated
)

_decoder: msgspec.json.Decoder[AnyEvent] = msgspec.json.Decoder(AnyEvent)


def event_type(event: Event) -> str:
    return str(event.__struct_config__.tag)


def encode_event(event: Event) -> str:
    return msgspec.json.encode(event).decode()


def decode_event(body: str | bytes) -> AnyEvent:
    return _decoder.decode(body)
