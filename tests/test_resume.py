"""Wi-Fi drops: resuming from the last sequence number, restarts, and slow phones.

A phone that reconnects with the last sequence number it saw receives exactly what it
missed, then live events, with no gap and no duplicate; one far behind gets a
snapshot (the promises both transports keep are in tests/test_catch_up.py). A restarted
server still has every acknowledged event. (A phone that stops reading altogether is
covered by tests/reliability/test_slow_consumer.py.)
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from tests.harness import Person, Server, note, open_first_phase, running_server


async def log_over_http(person: Person, after: int = 0) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{person.server.url}/api/sessions/{person.session_id}/events",
            params={"after": after},
            headers=person.headers,
        )
    body = response.json()
    assert body["type"] == "events", body
    return list(body["events"])


def seqs(events: list[dict[str, Any]]) -> list[int]:
    return [e["seq"] for e in events]


async def test_a_reconnecting_phone_gets_exactly_what_it_missed(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = await open_first_phase(server, links)
    rhian = await Person.join(server, links.room_url, "Rhian")
    dewi = await Person.join(server, links.remote_url, "Dewi")
    await rhian.connect(last_seq=0)
    ack = await rhian.send(note("Before the drop"))
    await rhian.wait_for(lambda p: p.last_seq == ack["seq"])
    await rhian.disconnect()
    away_from = rhian.last_seq
    seen_before = len(rhian.seen)

    # while she is away: the host on the socket, Dewi over HTTP
    await host.send(note("Tea is ready"))
    assert (await dewi.post(note("Posted from home"))).status_code == 200
    await host.send({"type": "announce", "text": "Five minutes left"})

    await rhian.connect()  # hello with her last seq
    await host.send(note("After she came back"))
    head = (await host.snapshot())["seq"]
    await rhian.wait_for(lambda p: p.last_seq == head)

    caught_up = rhian.seen[seen_before:]
    assert seqs(caught_up) == list(range(away_from + 1, head + 1))  # no gap, no duplicate
    assert caught_up == await log_over_http(host, after=away_from)
    texts = [e["data"]["text"] for e in caught_up if "text" in e["data"]]
    assert texts == ["Tea is ready", "Posted from home", "Five minutes left", "After she came back"]
    assert not [m for m in rhian.inbox if m["type"] == "snapshot"]


async def test_reconnecting_while_others_post_has_no_gap_and_no_duplicate(
    server: Server,
) -> None:
    """Subscribe first, read the backlog second: events committed meanwhile are not lost."""
    links = await server.new_session("world-cafe")
    host = await open_first_phase(server, links)
    rhian = await Person.join(server, links.room_url, "Rhian")
    await rhian.connect(last_seq=0)
    await rhian.disconnect()
    seen_before = len(rhian.seen)
    resumed_from = rhian.last_seq

    async def post_many() -> None:
        for number in range(60):
            await host.send(note(f"Note {number}"))

    posting = asyncio.create_task(post_many())
    while host.last_seq < resumed_from + 20:  # reconnect in the middle of the stream
        await host.wait_for(lambda p: p.last_seq >= resumed_from + 20)
    await rhian.connect()
    await posting
    head = (await host.snapshot())["seq"]
    await rhian.wait_for(lambda p: p.last_seq == head)

    assert seqs(rhian.seen[seen_before:]) == list(range(resumed_from + 1, head + 1))


async def test_a_phone_far_behind_gets_a_snapshot_then_live_events(tmp_path: Path) -> None:
    # 6 events before Rhian is away (the session, its host, screen and hall laptop, the
    # phase, her join): her first catch-up is by events, the one after 8 notes a snapshot
    async with running_server(tmp_path / "data", snapshot_after=6) as server:
        links = await server.new_session("world-cafe")
        host = await open_first_phase(server, links)
        rhian = await Person.join(server, links.room_url, "Rhian")
        welcome = await rhian.connect(last_seq=0)
        await rhian.wait_for(lambda p: p.last_seq == welcome["head"])
        await rhian.disconnect()
        for number in range(8):
            await host.send(note(f"While away {number}"))
        head = (await host.snapshot())["seq"]

        welcome = await rhian.connect()
        assert welcome["head"] == head
        snap = await rhian.wait_for(
            lambda p: next((m for m in p.inbox if m["type"] == "snapshot"), None)
        )
        assert snap["state"]["seq"] == head
        texts = {c["text"] for c in snap["state"]["contributions"]}
        assert {f"While away {n}" for n in range(8)} <= texts
        seen_before = len(rhian.seen)

        await host.send(note("Live again"))
        await rhian.wait_for(lambda p: p.last_seq == head + 1)
        assert seqs(rhian.seen[seen_before:]) == [head + 1]


async def test_a_restarted_server_has_every_acknowledged_event(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running_server(data) as server:
        links = await server.new_session("world-cafe")
        host = await open_first_phase(server, links)
        rhian = await Person.join(server, links.room_url, "Rhian")
        await rhian.connect()
        acks = list(
            await asyncio.gather(
                *(rhian.send(note(f"Rhian {n}")) for n in range(10)),
                *(host.send(note(f"Host {n}")) for n in range(10)),
            )
        )
        http_acks = [(await rhian.post(note(f"HTTP {n}"), f"http-{n}")).json() for n in range(5)]
        await host.send({"type": "start_timer", "duration_s": 600})
        before = await log_over_http(host)
        snapshot_before = await host.snapshot()
        await host.disconnect()
        await rhian.disconnect()

    async with running_server(data) as restarted:
        host.server = rhian.server = restarted
        after = await log_over_http(host)
        assert after == before  # seq, type, time, actor, command id and body of every event
        by_seq = {e["seq"]: e for e in after}
        for ack in [*acks, *http_acks]:
            assert ack["type"] == "ack"
            assert by_seq[ack["seq"]]["command_id"] == ack["id"]
        snapshot_after = await host.snapshot()
        for key in ("seq", "contributions", "participants", "phases", "groups", "session"):
            assert snapshot_after[key] == snapshot_before[key]
        # identities and idempotency survive the restart too
        await rhian.connect(last_seq=0)
        again = await rhian.post(note("HTTP 0"), "http-0")
        assert again.json() == {**http_acks[0], "duplicate": True}
        assert (await rhian.send(note("After the restart")))["seq"] == before[-1]["seq"] + 1
