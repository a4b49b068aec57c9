"""A room participant and a remote participant share one live session."""

from __future__ import annotations

from tests.harness import Person, Server


async def test_room_and_remote_participants_see_each_others_notes(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    phase = (await host.snapshot())["phases"][0]["id"]
    assert (
        await host.send({"type": "open_phase", "phase_id": phase, "seat": False, "timer": False})
    )["type"] == "ack"

    room = await Person.join(server, links.room_url, "Rhian")
    remote = await Person.join(server, links.remote_url, "Dewi")
    await room.connect()
    await remote.connect()

    ack = await room.send({"type": "post_contribution", "kind": "note", "text": "Bus at 9"})
    assert ack["type"] == "ack"
    await remote.send({"type": "post_contribution", "kind": "note", "text": "Lifts please"})

    def texts(p: Person) -> list[str]:
        return [e["data"]["text"] for e in p.events_of("contribution_posted")]

    await room.wait_for(lambda p: "Lifts please" in texts(p))
    await remote.wait_for(lambda p: "Bus at 9" in texts(p))
    people = {p["name"]: p["where"] for p in (await host.snapshot())["participants"]}
    assert people["Rhian"] == "room" and people["Dewi"] == "remote"
