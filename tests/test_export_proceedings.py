"""An Open Space's book of proceedings and next steps in every export, read back with real
readers (lxml, python-docx, odfdo, pypdf, csv, json).

The scene, played through the real server: three topics proposed (one withdrawn, never
placed), groups in the hall and online, room and remote people (one anonymous) moving
between them, a report saved twice (only the latest counts), a report kept off the
record, convergence dots, and next steps (one owned by a participant, one by an
organisation, one off the record, one withdrawn). Markers (``Rx``, ``Rf``, ``Ax``) let each
format be checked for exactly what must be there, in order.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pytest
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from hostkit.domain.model import Attribution
from hostkit.export.formats import EXPORT_FORMATS, render
from hostkit.export.harvest import Harvest
from tests.harness import Person, running_server
from tests.nu_checker import assert_valid_html
from tests.stored_harvest import stored_harvest
from tests.test_export_session import text_of

NAMES = {
    "ana": "Ana Quillfeather",
    "bart": "Zebedee Bartholomew",
    "carys": "Carys Llewellyn",
    "dev": "Devorah Okonkwo",
}
BUSES, SHOPS, REPAIR = "Rx01 Late buses home", "Rx02 Empty shops", "Rx03 A repair café"
WITHDRAWN_TOPIC = "Rx04 Taken back"
# the buses report as the group last saved it: each field exactly as written, in order
BUSES_REPORT = {
    "summary": "Rf1 The last bus leaves at 22:00.\nPeople walk home in the dark.",
    "recommendations": "Rf2 Run a 23:00 bus on Fridays and Saturdays.",
    "resources": "Rf3 The bus company's timetable; the community transport minibus.",
    "requests": "Rf4 Council data on late journeys, please.",
}
SHOPS_REPORT = {"summary": "Rf5 Pop-up shops in empty units.", "requests": "Rf6 Lower rents."}
NEVER = ("Rf0", "Rf9", "Rx04", "Ax03", "Ax04")  # first draft, off record, withdrawn
ACTIONS = ("Ax01", "Ax02")
MODES = ("attributed", "pseudonymous", "chatham-house")
DIGESTS = (
    "digest-html",
    "digest-large-print",
    "digest-txt",
    "digest-pdf",
    "digest-docx",
    "digest-odt",
)


@dataclass(frozen=True)
class Scene:
    data_dir: Path
    session_id: str
    ids: dict[str, str]  # who -> participant id


async def _ok(person: Person, command: dict[str, Any]) -> dict[str, Any]:
    reply = await person.send(command)
    assert reply["type"] == "ack", (command, reply)
    return reply


async def _build(data_dir: Path) -> Scene:
    async with running_server(data_dir) as server:
        links = await server.new_session(
            "open-space", title="Our town's evenings", venues=("Village hall",)
        )
        host = Person.from_link(server, links.host_url)
        await host.connect()
        people = {
            "ana": await Person.join(server, links.room_url, NAMES["ana"]),
            "carys": await Person.join(server, links.room_url, NAMES["carys"]),
            "anon": await Person.join(server, links.room_url, None),
            "bart": await Person.join(server, links.remote_url, NAMES["bart"]),
            "dev": await Person.join(server, links.remote_url, NAMES["dev"]),
        }
        for person in people.values():
            await person.connect()
        ana, carys, anon, bart, dev = (people[k] for k in ("ana", "carys", "anon", "bart", "dev"))

        await _ok(host, {"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
        topics = {}
        for who, text in ((ana, BUSES), (bart, SHOPS), (carys, REPAIR), (dev, WITHDRAWN_TOPIC)):
            reply = await _ok(who, {"type": "post_contribution", "kind": "topic", "text": text})
            topics[text] = f"c{reply['seq']}"
        await _ok(
            dev, {"type": "withdraw_contribution", "contribution_id": topics[WITHDRAWN_TOPIC]}
        )
        for text, slot, space, cell in (
            (BUSES, "10:00", "Online room", "online"),
            (SHOPS, "10:00", "Main hall", "venue-1"),
            (REPAIR, "11:00", "Main hall", "venue-1"),
        ):
            await _ok(
                host,
                {
                    "type": "place_topic",
                    "contribution_id": topics[text],
                    "slot": slot,
                    "space": space,
                    "cell_id": cell,
                },
            )
        groups = {g["name"]: g["id"] for g in (await host.snapshot())["groups"]}
        await _ok(host, {"type": "open_phase", "phase_id": "p3", "seat": False, "timer": False})
        for who, topic in (
            (ana, BUSES),
            (bart, BUSES),
            (anon, BUSES),
            (carys, SHOPS),
            (dev, SHOPS),
        ):
            await _ok(who, {"type": "choose_group", "group_id": groups[topic]})
        await _ok(anon, {"type": "choose_group", "group_id": groups[SHOPS]})  # two feet
        buses, shops, repair = groups[BUSES], groups[SHOPS], groups[REPAIR]
        await _ok(bart, {"type": "submit_report", "group_id": buses, "summary": "Rf0 first draft"})
        await _ok(
            ana, {"type": "submit_report", "group_id": buses, "base_version": 1, **BUSES_REPORT}
        )
        await _ok(
            carys,
            {
                "type": "submit_report",
                "group_id": shops,
                "participant_ids": [people["carys"].participant_id, people["dev"].participant_id],
                **SHOPS_REPORT,
            },
        )
        await _ok(
            host,
            {"type": "submit_report", "group_id": repair, "summary": "Rf9 x", "off_record": True},
        )

        await _ok(
            host, {"type": "open_phase", "phase_id": "p4", "seat": False, "timer": False}
        )  # convergence
        await _ok(carys, {"type": "cast_vote", "contribution_id": topics[REPAIR], "dots": 3})
        await _ok(ana, {"type": "cast_vote", "contribution_id": topics[SHOPS], "dots": 2})
        bart_id = people["bart"].participant_id
        await _ok(
            ana,
            {
                "type": "record_action",
                "text": "Ax01 Ask the council for a 23:00 bus",
                "owner_id": bart_id,
                "due": "2026-12-31",
            },
        )
        await _ok(
            anon, {"type": "record_action", "text": "Ax02 Find a venue", "owner": "Repair Cymru"}
        )
        await _ok(bart, {"type": "record_action", "text": "Ax03 between us", "off_record": True})
        taken = await _ok(dev, {"type": "record_action", "text": "Ax04 I take this back"})
        await _ok(dev, {"type": "withdraw_contribution", "contribution_id": f"c{taken['seq']}"})
        await _ok(host, {"type": "close_phase", "phase_id": "p4"})
        for person in (host, *people.values()):
            await person.disconnect()
        ids = {k: p.participant_id for k, p in people.items()}
        return Scene(data_dir, host.session_id, ids)


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Scene:
    return asyncio.run(_build(tmp_path_factory.mktemp("proceedings") / "data"))


def harvest_of(scene: Scene, mode: Attribution) -> Harvest:
    return stored_harvest(scene.data_dir, scene.session_id, mode)


@pytest.fixture(scope="module")
def exports(scene: Scene) -> dict[str, dict[str, bytes]]:
    made: dict[str, dict[str, bytes]] = {}
    for mode in MODES:
        harvest = harvest_of(scene, mode)  # type: ignore[arg-type]
        made[mode] = {name: render(harvest, name) for name in EXPORT_FORMATS}
    return made


def read(name: str, body: bytes, tmp: Path) -> str:
    """The text of an export in reading order (DOCX tables where they stand, not last)."""
    if not name.endswith("docx"):
        return text_of(name, body, tmp)
    document = docx.Document(io.BytesIO(body))
    parts = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            parts.append(Paragraph(child, document).text)
        elif child.tag == qn("w:tbl"):
            table = Table(child, document)
            parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def flat(text: str) -> str:
    """Whitespace as single spaces: PDF and office readers break lines where they like."""
    return " ".join(text.split())


def markers(text: str) -> list[str]:
    return re.findall(r"R[xf]\d\d?|Ax\d\d", text)


def _digests(modes: tuple[str, ...] = MODES) -> list[Any]:
    return [pytest.param(m, n, id=f"{m}-{n}") for m in modes for n in DIGESTS]


@pytest.mark.parametrize(("mode", "name"), _digests())
def test_the_digest_is_a_book_of_proceedings_with_every_report_unedited_in_order(
    exports: dict[str, dict[str, bytes]], mode: str, name: str, tmp_path: Path
) -> None:
    text = flat(read(name, exports[mode][name], tmp_path))
    for kept_back in NEVER:
        assert kept_back not in text, kept_back
    book = text.index("Every topic, in the order it was proposed")  # past the contents
    ranking = text.index("Convergence ranking", book)
    proceedings = text[book:ranking]
    # every topic that stayed, in the order proposed, each with its report's fields in order
    found = [m for m in markers(proceedings) if m.startswith(("Rx", "Rf"))]
    topics = list(dict.fromkeys(m for m in found if m.startswith("Rx")))  # heading, then field
    assert topics == ["Rx01", "Rx02", "Rx03"]
    assert [m for m in found if m.startswith("Rf")] == ["Rf1", "Rf2", "Rf3", "Rf4", "Rf5", "Rf6"]
    # each field exactly as the group wrote it (line breaks aside), under its label
    for label, field in zip(
        ("Summary", "Recommendations", "Resources", "Requests"), BUSES_REPORT.values(), strict=True
    ):
        at = proceedings.index(flat(field))
        assert proceedings.rindex(label, 0, at) > proceedings.index("Rx01")
    assert (
        proceedings.index("Convener") < proceedings.index("Participants") < proceedings.index("Rf1")
    )
    assert "No report was written for this topic" in proceedings.split("Rx03", 1)[1]
    # convergence ranks every topic, none removed: repair 3 dots, shops 2, buses 0
    after = text[ranking:]
    assert [after.index(t) for t in (REPAIR, SHOPS, BUSES)] == sorted(
        after.index(t) for t in (REPAIR, SHOPS, BUSES)
    )


@pytest.mark.parametrize(("mode", "name"), _digests())
def test_every_digest_has_its_next_steps_with_owners_per_mode(
    exports: dict[str, dict[str, bytes]], mode: str, name: str, tmp_path: Path
) -> None:
    text = flat(read(name, exports[mode][name], tmp_path))
    section = text[text.lower().rindex("next steps and actions") :]  # past the contents
    assert [m for m in markers(section) if m.startswith("Ax")][:2] == list(ACTIONS)
    assert "Repair Cymru" in section  # written in: exported as written, in every mode
    first = section[section.index("Ax01") : section.index("Ax02")]
    if mode == "attributed":
        assert NAMES["bart"] in first
    elif mode == "pseudonymous":  # (a PDF reader may split a word: "Participan t 5")
        assert re.search(r"Participant\d+", first.replace(" ", "")) and NAMES["bart"] not in first
    else:
        assert "not named" in first
    assert "2026" in first  # the date, in words or as written


@pytest.mark.parametrize(("mode", "name"), _digests(("pseudonymous", "chatham-house")))
def test_no_name_appears_in_a_pseudonymous_or_chatham_house_book(
    exports: dict[str, dict[str, bytes]], mode: str, name: str, tmp_path: Path
) -> None:
    text = read(name, exports[mode][name], tmp_path)
    for full in NAMES.values():
        assert full not in text and full.split()[0] not in text
    if mode == "chatham-house":
        assert not re.search(r"Participant \d+", text)


def test_the_html_book_names_the_convener_and_participants_per_mode(
    exports: dict[str, dict[str, bytes]], scene: Scene
) -> None:
    def fields(mode: str, topic: str) -> dict[str, str]:
        page = lxml.html.fromstring(exports[mode]["digest-html"])
        report = page.xpath(f"//div[@class='report'][h3[contains(., '{topic}')]]")[0]
        terms = [dt.text_content() for dt in report.xpath(".//dt")]
        values = [flat(dd.text_content()) for dd in report.xpath(".//dd")]
        return dict(zip(terms, values, strict=True))

    buses = fields("attributed", "Rx01")
    assert list(buses) == [
        "Convener",
        "Topic",
        "Participants",
        "Summary",
        "Recommendations",
        "Resources",
        "Requests",
    ]
    assert buses["Convener"] == NAMES["ana"]  # she proposed it
    assert buses["Topic"] == BUSES
    # everyone who was there, the anonymous person too (never named), and bart who moved on
    assert buses["Participants"] == f"{NAMES['ana']}, {NAMES['bart']}, Anonymous"
    assert buses["Summary"] == flat(BUSES_REPORT["summary"])
    shops = fields("attributed", "Rx02")
    assert shops["Participants"] == f"{NAMES['carys']}, {NAMES['dev']}"  # as the group chose
    assert (shops["Recommendations"], shops["Resources"]) == ("Not given", "Not given")

    aliased = fields("pseudonymous", "Rx01")
    assert re.fullmatch(r"Participant \d+", aliased["Convener"])
    # an alias each, the anonymous person too: an alias is not a name
    assert re.fullmatch(
        r"Participant \d+, Participant \d+, Participant \d+", aliased["Participants"]
    )
    hidden = fields("chatham-house", "Rx01")
    assert hidden["Convener"] == "Not named in this digest"
    assert hidden["Participants"] == "3 people, not named in this digest"
    assert hidden["Summary"] == flat(BUSES_REPORT["summary"])

    page = lxml.html.fromstring(exports["attributed"]["digest-html"])
    table = page.xpath("//table[starts-with(caption, 'Every topic, most dots first')]")[0]
    rows = [[c.text_content() for c in tr.xpath("td|th")] for tr in table.xpath("tbody/tr")]
    assert rows == [
        ["1", REPAIR, "3", "1", "no"],
        ["2", SHOPS, "2", "1", "yes"],
        ["3", BUSES, "0", "0", "yes"],
    ]


def test_the_csv_transcript_has_next_steps_and_report_rows_with_stable_columns(
    exports: dict[str, dict[str, bytes]], scene: Scene
) -> None:
    def rows(mode: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(exports[mode]["transcript-csv"].decode("utf-8"))))

    named = rows("attributed")
    assert list(named[0])[-1] == "arrived_late"  # a hall's late words (docs/relay.md)
    assert list(named[0])[-12:-1] == [
        "owner",
        "due",
        "topic",
        "convener",
        "participants",
        "participant_count",
        "summary",
        "recommendations",
        "resources",
        "requests",
        "version",
    ]
    steps = [r for r in named if r["kind"] == "action"]
    assert [(markers(r["text"]), r["owner"], r["due"]) for r in steps] == [
        (["Ax01"], NAMES["bart"], "2026-12-31"),
        (["Ax02"], "Repair Cymru", ""),
    ]
    reports = [r for r in named if r["kind"] == "report"]
    assert [r["topic"] for r in reports] == [BUSES, SHOPS]
    buses = reports[0]
    assert {k: buses[k] for k in BUSES_REPORT} == BUSES_REPORT  # unedited, line breaks too
    assert (buses["convener"], buses["version"], buses["participant_count"]) == (
        NAMES["ana"],
        "2",
        "3",
    )
    assert buses["participants"] == f"{NAMES['ana']}; {NAMES['bart']}; Anonymous"
    assert buses["author"] == NAMES["ana"]  # who saved the version that won
    assert [int(r["number"]) for r in named] == list(range(1, len(named) + 1))
    hidden = [r for r in rows("chatham-house") if r["kind"] in ("report", "action")]
    assert all(not r["author"] and not r["convener"] and not r["participants"] for r in hidden)
    assert [r["owner"] for r in hidden if r["kind"] == "action"] == ["", "Repair Cymru"]


def test_the_json_transcript_carries_reports_ranking_and_next_steps(
    exports: dict[str, dict[str, bytes]],
) -> None:
    document = json.loads(exports["pseudonymous"]["transcript-json"])
    assert document["schema"] == "hostkit.transcript/1"
    reports = document["reports"]
    assert [r["topic"] for r in reports] == [BUSES, SHOPS]
    assert [r["number"] for r in reports] == [1, 2]  # places in the book
    assert {k: reports[0][k] for k in BUSES_REPORT} == BUSES_REPORT
    assert re.fullmatch(r"Participant \d+", reports[0]["convener"])
    assert len(reports[0]["participants"]) == 3
    assert "<p>Rf2 Run a 23:00 bus" in reports[0]["html"]["recommendations"]
    assert [(t["rank"], t["topic"], t["dots"]) for t in document["topic_ranking"]] == [
        (1, REPAIR, 3),
        (2, SHOPS, 2),
        (3, BUSES, 0),
    ]
    steps = [c for c in document["contributions"] if c["kind"] == "action"]
    assert [(c["owner"], c["due"]) for c in steps] == [
        (reports[0]["participants"][1], "2026-12-31"),  # bart, by the same alias
        ("Repair Cymru", None),
    ]
    chatham = json.loads(exports["chatham-house"]["transcript-json"])
    assert chatham["reports"][0]["participants"] is None
    assert chatham["reports"][0]["participant_count"] == 3


@pytest.mark.parametrize("name", ["transcript-md", "transcript-txt"])
def test_text_transcripts_list_each_report_as_last_saved_and_each_next_step(
    exports: dict[str, dict[str, bytes]], name: str
) -> None:
    text = exports["attributed"][name].decode("utf-8")
    for kept_back in NEVER:
        assert kept_back not in text
    reports = text[text.index("Topic reports, as last saved") :]
    assert [m for m in markers(reports) if m.startswith("Rf")] == [
        "Rf1",
        "Rf2",
        "Rf3",
        "Rf4",
        "Rf5",
        "Rf6",
    ]
    assert "version 2" in reports
    owned = text[text.index("Ax01") : text.index("Ax02")]
    assert f"Owner: {NAMES['bart']}" in owned.replace("\\", "") and "2026-12-31" in owned


@pytest.mark.parametrize("name", ["digest-html", "digest-large-print"])
async def test_the_book_of_proceedings_is_axe_clean_on_a_phone(
    browser: Any, exports: dict[str, dict[str, bytes]], name: str, tmp_path: Path
) -> None:
    from axe_playwright_python.async_playwright import Axe

    for mode in ("attributed", "chatham-house"):
        path = tmp_path / f"{mode}-{name}.html"
        path.write_bytes(exports[mode][name])
        context = await browser.new_context(viewport={"width": 320, "height": 640})
        page = await context.new_page()
        await page.goto(path.as_uri())
        results = await Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, "the page scrolls sideways on a 320px phone"
        await context.close()


def test_the_book_of_proceedings_passes_the_nu_html_checker(
    exports: dict[str, dict[str, bytes]], tmp_path: Path
) -> None:
    assert_valid_html(
        {
            f"{mode}-{name}": exports[mode][name]
            for mode in ("attributed", "chatham-house")
            for name in ("digest-html", "digest-large-print")
        },
        tmp_path,
    )
