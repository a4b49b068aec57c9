"""A hall laptop's photos: uploaded only for its own venue's people, each once, read only
from its own session, and held to the same limits as any phone's photo."""

from __future__ import annotations

import secrets

import httpx

from hostkit.server.photos import bare_jpeg, clean_photo
from tests.harness import Person, Server
from tests.security.support import join_as, jpeg, ok, participant_id
from tests.security.test_photos import photo_with_gps
from tests.security.test_venue_links import joining, laptops


async def relay_upload(
    laptop: Person, data: bytes, on_behalf_of: str | None, photo_id: str | None = None
) -> httpx.Response:
    """POST /s/{id}/photos as a hall laptop does: its bearer token, whose, and the hall's id."""
    fields = {"on_behalf_of": on_behalf_of or "", "photo_id": photo_id or ""}
    async with httpx.AsyncClient(base_url=laptop.server.url) as http:
        return await http.post(
            f"/s/{laptop.session_id}/photos",
            files={"photo": ("p.jpg", data)},
            data={k: v for k, v in fields.items() if v},
            headers=laptop.headers,
        )


def photos_on_disk(server: Server, session_id: str) -> list[str]:
    folder = server.data_dir / "photos" / session_id
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


async def test_a_laptop_uploads_its_halls_photo_once_under_the_halls_id(server: Server) -> None:
    host, hall_a, _, _ = await laptops(server)
    await ok(hall_a.send(joining("phone-of-rhian-in-a", "Rhian"), "join-rhian"))
    hall_photo = clean_photo(jpeg())  # as the laptop cleaned it when the phone sent it
    assert bare_jpeg(hall_photo)
    photo_id = secrets.token_urlsafe(16)

    first = await relay_upload(hall_a, hall_photo, "phone-of-rhian-in-a", photo_id)
    again = await relay_upload(hall_a, hall_photo, "phone-of-rhian-in-a", photo_id)

    assert first.status_code == 200, first.text
    assert first.json() == {"photo_id": photo_id}
    assert again.json() == {"photo_id": photo_id, "duplicate": True}  # a lost answer, resent
    assert photos_on_disk(server, host.session_id) == [f"{photo_id}.jpg", f"{photo_id}.owner"]
    stored = server.data_dir / "photos" / host.session_id
    assert (stored / f"{photo_id}.jpg").read_bytes() == hall_photo  # kept byte for byte
    assert (stored / f"{photo_id}.owner").read_text() == "phone-of-rhian-in-a"
    note = {"type": "post_contribution", "kind": "photo", "text": "Map", "photo_id": photo_id}
    await ok(hall_a.send(note, on_behalf_of="phone-of-rhian-in-a"))  # Rhian's photo, in her note


async def test_a_laptop_uploads_for_its_own_venues_people_only(server: Server) -> None:
    host, hall_a, hall_b, links = await laptops(server)
    await ok(hall_b.send(joining("phone-of-bryn-in-b", "Bryn"), "join-bryn"))
    at_home = await join_as(server, host, links["remote"], "participant", "Iolo")
    host_id = (await host.connect())["participant_id"]
    for someone in ("phone-of-bryn-in-b", participant_id(server, at_home), host_id, "", "nobody"):
        answer = await relay_upload(hall_a, clean_photo(jpeg()), someone or None)
        assert (answer.status_code, answer.json()["code"]) == (403, "not_allowed"), someone
    assert photos_on_disk(server, host.session_id) == []


async def test_only_a_laptop_names_a_photo_or_uploads_for_another(server: Server) -> None:
    host, _, _, links = await laptops(server)
    rhian = await Person.join(server, links["room"], "Rhian")
    iolo = await Person.join(server, links["remote"], "Iolo")
    as_iolo = await relay_upload(rhian, jpeg(), participant_id(server, iolo))
    assert (as_iolo.status_code, as_iolo.json()["code"]) == (403, "not_allowed")
    named = await relay_upload(rhian, jpeg(), None, secrets.token_urlsafe(16))
    assert (named.status_code, named.json()["code"]) == (400, "invalid_value")
    assert photos_on_disk(server, host.session_id) == []


async def test_a_laptop_cannot_take_over_anothers_photo_id(server: Server) -> None:
    host, hall_a, _, links = await laptops(server)
    await ok(hall_a.send(joining("phone-of-rhian-in-a", "Rhian"), "join-rhian"))
    iolo = await Person.join(server, links["remote"], "Iolo")
    async with httpx.AsyncClient(base_url=server.url) as http:
        theirs = await http.post(
            f"/s/{iolo.session_id}/photos", files={"photo": ("i.jpg", jpeg())}, headers=iolo.headers
        )
        original = (await http.get(f"/s/{iolo.session_id}/photos/{theirs.json()['photo_id']}",
                                   headers=iolo.headers)).content  # fmt: skip
    photo_id = theirs.json()["photo_id"]
    answer = await relay_upload(hall_a, clean_photo(jpeg((8, 8))), "phone-of-rhian-in-a", photo_id)
    assert (answer.status_code, answer.json()["code"]) == (409, "photo_taken")
    stored = server.data_dir / "photos" / host.session_id / f"{photo_id}.jpg"
    assert stored.read_bytes() == original
    for wrong in ("../../hostkit", "short", "A" * 22 + "\n"):
        answer = await relay_upload(hall_a, clean_photo(jpeg()), "phone-of-rhian-in-a", wrong)
        assert (answer.status_code, answer.json()["code"]) == (400, "invalid_value")


async def test_a_laptops_photo_meets_the_same_limits_and_loses_its_metadata(
    server: Server,
) -> None:
    host, hall_a, _, _ = await laptops(server)
    await ok(hall_a.send(joining("phone-of-rhian-in-a", "Rhian"), "join-rhian"))
    rhian = "phone-of-rhian-in-a"
    big = await relay_upload(hall_a, jpeg() + b"\0" * (8 * 1024 * 1024 + 1), rhian)
    assert (big.status_code, big.json()["code"]) == (413, "photo_too_large")
    html = await relay_upload(hall_a, b"<html><script>alert(1)</script></html>", rhian, None)
    assert (html.status_code, html.json()["code"]) == (415, "not_an_image")
    for hidden in (photo_with_gps(), clean_photo(jpeg()) + b"<script>alert(1)</script>"):
        photo_id = secrets.token_urlsafe(16)
        answer = await relay_upload(hall_a, hidden, rhian, photo_id)
        assert answer.status_code == 200, answer.text
        kept = server.data_dir / "photos" / host.session_id / f"{photo_id}.jpg"
        assert kept.read_bytes() != hidden  # not bare: cleaned afresh, as a phone's is
        assert b"SecretCam" not in kept.read_bytes() and b"<script>" not in kept.read_bytes()
        assert bare_jpeg(kept.read_bytes())


async def test_a_laptop_reads_photos_of_its_own_session_only(server: Server) -> None:
    _, hall_a, _, links = await laptops(server)
    iolo = await Person.join(server, links["remote"], "Iolo")
    elsewhere = await server.new_session("world-cafe", venues=("Hall C",))
    other = await Person.join(server, elsewhere.room_url, "Other")
    async with httpx.AsyncClient(base_url=server.url) as http:
        mine = await http.post(
            f"/s/{iolo.session_id}/photos", files={"photo": ("i.jpg", jpeg())}, headers=iolo.headers
        )
        theirs = await http.post(
            f"/s/{other.session_id}/photos",
            files={"photo": ("o.jpg", jpeg())},
            headers=other.headers,
        )
        here = f"/s/{hall_a.session_id}/photos/{mine.json()['photo_id']}"
        assert (await http.get(here, headers=hall_a.headers)).status_code == 200
        there = f"/s/{other.session_id}/photos/{theirs.json()['photo_id']}"
        assert (await http.get(there, headers=hall_a.headers)).status_code == 401
        into = await relay_upload(
            Person(server, other.session_id, hall_a.token), jpeg(), participant_id(server, other)
        )
        assert into.status_code == 401  # nor upload into another session
        across = f"/s/{hall_a.session_id}/photos/{theirs.json()['photo_id']}"
        assert (await http.get(across, headers=hall_a.headers)).status_code == 404
