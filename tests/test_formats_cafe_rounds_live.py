"""A World Café that runs itself through the real server, the host in charge.

Opening a round is the host's one step: round 1 forms tables (room, online, hybrid) with
a table host each, later rounds move the travellers, every phone says where to go, the
timer starts with the phase. The harvest lists every table's insights on every phone and
the projector; dots rank them live there and in the digest.
"""

from __future__ import annotations

import httpx
from bs4 import BeautifulSoup

from tests.format_play import act, arrive, host_of, new_group, refused, sees
from tests.harness import Person, Server
from tests.test_participant_formats_page import page_of, press

ROOM = ["Aled", "Bethan", "Cai", "Dilys", "Elin", "Ffion"]
HOME = ["Gwen", "Huw", "Iolo", "Jac"]


async def _open(host: Person, phase_id: str) -> list[dict[str, object]]:
    """Open a phase as the console's next step does; the events it made, in order (the
    timer's start is the last of them)."""
    reply = await host.send({"type": "open_phase", "phase_id": phase_id})
    assert reply["type"] == "ack", reply
    first = reply["seq"]
    await host.wait_for(
        lambda h: any(e["type"] == "timer_started" and e["seq"] >= first for e in h.seen)
    )
    made = [e for e in host.seen if e["seq"] >= first]
    end = next(n for n, e in enumerate(made) if e["type"] == "timer_started")
    return [{"type": e["type"], **e["data"]} for e in made[: end + 1]]


async def test_opening_rounds_seats_people_and_the_harvest_ranks_insights_by_dots(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe", title="Our high street")
    host = await host_of(server, links)
    window = await new_group(host, "Window table", "venue-1", remote_seats=True)
    room = [await arrive(server, links.room_url, name) for name in ROOM]
    home = [await arrive(server, links.remote_url, name) for name in HOME]
    everyone = room + home

    welcome = await _open(host, "p1")
    assert [e["type"] for e in welcome] == ["phase_opened", "timer_started"]
    assert [(await sees(p)).group for p in everyone] == [None] * 10  # a plenary seats nobody

    # Round 1: the host's hybrid table and a new room table, an online table for the rest
    made = await _open(host, "p2")
    kinds = [e["type"] for e in made]
    assert kinds[0] == "phase_opened" and kinds[-1] == "timer_started"
    assert kinds.count("group_created") == 2 and kinds.count("role_changed") == 3
    state = await host.snapshot()
    tables = {g["id"]: g for g in state["groups"]}
    seated = {p["id"]: p["group_id"] for p in state["participants"]}
    at_window = [p for p in everyone if seated[p.participant_id] == window]
    assert sorted(x in home for x in at_window) == [False, False, False, True]
    online = [t for t, g in tables.items() if g["cell_id"] == "online"]
    assert len(online) == 1 and all(seated[p.participant_id] in (window, online[0]) for p in home)
    assert 1199 < state["timer"]["remaining_s"] <= 1200
    hosts = {p["group_id"] for p in state["participants"] if p["role"] == "table_host"}
    assert hosts == set(tables)
    pages = {p.participant_id: await page_of(p) for p in everyone}
    for person in everyone:
        place = pages[person.participant_id].text("#place-now")
        assert place == f"You are now at {tables[seated[person.participant_id]]['name']}."

    # each table writes an insight in round 1
    for table in tables:
        writer = next(p for p in everyone if seated[p.participant_id] == table)
        said = {"type": "post_contribution", "kind": "insight", "text": f"Idea from {table}"}
        await act(writer, said)

    # Round 2: table hosts stay, travellers move, and their phones say where to go
    made = await _open(host, "p3")
    assert [e["type"] for e in made] == ["phase_opened", "seating_applied", "timer_started"]
    after = {p["id"]: p["group_id"] for p in (await host.snapshot())["participants"]}
    moved = [p for p in everyone if after[p.participant_id] != seated[p.participant_id]]
    assert moved
    for person in everyone:
        line = (await page_of(person)).text("#round-move")
        to = tables[after[person.participant_id]]["name"]
        if person in moved:
            was = tables[seated[person.participant_id]]["name"]
            assert line == f"Move to {to} now (you were at {was}).", line
        elif any(
            p["id"] == person.participant_id and p["role"] == "table_host"
            for p in state["participants"]
        ):
            assert line == f"You host {to}: stay here; travellers come to you."

    # Harvest: every phone, in the room or at home, lists every table's insights
    made = await _open(host, "p5")
    assert [e["type"] for e in made] == ["phase_opened", "timer_started"]
    ideas = sorted(f"Idea from {t}" for t in tables)
    for person in everyone:
        page = await page_of(person)
        assert page.text("#where-text") == "Everyone together"
        assert sorted(t for t in page.texts("#notes .text")) == ideas
        assert page.text("#dots-left-count") == "Dots left to place: 3."

    # Dots: a phone without scripts adds dots; the budget holds; the projector ranks live
    insights = {c["text"]: c["id"] for c in (await host.snapshot())["contributions"]}
    first, second = ideas[0], ideas[1]
    voter = home[0]
    page = await page_of(voter)
    item = f"#c-{insights[second]}"
    for _ in range(2):
        page = await press(page, "Add a dot", within=item)
    assert page.text(f"{item} .dot-count") == "Your dots: 2 · Dots in all: 2"
    assert page.text("#dots-left-count") == "Dots left to place: 1."
    await act(room[0], {"type": "cast_vote", "contribution_id": insights[first], "dots": 1})
    await act(room[1], {"type": "cast_vote", "contribution_id": insights[second], "dots": 3})
    code = await refused(room[1], {"type": "cast_vote", "contribution_id": insights[first]})
    assert code == "no_dots_left"

    projector = Person.from_link(server, links.projector_url)
    async with httpx.AsyncClient(cookies={f"hk_{projector.session_id}": projector.token}) as http:
        shown = await http.get(f"{server.url}/s/{projector.session_id}/projector")
        digest = await http.get(
            f"{server.url}/s/{host.session_id}/export/digest-txt", headers=host.headers
        )
    soup = BeautifulSoup(shown.text, "html.parser")
    ranked = [li.get_text() for li in soup.select(".results-list li .result-text")]
    dots = [li.get_text() for li in soup.select(".results-list li .result-dots")]
    assert ranked[:2] == [second, first] and dots[:2] == ["5 dots", "1 dot"]
    assert [h.get_text() for h in soup.select("#results-heading")] == ["Ranking by dots"]
    assert digest.status_code == 200
    harvest = digest.text.split("Votes in Harvest, most dots first:")[1]
    assert harvest.index(second) < harvest.index(first)
    assert "5 dots from 2 people" in harvest
