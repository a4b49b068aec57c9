"""``hostkit drain`` and the admin page's drain: a running node leaves as after SIGTERM
(503 on /healthz at once, its people served through the drain, then 4503, exit), and only
for its admin: anyone else is refused and nothing changes."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from pathlib import Path

import httpx

from tests.reliability.health import answered_503_until_closed, probe
from tests.reliability.process import ServerProcess
from tests.reliability.test_crash import stored_log
from tests.reliability.test_drain import watched_node

DRAIN_S = 6.0  # long enough to see a draining node still serve, on a busy machine
DRAIN = ("--drain", str(DRAIN_S))


def drain(server: ServerProcess, *flags: str, data: Path | None = None) -> tuple[int, str]:
    done = server.cli(
        "drain", "--data", str(data or server.data_dir), "--port", str(server.port), *flags,
        check=False,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def admin_path(server: ServerProcess) -> str:
    """The admin link the server printed at start, as a path."""
    found = re.search(r"https?://\S+(/admin\?key=\S+)", server.log.read_text())
    assert found, server.tail()
    return found.group(1)


async def test_hostkit_drain_makes_a_running_node_leave_as_sigterm_does(tmp_path: Path) -> None:
    async with watched_node(tmp_path / "data", DRAIN_S) as node:
        server, clients = node.server, node.clients
        asked = time.monotonic()
        code, said = await asyncio.to_thread(drain, server)
        assert code == 0 and "is draining" in said, said
        note = clients[0].post("Still here while my node drains")
        await clients[0].wait_for(lambda c: note in c.acked, 20)
        assert server.proc is not None
        assert server.proc.poll() is None, "the drain ended before the test could see it"
        assert [c.closes for c in clients] == [[] for _ in clients]  # nobody moved yet

        code, said = await asyncio.to_thread(drain, server, "--wait")  # asked again: no hurry
        assert code == 0 and "It has stopped." in said, said
        exited = time.monotonic()
        assert server.proc.wait(10) == 0
        statuses = node.prober.between(asked, exited)
        # healthy until the request reached it; from then on 503 until the listener closed
        assert answered_503_until_closed(list(itertools.dropwhile(lambda s: s == 200, statuses)))
        assert all(c.closes[0][0] == 4503 for c in [node.host, *clients])
        stored = {row[3] for row in stored_log(server.data_dir, node.links["session_id"])}
        assert {cid for c in clients for cid in c.acked} <= stored  # nothing acked is lost


async def test_hostkit_drain_with_another_servers_store_is_refused(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", extra=DRAIN)
    other = ServerProcess(tmp_path / "other")
    server.new_session()
    other.new_session()  # another hostkit: its own signing key and admin link
    await server.start()
    try:
        code, said = await asyncio.to_thread(drain, server, data=other.data_dir)
        assert code == 1 and "refused (403)" in said, said
        assert await asyncio.to_thread(probe, server.port) == 200  # still serving
    finally:
        server.stop()


def test_hostkit_drain_says_when_no_node_answers(tmp_path: Path) -> None:
    nobody = ServerProcess(tmp_path / "data")
    nobody.new_session()
    code, said = drain(nobody)
    assert code == 1
    assert f"no hostkit node answers at http://127.0.0.1:{nobody.port}" in said


async def test_the_admin_pages_drain_needs_the_admin_and_a_fresh_form(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", extra=DRAIN)
    links = server.new_session()
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as admin:
            page = await admin.get(admin_path(server))  # sets the admin cookie
            found = re.search(r'name="csrf" value="([^"]+)"', page.text)
            assert page.status_code == 200 and found
            async with httpx.AsyncClient(base_url=server.url) as stranger:
                refused = await stranger.post("/admin/drain", data={"csrf": found.group(1)})
                assert refused.status_code == 403 and "Admin link needed" in refused.text
                host = links["host_url"].split("key=")[1]  # a host is not the admin
                as_host = await stranger.post(
                    "/admin/drain", headers={"Authorization": f"Bearer {host}"}
                )
                assert as_host.status_code == 403
            stale = await admin.post("/admin/drain", data={"csrf": "forged"})
            assert stale.status_code == 403 and "Form expired" in stale.text
            welsh = re.search(r'<a href="([^"]+)"[^>]*>Cymraeg</a>', stale.text)
            assert welsh, stale.text  # the answer's language switch leads somewhere real
            in_welsh = await admin.get(welsh.group(1), follow_redirects=True)
            assert in_welsh.status_code == 200 and in_welsh.url.path == "/admin"
            assert '<html lang="cy">' in in_welsh.text
            await admin.get("/lang/en?back=/admin")  # and back to English for the rest
            elsewhere = await admin.post(
                "/admin/drain",
                data={"csrf": found.group(1)},
                headers={"Origin": "https://evil.example"},
            )
            assert elsewhere.status_code == 403
            assert await asyncio.to_thread(probe, server.port) == 200  # nothing changed

            drained = await admin.post("/admin/drain", data={"csrf": found.group(1)})
            assert drained.status_code == 202 and "This node is draining" in drained.text
            assert 'href="/lang/cy?back=/admin"' in drained.text
        assert await asyncio.to_thread(probe, server.port) == 503  # at once
        assert server.proc is not None
        assert await asyncio.to_thread(server.proc.wait, 60) == 0  # then it leaves
    finally:
        server.stop()
