"""The state of one session: plain data, the fold of its events.

State objects are mutable dataclasses because folding thousands of contributions by
copying would be wasteful; only ``apply`` mutates them, and it reads nothing but the
state and the event, so the state is still a pure function of the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["host", "cell_host", "table_host", "participant", "observer", "relay"]
Where = Literal["room", "remote"]
CellKind = Literal["venue", "online"]
ContributionKind = Literal["note", "question", "topic", "photo", "insight", "action"]
Attribution = Literal["attributed", "pseudonymous", "chatham-house"]
# A phase may be more private than its session; "confidential": nothing of it is exported.
PhaseAttribution = Literal["attributed", "pseudonymous", "chatham-house", "confidential"]
PhaseStatus = Literal["pending", "open", "closed"]
Reaction = Literal["agree", "heart", "thanks", "question"]
# Hats: what someone does in a format, separate from the permissions of their Role.
Hat = Literal[
    "caller",
    "convener",
    "scribe",
    "guardian",
    "storyteller",
    "harvester",
    "bridge",
    "room_buddy",
]
Grouping = Literal["plenary", "circle", "tables", "topics", "pairs", "fours", "fishbowl"]
Answer = Literal["open", "answering", "answered"]

ROLES: tuple[Role, ...] = ("host", "cell_host", "table_host", "participant", "observer", "relay")
# Bound to one venue: a cell host, and a hall laptop (relay) acting for its venue's people.
CELL_BOUND: frozenset[Role] = frozenset({"cell_host", "relay"})
CONTRIBUTION_KINDS: tuple[ContributionKind, ...] = (
    "note",
    "question",
    "topic",
    "photo",
    "insight",
    "action",
)
REACTIONS: tuple[Reaction, ...] = ("agree", "heart", "thanks", "question")
HATS: tuple[Hat, ...] = (
    "caller",
    "convener",
    "scribe",
    "guardian",
    "storyteller",
    "harvester",
    "bridge",
    "room_buddy",
)
GROUPINGS: tuple[Grouping, ...] = (
    "plenary",
    "circle",
    "tables",
    "topics",
    "pairs",
    "fours",
    "fishbowl",
)

# From least to most private: an export or a phase may move right, never left.
PRIVACY: tuple[PhaseAttribution, ...] = (
    "attributed",
    "pseudonymous",
    "chatham-house",
    "confidential",
)


def most_private(*modes: PhaseAttribution | None) -> PhaseAttribution:
    """The most private of the given modes (None stands for no preference)."""
    return max((m for m in modes if m is not None), key=PRIVACY.index, default="attributed")


PLENARY = ""  # the hands-up queue key of people not in any group


@dataclass(slots=True)
class Cell:
    id: str
    name: str
    kind: CellKind


@dataclass(slots=True)
class Group:
    id: str
    name: str
    cell_id: str
    remote_seats: bool = False  # a hybrid room table with seats for people at home
    call_url: str | None = None
    topic_id: str | None = None  # an Open Space topic group: the topic, and where and when
    slot: str | None = None
    space: str | None = None
    seats: int | None = None  # a fishbowl's inner circle: at most this many, one kept empty
    merged_into: str | None = None  # a closed group (``SessionState.closed_groups``): where it went


@dataclass(slots=True)
class Phase:
    id: str
    title: str
    question: str
    duration_s: int
    grouping: str
    allows: list[ContributionKind]
    status: PhaseStatus = "pending"
    attribution: PhaseAttribution | None = None  # None: the session's mode
    dots: int = 0  # dot voting: the dots each person may place in this phase (0: none)
    # the dots placed in this phase: participant id -> contribution id -> dots
    ballots: dict[str, dict[str, int]] = field(default_factory=dict)
    opened_seq: int = 0  # when it last opened: what was said before belongs to earlier phases
    opened_at: float | None = None  # server time it last opened (a relay's late words: relaying)
    closed_at: float | None = None  # server time it last closed (None: open, or never opened)


@dataclass(slots=True)
class Participant:
    id: str
    name: str | None  # None: anonymous, never given a name anywhere
    where: Where
    role: Role
    cell_id: str
    group_id: str | None
    nonce: str  # part of the signed token; changing it revokes old links
    joined_at: float
    screen: bool = False  # a projector or other display, not a person
    removed: bool = False
    muted: bool = False
    hats: list[Hat] = field(default_factory=list)


@dataclass(slots=True)
class Contribution:
    id: str
    seq: int
    kind: ContributionKind
    text: str
    author_id: str
    group_id: str | None
    phase_id: str
    at: float
    off_record: bool = False
    photo_id: str | None = None
    withdrawn: bool = False
    hidden: bool = False
    votes: dict[str, int] = field(default_factory=dict)  # participant id -> dots
    reactions: dict[str, list[str]] = field(default_factory=dict)  # reaction -> participant ids
    answer: Answer | None = None  # questions: whether the host is answering or has answered
    pending: bool = False  # pre-moderation: waiting for a host's approval before the wall
    earlier_groups: list[str] = field(default_factory=list)  # groups it was in before a merge
    # a next step (kind "action"): who owns it (a participant, or written in) and by when
    owner_id: str | None = None
    owner: str | None = None
    due: str | None = None  # an ISO date, YYYY-MM-DD
    # written in a hall while its internet was down, shared when it came back: when it was
    # written (server time; ``at`` is when it arrived) and whether its phase had closed since
    written_at: float | None = None
    late: bool = False


@dataclass(slots=True)
class Hand:
    participant_id: str
    raised_at: float
    seq: int


@dataclass(slots=True)
class Timer:
    """A phase timer, or a venue's own (``SessionState.venue_timers``, with no phase);
    server time is the authority, clients only display it."""

    phase_id: str  # "" for a venue's timer
    remaining_s: float  # remaining at ``since``
    since: float
    running: bool

    def remaining(self, now: float) -> float:
        if not self.running:
            return max(0.0, self.remaining_s)
        return max(0.0, self.remaining_s - (now - self.since))


@dataclass(slots=True)
class Announcement:
    seq: int
    text: str
    at: float
    by: str
    cell_id: str | None = None  # None: every cell; else only that venue (or the online cell)
    ended: bool = False  # a host took it down: no screen shows it any more


@dataclass(slots=True)
class Publication:
    """The digest at an unguessable read-only link, for people who could not attend."""

    link: str  # the secret part of the link; chosen by the server, never by a client
    attribution: Attribution  # as private as the session, or more
    published_at: float
    expires_at: float | None = None
    revoked: bool = False
    responses_until: float | None = None  # people who were not there may respond until then

    def open(self, now: float) -> bool:
        return not self.revoked and (self.expires_at is None or now < self.expires_at)

    def taking_responses(self, now: float) -> bool:
        return self.open(now) and self.responses_until is not None and now < self.responses_until


@dataclass(slots=True)
class DigestResponse:
    """A view added afterwards through a published digest by someone who was not there.

    Kept apart from contributions: responders are not participants, and the live pages
    never show responses; the harvest marks them as responses.
    """

    id: str
    seq: int
    link: str
    phase_id: str
    text: str
    name: str | None  # None: anonymous
    at: float


@dataclass(slots=True)
class TalkingPiece:
    """A circle's published speaking order and who holds the piece (None: round done)."""

    order: list[str]
    holder: str | None
    since: float  # when the holder received it
    turn_s: int | None = None  # an optional time guide per turn
    passed: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Seating:
    """The next round's proposed seating (person -> table) that everyone can see."""

    seats: dict[str, str]
    repeats: int  # pairs who would sit together again
    best: int  # a lower bound on this round's repeats, given who has met whom


@dataclass(slots=True)
class HostCall:
    id: str
    participant_id: str
    group_id: str | None
    text: str
    at: float
    resolved: bool = False


@dataclass(slots=True)
class Report:
    """An Open Space topic group's report in the practice's fields; the latest version.

    Every version stays in the event log; the state keeps the one that won. People are
    kept as participant ids, so each export names them per its own attribution mode.
    """

    group_id: str
    phase_id: str  # the topic session it reports on: its privacy governs the report
    topic_id: str | None
    convener_id: str | None
    topic: str
    participant_ids: list[str]
    summary: str
    recommendations: str
    resources: str
    requests: str
    author_id: str  # who saved this version
    version: int
    first_seq: int  # when the first version was saved: the report's place in the log
    seq: int
    at: float
    off_record: bool = False  # kept out of every export, as the group asked


@dataclass(slots=True)
class SessionState:
    id: str
    title: str = ""
    purpose: str = ""
    licence: str = ""
    format: str = ""
    attribution: Attribution = "attributed"
    join_code: str = ""
    created_at: float = 0.0
    last_seq: int = 0
    cells: dict[str, Cell] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    participants: dict[str, Participant] = field(default_factory=dict)
    phases: list[Phase] = field(default_factory=list)
    timer: Timer | None = None
    # a venue's own timer (cell id -> timer): its people see it in place of the session's
    venue_timers: dict[str, Timer] = field(default_factory=dict)
    contributions: dict[str, Contribution] = field(default_factory=dict)
    hands: dict[str, list[Hand]] = field(default_factory=dict)  # group id (or PLENARY) -> queue
    announcements: list[Announcement] = field(default_factory=list)
    publications: dict[str, Publication] = field(default_factory=dict)  # link -> publication
    responses: list[DigestResponse] = field(default_factory=list)
    commands: dict[tuple[str, str], int] = field(default_factory=dict)  # (actor, id) -> seq
    talking: dict[str, TalkingPiece] = field(default_factory=dict)  # group id (or PLENARY)
    seating: Seating | None = None
    table_rounds: list[dict[str, str]] = field(default_factory=list)  # past seatings
    calls: list[HostCall] = field(default_factory=list)
    retention_days: int | None = None  # None: the server's default (`hostkit purge --days`)
    language: str = "en"  # the session's language: its pages' default and its digests'
    language_chosen: bool = False  # False: nobody chose; each browser's preference applies
    projector: str = "question"  # what the big screen shows (commands.PROJECTOR_MODES)
    moderation: bool = False  # pre-moderation: contributions wait for approval before the wall
    closed_groups: dict[str, Group] = field(default_factory=dict)  # merged away, kept for history
    reports: dict[str, Report] = field(default_factory=dict)  # topic group id -> latest version
    visits: dict[str, list[str]] = field(default_factory=dict)  # topic group id -> who was there

    def phase(self, phase_id: str) -> Phase | None:
        return next((p for p in self.phases if p.id == phase_id), None)

    def open_phase(self) -> Phase | None:
        return next((p for p in self.phases if p.status == "open"), None)

    def online_cell(self) -> Cell | None:
        return next((c for c in self.cells.values() if c.kind == "online"), None)

    def first_venue(self) -> Cell | None:
        return next((c for c in self.cells.values() if c.kind == "venue"), None)
