"""The HTTP fallback, for networks that block WebSockets: the same log, the same rules.

``GET /api/sessions/{id}/events?after=N`` returns what the socket would have sent;
with ``wait`` it long-polls and answers as soon as an event is committed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from hostkit.server.api import MAX_COMMAND_BYTES
from tests.harness import Person, Server, note, open_first_phase


async def events(person: Person, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.get(
            f"{person.server.url}/api/sessions/{person.session_id}/events",
            params=params,
            headers=person.headers,
        )


async def test_http_sees_the_same_events_as_the_socket(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = await open_first_phase(server, links)
    rhian = await Person.join(server, links.room_url, "Rhian")
    dewi = await Person.join(server, links.remote_url, "Dewi")
    await rhian.connect(last_seq=0)
    await rhian.send(note("From the socket"))
    posted = await dewi.post(note("From behind a library firewall"))
    assert posted.status_code == 200
    await rhian.wait_for(lambda p: p.last_seq == posted.json()["seq"])

    over_http = (await events(dewi, after=0)).json()
    assert over_http["type"] == "events"
    assert over_http["events"] == rhian.seen
    assert [e["seq"] for e in rhian.seen] == list(range(1, posted.json()["seq"] + 1))
    tail = (await events(dewi, after=posted.json()["seq"] - 1)).json()["events"]
    assert [e["data"]["text"] for e in tail] == ["From behind a library firewall"]
    assert tail[0]["actor"] == next(
        p["id"] for p in (await host.snapshot())["participants"] if p["name"] == "Dewi"
    )


async def test_a_long_poll_answers_as_soon_as_an_event_is_committed(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = await open_first_phase(server, links)
    dewi = await Person.join(server, links.remote_url, "Dewi")
    head = (await host.snapshot())["seq"]

    # with nothing new, a short wait ends empty-handed
    quiet = await events(dewi, after=head, wait=0.2)
    assert quiet.json() == {"type": "events", "events": []}

    poll = asyncio.create_task(events(dewi, after=head, wait=10))
    deadline = asyncio.create_task(asyncio.sleep(10))
    ack = await host.send(note("Wake up"))
    done, _ = await asyncio.wait([poll, deadline], return_when=asyncio.FIRST_COMPLETED)
    deadline.cancel()
    assert poll in done  # answered by the commit, not by the end of the wait
    got = poll.result().json()
    assert [e["seq"] for e in got["events"]] == [ack["seq"]]
    assert got["events"][0]["data"]["text"] == "Wake up"


async def test_http_bad_requests_get_clear_errors_and_change_nothing(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = await open_first_phase(server, links)
    before = {k: v for k, v in (await host.snapshot()).items() if k != "server_time"}
    base = f"{server.url}/api/sessions/{host.session_id}"
    async with httpx.AsyncClient() as http:
        for params in ({"after": "-1"}, {"after": "x"}, {"wait": "3600"}, {"wait": "soon"}):
            response = await http.get(f"{base}/events", params=params, headers=host.headers)
            assert response.status_code == 400, params
            assert response.json()["code"] == "invalid_query"
        bodies: list[tuple[bytes, int, str]] = [
            (b"{not json", 400, "invalid_message"),
            (b'{"id": "a", "command": {"type": "explode"}}', 400, "invalid_message"),
            (b'{"id": "", "command": {"type": "raise_hand"}}', 400, "invalid_message"),
            (b'{"id": "b", "command": {"type": "raise_hand", "x": 1}}', 400, "invalid_message"),
            (b'{"id": "c", "command": {"type": "announce", "text": ""}}', 422, "text_empty"),
            (b"x" * (MAX_COMMAND_BYTES + 1), 413, "message_too_large"),
        ]
        for body, status, code in bodies:
            response = await http.post(f"{base}/commands", content=body, headers=host.headers)
            assert (response.status_code, response.json()["code"]) == (status, code), body[:40]
            assert response.json()["message"]
        missing = await http.get(f"{server.url}/api/sessions/nope/snapshot", headers=host.headers)
        assert missing.status_code == 404
        assert missing.json()["code"] == "unknown_session"
    after = {k: v for k, v in (await host.snapshot()).items() if k != "server_time"}
    assert after == before
