"""The served QR codes decode (with zxing-cpp) to exactly the room and table links."""

from __future__ import annotations

import io

import cairosvg
import httpx
import zxingcpp
from PIL import Image

from tests.harness import Person, Server


def decode(image: Image.Image) -> list[str]:
    return [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]


async def fetch(server: Server, path: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.get(path)
    assert response.status_code == 200, (path, response.text)
    return response


async def decoded(server: Server, path: str) -> list[str]:
    response = await fetch(server, path)
    if path.endswith(".png"):
        assert response.headers["content-type"] == "image/png"
        return decode(Image.open(io.BytesIO(response.content)))
    assert response.headers["content-type"].startswith("image/svg+xml")
    png = cairosvg.svg2png(bytestring=response.content, output_width=600, output_height=600)
    return decode(Image.open(io.BytesIO(png)))


async def test_room_and_table_codes_carry_exactly_their_links(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    cell = next(c["id"] for c in (await host.snapshot())["cells"] if c["kind"] == "venue")
    for name in ("Window", "Fireplace"):
        ack = await host.send({"type": "create_group", "name": name, "cell_id": cell})
        assert ack["type"] == "ack"
    groups = [g["id"] for g in (await host.snapshot())["groups"]]
    sid = links.session_id

    assert links.qr_png_url.endswith(f"/s/{sid}/qr/room.png")
    assert links.qr_svg_url.endswith(f"/s/{sid}/qr/room.svg")
    assert await decoded(server, f"/s/{sid}/qr/room.png") == [links.room_url]
    assert await decoded(server, f"/s/{sid}/qr/room.svg") == [links.room_url]
    assert links.room_url == f"{server.public_url}/j/{links.join_code}/room"
    for group in groups:
        table_link = f"{links.room_url}?table={group}"
        assert await decoded(server, f"/s/{sid}/qr/table/{group}.png") == [table_link]
        assert await decoded(server, f"/s/{sid}/qr/table/{group}.svg") == [table_link]


async def test_a_decoded_table_code_seats_the_person_who_scans_it(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    cell = next(c["id"] for c in (await host.snapshot())["cells"] if c["kind"] == "venue")
    await host.send({"type": "create_group", "name": "Window", "cell_id": cell})
    group = (await host.snapshot())["groups"][0]["id"]
    [scanned] = await decoded(server, f"/s/{links.session_id}/qr/table/{group}.png")
    await Person.join(server, scanned, "Rhian")
    rhian = next(p for p in (await host.snapshot())["participants"] if p["name"] == "Rhian")
    assert rhian["group_id"] == group


async def test_codes_for_unknown_sessions_or_tables_are_not_found(server: Server) -> None:
    links = await server.new_session("world-cafe")
    async with httpx.AsyncClient(base_url=server.url) as http:
        assert (await http.get("/s/nope/qr/room.png")).status_code == 404
        missing = await http.get(f"/s/{links.session_id}/qr/table/nope.svg")
        assert missing.status_code == 404
