"""A note the server could not store (a full disk: storage_failed) stays on the phone and is
sent again by itself once there is room; any other refusal drops it and says why.

The data directory is a real 8 MB tmpfs filled to the last byte (as in
tests/reliability/test_storage_faults.py); mounting needs root, so elsewhere it skips.
"""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, join
from tests.format_play import act
from tests.harness import Person, running_server
from tests.reliability.test_storage_faults import fill, small_disk


async def test_a_note_refused_for_a_full_disk_waits_on_the_phone_and_arrives_once(
    browser: Browser, tmp_path: Path
) -> None:
    with small_disk(tmp_path / "disk", "8m") as disk:
        async with running_server(disk / "data") as server:
            links = await server.new_session("world-cafe")
            host = Person.from_link(server, links.host_url)
            await host.connect()
            await act(host, {"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
            _, page = await join(browser, server, links.room_url, "Rhian", **PHONE)
            await expect(page.locator("#connection")).to_have_text("Connected")

            filler = fill(disk)
            for n in range(300):  # the WAL may still have room for a few: post until refused
                reply = await host.send(
                    {"type": "post_contribution", "kind": "note", "text": f"{n} " + "x" * 1500}
                )
                if reply["type"] == "rejected":
                    assert reply["code"] == "storage_failed"
                    break
            else:
                raise AssertionError("the disk never filled up")

            await page.get_by_label("Your note").fill("The last bus leaves at six")
            await page.get_by_role("button", name="Add note").click()
            await expect(page.locator("#connection")).to_have_text(
                "Connected · the server could not store 1 yet; trying again shortly."
            )
            await expect(page.locator("#outbox")).to_contain_text("The last bus leaves at six")
            waiting = await page.evaluate(
                "() => Object.keys(localStorage).filter(k => k.startsWith('hk-outbox-'))"
                ".map(k => JSON.parse(localStorage.getItem(k)).length)"
            )
            assert waiting == [1]  # kept, and it would survive a reload
            await assert_accessible(page, "participant page waiting to resend a note")

            filler.unlink()  # space returns: the phone's own retry sends it, nobody presses
            await expect(page.locator("#notes")).to_contain_text(
                "The last bus leaves at six", timeout=20_000
            )
            await expect(page.locator("#connection")).to_have_text("Connected")
            await expect(page.locator("#outbox")).to_have_count(0)
            stored = [
                c["text"]
                for c in (await host.snapshot())["contributions"]
                if "last bus" in c["text"]
            ]
            assert stored == ["The last bus leaves at six"]  # once

            # any other refusal is final: dropped from the outbox, and the reason shown.
            # Offline, Rhian withdraws her note; meanwhile the host hides it.
            note = next(
                c["id"] for c in (await host.snapshot())["contributions"] if "bus" in c["text"]
            )
            await page.context.set_offline(True)
            await expect(page.locator("#connection")).to_contain_text("Reconnecting")
            mine = page.locator(f"#c-{note}")
            await mine.get_by_role("button", name="Withdraw").click()
            await act(host, {"type": "hide_contribution", "contribution_id": note})
            await page.context.set_offline(False)
            await expect(page.locator("#live-notice")).to_have_text(
                "That contribution is not there any more."
            )
            await expect(page.locator("#connection")).to_have_text("Connected")
            await expect(mine).to_have_count(0)
            await host.disconnect()
