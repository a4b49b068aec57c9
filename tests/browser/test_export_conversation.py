"""A long, threaded conversation replayed through the protocol against a real server, then
exported in every format and every attribution mode and read back with real readers.

Every text is there in full, in the documented order (a plenary as it was said, whatever
the venue; a table round table by table); no line runs past the PDF's margin (word boxes
from poppler's ``pdftotext -bbox``); nothing in DOCX or ODT can pass theirs (no renderer
here: their structure is checked, see those tests); the HTML digests never scroll sideways
at 320 px in Chromium; and the digest's figures of who spoke where match the log.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import subprocess
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import lxml.etree
import lxml.html
import pypdf
import pytest
from playwright.async_api import Browser

from hostkit.export.formats import EXPORT_FORMATS, render
from hostkit.export.harvest import Harvest
from tests.conversation import LONG_LINK, LONG_WORD, Line, opening, tables
from tests.harness import Person, running_server
from tests.stored_harvest import stored_harvest
from tests.test_export_session import pdf_text, text_of

MODES = ("attributed", "pseudonymous", "chatham-house")
NAMES = {
    "sioned": "Sioned Pritchard",
    "gwen": "Gwen Hughes",
    "huw": "Huw Davies",
    "tomos": "Tomos Rees",
    "elin": "Elin Morgan",
}
REMOTE = {"gwen", "elin"}
MARGIN_PT = 2 / 2.54 * 72  # @page margin: 2cm


@dataclass(frozen=True)
class Replayed:
    data_dir: Path
    session_id: str
    lines: list[Line]
    exports: dict[str, dict[str, bytes]]
    harvests: dict[str, Harvest]


async def _send(person: Person, command: dict[str, object]) -> dict[str, object]:
    reply = await person.send(command)
    assert reply["type"] == "ack", reply
    return reply


async def _replay(data_dir: Path) -> str:
    async with running_server(data_dir) as server:
        links = await server.new_session(
            "pro-action-cafe",
            title="Village hall library",
            purpose="What should the old library on Chapel Street become?",
            venues=("Village hall", "Chapel vestry"),
            host_name=NAMES["sioned"],
        )
        host = Person.from_link(server, links.host_url)
        await host.connect()
        groups = {}
        for name, cell in (("Table one", "venue-1"), ("Table two", "venue-2")):
            made = await _send(
                host,
                {"type": "create_group", "name": name, "cell_id": cell, "remote_seats": True},
            )
            groups[name] = f"g{made['seq']}"
        people = {"sioned": host}
        for who in ("gwen", "huw", "tomos", "elin"):
            link = links.remote_url if who in REMOTE else links.room_url
            people[who] = await Person.join(server, link, NAMES[who])
            await people[who].connect()
        await _send(host, {"type": "open_phase", "phase_id": "p1", "seat": False})
        for line in opening():
            await _say(people[line.who], line)
        for who, table in (("huw", "Table one"), ("elin", "Table one")):
            await _send(people[who], {"type": "choose_group", "group_id": groups[table]})
        for who in ("tomos", "gwen"):
            await _send(people[who], {"type": "choose_group", "group_id": groups["Table two"]})
        await _send(
            host, {"type": "open_phase", "phase_id": "p4", "seat": False}
        )  # rounds 1, 2 skipped
        insights = {}
        for line in tables():
            insights[line.marker] = await _say(people[line.who], line)
        await _send(host, {"type": "cast_vote", "contribution_id": insights["Rq12"], "dots": 1})
        vote = {"type": "cast_vote", "contribution_id": insights["Rq11"], "dots": 3}
        await _send(people["tomos"], vote)
        for person in people.values():
            await person.disconnect()
        return links.session_id


async def _say(person: Person, line: Line) -> str:
    if line.kind == "action":
        command: dict[str, object] = {"type": "record_action", "text": line.text}
        command.update(owner="Town council", due="2027-01-31")
    else:
        command = {"type": "post_contribution", "kind": line.kind, "text": line.text}
    reply = await _send(person, command)
    return f"c{reply['seq']}"


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Replayed:
    data_dir = tmp_path_factory.mktemp("conversation") / "data"
    session_id = asyncio.run(_replay(data_dir))
    harvests = {m: stored_harvest(data_dir, session_id, m) for m in MODES}  # type: ignore[arg-type]
    exports = {m: {n: render(h, n) for n in EXPORT_FORMATS} for m, h in harvests.items()}
    return Replayed(data_dir, session_id, [*opening(), *tables()], exports, harvests)


def every(modes: Iterable[str] = MODES) -> list[object]:
    return [pytest.param(m, n, id=f"{m}-{n}") for m in modes for n in EXPORT_FORMATS]


def readable(name: str, body: bytes, tmp: Path) -> str:
    """The words a reader of this format sees (for data formats: the texts as written)."""
    if name == "transcript-json":
        return "\n".join(c["text"] for c in json.loads(body)["contributions"])
    if name == "transcript-csv":
        return "\n".join(row["text"] for row in csv.DictReader(io.StringIO(body.decode())))
    if name.endswith(("html", "large-print", "docx", "odt", "pdf")):
        return text_of(name, body, tmp)
    return body.decode().replace("\\", "")  # Markdown's escapes are not words


def words_of(markdown: str) -> list[str]:
    """A text's words and emoji as any format shows them: Markdown's markup, link targets
    (printed formats add them in brackets) and punctuation aside."""
    shown = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return re.findall(r"\w+|[^\w\s.,:;!?()\[\]*'\"\ufe0f-]", shown)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("mode", "name"), every())
def test_every_text_is_there_in_full(
    replayed: Replayed, mode: str, name: str, tmp_path: Path
) -> None:
    seen = squeezed(readable(name, replayed.exports[mode][name], tmp_path))
    for line in replayed.lines:
        at = 0
        for word in words_of(line.text):
            found = seen.find(word, at)
            assert found >= 0, f"{line.marker}: {word!r} missing after {seen[at - 60 : at]!r}"
            at = found + len(word)


def test_the_long_replies_are_long_and_their_paragraphs_indented() -> None:
    lengths = sorted(len(line.text) for line in [*opening(), *tables()])
    assert lengths[-4] > 2_000 and lengths[-1] < 10_000
    assert "\n\n    " in opening()[1].text and LONG_WORD in opening()[3].text


def expected_order(name: str) -> list[str]:
    """Transcripts: as it was said. Digests: the plenary as said; the table round table by
    table, as said within each table (then what was said to everyone)."""
    said = [line for line in [*opening(), *tables()] if line.kind != "action"]
    if name.startswith("transcript"):
        return [line.marker for line in said]
    plenary = [line.marker for line in opening()]
    round_ = [line for line in tables() if line.kind != "action"]
    by_table = [
        line.marker for t in ("", "Table one", "Table two") for line in round_ if line.table == t
    ]
    return plenary + by_table


@pytest.mark.parametrize(("mode", "name"), every())
def test_texts_come_in_the_documented_order(
    replayed: Replayed, mode: str, name: str, tmp_path: Path
) -> None:
    text = readable(name, replayed.exports[mode][name], tmp_path)
    # the full texts begin with the first (the summary before them holds no plain note);
    # a later reply names an earlier marker, so each marker's first place is its own text
    start = text.find("Rq01")
    first: dict[str, int] = {}
    for found in re.finditer(r"Rq\d\d", text[start:]):
        first.setdefault(found.group(), found.start())
    expected = expected_order(name)
    assert sorted(expected, key=lambda m: first.get(m, -1)) == expected


def word_boxes(pdf: bytes, tmp: Path) -> tuple[float, list[tuple[float, float, str]]]:
    """(page width, every word's left and right edge) from poppler's pdftotext -bbox."""
    path = tmp / "digest.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, timeout=120
    ).stdout
    page = lxml.html.fromstring(html)
    width = float(page.xpath("//page")[0].get("width"))
    boxes = [
        (float(w.get("xmin")), float(w.get("xmax")), w.text or "") for w in page.xpath("//word")
    ]
    return width, boxes


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["digest-pdf", "digest-large-print-pdf"])
def test_nothing_runs_past_the_pdf_margin(
    replayed: Replayed, mode: str, name: str, tmp_path: Path
) -> None:
    width, boxes = word_boxes(replayed.exports[mode][name], tmp_path)
    assert len(boxes) > 1_000
    outside = [
        (round(left), round(right), word[:30])
        for left, right, word in boxes
        if left < MARGIN_PT - 1 or right > width - MARGIN_PT + 1
    ]
    assert outside == [], f"{len(outside)} words past the margin of {width} pt"


ODF = {
    p: f"urn:oasis:names:tc:opendocument:xmlns:{n}"
    for p, n in (
        ("style", "style:1.0"),
        ("fo", "xsl-fo-compatible:1.0"),
        ("table", "table:1.0"),
        ("svg", "svg-compatible:1.0"),
        ("draw", "drawing:1.0"),
        ("text", "text:1.0"),
    )
}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
EMU_PER_TWIP = 635


def odt_part(body: bytes, name: str) -> Any:
    """One XML part of an ODT file, parsed (lxml's element type is not exported)."""
    with zipfile.ZipFile(io.BytesIO(body)) as odt:
        return lxml.etree.fromstring(odt.read(name))


def cm(value: str | None) -> float:
    assert value is not None and value.endswith("cm"), value
    return float(value.removesuffix("cm"))


@pytest.mark.parametrize("mode", MODES)
def test_nothing_can_pass_the_margin_in_docx(replayed: Replayed, mode: str) -> None:
    """Nothing here renders DOCX (no Word, no LibreOffice), so the check is what Word's
    layout promises: a paragraph's words wrap at the margin, and a word longer than a line
    is broken there. What can still cross it is an object with a width of its own: a
    table that grows to fit its longest word (autofit), a table or picture wider than the
    text area, an indent past the margin, or text told not to wrap. The digest has none."""
    document = docx.Document(io.BytesIO(replayed.exports[mode]["digest-docx"]))
    (section,) = document.sections
    edges = (section.page_width, section.left_margin, section.right_margin)
    assert None not in edges
    text_width = edges[0] - edges[1] - edges[2]  # type: ignore[operator]
    body = document.element.body
    assert LONG_WORD in "".join(body.itertext()) and len(document.tables) >= 3
    for table in body.iter(f"{W}tbl"):
        layout = table.find(f"{W}tblPr/{W}tblLayout")
        assert layout is not None and layout.get(f"{W}type") == "fixed", "autofit table"
        columns = [int(c.get(f"{W}w")) for c in table.iter(f"{W}gridCol")]
        assert sum(columns) * EMU_PER_TWIP <= text_width
    for extent in body.iter(f"{WP}extent"):
        assert int(extent.get("cx")) <= text_width
    for indent in body.iter(f"{W}ind"):
        assert all(int(v) >= 0 for k, v in indent.attrib.items() if k in (f"{W}left", f"{W}right"))
    assert [e.tag for e in body.iter(f"{W}noWrap", f"{W}fitText")] == []


@pytest.mark.parametrize("mode", MODES)
def test_nothing_can_pass_the_margin_in_odt(replayed: Replayed, mode: str) -> None:
    """As for DOCX (nothing here renders ODT): paragraphs wrap at the margin and a word
    longer than a line is broken there, so what could cross it is a table not bound to
    the margins, a picture wider than the text area or text told not to wrap."""
    body = replayed.exports[mode]["digest-odt"]
    content, styles = odt_part(body, "content.xml"), odt_part(body, "styles.xml")
    (page,) = styles.xpath("//style:page-layout-properties", namespaces=ODF)
    width, left, right = (
        cm(page.get(f"{{{ODF['fo']}}}{k}")) for k in ("page-width", "margin-left", "margin-right")
    )
    text_width = width - left - right
    table_styles = {
        s.get(f"{{{ODF['style']}}}name"): s
        for s in content.xpath("//style:style[@style:family='table']", namespaces=ODF)
    }
    tables = content.xpath("//table:table", namespaces=ODF)
    assert LONG_WORD in "".join(content.itertext()) and len(tables) >= 3
    for table in tables:
        style = table_styles.get(table.get(f"{{{ODF['table']}}}style-name"))
        assert style is not None, "a table without a width of its own: LibreOffice guesses"
        (props,) = style.xpath("style:table-properties", namespaces=ODF)
        assert props.get(f"{{{ODF['table']}}}align") == "margins"
    for frame in content.xpath("//draw:frame", namespaces=ODF):
        assert cm(frame.get(f"{{{ODF['svg']}}}width")) <= text_width
    no_wrap = (
        "//*[@fo:wrap-option='no-wrap' and ancestor-or-self::style:style[@style:family!='graphic']]"
    )
    assert content.xpath(no_wrap, namespaces=ODF) == styles.xpath(no_wrap, namespaces=ODF) == []


@pytest.mark.parametrize("mode", MODES)
async def test_html_digests_never_scroll_sideways_at_320_px(
    replayed: Replayed, mode: str, browser: Browser
) -> None:
    context = await browser.new_context(viewport={"width": 320, "height": 640})
    page = await context.new_page()
    for name in ("digest-html", "digest-large-print"):
        await page.set_content(replayed.exports[mode][name].decode())
        scroll, client = await page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{name}: {scroll} px of content in {client} px"
    await context.close()


def test_the_summary_figures_match_the_log(replayed: Replayed) -> None:
    page = lxml.html.fromstring(replayed.exports["chatham-house"]["digest-html"])
    rows = page.xpath("//table[starts-with(caption, 'People who spoke')]/tbody/tr")
    figures: dict[str, list[int]] = {}
    for row in rows:
        phase = row.xpath("th")[0].text_content()
        room, remote = (int(td.text_content()) for td in row.xpath("td")[1:])
        totals = figures.setdefault(phase, [0, 0])
        totals[0] += room
        totals[1] += remote
    spoke = {
        "1. Calling": {line.who for line in opening()},
        "2. Round 3": {line.who for line in tables()},
    }
    assert figures == {
        phase: [len(who - REMOTE), len(who & REMOTE)] for phase, who in spoke.items()
    }
    said = len([*opening(), *tables()])
    summary = page.xpath("//section[@aria-labelledby='people']/p")[0].text_content()
    assert f"which holds {said} contributions" in summary
    assert "5 people took part" in summary and "3 in the room and 2 remotely" in summary
    insights = [
        li.text_content() for li in page.xpath("//section[@aria-labelledby='insights']//li")
    ]
    assert [i.split()[0] for i in insights] == ["Rq11", "Rq12"]  # 3 dots, then 1
    headings = [h.text_content() for h in page.xpath("//main//h2")]
    assert "1. Calling" in headings and "2. Round 3" in headings
    assert not [h for h in headings if "Round 1" in h or "Round 2" in h]  # never opened


def test_remote_people_are_labelled_remote_wherever_they_sat(replayed: Replayed) -> None:
    page = lxml.html.fromstring(replayed.exports["attributed"]["digest-html"])
    meta = {
        li.xpath(".//div[@class='text']")[0].text_content().split()[0]: li.xpath(
            "p[@class='meta']"
        )[0].text_content()
        for li in page.xpath("//ol[@class='harvest']/li")
    }
    assert "remote" in meta["Rq10"] and "Table one" not in meta["Rq10"]  # at a hall table
    assert "in the room" in meta["Rq08"]
    assert "Online" in meta["Rq02"] and "remote" in meta["Rq02"]  # plenary: the venue too


def test_the_long_link_and_word_survive_in_the_markdown_transcript(replayed: Replayed) -> None:
    md = replayed.exports["attributed"]["transcript-md"].decode()
    assert "```" not in md and "\n    " not in md.split("## 1.")[1]  # no code blocks
    assert LONG_WORD in md and LONG_LINK in md.replace("\\", "")


@pytest.mark.parametrize("name", ["digest-pdf", "digest-large-print-pdf"])
def test_pdf_emoji_come_from_the_font_hostkit_ships(replayed: Replayed, name: str) -> None:
    reader = pypdf.PdfReader(io.BytesIO(replayed.exports["attributed"][name]))
    fonts = set()
    for page in reader.pages:
        resources: Any = page["/Resources"]  # a PDF dictionary: pypdf types it loosely
        for font in resources.get("/Font", {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    # whether or not this machine has an emoji font: the font of pdf.py's @font-face, named
    # for that family (WeasyPrint 70) or for the font itself (earlier versions)
    assert fonts & {"hostkit-emoji", "Noto-Color-Emoji"}
    assert "👋" in pdf_text(replayed.exports["attributed"][name])
