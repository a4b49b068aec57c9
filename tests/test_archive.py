"""`hostkit export --format archive` and `hostkit import`: a whole session moves from one
hostkit to another (a hall laptop to the organisation's server) with identical events and
links that keep working."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import pytest

from hostkit.sessions import SessionLinks, create_session, signer_for
from hostkit.store.base import EventStore, JoinCodeTaken, Photo, WholeSession
from hostkit.store.sqlite import DB_NAME, SqliteStore
from hostkit.store.url import store_for
from tests.harness import Person, Server, note, open_first_phase, running_server
from tests.reliability.process import ServerProcess
from tests.security.support import jpeg
from tests.security.test_photos import upload
from tests.test_cli import hostkit


@dataclass
class Hall:
    """A session run on a hall laptop: its links, a participant's token, a photo's id."""

    data: Path
    public_url: str
    links: SessionLinks
    rhian_token: str
    photo_id: str


async def run_in_a_hall(data: Path) -> Hall:
    """A World Café on a laptop: a phase opened, Rhian joins, posts a note and a photo,
    withdraws a draft."""
    async with running_server(data) as hall:
        links = await hall.new_session("world-cafe", title="Village <hall> & café")
        host = Person.from_link(hall, links.host_url)
        await host.connect()
        opened = {"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False}
        assert (await host.send(opened))["type"] == "ack"
        rhian = await Person.join(hall, links.room_url, "Rhian")
        await rhian.connect()
        assert (await rhian.send(note("Bus to the hall on Sundays")))["type"] == "ack"
        photo_id = (await upload(rhian, jpeg((200, 100)))).json()["photo_id"]
        flipchart = {"type": "post_contribution", "kind": "photo", "text": "Flipchart"}
        assert (await rhian.send({**flipchart, "photo_id": photo_id}))["type"] == "ack"
        draft = await rhian.send(note("Draft I take back"))
        withdraw = {"type": "withdraw_contribution", "contribution_id": f"c{draft['seq']}"}
        assert (await rhian.send(withdraw))["type"] == "ack", draft
        await rhian.disconnect()
        await host.disconnect()
        return Hall(data, hall.public_url, links, rhian.token, photo_id)


async def export(data: Path, session_id: str, out: Path) -> None:
    code, _, err = await hostkit(
        "export", "--data", str(data), "--format", "archive", "--out", str(out), session_id
    )
    assert code == 0, err
    assert "keep it private" in err


async def exported_hall(tmp_path: Path) -> tuple[Hall, Path]:
    """A session run on a laptop, and its archive."""
    hall = await run_in_a_hall(tmp_path / "laptop")
    archive = tmp_path / "hall.hostkit.zip"
    await export(hall.data, hall.links.session_id, archive)
    return hall, archive


async def content(store: EventStore, session_id: str, photo_ids: list[str]) -> object:
    """What a session is in a store: its row, its log (seq and payload bytes), its photos."""
    row = next(s for s in await store.list_sessions() if s[0] == session_id)
    log = [
        (e.seq, e.type, e.at, e.actor, e.command_id, e.body.encode())
        for e in await store.read(session_id)
    ]
    photos = {p: await store.get_photo(session_id, p) for p in photo_ids}
    return row, log, photos


async def opened(url: str) -> EventStore:
    store = store_for(url)
    await store.open()
    return store


async def same_session(source: Path, target_url: str, hall: Hall) -> None:
    before, after = await opened(f"sqlite://{source}"), await opened(target_url)
    try:
        sid = hall.links.session_id
        theirs = await content(before, sid, [hall.photo_id])
        assert await content(after, sid, [hall.photo_id]) == theirs
        assert await after.get_photo(sid, hall.photo_id) is not None
    finally:
        await before.close()
        await after.close()


async def links_work(server: Server, hall: Hall) -> None:
    """The links people were sent in the hall open the imported session on this server."""
    sid = hall.links.session_id
    host = Person.from_link(server, hall.links.host_url.replace(hall.public_url, server.url))
    assert (await host.connect())["participant_id"]
    texts = [c["text"] for c in (await host.snapshot())["contributions"] if c.get("text")]
    assert "Bus to the hall on Sundays" in texts and "Flipchart" in texts
    assert "Draft I take back" not in texts
    rhian = Person(server, sid, hall.rhian_token)  # her phone's token from the hall
    await rhian.connect()
    assert (await rhian.send(note("Written after the move")))["type"] == "ack"
    async with httpx.AsyncClient(base_url=server.url) as http:
        served = await http.get(f"/s/{sid}/photos/{hall.photo_id}", headers=rhian.headers)
    assert served.status_code == 200 and served.content[:2] == b"\xff\xd8"
    dewi = await Person.join(
        server, hall.links.room_url.replace(hall.public_url, server.public_url), "Dewi"
    )
    await dewi.connect()
    assert (await dewi.send(note("Joined on the organisation's server")))["type"] == "ack"
    for person in (dewi, rhian, host):
        await person.disconnect()


async def test_an_archive_moves_a_session_into_a_fresh_data_directory(tmp_path: Path) -> None:
    hall, archive = await exported_hall(tmp_path)
    with zipfile.ZipFile(archive) as z:
        assert b"Draft I take back" not in z.read("events.jsonl")  # withdrawn: never carried
        assert json.loads(z.read("manifest.json"))["version"] == 1

    target = tmp_path / "office"
    code, out, err = await hostkit(
        "import", "--data", str(target), "--public-url", hall.public_url, str(archive)
    )
    assert code == 0, err
    assert hall.links.host_url in out  # the very link the host already has
    await same_session(hall.data, f"sqlite://{target}", hall)
    code, out, err = await hostkit("check", "--data", str(target))
    assert code == 0 and out.startswith("ok:"), out + err
    async with SqliteStore(target / DB_NAME) as store:  # what a server starting here signs with
        claim = (await signer_for(store)).read_participant_token(hall.rhian_token)
    assert claim is not None and claim.session_id == hall.links.session_id
    office = ServerProcess(target)  # a real `hostkit serve` on the imported data directory
    try:
        await office.start()
        await links_work(office.as_server(), hall)
    finally:
        office.stop()


async def test_an_archive_moves_a_session_into_postgresql_beside_its_own_sessions(
    pg_url: str, tmp_path: Path
) -> None:
    hall, archive = await exported_hall(tmp_path)
    office = ServerProcess(tmp_path / "unused", extra=("--store", pg_url))
    try:
        await office.start()
        code, out, err = await hostkit(
            "new", "--store", pg_url, "--title", "Theirs", "--format", "circle",
            "--licence", "CC0 1.0", "--public-url", office.public_url, "--json",
        )  # fmt: skip
        assert code == 0, err
        own = json.loads(out)  # the server has its own key and sessions
        code, out, err = await hostkit("import", "--store", pg_url, "--json", str(archive))
        assert code == 0, err
        printed = json.loads(out)
        assert printed["session_id"] == hall.links.session_id
        assert printed["host_url"].split("/s/")[1] == hall.links.host_url.split("/s/")[1]
        await same_session(hall.data, pg_url, hall)
        await links_work(office.as_server(), hall)  # imported while the server runs
        host = Person.from_link(office.as_server(), office.as_server().local(own["host_url"]))
        assert (await host.connect())["participant_id"]
        await host.disconnect()
    finally:
        office.stop()
    code, out, err = await hostkit("check", "--store", pg_url)
    assert code == 0 and out.startswith("ok:"), out + err


def files_in(data: Path) -> set[str]:
    """The files of a data directory (photos among them), but SQLite's passing WAL files."""
    return {
        str(p.relative_to(data))
        for p in data.rglob("*")
        if p.is_file() and not p.name.endswith(("-wal", "-shm"))
    }


async def test_importing_over_an_existing_session_is_refused_and_changes_nothing(
    tmp_path: Path,
) -> None:
    hall, archive = await exported_hall(tmp_path)
    async with running_server(hall.data) as laptop:
        host = Person.from_link(laptop, hall.links.host_url)
        await host.connect()
        assert (await host.send(note("Said after the export")))["type"] == "ack"
        await host.disconnect()
    async with SqliteStore(hall.data / DB_NAME) as store:
        before = await content(store, hall.links.session_id, [hall.photo_id])
        meta = await store.meta()
    files = files_in(hall.data)

    code, _, err = await hostkit("import", "--data", str(hall.data), str(archive))
    assert code == 1
    assert "already a session" in err and "--as-new" in err and "nothing was imported" in err
    async with SqliteStore(hall.data / DB_NAME) as store:
        assert await content(store, hall.links.session_id, [hall.photo_id]) == before
        assert await store.meta() == meta
        assert len(await store.list_sessions()) == 1
    assert files_in(hall.data) == files


async def test_as_new_imports_a_copy_with_its_own_id_code_and_links(tmp_path: Path) -> None:
    hall, archive = await exported_hall(tmp_path)
    code, out, err = await hostkit(
        "import", "--data", str(hall.data), "--as-new", "--public-url", hall.public_url,
        "--json", str(archive),
    )  # fmt: skip
    assert code == 0, err
    copy = json.loads(out)
    assert copy["session_id"] != hall.links.session_id
    assert copy["join_code"] != hall.links.join_code
    async with SqliteStore(hall.data / DB_NAME) as store:
        original = await store.read(hall.links.session_id)
        copied = await store.read(copy["session_id"])
        assert await store.get_photo(copy["session_id"], hall.photo_id) is not None
    assert [(e.seq, e.body) for e in copied[1:]] == [(e.seq, e.body) for e in original[1:]]
    assert hall.links.join_code in original[0].body and copy["join_code"] in copied[0].body

    async with running_server(hall.data) as laptop:
        host = Person.from_link(laptop, copy["host_url"].replace(hall.public_url, laptop.url))
        await host.connect()
        texts = [c["text"] for c in (await host.snapshot())["contributions"] if c.get("text")]
        assert "Bus to the hall on Sundays" in texts
        assert (await host.send(note("Only in the copy")))["type"] == "ack"
        await host.disconnect()
        # the old links still open the original, which the copy leaves alone
        old = Person.from_link(laptop, hall.links.host_url.replace(hall.public_url, laptop.url))
        await old.connect()
        texts = [c["text"] for c in (await old.snapshot())["contributions"] if c.get("text")]
        assert "Only in the copy" not in texts
        await old.disconnect()
        async with httpx.AsyncClient(base_url=laptop.url) as http:
            theirs = await http.get(
                f"/api/sessions/{copy['session_id']}/snapshot",
                headers={"Authorization": f"Bearer {hall.rhian_token}"},
            )
        assert theirs.status_code in (401, 403)  # a token of the original is not the copy's


def rewritten(archive: Path, change: dict[str, bytes | None]) -> bytes:
    """The archive with some entries replaced (None: left out), as a valid zip."""
    out = io.BytesIO()
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = change.get(name, source.read(name))
            if data is not None:
                target.writestr(name, data)
    return out.getvalue()


def damaged(archive: Path, how: str) -> bytes:
    data = archive.read_bytes()
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
        lines = z.read("events.jsonl").splitlines(keepends=True)
    if how == "cut short":
        return data[: len(data) // 2]
    if how == "not a zip":
        return b"Minutes of the parish council meeting\n"
    if how == "foreign zip":
        return rewritten(archive, {"manifest.json": None})
    if how == "newer version":
        return rewritten(
            archive, {"manifest.json": json.dumps({**manifest, "version": 2}).encode()}
        )
    if how == "an event altered":
        altered = [line.replace(b"Flipchart", b"Flipchurt") for line in lines]
        assert altered != lines
        return rewritten(archive, {"events.jsonl": b"".join(altered)})
    if how == "an event lost, hash updated":
        kept = b"".join(lines[:-1])
        events = {**manifest["events"], "sha256": hashlib.sha256(kept).hexdigest()}
        fixed = json.dumps({**manifest, "events": events}).encode()
        return rewritten(archive, {"events.jsonl": kept, "manifest.json": fixed})
    if how == "a photo altered":
        name = f"photos/{manifest['photos'][0]['id']}.jpg"
        return rewritten(archive, {name: jpeg((10, 10))})
    assert how == "a flipped byte"
    middle = data.index(b"events.jsonl") + 200  # inside the compressed log
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


CORRUPTIONS = {
    "cut short": "damaged or cut short",
    "not a zip": "not a readable hostkit session archive",
    "foreign zip": "has no manifest.json",
    "newer version": "newer than this hostkit reads",
    "an event altered": "does not match its hash",
    "an event lost, hash updated": "manifest says otherwise",
    "a photo altered": "does not match its hash",
    "a flipped byte": "not a readable hostkit session archive",
}


async def test_a_damaged_or_foreign_file_is_refused_and_nothing_is_written(
    tmp_path: Path, pg_url: str
) -> None:
    _, archive = await exported_hall(tmp_path)
    for how, said in CORRUPTIONS.items():
        bad = tmp_path / f"{how}.zip"
        bad.write_bytes(damaged(archive, how))
        target = tmp_path / f"office {how}"
        code, _, err = await hostkit("import", "--data", str(target), str(bad))
        assert code == 1 and said in err and "nothing was imported" in err, (how, err)
        assert not target.exists(), how
        code, _, err = await hostkit("import", "--store", pg_url, str(bad))
        assert code == 1 and said in err, (how, err)
    store = await opened(pg_url)
    try:
        assert await store.list_sessions() == []
    finally:
        await store.close()


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
async def test_an_import_the_store_refuses_leaves_no_row_photo_or_key(
    engine: str, tmp_path: Path, pg_url: str
) -> None:
    """The store's own transaction: a join code taken between the check and the write."""
    url = f"sqlite://{tmp_path / 'office'}" if engine == "sqlite" else pg_url
    store = await opened(url)
    try:
        theirs = await create_session(
            store, base="http://office.test", title="Theirs", format_id="circle"
        )
        log = await store.read(theirs.session_id)
        moved = [replace(e, session_id="hallSession0001") for e in log]
        whole = WholeSession(
            "hallSession0001",
            theirs.join_code,
            1.0,
            moved,
            {"photo0000000000000000": Photo("someone", jpeg())},
            "k" * 43 + "=",
        )
        with pytest.raises(JoinCodeTaken):
            await store.import_session(whole)
        assert not await store.session_exists("hallSession0001")
        assert await store.get_photo("hallSession0001", "photo0000000000000000") is None
        assert await store.get_meta("session_key:hallSession0001") is None
    finally:
        await store.close()
    if engine == "sqlite":
        assert not (tmp_path / "office" / "photos" / "hallSession0001").exists() or not any(
            (tmp_path / "office" / "photos" / "hallSession0001").iterdir()
        )


async def test_a_session_whose_id_starts_with_a_dash_moves_too(tmp_path: Path) -> None:
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    async with SqliteStore(laptop / DB_NAME) as store:
        made = await create_session(
            store, base="http://hall.test", title="Dash", format_id="circle"
        )
        log = await store.read(made.session_id)
        await store.delete_session(made.session_id)
        dashed = "-" + made.session_id[1:]
        await store.create_session(
            dashed,
            made.join_code,
            log[0].at,
            [replace(e, session_id=dashed) for e in log],
        )
    archive = tmp_path / "dash.zip"
    code, _, err = await hostkit(
        "export", dashed, "--data", str(laptop), "--format", "archive", "--out", str(archive)
    )
    assert code == 0, err
    code, out, err = await hostkit(
        "import", "--data", str(tmp_path / "office"), "--json", str(archive)
    )
    assert code == 0, err
    assert json.loads(out)["session_id"] == dashed
    async with (
        SqliteStore(laptop / DB_NAME) as before,
        SqliteStore(tmp_path / "office" / DB_NAME) as after,
    ):
        assert await after.read(dashed) == await before.read(dashed)


async def test_words_a_crash_left_unerased_never_travel_in_an_archive(tmp_path: Path) -> None:
    """A withdrawal stored, then the server died before overwriting the words: the export
    carries the log as the erase would have left it."""
    laptop = tmp_path / "laptop"
    async with running_server(laptop) as hall:
        links = await hall.new_session("world-cafe")
        host = await open_first_phase(hall, links)
        rhian = await Person.join(hall, links.room_url, "Rhian")
        await rhian.connect()
        posted = await rhian.send(note("My neighbour's diagnosis"))
        async with SqliteStore(laptop / DB_NAME) as store:
            said = (await store.read(links.session_id, after=posted["seq"] - 1, limit=1))[0]
        withdraw = {"type": "withdraw_contribution", "contribution_id": f"c{posted['seq']}"}
        assert (await rhian.send(withdraw))["type"] == "ack"
        await rhian.disconnect()
        await host.disconnect()
    async with SqliteStore(laptop / DB_NAME) as store:
        erased = await store.read(links.session_id)
        await store.redact(links.session_id, {said.seq: said.body})  # as if never erased
    archive = tmp_path / "hall.zip"
    await export(laptop, links.session_id, archive)
    with zipfile.ZipFile(archive) as z:
        lines = z.read("events.jsonl")
    assert b"diagnosis" not in lines
    carried = [json.loads(line)["body"] for line in lines.splitlines()]
    assert carried == [e.body for e in erased]
