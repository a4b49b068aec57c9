"""Pre-moderation through the real server: the console's plain forms, the projector wall,
the author's own view, live events, and a cell host approving only in their venue."""

from __future__ import annotations

import httpx

from tests.format_play import act, arrive, host_of, refused, sees
from tests.harness import Person, Server
from tests.test_formats_console_live import Console


async def wall(server: Server, projector: Person) -> str:
    """The projector page with its live wall, as the hall's screen shows it."""
    async with httpx.AsyncClient(
        base_url=server.url, cookies={f"hk_{projector.session_id}": projector.token}
    ) as http:
        page = await http.get(f"/s/{projector.session_id}/projector")
    assert page.status_code == 200
    return page.text.split('id="wall-heading"')[1]


async def test_the_host_holds_contributions_and_approves_them_onto_the_wall(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe", title="Bus routes")
    host = await host_of(server, links)
    console = Console(server, host)
    projector = Person.from_link(server, links.projector_url)
    await projector.connect()
    await act(host, {"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
    await act(host, {"type": "set_projector", "mode": "wall"})

    assert "Off." in await console.page()
    assert await console.submit("set_moderation", on="true") == "Done."
    assert (await host.snapshot())["moderation"] is True

    shy = await arrive(server, links.room_url, "")  # anonymous
    open_voice = await arrive(server, links.remote_url, "Nia")
    await act(shy, {"type": "post_contribution", "kind": "note", "text": "The 42 never comes"})
    await act(open_voice, {"type": "post_contribution", "kind": "note", "text": "Buses at night"})

    mine = (await sees(shy)).state["contributions"]
    # Each author sees their own waiting words; nobody else gets them before approval.
    assert [(c["text"], c["pending"]) for c in mine] == [
        ("The 42 never comes", True),
        ("", True),
    ]
    shown = await wall(server, projector)
    assert "The 42 never comes" not in shown and "Buses at night" not in shown

    page = await console.page()
    waiting = page.split('id="waiting-heading"')[1].split("</section>")[0]
    assert "The 42 never comes" in waiting and "Anonymous" in waiting
    first = next(c["id"] for c in mine if c["text"] == "The 42 never comes")
    code = await refused(open_voice, {"type": "cast_vote", "contribution_id": first})
    assert code == "awaiting_approval"

    seen = len(projector.events_of("contribution_approved"))
    assert await console.submit("approve_contribution", contribution_id=first) == "Done."
    await projector.wait_for(lambda p: len(p.events_of("contribution_approved")) > seen)
    shown = await wall(server, projector)
    assert "The 42 never comes" in shown and "Buses at night" not in shown

    other = next(c["id"] for c in mine if c["author_id"] == open_voice.participant_id)
    assert await console.submit("hide_contribution", contribution_id=other) == "Done."
    assert "Nothing is waiting." in await console.page()
    assert "Buses at night" not in await wall(server, projector)

    await act(shy, {"type": "post_contribution", "kind": "note", "text": "Late trains too"})
    assert await console.submit("set_moderation", on="false") == "Done."
    assert "Late trains too" in await wall(server, projector)
    assert not any(c["pending"] for c in (await host.snapshot())["contributions"])
    await console.http.aclose()


async def test_a_cell_host_approves_only_their_own_venues_contributions(server: Server) -> None:
    links = await server.new_session("world-cafe", venues=("Hall", "Library"))
    host = await host_of(server, links)
    await act(host, {"type": "create_group", "name": "Hall table", "cell_id": "venue-1"})
    await act(host, {"type": "create_group", "name": "Library table", "cell_id": "venue-2"})
    groups = {g["name"]: g["id"] for g in (await host.snapshot())["groups"]}
    hall_host = await arrive(server, f"{links.room_url}?table={groups['Hall table']}", "Hana")
    await act(
        host,
        {"type": "set_role", "participant_id": hall_host.participant_id, "role": "cell_host"},
    )
    reader = await arrive(server, f"{links.room_url}?table={groups['Library table']}", "Lew")
    walker = await arrive(server, f"{links.room_url}?table={groups['Hall table']}", "Wyn")
    await act(host, {"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
    assert await refused(hall_host, {"type": "set_moderation", "on": True}) == "not_allowed"
    await act(host, {"type": "set_moderation", "on": True})
    await act(reader, {"type": "post_contribution", "kind": "note", "text": "Quiet room"})
    await act(walker, {"type": "post_contribution", "kind": "note", "text": "More chairs"})
    notes = {c["text"]: c["id"] for c in (await host.snapshot())["contributions"]}

    console = Console(server, hall_host)
    page = await console.page()
    assert "More chairs" in page.split('id="waiting-heading"')[1]
    assert "Quiet room" not in page.split('id="waiting-heading"')[1]
    library = {"type": "approve_contribution", "contribution_id": notes["Quiet room"]}
    assert await refused(hall_host, library) == "not_allowed"
    assert await console.submit("approve_contribution") == "Done."
    state = (await host.snapshot())["contributions"]
    assert {c["text"]: c["pending"] for c in state} == {"Quiet room": True, "More chairs": False}
    await console.http.aclose()


async def test_waiting_words_reach_only_their_author_and_the_hosts_until_approved(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe", title="Quiet lanes")
    host = await host_of(server, links)
    await act(host, {"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
    await act(host, {"type": "set_moderation", "on": True})
    author = await arrive(server, links.room_url, "")
    other = await arrive(server, links.remote_url, "Nia")
    secret = "Kx91 an unkind remark about a neighbour"
    reply = await author.send({"type": "post_contribution", "kind": "note", "text": secret})
    posted = f"c{reply['seq']}"

    await other.wait_for(lambda p: p.events_of("contribution_posted"))
    await host.wait_for(lambda p: p.events_of("contribution_posted"))
    live = {
        name: [e["data"]["text"] for e in person.events_of("contribution_posted")]
        for name, person in (("author", author), ("host", host), ("other", other))
    }
    assert live == {"author": [secret], "host": [secret], "other": [""]}
    async with httpx.AsyncClient(base_url=server.url, headers=other.headers) as http:
        base = f"/api/sessions/{other.session_id}"
        replayed = (await http.get(f"{base}/events", params={"after": 0})).text
        snapshot = (await http.get(f"{base}/snapshot")).text
    assert "Kx91" not in replayed and "Kx91" not in snapshot  # nor over HTTP
    late = await arrive(server, links.room_url, "Owain")  # catches up from seq 0
    await late.wait_for(lambda p: p.events_of("contribution_posted"))
    assert [e["data"]["text"] for e in late.events_of("contribution_posted")] == [""]

    await act(host, {"type": "approve_contribution", "contribution_id": posted})
    shown = {c["id"]: c["text"] for c in (await other.snapshot())["contributions"]}
    assert shown[posted] == secret  # approved: now everyone may read it
    later = await arrive(server, links.room_url, "Gwen")
    await later.wait_for(lambda p: p.events_of("contribution_posted"))
    assert [e["data"]["text"] for e in later.events_of("contribution_posted")] == [secret]
