"""The welcome's epoch: the same across restarts, new after a backup is restored, and a
hello from before the restore gets a snapshot rather than events its seqs no longer name."""

from __future__ import annotations

from pathlib import Path

from hostkit.store.sqlite import DB_NAME
from hostkit.store.sqlite_maintenance import backup as back_up
from hostkit.store.sqlite_maintenance import restore
from tests.harness import Person, running_server


def snapshots(person: Person) -> list[dict[str, object]]:
    return [m for m in person.inbox if m["type"] == "snapshot"]


async def test_a_restart_keeps_the_epoch_and_a_resume_gets_only_events(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running_server(data) as server:
        links = await server.new_session("circle")
        rhian = await Person.join(server, links.room_url, "Rhian")
        first = await rhian.connect()
        await rhian.disconnect()
    async with running_server(data) as server:
        again = Person(server, rhian.session_id, rhian.token)
        await Person.join(server, f"{server.public_url}/j/{links.join_code}/room", "Later")
        welcome = await again.connect(last_seq=first["head"], epoch=first["epoch"])
        assert welcome["epoch"] == first["epoch"] and len(welcome["epoch"]) >= 8
        await again.wait_for(lambda p: p.seen)
        assert not snapshots(again)
        assert again.seen[0]["seq"] == first["head"] + 1
        await again.disconnect()


async def test_after_a_restore_an_old_epoch_gets_a_snapshot(tmp_path: Path) -> None:
    data, backup = tmp_path / "data", tmp_path / "backup" / DB_NAME
    backup.parent.mkdir()
    async with running_server(data) as server:
        links = await server.new_session("circle")
        rhian = await Person.join(server, links.room_url, "Rhian")
        await back_up(data / DB_NAME, backup)
        for name in ("Later", "Later still"):  # lost by the restore
            await Person.join(server, links.room_url, name)
        before = await rhian.connect()
        await rhian.disconnect()
    restore(backup, data / DB_NAME)
    async with running_server(data) as server:
        for name in ("Other", "Others"):  # the same seqs again, other events
            await Person.join(server, f"{server.public_url}/j/{links.join_code}/room", name)
        again = Person(server, rhian.session_id, rhian.token)
        welcome = await again.connect(last_seq=before["head"], epoch=before["epoch"])
        assert welcome["epoch"] != before["epoch"]
        assert welcome["head"] == before["head"]  # seqs alone could not tell
        await again.wait_for(snapshots)
        names = {p["name"] for p in snapshots(again)[0]["state"]["participants"]}  # type: ignore[index]
        assert {"Other", "Others"} <= names and "Later" not in names
        await again.disconnect()
