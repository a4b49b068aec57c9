"""One protocol, two transports: the live socket and the HTTP fallback keep the same promises.

Each test runs once over the WebSocket and once over HTTP (``GET .../events?after=N``,
``POST .../commands``), like websockets runs one connection suite over every I/O layer.
What only one transport has (long polls, the socket's live stream) is tested beside it,
in tests/test_resume.py and tests/test_http_fallback.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest

from tests.harness import Person, Server, note, open_first_phase, running_server


class Transport(Protocol):
    async def catch_up(self, person: Person, after: int, head: int) -> dict[str, Any]:
        """What a client that last saw ``after`` receives: events, or a snapshot."""

    async def command(
        self, person: Person, command: dict[str, Any], command_id: str
    ) -> dict[str, Any]:
        """The server's answer to one command: an ack or a rejection."""


class OverWebSocket:
    async def catch_up(self, person: Person, after: int, head: int) -> dict[str, Any]:
        person.seen.clear()
        person.inbox.clear()
        person.last_seq = after
        await person.connect()
        try:
            snapshot = await person.wait_for(
                lambda p: (
                    next((m for m in p.inbox if m["type"] == "snapshot"), None)
                    or (p.last_seq == head and not p.inbox and {"type": "events"})
                )
            )
            if snapshot["type"] == "snapshot":
                return dict(snapshot)
            return {"type": "events", "events": list(person.seen)}
        finally:
            await person.disconnect()

    async def command(
        self, person: Person, command: dict[str, Any], command_id: str
    ) -> dict[str, Any]:
        person.inbox.clear()  # an answer on an earlier socket is not this one's
        await person.connect()
        try:
            return await person.send(command, command_id)
        finally:
            await person.disconnect()


class OverHttp:
    async def catch_up(self, person: Person, after: int, head: int) -> dict[str, Any]:
        async with httpx.AsyncClient() as http:
            response = await http.get(
                f"{person.server.url}/api/sessions/{person.session_id}/events",
                params={"after": after},
                headers=person.headers,
            )
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def command(
        self, person: Person, command: dict[str, Any], command_id: str
    ) -> dict[str, Any]:
        return dict((await person.post(command, command_id)).json())


@pytest.fixture(params=["websocket", "http"])
def transport(request: pytest.FixtureRequest) -> Transport:
    return OverWebSocket() if request.param == "websocket" else OverHttp()


def seqs(reply: dict[str, Any]) -> list[int]:
    assert reply["type"] == "events", reply
    return [e["seq"] for e in reply["events"]]


async def test_catching_up_brings_exactly_what_was_missed(
    server: Server, transport: Transport
) -> None:
    links = await server.new_session("world-cafe")
    host = await open_first_phase(server, links)
    dewi = await Person.join(server, links.remote_url, "Dewi")
    away_from = (await host.snapshot())["seq"]
    for text in ("Tea is ready", "Posted while away"):
        await host.send(note(text))
    await host.send({"type": "announce", "text": "Five minutes left"})
    head = (await host.snapshot())["seq"]

    reply = await transport.catch_up(dewi, after=away_from, head=head)

    assert seqs(reply) == list(range(away_from + 1, head + 1))  # no gap, no duplicate
    texts = [e["data"]["text"] for e in reply["events"]]
    assert texts == ["Tea is ready", "Posted while away", "Five minutes left"]


async def test_one_far_behind_gets_a_snapshot_of_the_head(
    tmp_path: Path, transport: Transport
) -> None:
    async with running_server(tmp_path / "data", snapshot_after=3) as server:
        links = await server.new_session("world-cafe")
        host = await open_first_phase(server, links)
        for number in range(5):
            await host.send(note(f"While away {number}"))
        head = (await host.snapshot())["seq"]

        far = await transport.catch_up(host, after=0, head=head)
        near = await transport.catch_up(host, after=head - 2, head=head)

    assert far["type"] == "snapshot"
    assert far["state"]["seq"] == head
    assert {f"While away {n}" for n in range(5)} <= {
        c["text"] for c in far["state"]["contributions"]
    }
    assert seqs(near) == [head - 1, head]


async def test_a_last_seq_beyond_the_head_gets_a_snapshot(
    server: Server, transport: Transport
) -> None:
    """E.g. a phone that saw another server's log: it starts again from the head."""
    links = await server.new_session("world-cafe")
    host = await open_first_phase(server, links)
    head = (await host.snapshot())["seq"]
    reply = await transport.catch_up(host, after=head + 1000, head=head)
    assert reply["type"] == "snapshot"
    assert reply["state"]["seq"] == head


async def test_a_command_sent_twice_with_one_id_is_stored_once(
    server: Server, transport: Transport
) -> None:
    links = await server.new_session("world-cafe")
    host = await open_first_phase(server, links)
    rhian = await Person.join(server, links.room_url, "Rhian")

    first = await transport.command(rhian, note("Only once, please"), "resent-1")
    again = await transport.command(rhian, note("Only once, please"), "resent-1")

    assert first["type"] == again["type"] == "ack"
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert again["seq"] == first["seq"]
    texts = [c["text"] for c in (await host.snapshot())["contributions"]]
    assert texts.count("Only once, please") == 1


async def test_a_refused_command_has_a_stable_code_and_changes_nothing(
    server: Server, transport: Transport
) -> None:
    links = await server.new_session("world-cafe")
    host = await open_first_phase(server, links)
    rhian = await Person.join(server, links.room_url, "Rhian")
    before = (await host.snapshot())["seq"]

    empty = await transport.command(rhian, note("   "), "blank-1")
    not_hers = await transport.command(rhian, {"type": "announce", "text": "Hi"}, "announce-1")

    assert (empty["type"], empty["code"]) == ("rejected", "text_empty")
    assert (not_hers["type"], not_hers["code"]) == ("rejected", "not_allowed")
    assert empty["message"] and not_hers["message"]
    assert (await host.snapshot())["seq"] == before
