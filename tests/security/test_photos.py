"""Photo uploads: only real images, re-encoded without metadata, shown only to members."""

from __future__ import annotations

import io

import httpx
from PIL import ExifTags, Image

from tests.harness import Person, Server
from tests.security.support import csrf_for, jpeg, ok, participant_id

CAMERA = "SecretCam 3000"


def photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 28.0, 40.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (3.0, 10.0, 55.0)
    return jpeg((320, 240), exif=exif.tobytes())


async def upload(person: Person, data: bytes, name: str = "photo.jpg") -> httpx.Response:
    async with httpx.AsyncClient(base_url=person.server.url) as http:
        return await http.post(
            f"/s/{person.session_id}/photos", files={"photo": (name, data)}, headers=person.headers
        )


async def joined(server: Server) -> tuple[Person, Person]:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host.send({"type": "open_phase", "phase_id": "p1"}))
    return host, await Person.join(server, links.room_url, "Rhian")


async def test_a_photo_comes_back_as_a_jpeg_without_gps_or_camera(server: Server) -> None:
    _, rhian = await joined(server)
    original = photo_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    answer = await upload(rhian, original)

    assert answer.status_code == 200, answer.text
    async with httpx.AsyncClient(base_url=server.url) as http:
        served = await http.get(
            f"/s/{rhian.session_id}/photos/{answer.json()['photo_id']}", headers=rhian.headers
        )
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    image = Image.open(io.BytesIO(served.content))
    assert image.format == "JPEG" and image.size == (320, 240)
    assert not image.getexif()  # no EXIF at all, so no GPS position and no camera
    assert CAMERA.encode() not in served.content
    stored = sorted((server.data_dir / "photos" / rhian.session_id).iterdir())
    # the photo, and whose it is (their participant id, nothing else about them)
    assert [p.suffix for p in stored] == [".jpg", ".owner"]
    assert stored[0].read_bytes() == served.content
    assert stored[1].read_text() == participant_id(server, rhian)


async def test_a_posted_photo_contribution_carries_the_uploaded_photo(server: Server) -> None:
    host, rhian = await joined(server)
    photo_id = (await upload(rhian, jpeg())).json()["photo_id"]
    await rhian.connect()
    command = {
        "type": "post_contribution",
        "kind": "photo",
        "text": "Flipchart",
        "photo_id": photo_id,
    }
    await ok(rhian.send(command))
    posted = await host.wait_for(lambda p: p.events_of("contribution_posted"))
    assert posted[-1]["data"]["photo_id"] == photo_id


async def test_only_members_of_the_session_see_a_photo(server: Server) -> None:
    _, rhian = await joined(server)
    photo_id = (await upload(rhian, jpeg())).json()["photo_id"]
    elsewhere = await Person.join(server, (await server.new_session("circle")).room_url, "Other")
    async with httpx.AsyncClient(base_url=server.url) as http:
        path = f"/s/{rhian.session_id}/photos/{photo_id}"
        assert (await http.get(path)).status_code == 401
        assert (await http.get(path, headers=elsewhere.headers)).status_code == 401
        missing = await http.get(
            f"/s/{rhian.session_id}/photos/..%2Fhostkit.db", headers=rhian.headers
        )
        assert missing.status_code == 404


async def test_a_text_file_is_refused_as_not_an_image(server: Server) -> None:
    _, rhian = await joined(server)
    answer = await upload(rhian, b"<html><script>alert(1)</script></html>", "photo.jpg")
    assert (answer.status_code, answer.json()["code"]) == (415, "not_an_image")
    assert not (server.data_dir / "photos").exists()


async def test_a_gif_header_on_html_is_refused(server: Server) -> None:
    _, rhian = await joined(server)
    answer = await upload(rhian, b"GIF89a<script>alert(document.cookie)</script>", "x.gif")
    assert (answer.status_code, answer.json()["code"]) == (415, "not_an_image")


async def test_a_polyglot_loses_its_hidden_payload_in_the_reencoding(server: Server) -> None:
    _, rhian = await joined(server)
    payload = b"<script>alert('polyglot')</script>"
    answer = await upload(rhian, jpeg() + payload)
    assert answer.status_code == 200
    async with httpx.AsyncClient(base_url=server.url) as http:
        served = await http.get(
            f"/s/{rhian.session_id}/photos/{answer.json()['photo_id']}", headers=rhian.headers
        )
    assert payload not in served.content


async def test_an_oversized_file_is_refused_before_it_is_read_whole(server: Server) -> None:
    _, rhian = await joined(server)
    answer = await upload(rhian, jpeg() + b"\0" * (8 * 1024 * 1024 + 1))
    assert (answer.status_code, answer.json()["code"]) == (413, "photo_too_large")
    assert "8 MB" in answer.json()["message"]


async def test_a_decompression_bomb_is_refused(server: Server) -> None:
    _, rhian = await joined(server)
    for size in ((20_000, 20_000), (9_000, 6_000)):  # past Pillow's own limit; past ours
        out = io.BytesIO()
        Image.new("1", size).save(out, "PNG")
        assert len(out.getvalue()) < 1024 * 1024  # tiny on the wire
        answer = await upload(rhian, out.getvalue(), "bomb.png")
        assert (answer.status_code, answer.json()["code"]) == (422, "image_too_large")


async def test_an_observer_cannot_upload_and_a_form_needs_its_csrf_token(server: Server) -> None:
    links = await server.new_session("world-cafe")
    screen = Person.from_link(server, links.projector_url)
    assert (await upload(screen, jpeg())).status_code == 403
    rhian = await Person.join(server, links.room_url, "Rhian")
    cookies = {f"hk_{rhian.session_id}": rhian.token}
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as browser:
        path = f"/s/{rhian.session_id}/photos"
        files = {"photo": ("p.jpg", jpeg())}
        refused = await browser.post(path, files=files, data={"csrf": "forged"})
        assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
        accepted = await browser.post(path, files=files, data={"csrf": csrf_for(server, rhian)})
        assert accepted.status_code == 200


async def test_withdrawing_a_photo_removes_its_file(server: Server) -> None:
    _, rhian = await joined(server)
    kept = (await upload(rhian, jpeg())).json()["photo_id"]
    gone = (await upload(rhian, jpeg())).json()["photo_id"]
    await rhian.connect()
    for photo_id in (kept, gone):
        command = {"type": "post_contribution", "kind": "photo", "text": "A", "photo_id": photo_id}
        posted = await ok(rhian.send(command))
    await ok(rhian.send({"type": "withdraw_contribution", "contribution_id": f"c{posted['seq']}"}))
    async with httpx.AsyncClient(base_url=server.url, headers=rhian.headers) as http:
        assert (await http.get(f"/s/{rhian.session_id}/photos/{gone}")).status_code == 404
        assert (await http.get(f"/s/{rhian.session_id}/photos/{kept}")).status_code == 200
    left = sorted(p.name for p in (server.data_dir / "photos" / rhian.session_id).iterdir())
    assert left == [f"{kept}.jpg", f"{kept}.owner"]


async def test_nobody_posts_another_persons_photo_or_a_made_up_one(server: Server) -> None:
    host, rhian = await joined(server)
    photo_id = (await upload(rhian, jpeg())).json()["photo_id"]
    await host.connect()
    for stolen in (photo_id, "A" * 22, "../../hostkit.db"):
        command = {"type": "post_contribution", "kind": "photo", "text": "Mine", "photo_id": stolen}
        reply = dict(await host.send(command))
        assert (reply["type"], reply["code"]) == ("rejected", "unknown_photo"), reply
    assert not any(
        e["data"].get("photo_id") for e in host.events_of("contribution_posted")
    )  # nothing was posted
    await rhian.connect()
    mine = {"type": "post_contribution", "kind": "photo", "text": "Mine", "photo_id": photo_id}
    await ok(rhian.send(mine))


async def test_a_photo_comes_back_without_the_jpeg_comment(server: Server) -> None:
    _, rhian = await joined(server)
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 90, 200)).save(out, "JPEG", comment=b"taken at 4 Mill Lane")

    answer = await upload(rhian, out.getvalue())

    assert answer.status_code == 200, answer.text
    async with httpx.AsyncClient(base_url=server.url) as http:
        served = await http.get(
            f"/s/{rhian.session_id}/photos/{answer.json()['photo_id']}", headers=rhian.headers
        )
    assert b"Mill Lane" not in served.content
    assert "comment" not in Image.open(io.BytesIO(served.content)).info
