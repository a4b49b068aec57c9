"""The participant page honours pre-moderation, announcements to one venue and the
fishbowl's empty chair, without scripts: real server, several people, each page fetched
with that person's own cookie and its forms posted as a browser without JavaScript does.
"""

from __future__ import annotations

import io
import re
import zipfile

import httpx

from tests.format_play import act, arrive, host_of, open_phase, refused
from tests.harness import Person, Server
from tests.test_participant_formats_page import page_of, press

WAITING = "Waiting for the host to approve"


async def _ids(host: Person) -> dict[str, str]:
    return {c["text"]: c["id"] for c in (await host.snapshot())["contributions"]}


async def test_a_waiting_note_is_shown_to_its_author_and_the_hosts_only_until_approved(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe", title="Bus routes")
    host = await host_of(server, links)
    rhian = await arrive(server, links.room_url, "Rhian")
    dewi = await arrive(server, links.remote_url, "Dewi")
    await open_phase(host, 1)
    await act(host, {"type": "set_moderation", "on": True})

    # without scripts: Rhian adds a note; it waits, and her page says so in words
    mine = await press(await page_of(rhian), "Add note", "#note-form", text="Buses at 9")
    await press(await page_of(dewi), "Add note", "#note-form", text="Trains too")
    ids = await _ids(host)
    bus, train = ids["Buses at 9"], ids["Trains too"]
    assert mine.texts("#notes .text") == ["Buses at 9"]
    assert mine.text(f"#c-{bus} .waiting-approval") == WAITING
    assert mine.buttons(f"#c-{bus}") == ["Withdraw"]

    other = await page_of(dewi)  # Dewi sees his own waiting note, not Rhian's
    assert other.texts("#notes .text") == ["Trains too"]
    assert "Buses at 9" not in str(other.soup)
    assert f'"waiting": ["{bus}"]' in str(other.find("#hk-data"))  # the id only, to fetch later

    hosts = await page_of(host)  # the host sees both, marked
    assert hosts.texts("#notes .waiting-approval") == [WAITING, WAITING]
    console = await _console(host)
    harvest = console.split('id="harvest-heading"')[1].split("</section>")[0]
    assert harvest.count("Waiting for approval") == 2

    await act(host, {"type": "approve_contribution", "contribution_id": bus})
    now = await page_of(dewi)
    assert now.texts("#notes .text") == ["Buses at 9", "Trains too"]
    assert now.find(f"#c-{bus} .waiting-approval") is None
    assert now.text(f"#c-{train} .waiting-approval") == WAITING
    assert (await page_of(rhian)).texts("#notes .waiting-approval") == []
    harvest = (await _console(host)).split('id="harvest-heading"')[1].split("</section>")[0]
    assert harvest.count("Waiting for approval") == 1


async def _console(host: Person) -> str:
    """The host console, as the host's browser fetches it."""
    async with httpx.AsyncClient(
        base_url=host.server.url, cookies={f"hk_{host.session_id}": host.token}
    ) as http:
        response = await http.get(f"/s/{host.session_id}/host/harvest")
    assert response.status_code == 200
    return response.text


async def test_a_waiting_question_is_neither_listed_nor_upvotable_for_others(
    server: Server,
) -> None:
    links = await server.new_session("fishbowl")
    host = await host_of(server, links)
    ifan = await arrive(server, links.room_url, "Ifan")
    nia = await arrive(server, links.remote_url, "Nia")
    await open_phase(host, 1)
    await act(host, {"type": "set_moderation", "on": True})
    await act(ifan, {"type": "post_contribution", "kind": "question", "text": "Who pays?"})
    asked = (await _ids(host))["Who pays?"]

    author = await page_of(ifan)
    assert author.texts("#questions .text") == ["Who pays?"]
    assert author.text(f"#q-{asked} .waiting-approval") == WAITING
    assert "Upvote" not in author.buttons(f"#q-{asked}")  # votes wait for the approval too
    others = await page_of(nia)
    assert others.texts("#questions .text") == []
    assert others.shown("#no-questions")
    assert await refused(nia, {"type": "cast_vote", "contribution_id": asked}) == (
        "awaiting_approval"
    )

    await act(host, {"type": "set_moderation", "on": False})  # lets everything through
    others = await page_of(nia)
    assert others.texts("#questions .text") == ["Who pays?"]
    voted = await press(others, "Upvote", f"#q-{asked}")
    assert voted.text(f"#q-{asked} .votes") == "1 vote"
    assert (await page_of(ifan)).find(f"#q-{asked} .waiting-approval") is None


async def test_an_announcement_to_one_venue_reaches_only_that_venue(server: Server) -> None:
    links = await server.new_session("world-cafe", venues=("Hall", "Library"))
    host = await host_of(server, links)
    await act(host, {"type": "create_group", "name": "Hall table", "cell_id": "venue-1"})
    await act(host, {"type": "create_group", "name": "Library table", "cell_id": "venue-2"})
    groups = {g["name"]: g["id"] for g in (await host.snapshot())["groups"]}
    hall = await arrive(server, f"{links.room_url}?table={groups['Hall table']}", "Hana")
    library = await arrive(server, f"{links.room_url}?table={groups['Library table']}", "Lew")
    home = await arrive(server, links.remote_url, "Dewi")
    await act(host, {"type": "announce", "text": "Tea in ten minutes", "cell_id": "venue-2"})
    await act(host, {"type": "announce", "text": "Online: mute please", "cell_id": "online"})
    await act(host, {"type": "announce", "text": "Welcome, everyone"})

    shown = {
        name: (await page_of(person)).texts("#announcements li span")
        for name, person in (("hall", hall), ("library", library), ("home", home))
    }
    assert shown == {
        "hall": ["Welcome, everyone"],  # newest first
        "library": ["Welcome, everyone", "Tea in ten minutes"],
        "home": ["Welcome, everyone", "Online: mute please"],
    }
    assert '"cell_id": "venue-1"' in str((await page_of(hall)).find("#hk-data"))

    await act(host, {"type": "announce", "text": "Library closes at 9", "cell_id": "venue-2"})
    hall_page = await page_of(hall)
    assert hall_page.texts("#announcements li span") == ["Welcome, everyone"]
    assert hall_page.shown("#announcements-section")


async def test_the_fishbowl_offers_the_empty_chair_until_every_seat_is_taken(
    server: Server,
) -> None:
    links = await server.new_session("fishbowl", title="Library futures")
    host = await host_of(server, links)
    names = ("Rhian", "Siôn", "Mair", "Ifan", "Nia", "Owain", "Gwen")
    people = [
        await arrive(server, links.room_url if n % 2 else links.remote_url, name)
        for n, name in enumerate(names)
    ]
    inner = next(g for g in (await host.snapshot())["groups"] if g["seats"])
    assert inner["seats"] == 6
    before = await page_of(people[0])
    assert before.find(f"#fishbowl-{inner['id']}") is None  # only in the fishbowl phase
    await open_phase(host, 1)
    for person in people[:5]:  # five speakers; one chair is kept empty
        await act(person, {"type": "choose_group", "group_id": inner["id"]})

    box = f"#fishbowl-{inner['id']}"
    owain = await page_of(people[5])
    assert owain.text(f"{box} h2") == "Inner circle"
    assert owain.text(f"{box} .fishbowl-where") == (
        "You are in the outer circle: listen, and post questions."
    )
    assert owain.text(f"{box} .fishbowl-people") == (
        "In the inner circle: Rhian, Siôn, Mair, Ifan, Nia"
    )
    assert owain.text(f"{box} .fishbowl-free") == "1 chair is free."
    assert owain.buttons(box) == ["Take the empty chair"]
    button = owain.find(f"{box} button")
    assert button is not None and button["aria-describedby"] == f"fishbowl-{inner['id']}-free"

    # without scripts: Owain takes the empty chair; now every chair is taken
    seated = await press(owain, "Take the empty chair", box)
    assert seated.notice == "Done."
    assert seated.text(f"{box} .fishbowl-where") == "You are in the inner circle: you may speak."
    assert seated.text(f"{box} .fishbowl-people").endswith("Nia, Owain (you)")
    assert seated.text(f"{box} .fishbowl-free") == "No chair is free: wait for someone to leave."
    assert seated.buttons(box) == ["Leave the inner circle"]

    gwen = await page_of(people[6])
    assert not gwen.shown(f"{box} form")  # no button that can only be refused
    assert gwen.text(f"{box} .fishbowl-free") == "No chair is free: wait for someone to leave."
    assert await refused(people[6], {"type": "choose_group", "group_id": inner["id"]}) == (
        "group_full"
    )

    # a speaker leaves the inner circle: the empty chair is offered again
    rhian = await page_of(people[0])
    left = await press(rhian, "Leave the inner circle", box)
    assert left.text(f"{box} .fishbowl-where").startswith("You are in the outer circle")
    gwen = await page_of(people[6])
    assert gwen.shown(f"{box} form") and gwen.text(f"{box} .fishbowl-free") == "1 chair is free."


async def test_the_inner_circle_is_counted_not_named_under_chatham_house(server: Server) -> None:
    links = await server.new_session("fishbowl", attribution="chatham-house")
    host = await host_of(server, links)
    rhian = await arrive(server, links.room_url, "Rhian")
    dewi = await arrive(server, links.remote_url, "Dewi")
    await open_phase(host, 1)
    inner = next(g["id"] for g in (await host.snapshot())["groups"] if g["seats"])
    await act(rhian, {"type": "choose_group", "group_id": inner})
    shown = await page_of(dewi)
    assert shown.text(f"#fishbowl-{inner} .fishbowl-people") == "Chairs taken: 1 of 6."
    assert shown.text(f"#fishbowl-{inner} .fishbowl-free") == "5 chairs are free."
    assert "Rhian" not in str(shown.soup.select_one("main"))


async def test_the_digest_counts_only_what_the_host_approved(server: Server) -> None:
    links = await server.new_session("world-cafe", title="Bus routes")
    host = await host_of(server, links)
    rhian = await arrive(server, links.room_url, "Rhian")
    dewi = await arrive(server, links.remote_url, "Dewi")
    await open_phase(host, 1)
    await act(host, {"type": "set_moderation", "on": True})
    await act(rhian, {"type": "post_contribution", "kind": "note", "text": "Buses at 9"})
    await act(dewi, {"type": "post_contribution", "kind": "note", "text": "Trains too"})
    await act(dewi, {"type": "post_contribution", "kind": "note", "text": "And ferries"})
    ids = await _ids(host)
    await act(host, {"type": "approve_contribution", "contribution_id": ids["Buses at 9"]})
    async with httpx.AsyncClient(
        base_url=host.server.url, cookies={f"hk_{host.session_id}": host.token}
    ) as http:
        for name in ("digest-txt", "digest-html", "digest-docx"):
            response = await http.get(f"/s/{host.session_id}/export/{name}")
            assert response.status_code == 200, name
            if name == "digest-docx":
                assert b"holds 1 contribution." in _docx_text(response.content), name
                continue
            said = " ".join(response.text.split())
            assert "1 of them added to the harvest, which holds 1 contribution." in said, name
            assert "Trains too" not in said


def _docx_text(document: bytes) -> bytes:
    """The words of a Word file's body, with its markup left out."""
    with zipfile.ZipFile(io.BytesIO(document)) as packed:
        xml = packed.read("word/document.xml")
    return b"".join(re.findall(rb"<w:t[^>]*>([^<]*)</w:t>", xml))
