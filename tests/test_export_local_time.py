"""Local times in exports: readers see the time where the session was held, zone named.

The log keeps UTC instants; an export shows them in the zone it is made in (``hostkit
serve --timezone``, ``HOSTKIT_TIMEZONE``, ``hostkit export --timezone``, else the machine's
zone). Text formats name the zone; CSV and JSON keep ISO 8601 with the offset.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import docx
import httpx
import lxml.html

from hostkit.domain import commands as cmd
from hostkit.domain.model import SessionState
from hostkit.export.formats import render
from hostkit.export.harvest import harvest_from_state
from hostkit.export.zones import machine_zone
from hostkit.sessions import create_session
from hostkit.store.sqlite import open_store
from tests.domain_helpers import ok, person, run, session
from tests.harness import Person, running_server
from tests.security.support import ok as acked

HOSTKIT = str(Path(sys.executable).with_name("hostkit"))
# 20:00 UTC on 30 June: already 1 July in Kolkata (+05:30), 21:00 BST in London
EVENING = datetime(2026, 6, 30, 20, 0, tzinfo=UTC).timestamp()


def evening_session() -> SessionState:
    state = session(person("host", role="host"), person("ana", group="t1"))
    state.created_at = EVENING
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False), EVENING + 60))
    ok(run(state, "ana", cmd.PostContribution("note", "Late light on the green"), EVENING + 300))
    return state


def test_every_text_format_shows_local_times_with_the_zone_named() -> None:
    harvest = harvest_from_state(evening_session(), timezone="Asia/Kolkata")

    digest = render(harvest, "digest-txt").decode()
    assert "1 July 2026" in digest and "30 June" not in digest  # the local date
    assert "from Ana: Late light on the green" in digest
    assert "01:35 IST (Asia/Kolkata)" in digest  # harvest as of, 20:05 UTC
    transcript = render(harvest, "transcript-txt").decode()
    assert "] 01:35 IST · Round 1" in transcript and "times in Asia/Kolkata" in transcript
    assert "Note at 01:35 IST" in render(harvest, "transcript-md").decode()
    page = lxml.html.fromstring(render(harvest, "digest-html"))
    (stamp,) = page.xpath("//ol[@class='harvest']//time")
    assert stamp.text == "01:35 IST" and stamp.get("datetime") == "2026-07-01T01:35:00+05:30"
    assert "1 July 2026" in page.text_content()
    words = "\n".join(
        p.text for p in docx.Document(io.BytesIO(render(harvest, "digest-docx"))).paragraphs
    )
    assert "Note · 01:35 IST · in the room · Ana" in words


def test_csv_and_json_keep_iso_8601_with_the_local_offset() -> None:
    harvest = harvest_from_state(evening_session(), timezone="Asia/Kolkata")
    (row,) = csv.DictReader(io.StringIO(render(harvest, "transcript-csv").decode()))
    assert row["time"] == "2026-07-01T01:35:00+05:30"
    document = json.loads(render(harvest, "transcript-json"))
    assert document["session"]["started"] == "2026-07-01T01:30:00+05:30"
    assert document["session"]["timezone"] == "Asia/Kolkata"
    assert document["contributions"][0]["time"] == "2026-07-01T01:35:00+05:30"
    # the same instant, whatever the zone
    moment = datetime.fromisoformat(document["contributions"][0]["time"])
    assert moment.timestamp() == EVENING + 300


def test_summer_time_is_named_by_its_abbreviation() -> None:
    harvest = harvest_from_state(evening_session(), timezone="Europe/London")
    assert "] 21:05 BST · Round 1" in render(harvest, "transcript-txt").decode()
    (row,) = csv.DictReader(io.StringIO(render(harvest, "transcript-csv").decode()))
    assert row["time"] == "2026-06-30T21:05:00+01:00"


def test_without_a_setting_the_machines_zone_is_used(tmp_path: Path) -> None:
    here = tmp_path / "etc"
    here.mkdir()
    (here / "localtime").symlink_to("/usr/share/zoneinfo/America/Sao_Paulo")
    assert machine_zone(here / "localtime") == "America/Sao_Paulo"
    (here / "localtime").unlink()
    (here / "localtime").write_bytes(b"")  # a copy, not a link: /etc/timezone says
    (here / "timezone").write_text("Asia/Kolkata\n")
    assert machine_zone(here / "localtime") == "Asia/Kolkata"
    (here / "timezone").write_text("Not/AZone\n")
    assert machine_zone(here / "localtime") in ("UTC", machine_zone())  # falls back


async def make_session(data: Path) -> str:
    store = open_store(data)
    await store.open()
    try:
        links = await create_session(
            store, base="http://hall.test", title="Evening on the green", format_id="circle"
        )
    finally:
        await store.close()
    return links.session_id


def export(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HOSTKIT, "export", *args], capture_output=True, text=True, timeout=60, env=env
    )


async def test_the_cli_exports_in_the_zone_asked_for_or_the_machines(tmp_path: Path) -> None:
    data = tmp_path / "data"
    session_id = await make_session(data)
    base = ["--data", str(data), session_id, "--format", "transcript-json", "--out", "-"]

    asked = export(*base, "--timezone", "Asia/Kolkata")
    assert asked.returncode == 0, asked.stderr
    started = json.loads(asked.stdout)["session"]["started"]
    assert started.endswith("+05:30")

    machine = export(*base, env={**os.environ, "TZ": "America/Sao_Paulo"})
    assert json.loads(machine.stdout)["session"]["started"].endswith("-03:00")
    setting = {**os.environ, "TZ": "America/Sao_Paulo", "HOSTKIT_TIMEZONE": "Asia/Kolkata"}
    assert json.loads(export(*base, env=setting).stdout)["session"]["timezone"] == "Asia/Kolkata"

    wrong = export(*base, "--timezone", "Mars/Olympus_Mons")
    assert wrong.returncode != 0
    assert "'Mars/Olympus_Mons' is not a time zone" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_serve_refuses_an_unknown_zone_clearly(tmp_path: Path) -> None:
    done = subprocess.run(
        [HOSTKIT, "serve", "--data", str(tmp_path / "data"), "--timezone", "Europe/Atlantis"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "'Europe/Atlantis' is not a time zone" in done.stderr and "Traceback" not in done.stderr


async def test_the_host_downloads_in_the_servers_zone(tmp_path: Path) -> None:
    async with running_server(tmp_path / "data", timezone="Asia/Kolkata") as server:
        links = await server.new_session("world-cafe", title="Evening on the green")
        host = Person.from_link(server, links.host_url)
        await host.connect()
        await acked(
            host.send({"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
        )
        await acked(host.send({"type": "post_contribution", "kind": "note", "text": "Hello"}))
        async with httpx.AsyncClient(base_url=server.url, headers=host.headers) as http:
            got = await http.get(f"/s/{host.session_id}/export/transcript-csv")
            digest = await http.get(f"/s/{host.session_id}/export/digest-txt")
    assert got.status_code == 200
    (row,) = csv.DictReader(io.StringIO(got.text))
    assert row["time"].endswith("+05:30")
    assert "IST (Asia/Kolkata)" in digest.text
