"""Screen readers hear the timer at its start, 5 minutes, 1 minute and the end, not every second."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, join, open_as, watch_scripts
from tests.harness import Person, Server


async def test_the_timer_is_announced_at_the_start_and_at_five_minutes_only(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    _, page = await join(browser, server, links.remote_url, "Carys")
    await expect(page.locator("#connection")).to_have_text("Connected")
    await page.get_by_label("Your note").focus()

    heard: list[str] = []
    await page.expose_function("heard", lambda text: heard.append(text))
    await page.evaluate(
        """() => new MutationObserver(() => {
             const text = document.getElementById('announcer').textContent;
             if (text) window.heard(text);
           }).observe(document.getElementById('announcer'), {childList: true, characterData: true,
                                                            subtree: true})"""
    )
    await host.send({"type": "start_timer", "duration_s": 302})
    announcer = page.locator("#announcer")
    await expect(announcer).to_have_text("Timer started: 6 minutes left")
    await expect(announcer).to_have_text("5 minutes left", timeout=8_000)
    assert heard == ["Timer started: 6 minutes left", "5 minutes left"]
    await expect(page.get_by_label("Your note")).to_be_focused()  # nothing stole the focus
    assert await page.locator("#announcer").get_attribute("aria-live") == "polite"
    # The ticking clock is not itself a live region, so it is not read out every second.
    live_ancestors = await page.locator("#timer").evaluate(
        "el => { const found = []; for (let n = el; n; n = n.parentElement)"
        " if (n.getAttribute && (n.getAttribute('aria-live') || n.getAttribute('role') === 'status'"
        " || n.getAttribute('role') === 'timer')) found.push(n.id); return found; }"
    )
    assert live_ancestors == []


async def test_an_announcement_leaves_the_projector_and_phones_live_when_replaced_taken_down_or_old(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    screen_context = await browser.new_context(viewport={"width": 1920, "height": 1080})
    screen = await screen_context.new_page()
    watch_scripts(screen)
    await screen.clock.install()  # the hall's clock, moved on by the test below
    await screen.goto(server.local(links.projector_url))
    _, phone = await join(browser, server, links.room_url, "Rhian", **PHONE)
    _, console = await open_as(browser, server.local(links.host_url))
    for page in (screen, phone, console):
        await expect(page.locator("#connection")).to_have_text("Connected")
    big = screen.locator(".announcement")

    async def announce(text: str) -> None:
        await console.get_by_label("Announcement (phones and the projector show it)").fill(text)
        await console.get_by_role("button", name="Announce", exact=True).click()
        await expect(console.locator("#on-screens")).to_contain_text(text)

    await announce("Tea at eleven")
    await expect(big).to_contain_text("Tea at eleven")
    await announce("Lunch at one")  # replaces it on the big screen
    await expect(big).to_have_count(1)
    await expect(big.locator(".announcement-text")).to_have_text("Lunch at one")
    await expect(phone.locator("#announcements li")).to_have_count(2)

    lunch = console.locator("#on-screens li", has_text="Lunch at one")
    await lunch.get_by_role("button", name="Take it down").click()
    await expect(console.locator("#on-screens li")).to_have_count(1)
    await expect(big.locator(".announcement-text")).to_have_text("Tea at eleven")
    await expect(phone.locator("#announcements li")).to_have_text([re.compile("Tea at eleven")])
    await expect(phone.locator("#announcer")).to_have_text("The host took an announcement down")
    await expect(console.get_by_role("button", name="Take it down")).to_be_focused()
    assert await console.evaluate("window.scrollY") == 0
    await console.get_by_role("button", name="Take it down").click()
    await expect(console.locator("#on-screens")).to_have_count(0)
    await expect(big).to_have_count(0)
    await expect(phone.locator("#announcements-section")).to_be_hidden()
    await assert_accessible(console, "console after taking announcements down")

    await announce("Raffle at two")
    await expect(big).to_be_visible()
    await screen.clock.fast_forward("15:01")  # a quarter of an hour on the hall's clock
    await expect(big).to_be_hidden()  # gone by itself, no event needed
    await assert_accessible(screen, "projector after an announcement's time")
    await screen_context.close()
