"""Joining without accounts: by room, remote or table link, or by typing the code.

Driven through the real pages with an HTTP client, as an old phone without JavaScript
would: forms, redirects and the identity cookie.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from hostkit.sessions import SessionLinks
from tests.harness import Person, Server


async def hosted(server: Server) -> tuple[SessionLinks, Person]:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    return links, host


def person_named(state: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in state["participants"] if p["name"] == name)


async def test_room_and_remote_links_label_people_by_where_they_came_from(
    server: Server,
) -> None:
    links, host = await hosted(server)
    await Person.join(server, links.room_url, "Rhian")
    await Person.join(server, links.remote_url, "Dewi")
    state = await host.snapshot()
    rhian, dewi = person_named(state, "Rhian"), person_named(state, "Dewi")
    assert (rhian["where"], dewi["where"]) == ("room", "remote")
    assert (rhian["role"], dewi["role"]) == ("participant", "participant")
    cells = {c["id"]: c["kind"] for c in state["cells"]}
    assert (cells[rhian["cell_id"]], cells[dewi["cell_id"]]) == ("venue", "online")


async def test_anonymous_joining_leaves_no_name_anywhere(server: Server) -> None:
    links, host = await hosted(server)
    before = {p["id"] for p in (await host.snapshot())["participants"]}
    anon = await Person.join(server, links.room_url, name=None)
    state = await host.snapshot()
    joined = [p for p in state["participants"] if p["id"] not in before]
    assert len(joined) == 1 and joined[0]["name"] is None
    assert state["labels"][joined[0]["id"]] == "Anonymous"
    welcome = await anon.connect(last_seq=0)
    assert welcome["participant_id"] == joined[0]["id"]
    await anon.wait_for(lambda p: p.last_seq == welcome["head"])
    event = next(
        e
        for e in anon.seen
        if e["type"] == "participant_joined" and e["data"]["participant_id"] == joined[0]["id"]
    )
    assert event["data"]["name"] is None


async def test_a_name_typed_with_anonymous_ticked_stays_anonymous(server: Server) -> None:
    links, host = await hosted(server)
    async with httpx.AsyncClient() as http:
        response = await http.post(
            server.local(links.room_url), data={"name": "Secret Sam", "anonymous": "yes"}
        )
    assert response.status_code == 303
    assert "Secret Sam" not in str(await host.snapshot())


async def test_the_table_link_seats_you_at_that_table(server: Server) -> None:
    links, host = await hosted(server)
    cell = next(c["id"] for c in (await host.snapshot())["cells"] if c["kind"] == "venue")
    await host.send({"type": "create_group", "name": "Table by the window", "cell_id": cell})
    group = (await host.snapshot())["groups"][0]["id"]
    table_link = f"{links.room_url}?table={group}"
    async with httpx.AsyncClient() as http:
        page = await http.get(server.local(table_link))
    assert page.status_code == 200 and "Table by the window" in page.text

    await Person.join(server, table_link, "Rhian")
    rhian = person_named(await host.snapshot(), "Rhian")
    assert (rhian["group_id"], rhian["cell_id"], rhian["where"]) == (group, cell, "room")


async def test_typing_the_code_finds_the_session(server: Server) -> None:
    links, _ = await hosted(server)
    typed = " ".join([links.join_code[:3].lower(), links.join_code[3:].lower()])
    async with httpx.AsyncClient(base_url=server.url) as http:
        form = await http.get("/join")
        assert form.status_code == 200 and 'name="code"' in form.text
        found = await http.post("/join", data={"code": typed, "where": "room"})
        assert found.status_code == 303
        assert found.headers["location"] == f"/j/{links.join_code}/room"
        remote = await http.post("/join", data={"code": links.join_code, "where": "remote"})
        assert remote.headers["location"] == f"/j/{links.join_code}/remote"
        join_page = await http.get(found.headers["location"])
        assert join_page.status_code == 200 and "Village hall" in join_page.text


async def test_a_wrong_code_gets_a_clear_error(server: Server) -> None:
    links, _ = await hosted(server)
    wrong = "".join("3" if ch != "3" else "4" for ch in links.join_code)
    async with httpx.AsyncClient(base_url=server.url) as http:
        for code in (wrong, "O0O0O0", "", "ABCDEFGHIJ"):
            response = await http.post("/join", data={"code": code})
            assert response.status_code == 422, code
            assert "code was not found" in response.text
            assert 'aria-invalid="true"' in response.text


async def test_identity_survives_a_reload_and_a_second_visit(server: Server) -> None:
    links, host = await hosted(server)
    async with httpx.AsyncClient(base_url=server.url) as phone:
        joined = await phone.post(server.local(links.room_url), data={"name": "Rhian"})
        assert joined.status_code == 303
        me = person_named(await host.snapshot(), "Rhian")["id"]
        page = joined.headers["location"]
        cookie = phone.cookies[f"hk_{page.split('/s/')[1]}"]
        for _reload in range(2):
            again = await phone.get(page)
            assert again.status_code == 200
            assert f'name="hk-me" content="{me}"' in again.text
        # opening the room link again goes straight back in, as the same person
        back = await phone.get(server.local(links.room_url))
        assert (back.status_code, back.headers["location"]) == (303, page)
        assert phone.cookies[f"hk_{page.split('/s/')[1]}"] == cookie
    async with httpx.AsyncClient(base_url=server.url) as stranger:
        refused = await stranger.get(page)
        assert refused.status_code == 401
        assert "join" in refused.text.lower()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no csrf field"
    return found.group(1)


async def test_the_no_javascript_form_posts_a_note(server: Server) -> None:
    links, host = await hosted(server)
    phase = (await host.snapshot())["phases"][0]["id"]
    await host.send({"type": "open_phase", "phase_id": phase, "seat": False, "timer": False})
    async with httpx.AsyncClient(base_url=server.url) as phone:
        joined = await phone.post(server.local(links.room_url), data={"name": "Rhian"})
        page = joined.headers["location"]
        csrf = csrf_of((await phone.get(page)).text)
        form = {"csrf": csrf, "type": "post_contribution", "kind": "note", "text": "<b>Hi</b>"}
        posted = await phone.post(f"{page}/act", data=form)
        assert posted.status_code == 303
        assert "notice=Done" in posted.headers["location"]
        shown = await phone.get(posted.headers["location"])
        assert "&lt;b&gt;Hi&lt;/b&gt;" in shown.text and "<b>Hi</b>" not in shown.text

        before = await host.snapshot()
        forged = await phone.post(f"{page}/act", data={**form, "csrf": "forged", "text": "x"})
        assert forged.status_code == 403
        missing = await phone.post(
            f"{page}/act", data={k: v for k, v in form.items() if k != "csrf"}
        )
        assert missing.status_code == 403
        other_origin = await phone.post(
            f"{page}/act", data=form, headers={"Origin": "http://evil.test"}
        )
        assert other_origin.status_code == 403
    after = await host.snapshot()
    notes = [c for c in after["contributions"] if c["text"] == "<b>Hi</b>"]
    assert len(notes) == 1
    assert notes[0]["author_id"] == person_named(after, "Rhian")["id"]
    assert after["seq"] == before["seq"]
