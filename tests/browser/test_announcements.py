"""Screen readers hear the timer at its start, 5 minutes, 1 minute and the end, not every second."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.support import join
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
