"""A real uvicorn on PostgreSQL: a session lives in the database, not in one process."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.harness import Person, running_server
from tests.security.support import jpeg
from tests.security.test_photos import upload


def texts(p: Person) -> list[str]:
    return [e["data"]["text"] for e in p.events_of("contribution_posted")]


async def test_a_session_on_postgresql_is_served_by_every_node_with_its_links_and_photos(
    pg_url: str, tmp_path: Path
) -> None:
    async with running_server(tmp_path / "a", store=pg_url) as node_a:
        links = await node_a.new_session("world-cafe")
        host = Person.from_link(node_a, links.host_url)
        await host.connect()
        assert (await host.send({"type": "open_phase", "phase_id": "p1"}))["type"] == "ack"
        rhian = await Person.join(node_a, links.room_url, "Rhian")
        await rhian.connect()
        photo = await upload(rhian, jpeg((320, 240)))
        assert photo.status_code == 200, photo.text
        photo_id = photo.json()["photo_id"]
        posted = {"type": "post_contribution", "kind": "note", "text": "Bus at 9"}
        assert (await rhian.send(posted))["type"] == "ack"
        with_photo = {**posted, "kind": "photo", "text": "Our flipchart", "photo_id": photo_id}
        assert (await rhian.send(with_photo))["type"] == "ack"
        await host.wait_for(lambda p: "Our flipchart" in texts(p))
        seen = rhian.last_seq
        await rhian.disconnect()

        # a second node on the same database: same links, same signing keys, same photo
        async with running_server(tmp_path / "b", store=pg_url) as node_b:
            assert not (tmp_path / "b" / "photos").exists()
            remote_link = links.remote_url.replace(node_a.public_url, node_b.public_url)
            dewi = await Person.join(node_b, remote_link, "Dewi")
            await dewi.connect()
            await dewi.wait_for(lambda p: {"Bus at 9", "Our flipchart"} <= set(texts(p)))
            ack = await dewi.send({**posted, "text": "Lifts please"})
            assert ack["type"] == "ack"
            async with httpx.AsyncClient(base_url=node_b.url) as http:
                served = await http.get(
                    f"/s/{links.session_id}/photos/{photo_id}", headers=dewi.headers
                )
            assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"

            # Rhian's phone comes back on node B and gets exactly what she missed
            moved = Person(node_b, rhian.session_id, rhian.token, last_seq=seen)
            await moved.connect()
            await moved.wait_for(lambda p: "Lifts please" in texts(p))
            assert texts(moved) == ["Lifts please"]
            await moved.disconnect()
            await dewi.disconnect()

        # node A decides against the latest state: its next command follows node B's
        ack = await host.send({"type": "announce", "text": "Tea is ready"})
        assert ack["type"] == "ack" and ack["seq"] == ack_seq_after(await host.snapshot())
        await host.disconnect()


def ack_seq_after(state: dict[str, object]) -> int:
    seq = state["seq"]
    assert isinstance(seq, int)
    return seq
