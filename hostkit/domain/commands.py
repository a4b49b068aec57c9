"""Commands: what a participant asks the session to do.

Each is a msgspec struct tagged by ``type`` so that decoding a client's JSON both
validates it (wrong types and unknown fields are refused) and picks the command.
Length limits live here as constants because the rules and the docs both need them.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from hostkit.domain.model import (
    Answer,
    Attribution,
    ContributionKind,
    Grouping,
    Hat,
    PhaseAttribution,
    Reaction,
    Role,
    Where,
)

MAX_TEXT = 10_000  # a considered reply from home is long; every text people write
MAX_NAME = 60
MAX_TITLE = 200
MAX_TIMER_S = 24 * 3600
MIN_RETENTION_DAYS = 1
DEFAULT_RETENTION_DAYS = 90  # a session idle this long is deleted by `hostkit purge`
MAX_RETENTION_DAYS = 3660  # ten years: a council's longest record-keeping period
LANGUAGES = ("en", "cy")  # the languages hostkit ships (hostkit.i18n names them)


class Command(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, frozen=True):
    pass


class Join(Command, tag="join", frozen=True):
    """Issued by the server on behalf of someone joining; ids come from the adapter."""

    participant_id: str
    nonce: str
    name: str | None
    where: Where
    role: Role = "participant"
    cell_id: str | None = None
    group_id: str | None = None
    screen: bool = False


class PostContribution(Command, tag="post_contribution", frozen=True):
    kind: ContributionKind
    text: str
    group_id: str | None = None
    off_record: bool = False
    photo_id: str | None = None
    # when a hall laptop's phone wrote it (server time); only a relay may say so
    written_at: float | None = None


class JoinHall(Command, tag="join_hall", frozen=True):
    """A hall laptop (relay) joins a phone of its venue, with the ids it gave the phone."""

    participant_id: str
    nonce: str
    name: str | None
    group_id: str | None = None


class WithdrawContribution(Command, tag="withdraw_contribution", frozen=True):
    contribution_id: str


class WithdrawAll(Command, tag="withdraw_all", frozen=True):
    """Take back everything you said in this session, at once."""


class HideContribution(Command, tag="hide_contribution", frozen=True):
    contribution_id: str


class CastVote(Command, tag="cast_vote", frozen=True):
    contribution_id: str
    dots: int = 1  # 0 takes the vote back


class SetDots(Command, tag="set_dots", frozen=True):
    """Dot voting: how many dots each person may place in a phase (0 turns it off)."""

    phase_id: str
    dots: int


class React(Command, tag="react", frozen=True):
    contribution_id: str
    reaction: Reaction


class RaiseHand(Command, tag="raise_hand", frozen=True):
    pass


class LowerHand(Command, tag="lower_hand", frozen=True):
    participant_id: str | None = None  # someone else's hand: hosts only


class OpenPhase(Command, tag="open_phase", frozen=True):
    """Open a phase: its timer starts, and a café round seats people (see table_rules)."""

    phase_id: str
    timer: bool = True  # False: open it without starting its timer
    seat: bool = True  # False: a café round leaves everyone where they are


class ClosePhase(Command, tag="close_phase", frozen=True):
    phase_id: str


class SetPhaseAttribution(Command, tag="set_phase_attribution", frozen=True):
    """Make one phase more private than the session (Chatham House for part of a meeting)."""

    phase_id: str
    attribution: PhaseAttribution | None  # None: back to the session's mode


class PublishDigest(Command, tag="publish_digest", frozen=True):
    """Publish the digest at a read-only link; the adapter picks the unguessable link."""

    link: str
    attribution: Attribution | None = None  # None: the session's mode
    expires_at: float | None = None


class RevokeDigest(Command, tag="revoke_digest", frozen=True):
    link: str


ProjectorMode = Literal["question", "wall", "join", "results", "blank"]
PROJECTOR_MODES: tuple[ProjectorMode, ...] = ("question", "wall", "join", "results", "blank")


class SetProjector(Command, tag="set_projector", frozen=True):
    """What the big screen shows; every projector follows it live."""

    mode: ProjectorMode


class SetResponseWindow(Command, tag="set_response_window", frozen=True):
    """Let people who were not there respond through a published digest for some days."""

    link: str
    days: int  # 0 closes the window


class SetRetention(Command, tag="set_retention", frozen=True):
    """Keep this session for ``days`` after its last activity, then `hostkit purge` deletes it."""

    days: int | None = None  # None: the server's default period


class SetLanguage(Command, tag="set_language", frozen=True):
    """The session's language: its pages open in it (a person may still switch) and its
    digests are written in it."""

    language: str | None = None  # "en" or "cy"; None: no default, each browser chooses


class RespondToDigest(Command, tag="respond_to_digest", frozen=True):
    """Someone who was not there answers a phase's question through a published link.

    Issued by the server for the published page's form: the responder is not a participant.
    """

    link: str
    phase_id: str
    text: str
    name: str | None = None


# The timer commands run the session's phase timer, or with ``cell_id`` one venue's own
# timer (a hall running its own rounds: see timer_rules). ``written_at``: when a hall
# laptop's cell host did it (server time); only a relay may say so, for a venue's timer.


class StartTimer(Command, tag="start_timer", frozen=True):
    duration_s: int | None = None  # None: the phase's duration, or resume if paused
    cell_id: str | None = None
    written_at: float | None = None


class PauseTimer(Command, tag="pause_timer", frozen=True):
    cell_id: str | None = None
    written_at: float | None = None


class ExtendTimer(Command, tag="extend_timer", frozen=True):
    seconds: int
    cell_id: str | None = None
    written_at: float | None = None


class StopTimer(Command, tag="stop_timer", frozen=True):
    cell_id: str | None = None
    written_at: float | None = None


class MoveParticipant(Command, tag="move_participant", frozen=True):
    participant_id: str
    group_id: str | None


class ChooseGroup(Command, tag="choose_group", frozen=True):
    """Move yourself: scanning a table's QR code, or the law of two feet."""

    group_id: str | None


class Announce(Command, tag="announce", frozen=True):
    text: str
    cell_id: str | None = None  # one venue only; a cell host's announcements go to their own


class EndAnnouncement(Command, tag="end_announcement", frozen=True):
    """Take an announcement off the projector and the phones (done, or said by mistake)."""

    seq: int


class CreateGroup(Command, tag="create_group", frozen=True):
    name: str
    cell_id: str
    remote_seats: bool = False
    call_url: str | None = None


class RenameGroup(Command, tag="rename_group", frozen=True):
    group_id: str
    name: str


class SetRole(Command, tag="set_role", frozen=True):
    participant_id: str
    role: Role


class RemoveParticipant(Command, tag="remove_participant", frozen=True):
    participant_id: str


class MuteParticipant(Command, tag="mute_participant", frozen=True):
    participant_id: str
    muted: bool = True


class RotateToken(Command, tag="rotate_token", frozen=True):
    """Revoke a participant's links (e.g. a leaked host link); the adapter picks the nonce."""

    participant_id: str
    nonce: str


# --- hosting formats: seating, talking piece, questions, phases, topics, hats, hands ---


class ProposeSeating(Command, tag="propose_seating", frozen=True):
    """Propose the next round's tables: table hosts and callers stay, travellers mix."""

    seed: int = 0
    table_size: int = 4  # 3 for Troika Consulting


class StartHallRound(Command, tag="start_hall_round", frozen=True):
    """A new round in one venue: its room people re-mix among its tables (table hosts stay).

    ``seats`` (person -> table) is the round a hall laptop already seated while offline:
    the server seats the hall as the hall saw it. None: the server mixes the travellers.
    """

    cell_id: str
    seats: dict[str, str] | None = None


class AdjustSeating(Command, tag="adjust_seating", frozen=True):
    participant_id: str
    group_id: str


class ApplySeating(Command, tag="apply_seating", frozen=True):
    pass


class FormGroups(Command, tag="form_groups", frozen=True):
    """1-2-4-All: pairs (size 2) from everyone, or fours (size 4) from the current pairs."""

    size: int
    seed: int = 0


class SetSpeakingOrder(Command, tag="set_speaking_order", frozen=True):
    """Publish a circle's order (everyone in it, room and remote alternating by default)."""

    group_id: str | None = None
    room_first: bool = True
    turn_s: int | None = None
    order: list[str] | None = None  # the host's own order; None: hostkit's


class PassTalkingPiece(Command, tag="pass_talking_piece", frozen=True):
    """Hand the piece on: after speaking, or ``passed`` without speaking."""

    group_id: str | None = None
    passed: bool = False


class MarkAnswered(Command, tag="mark_answered", frozen=True):
    contribution_id: str
    answer: Answer = "answered"


class AddPhase(Command, tag="add_phase", frozen=True):
    """A new phase; ``allows`` is a list, or comma-separated kinds (from a plain form)."""

    title: str
    question: str
    duration_s: int
    grouping: Grouping = "plenary"
    allows: list[ContributionKind] | str | None = None  # None: notes, questions, insights, photos
    position: int | None = None  # None: at the end


class EditPhase(Command, tag="edit_phase", frozen=True):
    phase_id: str
    title: str | None = None
    question: str | None = None
    duration_s: int | None = None
    grouping: Grouping | None = None
    allows: list[ContributionKind] | str | None = None


class RemovePhase(Command, tag="remove_phase", frozen=True):
    phase_id: str


class MovePhase(Command, tag="move_phase", frozen=True):
    phase_id: str
    position: int


class SetCallUrl(Command, tag="set_call_url", frozen=True):
    group_id: str
    call_url: str | None = None  # None removes it


class CallHost(Command, tag="call_host", frozen=True):
    text: str = ""


class ResolveCall(Command, tag="resolve_call", frozen=True):
    call_id: str


class PlaceTopic(Command, tag="place_topic", frozen=True):
    """Put an Open Space topic in the time x space grid; it becomes a group to join."""

    contribution_id: str
    slot: str
    space: str
    cell_id: str | None = None  # None: the online cell for online spaces is not guessed


class PlaceTopics(Command, tag="place_topics", frozen=True):
    """Let hostkit place every unplaced topic in the first free slot and space, in order.

    ``slots`` and ``spaces`` are lists, or comma-separated (from a plain form).
    """

    slots: list[str] | str
    spaces: list[str] | str
    cell_id: str | None = None


class SetHat(Command, tag="set_hat", frozen=True):
    participant_id: str
    hat: Hat
    on: bool = True


class MoveHand(Command, tag="move_hand", frozen=True):
    participant_id: str
    position: int = 0  # 0: to the front of the queue


class SortHands(Command, tag="sort_hands", frozen=True):
    """Alternate the room and remote hands of a queue, ``first`` side first."""

    group_id: str | None = None
    first: Where = "remote"


# --- shared mechanics: pre-moderation, merging and splitting groups -----------------


class SetModeration(Command, tag="set_moderation", frozen=True):
    """Hold contributions for a host's approval before they reach the projector wall."""

    on: bool = True  # turning it off lets everything still waiting through


class ApproveContribution(Command, tag="approve_contribution", frozen=True):
    contribution_id: str


class MergeGroups(Command, tag="merge_groups", frozen=True):
    """Group ``group_id`` joins ``into_id``: its people and notes move, then it closes."""

    group_id: str
    into_id: str


class SplitGroup(Command, tag="split_group", frozen=True):
    """Divide a group's people into ``parts`` groups, or move the chosen people to a new one.

    ``participant_ids`` is a list, or comma-separated (from a plain form); when given, they
    go to a new group called ``name`` and ``parts`` is not used.
    """

    group_id: str
    parts: int = 2
    name: str | None = None
    participant_ids: list[str] | str | None = None


# --- Open Space reports and next steps ----------------------------------------------------


class SubmitReport(Command, tag="submit_report", frozen=True):
    """Save a topic group's report (a new version: the latest wins).

    ``participant_ids`` is a list, or comma-separated (from a plain form's checkboxes);
    None keeps the last version's people, or everyone who has been in the group.
    ``convener_id`` None keeps the last version's convener, or the topic's proposer.
    ``base_version`` is the version the writer started from: if someone saved since,
    the report is refused rather than silently overwritten.
    """

    group_id: str
    summary: str = ""
    recommendations: str = ""
    resources: str = ""
    requests: str = ""
    topic: str | None = None  # None: the topic as proposed
    convener_id: str | None = None
    participant_ids: list[str] | str | None = None
    base_version: int | None = None
    off_record: bool = False


class RecordAction(Command, tag="record_action", frozen=True):
    """A next step (a contribution of kind "action") with its owner and an optional date.

    The owner is a participant (``owner_id``) or written in (``owner``: a person or an
    organisation), not both; neither means nobody has taken it on yet.
    """

    text: str
    owner_id: str | None = None
    owner: str | None = None
    due: str | None = None  # YYYY-MM-DD
    group_id: str | None = None
    off_record: bool = False


AnyCommand = (
    Join
    | JoinHall
    | PostContribution
    | WithdrawContribution
    | WithdrawAll
    | HideContribution
    | CastVote
    | SetDots
    | React
    | RaiseHand
    | LowerHand
    | OpenPhase
    | ClosePhase
    | SetPhaseAttribution
    | PublishDigest
    | RevokeDigest
    | SetResponseWindow
    | SetRetention
    | SetLanguage
    | SetProjector
    | RespondToDigest
    | StartTimer
    | PauseTimer
    | ExtendTimer
    | StopTimer
    | MoveParticipant
    | ChooseGroup
    | Announce
    | EndAnnouncement
    | CreateGroup
    | RenameGroup
    | SetRole
    | RemoveParticipant
    | MuteParticipant
    | RotateToken
    | ProposeSeating
    | StartHallRound
    | AdjustSeating
    | ApplySeating
    | FormGroups
    | SetSpeakingOrder
    | PassTalkingPiece
    | MarkAnswered
    | AddPhase
    | EditPhase
    | RemovePhase
    | MovePhase
    | SetCallUrl
    | CallHost
    | ResolveCall
    | PlaceTopic
    | PlaceTopics
    | SetHat
    | MoveHand
    | SortHands
    | SetModeration
    | ApproveContribution
    | MergeGroups
    | SplitGroup
    | SubmitReport
    | RecordAction
)

# Commands a client may send itself; Join, RotateToken and PublishDigest are issued by the
# server (they carry secrets the server must choose), and RespondToDigest on behalf of
# someone who is not a participant.
ClientCommand = (
    PostContribution
    | JoinHall
    | WithdrawContribution
    | WithdrawAll
    | HideContribution
    | CastVote
    | SetDots
    | React
    | RaiseHand
    | LowerHand
    | OpenPhase
    | ClosePhase
    | SetPhaseAttribution
    | RevokeDigest
    | SetResponseWindow
    | SetRetention
    | SetLanguage
    | SetProjector
    | StartTimer
    | PauseTimer
    | ExtendTimer
    | StopTimer
    | MoveParticipant
    | ChooseGroup
    | Announce
    | EndAnnouncement
    | CreateGroup
    | RenameGroup
    | SetRole
    | RemoveParticipant
    | MuteParticipant
    | ProposeSeating
    | StartHallRound
    | AdjustSeating
    | ApplySeating
    | FormGroups
    | SetSpeakingOrder
    | PassTalkingPiece
    | MarkAnswered
    | AddPhase
    | EditPhase
    | RemovePhase
    | MovePhase
    | SetCallUrl
    | CallHost
    | ResolveCall
    | PlaceTopic
    | PlaceTopics
    | SetHat
    | MoveHand
    | SortHands
    | SetModeration
    | ApproveContribution
    | MergeGroups
    | SplitGroup
    | SubmitReport
    | RecordAction
)


def command_type(command: Command) -> str:
    return str(command.__struct_config__.tag)
