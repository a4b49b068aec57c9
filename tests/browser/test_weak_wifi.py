"""Old phones and weak Wi-Fi: notes typed offline survive a reload; no JavaScript needed."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, join
from tests.harness import Person, Server


async def open_round_one(server: Server, links: Any) -> Person:
    host = Person.from_link(server, links.host_url)
    await host.connect()
    assert (
        await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    )["type"] == "ack"
    return host


def notes_saying(state: dict[str, Any], text: str) -> list[dict[str, Any]]:
    return [c for c in state["contributions"] if c["text"] == text]


async def test_a_note_typed_offline_survives_a_reload_and_arrives_once(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = await open_round_one(server, links)
    context, page = await join(browser, server, links.room_url, "Rhian", **PHONE)
    await expect(page.locator("#connection")).to_have_text("Connected")
    cached = "caches.open('hostkit-v1').then(c => c.match(location.pathname)).then(Boolean)"
    await page.wait_for_function(cached)

    await context.set_offline(True)
    await expect(page.locator("#connection")).to_have_text("Reconnecting…")
    await page.get_by_label("Your note").fill("Can we meet in the library next time?")
    await page.get_by_role("button", name="Add note").click()
    saved = "Reconnecting… your note is saved and will be sent."
    await expect(page.locator("#connection")).to_have_text(saved)
    await expect(page.get_by_role("list", name="Not sent yet")).to_contain_text("library")

    await page.reload()  # still offline: the page comes from the phone's own cache
    await expect(page.locator("#connection")).to_have_text(saved)
    await expect(page.get_by_role("list", name="Not sent yet")).to_contain_text("library")
    assert notes_saying(await host.snapshot(), "Can we meet in the library next time?") == []

    await context.set_offline(False)
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.locator("#notes .note")).to_have_count(1)
    await expect(page.locator("#notes")).to_contain_text("library")
    await expect(page.get_by_role("list", name="Not sent yet")).to_have_count(0)
    await page.reload()
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.locator("#notes .note")).to_have_count(1)
    state = await host.snapshot()
    assert len(notes_saying(state, "Can we meet in the library next time?")) == 1


async def test_without_javascript_a_phone_joins_posts_a_note_and_raises_a_hand(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = await open_round_one(server, links)
    _, page = await join(browser, server, links.room_url, None, java_script_enabled=False, **PHONE)
    await expect(page.get_by_role("heading", level=1)).to_have_text("What do we notice?")
    await expect(page.locator("#connection")).to_have_text("Reload the page to see new notes.")

    await page.get_by_label("Your note").fill("Post office closes at noon")
    await page.get_by_role("button", name="Add note").click()
    await expect(
        page.get_by_role("status").filter(has_text="✓ Added — visible to everyone")
    ).to_be_visible()
    await expect(page.locator("#notes")).to_contain_text("Post office closes at noon")

    await page.get_by_role("button", name="Raise my hand").click()
    await expect(page.get_by_role("button", name="Lower my hand")).to_be_visible()
    state = await host.snapshot()
    assert len(notes_saying(state, "Post office closes at noon")) == 1
    hands = [h for queue in state["hands"].values() for h in queue]
    assert [h["participant_id"] for h in hands] == [
        c["author_id"] for c in notes_saying(state, "Post office closes at noon")
    ]
