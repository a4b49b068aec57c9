"""The live protocol: bad input, roles and repeated commands, over a real socket.

Every malformed message gets a clear error on the same connection, which stays up; a
role that may not do something is refused and the session does not change; a repeated
command id is acknowledged again and applied once.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from hostkit.sessions import SessionLinks
from tests.harness import Person, Server

NOTE = {"type": "post_contribution", "kind": "note", "text": "The bus stops at nine"}


def stable(state: dict[str, Any]) -> dict[str, Any]:
    """A snapshot without the fields that change with the clock alone."""
    return {k: v for k, v in state.items() if k != "server_time"}


async def opened_session(
    server: Server, links: SessionLinks | None = None
) -> tuple[Person, Person]:
    """A session whose first phase is open: its host (connected) and one participant."""
    links = links or await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    phase = (await host.snapshot())["phases"][0]["id"]
    assert (
        await host.send({"type": "open_phase", "phase_id": phase, "seat": False, "timer": False})
    )["type"] == "ack"
    rhian = await Person.join(server, links.room_url, "Rhian")
    await rhian.connect()
    return host, rhian


async def raw_hello(server: Server, session_id: str, token: str) -> tuple[list[Any], int | None]:
    """Say hello on a fresh socket; return what the server sent and its close code."""
    url = f"{server.ws_url}/api/sessions/{session_id}/live"
    received: list[Any] = []
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "hello", "token": token, "last_seq": 0}))
        try:
            async with asyncio.timeout(5):
                async for raw in ws:
                    received.append(json.loads(raw))
        except websockets.ConnectionClosed:
            pass
        return received, ws.close_code


def errors(person: Person) -> list[dict[str, Any]]:
    return [m for m in person.inbox if m["type"] == "error"]


# -- malformed input ------------------------------------------------------------------

BAD_MESSAGES: list[tuple[str, str | bytes, str]] = [
    ("not JSON", "{this is not json", "malformed"),
    ("unknown message type", json.dumps({"type": "subscribe"}), "subscribe"),
    (
        "unknown command type",
        json.dumps({"type": "command", "id": "x1", "command": {"type": "delete_everything"}}),
        "delete_everything",
    ),
    (
        "wrong field type",
        json.dumps({"type": "command", "id": "x2", "command": {**NOTE, "text": 42}}),
        "text",
    ),
    (
        "unknown field",
        json.dumps({"type": "command", "id": "x3", "command": {**NOTE, "author_id": "someone"}}),
        "author_id",
    ),
    (
        "oversized message",
        json.dumps({"type": "command", "id": "x4", "command": {**NOTE, "text": "a" * 200_000}}),
        "196608 bytes",
    ),
    ("binary frame", json.dumps({"type": "command", "id": "x5", "command": NOTE}).encode(), "text"),
    ("empty id", json.dumps({"type": "command", "id": "", "command": NOTE}), "id"),
    ("second hello", json.dumps({"type": "hello", "token": "x", "last_seq": 0}), "hello"),
]


@pytest.mark.parametrize(
    ("raw", "mentions"),
    [(raw, m) for _, raw, m in BAD_MESSAGES],
    ids=[n for n, _, _ in BAD_MESSAGES],
)
async def test_a_malformed_message_gets_an_error_and_changes_nothing(
    server: Server, raw: str | bytes, mentions: str
) -> None:
    host, rhian = await opened_session(server)
    before = stable(await host.snapshot())
    seen_before = len(rhian.seen)

    await rhian.ws.send(raw)
    error = await rhian.wait_for(lambda p: next(iter(errors(p)), None))

    assert error["code"] in ("invalid_message", "already_hello")
    assert mentions.lower() in error["message"].lower(), error
    assert stable(await host.snapshot()) == before
    assert len(rhian.seen) == seen_before  # no event came of it
    # the same connection still works
    ack = await rhian.send(NOTE)
    assert ack["type"] == "ack"
    assert ack["seq"] == before["seq"] + 1


async def test_a_command_before_hello_is_refused_and_the_socket_closed_clearly(
    server: Server,
) -> None:
    host, _ = await opened_session(server)
    before = stable(await host.snapshot())
    url = f"{server.ws_url}/api/sessions/{host.session_id}/live"
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "command", "id": "early", "command": NOTE}))
        error = json.loads(await ws.recv())
        with pytest.raises(websockets.ConnectionClosed):
            await ws.recv()
    assert error == {
        "type": "error",
        "code": "hello_required",
        "message": "The first message must be a hello.",
    }
    assert ws.close_code == 4401
    assert stable(await host.snapshot()) == before
    # the server is still up for everyone else
    assert (await host.send({"type": "raise_hand"}))["type"] == "ack"


async def test_ping_is_answered_with_the_server_time(server: Server) -> None:
    _, rhian = await opened_session(server)
    await rhian.ws.send(json.dumps({"type": "ping"}))
    pong = await rhian.wait_for(lambda p: next((m for m in p.inbox if m["type"] == "pong"), None))
    assert isinstance(pong["server_time"], float)


# -- roles ---------------------------------------------------------------------------


async def test_a_participant_cannot_run_the_session(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host, rhian = await opened_session(server, links)
    await Person.join(server, links.remote_url, "Dewi")  # someone to move
    state = await host.snapshot()
    dewi_id = next(p["id"] for p in state["participants"] if p["name"] == "Dewi")
    cell = next(c["id"] for c in state["cells"] if c["kind"] == "venue")
    assert (await host.send({"type": "create_group", "name": "Table 1", "cell_id": cell}))[
        "type"
    ] == "ack"
    group = (await host.snapshot())["groups"][0]["id"]
    before = stable(await host.snapshot())

    attempts = [
        {
            "type": "open_phase",
            "phase_id": before["phases"][1]["id"],
            "seat": False,
            "timer": False,
        },
        {"type": "close_phase", "phase_id": before["phases"][0]["id"]},
        {"type": "start_timer"},
        {"type": "move_participant", "participant_id": dewi_id, "group_id": group},
        {"type": "announce", "text": "Free cake for Rhian"},
        {"type": "set_role", "participant_id": dewi_id, "role": "observer"},
    ]
    for command in attempts:
        reply = await rhian.send(command)
        assert reply["type"] == "rejected", (command, reply)
        assert reply["code"] == "not_allowed"
        assert reply["message"]
    assert stable(await host.snapshot()) == before
    assert not [e for e in rhian.seen if e["seq"] > before["seq"]]


async def test_the_projector_link_reads_but_cannot_post(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    phase = (await host.snapshot())["phases"][0]["id"]
    await host.send({"type": "open_phase", "phase_id": phase, "seat": False, "timer": False})
    projector = Person.from_link(server, links.projector_url)
    welcome = await projector.connect()
    assert welcome["role"] == "observer"
    before = stable(await host.snapshot())

    for command in (NOTE, {"type": "raise_hand"}, {"type": "choose_group", "group_id": None}):
        reply = await projector.send(command)
        assert (reply["type"], reply["code"]) == ("rejected", "not_allowed")
    response = await projector.post(NOTE)
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert stable(await host.snapshot()) == before

    # and it does see what others post
    await host.send({**NOTE, "text": "Welcome, everyone"})
    await projector.wait_for(
        lambda p: any(e["data"].get("text") == "Welcome, everyone" for e in p.seen)
    )


async def test_forged_and_other_session_tokens_are_refused(server: Server) -> None:
    ours = await server.new_session("world-cafe")
    theirs = await server.new_session("circle")
    host = Person.from_link(server, ours.host_url)
    other_host = Person.from_link(server, theirs.host_url)
    # a forged token: a real one with its signature changed
    forged = host.token[:-4] + ("AAAA" if not host.token.endswith("AAAA") else "BBBB")
    for token in (forged, other_host.token, "", "not-a-token"):
        received, code = await raw_hello(server, host.session_id, token)
        assert code == 4401, token
        assert not [m for m in received if m["type"] in ("welcome", "events", "snapshot")]
        async with httpx.AsyncClient() as http:
            for method, path in (
                ("GET", "events"),
                ("GET", "snapshot"),
                ("POST", "commands"),
            ):
                response = await http.request(
                    method,
                    f"{server.url}/api/sessions/{host.session_id}/{path}",
                    headers={"Authorization": f"Bearer {token}"} if token else {},
                    json={"id": "x", "command": NOTE},
                )
                assert response.status_code == 401, (token, path)
                assert response.json()["code"] == "unauthorised"


async def test_an_unknown_session_closes_with_4404(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    received, code = await raw_hello(server, "no-such-session", host.token)
    assert code == 4404
    assert not received


# -- repeated commands ---------------------------------------------------------------


def notes(state: dict[str, Any], text: str) -> list[dict[str, Any]]:
    return [c for c in state["contributions"] if c["text"] == text]


async def test_a_repeated_command_id_on_the_socket_is_applied_once(server: Server) -> None:
    host, rhian = await opened_session(server)
    command_id = uuid.uuid4().hex
    first = await rhian.send(NOTE, command_id)
    rhian.inbox.clear()
    again = await rhian.send(NOTE, command_id)
    assert first == {"type": "ack", "id": command_id, "seq": first["seq"], "duplicate": False}
    assert again == {"type": "ack", "id": command_id, "seq": first["seq"], "duplicate": True}
    assert len(notes(await host.snapshot(), NOTE["text"])) == 1
    assert (await host.snapshot())["seq"] == first["seq"]


async def test_a_repeated_command_id_over_http_is_applied_once(server: Server) -> None:
    host, rhian = await opened_session(server)
    command_id = uuid.uuid4().hex
    first = await rhian.post(NOTE, command_id)
    again = await rhian.post(NOTE, command_id)
    assert first.status_code == again.status_code == 200
    assert first.json()["duplicate"] is False
    assert again.json() == {**first.json(), "duplicate": True}
    assert len(notes(await host.snapshot(), NOTE["text"])) == 1


async def test_a_command_sent_on_the_socket_then_retried_over_http_is_applied_once(
    server: Server,
) -> None:
    host, rhian = await opened_session(server)
    command_id = uuid.uuid4().hex
    first = await rhian.send(NOTE, command_id)
    retried = await rhian.post(NOTE, command_id)
    assert retried.json() == {**first, "duplicate": True}
    assert len(notes(await host.snapshot(), NOTE["text"])) == 1


async def test_the_same_id_from_another_participant_is_a_different_command(
    server: Server,
) -> None:
    host, rhian = await opened_session(server)
    command_id = "same-id"
    mine = await rhian.send(NOTE, command_id)
    hosts = await host.send(NOTE, command_id)
    assert mine["duplicate"] is False and hosts["duplicate"] is False
    assert hosts["seq"] == mine["seq"] + 1
    assert len(notes(await host.snapshot(), NOTE["text"])) == 2


async def test_concurrent_duplicates_are_applied_once(server: Server) -> None:
    host, rhian = await opened_session(server)
    second_socket = Person(server, rhian.session_id, rhian.token)
    await second_socket.connect()
    command_id = uuid.uuid4().hex
    replies = await asyncio.gather(
        rhian.send(NOTE, command_id),
        second_socket.send(NOTE, command_id),
        rhian.post(NOTE, command_id),
        rhian.post(NOTE, command_id),
    )
    acks = [r if isinstance(r, dict) else r.json() for r in replies]
    assert {a["type"] for a in acks} == {"ack"}
    assert len({a["seq"] for a in acks}) == 1
    assert sorted(a["duplicate"] for a in acks) == [False, True, True, True]
    assert len(notes(await host.snapshot(), NOTE["text"])) == 1


# -- the document ----------------------------------------------------------------------


def test_the_protocol_document_names_every_command_event_and_close_code() -> None:
    import msgspec.inspect

    from hostkit.domain.commands import ClientCommand
    from hostkit.domain.events import AnyEvent
    from hostkit.live import protocol

    text = (Path(__file__).parent.parent / "docs" / "protocol.md").read_text()
    for union in (ClientCommand, AnyEvent):
        info = msgspec.inspect.type_info(union)
        assert isinstance(info, msgspec.inspect.UnionType)
        for struct in info.types:
            assert isinstance(struct, msgspec.inspect.StructType)
            tag = struct.cls.__struct_config__.tag
            row = next((line for line in text.splitlines() if line.startswith(f"| `{tag}` |")), "")
            assert row, f"docs/protocol.md has no row for {tag}"
            for field in struct.fields:
                assert f"`{field.name}`" in row, f"{tag}.{field.name} is not documented"
    closes = [name for name in dir(protocol) if name.startswith("CLOSE_")]
    assert len(closes) == 7
    for name in closes:
        assert f"`{getattr(protocol, name)}`" in text, name
