"""The session's language, on a real server: the host sets it, pages follow it, each person
can still switch. Driven through the real pages with an HTTP client, as a phone without
JavaScript would (forms, redirects, cookies)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import websockets

from tests.harness import Person, Server
from tests.test_cli import hostkit

ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}
WELSH_BROWSER = {"Accept-Language": "cy-GB,cy;q=0.9"}


def language_of(page: httpx.Response) -> str:
    found = re.search(r'<html lang="(\w+)"', page.text)
    assert found, page.text[:200]
    return found.group(1)


def csrf_of(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


async def test_after_the_host_sets_welsh_an_english_browser_gets_welsh_and_can_switch(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    async with httpx.AsyncClient(headers=ENGLISH_BROWSER, follow_redirects=True) as before:
        assert language_of(await before.get(server.local(links.room_url))) == "en"

    await host.send({"type": "set_language", "language": "cy"})
    await host.send({"type": "open_phase", "phase_id": "p2"})
    assert (await host.snapshot())["session"]["language"] == "cy"

    async with httpx.AsyncClient(headers=ENGLISH_BROWSER, follow_redirects=True) as phone:
        join_page = await phone.get(server.local(links.room_url))
        assert language_of(join_page) == "cy"
        assert "Rydych chi’n ymuno yn yr ystafell." in join_page.text  # noqa: RUF001
        page = await phone.post(server.local(links.room_url), data={"name": "Siân"})
        assert str(page.url).endswith(f"/s/{links.session_id}")
        assert language_of(page) == "cy" and "Codi fy llaw" in page.text
        switch = re.search(r'href="(/lang/en\?back=[^"]+)"', page.text)
        assert switch, "the page offers English"
        page = await phone.get(server.url + switch.group(1).replace("&amp;", "&"))
        assert language_of(page) == "en" and "Raise my hand" in page.text
        again = await phone.get(f"{server.url}/s/{links.session_id}")  # remembered
        assert language_of(again) == "en"

    async with httpx.AsyncClient(headers=WELSH_BROWSER, follow_redirects=True) as other:
        await host.send({"type": "set_language", "language": "en"})  # the host's choice wins
        assert language_of(await other.get(server.local(links.room_url))) == "en"
        await host.send({"type": "set_language"})  # no default: each browser decides
        assert language_of(await other.get(server.local(links.room_url))) == "cy"


async def test_the_host_sets_the_language_from_the_console_without_javascript(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe")
    act = f"{server.url}/s/{links.session_id}/act"
    async with httpx.AsyncClient(headers=ENGLISH_BROWSER, follow_redirects=True) as laptop:
        console = await laptop.get(server.local(links.host_url))
        assert language_of(console) == "en"
        assert '<label for="session-language">' in console.text
        form = {"csrf": csrf_of(console), "back": "host", "section": "language-heading"}
        console = await laptop.post(act, data={**form, "type": "set_language", "language": "cy"})
        assert language_of(console) == "cy"
        assert "Consol y gwesteiwr" in console.text
        assert "Wedi’i wneud." in unquote(console.text)  # noqa: RUF001
        assert re.search(r'<option value="cy" lang="cy" selected>Cymraeg</option>', console.text)
        # a refusal is told in the console's language too
        console = await laptop.post(act, data={**form, "type": "set_language", "language": "fr"})
        assert "Dewiswch Saesneg neu Gymraeg (en neu cy)." in console.text
        console = await laptop.post(act, data={**form, "type": "open_phase", "phase_id": "p9"})
        assert "Does dim cam o’r fath." in console.text  # noqa: RUF001
        # the empty choice takes the default away: the host's English browser decides again
        console = await laptop.post(act, data={**form, "type": "set_language", "language": ""})
        assert language_of(console) == "en" and "Host console" in console.text

    host = Person.from_link(server, links.host_url)
    assert (await host.snapshot())["session"]["language"] is None


async def test_a_participant_cannot_set_the_sessions_language(server: Server) -> None:
    links = await server.new_session("world-cafe")
    someone = await Person.join(server, links.room_url, "Bryn")
    refused = await someone.post({"type": "set_language", "language": "cy"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_allowed"
    async with httpx.AsyncClient(headers=ENGLISH_BROWSER, follow_redirects=True) as phone:
        assert language_of(await phone.get(server.local(links.room_url))) == "en"


async def test_a_session_made_in_welsh_on_the_admin_page_opens_in_welsh(server: Server) -> None:
    link = await server.admin_link()
    async with httpx.AsyncClient(headers=WELSH_BROWSER, follow_redirects=True) as admin:
        page = await admin.get(link)
        assert language_of(page) == "cy" and "Creu sesiwn" in page.text
        form = {"csrf": csrf_of(page), "title": "Cynllun y pentref", "format": "circle"}
        refused = await admin.post(f"{server.url}/admin", data={**form, "language": "fr"})
        assert refused.status_code == 422
        assert "Dewiswch iaith y sesiwn: Saesneg, Cymraeg, neu iaith pob person ei hun." in (
            refused.text
        )
        made = await admin.post(f"{server.url}/admin", data={**form, "language": "cy"})
        assert made.status_code == 200 and "Sesiwn wedi’i chreu" in made.text  # noqa: RUF001
        room = re.search(r"/j/[A-Z0-9]{6}/room", made.text)
        assert room
    async with httpx.AsyncClient(headers=ENGLISH_BROWSER, follow_redirects=True) as phone:
        assert language_of(await phone.get(server.url + room.group(0))) == "cy"


async def test_hostkit_new_language_cy_makes_a_welsh_session(
    server: Server, tmp_path: Path
) -> None:
    code, out, err = await hostkit(
        "new",
        "--data",
        str(server.data_dir),
        "--title",
        "Cyfarfod",
        "--format",
        "circle",
        "--language",
        "cy",
        "--public-url",
        server.public_url,
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)
    async with httpx.AsyncClient(headers=ENGLISH_BROWSER, follow_redirects=True) as phone:
        assert language_of(await phone.get(server.local(created["room_url"]))) == "cy"
    code, _out, err = await hostkit(
        "new",
        "--data",
        str(tmp_path / "x"),
        "--title",
        "T",
        "--format",
        "circle",
        "--language",
        "fr",
    )
    assert code == 2 and "--language" in err


async def test_a_refusal_on_the_live_socket_comes_in_the_pages_language(server: Server) -> None:
    links = await server.new_session("world-cafe")
    someone = await Person.join(server, links.room_url, "Nia")
    url = f"{server.ws_url}/api/sessions/{links.session_id}/live"

    async def refusal(headers: dict[str, str]) -> dict[str, Any]:
        async with websockets.connect(url, additional_headers=headers) as ws:
            await ws.send(json.dumps({"type": "hello", "token": someone.token, "last_seq": 0}))
            assert json.loads(await ws.recv())["type"] == "welcome"
            command = {"type": "post_contribution", "kind": "note", "text": "Helo"}
            await ws.send(json.dumps({"type": "command", "id": "c1", "command": command}))
            reply: dict[str, Any] = {"type": "none"}
            while reply["type"] != "rejected":
                reply = json.loads(await ws.recv())
            return reply

    welsh = await refusal({"Cookie": "hk_lang=cy", "Accept-Language": "en-GB"})
    assert welsh["code"] == "phase_closed"
    assert welsh["message"] == "Nid oes cam ar agor: arhoswch i’r gwesteiwr ddechrau."  # noqa: RUF001
    english = await refusal({"Accept-Language": "en-GB"})
    assert english["message"] == "No phase is open: wait for the host to begin."


async def test_the_hosts_form_answers_follow_the_sessions_language(server: Server) -> None:
    links = await server.new_session("world-cafe", language="cy")
    rotate = f"{server.url}/s/{links.session_id}/host/rotate"
    async with httpx.AsyncClient(headers=ENGLISH_BROWSER) as program:  # the API answers in English
        token = links.host_url.split("key=")[1]
        api = await program.post(rotate, headers={"Authorization": f"Bearer {token}"})
        assert api.json()["title"] == "New link made"
        assert api.json()["message"].startswith("The old link no longer works. The new link is:")
        host_link = api.json()["link"]
    async with httpx.AsyncClient(headers=ENGLISH_BROWSER, follow_redirects=True) as laptop:
        console = await laptop.get(server.local(host_link))
        answer = await laptop.post(rotate, data={"csrf": csrf_of(console)})
        assert answer.status_code == 200 and language_of(answer) == "cy"
        assert "Dolen newydd wedi’i gwneud" in answer.text  # noqa: RUF001
        assert "Nid yw’r hen ddolen yn gweithio mwyach. Y ddolen newydd yw: http" in answer.text  # noqa: RUF001
        laptop.cookies.set("hk_lang", "cy")  # a download's answer: the switch or the browser
        refused = await laptop.get(f"{server.url}/s/{links.session_id}/export/nothing")
        assert refused.status_code == 404 and "Dim fformat o’r fath" in refused.text  # noqa: RUF001
        assert "Dewiswch un o: digest-html" in refused.text
