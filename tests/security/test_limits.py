"""Abuse limits are per participant and per session, never per IP address.

Every client here comes from 127.0.0.1, like a village hall behind one public address.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from tests.harness import Person, Server, running_server
from tests.security.support import ok


def note(text: str) -> dict[str, str]:
    return {"type": "post_contribution", "kind": "note", "text": text}


async def test_300_people_behind_one_address_are_never_throttled_by_each_other(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host.send({"type": "open_phase", "phase_id": "p1"}))
    gate = asyncio.Semaphore(25)

    async def arrive(n: int) -> int:
        async with gate:
            person = await Person.join(server, links.room_url, f"Person {n}")
            return (await person.post(note(f"Hello from {n}"))).status_code

    statuses = await asyncio.gather(*(arrive(n) for n in range(300)))

    assert statuses == [200] * 300
    snapshot = await host.snapshot()
    assert len([c for c in snapshot["contributions"] if c["text"].startswith("Hello")]) == 300


async def test_one_flooding_token_is_throttled_and_nobody_else_is(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data", command_rate="30/minute") as server:
        links = await server.new_session("world-cafe")
        host = Person.from_link(server, links.host_url)
        await host.connect()
        await ok(host.send({"type": "open_phase", "phase_id": "p1"}))
        flooder = await Person.join(server, links.room_url, "Flood")
        neighbour = await Person.join(server, links.room_url, "Neighbour")
        await flooder.connect()

        replies = [await flooder.send(note(f"spam {n}")) for n in range(40)]

        codes = [r.get("code", r["type"]) for r in replies]
        assert codes == ["ack"] * 30 + ["rate_limited"] * 10
        assert "wait a moment" in replies[-1]["message"]
        over_http = await flooder.post(note("more spam"))
        assert (over_http.status_code, over_http.json()["code"]) == (429, "rate_limited")
        assert over_http.headers["retry-after"] == "60"
        assert (await neighbour.post(note("I am still heard"))).status_code == 200


async def test_joining_is_limited_per_session_not_per_address(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data", join_rate="5/minute") as server:
        busy = await server.new_session("world-cafe")
        quiet = await server.new_session("circle")
        for n in range(5):
            await Person.join(server, busy.room_url, f"Person {n}")
        async with httpx.AsyncClient() as http:
            refused = await http.post(server.local(busy.room_url), data={"name": "One too many"})
        assert refused.status_code == 422
        assert "Too many requests" in refused.text
        await Person.join(server, quiet.room_url, "Elsewhere")  # another session is unaffected


async def test_a_session_takes_at_most_its_cap_of_live_connections(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data", max_connections=3) as server:
        links = await server.new_session("world-cafe")
        people = [await Person.join(server, links.room_url, f"P{n}") for n in range(4)]
        for person in people[:3]:
            await person.connect()
        with pytest.raises(AssertionError, match="too_many_connections"):
            await people[3].connect()  # no welcome, but a reason
        await people[3].ws.wait_closed()
        assert people[3].ws.close_code == 4429
        await people[0].disconnect()
        await people[3].connect()  # a place came free


async def test_an_oversized_command_is_refused_without_being_decoded(server: Server) -> None:
    links = await server.new_session("world-cafe")
    rhian = await Person.join(server, links.room_url, "Rhian")
    async with httpx.AsyncClient() as http:
        response = await http.post(
            f"{server.url}/api/sessions/{rhian.session_id}/commands",
            content=b'{"id": "x", "command": {"type": "post_contribution", "text": "'
            + b"a" * (1024 * 1024)
            + b'"}}',
            headers={**rhian.headers, "Content-Type": "application/json"},
        )
    assert (response.status_code, response.json()["code"]) == (413, "message_too_large")
    too_long = await rhian.post({"type": "post_contribution", "kind": "note", "text": "a" * 10_001})
    assert (too_long.status_code, too_long.json()["code"]) == (422, "text_too_long")


async def test_a_note_of_ten_thousand_characters_is_taken_even_as_json_escapes(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host.send({"type": "open_phase", "phase_id": "p1"}))
    rhian = await Person.join(server, links.room_url, "Rhian")
    # a considered reply from home, even written all in emoji and sent as \u escapes
    considered = {"type": "post_contribution", "kind": "note", "text": "👍" * 10_000}
    async with httpx.AsyncClient(base_url=server.url) as http:
        accepted = await http.post(
            f"/api/sessions/{rhian.session_id}/commands",
            content=json.dumps({"id": "long-1", "command": considered}, ensure_ascii=True),
            headers={**rhian.headers, "Content-Type": "application/json"},
        )
    assert accepted.status_code == 200, accepted.text


async def test_guessing_join_codes_is_throttled_for_the_guesser_only(server: Server) -> None:
    links = await server.new_session("world-cafe")
    guesser = {"X-Forwarded-For": "203.0.113.9"}  # as the hall's proxy reports a client
    async with httpx.AsyncClient(base_url=server.url) as http:
        for n in range(120):
            wrong = await http.post("/join", data={"code": f"ZZZ{n:03d}"}, headers=guesser)
            assert wrong.status_code == 422
        blocked = await http.post("/join", data={"code": links.join_code}, headers=guesser)
        assert blocked.status_code == 429 and "Too many wrong codes" in blocked.text
        assert (await http.get(f"/j/{links.join_code}/room", headers=guesser)).status_code == 429
        fine = await http.post("/join", data={"code": links.join_code})
        assert fine.status_code == 303  # everyone else still joins
