"""The count beside a long text box: shown as people type, read with the box, and spoken
only when it matters (1,000 left, 100 left, the limit), never per keystroke."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from hostkit.domain.commands import MAX_TEXT
from tests.browser.support import PHONE, assert_accessible, console_page, join, open_as
from tests.harness import Person, Server


async def test_the_note_box_shows_its_count_and_announces_only_the_marks(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
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


async def test_the_console_announce_box_takes_what_the_server_takes_and_counts_it(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    _, console = await open_as(browser, server.local(links.host_url))
    await expect(console.locator("#connection")).to_have_text("Connected")
    box = console.get_by_label("Announcement (phones and the projector show it)")
    count = console.locator("#announce-text-count")
    limit = f"{MAX_TEXT:,}"
    assert await box.get_attribute("maxlength") == str(MAX_TEXT)  # the rules' own limit
    await expect(count).to_have_text(f"0 of {limit} characters")

    long = ("The bus to Llanfair leaves from the square at six. " * 200)[:MAX_TEXT]
    await box.fill(long)
    await expect(count).to_have_text(f"{limit} of {limit} characters")
    await console.get_by_role("button", name="Announce", exact=True).click()
    section = console.locator("section[aria-labelledby='announce-heading']")
    await expect(section.locator("#notice")).to_have_text("Done.")  # the server took it all
    await expect(count).to_have_text(f"0 of {limit} characters")  # counting again, swapped in
    await box.fill("Tea at eleven")
    await expect(count).to_have_text(f"13 of {limit} characters")
    await assert_accessible(console, "console's Now page with the announce count")

    await console_page(console, "Phases")
    question = console.locator("#add-question")
    assert await question.get_attribute("maxlength") == str(MAX_TEXT)
    await expect(console.locator("#add-question-count")).to_have_text(f"0 of {limit} characters")
