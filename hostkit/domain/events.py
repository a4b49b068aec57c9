"""Events: the facts a session's log records, one struct per kind.

Events are decided once (with ids and times already fixed) and folded many times,
so they carry everything ``apply`` needs and nothing it would have to look up.
"""

from __future__ import annotations

import msgspec

from hostkit.domain.model import (
    Answer,
    Attribution,
    CellKind,
    ContributionKind,
    Hat,
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
    topic_id: str | None = None
    slot: str | None = None
    space: str | None = None
    seats: int | None = None


class PhaseSpec(msgspec.Struct, frozen=True):
    id: str
    title: str
    question: str
    duration_s: int
    grouping: str
    allows: list[ContributionKind]
    attribution: PhaseAttribution | None = None
    dots: int = 0  # dots each person may place in this phase (0: no dot voting)


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
    pending: bool = False  # pre-moderation: held for a host's approval
    owner_id: str | None = None  # a next step (kind "action"): its owner, a participant...
    owner: str | None = None  # ...or written in
    due: str | None = None  # an ISO date
    # shared by a hall laptop (relay) after its internet came back: when it was written
    # (server time) and whether its phase had closed meanwhile (docs/relay.md)
    written_at: float | None = None
    late: bool = False


class ContributionWithdrawn(Event, tag="contribution_withdrawn", frozen=True):
    contribution_id: str


class ContributionHidden(Event, tag="contribution_hidden", frozen=True):
    contribution_id: str
    by: str


class VoteCast(Event, tag="vote_cast", frozen=True):
    contribution_id: str
    participant_id: str
    dots: int
    phase_id: str | None = None  # cast in a dot-voting phase: counts against its dots


class DotsSet(Event, tag="dots_set", frozen=True):
    """How many dots each person may place in a phase (0: no dot voting)."""

    phase_id: str
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


class RetentionSet(Event, tag="retention_set", frozen=True):
    days: int | None  # None: the server's default period


class LanguageSet(Event, tag="language_set", frozen=True):
    language: str | None  # None: no session default, each browser chooses


class ProjectorSet(Event, tag="projector_set", frozen=True):
    mode: str  # one of commands.PROJECTOR_MODES


class ResponseWindowSet(Event, tag="response_window_set", frozen=True):
    link: str
    until: float | None  # None: closed


class DigestResponded(Event, tag="digest_responded", frozen=True):
    response_id: str
    link: str
    phase_id: str
    text: str
    name: str | None


class TimerStarted(Event, tag="timer_started", frozen=True):
    phase_id: str
    remaining_s: float


class TimerPaused(Event, tag="timer_paused", frozen=True):
    remaining_s: float


class TimerExtended(Event, tag="timer_extended", frozen=True):
    seconds: int


class TimerStopped(Event, tag="timer_stopped", frozen=True):
    pass


class VenueTimerSet(Event, tag="venue_timer_set", frozen=True):
    """One venue's own timer starts, resumes, pauses or gets more time: its whole state,
    ``remaining_s`` left at the event's time, so a hall's late command lands as it was."""

    cell_id: str
    remaining_s: float
    running: bool


class VenueTimerStopped(Event, tag="venue_timer_stopped", frozen=True):
    cell_id: str


class ParticipantMoved(Event, tag="participant_moved", frozen=True):
    participant_id: str
    group_id: str | None
    by: str


class Announced(Event, tag="announced", frozen=True):
    text: str
    by: str
    cell_id: str | None = None  # None: every cell


class AnnouncementEnded(Event, tag="announcement_ended", frozen=True):
    seq: int  # the announcement's: its ``announced`` event's seq
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


# --- hosting formats ---------------------------------------------------------------


class SeatingProposed(Event, tag="seating_proposed", frozen=True):
    seats: dict[str, str]  # participant id -> group id
    repeats: int
    best: int


class SeatingAdjusted(Event, tag="seating_adjusted", frozen=True):
    participant_id: str
    group_id: str


class SeatingApplied(Event, tag="seating_applied", frozen=True):
    """Everyone moves to their proposed table; the round that ends joins the history."""

    seats: dict[str, str]


class HallRoundStarted(Event, tag="hall_round_started", frozen=True):
    """A new round in one venue: its people move to these tables (the round that ends joins
    the history, as for a café round); the host's proposal for the session is kept."""

    cell_id: str
    seats: dict[str, str]


class GroupsFormed(Event, tag="groups_formed", frozen=True):
    groups: list[GroupSpec]
    seats: dict[str, str]


class SpeakingOrderSet(Event, tag="speaking_order_set", frozen=True):
    group_id: str | None
    order: list[str]
    turn_s: int | None = None


class TalkingPieceMoved(Event, tag="talking_piece_moved", frozen=True):
    group_id: str | None
    holder: str | None  # None: everyone has had their turn
    passed_by: str | None = None  # the previous holder, when they passed without speaking


class QuestionMarked(Event, tag="question_marked", frozen=True):
    contribution_id: str
    answer: Answer


class PhaseAdded(Event, tag="phase_added", frozen=True):
    phase: PhaseSpec
    position: int


class PhaseEdited(Event, tag="phase_edited", frozen=True):
    phase: PhaseSpec


class PhaseRemoved(Event, tag="phase_removed", frozen=True):
    phase_id: str


class PhaseMoved(Event, tag="phase_moved", frozen=True):
    phase_id: str
    position: int


class CallUrlSet(Event, tag="call_url_set", frozen=True):
    group_id: str
    call_url: str | None


class HostCalled(Event, tag="host_called", frozen=True):
    call_id: str
    participant_id: str
    group_id: str | None
    text: str


class CallResolved(Event, tag="call_resolved", frozen=True):
    call_id: str
    by: str


class TopicPlaced(Event, tag="topic_placed", frozen=True):
    """A topic's group, new or moved to another slot or space of the grid."""

    group: GroupSpec


class HatSet(Event, tag="hat_set", frozen=True):
    participant_id: str
    hat: Hat
    on: bool


class HandMoved(Event, tag="hand_moved", frozen=True):
    participant_id: str
    group_id: str | None
    position: int


class HandsSorted(Event, tag="hands_sorted", frozen=True):
    group_id: str | None
    order: list[str]


# --- shared mechanics: pre-moderation, merging groups ---------------------------------


class ModerationSet(Event, tag="moderation_set", frozen=True):
    on: bool
    by: str


class ContributionApproved(Event, tag="contribution_approved", frozen=True):
    contribution_id: str
    by: str


class GroupsMerged(Event, tag="groups_merged", frozen=True):
    """``group_id`` closes into ``into_id`` (its people have already moved, one event each).

    ``notes`` are the contributions that move with it; each remembers the group it left.
    """

    group_id: str
    into_id: str
    notes: list[str]
    by: str


# --- Open Space reports ------------------------------------------------------------------


class ReportSubmitted(Event, tag="report_submitted", frozen=True):
    """A version of a topic group's report; the latest wins, every version stays logged."""

    group_id: str
    phase_id: str
    topic_id: str | None
    convener_id: str | None
    topic: str
    participant_ids: list[str]
    summary: str
    recommendations: str
    resources: str
    requests: str
    author_id: str
    off_record: bool = False


AnyEvent = (
    SessionCreated
    | ParticipantJoined
    | ContributionPosted
    | ContributionWithdrawn
    | ContributionHidden
    | VoteCast
    | DotsSet
    | ReactionToggled
    | HandRaised
    | HandLowered
    | PhaseOpened
    | PhaseClosed
    | PhaseAttributionSet
    | DigestPublished
    | DigestRevoked
    | ResponseWindowSet
    | RetentionSet
    | LanguageSet
    | ProjectorSet
    | DigestResponded
    | TimerStarted
    | TimerPaused
    | TimerExtended
    | TimerStopped
    | VenueTimerSet
    | VenueTimerStopped
    | ParticipantMoved
    | Announced
    | AnnouncementEnded
    | GroupCreated
    | GroupRenamed
    | RoleChanged
    | ParticipantRemoved
    | ParticipantMuted
    | TokenRotated
    | SeatingProposed
    | SeatingAdjusted
    | SeatingApplied
    | HallRoundStarted
    | GroupsFormed
    | SpeakingOrderSet
    | TalkingPieceMoved
    | QuestionMarked
    | PhaseAdded
    | PhaseEdited
    | PhaseRemoved
    | PhaseMoved
    | CallUrlSet
    | HostCalled
    | CallResolved
    | TopicPlaced
    | HatSet
    | HandMoved
    | HandsSorted
    | ModerationSet
    | ContributionApproved
    | GroupsMerged
    | ReportSubmitted
)

_decoder: msgspec.json.Decoder[AnyEvent] = msgspec.json.Decoder(AnyEvent)


def event_type(event: Event) -> str:
    return str(event.__struct_config__.tag)


def encode_event(event: Event) -> str:
    return msgspec.json.encode(event).decode()


def decode_event(body: str | bytes) -> AnyEvent:
    return _decoder.decode(body)
