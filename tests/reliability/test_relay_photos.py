"""Photos through a hall laptop: the hall's reach the server (offline too, through a crash),
each once and byte for byte; everyone else's are shown in the hall.

Real processes, as in test_relay.py: ``hostkit serve``, a ``hostkit relay`` reaching it
through a TCP proxy the test cuts, phones and people at home on real WebSockets.
"""

from __future__ import annotations

import base64
import io
import re
import time
from pathlib import Path
from typing import Any

import httpx
import lxml.html
from PIL import Image

from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess, join
from tests.reliability.test_relay import (
    WITHIN_S,
    contributions,
    event,
    hall_state,
    participant,
    until,
)
from tests.test_export_session import flipchart

SLOW_S = 30.0  # a loaded machine answers slowly: slow is not down


def photo_note(photo_id: str, text: str) -> dict[str, Any]:
    return {"type": "post_contribution", "kind": "photo", "text": text, "photo_id": photo_id}


async def upload(url: str, client: OutboxClient, data: bytes) -> str:
    """A phone's photo form: the photo goes first, and its id comes back."""
    async with httpx.AsyncClient(timeout=SLOW_S) as http:
        answer = await http.post(
            f"{url}/s/{client.session_id}/photos",
            files={"photo": ("flipchart.jpg", data, "image/jpeg")},
            headers={"Authorization": f"Bearer {client.token}"},
        )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["photo_id"])


async def shown(url: str, client: OutboxClient, photo_id: str) -> bytes | None:
    """The photo as this phone's page loads it (its <img>), or None if it is not there."""
    auth = {"Authorization": f"Bearer {client.token}"}
    async with httpx.AsyncClient(headers=auth, timeout=SLOW_S) as http:
        page = await http.get(f"{url}/s/{client.session_id}")
        sources = lxml.html.fromstring(page.text).xpath("//img/@src")
        wanted = f"/s/{client.session_id}/photos/{photo_id}"
        if wanted not in sources:
            return None
        answer = await http.get(f"{url}{wanted}")
    return answer.content if answer.status_code == 200 else None


def stored_photos(server: ServerProcess, session_id: str) -> list[str]:
    folder = server.data_dir / "photos" / session_id
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def photo_in_digest(server: ServerProcess, session_id: str, tmp_path: Path) -> bytes:
    """The one photo in the server's HTML digest, decoded from its data: URL."""
    out = tmp_path / "digest.html"
    server.cli(
        "export", session_id, "--data", str(server.data_dir), "--format", "digest-html",
        "--out", str(out),
    )  # fmt: skip
    (source,) = lxml.html.fromstring(out.read_text()).xpath("//figure/img/@src")
    return base64.b64decode(re.sub(r"^data:image/jpeg;base64,", "", source))


async def test_a_photo_posted_offline_reaches_the_server_once_through_a_crash(
    tmp_path: Path,
) -> None:
    async with event(tmp_path) as e:
        hall = e.cut
        rhian = await e.phone(hall, "Rhian")
        await e.cut_off(rhian)
        photo_id = await upload(hall.url, rhian, flipchart())
        rhian.send_now(photo_note(photo_id, "Our flipchart"), "rhian-photo")
        await rhian.wait_for(lambda c: "rhian-photo" in c.kept, WITHIN_S)  # type: ignore[attr-defined]
        in_hall = await shown(hall.url, rhian, photo_id)
        assert in_hall is not None  # the hall sees its photo at once, offline
        assert Image.open(io.BytesIO(in_hall)).size == (320, 240)

        hall.kill()  # the laptop's power goes, the photo not yet shared
        await hall.start()
        await rhian.wait_for(lambda c: len(c.closes) >= 1 and c.connected.is_set(), WITHIN_S)
        assert await shown(hall.url, rhian, photo_id) == in_hall  # still there after a restart

        e.proxy.restore()
        back = time.monotonic()
        await until(lambda: _has_file(e.server, e.sid, f"{photo_id}.jpg"))
        print(f"\nline back: the photo on the server {time.monotonic() - back:.1f} s later")
        hall.kill()  # and again as it forwards: the server's answer may be lost
        await hall.start()
        await rhian.wait_for(lambda c: not c.outbox, WITHIN_S)

        (note,) = [c for c in contributions(e.server, e.sid) if c["kind"] == "photo"]
        assert (note["photo_id"], note["text"]) == (photo_id, "Our flipchart")
        assert note["author_id"] == participant(rhian) and note["written_at"]
        assert stored_photos(e.server, e.sid) == [f"{photo_id}.jpg", f"{photo_id}.owner"]
        there = e.server.data_dir / "photos" / e.sid
        assert (there / f"{photo_id}.jpg").read_bytes() == in_hall  # once, byte for byte
        assert (there / f"{photo_id}.owner").read_text() == participant(rhian)
        async with httpx.AsyncClient(timeout=SLOW_S) as http:
            to_host = await http.get(
                f"{e.server.url}/s/{e.sid}/photos/{photo_id}",
                headers={"Authorization": f"Bearer {e.host.token}"},
            )
        assert to_host.content == in_hall  # the host sees the hall's photo
        assert await shown(hall.url, rhian, photo_id) == in_hall  # and the hall, on its copy
        digest = photo_in_digest(e.server, e.sid, tmp_path)
        assert Image.open(io.BytesIO(digest)).size == (320, 240)  # in the digest too


async def test_photos_go_both_ways_while_the_hall_is_online(tmp_path: Path) -> None:
    async with event(tmp_path) as e:
        hall, server = e.cut, e.server
        rhian = await e.phone(hall, "Rhian")
        home = await join(server, e.links["remote_url"], "Iolo")
        iolo = OutboxClient(server.ws_url, e.sid, home.token, "iolo")
        iolo.start()
        e.clients.append(iolo)
        await iolo.wait_for(lambda c: c.connected.is_set(), WITHIN_S)

        began = time.monotonic()
        from_home = await upload(server.url, iolo, flipchart())
        iolo.send_now(photo_note(from_home, "From my kitchen"), "iolo-photo")
        await iolo.wait_for(lambda c: "iolo-photo" in c.acked, WITHIN_S)
        on_server = await shown(server.url, iolo, from_home)
        assert on_server is not None

        async def in_the_hall() -> bool:
            return await shown(hall.url, rhian, from_home) == on_server

        await until(in_the_hall)  # the laptop fetched it with the event that shows it
        print(f"\nhome's photo: acked and shown in the hall {time.monotonic() - began:.2f} s")

        began = time.monotonic()
        from_hall = await upload(hall.url, rhian, flipchart())
        rhian.send_now(photo_note(from_hall, "From hall A"), "rhian-photo")
        await rhian.wait_for(lambda c: "rhian-photo" in c.acked, WITHIN_S)  # online: acked
        print(f"hall's photo: uploaded, posted and acked {time.monotonic() - began:.2f} s")
        in_hall = await shown(hall.url, rhian, from_hall)
        assert in_hall is not None
        assert await shown(server.url, iolo, from_hall) == in_hall  # home sees the hall's

        state = await hall_state(hall, rhian)
        photos = {c["text"]: c["photo_id"] for c in state["contributions"] if c["photo_id"]}
        assert photos == {"From my kitchen": from_home, "From hall A": from_hall}
        assert stored_photos(server, e.sid) == sorted(
            f"{p}{suffix}" for p in (from_home, from_hall) for suffix in (".jpg", ".owner")
        )  # each once


async def _has_file(server: ServerProcess, session_id: str, name: str) -> bool:
    return name in stored_photos(server, session_id)
