"""The harvest: what a session produced, read from its event log, with consent applied.

Every export starts here, so consent is decided once: contributions that are off the
record, withdrawn, hidden by a host or said in a confidential phase are left out; each
author is shown per the most private of the session's mode, the phase's mode and the
mode the export asked for. Renderers only ever see this model, never the raw state.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from hostkit.domain.formats import TEMPLATES
from hostkit.domain.model import (
    PRIVACY,
    Attribution,
    Contribution,
    ContributionKind,
    DigestResponse,
    Phase,
    PhaseAttribution,
    SessionState,
    most_private,
)
from hostkit.domain.relaying import place
from hostkit.export import zones
from hostkit.export.proceedings import Proceedings, TopicSeen, proceedings_of
from hostkit.export.richtext import blocks, plain
from hostkit.export.shape import Turnout, turnout
from hostkit.export.words import gettext, language_of, long_date, translate
from hostkit.live.replay import fold_log
from hostkit.store.base import EventStore
from hostkit.text.markdown import render_markdown

ANONYMOUS = "Anonymous"

KIND_LABELS: dict[ContributionKind, str] = {
    "note": "Note",
    "question": "Question",
    "topic": "Topic",
    "photo": "Photo",
    "insight": "Insight",
    "action": "Next step",
}

MODE_LABELS: dict[PhaseAttribution, str] = {
    "attributed": "attributed: contributions carry their authors' names",
    "pseudonymous": "pseudonymous: each author has a stable alias such as “Participant 3”",
    "chatham-house": "Chatham House: what was said, never who said it",
    "confidential": "confidential: nothing said in this phase is recorded",
}


PhotoSource = Callable[[str], bytes | None]  # photo id -> the stored JPEG, if it is there
_PHOTO_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def no_photos(photo_id: str) -> bytes | None:
    return None


def photos_in(folder: Path) -> PhotoSource:
    """Photos stored as ``<id>.jpg`` in a folder; read when a renderer asks for one."""

    def read(photo_id: str) -> bytes | None:
        path = folder / f"{photo_id}.jpg"
        if not _PHOTO_ID.match(photo_id) or not path.is_file():
            return None
        return path.read_bytes()

    return read


class ConsentError(ValueError):
    """An export was asked to be less private than the session allows."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One exported contribution."""

    number: int  # 1-based position in the transcript
    id: str
    seq: int
    at: float
    kind: ContributionKind
    text: str  # as written (Markdown source)
    html: str  # sanitised HTML of the text
    phase_id: str
    phase_title: str
    group_name: str  # "" when said to everyone
    cell_name: str
    author: str | None  # None: not shown in this mode
    dots: int
    voters: int
    reactions: int
    photo_id: str | None
    response: bool = False  # added afterwards through a published digest
    pending: bool = False  # pre-moderation: never approved by a host (transcripts only)
    zone: tzinfo = UTC  # the export's time zone: times are shown in it, with its name
    # a next step's owner: a name, an alias or what was written in (None: none, or unnamed)
    owner: str | None = None
    owner_unnamed: bool = False  # a participant owns it, and this mode names nobody
    due: str | None = None  # YYYY-MM-DD
    where: str = ""  # "room" or "remote": where the author was (only when authors are named)
    # written in a hall while its internet was down (``at`` is then when it was written),
    # and shared after its phase closed: it arrived late, at ``arrived_at``
    late: bool = False
    arrived_at: float | None = None

    @property
    def plain(self) -> str:
        """The text as the digest shows it, without markup: what plain text formats carry."""
        return "\n".join(plain(block) for block in blocks(self.html))

    @property
    def where_label(self) -> str:
        return {"room": gettext("in the room"), "remote": gettext("remote")}.get(self.where, "")

    @property
    def kind_label(self) -> str:
        return gettext(KIND_LABELS[self.kind])

    @property
    def time(self) -> str:
        """Local time with the zone's abbreviation, e.g. "14:05 BST"."""
        return datetime.fromtimestamp(self.at, self.zone).strftime("%H:%M %Z")

    @property
    def arrived(self) -> str:
        """When a late arrival reached the server, as ``time`` shows times ("" if not late)."""
        if not self.late or self.arrived_at is None:
            return ""
        return datetime.fromtimestamp(self.arrived_at, self.zone).strftime("%H:%M %Z")

    @property
    def iso_arrived(self) -> str:
        """``arrived`` in ISO 8601 ("" if it did not arrive late)."""
        if not self.late or self.arrived_at is None:
            return ""
        return datetime.fromtimestamp(self.arrived_at, self.zone).isoformat(timespec="seconds")

    @property
    def iso_time(self) -> str:
        """ISO 8601 with the local offset, e.g. 2026-06-01T14:05:00+01:00."""
        return datetime.fromtimestamp(self.at, self.zone).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class GroupHarvest:
    name: str  # "Everyone" for contributions to the whole room
    cell_name: str
    entries: list[Entry]


@dataclass(frozen=True, slots=True)
class PhaseHarvest:
    id: str
    number: int
    title: str
    question: str
    attribution: PhaseAttribution  # the mode this phase is exported under
    groups: list[GroupHarvest]
    ranking: list[Entry]  # contributions with votes, most dots first
    # said, but never approved while pre-moderation was on: in transcripts (marked), not
    # in digests, as they were never on the shared wall either
    waiting: list[Entry] = field(default_factory=list)

    @property
    def confidential(self) -> bool:
        return self.attribution == "confidential"

    @property
    def entries(self) -> list[Entry]:
        every = [*(e for g in self.groups for e in g.entries), *self.waiting]
        return sorted(every, key=lambda e: e.number)  # late arrivals in their place


@dataclass(frozen=True, slots=True)
class CellCount:
    name: str
    online: bool
    people: int


@dataclass(frozen=True, slots=True)
class Harvest:
    session_id: str
    title: str
    purpose: str
    licence: str
    format_name: str
    format_summary: str
    attribution: Attribution  # the export's mode (at least as private as the session's)
    session_attribution: Attribution
    language: str
    started_at: float
    as_of: float  # time of the last event: exports of the same log are identical
    cells: list[CellCount]
    in_room: int
    remote: int
    contributors: int
    phases: list[PhaseHarvest]
    entries: list[Entry] = field(default_factory=list)  # every exported contribution, in order
    photos: PhotoSource = no_photos  # read lazily, in the renderer's thread
    timezone: str = zones.UTC_NAME  # an IANA name: every time is shown in this zone
    proceedings: Proceedings | None = None  # an Open Space's book of proceedings
    turnout: list[Turnout] = field(default_factory=list)  # who spoke where, per phase

    @property
    def insights(self) -> list[Entry]:
        """Insights, most dots first (then in the order they were said)."""
        shown = [e for e in self.approved if e.kind == "insight"]
        return sorted(shown, key=lambda e: (-e.dots, e.seq))

    @property
    def pictures(self) -> list[Entry]:
        """Photos of flipcharts and the like, with their descriptions."""
        return [e for e in self.approved if e.kind == "photo"]

    def photo(self, entry: Entry) -> bytes | None:
        return self.photos(entry.photo_id) if entry.photo_id else None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def date(self) -> str:
        """The day the session began, where it was held, in the reader's language."""
        return long_date(datetime.fromtimestamp(self.started_at, self.zone), self.language)

    def stamp(self, at: float) -> tuple[str, str]:
        """(ISO 8601 with offset, "28 November 2026, 20:05 GMT (Europe/London)"); a zone
        that is only an offset ("Etc/UTC") is not named twice: "20:05 UTC"."""
        moment = datetime.fromtimestamp(at, self.zone)
        day = long_date(moment, self.language)
        place = (
            ""
            if self.timezone.startswith("Etc/") or "/" not in self.timezone
            else (f" ({self.timezone})")
        )
        return moment.isoformat(timespec="seconds"), f"{day}, {moment:%H:%M} {moment:%Z}{place}"

    @property
    def attribution_label(self) -> str:
        return gettext(MODE_LABELS[self.attribution])

    def day(self, iso_date: str) -> str:
        """A next step's date ("2026-12-31") as the reader says it: "31 December 2026"."""
        return long_date(date.fromisoformat(iso_date), self.language)

    @property
    def actions(self) -> list[Entry]:
        """Next steps, in the order they were recorded (digests: "Next steps and actions")."""
        return [e for e in self.entries if e.kind == "action" and not e.pending]

    @property
    def questions(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "question" and not e.pending]

    @property
    def approved(self) -> list[Entry]:
        """What the digest holds: everything but what still waited for a host's approval."""
        return [e for e in self.entries if not e.pending]

    @property
    def people(self) -> int:
        return self.in_room + self.remote


def _authors(state: SessionState, mode: PhaseAttribution, language: str) -> dict[str, str | None]:
    """How each participant is shown under a mode; aliases follow join order, as live."""
    shown: dict[str, str | None] = {}
    people = [p for p in state.participants.values() if not p.screen]
    anonymous = translate(language, ANONYMOUS)
    alias = translate(language, "Participant %(number)s")
    for number, person in enumerate(people, 1):
        if mode == "attributed":
            shown[person.id] = person.name if person.name is not None else anonymous
        elif mode == "pseudonymous":
            shown[person.id] = alias % {"number": number}
        else:
            shown[person.id] = None
    return shown


def harvest_from_state(
    state: SessionState,
    attribution: Attribution | None = None,
    photos: PhotoSource = no_photos,
    *,
    language: str | None = None,
    timezone: str | None = None,
) -> Harvest:
    """The harvest of a folded session, exported as privately as ``attribution`` asks,
    in ``language`` (default: the session's) with times in ``timezone`` (default: the
    machine's zone)."""
    lang = language_of(language or state.language)
    zone_name = zones.resolve(timezone)
    zone = ZoneInfo(zone_name)
    asked = attribution or state.attribution
    if PRIVACY.index(asked) < PRIVACY.index(state.attribution):
        raise ConsentError(
            f"This session is {state.attribution}: an export may be more private, not less."
        )
    authors = {mode: _authors(state, mode, lang) for mode in PRIVACY}
    modes = {p.id: most_private(asked, p.attribution) for p in state.phases}
    exported = [
        c
        for c in sorted(state.contributions.values(), key=lambda c: c.seq)
        if not (c.off_record or c.withdrawn or c.hidden)
        and modes.get(c.phase_id, "confidential") != "confidential"
    ]
    responses = [
        r for r in state.responses if modes.get(r.phase_id, "confidential") != "confidential"
    ]
    said: list[Contribution | DigestResponse] = [*exported, *responses]
    # contributions, then responses afterwards, as they came; a hall's late arrivals where
    # they were written (relaying.place)
    placed = place(exported)
    said.sort(key=lambda x: placed.get(x.id, x.seq) if isinstance(x, Contribution) else x.seq)
    respondent = {r.id: n for n, r in enumerate(responses, 1)}
    entries = [
        _entry(state, x, number, authors[modes[x.phase_id]], zone)
        if isinstance(x, Contribution)
        else _response(state, x, number, modes[x.phase_id], respondent[x.id], zone, lang)
        for number, x in enumerate(said, 1)
    ]
    held = [
        p for p in state.phases if p.status != "pending" or any(e.phase_id == p.id for e in entries)
    ]
    phases: list[PhaseHarvest] = []
    for number, phase in enumerate(held, 1):
        said_here = [e for e in entries if e.phase_id == phase.id]
        groups = _groups([e for e in said_here if not e.pending], state, lang)
        ranking = _ranking(state, phase, entries, groups)
        phases.append(
            PhaseHarvest(
                phase.id,
                number,
                phase.title,
                _question(state, phase.id, phase.question),
                modes[phase.id],
                groups,
                ranking,
                [e for e in said_here if e.pending],
            )
        )
    people = [p for p in state.participants.values() if not p.screen]
    # by where people are, not which table: a remote person at a hybrid hall table is online
    online = state.online_cell()
    venue = state.first_venue()
    counts = dict.fromkeys(state.cells, 0)
    for p in people:
        at = online if p.where == "remote" else state.cells.get(p.cell_id)
        if p.where == "room" and (at is None or at.kind == "online"):
            at = venue
        if at is not None:
            counts[at.id] += 1
    speakers: dict[str, set[str]] = {}
    for c in exported:
        if not c.pending and c.author_id in state.participants:
            speakers.setdefault(c.phase_id, set()).add(c.author_id)
    template = TEMPLATES.get(state.format)  # a format, or a custom template
    return Harvest(
        session_id=state.id,
        title=state.title,
        purpose=state.purpose,
        licence=state.licence,
        format_name=template.name if template else state.format,
        format_summary=template.summary if template else "",
        attribution=asked,
        session_attribution=state.attribution,
        language=lang,
        started_at=state.created_at,
        as_of=max(
            [
                state.created_at,
                *(c.at for c in state.contributions.values()),
                *(r.at for r in state.reports.values()),
            ]
        ),
        cells=[CellCount(c.name, c.kind == "online", counts[c.id]) for c in state.cells.values()],
        in_room=sum(1 for p in people if p.where == "room"),
        remote=sum(1 for p in people if p.where == "remote"),
        contributors=len({c.author_id for c in exported if not c.pending}),
        phases=phases,
        entries=entries,
        photos=photos,
        timezone=zone_name,
        proceedings=proceedings_of(state, _topics(entries), modes, authors),
        turnout=turnout(state, [(p.number, p.id, p.title) for p in phases], speakers),
    )


def _groups(entries: list[Entry], state: SessionState, language: str) -> list[GroupHarvest]:
    """A phase's contributions as it is read: what was said to everyone first, in the
    order it was said whatever the venue (a reply sits under what it answers); then table
    by table in the session's order of tables, each in the order it was said; then any
    responses afterwards. ``entries`` is in the order things were said."""
    order = {g.name: n for n, g in enumerate(state.groups.values())}
    responses = translate(language, RESPONSES)
    by_group: dict[tuple[str, str], list[Entry]] = {}
    for e in entries:
        key = (e.group_name, e.cell_name if e.group_name and not e.response else "")
        by_group.setdefault(key, []).append(e)

    def place(key: tuple[str, str]) -> tuple[int, int]:
        name = key[0]
        return (0, 0) if not name else (2, 0) if name == responses else (1, order.get(name, 0))

    return [
        GroupHarvest(name or translate(language, "Everyone"), cell, by_group[(name, cell)])
        for name, cell in sorted(by_group, key=place)
    ]


def _question(state: SessionState, phase_id: str, question: str) -> str:
    """The phase's question as the host meant it: their own wording if they edited it;
    the template's generic prompt ("What is the quest behind the question?") is replaced
    by the session's own question (its purpose) when the host gave one."""
    template = TEMPLATES.get(state.format)
    index = int(phase_id[1:]) - 1 if phase_id[1:].isdigit() else -1
    generic = template is not None and 0 <= index < len(template.phases)
    if generic and template is not None and template.phases[index].question == question:
        return state.purpose.strip() or question
    return question


def _topics(entries: list[Entry]) -> list[TopicSeen]:
    return [
        TopicSeen(e.id, e.seq, e.text, e.author, e.dots, e.voters)
        for e in entries
        if e.kind == "topic" and not e.pending and not e.response
    ]


RESPONSES = "Responses afterwards"


def _response(
    state: SessionState,
    r: DigestResponse,
    number: int,
    mode: PhaseAttribution,
    n: int,
    zone: tzinfo,
    language: str,
) -> Entry:
    author = {
        "attributed": r.name or translate(language, ANONYMOUS),
        # responders have no identity to keep stable
        "pseudonymous": translate(language, "Respondent %(number)s") % {"number": n},
    }.get(mode)
    phase = state.phase(r.phase_id)
    return Entry(
        number=number,
        id=r.id,
        seq=r.seq,
        at=r.at,
        kind="note",
        text=r.text,
        html=render_markdown(r.text),
        phase_id=r.phase_id,
        phase_title=phase.title if phase else "",
        group_name=translate(language, RESPONSES),
        cell_name="",
        author=author,
        dots=0,
        voters=0,
        reactions=0,
        photo_id=None,
        response=True,
        zone=zone,
    )


def _entry(
    state: SessionState,
    c: Contribution,
    number: int,
    authors: dict[str, str | None],
    zone: tzinfo = UTC,
) -> Entry:
    group = state.groups.get(c.group_id) if c.group_id else None
    author = state.participants.get(c.author_id)
    # without a group, the venue is the author's: a clue to who it was, so only if named
    named = any(a is not None for a in authors.values())
    cell_id = group.cell_id if group else author.cell_id if author and named else ""
    cell = state.cells.get(cell_id)
    if not group and author and named and author.where == "remote":
        cell = state.online_cell()  # at home, wherever they sat later
    phase = state.phase(c.phase_id)
    return Entry(
        number=number,
        id=c.id,
        seq=c.seq,
        at=c.written_at if c.written_at is not None else c.at,
        kind=c.kind,
        text=c.text,
        html=render_markdown(c.text),
        phase_id=c.phase_id,
        phase_title=phase.title if phase else "",
        group_name=group.name if group else "",
        cell_name=cell.name if cell else "",
        author=authors.get(c.author_id),
        dots=sum(c.votes.values()),
        voters=len(c.votes),
        reactions=sum(len(who) for who in c.reactions.values()),
        photo_id=c.photo_id,
        pending=c.pending,
        zone=zone,
        owner=authors.get(c.owner_id) if c.owner_id else c.owner,
        owner_unnamed=c.owner_id is not None and authors.get(c.owner_id) is None,
        due=c.due,
        where=author.where if author and named else "",
        late=c.late,
        arrived_at=c.at if c.late else None,
    )


async def read_harvest(
    store: EventStore,
    session_id: str,
    attribution: Attribution | None = None,
    photos: PhotoSource = no_photos,
    *,
    language: str | None = None,
    timezone: str | None = None,
) -> Harvest | None:
    """The harvest of a stored session (None if there is no such session)."""
    if not await store.session_exists(session_id):
        return None
    state = fold_log(session_id, await store.read(session_id))
    return harvest_from_state(state, attribution, photos, language=language, timezone=timezone)


def _ranking(
    state: SessionState, phase: Phase, entries: list[Entry], groups: list[GroupHarvest]
) -> list[Entry]:
    """Most dots first: in a dot-voting phase (the café harvest, convergence) everything
    dotted in it, wherever it was said, by the dots placed there; elsewhere the phase's
    own contributions by the votes they got outside dot voting."""
    if phase.dots:
        placed: dict[str, list[int]] = {}
        for ballot in phase.ballots.values():
            for contribution_id, dots in ballot.items():
                placed.setdefault(contribution_id, []).append(dots)
        dotted = [
            dataclasses.replace(e, dots=sum(placed[e.id]), voters=len(placed[e.id]))
            for e in entries
            if e.id in placed and not e.pending and not e.response
        ]
        return sorted(dotted, key=lambda e: (-e.dots, e.seq))
    in_dot_phases: dict[str, int] = {}
    for voting in state.phases:
        for ballot in voting.ballots.values() if voting.dots else ():
            for contribution_id, dots in ballot.items():
                in_dot_phases[contribution_id] = in_dot_phases.get(contribution_id, 0) + dots
    upvoted = [
        dataclasses.replace(e, dots=e.dots - in_dot_phases.get(e.id, 0))
        for g in groups
        for e in g.entries
    ]
    return sorted((e for e in upvoted if e.dots), key=lambda e: (-e.dots, e.seq))
