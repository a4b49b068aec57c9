"""Frames written once for many: every listener gets every event once and in order, as
the words they may read, whether a batch went straight to the socket or through the
connection's buffer; and the live socket is not compressed."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import websockets

from hostkit.server.wire import Wire, text_frame
from tests.harness import Person, note, open_first_phase, running_server

pytestmark = pytest.mark.asyncio


def notes_seen(person: Person) -> list[str]:
    return [e["data"]["text"] for e in person.events_of("contribution_posted")]


def seqs(person: Person) -> list[int]:
    return [e["seq"] for e in person.seen]


async def test_a_text_frame_is_what_websockets_reads_back() -> None:
    """The shared bytes are a valid unmasked text frame carrying the text whole."""
    from websockets.frames import Frame, Opcode

    text = json.dumps({"type": "events", "events": [{"seq": 1, "text": "Tŷ Hyll " * 40}]})
    frame = text_frame(text)
    chunks = [frame]

    def read_exact(n: int):  # type: ignore[no-untyped-def]
        data = chunks[0][:n]
        chunks[0] = chunks[0][n:]
        yield from ()
        return data

    parser = Frame.parse(read_exact, mask=False)
    with pytest.raises(StopIteration) as done:
        next(parser)
    parsed = done.value.value
    assert parsed.opcode is Opcode.TEXT and parsed.fin
    assert parsed.data.decode() == text


async def test_every_listener_gets_every_note_once_in_order_through_the_shared_frame(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[int] = []
    real_write = Wire.write

    def counting(self: Wire, frame: bytes) -> bool:
        sent = real_write(self, frame)
        written.append(int(sent))
        return sent

    monkeypatch.setattr(Wire, "write", counting)
    async with running_server(tmp_path) as server:
        links = await server.new_session()
        host = await open_first_phase(server, links)
        listeners = [await Person.join(server, links.room_url, f"Listener {i}") for i in range(5)]
        for person in listeners:
            await person.connect()
        texts = [f"note {n} about the **hall roof**" for n in range(20)]
        for text in texts:
            reply = await host.send(note(text))
            assert reply["type"] == "ack"
        for person in [host, *listeners]:
            await person.wait_for(lambda p: len(notes_seen(p)) == len(texts))
            assert notes_seen(person) == texts
            got = seqs(person)
            assert got == sorted(set(got))  # no duplicate, in order
            assert got == list(range(got[0], got[0] + len(got)))  # no gap
        # most batches went straight to the sockets (the rest through the buffers)
        assert sum(written) >= len(texts) * len(listeners) // 2


async def test_waiting_words_reach_only_their_author_and_the_hosts(tmp_path: Path) -> None:
    """With pre-moderation the shared frames differ per kind of viewer, still written
    once each: the author and the host get the words, everyone else a blank."""
    async with running_server(tmp_path) as server:
        links = await server.new_session()
        host = await open_first_phase(server, links)
        assert (await host.send({"type": "set_moderation", "on": True}))["type"] == "ack"
        author = await Person.join(server, links.room_url, "Author")
        others = [await Person.join(server, links.room_url, f"Other {i}") for i in range(3)]
        for person in (author, *others):
            await person.connect()
        assert (await author.send(note("a word that waits")))["type"] == "ack"
        for person in (host, author):
            await person.wait_for(lambda p: notes_seen(p) == ["a word that waits"])
        for person in others:
            await person.wait_for(lambda p: len(p.events_of("contribution_posted")) == 1)
            assert notes_seen(person) == [""]


async def test_the_live_socket_is_not_compressed(tmp_path: Path) -> None:
    async with running_server(tmp_path) as server:
        links = await server.new_session()
        person = await Person.join(server, links.room_url, "Ana")
        url = f"{server.ws_url}/api/sessions/{person.session_id}/live"
        async with websockets.connect(url, compression="deflate") as ws:  # a browser asks
            assert ws.response is not None
            extensions: Any = ws.response.headers.get("Sec-WebSocket-Extensions")
            assert extensions is None
            await ws.send(json.dumps({"type": "hello", "token": person.token, "last_seq": 0}))
            welcome = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert welcome["type"] == "welcome"
