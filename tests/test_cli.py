"""The ``hostkit`` command, run as a real subprocess: ``new --json`` and ``serve``."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from pathlib import Path

import httpx

from tests.harness import Person, free_port, running_server

LINK_KEYS = (
    "session_id",
    "host_url",
    "room_url",
    "remote_url",
    "projector_url",
    "join_code",
    "qr_svg_url",
    "qr_png_url",
)


async def hostkit(*args: str) -> tuple[int, str, str]:
    """Run ``hostkit ARGS`` without blocking the event loop (a test server may be on it)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hostkit",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_new_json_prints_one_object_of_absolute_links(tmp_path: Path) -> None:
    public = "http://hall.test:8000"
    code, out, err = await hostkit(
        "new",
        "--licence",
        "CC BY 4.0",
        "--data",
        str(tmp_path / "data"),
        "--title",
        "Village hall",
        "--format",
        "world-cafe",
        "--public-url",
        public,
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)  # one JSON object and nothing else
    assert set(LINK_KEYS) <= set(created)
    for key in LINK_KEYS:
        if key.endswith("_url"):
            assert created[key].startswith(f"{public}/"), (key, created[key])
    assert re.fullmatch(r"[34679ACDEFGHJKMNPQRTWXY]{6}", created["join_code"])
    assert created["room_url"] == f"{public}/j/{created['join_code']}/room"
    assert created["remote_url"] == f"{public}/j/{created['join_code']}/remote"
    assert f"/s/{created['session_id']}/host?key=" in created["host_url"]


async def test_new_beside_a_running_server_is_served_at_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    async with running_server(data) as server:
        code, out, err = await hostkit(
            "new",
            "--licence",
            "CC BY 4.0",
            "--data",
            str(data),
            "--title",
            "Made from the shell",
            "--format",
            "circle",
            "--public-url",
            server.public_url,
            "--json",
        )
        assert code == 0, err
        created = json.loads(out)
        async with httpx.AsyncClient() as http:
            page = await http.get(server.local(created["room_url"]))
            assert page.status_code == 200 and "Made from the shell" in page.text
            qr = await http.get(server.local(created["qr_png_url"]))
            assert qr.status_code == 200
        host = Person.from_link(server, created["host_url"])
        welcome = await host.connect()
        assert welcome["role"] == "host"
        rhian = await Person.join(server, created["room_url"], "Rhian")
        assert (await rhian.snapshot())["session"]["title"] == "Made from the shell"


async def test_new_refuses_bad_input_clearly(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    common = ("new", "--data", data, "--public-url", "http://hall.test:8000")
    cases = [
        (("--title", "T", "--format", "circle"), "--licence"),  # no licence is assumed
        (("--title", "T", "--format", "circle", "--licence", "GPL"), "invalid choice: 'GPL'"),
    ]
    for extra, says in cases:
        code, out, err = await hostkit(*common, *extra)
        assert code != 0, extra
        assert says in err, err
        assert out == ""
    licensed = (*common, "--licence", "CC BY 4.0")
    cases = [
        (("--title", "T", "--format", "speed-dating"), "invalid choice: 'speed-dating'"),
        (("--title", "  ", "--format", "circle"), "title"),
        (("--title", "", "--format", "circle"), "title"),
    ]
    for extra, says in cases:
        code, out, err = await hostkit(*licensed, *extra)
        assert code != 0, extra
        assert says in err, err
        assert out == ""
    for loopback in ("http://localhost:8000", "http://127.0.0.1:8000", "http://[::1]"):
        code, out, err = await hostkit(
            "new", "--licence", "CC0 1.0", "--data", data, "--title", "T", "--format", "circle",
            "--public-url", loopback,
        )  # fmt: skip
        assert code != 0
        assert "loopback" in err and "phones cannot reach" in err
        assert out == ""


async def test_serve_prints_an_admin_link_that_alone_creates_sessions(tmp_path: Path) -> None:
    port = free_port()
    public = f"http://hall.test:{port}"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hostkit",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data",
        str(tmp_path / "data"),
        "--public-url",
        public,
        "--log-level",
        "warning",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        admin_link = None
        async with asyncio.timeout(20):
            while admin_link is None:
                line = (await process.stdout.readline()).decode()
                assert line, "hostkit serve ended before printing an admin link"
                if "/admin?key=" in line:
                    admin_link = line.strip()
        assert admin_link.startswith(f"{public}/admin?key=")
        local = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=local) as http:
            async with asyncio.timeout(20):
                while True:  # the link is printed just before uvicorn starts listening
                    try:
                        health = await http.get("/healthz")
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.05)
            assert health.status_code == 200

            refused = await http.get("/admin")
            assert refused.status_code == 403
            wrong = await http.get("/admin", params={"key": "forged"})
            assert wrong.status_code == 403
            admin_path = admin_link.removeprefix(public)
            page = await http.get(admin_path)
            assert page.status_code == 200
            found = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert found
            form = {"title": "Made on the web", "format": "world-cafe", "csrf": found.group(1)}
            unlicensed = await http.post(admin_path, data=form)  # no licence is assumed
            assert unlicensed.status_code == 422
            assert "Choose the licence of the harvest." in unlicensed.text
            form["licence"] = "CC BY 4.0"
            no_csrf = await http.post(admin_path, data={**form, "csrf": ""})
            assert no_csrf.status_code == 403
            async with httpx.AsyncClient(base_url=local) as stranger:  # no admin cookie
                assert (await stranger.post("/admin", data=form)).status_code == 403
            created = await http.post(admin_path, data=form)
            assert created.status_code == 200
            assert "Session created" in created.text
            room = re.search(rf"{re.escape(public)}/j/[A-Z0-9]{{6}}/room", created.text)
            assert room
            join_page = await http.get(room.group(0).removeprefix(public))
            assert join_page.status_code == 200 and "Made on the web" in join_page.text
            # participants see the licence and how they are named before they write
            assert "shared under CC BY 4.0" in join_page.text
            assert "Your name is shown with what you write." in join_page.text
            # the admin page finds the session again, with its links
            again = await http.get("/admin")
            listed = again.text.split('id="sessions-heading"')[1]
            assert "Made on the web" in listed and room.group(0) in listed
            assert (
                "/host?key=" in listed and "/projector?key=" in listed and "/cards?key=" in listed
            )
    finally:
        if process.returncode is None:
            process.terminate()
        await process.wait()


async def test_list_prints_every_session_with_its_links(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    public = "http://hall.test:8000"
    made = []
    for title in ("Llanfair high street", "Bala bus routes"):
        code, out, err = await hostkit(
            "new", "--licence", "CC BY-SA 4.0", "--data", data, "--title", title,
            "--format", "world-cafe", "--public-url", public, "--json",
        )  # fmt: skip
        assert code == 0, err
        made.append(json.loads(out))
    code, out, err = await hostkit("list", "--data", data, "--public-url", public, "--json")
    assert code == 0, err
    listed = json.loads(out)
    assert {s["title"] for s in listed} == {"Llanfair high street", "Bala bus routes"}
    for session in listed:
        original = next(m for m in made if m["session_id"] == session["session_id"])
        for key in ("host_url", "projector_url", "room_url", "remote_url", "join_code"):
            assert session[key] == original[key], key
        assert session["format"] == "world-cafe" and session["licence"] == "CC BY-SA 4.0"
        assert session["created_at"] <= session["last_activity"]
        assert session["cards_url"].startswith(f"{public}/s/{session['session_id']}/cards?key=")
    code, out, err = await hostkit("list", "--data", data, "--public-url", public)
    assert code == 0, err
    assert "Llanfair high street (world-cafe" in out and made[0]["host_url"] in out
