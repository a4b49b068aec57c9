"""Venue links: a hall laptop acts for its own venue's people only, and can be revoked."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from hostkit.relay.link import read_venue_link
from tests.harness import Person, Server
from tests.security.support import join_as, ok, participant_id


async def laptops(server: Server) -> tuple[Person, Person, Person, dict[str, str]]:
    """The host (welcome open) and the two halls' laptops, connected."""
    links = await server.new_session("world-cafe", venues=("Hall A", "Hall B"))
    assert set(links.venue_links) == {"Hall A", "Hall B"}
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host.send({"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False}))
    hall_a, hall_b = (
        Person.from_link(server, server.local(links.venue_links[v])) for v in links.venue_links
    )
    for laptop in (hall_a, hall_b):
        assert (await laptop.connect())["role"] == "relay"
    return host, hall_a, hall_b, {"room": links.room_url, "remote": links.remote_url}


def joining(pid: str, name: str) -> dict[str, object]:
    return {"type": "join_hall", "participant_id": pid, "nonce": f"{pid}-nonce", "name": name}


async def test_a_laptop_joins_and_speaks_for_its_hall_and_no_one_else(server: Server) -> None:
    host, hall_a, hall_b, links = await laptops(server)
    ack = await ok(hall_a.send(joining("phone-of-rhian-in-a", "Rhian"), "join-phone-of-rhian"))
    await hall_a.ws.send(
        json.dumps(
            {
                "type": "command",
                "id": "join-phone-of-rhian",
                "command": joining("phone-of-rhian-in-a", "Rhian"),
            }
        )
    )
    replies = await hall_a.wait_for(
        lambda p: [m for m in p.inbox if m.get("id") == "join-phone-of-rhian"][1:]
    )
    assert replies[0]["duplicate"] and replies[0]["seq"] == ack["seq"]  # a retry applies once
    rhian = next(p for p in (await host.snapshot())["participants"] if p["name"] == "Rhian")
    assert (rhian["cell_id"], rhian["where"], rhian["role"]) == ("venue-1", "room", "participant")

    note = {"type": "post_contribution", "kind": "note", "text": "From hall A"}
    await ok(hall_a.send(note, on_behalf_of=rhian["id"]))
    refused = await hall_b.send(note, on_behalf_of=rhian["id"])  # not hall B's person
    assert (refused["type"], refused["code"]) == ("rejected", "not_allowed")
    at_home = await join_as(server, host, links["remote"], "participant", "Iolo")
    home_id = participant_id(server, at_home)
    refused = await hall_a.send(note, on_behalf_of=home_id)
    assert refused["code"] == "not_allowed"
    refused = await hall_a.send(note, on_behalf_of=(await host.connect())["participant_id"])
    assert refused["code"] == "not_allowed"  # never the host
    assert (await hall_a.send(note))["code"] == "not_allowed"  # a laptop never speaks itself

    await at_home.connect()
    as_rhian = await at_home.send(note, on_behalf_of=rhian["id"])
    assert as_rhian["code"] == "not_allowed"  # only a laptop speaks for someone
    backdated = {**note, "written_at": time.time() - 5}
    assert (await at_home.send(backdated))["code"] == "not_allowed"
    future = {**note, "written_at": time.time() + 3600}
    assert (await hall_a.send(future, on_behalf_of=rhian["id"]))["code"] == "written_in_future"
    texts = [c["text"] for c in (await host.snapshot())["contributions"]]
    assert texts == ["From hall A"]


async def test_a_revoked_venue_link_is_refused_and_its_laptop_let_go(server: Server) -> None:
    host, hall_a, _, _ = await laptops(server)
    laptop_id = hall_a.participant_id
    async with httpx.AsyncClient() as http:
        settings = await http.get(
            f"{server.url}/s/{host.session_id}/host/settings", headers=host.headers
        )
        assert hall_a.token in settings.text  # the lead host sees the halls' links
        made = await http.post(
            f"{server.url}/s/{host.session_id}/host/rotate",
            data={"participant_id": laptop_id},
            headers=host.headers,
        )
    assert made.status_code == 200, made.text
    async with asyncio.timeout(10):
        await hall_a.ws.wait_closed()
    assert hall_a.ws.close_code == 4401  # the laptop still connected is let go at once
    with pytest.raises(AssertionError):
        await hall_a.connect()  # and its old link no longer says hello
    new_link = made.text.split("/relay?key=")[1].split('"')[0].split("<")[0]
    fresh = read_venue_link(f"{server.url}/s/{host.session_id}/relay?key={new_link}")
    assert fresh.session_id == host.session_id
    again = Person(server, host.session_id, fresh.token)
    assert (await again.connect())["role"] == "relay"


def test_a_venue_link_is_read_into_its_server_session_and_token() -> None:
    found = read_venue_link("https://talk.example.org/events/s/SID/relay?key=TOKEN")
    assert (found.base, found.session_id, found.token) == (
        "https://talk.example.org/events",
        "SID",
        "TOKEN",
    )
    assert found.ws_url == "wss://talk.example.org/events/api/sessions/SID/live"
    for wrong in (
        "talk.example.org/s/SID/relay?key=T",
        "https://x/s/SID/host?key=T",
        "https://x/s/SID/relay",
    ):
        with pytest.raises(ValueError, match="link"):
            read_venue_link(wrong)
