"""Storage faults: a full disk refuses contributions clearly, loses nothing, and recovers.

The data directory is a real, small tmpfs filled to the last byte, so SQLite meets a
real ENOSPC. Mounting needs root (CAP_SYS_ADMIN); elsewhere the test skips, except in
CI where it must run.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess, env_ci, host_token, join
from tests.reliability.test_crash import open_first_phase, stored_log


@contextlib.contextmanager
def small_disk(mount_point: Path, size: str) -> Iterator[Path]:
    mount_point.mkdir(parents=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        message = f"cannot mount a tmpfs here: {done.stderr.strip()}"
        if env_ci():
            pytest.fail(message)
        pytest.skip(message)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the disk is full; return it."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:
        block = b"\0" * 65536
        with contextlib.suppress(OSError):
            while True:
                handle.write(block)
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\0")
        with contextlib.suppress(OSError):
            os.fsync(handle.fileno())
    return filler


async def console(server: ServerProcess, links: dict[str, str]) -> str:
    """The host console's HTML, as the host's browser gets it."""
    sid = links["session_id"]
    cookies = {f"hk_{sid}": host_token(links)}
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as http:
        page = await http.get(f"/s/{sid}/host")
    assert page.status_code == 200, page.text
    return page.text


async def test_full_disk_refuses_clearly_keeps_everything_and_recovers(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", "8m") as disk:
        server = ServerProcess(disk / "data")
        links = server.new_session()
        await server.start()
        phone: OutboxClient | None = None
        try:
            host = await open_first_phase(server, links)
            person = await join(server, links["room_url"], "Rhian")
            phone = OutboxClient(server.ws_url, links["session_id"], person.token, "phone")
            phone.start()
            for n in range(5):
                phone.post(f"Room note {n}")
            await phone.wait_for(lambda c: not c.outbox, 10)

            filler = fill(disk)
            first_refused = None
            for n in range(300):  # the WAL may still have room for a few: post until refused
                command_id = phone.post(f"Full-disk note {n} " + "x" * 1500)
                await phone.answered(command_id, 10)
                if command_id in phone.rejected:
                    first_refused = phone.rejected[command_id]
                    break
            assert first_refused is not None, "the disk never filled up"
            assert first_refused["code"] == "storage_failed"
            assert "not recorded" in first_refused["message"]
            refused = list(phone.outbox)  # kept, to be sent again
            acked = dict(phone.acked)
            log = stored_log(server.data_dir, links["session_id"])
            stored = {row[3] for row in log}
            print(
                f"\nfull disk: {len(acked)} acknowledged, first refusal after "
                f"{len(phone.sent) - 5} notes on the full disk: {first_refused['code']}"
            )
            assert set(acked) <= stored and not set(refused) & stored
            # The host is told at once, and the console says so until storing works again.
            await host.wait_for(lambda c: c.alerts, 10)
            assert host.alerts[0]["code"] == "storage_failed"
            print(f"full disk: the host was alerted: {host.alerts[0]['message']}")
            assert "disk may be full" in await console(server, links)

            filler.unlink()  # space returns
            phone.resend()
            await phone.wait_for(lambda c: not c.outbox, 10)
            assert "disk may be full" not in await console(server, links)
            server.kill()
            await server.start()
            checked = server.cli("check", "--data", str(server.data_dir))
            assert checked.stdout.startswith("ok")
            final = [row[3] for row in stored_log(server.data_dir, links["session_id"])]
            notes = [cid for cid in final if cid and cid.startswith("phone-")]
            print(f"full disk: after recovery {len(notes)} of {len(phone.sent)} notes stored")
            assert notes == phone.sent  # each once, in the order written
            await host.stop()
        finally:
            if phone is not None:
                await phone.stop()
            server.stop()


@contextlib.contextmanager
def read_only_view(source: Path, view: Path) -> Iterator[Path]:
    """source, mounted read-only at view (a real read-only filesystem, even for root)."""
    view.mkdir()
    done = subprocess.run(
        ["mount", "--bind", str(source), str(view)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        if env_ci():
            pytest.fail(f"cannot bind-mount here: {done.stderr.strip()}")
        pytest.skip(f"cannot bind-mount here: {done.stderr.strip()}")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
        yield view
    finally:
        subprocess.run(["umount", "-l", str(view)], check=False)


async def test_a_read_only_data_directory_is_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    writable = ServerProcess(tmp_path / "data")
    links = writable.new_session()
    before = stored_log(writable.data_dir, links["session_id"])
    with read_only_view(writable.data_dir, tmp_path / "read-only") as read_only:
        server = ServerProcess(read_only)
        with pytest.raises(RuntimeError) as refused:
            await server.start()
        print(f"\nread-only data directory: {server.tail(2)}")
        assert "cannot use the data directory" in str(refused.value)
        assert "Traceback" not in str(refused.value)
    assert stored_log(writable.data_dir, links["session_id"]) == before  # untouched
