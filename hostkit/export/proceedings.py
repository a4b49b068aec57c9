"""An Open Space's book of proceedings, with consent applied, for every export.

Every exported topic appears, in the order it was proposed, with its group's report in
the practice's fields exactly as the group last saved it (no field is shortened or
merged), then the convergence ranking of every topic (dots rank, nothing is deleted).
People in a report are kept as ids until here, so each export names them per its own
mode: names, stable aliases, or (Chatham House) only how many took part.
"""

from __future__ import annotations

from dataclasses import dataclass

from hostkit.domain.model import Group, PhaseAttribution, Report, SessionState
from hostkit.export.richtext import blocks, plain
from hostkit.text.markdown import render_markdown

Authors = dict[str, str | None]  # participant id -> how an export shows them (None: not shown)

# the report form's fields, in the practice's order (convener, topic and participants first)
TEXT_FIELDS = ("summary", "recommendations", "resources", "requests")


@dataclass(frozen=True, slots=True)
class ReportField:
    name: str  # one of TEXT_FIELDS
    text: str  # as written (Markdown source)
    html: str  # sanitised HTML of the text

    @property
    def plain(self) -> str:
        return "\n".join(plain(block) for block in blocks(self.html))


@dataclass(frozen=True, slots=True)
class TopicReport:
    """One topic of the proceedings and its report (``written`` False: none was saved)."""

    number: int  # 1-based, in the order topics were proposed
    id: str  # "report-<group id>", or "topic-<contribution id>" when nothing was written
    topic: str
    convener: str | None  # None: no convener, or not named in this mode
    convener_unnamed: bool  # there was a convener, but this mode names nobody
    participants: list[str] | None  # names or aliases; None: counted, not named
    participant_count: int
    fields: list[ReportField]
    group_name: str
    cell_name: str
    slot: str
    space: str
    phase_id: str
    phase_title: str
    attribution: PhaseAttribution
    written: bool
    version: int
    seq: int  # the latest version's place in the log (0: nothing written)
    at: float  # when the latest version was saved (0.0: nothing written)
    author: str | None  # who saved the latest version, per mode
    dots: int  # the topic's dots at convergence
    voters: int

    def field(self, name: str) -> ReportField:
        return next(f for f in self.fields if f.name == name)


@dataclass(frozen=True, slots=True)
class RankedTopic:
    rank: int
    topic: str
    dots: int
    voters: int
    reported: bool


@dataclass(frozen=True, slots=True)
class Proceedings:
    reports: list[TopicReport]
    ranking: list[RankedTopic]  # every exported topic, most dots first, none left out


@dataclass(frozen=True, slots=True)
class TopicSeen:
    """What the harvest already decided about one exported topic contribution."""

    id: str
    seq: int
    text: str
    author: str | None
    dots: int
    voters: int


def exported_report(report: Report, modes: dict[str, PhaseAttribution]) -> bool:
    """A report reaches exports unless the group kept it off the record or its topic
    session was confidential."""
    return not report.off_record and modes.get(report.phase_id, "confidential") != "confidential"


def proceedings_of(
    state: SessionState,
    topics: list[TopicSeen],
    modes: dict[str, PhaseAttribution],
    authors: dict[PhaseAttribution, Authors],
) -> Proceedings | None:
    """The book of proceedings of a session with topic groups (None: it has none).

    ``topics`` are the exported topics (consent already applied to them): a topic kept
    back takes its report with it, as the report would repeat its title.
    """
    groups = {**state.closed_groups, **state.groups}
    placed = {g.topic_id: g for g in groups.values() if g.topic_id is not None}
    if state.format != "open-space" and not placed:
        return None
    in_order = sorted(topics, key=lambda t: t.seq)
    reports = [
        _topic_report(state, number, topic, placed.get(topic.id), modes, authors)
        for number, topic in enumerate(in_order, 1)
    ]
    written = {t.id for t, r in zip(in_order, reports, strict=True) if r.written}
    ranked = sorted(topics, key=lambda t: (-t.dots, t.seq))
    ranking = [
        RankedTopic(rank, t.text, t.dots, t.voters, t.id in written)
        for rank, t in enumerate(ranked, 1)
    ]
    return Proceedings(reports, ranking)


def _topic_report(
    state: SessionState,
    number: int,
    topic: TopicSeen,
    group: Group | None,
    modes: dict[str, PhaseAttribution],
    authors: dict[PhaseAttribution, Authors],
) -> TopicReport:
    report = state.reports.get(group.id) if group is not None else None
    if report is not None and not exported_report(report, modes):
        report = None
    cell = state.cells.get(group.cell_id) if group is not None else None
    where = (
        group.name if group else "",
        cell.name if cell else "",
        (group.slot or "") if group else "",
        (group.space or "") if group else "",
    )
    if report is None:
        proposed = state.contributions.get(topic.id)
        return TopicReport(
            number,
            f"topic-{topic.id}",
            topic.text,
            topic.author,
            False,
            [],
            0,
            [ReportField(n, "", "") for n in TEXT_FIELDS],
            *where,
            phase_id="",
            phase_title="",
            attribution=modes.get(proposed.phase_id if proposed else "", "attributed"),
            written=False,
            version=0,
            seq=0,
            at=0.0,
            author=None,
            dots=topic.dots,
            voters=topic.voters,
        )
    mode = modes[report.phase_id]
    shown = authors[mode]
    people = [p for p in report.participant_ids if p in shown]
    named = [shown[p] for p in people]
    convener = shown.get(report.convener_id) if report.convener_id else None
    phase = state.phase(report.phase_id)
    return TopicReport(
        number,
        f"report-{report.group_id}",
        report.topic,
        convener,
        report.convener_id is not None and convener is None,
        None if any(n is None for n in named) else [str(n) for n in named],
        len(people),
        [
            ReportField(n, getattr(report, n), render_markdown(getattr(report, n)))
            for n in TEXT_FIELDS
        ],
        *where,
        phase_id=report.phase_id,
        phase_title=phase.title if phase else "",
        attribution=mode,
        written=True,
        version=report.version,
        seq=report.seq,
        at=report.at,
        author=shown.get(report.author_id),
        dots=topic.dots,
        voters=topic.voters,
    )
