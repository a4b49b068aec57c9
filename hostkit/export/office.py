"""DOCX (python-docx) and ODT (odfdo): the digest for councils and funders.

Both follow the HTML digest's order and headings, so a screen reader's outline is the
same in every format; document title and language are set in the files' metadata.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import docx
import odfdo
import PIL.Image
from docx.opc.coreprops import CoreProperties
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph

from hostkit.export.harvest import Entry, Harvest
from hostkit.export.richtext import Block, Run, blocks
from hostkit.export.words import gettext as _
from hostkit.export.words import in_its_language, ngettext


@dataclass(frozen=True, slots=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Para:
    runs: Block


@dataclass(frozen=True, slots=True)
class Picture:
    jpeg: bytes
    description: str


@dataclass(frozen=True, slots=True)
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]


Part = Heading | Para | Picture | Table


def _text(text: str) -> Para:
    return Para([Run(text)])


def _entry(e: Entry, in_group: bool) -> Iterator[Part]:
    meta = f"{e.kind_label} · {e.time}"
    if e.cell_name and not in_group:
        meta += f" · {e.cell_name}"
    if e.where:
        meta += f" · {e.where_label}"
    if e.author:
        meta += f" · {e.author}"
    if e.dots:
        meta += " · " + ngettext("%(num)d dot", "%(num)d dots", e.dots) % {"num": e.dots}
    if e.late:
        late = _("kept in the hall offline; arrived late, at %(time)s")
        meta += " · " + late % {"time": e.arrived}
    yield Para([Run(meta, italic=True)])
    if e.kind == "photo":
        yield _text(_("Photo, shown under Photos"))
    for block in blocks(e.html):
        yield Para(block)


def outline(h: Harvest) -> Iterator[Part]:
    """The digest as a flat list of headings, paragraphs and tables."""
    yield Heading(0, h.title)
    if h.format_summary:
        lede = _("Digest of a %(format)s held on %(date)s")
    else:
        lede = _("Digest of the session held on %(date)s")
    yield _text(lede % {"format": h.format_name, "date": h.date})
    yield Heading(1, _("About this session"))
    if h.purpose:
        yield _text(f"{_('Purpose')}: {h.purpose}")
    yield _text(f"{_('Venues')}: {', '.join(c.name for c in h.cells)}")
    mode = _("this digest is %(mode)s.") % {"mode": h.attribution_label}
    yield _text(f"{_('Authors')}: {mode}")
    yield _text(f"{_('Licence')}: {h.licence or _('No licence was chosen')}")
    yield Heading(1, _("Who took part"))
    total = len(h.approved)  # what waited for approval is not in the digest
    yield _text(
        ngettext("%(num)d person took part", "%(num)d people took part", h.people)
        % {"num": h.people}
        + ": "
        + _("%(room)s in the room and %(remote)s remotely.")
        % {"room": h.in_room, "remote": h.remote}
        + " "
        + ngettext(
            "%(contributors)s of them added to the harvest, which holds %(num)d contribution.",
            "%(contributors)s of them added to the harvest, which holds %(num)d contributions.",
            total,
        )
        % {"contributors": h.contributors, "num": total}
    )
    yield Table(
        _("People in each venue"),
        [_("Venue"), _("People")],
        [[c.name, str(c.people)] for c in h.cells],
    )
    yield from _shape(h)
    yield from _proceedings(h)
    for p in h.phases:
        yield Heading(1, f"{p.number}. {p.title}")
        yield _text(f"{_('Question:')} “{p.question}”")
        if p.confidential:
            yield _text(_("This phase was confidential: nothing said in it was recorded."))
            continue
        if not p.groups and not p.ranking:
            yield _text(_("Nothing was harvested in this phase."))
            continue
        for g in p.groups:
            yield Heading(2, g.name + (f" · {g.cell_name}" if g.cell_name else ""))
            for e in g.entries:
                yield from _entry(e, bool(g.cell_name))
        if p.ranking:
            yield Heading(2, _("Votes"))
            yield Table(
                _("Votes in %(phase)s, most dots first") % {"phase": p.title},
                [_("Rank"), _("Contribution"), _("Dots"), _("Voters")],
                [
                    [str(i), e.plain[:160], str(e.dots), str(e.voters)]
                    for i, e in enumerate(p.ranking, 1)
                ],
            )
    yield Heading(1, _("How to respond"))
    yield _text(
        _(
            "If you could not be there, your view still counts: reply to whoever sent you "
            "this digest with your answer to any of the questions above."
        )
    )


@in_its_language
def digest_docx(h: Harvest) -> bytes:
    document = docx.Document()
    _docx_properties(document.core_properties, h)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), h.language)
    document.styles["Normal"].element.get_or_add_rPr().append(lang)
    # python-docx inserts each paragraph before the section properties, searching the
    # whole body every time (quadratic: 78 s for 10,000 contributions); appending to a
    # body without them is linear, and they go back at the end, where Word expects them
    width = document._block_width  # read while the section is there
    body = document.element.body
    section = body.find(qn("w:sectPr"))
    if section is not None:
        body.remove(section)

    def paragraph(style: str | None = None) -> Paragraph:
        element = OxmlElement("w:p")
        body.append(element)
        added = Paragraph(element, document._body)
        if style is not None:
            added.style = document.styles[style]
        return added

    for part in outline(h):
        match part:
            case Heading():
                heading = paragraph("Title" if part.level == 0 else f"Heading {part.level}")
                heading.add_run(part.text)
            case Para():
                para = paragraph()
                for run in part.runs:
                    added = para.add_run(run.text)
                    added.bold, added.italic = run.bold or None, run.italic or None
            case Picture():
                shape = document.add_picture(io.BytesIO(part.jpeg), width=Cm(14))
                shape._inline.docPr.set("descr", part.description)  # the alternative text
            case Table():
                paragraph("Caption").add_run(part.caption)
                size = (1 + len(part.rows), len(part.header))
                table: DocxTable = document._body.add_table(*size, width)
                table.style = document.styles["Table Grid"]
                table.autofit = False  # fixed columns: a long word wraps, never widens one
                for cell, text in zip(table.rows[0].cells, part.header, strict=True):
                    cell.text = text
                    cell.paragraphs[0].runs[0].bold = True
                header = table.rows[0]._tr.get_or_add_trPr()
                repeat = OxmlElement("w:tblHeader")  # marks the row as the header row
                header.append(repeat)
                for row, values in zip(table.rows[1:], part.rows, strict=True):
                    for cell, text in zip(row.cells, values, strict=True):
                        cell.text = text
    if section is not None:
        body.append(section)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@in_its_language
def digest_odt(h: Harvest) -> bytes:
    document = odfdo.Document("text")
    _odt_properties(document.meta, h)
    body = document.body
    body.clear()
    _odt_styles(document)
    tables = 0
    for part in outline(h):
        match part:
            case Heading():
                if part.level == 0:
                    body.append(odfdo.Paragraph(part.text, style="Title"))
                else:
                    body.append(odfdo.Header(part.level, part.text))
            case Para():
                body.append(_odt_paragraph(part.runs))
            case Picture():
                with PIL.Image.open(io.BytesIO(part.jpeg)) as image:
                    width, height = image.size
                uri = document.add_file(io.BytesIO(part.jpeg))
                frame = odfdo.Frame.image_frame(
                    uri, size=("14cm", f"{14 * height / width:.2f}cm"), anchor_type="as-char"
                )
                frame.svg_description = part.description  # the alternative text
                holder = odfdo.Paragraph()
                holder.append(frame)
                body.append(holder)
            case Table():
                tables += 1
                body.append(odfdo.Paragraph(part.caption, style="Table"))
                table = odfdo.Table(f"Table{tables}", style=_ODT_TABLE)
                table.append_row(odfdo.Row())
                table.set_row_values(0, part.header)
                for row in part.rows:
                    table.append_row(odfdo.Row())
                    table.set_row_values(table.height - 1, row)
                body.append(table)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# Automatic styles of the ODT: emphasis as in DOCX and PDF, and tables as wide as the text
# area between the margins (so a cell wraps its words; nothing widens a table past them).
_ODT_EMPHASIS = {(True, False): "hk-strong", (False, True): "hk-em", (True, True): "hk-strong-em"}
_ODT_TABLE = "hk-table"
_ODT_TEXT_WIDTH = "16.99cm"  # odfdo's A4 page less its 2 cm margins; "margins" decides


def _odt_styles(document: odfdo.Document) -> None:
    for (bold, italic), name in _ODT_EMPHASIS.items():
        style = odfdo.Style("text", name=name, bold=bold, italic=italic)
        document.insert_style(style, automatic=True)
    table = odfdo.Style("table", name=_ODT_TABLE, width=_ODT_TEXT_WIDTH, align="margins")
    document.insert_style(table, automatic=True)


def _odt_paragraph(runs: Block) -> odfdo.Paragraph:
    para = odfdo.Paragraph("")
    for run in runs:
        style = _ODT_EMPHASIS.get((run.bold, run.italic))
        para.append(odfdo.Span(run.text, style=style) if style else run.text)
    return para


def _dates(h: Harvest) -> tuple[datetime, datetime]:
    """(created, modified): when the session began and its last word, so two exports of
    the same log are the same file. File properties are set on purpose: the session's
    title, language and dates; the author is the tool (never a person's name, whatever the
    attribution mode); no generator's template leftovers."""
    return (
        datetime.fromtimestamp(int(h.started_at), UTC),
        datetime.fromtimestamp(int(h.as_of), UTC),
    )


def _subject(h: Harvest) -> str:
    return _("Digest of the session held on %(date)s") % {"date": h.date}


def _docx_properties(core: CoreProperties, h: Harvest) -> None:
    core.title, core.subject, core.language = h.title, _subject(h), h.language
    core.author = core.last_modified_by = "hostkit"
    core.comments = core.keywords = core.category = ""  # "generated by python-docx"
    core.created, core.modified = _dates(h)
    core.last_printed = core.created
    core.revision = 1


def _odt_properties(meta: odfdo.Meta, h: Harvest) -> None:
    meta.set_title(h.title)
    meta.set_subject(_subject(h))
    meta.set_language(h.language)
    meta.set_generator("hostkit")
    meta.set_initial_creator("hostkit")
    meta.set_creator("hostkit")
    created, modified = _dates(h)
    meta.set_creation_date(created)
    meta.set_modification_date(modified)


def _shape(h: Harvest) -> Iterator[Part]:
    """The conversation at a glance, before it in full: as the HTML digest has it."""
    if h.turnout:
        yield Heading(2, _("Who spoke in each phase"))
        yield Table(
            _("People who spoke, by phase and venue: in the room and remote"),
            [_("Phase"), _("Venue"), _("In the room"), _("Remote")],
            [
                [f"{t.phase_number}. {t.phase_title}", t.venue, str(t.room), str(t.remote)]
                for t in h.turnout
            ],
        )
    if h.insights:
        yield Heading(1, _("Insights, most dots first"))
        for n, e in enumerate(h.insights, 1):
            dots = ngettext("%(num)d dot", "%(num)d dots", e.dots) % {"num": e.dots}
            first, *rest = blocks(e.html) or [[]]
            yield Para([Run(f"{n}. "), *first])
            yield from (Para(block) for block in rest)
            yield Para([Run(f"{e.phase_title} · {dots}", italic=True)])
    if h.questions:
        yield Heading(1, _("Open questions"))
        for e in h.questions:
            yield from (Para(block) for block in blocks(e.html))
            yield Para([Run(e.phase_title, italic=True)])
    yield from _actions(h)
    if h.pictures:
        yield Heading(1, _("Photos"))
        for e in h.pictures:
            photo = h.photo(e)
            if photo is not None:
                yield Picture(photo, e.plain)
            else:
                yield _text(_("Photo (image not included), described as:"))
            yield from (Para(block) for block in blocks(e.html))


def _labelled(label: str, value: str) -> Para:
    return Para([Run(f"{label}: ", bold=True), Run(value)])


def _proceedings(h: Harvest) -> Iterator[Part]:
    """An Open Space's book of proceedings: each report's fields as written, then the ranking."""
    if h.proceedings is None:
        return
    labels = {
        "summary": _("Summary"),
        "recommendations": _("Recommendations"),
        "resources": _("Resources"),
        "requests": _("Requests"),
    }
    yield Heading(1, _("Book of proceedings"))
    yield _text(
        _(
            "Every topic, in the order it was proposed, with its group's report exactly as "
            "the group wrote it."
        )
    )
    for r in h.proceedings.reports:
        yield Heading(2, f"{r.number}. {r.topic}")
        if r.slot or r.space:
            yield Para(
                [Run(" · ".join(x for x in (r.slot, r.space, r.cell_name) if x), italic=True)]
            )
        convener = r.convener or (
            _("Not named in this digest") if r.convener_unnamed else _("Not given")
        )
        yield _labelled(_("Convener"), convener)
        yield _labelled(_("Topic"), r.topic)
        if not r.written:
            yield _text(_("No report was written for this topic."))
            continue
        if r.participants is None:
            people = ngettext(
                "%(num)d person, not named in this digest",
                "%(num)d people, not named in this digest",
                r.participant_count,
            ) % {"num": r.participant_count}
        else:
            people = ", ".join(r.participants) or _("None listed")
        yield _labelled(_("Participants"), people)
        for f in r.fields:
            yield Heading(3, labels[f.name])
            written = blocks(f.html) if f.text.strip() else []
            yield from (Para(block) for block in written) if written else [_text(_("Not given"))]
    if h.proceedings.ranking:
        yield Heading(2, _("Convergence ranking"))
        yield Table(
            _("Every topic, most dots first: ranking never removes a topic"),
            [_("Rank"), _("Topic"), _("Dots"), _("Voters"), _("Report")],
            [
                [
                    str(t.rank),
                    t.topic,
                    str(t.dots),
                    str(t.voters),
                    _("yes") if t.reported else _("no"),
                ]
                for t in h.proceedings.ranking
            ],
        )


def _actions(h: Harvest) -> Iterator[Part]:
    """ "Next steps and actions": each next step with its owner and date."""
    if not h.actions:
        return
    yield Heading(1, _("Next steps and actions"))

    def owner(e: Entry) -> str:
        if e.owner:
            return e.owner
        return _("A participant, not named in this digest") if e.owner_unnamed else _("Nobody yet")

    yield Table(
        _("Next steps, in the order they were recorded"),
        [_("Next step"), _("Owner"), _("Due"), _("Where")],
        [
            [
                e.plain,
                owner(e),
                h.day(e.due) if e.due else _("No date"),
                e.phase_title + (f" · {e.group_name}" if e.group_name else ""),
            ]
            for e in h.actions
        ],
    )
