"""A long, threaded conversation replayed through the protocol against a real server, then
exported in every format and every attribution mode and read back with real readers.

Every text is there in full, in the documented order (a plenary as it was said, whatever
the venue; a table round table by table); no line runs past the PDF's margin (word boxes
from poppler's ``pdftotext -bbox``); the HTML digests never scroll sideways at 320 px in
Chromium; and the digest's figures of who spoke where match the log.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    assert "Noto-Color-Emoji" in fonts  # whether or not this machine has an emoji font
    assert "👋" in pdf_text(replayed.exports["attributed"][name])
