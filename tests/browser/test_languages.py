"""Welsh and English: chosen by the browser's preference, switchable on the page."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, open_as
from tests.harness import Person, Server


async def test_a_welsh_phone_gets_welsh_pages_and_can_switch_to_english(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p2"})
    await host.send({"type": "start_timer"})

    context, page = await open_as(browser, server.local(links.room_url), locale="cy-GB", **PHONE)
    await expect(page.locator("html")).to_have_attribute("lang", "cy")
    await expect(page.get_by_text("Rydych chi’n ymuno yn yr ystafell.")).to_be_visible()  # noqa: RUF001
    await assert_accessible(page, "join page in Welsh")
    await page.get_by_label("Eich enw").fill("Gwenllian")
    await page.get_by_role("button", name="Ymuno").click()
    await expect(page.locator("#connection")).to_have_text("Wedi cysylltu")
    await expect(page.locator("#status-line")).to_have_text(
        re.compile(r"Rownd 1 o 3 — Pawb gyda’i gilydd — (19|20) munud ar ôl")  # noqa: RUF001
    )
    await assert_accessible(page, "participant page in Welsh")

    await page.get_by_label("Eich nodyn").fill("Mae angen bws hwyrach")
    await page.get_by_role("button", name="Ychwanegu nodyn").click()
    await expect(page.locator("#notes .note")).to_contain_text("Gwenllian · nodyn")
    await page.get_by_role("button", name="Codi fy llaw").click()
    await expect(page.get_by_role("button", name="Gostwng fy llaw")).to_have_attribute(
        "aria-pressed", "true"
    )
    await assert_accessible(page, "participant page in Welsh with a note and a hand up")

    await page.get_by_role("navigation", name="Iaith").get_by_role("link", name="English").click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("button", name="Lower my hand")).to_be_visible()
    await expect(page.locator("#connection")).to_have_text("Connected")
    await assert_accessible(page, "participant page switched to English")
    await page.goto(server.url + "/join")  # the choice is remembered on every page
    await expect(page.get_by_role("heading", level=1)).to_have_text("Join with a code")
    await (
        page.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ymuno â chod")
    await assert_accessible(page, "join-by-code page in Welsh")
    await context.close()
