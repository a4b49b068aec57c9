"""Two halls on laptops and people at home; one hall's internet drops, and comes back.

Real processes throughout: ``hostkit serve``, two ``hostkit relay`` laptops (one of them
reaching the server through a TCP proxy the test cuts, silently, as a hall's line drops),
and phones and people at home on real WebSockets that keep an outbox as live.js does.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import csv
import io
import json
import re
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hostkit.export.formats import EXPORT_FORMATS
from hostkit.store.sqlite import DB_NAME
from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess, join
from tests.reliability.proxy import SilentProxy
from tests.reliability.relay_process import RelayProcess
from tests.reliability.test_crash import open_first_phase
from tests.test_export_session import text_of

HEARTBEAT_S = 0.5
WITHIN_S = 60  # a loaded machine is slow; nothing here waits on a timer to pass


def new_session(server: ServerProcess) -> dict[str, Any]:
    made = server.cli(
        "new", "--licence", "CC BY 4.0", "--data", str(server.data_dir), "--title", "Two halls",
        "--format", "world-cafe", "--venue", "Hall A", "--venue", "Hall B",
        "--public-url", server.public_url, "--json",
    )  # fmt: skip
    links: dict[str, Any] = json.loads(made.stdout)
    return links


def reach(link: str, server: ServerProcess, port: int | None = None) -> str:
    """A venue link as the laptop reaches the server: directly, or through the proxy."""
    return link.replace(server.public_url, f"http://127.0.0.1:{port or server.port}")


def contributions(server: ServerProcess, session_id: str) -> list[dict[str, Any]]:
    """Every contribution_posted in the server's log on disk, in seq order, with its seq."""
    conn = sqlite3.connect(f"file:{server.data_dir / DB_NAME}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT seq, body, command_id FROM events WHERE session_id = ? "
            "AND type = 'contribution_posted' ORDER BY seq",
            (session_id,),
        ).fetchall()
    finally:
        conn.close()
    return [{"seq": seq, "command_id": cid, **json.loads(body)} for seq, body, cid in rows]


def events_of(server: ServerProcess, session_id: str, kind: str) -> list[tuple[str | None, str]]:
    conn = sqlite3.connect(f"file:{server.data_dir / DB_NAME}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT actor, body FROM events WHERE session_id = ? AND type = ? ORDER BY seq",
            (session_id, kind),
        ).fetchall()
    finally:
        conn.close()
    return [(actor, body) for actor, body in rows]


async def phone(hall: RelayProcess, links: dict[str, Any], name: str) -> OutboxClient:
    """Someone in the hall scans the laptop's QR code, joins, and opens the live page."""
    person = await hall.join(links["join_code"], name)
    client = OutboxClient(
        hall.ws_url, links["session_id"], person.token, name, heartbeat_s=HEARTBEAT_S
    )
    client.hall = []  # type: ignore[attr-defined]
    client.kept = []  # type: ignore[attr-defined]

    def note(message: dict[str, Any]) -> None:
        if message["type"] == "hall":
            client.hall.append(message)  # type: ignore[attr-defined]
        elif message["type"] == "kept":
            client.kept.append(message["id"])  # type: ignore[attr-defined]

    client.on_message = note
    client.start()
    await asyncio.wait_for(client.connected.wait(), WITHIN_S)
    return client


async def hall_state(hall: RelayProcess, client: OutboxClient) -> dict[str, Any]:
    """The session as the hall's laptop shows it to this phone now (its snapshot)."""
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            f"{hall.url}/api/sessions/{client.session_id}/snapshot",
            headers={"Authorization": f"Bearer {client.token}"},
        )
    answer.raise_for_status()
    state: dict[str, Any] = answer.json()["state"]
    return state


async def texts_seen(hall: RelayProcess, client: OutboxClient) -> list[str]:
    """The contributions the hall's laptop shows this phone now."""
    return [c["text"] for c in (await hall_state(hall, client))["contributions"]]


async def until(check: Any, within: float = WITHIN_S) -> None:
    """Poll a condition that depends on another process (a laptop catching up)."""
    async with asyncio.timeout(within):
        while True:
            if await check():
                return
            await asyncio.sleep(0.1)  # polling another process, not waiting for time to pass


def command(kind: str, **fields: Any) -> dict[str, Any]:
    return {"type": kind, **fields}


@dataclass
class Event:
    """A session with two halls, its server running, hall A's line through a proxy to cut."""

    server: ServerProcess
    links: dict[str, Any]
    proxy: SilentProxy
    host: OutboxClient  # online, with the welcome open
    cut: RelayProcess  # hall A's laptop, through the proxy
    clients: list[OutboxClient] = field(default_factory=list)
    halls: list[RelayProcess] = field(default_factory=list)

    @property
    def sid(self) -> str:
        return str(self.links["session_id"])

    async def start(self, hall: RelayProcess) -> RelayProcess:
        self.halls.append(hall)
        await hall.start()
        await hall.has_copy(self.sid)
        return hall

    async def cut_off(self, phone: OutboxClient) -> None:
        """Hall A's line goes silent; its phone hears so from the laptop."""
        self.proxy.drop()
        await phone.wait_for(
            lambda c: any(not m["connected"] for m in c.hall),  # type: ignore[attr-defined]
            WITHIN_S,
        )

    async def phone(self, hall: RelayProcess, name: str) -> OutboxClient:
        self.clients.append(await phone(hall, self.links, name))
        return self.clients[-1]


@contextlib.asynccontextmanager
async def event(tmp_path: Path) -> AsyncIterator[Event]:
    """Everything started (hall A's laptop too), and stopped again whatever happens."""
    server = ServerProcess(tmp_path / "data", extra=("--heartbeat", str(HEARTBEAT_S)))
    links = new_session(server)
    await server.start()
    made: Event | None = None
    try:
        async with SilentProxy(server.port) as proxy:
            host = await open_first_phase(server, links)
            cut = RelayProcess(
                tmp_path / "hall-a",
                upstream=reach(links["venue_links"]["Hall A"], server, proxy.port),
                name="a",
            )
            made = Event(server, links, proxy, host, cut, [host])
            await made.start(cut)
            yield made
    finally:
        for client in made.clients if made is not None else []:
            await client.stop()
        for hall in made.halls if made is not None else []:
            hall.stop()
        server.stop()


async def test_a_hall_carries_on_offline_and_merges_every_word_once_in_its_phase(
    tmp_path: Path,
) -> None:
    async with event(tmp_path) as e:
        server, links, sid, hall_a = e.server, e.links, e.sid, e.cut
        hall_b = RelayProcess(
            tmp_path / "hall-b", upstream=reach(links["venue_links"]["Hall B"], server), name="b"
        )
        await e.start(hall_b)
        home = await join(server, links["remote_url"], "Iolo")
        iolo = OutboxClient(server.ws_url, sid, home.token, "iolo")
        iolo.start()
        e.clients.append(iolo)
        rhian = await e.phone(hall_a, "Rhian")
        bryn = await e.phone(hall_b, "Bryn")
        iolo.post("From home, before")
        rhian.post("Hall A, online")
        bryn.post("Hall B, before")
        for client in (iolo, rhian, bryn):
            await client.wait_for(lambda c: not c.outbox, WITHIN_S)
        assert rhian.kept == []  # type: ignore[attr-defined]  # online: acked, never kept
        home_note = next(
            c["contribution_id"]
            for c in contributions(server, sid)
            if c["text"] == "From home, before"
        )
        await until(lambda: _has(hall_a, rhian, "Hall B, before"))

        await e.cut_off(rhian)  # hall A's line goes silent
        written = [rhian.post("Hall A, offline 1")]
        sian = await e.phone(hall_a, "Siân")  # joins while the hall is offline
        written.append(sian.post("Hall A, offline 2"))
        rhian.send_now(command("raise_hand"), "rhian-hand")
        sian.send_now(command("cast_vote", contribution_id=home_note), "sian-vote-home")
        await until(lambda: _has(hall_a, sian, "Hall A, offline 1", "Hall A, offline 2"))
        offline_1 = await _contribution_id(hall_a, sian, "Hall A, offline 1")
        sian.send_now(command("cast_vote", contribution_id=offline_1), "sian-vote-hall")
        await sian.wait_for(
            lambda c: "sian-vote-hall" in c.kept,  # type: ignore[attr-defined]
            WITHIN_S,
        )
        assert set(written) <= set(rhian.kept) | set(sian.kept)  # type: ignore[attr-defined]
        assert not rhian.acked.keys() & set(written)  # no ack before the server has it

        # the rest of the event goes on meanwhile; round 1 closes the welcome
        iolo.post("From home, during")
        bryn.post("Hall B, during")
        for client in (iolo, bryn):
            await client.wait_for(lambda c: not c.outbox, WITHIN_S)
        e.host.send_now(command("open_phase", phase_id="p2", seat=False, timer=False), "open-2")
        await e.host.wait_for(lambda c: "open-2" in c.acked, WITHIN_S)
        iolo.post("From home, round 1")
        bryn.post("Hall B, round 1")
        for client in (iolo, bryn):
            await client.wait_for(lambda c: not c.outbox, WITHIN_S)
        assert not await _has(hall_a, rhian, "Hall B, round 1")  # hall A is still cut off

        e.proxy.restore()
        back = time.monotonic()
        for client in (rhian, sian):
            await client.wait_for(lambda c: not c.outbox, WITHIN_S)
        print(f"\nhall A back: every phone acknowledged {time.monotonic() - back:.1f} s later")

        said = contributions(server, sid)
        texts = [c["text"] for c in said]
        for text in ("Hall A, online", "Hall A, offline 1", "Hall A, offline 2"):
            assert texts.count(text) == 1, (text, texts)  # exactly once
        late = [c for c in said if c["text"].startswith("Hall A, offline")]
        assert {c["phase_id"] for c in late} == {"p1"}  # the phase they were written in
        assert all(c["late"] and c["written_at"] for c in late)
        assert {c["command_id"] for c in late} == set(written)  # the phones' own ids
        hands = events_of(server, sid, "hand_raised")
        assert [actor for actor, _ in hands] == [participant(rhian)]
        votes = [json.loads(body) for _, body in events_of(server, sid, "vote_cast")]
        by_sian = {v["contribution_id"] for v in votes if v["participant_id"] == participant(sian)}
        offline_1_there = next(c for c in late if c["text"] == "Hall A, offline 1")
        assert by_sian == {home_note, offline_1_there["contribution_id"]}
        assert "sian-vote-hall" in sian.acked and "rhian-hand" in rhian.acked

        # hall A now sees what it missed, from the other hall and from home
        seen = await texts_seen(hall_a, rhian)
        for text in ("Hall B, during", "Hall B, round 1", "From home, round 1"):
            assert text in seen
        assert seen.count("Hall A, offline 1") == 1

        for name in EXPORT_FORMATS:  # every digest and transcript, in every file format
            out = tmp_path / f"export-{name}"
            server.cli(
                "export", sid, "--data", str(server.data_dir), "--format", name, "--out", str(out)
            )
            body = text_of(name, out.read_bytes(), tmp_path)
            order = [body.index(t) for t in ("From home, before", "Hall A, offline 1")]
            order.append(body.index("From home, during"))
            # in their place: written before Iolo's second note, so shown before it
            assert order == sorted(order), name
            assert late_in(name, body) == 2, name  # the two offline notes, marked


def late_in(name: str, body: str) -> int:
    """How many contributions an export marks as arrived late."""
    if name.endswith("json"):
        return sum(bool(c["arrived_late"]) for c in json.loads(body)["contributions"])
    if name.endswith("csv"):
        return sum(bool(r["arrived_late"]) for r in csv.DictReader(io.StringIO(body)))
    return len(re.findall(r"arrived\s+late", body))  # a PDF may break the line there


def participant(client: OutboxClient) -> str:
    """The participant id a phone's token names (a signed, not encrypted, payload)."""
    payload = client.token.split(".")[0]
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return str(data[1])


async def _has(hall: RelayProcess, client: OutboxClient, *texts: str) -> bool:
    seen = await texts_seen(hall, client)
    return all(t in seen for t in texts)


async def _contribution_id(hall: RelayProcess, client: OutboxClient, text: str) -> str:
    said = (await hall_state(hall, client))["contributions"]
    return str(next(c["id"] for c in said if c["text"] == text))


async def test_a_laptop_killed_offline_with_words_kept_loses_none_and_sends_none_twice(
    tmp_path: Path,
) -> None:
    async with event(tmp_path) as e:
        hall = e.cut
        rhian = await e.phone(hall, "Rhian")
        await e.cut_off(rhian)
        sian = await e.phone(hall, "Siân")  # her join is only in the hall, so far
        kept = [rhian.post(f"Rhian {n}") for n in range(5)]
        kept += [sian.post(f"Siân {n}") for n in range(3)]
        for client in (rhian, sian):
            await client.wait_for(
                lambda c: set(c.sent) <= set(c.kept),  # type: ignore[attr-defined]
                WITHIN_S,
            )

        hall.kill()  # the laptop's power goes, its outbox full
        await hall.start()  # and it comes back, still without internet
        for client in (rhian, sian):  # each phone reconnects and sends its outbox again
            await client.wait_for(lambda c: len(c.closes) >= 1 and c.connected.is_set(), WITHIN_S)
            await client.wait_for(
                lambda c: c.kept.count(c.sent[-1]) >= 2,  # type: ignore[attr-defined]
                WITHIN_S,
            )
        seen = await texts_seen(hall, rhian)
        assert sorted(seen) == sorted(f"Rhian {n}" for n in range(5)) + sorted(
            f"Siân {n}" for n in range(3)
        )  # once each in the hall, after the restart and the phones' resending

        e.proxy.restore()

        async def forwarding() -> bool:
            return bool(contributions(e.server, e.sid))

        await until(forwarding)
        hall.kill()  # and again, as it forwards: answers the server sent may be lost
        await hall.start()
        for client in (rhian, sian):
            await client.wait_for(lambda c: not c.outbox, WITHIN_S)
        said = contributions(e.server, e.sid)
        assert sorted(c["command_id"] for c in said) == sorted(kept)  # each once, none lost
        joins = [body for _, body in events_of(e.server, e.sid, "participant_joined")]
        assert sum(json.loads(b)["participant_id"] == participant(sian) for b in joins) == 1
        assert sorted(await texts_seen(hall, sian)) == sorted(c["text"] for c in said)


async def test_the_halls_cell_host_sets_out_a_table_offline_and_the_server_gets_it(
    tmp_path: Path,
) -> None:
    async with event(tmp_path) as e:
        hall = e.cut
        rhian = await e.phone(hall, "Rhian")
        sian = await e.phone(hall, "Siân")
        e.host.send_now(
            command("set_role", participant_id=participant(rhian), role="cell_host"), "r"
        )
        await e.host.wait_for(lambda c: "r" in c.acked, WITHIN_S)
        await until(lambda: _role_in_hall(hall, rhian))
        await e.cut_off(rhian)
        table = {"type": "create_group", "name": "Window table", "cell_id": "venue-1"}
        rhian.send_now(table, "window")
        await rhian.wait_for(lambda c: "window" in c.kept or c.rejected, WITHIN_S)  # type: ignore[attr-defined]
        assert not rhian.rejected, rhian.rejected
        made_here = f"g{await _seq_of(hall, rhian, 'group_created')}"
        move = command("move_participant", participant_id=participant(sian), group_id=made_here)
        rhian.send_now(move, "move-sian")
        await rhian.wait_for(lambda c: "move-sian" in c.kept, WITHIN_S)  # type: ignore[attr-defined]
        sian.post("At the window")
        await sian.wait_for(lambda c: c.sent[-1] in c.kept, WITHIN_S)  # type: ignore[attr-defined]

        e.proxy.restore()
        for client in (rhian, sian):
            await client.wait_for(lambda c: not c.outbox, WITHIN_S)
        made = [json.loads(b) for _, b in events_of(e.server, e.sid, "group_created")]
        (window,) = [g["group"] for g in made if g["group"]["name"] == "Window table"]
        (note,) = [c for c in contributions(e.server, e.sid) if c["text"] == "At the window"]
        assert note["group_id"] == window["id"]  # the server's table, not the hall's id for it
        moves = [json.loads(b) for _, b in events_of(e.server, e.sid, "participant_moved")]
        assert [m["group_id"] for m in moves if m["participant_id"] == participant(sian)] == [
            window["id"]
        ]


async def _seq_of(hall: RelayProcess, client: OutboxClient, kind: str) -> int:
    """The seq of the latest event of this kind in the hall's copy, as a phone reads it."""
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            f"{hall.url}/api/sessions/{client.session_id}/events",
            params={"after": 0},
            headers={"Authorization": f"Bearer {client.token}"},
        )
    body = answer.json()
    assert body["type"] == "events", body["type"]
    return int(next(e["seq"] for e in reversed(body["events"]) if e["type"] == kind))


async def _role_in_hall(hall: RelayProcess, client: OutboxClient) -> bool:
    """Whether the hall's copy has this phone's person as a cell host yet."""
    people = (await hall_state(hall, client))["participants"]
    return any(p["id"] == participant(client) and p["role"] == "cell_host" for p in people)


async def test_the_halls_cell_host_runs_its_timer_and_a_round_offline_as_the_server_then_has_them(
    tmp_path: Path,
) -> None:
    async with event(tmp_path) as e:
        hall = e.cut
        rhian = await e.phone(hall, "Rhian")
        guests = [await e.phone(hall, name) for name in ("Siân", "Dewi", "Elin", "Ffion")]
        e.host.send_now(
            command("set_role", participant_id=participant(rhian), role="cell_host"), "r"
        )
        await e.host.wait_for(lambda c: "r" in c.acked, WITHIN_S)
        await until(lambda: _role_in_hall(hall, rhian))
        await e.cut_off(rhian)

        tables = []  # the hall sets out two tables and seats its people, offline
        for name in ("Window table", "Door table"):
            rhian.send_now({"type": "create_group", "name": name, "cell_id": "venue-1"}, name)
            await rhian.wait_for(lambda c: name in c.kept or c.rejected, WITHIN_S)  # type: ignore[attr-defined]  # noqa: B023
            tables.append(f"g{await _seq_of(hall, rhian, 'group_created')}")
        for n, guest in enumerate(guests):
            move = command("move_participant", participant_id=participant(guest))
            rhian.send_now({**move, "group_id": tables[n % 2]}, f"move-{n}")
        timer = command("start_timer", duration_s=600, cell_id="venue-1")
        rhian.send_now(timer, "hall-timer")
        rhian.send_now(command("start_hall_round", cell_id="venue-1"), "hall-round")
        await rhian.wait_for(
            lambda c: "hall-round" in c.kept or c.rejected,  # type: ignore[attr-defined]
            WITHIN_S,
        )
        assert not rhian.rejected, rhian.rejected

        for guest in guests:  # every phone in the hall hears of both at once
            await guest.wait_for(
                lambda c: (
                    {"venue_timer_set", "hall_round_started"} <= {x["type"] for x in c.events}
                ),
                WITHIN_S,
            )
        in_hall = await hall_state(hall, guests[0])
        hall_timer = in_hall["venue_timers"]["venue-1"]
        assert hall_timer["running"] and in_hall["timer"] is None  # the hall's, not a phase's
        seated = _seating(in_hall, guests)
        assert set(seated.values()) == {"Window table", "Door table"}

        e.proxy.restore()
        for client in (rhian, *guests):
            await client.wait_for(lambda c: not c.outbox, WITHIN_S)
        assert len(events_of(e.server, e.sid, "venue_timer_set")) == 1  # once each
        (hall_round,) = events_of(e.server, e.sid, "hall_round_started")
        assert hall_round[0] == participant(rhian)
        there = await _server_state(e)
        assert _seating(there, guests) == seated  # the server seats the hall as the hall saw it
        sent = _forwarded(hall, "hall-round")  # with the hall's seating, not a fresh mix
        names = {g["id"]: g["name"] for g in there["groups"]}
        assert {p: names[g] for p, g in sent["seats"].items() if p in seated} == seated
        server_timer = there["venue_timers"]["venue-1"]
        # it ends when the hall's did (forwarded later, it is not given that time again)
        assert server_timer["running"] and server_timer["ends_at"] <= hall_timer["ends_at"]

        async def hall_as_server() -> bool:  # the hall, rebased on the server's log
            seen = await hall_state(hall, guests[0])
            return _seating(seen, guests) == seated and "venue-1" in seen["venue_timers"]

        await until(hall_as_server)


def _forwarded(hall: RelayProcess, command_id: str) -> dict[str, Any]:
    """The command as the laptop forwarded it (its outbox, on disk)."""
    conn = sqlite3.connect(f"file:{hall.data_dir / 'relay.db'}?mode=ro", uri=True)
    try:
        (body,) = conn.execute(
            "SELECT command FROM outbox WHERE command_id = ?", (command_id,)
        ).fetchone()
    finally:
        conn.close()
    found: dict[str, Any] = json.loads(body)
    return found


def _seating(state: dict[str, Any], clients: list[OutboxClient]) -> dict[str, str | None]:
    """Where each of these phones' people sits, by table name (ids differ by place)."""
    names = {g["id"]: g["name"] for g in state["groups"]}
    ids = {participant(c) for c in clients}
    return {p["id"]: names.get(p["group_id"]) for p in state["participants"] if p["id"] in ids}


async def _server_state(e: Event) -> dict[str, Any]:
    """The session as the server shows the lead host now (its snapshot)."""
    async with httpx.AsyncClient() as http:
        answer = await http.get(
            f"http://127.0.0.1:{e.server.port}/api/sessions/{e.sid}/snapshot",
            headers={"Authorization": f"Bearer {e.host.token}"},
        )
    answer.raise_for_status()
    state: dict[str, Any] = answer.json()["state"]
    return state
