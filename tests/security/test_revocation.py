"""The host revokes access: removing a participant, rotating a leaked link."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import websockets

from tests.harness import Person, Server
from tests.security.support import csrf_for, ok, participant_id


async def closed_code(person: Person) -> int:
    """Wait for the server to close this person's socket; return the close code."""
    assert person._reader is not None
    await person._reader  # ends when the socket closes
    assert person.ws.close_code is not None
    return int(person.ws.close_code)


async def test_a_removed_participant_is_cut_off_at_once(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host.send({"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False}))
    troll = await Person.join(server, links.remote_url, "Troll")
    await troll.connect()
    await ok(troll.send({"type": "post_contribution", "kind": "note", "text": "spam"}))

    await ok(host.send({"type": "remove_participant", "participant_id": troll.participant_id}))

    assert await closed_code(troll) == 4401
    assert (await troll.post({"type": "raise_hand"})).status_code == 401
    async with httpx.AsyncClient(cookies={f"hk_{troll.session_id}": troll.token}) as http:
        assert (await http.get(f"{server.url}/s/{troll.session_id}")).status_code == 401
    with pytest.raises(AssertionError):
        await troll.connect()  # the hello is refused: no welcome
    removed = host.events_of("participant_removed")
    assert removed and removed[-1]["actor"] == host.participant_id  # logged, with who did it


async def test_the_host_rotates_a_leaked_host_link_and_the_old_one_stops_working(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe")
    leaked = Person.from_link(server, links.host_url)
    await leaked.connect()
    host_browser = httpx.AsyncClient(base_url=server.url, follow_redirects=True)
    async with host_browser:
        opened = await host_browser.get(server.local(links.host_url))
        assert opened.status_code == 200 and "Host console" in opened.text
        csrf = csrf_for(server, leaked)

        rotated = await host_browser.post(
            f"/s/{leaked.session_id}/host/rotate", data={"csrf": csrf}
        )

        assert rotated.status_code == 200
        new_link = re.search(r"(http://\S+/host\?key=[\w.\-]+)", rotated.text)
        assert new_link is not None, rotated.text
        assert await closed_code(leaked) == 4401  # whoever held the old link is cut off
        assert (await leaked.post({"type": "raise_hand"})).status_code == 401
        async with httpx.AsyncClient(follow_redirects=True) as stranger:
            old = await stranger.get(server.local(links.host_url))
            assert old.status_code == 401
            new = await stranger.get(server.local(new_link.group(1)))
            assert new.status_code == 200 and "Host console" in new.text
        # the host's own browser was given the new identity and still works
        assert (await host_browser.get(f"/s/{leaked.session_id}/host")).status_code == 200


async def test_rotating_needs_the_forms_csrf_token(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    cookies = {f"hk_{host.session_id}": host.token}
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as http:
        response = await http.post(f"/s/{host.session_id}/host/rotate", data={"csrf": "x"})
    assert response.status_code == 403
    await host.connect()  # the old link still works: nothing changed


async def test_the_host_rotates_the_projector_link(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    screen = Person.from_link(server, links.projector_url)
    await screen.connect()
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.post(
            f"/s/{host.session_id}/host/rotate",
            data={"participant_id": participant_id(server, screen)},
            headers=host.headers,
        )
    assert answer.status_code == 200
    assert "/projector?key=" in answer.json()["link"]
    assert await closed_code(screen) == 4401
    fresh = Person.from_link(server, server.local(answer.json()["link"]))
    assert (await fresh.connect())["role"] == "observer"


async def test_a_cross_origin_websocket_is_refused_at_the_handshake(server: Server) -> None:
    links = await server.new_session("world-cafe")
    sid = links.session_id
    url = f"{server.ws_url}/api/sessions/{sid}/live"
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(url, origin=websockets.Origin("https://evil.example"))
    assert refused.value.response.status_code == 403
    for origin in (server.url, server.public_url):  # this server, as reached or as published
        async with websockets.connect(url, origin=websockets.Origin(origin)) as ws:
            await ws.send('{"type": "ping"}')  # accepted: the hello is what is checked next


async def test_the_host_console_removes_someone_and_makes_a_new_host_link(
    server: Server, browser: Any
) -> None:
    links = await server.new_session("world-cafe")
    troll = await Person.join(server, links.remote_url, "Troll")
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(server.local(links.host_url))
    await page.get_by_role("link", name="Invite and settings").click()

    await page.get_by_label("Remove someone from the session").select_option(label="Troll")
    await page.get_by_role("button", name="Remove them").click()  # unticked: the browser asks
    assert (await troll.post({"type": "raise_hand"})).status_code != 401
    await page.get_by_label("I understand: their link stops working").check()
    await page.get_by_role("button", name="Remove them").click()

    await page.get_by_text("Done.").wait_for()
    assert (await troll.post({"type": "raise_hand"})).status_code == 401
    await page.get_by_role("button", name="Make a new host link").click()
    shown = await page.get_by_text("The new link is:").inner_text()
    new_link = shown.split("The new link is: ")[1].strip()
    async with httpx.AsyncClient(follow_redirects=True) as stranger:
        assert (await stranger.get(server.local(links.host_url))).status_code == 401
        assert (await stranger.get(server.local(new_link))).status_code == 200
    await page.goto(f"{server.url}/s/{links.session_id}/host")  # this browser is still the host
    assert "Host console" in await page.title()
    assert await page.get_by_role("button", name="Open Welcome").is_visible()
    await context.close()
