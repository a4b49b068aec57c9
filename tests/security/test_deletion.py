"""Privacy: withdrawing, deleting a session and purging old ones really remove the data."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from pathlib import Path

import httpx

from hostkit.server.hosting import purge
from hostkit.sessions import create_session
from hostkit.store.sqlite import open_store
from tests.harness import Person, Server
from tests.security.support import csrf_for, jpeg, ok

SECRET_NOTE = "Zebra crossing by the old mill 7f3a"
SECRET_NAME = "Ottoline Quibble"


def on_disk(data_dir: Path) -> bytes:
    """Every byte hostkit has written: the database, its WAL and shared memory, photos."""
    return b"".join(p.read_bytes() for p in sorted(data_dir.rglob("*")) if p.is_file())


async def session_with_secrets(server: Server) -> tuple[Person, Person, str]:
    links = await server.new_session("world-cafe", title="Mill conversation")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host.send({"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False}))
    ottoline = await Person.join(server, links.remote_url, SECRET_NAME)
    await ottoline.connect()
    await ok(ottoline.send({"type": "post_contribution", "kind": "note", "text": SECRET_NOTE}))
    async with httpx.AsyncClient(base_url=server.url) as http:
        uploaded = await http.post(
            f"/s/{host.session_id}/photos",
            files={"photo": ("p.jpg", jpeg())},
            headers=ottoline.headers,
        )
    assert uploaded.status_code == 200
    return host, ottoline, links.join_code


async def test_a_deleted_session_is_gone_from_the_files_on_disk(server: Server) -> None:
    other = await server.new_session("circle", title="Another village")
    host, ottoline, join_code = await session_with_secrets(server)
    assert SECRET_NOTE.encode() in on_disk(server.data_dir)
    assert SECRET_NAME.encode() in on_disk(server.data_dir)

    cookies = {f"hk_{host.session_id}": host.token}
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as http:
        answer = await http.post(
            f"/s/{host.session_id}/host/delete",
            data={"csrf": csrf_for(server, host), "confirm": join_code.lower()},
        )
        assert answer.status_code == 200 and "deleted" in answer.text
        assert (await http.get(f"/s/{host.session_id}")).status_code == 404
        assert (await http.get(f"/j/{join_code}/room")).status_code == 404

    assert ottoline._reader is not None
    await ottoline._reader
    assert ottoline.ws.close_code == 4410  # told, not left hanging
    raw = on_disk(server.data_dir)
    assert SECRET_NOTE.encode() not in raw
    assert SECRET_NAME.encode() not in raw
    assert b"Mill conversation" not in raw
    assert not (server.data_dir / "photos" / host.session_id).exists()
    # the other session is untouched
    survivor = await Person.join(server, other.room_url, "Still here")
    assert (await survivor.snapshot())["session"]["title"] == "Another village"


async def test_deleting_needs_the_join_code_typed_to_confirm(server: Server) -> None:
    host, _, _ = await session_with_secrets(server)
    cookies = {f"hk_{host.session_id}": host.token}
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as http:
        answer = await http.post(
            f"/s/{host.session_id}/host/delete",
            data={"csrf": csrf_for(server, host), "confirm": "oops"},
        )
    assert answer.status_code == 422 and "join code" in answer.text
    assert SECRET_NOTE.encode() in on_disk(server.data_dir)
    assert any(c["text"] == SECRET_NOTE for c in (await host.snapshot())["contributions"])


async def test_a_participant_withdraws_everything_they_said(server: Server) -> None:
    host, ottoline, _ = await session_with_secrets(server)
    await ok(ottoline.send({"type": "post_contribution", "kind": "question", "text": "Why?"}))
    await ok(host.send({"type": "post_contribution", "kind": "note", "text": "Host note"}))

    await ok(ottoline.send({"type": "withdraw_all"}))

    texts = [c["text"] for c in (await host.snapshot())["contributions"]]
    assert texts == ["Host note"]
    cookies = {f"hk_{host.session_id}": host.token}
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as http:
        console = await http.get(f"/s/{host.session_id}/host/harvest")
    assert SECRET_NOTE not in console.text and "Host note" in console.text
    again = await ottoline.send({"type": "withdraw_all"})
    assert again["code"] == "nothing_to_withdraw"


async def test_purge_deletes_sessions_idle_past_the_retention_period(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = open_store(data)
    await store.open()
    try:
        long_ago = time.time() - 120 * 86400
        old = await create_session(
            store,
            base="http://hall.test",
            title="Forgotten 1999",
            format_id="circle",
            clock=long_ago,
        )
        fresh = await create_session(
            store, base="http://hall.test", title="Last week", format_id="circle"
        )
    finally:
        await store.close()
    assert b"Forgotten 1999" in on_disk(data)

    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "hostkit", "purge", "--data", str(data), "--days", "90"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert f"deleted session {old.session_id}" in done.stdout
    assert fresh.session_id not in done.stdout
    assert b"Forgotten 1999" not in on_disk(data)
    assert b"Last week" in on_disk(data)


async def test_withdrawn_and_hidden_words_are_not_replayed_to_anyone(server: Server) -> None:
    host, ottoline, _ = await session_with_secrets(server)
    hidden = await ok(
        ottoline.send({"type": "post_contribution", "kind": "note", "text": "Rude remark 42"})
    )
    await ok(host.send({"type": "hide_contribution", "contribution_id": f"c{hidden['seq']}"}))
    await ok(ottoline.send({"type": "withdraw_all"}))
    latecomer = await Person.join(
        server, f"{server.url}/j/{(await host.snapshot())['session']['join_code']}/room", "Late"
    )

    async with httpx.AsyncClient() as http:
        replay = await http.get(
            f"{server.url}/api/sessions/{host.session_id}/events",
            params={"after": 0},
            headers=latecomer.headers,
        )
    assert replay.status_code == 200
    assert "contribution_posted" in replay.text  # the events are there ...
    assert (
        SECRET_NOTE not in replay.text and "Rude remark 42" not in replay.text
    )  # ... not the words
    await latecomer.connect(last_seq=0)
    await latecomer.wait_for(lambda p: p.events_of("contribution_withdrawn"))
    posted = [e["data"]["text"] for e in latecomer.events_of("contribution_posted")]
    assert posted and set(posted) == {""}


async def test_withdrawn_words_are_erased_from_the_files_on_disk(server: Server) -> None:
    host, ottoline, _ = await session_with_secrets(server)
    await ok(ottoline.send({"type": "post_contribution", "kind": "note", "text": "Keep me 9c1"}))
    assert SECRET_NOTE.encode() in on_disk(server.data_dir)

    mine = next(c for c in (await host.snapshot())["contributions"] if c["text"] == SECRET_NOTE)
    await ok(ottoline.send({"type": "withdraw_contribution", "contribution_id": mine["id"]}))

    raw = on_disk(server.data_dir)
    assert SECRET_NOTE.encode() not in raw
    assert b"Keep me 9c1" in raw  # only what was withdrawn
    texts = [c["text"] for c in (await host.snapshot())["contributions"]]
    assert texts == ["Keep me 9c1"]


async def test_a_hosts_retention_period_is_what_purge_honours(server: Server) -> None:
    """A host keeps one session a week and another a year; the server default is 90 days."""
    week = await server.new_session("circle", title="Kept a week")
    year = await server.new_session("circle", title="Kept a year")
    plain = await server.new_session("circle", title="Kept the default")
    host = Person.from_link(server, week.host_url)
    cookies = {f"hk_{host.session_id}": host.token}
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as http:
        form = {
            "csrf": csrf_for(server, host),
            "type": "set_retention",
            "days": "7",
            "back": "host",
        }
        answer = await http.post(f"/s/{host.session_id}/act", data=form)
    assert answer.status_code == 303 and "Done" in answer.headers["location"]
    other = Person.from_link(server, year.host_url)
    await other.connect()
    await ok(other.send({"type": "set_retention", "days": 365}))
    refused = await other.send({"type": "set_retention", "days": 0})
    assert refused["code"] == "invalid_value"
    participant = await Person.join(server, year.room_url, "Ifor")
    await participant.connect()
    assert (await participant.send({"type": "set_retention", "days": 1}))["code"] == "not_allowed"

    store = open_store(server.data_dir)
    await store.open()
    try:
        ten_days_on = await purge(store, days=90, now=time.time() + 10 * 86400)
        assert ten_days_on == [week.session_id]
        later = await purge(store, days=90, now=time.time() + 120 * 86400)
        assert later == [plain.session_id]  # past 90 days, but the year-long one stays
    finally:
        await store.close()
    assert b"Kept a week" not in on_disk(server.data_dir)
    assert b"Kept a year" in on_disk(server.data_dir)
