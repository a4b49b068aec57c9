"""A confidential phase is recorded for the live moment only: its words leave the disk.

While the phase is open its notes are stored like any other (so nobody's words are lost
to a dropped connection); once it closes, the words and photos are erased from the
database files, its WAL and the photo folder, and nobody who joins later receives them.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from hostkit.domain import events as ev
from hostkit.domain.events import encode_event
from hostkit.store.base import StoredEvent
from hostkit.store.sqlite import open_store
from tests.harness import Person, Server, running_server
from tests.security.support import jpeg, ok
from tests.security.test_deletion import on_disk

KEPT = "Kept from round one 3d9e"
SAID = "Council round words 5be1"
PHOTO_SAID = "A drawing of the circle 77aa"
LATER = "Kept from round three 8c2f"


async def confidential_round(server: Server) -> tuple[Person, Person, str]:
    """Round 1 on the record, Round 2 confidential (a note and a photo said in it)."""
    links = await server.new_session("world-cafe", title="Council circle")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False}))
    ffion = await Person.join(server, links.remote_url, "Ffion")
    await ffion.connect()
    await ok(ffion.send({"type": "post_contribution", "kind": "note", "text": KEPT}))
    await ok(
        host.send(
            {"type": "set_phase_attribution", "phase_id": "p3", "attribution": "confidential"}
        )
    )
    await ok(host.send({"type": "open_phase", "phase_id": "p3", "seat": False, "timer": False}))
    await ok(ffion.send({"type": "post_contribution", "kind": "note", "text": SAID}))
    async with httpx.AsyncClient(base_url=server.url) as http:
        uploaded = await http.post(
            f"/s/{host.session_id}/photos",
            files={"photo": ("p.jpg", jpeg())},
            headers=ffion.headers,
        )
    assert uploaded.status_code == 200
    photo_id = uploaded.json()["photo_id"]
    await ok(
        ffion.send(
            {"type": "post_contribution", "kind": "photo", "text": PHOTO_SAID, "photo_id": photo_id}
        )
    )
    return host, ffion, photo_id


def photo_file(server: Server, session_id: str, photo_id: str) -> Path:
    return server.data_dir / "photos" / session_id / f"{photo_id}.jpg"


async def test_the_words_stay_for_the_live_moment_and_leave_the_disk_when_it_closes(
    server: Server,
) -> None:
    host, ffion, photo_id = await confidential_round(server)
    # during the round, the words are on disk (a phone that drops must not lose them)
    assert SAID.encode() in on_disk(server.data_dir)
    assert photo_file(server, host.session_id, photo_id).exists()
    live = [c["text"] for c in (await host.snapshot())["contributions"]]
    assert SAID in live

    await ok(
        host.send({"type": "open_phase", "phase_id": "p4", "seat": False, "timer": False})
    )  # closes the round
    await ok(ffion.send({"type": "post_contribution", "kind": "note", "text": LATER}))

    raw = on_disk(server.data_dir)  # the database, its WAL and shared memory, photos
    assert SAID.encode() not in raw
    assert PHOTO_SAID.encode() not in raw
    assert not photo_file(server, host.session_id, photo_id).exists()
    assert KEPT.encode() in raw and LATER.encode() in raw  # only that phase's words
    texts = [c["text"] for c in (await host.snapshot())["contributions"]]
    assert texts == [KEPT, LATER]


async def test_someone_joining_after_the_round_never_receives_its_words(server: Server) -> None:
    host, _, photo_id = await confidential_round(server)
    await ok(host.send({"type": "close_phase", "phase_id": "p3"}))
    join_code = (await host.snapshot())["session"]["join_code"]
    latecomer = await Person.join(server, f"{server.url}/j/{join_code}/room", "Late")

    snapshot = await latecomer.snapshot()
    assert [c["text"] for c in snapshot["contributions"]] == [KEPT]
    async with httpx.AsyncClient(base_url=server.url) as http:
        replay = await http.get(
            f"/api/sessions/{host.session_id}/events",
            params={"after": 0},
            headers=latecomer.headers,
        )
        photo = await http.get(f"/s/{host.session_id}/photos/{photo_id}", headers=latecomer.headers)
    assert replay.status_code == 200 and KEPT in replay.text
    assert SAID not in replay.text and PHOTO_SAID not in replay.text and photo_id not in replay.text
    assert photo.status_code == 404
    await latecomer.connect(last_seq=0)
    await latecomer.wait_for(lambda p: p.events_of("phase_closed"))
    posted = [e["data"]["text"] for e in latecomer.events_of("contribution_posted")]
    assert posted == [KEPT, "", ""]


async def test_a_round_open_when_the_server_stopped_is_erased_when_it_closes_after(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    async with running_server(data) as server:
        host, _, photo_id = await confidential_round(server)
        session_id = host.session_id
    assert SAID.encode() in on_disk(data)  # stopped mid-round: the words wait for the close

    async with running_server(data) as server:
        host = Person(server, session_id, host.token)
        await host.connect()
        await ok(host.send({"type": "close_phase", "phase_id": "p3"}))
        raw = on_disk(data)
        assert SAID.encode() not in raw and PHOTO_SAID.encode() not in raw
        assert KEPT.encode() in raw
        assert not photo_file(server, session_id, photo_id).exists()


async def test_a_close_stored_just_before_a_crash_is_erased_when_the_session_loads(
    tmp_path: Path,
) -> None:
    """The close was durable but the server died before erasing: the next load erases."""
    data = tmp_path / "data"
    async with running_server(data) as server:
        host, _, photo_id = await confidential_round(server)
        session_id = host.session_id
    store = open_store(data)  # what a crash right after the close's commit leaves on disk
    await store.open()
    try:
        head = await store.head(session_id)
        closed = StoredEvent(
            session_id=session_id,
            seq=head + 1,
            type="phase_closed",
            at=0.0,
            actor=None,
            command_id=None,
            body=encode_event(ev.PhaseClosed("p3")),
        )
        await store.append([closed])
    finally:
        await store.close()
    assert SAID.encode() in on_disk(data)

    async with running_server(data) as server:
        host = Person(server, session_id, host.token)
        snapshot = await host.snapshot()  # the first use of the session loads it
        assert [c["text"] for c in snapshot["contributions"]] == [KEPT]
        raw = on_disk(data)
        assert SAID.encode() not in raw and PHOTO_SAID.encode() not in raw
        assert KEPT.encode() in raw
        assert not photo_file(server, session_id, photo_id).exists()
