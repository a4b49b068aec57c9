"""Open Space reports and Pro Action Café next steps through the real server.

Room and remote people write their topic group's report (over the WebSocket, and with
the page's plain form, no script), move on with the law of two feet, correct each other's
versions, and are refused when they were never in the group or edit a stale version;
the host downloads the digest: the book of proceedings. In a Pro Action Café, callers
record their next steps with owners and dates, and everyone's page lists them.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import parse_qs, urlsplit

import httpx
import lxml.html

from tests.format_play import act, arrive, host_of, open_phase, refused
from tests.harness import Person, Server


class Page:
    """Someone's page in a browser without JavaScript: read it, fill a form, send it."""

    def __init__(self, server: Server, person: Person, path: str = "") -> None:
        self.http = httpx.AsyncClient(
            base_url=server.url, cookies={f"hk_{person.session_id}": person.token}
        )
        self.path = f"/s/{person.session_id}{path}"

    async def read(self) -> lxml.html.HtmlElement:
        response = await self.http.get(self.path)
        assert response.status_code == 200, response.text
        return lxml.html.fromstring(response.text)

    async def send(self, form_id: str, **changes: str | list[str]) -> str:
        """Fill the form as it stands on the page, change some fields, post it; the notice."""
        form = (await self.read()).get_element_by_id(form_id)
        fields: dict[str, list[str]] = {}
        for name, value in form.form_values():
            fields.setdefault(name, []).append(value)
        for name, value in changes.items():
            fields[name] = value if isinstance(value, list) else [value]
        response = await self.http.post(str(form.get("action")), data=fields)
        assert response.status_code == 303, response.text
        return parse_qs(urlsplit(response.headers["location"]).query)["notice"][0]

    async def close(self) -> None:
        await self.http.aclose()


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


async def test_open_space_groups_write_their_reports_and_the_digest_is_the_book(
    server: Server,
) -> None:
    links = await server.new_session("open-space", title="Our town")
    host = await host_of(server, links)
    rhian, sion, mair = [await arrive(server, links.room_url, n) for n in ("Rhian", "Siôn", "Mair")]
    dewi, nia = [await arrive(server, links.remote_url, n) for n in ("Dewi", "Nia")]

    await open_phase(host, 2)  # marketplace
    await act(dewi, {"type": "post_contribution", "kind": "topic", "text": "Late buses home"})
    await act(rhian, {"type": "post_contribution", "kind": "topic", "text": "Empty shops"})
    topics = {c["text"]: c["id"] for c in (await host.snapshot())["contributions"]}
    for topic, space, cell in (
        ("Late buses home", "Online room", "online"),
        ("Empty shops", "Main hall", "venue-1"),
    ):
        await act(
            host,
            {
                "type": "place_topic",
                "contribution_id": topics[topic],
                "slot": "10:00",
                "space": space,
                "cell_id": cell,
            },
        )
    groups = {g["name"]: g["id"] for g in (await host.snapshot())["groups"]}
    buses, shops = groups["Late buses home"], groups["Empty shops"]

    await open_phase(host, 3)  # topic sessions
    for person, group in (
        (dewi, buses),
        (nia, buses),
        (mair, buses),
        (rhian, shops),
        (sion, shops),
    ):
        await act(person, {"type": "choose_group", "group_id": group})
    # before anyone writes, Nia's page offers the form: convener, the people who came
    nias_page = Page(server, nia)
    page = await nias_page.read()
    assert "Our report: Late buses home" in text(page.get_element_by_id("report-heading"))
    form = page.get_element_by_id("report-form")
    boxes = form.xpath(".//input[@name='participant_ids']")
    ticked = [text(box.getparent()) for box in boxes if box.checked]  # each inside its label
    assert ticked == ["Dewi", "Nia", "Mair"]
    assert form.get_element_by_id("report-convener").value == dewi.participant_id

    await act(mair, {"type": "choose_group", "group_id": shops})  # two feet: moves on
    # Dewi, at home, writes the first version over the live connection
    await act(
        dewi,
        {
            "type": "submit_report",
            "group_id": buses,
            "summary": "The last bus leaves at 22:00.",
            "requests": "Timetable data from the council",
        },
    )
    # Nia opens her page (no JavaScript), sees Dewi's version and improves it
    page = await nias_page.read()
    assert "Version 1, saved by Dewi" in text(page.get_element_by_id("report-status"))
    assert page.get_element_by_id("report-summary").text == "The last bus leaves at 22:00."
    notice = await nias_page.send(
        "report-form", recommendations="A 23:00 bus on Fridays.", resources="Community minibus"
    )
    assert notice == "Done."
    # Mair has moved on but took part: she may still correct it (each save is the whole
    # report, as a page sends it); Siôn never came: refused
    await act(
        mair,
        {
            "type": "submit_report",
            "group_id": buses,
            "summary": "Buses stop at 22:00.",
            "recommendations": "A 23:00 bus on Fridays.",
            "resources": "Community minibus",
            "requests": "Timetable data from the council",
            "base_version": 2,
        },
    )
    never = {"type": "submit_report", "group_id": buses, "summary": "Not my group"}
    assert await refused(sion, never) == "not_allowed"
    # a page opened before someone else saved does not silently overwrite them
    rhians_page, sions_page = Page(server, rhian), Page(server, sion)
    stale = (await sions_page.read()).get_element_by_id("report-form")
    assert stale.fields["base_version"] == "0"
    assert await rhians_page.send("report-form", summary="Pop-up shops") == "Done."
    stale_notice = await sions_page.http.post(
        str(stale.get("action")),
        data={**dict(stale.form_values()), "summary": "Mine, written at the same time"},
    )
    notice = parse_qs(urlsplit(stale_notice.headers["location"]).query)["notice"][0]
    assert notice.startswith("Someone saved this report since you opened it")
    rhians = (await rhians_page.read()).get_element_by_id("report-summary").text
    assert rhians == "Pop-up shops"

    # the host console shows every group's report and can fill one in
    console = Page(server, host, "/host/harvest")
    section = (await console.read()).get_element_by_id("reports-heading").getparent()
    assert "2 of 2 topic groups have saved a report" in text(section)
    assert "Version 3, saved by Mair" in text(section)
    resources = "The old bank building, with:\n- its yard\n- its *cellar*"
    assert await console.send(f"host-report-{shops}-form", resources=resources) == "Done."
    # shown as the digest shows it: the one Markdown subset of contributions
    section = (await console.read()).get_element_by_id("reports-heading").getparent()
    (shown,) = [dd for dd in section.xpath(".//dd") if "old bank" in text(dd)]
    assert [text(li) for li in shown.xpath(".//ul/li")] == ["its yard", "its cellar"]
    assert [text(em) for em in shown.xpath(".//em")] == ["cellar"]

    await open_phase(host, 4)  # convergence: dots rank, nothing deleted
    await act(nia, {"type": "cast_vote", "contribution_id": topics["Empty shops"], "dots": 2})
    # the report form is for topic sessions; convergence takes next steps instead
    page = await nias_page.read()
    assert not page.xpath("//*[@id='report-form']") and page.xpath("//*[@id='action-form']")

    async with httpx.AsyncClient(base_url=server.url, headers=host.headers) as http:
        digest = await http.get(f"/s/{host.session_id}/export/digest-txt")
    assert digest.status_code == 200
    book = digest.text.split("BOOK OF PROCEEDINGS", 1)[1].split("1. OPENING", 1)[0]
    assert book.index("1. Late buses home") < book.index("2. Empty shops")
    buses_part = book.split("2. Empty shops")[0]
    assert "Convener: Dewi" in buses_part
    assert "Participants: Dewi, Nia, Mair" in buses_part
    for field in (
        "Buses stop at 22:00.",
        "A 23:00 bus on Fridays.",
        "Community minibus",
        "Timetable data from the council",
    ):
        assert field in buses_part
    assert "The last bus leaves" not in digest.text  # an earlier version: the latest wins
    shops_part = book.split("2. Empty shops")[1]
    assert "Pop-up shops" in shops_part and "The old bank building" in shops_part
    assert "Mine, written at the same time" not in digest.text
    ranking = book.split("Convergence ranking")[1]
    assert ranking.index("Empty shops") < ranking.index("Late buses home")
    for page_ in (nias_page, rhians_page, sions_page, console):
        await page_.close()


async def test_pro_action_cafe_callers_record_their_next_steps(server: Server) -> None:
    links = await server.new_session("pro-action-cafe", title="Community energy")
    host = await host_of(server, links)
    rhian, mair = [await arrive(server, links.room_url, n) for n in ("Rhian", "Mair")]
    dewi, nia = [await arrive(server, links.remote_url, n) for n in ("Dewi", "Nia")]
    for caller in (rhian, dewi):
        await act(
            host, {"type": "set_hat", "participant_id": caller.participant_id, "hat": "caller"}
        )

    await open_phase(host, 2)  # round 1: no next steps yet
    too_soon = {"type": "record_action", "text": "Start now"}
    assert await refused(rhian, too_soon) == "kind_not_allowed"
    rhians_page = Page(server, rhian)
    assert not (await rhians_page.read()).xpath("//*[@id='action-form']")

    await open_phase(host, 5)  # next steps
    # Rhian, in the hall, with the plain form: her own next step, with a date
    notice = await rhians_page.send(
        "action-form", text="Ask the school about its roof for panels", due="2026-11-30"
    )
    assert notice == "Done."
    # Dewi, at home, over the live connection: owned by an organisation
    await act(
        dewi,
        {"type": "record_action", "text": "Apply for a grant", "owner": "Energy Local Cymru"},
    )
    # Mair takes one on for Nia; a step with two owners is refused
    await act(
        mair, {"type": "record_action", "text": "Count the roofs", "owner_id": nia.participant_id}
    )
    both = {"type": "record_action", "text": "x", "owner_id": nia.participant_id, "owner": "Nia"}
    assert await refused(mair, both) == "owner_twice"

    nias_page = Page(server, nia)
    listed = (await nias_page.read()).xpath("//ul[@class='steps']/li")
    await nias_page.close()
    steps = [text(li) for li in listed]
    assert len(steps) == 3
    assert steps[0].startswith(
        "Ask the school about its roof for panels · Owner: Rhian · by 2026-11-30"
    )
    assert steps[1].startswith("Apply for a grant · Owner: Energy Local Cymru")
    assert steps[2].startswith("Count the roofs · Owner: Nia")

    async with httpx.AsyncClient(base_url=server.url, headers=host.headers) as http:
        transcript = await http.get(f"/s/{host.session_id}/export/transcript-csv")
        digest = await http.get(f"/s/{host.session_id}/export/digest-html")
    rows = [r for r in csv.DictReader(io.StringIO(transcript.text)) if r["kind"] == "action"]
    assert [(r["author"], r["owner"], r["due"]) for r in rows] == [
        ("Rhian", "Rhian", "2026-11-30"),
        ("Dewi", "Energy Local Cymru", ""),
        ("Mair", "Nia", ""),
    ]
    section = lxml.html.fromstring(digest.text).get_element_by_id("next-steps").getparent()
    cells = [[text(td) for td in tr.xpath("td")] for tr in section.xpath(".//tbody/tr")]
    assert cells[0][:3] == ["Ask the school about its roof for panels", "Rhian", "30 November 2026"]
    await rhians_page.close()
