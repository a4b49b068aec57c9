"""Digests and transcripts in Welsh: a Welsh session's exports read in Welsh.

The fixed words (headings, labels, captions, aliases, the numbers) come from the same
gettext catalogue as the live pages; people's own words are never translated.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import docx
import lxml.html
import odfdo
import pypdf
import pytest
from babel.messages.extract import extract_from_dir

from hostkit.export.formats import EXPORT_FORMATS, render
from hostkit.export.harvest import (
    ANONYMOUS,
    KIND_LABELS,
    MODE_LABELS,
    RESPONSES,
    Harvest,
)
from tests.harness import Person, running_server
from tests.nu_checker import assert_valid_html
from tests.security.support import ok
from tests.stored_harvest import stored_harvest
from tests.test_i18n import welsh

ROOT = Path(__file__).resolve().parent.parent
HOSTKIT = str(Path(sys.executable).with_name("hostkit"))
NOTE = "Mae angen mwy o fysiau 4e1"
QUESTION = "Pwy sy\u2019n talu? 9b2"
TITLE = "Bysiau\u2019r pentref"


def export_words() -> set[str]:
    """Every fixed word of the exports: the templates, the renderers and the labels."""
    found: set[str] = {"Participant %(number)s", "Respondent %(number)s", "Everyone"}
    found |= {*KIND_LABELS.values(), *MODE_LABELS.values(), RESPONSES, ANONYMOUS}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2)}
    for folder, pattern, method in (
        (ROOT / "exports", "**.j2", "jinja2"),
        (ROOT / "hostkit" / "export", "**.py", "python"),
    ):
        options = {pattern: {"extensions": "jinja2.ext.i18n"}}
        for _f, _l, message, _c, _x in extract_from_dir(
            str(folder), [(pattern, method)], options, keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_fixed_word_of_the_exports_has_a_welsh_translation() -> None:
    words = export_words()
    assert {"Who took part", "Votes in %(phase)s, most dots first", "Note"} <= words
    catalogue = welsh()
    assert sorted(w for w in words if not catalogue.get(w)) == []


async def build(data: Path, language: str | None) -> str:
    """A small pseudonymous session: two people, a note with votes and a question."""
    async with running_server(data) as server:
        links = await server.new_session("world-cafe", title=TITLE, attribution="pseudonymous")
        host = Person.from_link(server, links.host_url)
        await host.connect()
        if language is not None:
            await ok(host.send({"type": "set_language", "language": language}))
        await ok(host.send({"type": "open_phase", "phase_id": "p2"}))
        nia = await Person.join(server, links.room_url, "Nia")
        await nia.connect()
        posted = await ok(nia.send({"type": "post_contribution", "kind": "note", "text": NOTE}))
        await ok(nia.send({"type": "post_contribution", "kind": "question", "text": QUESTION}))
        await ok(
            host.send({"type": "cast_vote", "contribution_id": f"c{posted['seq']}", "dots": 2})
        )
        for person in (host, nia):
            await person.disconnect()
        return host.session_id


def harvest(data: Path, session_id: str, language: str | None = None) -> Harvest:
    return stored_harvest(data, session_id, language=language)


@pytest.fixture(scope="module")
def welsh_session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    data = tmp_path_factory.mktemp("welsh") / "data"
    return data, asyncio.run(build(data, "cy"))


@pytest.fixture(scope="module")
def welsh_exports(welsh_session: tuple[Path, str]) -> dict[str, bytes]:
    found = harvest(*welsh_session)
    assert found.language == "cy"  # the session's language, unasked
    return {name: render(found, name) for name in EXPORT_FORMATS}


def text_of(name: str, body: bytes, tmp: Path) -> str:
    if name.endswith(("html", "large-print")):
        return str(lxml.html.fromstring(body).text_content())
    if name.endswith("docx"):
        document = docx.Document(io.BytesIO(body))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return "\n".join([p.text for p in document.paragraphs] + cells)
    if name.endswith("odt"):
        (tmp / "d.odt").write_bytes(body)
        return str(odfdo.Document(tmp / "d.odt").body.text_recursive)
    if name.endswith("pdf"):
        return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(body)).pages)
    return body.decode("utf-8")


# what each format must say in Welsh (and the English it must not)
DIGEST = ["Pwy gymerodd ran", "Am y sesiwn hon", "Cwestiynau agored", "Sut i ymateb"]
EXPECTED: dict[str, list[str]] = {
    "digest-html": [*DIGEST, "Pleidleisiau yn Round 1, y mwyaf o ddotiau yn gyntaf", "Cymerodd"],
    "digest-large-print": [*DIGEST, "print bras", "Safle"],
    "digest-txt": ["PWY GYMERODD RAN", "Cynhaeaf hyd at", "2 o ddotiau"],
    "digest-pdf": [*DIGEST, "Pobl ym mhob lleoliad"],
    "digest-large-print-pdf": [*DIGEST, "print bras"],
    "digest-docx": [*DIGEST, "Pobl ym mhob lleoliad", "Lleoliad", "Pleidleiswyr"],
    "digest-odt": [*DIGEST, "Pobl ym mhob lleoliad", "Pleidleiswyr"],
    "transcript-md": ["trawsgrifiad", "Cynhaliwyd ar", "Nodyn am", "Cyfranogwr 2"],
    "transcript-txt": ["trawsgrifiad", "Cwestiwn", "Cyfranogwr 2", "2 o gyfraniadau, amseroedd"],
    "transcript-csv": ["Cyfranogwr 2"],
    "transcript-json": ["Cyfranogwr 2"],
}


@pytest.mark.parametrize("name", list(EXPORT_FORMATS))
def test_a_welsh_export_of_each_format_reads_in_welsh(
    welsh_exports: dict[str, bytes], name: str, tmp_path: Path
) -> None:
    text = text_of(name, welsh_exports[name], tmp_path)
    for word in EXPECTED[name]:
        assert word in text, (name, word)
    for english in ("Who took part", "About this session", "Participant 2", ": transcript"):
        assert english not in text, (name, english)
    assert NOTE in text  # people's words as they wrote them


def test_welsh_files_declare_their_language(welsh_exports: dict[str, bytes]) -> None:
    for name in ("digest-html", "digest-large-print"):
        assert lxml.html.fromstring(welsh_exports[name]).get("lang") == "cy"
    for name in ("digest-pdf", "digest-large-print-pdf"):
        root: Any = pypdf.PdfReader(io.BytesIO(welsh_exports[name])).trailer["/Root"]
        assert root["/Lang"] == "cy"
    assert docx.Document(io.BytesIO(welsh_exports["digest-docx"])).core_properties.language == "cy"
    assert json.loads(welsh_exports["transcript-json"])["session"]["language"] == "cy"
    rows = list(csv.DictReader(io.StringIO(welsh_exports["transcript-csv"].decode())))
    assert [r["kind"] for r in rows] == ["note", "question"]  # codes and columns stay stable


def test_an_english_session_stays_english_and_either_can_be_asked_for(
    welsh_session: tuple[Path, str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    english = asyncio.run(build(data, None))
    plain = render(harvest(data, english), "digest-txt").decode()
    assert "WHO TOOK PART" in plain and "PWY GYMERODD RAN" not in plain
    asked = render(harvest(data, english, "cy"), "digest-txt").decode()
    assert "PWY GYMERODD RAN" in asked

    welsh_data, welsh_id = welsh_session
    done = subprocess.run(
        [HOSTKIT, "export", "--data", str(welsh_data), welsh_id, "--format", "transcript-txt",
         "--language", "en", "--out", "-"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"{TITLE}: transcript" in done.stdout and "Participant 2" in done.stdout


async def test_the_welsh_html_digests_have_no_axe_violations(
    browser: Any, welsh_exports: dict[str, bytes], tmp_path: Path
) -> None:
    from axe_playwright_python.async_playwright import Axe

    for name in ("digest-html", "digest-large-print"):
        path = tmp_path / f"{name}.html"
        path.write_bytes(welsh_exports[name])
        context = await browser.new_context(viewport={"width": 320, "height": 640})
        page = await context.new_page()
        await page.goto(path.as_uri())
        results = await Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        await context.close()


def test_the_welsh_html_digests_pass_the_nu_html_checker(
    welsh_exports: dict[str, bytes], tmp_path: Path
) -> None:
    names = ("digest-html", "digest-large-print")
    assert_valid_html({n: welsh_exports[n] for n in names}, tmp_path)
