"""`hostkit migrate`: an SQLite data directory moves into PostgreSQL and nothing breaks."""

from __future__ import annotations

from pathlib import Path

import httpx

from hostkit.store.postgresql import PostgresStore
from hostkit.store.sqlite import DB_NAME, SqliteStore
from tests.harness import Person, running_server
from tests.security.support import jpeg
from tests.security.test_photos import upload
from tests.test_cli import hostkit


async def test_migration_keeps_every_event_seq_photo_and_working_link(
    pg_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "hall"
    async with running_server(data) as hall:
        links = [await hall.new_session("world-cafe"), await hall.new_session("circle")]
        host = Person.from_link(hall, links[0].host_url)
        await host.connect()
        assert (await host.send({"type": "open_phase", "phase_id": "p1"}))["type"] == "ack"
        assert (await host.send({"type": "set_retention", "days": 30}))["type"] == "ack"
        rhian = await Person.join(hall, links[0].room_url, "Rhian")
        await rhian.connect()
        photo_id = (await upload(rhian, jpeg((200, 100)))).json()["photo_id"]
        note = {"type": "post_contribution", "kind": "photo", "text": "Flipchart"}
        assert (await rhian.send({**note, "photo_id": photo_id}))["type"] == "ack"
        await rhian.disconnect()
        await host.disconnect()

    code, out, err = await hostkit("migrate", "--from", str(data), "--to", pg_url)
    assert code == 0, err
    assert "Moved 2 session(s)" in out and "1 photos" in out

    async with SqliteStore(data / DB_NAME) as before, PostgresStore(pg_url) as after:
        assert await after.list_sessions() == await before.list_sessions()
        for session_id, _, _ in await before.list_sessions():
            assert await after.read(session_id) == await before.read(session_id)
        assert await after.get_photo(links[0].session_id, photo_id) == await before.get_photo(
            links[0].session_id, photo_id
        )
        for key, value in (await before.meta()).items():
            assert await after.get_meta(key) == value

    code, out, err = await hostkit("check", "--store", pg_url)
    assert code == 0 and out.startswith("ok:"), out + err
    code, out, _ = await hostkit("migrate", "--from", str(data), "--to", pg_url)
    assert code == 0 and "2 already there" in out  # run again: nothing doubled

    # the links people were sent before the move open the same session on PostgreSQL
    async with running_server(tmp_path / "unused", store=pg_url) as moved:
        old = links[0].host_url.replace(hall.public_url, moved.public_url)
        host = Person.from_link(moved, old)
        welcome = await host.connect()
        assert welcome["participant_id"]
        state = await host.snapshot()
        assert [c["text"] for c in state["contributions"]] == ["Flipchart"]
        async with httpx.AsyncClient(base_url=moved.url) as http:
            served = await http.get(
                f"/s/{links[0].session_id}/photos/{photo_id}", headers=host.headers
            )
        assert served.status_code == 200 and served.content[:2] == b"\xff\xd8"
        joined = await Person.join(
            moved, links[1].room_url.replace(hall.public_url, moved.public_url), "Dewi"
        )
        await joined.connect()
        await joined.disconnect()
        await host.disconnect()


async def test_migration_into_a_database_of_another_hostkit_is_refused(
    pg_url: str, tmp_path: Path
) -> None:
    async with running_server(tmp_path / "one") as one:
        await one.new_session("circle")
    async with running_server(tmp_path / "two") as two:
        await two.new_session("circle")
    assert (await hostkit("migrate", "--from", str(tmp_path / "one"), "--to", pg_url))[0] == 0
    code, _, err = await hostkit("migrate", "--from", str(tmp_path / "two"), "--to", pg_url)
    assert code == 1 and "belongs to another hostkit" in err
