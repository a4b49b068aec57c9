"""Exports of a realistic session, built through the real server and read with real readers.

The scene: a World Café in a village hall, a library and online; room and remote people,
an anonymous participant, hostile text, votes, a photo, an off-record note, a withdrawn
note, a hidden note, a Chatham House round and a confidential round. Every contribution
carries a marker (``Kx01``...) so each format's text can be checked for exactly what
should be there, in order, and nothing else.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import docx
import httpx
import lxml.etree
import lxml.html
import odfdo
import PIL.Image
import PIL.ImageDraw
import pypdf
import pytest

from hostkit.cli import main as hostkit_main
from hostkit.domain.model import Attribution
from hostkit.export.formats import CHOICES, EXPORT_FORMATS, content_disposition, filename, render
from hostkit.export.harvest import Harvest
from tests.harness import Person, Server, running_server
from tests.nu_checker import assert_valid_html
from tests.stored_harvest import stored_harvest

NAMES = {
    "ana": "Ana Quillfeather",
    "bart": "Zebedee Bartholomew",
    "carys": "Carys Llewellyn",
    "dev": "Devorah Okonkwo",
}
TITLE = "High street <b>futures</b> & more"
HOSTILE = (
    "Kx02 Shops need **footfall** <script>alert('x')</script> "
    "[click me](javascript:alert(1)) <img src=x onerror=alert(2)> "
    '<a href="https://example.org" onclick="steal()">a site</a>'
)
RTL = "Kx03 שלום עולם and مرحبا with emoji 🌍🎉"
LONG_WORD = "Supercalifragilistic" * 15
EXPORTED = ["Kx01", "Kx02", "Kx03", "Kx04", "Kx07", "Kx09", "Kx10", "Kx12", "Kx13"]
NEVER = ["Kx05", "Kx06", "Kx08", "Kx11"]  # off record, withdrawn, hidden, confidential
# who said each exported contribution (None: nobody may be named, a Chatham House phase)
SAID_BY: dict[str, str | None] = {
    "Kx01": "host",
    "Kx02": "ana",
    "Kx03": "dev",
    "Kx04": "anon",
    "Kx07": "carys",
    "Kx09": "bart",
    "Kx10": None,
    "Kx12": "anon",
    "Kx13": "dev",
}


@dataclass(frozen=True)
class Scene:
    data_dir: Path
    session_id: str
    host_url: str
    participant_token: str


async def _ok(person: Person, command: dict[str, Any]) -> dict[str, Any]:
    reply = await person.send(command)
    assert reply["type"] == "ack", reply
    return reply


async def _post(person: Person, kind: str, text: str, **extra: Any) -> str:
    reply = await _ok(person, {"type": "post_contribution", "kind": kind, "text": text, **extra})
    return f"c{reply['seq']}"


def flipchart() -> bytes:
    """A small 'photo' of a flipchart, as a phone would send it."""
    image = PIL.Image.new("RGB", (320, 240), "white")
    PIL.ImageDraw.Draw(image).ellipse((40, 40, 200, 200), outline="red", width=6)
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


async def _upload_photo(server: Server, person: Person) -> str:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{server.url}/s/{person.session_id}/photos",
            files={"photo": ("flipchart.jpg", flipchart(), "image/jpeg")},
            headers=person.headers,
        )
    assert response.status_code == 200, response.text
    return str(response.json()["photo_id"])


async def _build(data_dir: Path) -> Scene:
    async with running_server(data_dir) as server:
        links = await server.new_session(
            "world-cafe",
            title=TITLE,
            purpose="What could bring life back to our high street?",
            venues=("Village hall", "Library"),
        )
        host = Person.from_link(server, links.host_url)
        await host.connect()
        groups = {}
        for name, cell, seats in (
            ("Table 1", "venue-1", True),
            ("Library table", "venue-2", False),
            ("Online room", "online", False),
        ):
            reply = await _ok(
                host,
                {"type": "create_group", "name": name, "cell_id": cell, "remote_seats": seats},
            )
            groups[name] = f"g{reply['seq']}"
        people = {
            "ana": await Person.join(server, links.room_url, NAMES["ana"]),
            "carys": await Person.join(server, links.room_url, NAMES["carys"]),
            "anon": await Person.join(server, links.room_url, None),
            "bart": await Person.join(server, links.remote_url, NAMES["bart"]),
            "dev": await Person.join(server, links.remote_url, NAMES["dev"]),
        }
        for person in people.values():
            await person.connect()
        for who, group in (
            ("ana", "Table 1"),
            ("dev", "Table 1"),
            ("anon", "Table 1"),
            ("carys", "Library table"),
            ("bart", "Online room"),
        ):
            await _ok(people[who], {"type": "choose_group", "group_id": groups[group]})
        ana, bart, carys, dev, anon = (people[k] for k in ("ana", "bart", "carys", "dev", "anon"))

        await _ok(host, {"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
        await _post(host, "note", "Kx01 Welcome, everyone: room and home alike.")
        await _ok(host, {"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
        await _post(ana, "note", HOSTILE)
        await _post(dev, "insight", RTL)
        await _post(anon, "question", f"Kx04 Who owns the empty shops? {LONG_WORD}")
        await _post(bart, "note", "Kx05 between us: the council sold it", off_record=True)
        taken_back = await _post(carys, "note", "Kx06 I take this back")
        await _ok(carys, {"type": "withdraw_contribution", "contribution_id": taken_back})
        photo_id = await _upload_photo(server, carys)
        await _post(carys, "photo", "Kx07 Flipchart: three circles of ideas", photo_id=photo_id)
        rude = await _post(bart, "note", "Kx08 a rude remark")
        await _ok(host, {"type": "hide_contribution", "contribution_id": rude})
        await _post(bart, "note", "Kx09 See [the plan](https://example.org/plan) for details")

        await _ok(
            host,
            {"type": "set_phase_attribution", "phase_id": "p3", "attribution": "chatham-house"},
        )
        await _ok(host, {"type": "open_phase", "phase_id": "p3", "seat": False, "timer": False})
        await _post(ana, "note", "Kx10 Said under the Chatham House rule")
        await _ok(
            host,
            {"type": "set_phase_attribution", "phase_id": "p4", "attribution": "confidential"},
        )
        await _ok(host, {"type": "open_phase", "phase_id": "p4", "seat": False, "timer": False})
        await _post(bart, "note", "Kx11 Said in confidence")
        await _ok(host, {"type": "open_phase", "phase_id": "p5", "seat": False, "timer": False})
        market = await _post(anon, "insight", "Kx12 A monthly market day")
        library = await _post(dev, "insight", "Kx13 A pop-up library in an empty shop")
        await _ok(ana, {"type": "cast_vote", "contribution_id": market, "dots": 3})
        await _ok(carys, {"type": "cast_vote", "contribution_id": market, "dots": 1})
        await _ok(bart, {"type": "cast_vote", "contribution_id": library, "dots": 2})
        await _ok(host, {"type": "close_phase", "phase_id": "p5"})
        for person in (host, *people.values()):
            await person.disconnect()
        return Scene(data_dir, host.session_id, links.host_url, ana.token)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    return asyncio.run(_build(tmp_path_factory.mktemp("export") / "data"))


def harvest_of(scene: Scene, mode: Attribution | None = None) -> Harvest:
    return stored_harvest(scene.data_dir, scene.session_id, mode, with_photos=True)


@pytest.fixture(scope="module")
def exports(scene: Scene) -> dict[str, dict[str, bytes]]:
    """Every format in every mode the attributed session allows."""
    made: dict[str, dict[str, bytes]] = {}
    for mode in ("attributed", "pseudonymous", "chatham-house"):
        harvest = harvest_of(scene, mode)
        made[mode] = {name: render(harvest, name) for name in EXPORT_FORMATS}
    return made


# -- reading each format back with a real reader ------------------------------------------


def html_text(body: bytes) -> str:
    return str(lxml.html.fromstring(body).text_content())


def docx_text(body: bytes) -> str:
    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def odt_text(body: bytes, tmp: Path) -> str:
    path = tmp / "digest.odt"
    path.write_bytes(body)
    return str(odfdo.Document(path).body.text_recursive)


def pdf_text(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def text_of(name: str, body: bytes, tmp: Path) -> str:
    if name.endswith(("html", "large-print")):
        return html_text(body)
    if name.endswith("docx"):
        return docx_text(body)
    if name.endswith("odt"):
        return odt_text(body, tmp)
    if name.endswith("pdf"):
        return pdf_text(body)
    return body.decode("utf-8")


def markers(text: str) -> list[str]:
    return re.findall(r"Kx\d\d", text)


def every_format(modes: tuple[str, ...] = ("attributed",)) -> list[Any]:
    return [
        pytest.param(mode, name, id=f"{mode}-{name}") for mode in modes for name in EXPORT_FORMATS
    ]


ALL_MODES = ("attributed", "pseudonymous", "chatham-house")


# -- what every format must hold --------------------------------------------------------------


@pytest.mark.parametrize(("mode", "name"), every_format(ALL_MODES))
def test_every_format_holds_each_exported_contribution_and_nothing_kept_back(
    exports: dict[str, dict[str, bytes]], mode: str, name: str, tmp_path: Path
) -> None:
    text = text_of(name, exports[mode][name], tmp_path)
    found = markers(text)
    assert set(found) == set(EXPORTED), found
    for kept_back in NEVER:
        assert kept_back not in text
    assert "between us" not in text and "in confidence" not in text


@pytest.mark.parametrize(
    "name", ["transcript-md", "transcript-txt", "transcript-csv", "transcript-json"]
)
def test_transcripts_hold_each_contribution_once_in_the_order_it_was_said(
    exports: dict[str, dict[str, bytes]], name: str, tmp_path: Path
) -> None:
    body = exports["attributed"][name]
    if name.endswith("json"):  # each contribution's text (its html repeats it)
        text = "\n".join(c["text"] for c in json.loads(body)["contributions"])
    else:
        text = text_of(name, body, tmp_path)
    assert markers(text) == EXPORTED


def test_the_html_digest_lists_each_contribution_once_under_its_phase_and_group(
    exports: dict[str, dict[str, bytes]],
) -> None:
    page = lxml.html.fromstring(exports["attributed"]["digest-html"])
    items = [markers(li.text_content()) for li in page.xpath("//ol[@class='harvest']/li")]
    assert [m for found in items for m in found] == EXPORTED
    round_1 = page.xpath("//section[h2[@id='phase-2']]")[0]
    assert [h.text_content() for h in round_1.xpath("h3")] == [
        "Table 1 · Village hall",
        "Library table · Library",
        "Online room · Online",
    ]


@pytest.mark.parametrize("name", ["transcript-csv", "transcript-json"])
def test_tabular_transcripts_name_authors_exactly_per_mode(
    exports: dict[str, dict[str, bytes]], name: str
) -> None:
    def authors(mode: str) -> dict[str, str | None]:
        body = exports[mode][name]
        if name.endswith("csv"):
            rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
            return {markers(r["text"])[0]: r["author"] or None for r in rows}
        document = json.loads(body)
        assert document["schema"] == "hostkit.transcript/1"
        return {markers(c["text"])[0]: c["author"] for c in document["contributions"]}

    named = {
        k: (NAMES.get(v, "Anonymous" if v == "anon" else "Host") if v else None)
        for k, v in SAID_BY.items()
    }
    assert authors("attributed") == named
    aliases = authors("pseudonymous")
    assert aliases["Kx10"] is None
    assert all(a and a.startswith("Participant ") for k, a in aliases.items() if k != "Kx10")
    # the same person is always the same alias, and different people differ
    assert aliases["Kx03"] == aliases["Kx13"] and aliases["Kx04"] == aliases["Kx12"]
    assert len({aliases[k] for k in ("Kx01", "Kx02", "Kx03", "Kx04", "Kx07", "Kx09")}) == 6
    assert set(authors("chatham-house").values()) == {None}


@pytest.mark.parametrize(("mode", "name"), every_format(("pseudonymous", "chatham-house")))
def test_no_name_appears_in_a_pseudonymous_or_chatham_house_export(
    exports: dict[str, dict[str, bytes]], mode: str, name: str, tmp_path: Path
) -> None:
    text = text_of(name, exports[mode][name], tmp_path)
    for full in NAMES.values():
        for part in full.split():
            assert part not in text, f"{part} in {mode} {name}"
    if mode == "chatham-house":
        assert "Participant " not in text
    else:
        assert "Participant " in text


@pytest.mark.parametrize("name", [n for n in EXPORT_FORMATS if n.startswith("digest")])
def test_attributed_digests_name_people_except_the_anonymous_and_the_chatham_house_phase(
    exports: dict[str, dict[str, bytes]], name: str, tmp_path: Path
) -> None:
    text = text_of(name, exports["attributed"][name], tmp_path)
    for who in ("ana", "carys", "dev", "bart"):
        assert NAMES[who] in text.replace("\n", " ")
    assert "Anonymous" in text
    if name == "digest-html":
        page = lxml.html.fromstring(exports["attributed"]["digest-html"])
        said_under_rule = page.xpath("//li[contains(., 'Kx10')]")[0]
        assert not said_under_rule.xpath(".//*[@class='author']")


# -- hostile text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["digest-html", "digest-large-print"])
def test_no_script_handler_or_dangerous_link_survives_in_html(
    exports: dict[str, dict[str, bytes]], name: str
) -> None:
    page = lxml.html.fromstring(exports["attributed"][name])
    assert not page.xpath("//script | //iframe | //object | //embed | //*[not(self::figure)]/img")
    assert all(i.get("src").startswith("data:image/jpeg;") for i in page.xpath("//img"))
    for element in page.iter():
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on"), (element.tag, attribute)
            assert "javascript:" not in value.lower()
    links = [a.get("href") for a in page.xpath("//main//a[@href]")]
    # a Markdown link works; a raw HTML <a> is shown as the text it was, never as a link
    assert "https://example.org/plan" in links and "https://example.org" not in links
    h1 = page.xpath("//h1")
    assert len(h1) == 1 and h1[0].text_content() == TITLE


@pytest.mark.parametrize(("mode", "name"), every_format())
def test_hostile_text_is_legible_and_inert_in_every_format(
    exports: dict[str, dict[str, bytes]], mode: str, name: str, tmp_path: Path
) -> None:
    body = exports[mode][name]
    text = text_of(name, body, tmp_path)
    assert LONG_WORD in text.replace("\n", "") or name.endswith("pdf")
    assert "Shops need" in text
    if name.endswith("pdf"):
        assert "שלום" in text or "םולש" in text  # extraction may reverse right-to-left runs
    else:
        assert "שלום עולם" in text and "🌍🎉" in text
    if name in ("transcript-csv", "transcript-json"):
        if name.endswith("json"):  # data as written; the html field is what may be shown
            for contribution in json.loads(body)["contributions"]:
                shown = lxml.html.fragment_fromstring(contribution["html"], create_parent="div")
                assert {e.tag for e in shown.iter()} <= {"div", "p", "br", "strong", "em", "a"}
                assert not [a for e in shown.iter() for a in e.attrib if a.startswith("on")]
                assert "javascript:" not in contribution["html"]
        return
    # raw HTML is shown as the words it was, never run (no word of a contribution is lost)
    assert "javascript:" not in text
    if not name.endswith("pdf"):  # (Markdown escapes the brackets: \<script\>)
        assert "<script>alert('x')</script>" in text.replace("\\", "")


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_defused(scene: Scene) -> None:
    from hostkit.export import tabular

    harvest = harvest_of(scene)
    from dataclasses import replace

    first = replace(harvest.entries[0], text='=HYPERLINK("http://evil")')
    rows = list(csv.reader(io.StringIO(tabular.transcript_csv(replace(harvest, entries=[first])))))
    assert rows[1][rows[0].index("text")] == '\'=HYPERLINK("http://evil")'


# -- the formats themselves ----------------------------------------------------------------------


def test_photos_are_inside_the_digests_with_their_description_as_alternative_text(
    exports: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    description = "Kx07 Flipchart: three circles of ideas"
    page = lxml.html.fromstring(exports["attributed"]["digest-html"])
    (img,) = page.xpath("//figure/img")
    assert img.get("src").startswith("data:image/jpeg;base64,")
    assert img.get("alt") == description
    document = docx.Document(io.BytesIO(exports["attributed"]["digest-docx"]))
    (shape,) = document.inline_shapes
    assert shape._inline.docPr.get("descr") == description
    path = tmp_path / "d.odt"
    path.write_bytes(exports["attributed"]["digest-odt"])
    (frame,) = odfdo.Document(path).body.get_frames()
    assert frame.svg_description == description
    reader = pypdf.PdfReader(io.BytesIO(exports["attributed"]["digest-pdf"]))
    sizes = [image.image.size for page in reader.pages for image in page.images if image.image]
    assert (320, 240) in sizes  # the photo (the others are emoji glyphs)


@pytest.mark.parametrize("name", ["digest-pdf", "digest-large-print-pdf"])
def test_pdf_digests_are_tagged_with_language_and_title(
    exports: dict[str, dict[str, bytes]], name: str
) -> None:
    reader = pypdf.PdfReader(io.BytesIO(exports["attributed"][name]))
    root: Any = reader.trailer["/Root"]  # a PDF dictionary: pypdf types it loosely
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert reader.metadata is not None
    assert (reader.metadata.title or "").startswith(TITLE)


def test_docx_and_odt_carry_title_language_and_real_headings(
    exports: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    document = docx.Document(io.BytesIO(exports["attributed"]["digest-docx"]))
    assert document.core_properties.title == TITLE
    assert document.core_properties.language == "en"
    headings = [
        p.text for p in document.paragraphs if p.style and p.style.name.startswith("Heading")
    ]
    assert "2. Round 1" in headings and "Table 1 · Village hall" in headings
    assert document.tables[0].rows[0].cells[0].text == "Venue"
    path = tmp_path / "d.odt"
    path.write_bytes(exports["attributed"]["digest-odt"])
    odt = odfdo.Document(path)
    assert odt.meta.get_title() == TITLE and odt.meta.get_language() == "en"
    assert "2. Round 1" in [h.text for h in odt.body.get_headers()]


def test_emphasis_is_kept_in_docx_and_odt_as_in_the_html_digest(
    exports: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    html = lxml.html.fromstring(exports["attributed"]["digest-html"])
    assert "footfall" in html.xpath("//strong/text()")
    document = docx.Document(io.BytesIO(exports["attributed"]["digest-docx"]))
    runs = [r for p in document.paragraphs for r in p.runs if r.text == "footfall"]
    assert runs and all(r.bold for r in runs)
    with zipfile.ZipFile(io.BytesIO(exports["attributed"]["digest-odt"])) as odt:
        content = lxml.etree.fromstring(odt.read("content.xml"))
    ns = {
        "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
        "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
        "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    }
    styles = content.xpath("//text:span[text()='footfall']/@text:style-name", namespaces=ns)
    assert styles, "footfall is a run of its own, not plain text"
    for name in styles:
        weight = content.xpath(
            f"//style:style[@style:name='{name}']/style:text-properties/@fo:font-weight",
            namespaces=ns,
        )
        assert weight == ["bold"]


def test_the_contents_list_numbers_a_phase_once(exports: dict[str, dict[str, bytes]]) -> None:
    """A phase heading carries its number ("2. Round 1"): a numbered list around it would
    read "9. 2. Round 1"."""
    page = lxml.html.fromstring(exports["attributed"]["digest-html"])
    (contents,) = page.xpath("//nav")
    assert contents.xpath(".//ol") == [] and len(contents.xpath("ul/li")) > 4
    for link in contents.xpath(".//a"):
        heading = page.get_element_by_id(link.get("href")[1:])
        assert link.text_content() == heading.text_content()


def test_the_json_transcript_follows_its_documented_schema(
    exports: dict[str, dict[str, bytes]],
) -> None:
    document = json.loads(exports["attributed"]["transcript-json"])
    assert document["schema"] == "hostkit.transcript/1"
    assert document["session"]["title"] == TITLE
    # the host is in the hall too
    assert document["session"]["in_room"] == 4 and document["session"]["remote"] == 2
    first = document["contributions"][0]
    assert list(first) == [
        "number",
        "id",
        "time",
        "phase",
        "phase_title",
        "group",
        "venue",
        "kind",
        "author",
        "text",
        "dots",
        "voters",
        "reactions",
        "photo_id",
        "response",
        "pending",
        "html",
        "owner",
        "due",
        "arrived_late",
    ]
    market = next(c for c in document["contributions"] if "Kx12" in c["text"])
    assert (market["dots"], market["voters"]) == (4, 2)
    modes = {p["id"]: p["attribution"] for p in document["phases"]}
    assert modes == {
        "p1": "attributed",
        "p2": "attributed",
        "p3": "chatham-house",
        "p4": "confidential",
        "p5": "attributed",
    }


def test_the_digest_counts_people_without_naming_them_and_ranks_votes(
    exports: dict[str, dict[str, bytes]],
) -> None:
    page = lxml.html.fromstring(exports["chatham-house"]["digest-html"])
    venues = {
        row.xpath("th")[0].text_content(): row.xpath("td")[0].text_content()
        for row in page.xpath("//table[caption='People in each venue']/tbody/tr")
    }
    # the host, ana and anon in the hall; carys at the library; bart and dev at home, though
    # dev sits at a hybrid hall table
    assert venues == {"Village hall": "3", "Library": "1", "Online": "2"}
    votes = page.xpath("//table[starts-with(caption, 'Votes in Harvest')]/tbody/tr")
    assert [markers(r.text_content())[0] for r in votes] == ["Kx12", "Kx13"]
    assert "confidential: nothing said in it was recorded" in page.text_content()


# -- getting it out: the CLI and the host console ------------------------------------------------


def test_the_cli_writes_a_zip_of_every_format(scene: Scene, tmp_path: Path) -> None:
    out = tmp_path / "all.zip"
    code = hostkit_main(
        [
            "export",
            "--data",
            str(scene.data_dir),
            scene.session_id,
            "--format",
            "all",
            "--attribution",
            "pseudonymous",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    with zipfile.ZipFile(out) as bundle:
        names = bundle.namelist()
        assert len(names) == len(EXPORT_FORMATS)
        md = bundle.read(next(n for n in names if n.endswith("-transcript.md"))).decode()
    assert markers(md) == EXPORTED and NAMES["ana"] not in md


def test_the_cli_refuses_an_export_less_private_than_the_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async def make() -> str:
        async with running_server(tmp_path / "data") as server:
            links = await server.new_session("custom", attribution="chatham-house")
            return links.host_url.split("/s/")[1].split("/")[0]

    session_id = asyncio.run(make())
    out = tmp_path / "x.csv"
    with pytest.raises(SystemExit) as stopped:
        hostkit_main(
            [
                "export",
                "--data",
                str(tmp_path / "data"),
                session_id,
                "--format",
                "transcript-csv",
                "--attribution",
                "attributed",
                "--out",
                str(out),
            ]
        )
    assert "more private, not less" in str(stopped.value)
    assert not out.exists()


@pytest.mark.parametrize("placed", ["before", "after", "after --"])
def test_the_cli_exports_a_session_whose_id_starts_with_a_dash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, placed: str
) -> None:
    # sessions made before ids stopped starting with "-" keep theirs
    monkeypatch.setattr("hostkit.sessions.new_session_id", lambda: "-dash_Id-0123456789ab")

    async def make() -> None:
        async with running_server(tmp_path / "data") as server:
            await server.new_session("custom")

    asyncio.run(make())
    out = tmp_path / "t.txt"
    options = ["--data", str(tmp_path / "data"), "--format", "transcript-txt", "--out", str(out)]
    arguments = {
        "before": ["-dash_Id-0123456789ab", *options],
        "after": [*options, "-dash_Id-0123456789ab"],
        "after --": [*options, "--", "-dash_Id-0123456789ab"],
    }[placed]
    assert hostkit_main(["export", *arguments]) == 0
    assert out.read_text(encoding="utf-8").strip()


def test_file_names_are_readable_and_a_welsh_title_is_sent_the_standard_way(
    scene: Scene,
) -> None:
    harvest = replace(harvest_of(scene), title="Gŵyl y Llyfrgell: café & cân")
    names = {filename(harvest, name) for name in CHOICES}
    assert len(names) == len(CHOICES)  # one file name per format, so a zip keeps them all
    day = names.pop().split("-gŵyl")[0]
    assert filename(harvest, "digest-pdf") == f"{day}-gŵyl-y-llyfrgell-café-cân-digest.pdf"
    header = content_disposition(harvest, "digest-pdf")
    assert header.startswith(f'attachment; filename="{day}-gwyl-y-llyfrgell-cafe-can-digest.pdf"')
    # RFC 6266: a browser takes filename* (RFC 8187: charset'language'percent-encoded)
    charset, language, encoded = header.split("; filename*=")[1].split("'")
    assert (charset, language) == ("UTF-8", "")
    assert unquote(encoded) == f"{day}-gŵyl-y-llyfrgell-café-cân-digest.pdf"


def test_the_cli_names_a_missing_session(tmp_path: Path, scene: Scene) -> None:
    with pytest.raises(SystemExit) as stopped:
        hostkit_main(
            [
                "export",
                "--data",
                str(scene.data_dir),
                "nope",
                "--format",
                "digest-txt",
                "--out",
                str(tmp_path / "x.txt"),
            ]
        )
    assert "no session 'nope'" in str(stopped.value)


async def test_the_host_downloads_every_format_and_others_cannot(scene: Scene) -> None:
    async with running_server(scene.data_dir) as server:
        base = f"{server.url}/s/{scene.session_id}/export"
        host_token = scene.host_url.split("key=")[1]
        host = {"Authorization": f"Bearer {host_token}"}
        async with httpx.AsyncClient(timeout=300) as http:  # a loaded machine
            for name in CHOICES:
                response = await http.get(f"{base}/{name}", headers=host)
                assert response.status_code == 200, (name, response.text)
                disposition = response.headers["content-disposition"]
                assert re.fullmatch(
                    r'attachment; filename="\d{4}-\d\d-\d\d-high-street-b-futures-b-more-'
                    r'(digest|digest-large-print|transcript|all)\.[a-z]+"',
                    disposition,
                ), disposition
                if name != "all":
                    assert response.headers["content-type"] == EXPORT_FORMATS[name].media_type
                    assert disposition.endswith(f'.{EXPORT_FORMATS[name].extension}"')
            private = await http.get(
                f"{base}/transcript-csv?attribution=chatham-house", headers=host
            )
            assert NAMES["ana"] not in private.text and "Kx02" in private.text
            participant = {"Authorization": f"Bearer {scene.participant_token}"}
            refused = await http.get(f"{base}/digest-html", headers=participant)
            assert refused.status_code == 403 and "Kx02" not in refused.text
            nobody = await http.get(f"{base}/digest-html")
            assert nobody.status_code == 401 and "Kx02" not in nobody.text
            unknown = await http.get(f"{base}/digest-exe", headers=host)
            assert unknown.status_code == 404
            bad_mode = await http.get(f"{base}/digest-txt?attribution=everyone", headers=host)
            assert bad_mode.status_code == 400


async def test_the_host_console_offers_the_downloads(scene: Scene) -> None:
    async with running_server(scene.data_dir) as server:
        host_token = scene.host_url.split("key=")[1]
        async with httpx.AsyncClient(cookies={f"hk_{scene.session_id}": host_token}) as http:
            console = await http.get(f"{server.url}/s/{scene.session_id}/host/harvest", timeout=60)
            assert console.status_code == 200
            page = lxml.html.fromstring(console.text)
            section = page.xpath("//section[h2[@id='downloads-heading']]")[0]
            hrefs = [a.get("href") for a in section.xpath(".//a")]
            for href in hrefs:
                got = await http.get(f"{server.url}{href}", timeout=300)
                assert got.status_code == 200, href
        offered = {h.split("/export/")[1].split("?")[0] for h in hrefs}
        assert offered == set(CHOICES)


# -- in a real browser, and the HTML validator --------------------------------------------


@pytest.mark.parametrize("name", ["digest-html", "digest-large-print"])
async def test_html_digests_have_no_axe_violations_reflow_and_make_no_requests(
    browser: Any, exports: dict[str, dict[str, bytes]], name: str, tmp_path: Path
) -> None:
    from axe_playwright_python.async_playwright import Axe

    path = tmp_path / f"{name}.html"
    path.write_bytes(exports["attributed"][name])
    context = await browser.new_context(viewport={"width": 320, "height": 640})
    page = await context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    await page.goto(path.as_uri())
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert requests == [path.as_uri()]
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, "the page scrolls sideways on a 320px phone"
    if name == "digest-large-print":
        smallest = await page.evaluate(
            "Math.min(...[...document.querySelectorAll('main *')].filter(e => e.textContent.trim())"
            ".map(e => parseFloat(getComputedStyle(e).fontSize)))"
        )
        assert smallest >= 24, f"large print text at {smallest}px (18pt is 24px)"
    await context.close()


def test_html_digests_pass_the_nu_html_checker(
    exports: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    names = ("digest-html", "digest-large-print")
    assert_valid_html({n: exports["attributed"][n] for n in names}, tmp_path)
