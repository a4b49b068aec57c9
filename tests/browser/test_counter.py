"""The count beside a long text box: shown as people type, read with the box, and spoken
only when it matters (1,000 left, 100 left, the limit), never per keystroke."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, join
from tests.harness import Person, Server


async def test_the_note_box_shows_its_count_and_announces_only_the_marks(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p1"})
    context, page = await join(browser, server, links.room_url, "Rhian", **PHONE)
    box = page.locator("#note-text")
    count = page.locator("#note-text-count")
    await expect(count).to_have_text("0 of 10,000 characters")
    assert "note-text-count" in (await box.get_attribute("aria-describedby") or "")
    spoken = page.locator(".visually-hidden[aria-live=polite]").last

    await box.fill("Buses after six")
    await expect(count).to_have_text("15 of 10,000 characters")
    await expect(spoken).to_have_text("")  # far from the limit: nothing said

    await box.fill("a" * 9_001)
    await expect(spoken).to_have_text("999 characters left")
    await box.fill("a" * 9_002)
    await expect(count).to_have_text("9,002 of 10,000 characters")
    await expect(spoken).to_have_text("999 characters left")  # not repeated per keystroke
    await box.fill("a" * 10_000)
    await expect(spoken).to_have_text("You have reached the limit of 10,000 characters.")
    await assert_accessible(page, "participant page with a full note box")

    await page.get_by_role("button", name="Add note").click()
    await expect(count).to_have_text("0 of 10,000 characters")
    await context.close()
