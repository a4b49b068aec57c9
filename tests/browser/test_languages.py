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


async def test_the_projector_and_table_cards_speak_welsh_and_the_console_stays_english(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "create_group", "name": "Bwrdd 1", "cell_id": "venue-1"})
    await host.send({"type": "open_phase", "phase_id": "p2"})
    await host.send({"type": "start_timer"})

    context, page = await open_as(browser, server.local(links.projector_url), locale="cy")
    await expect(page.locator("html")).to_have_attribute("lang", "cy")
    await expect(page.get_by_role("heading", name="Ymunwch ar eich ffôn")).to_be_visible()
    await expect(page.get_by_role("img", name="Cod QR i ymuno â’r sesiwn hon")).to_be_visible()  # noqa: RUF001
    await expect(page.locator("#timer")).to_have_text(re.compile(r"(19|20) munud ar ôl"))
    await assert_accessible(page, "projector in Welsh")
    await page.get_by_role("link", name="Dangos y wal fyw").click()
    await expect(page.get_by_role("heading", name="Wal fyw")).to_be_visible()
    await assert_accessible(page, "projector in Welsh with the live wall")
    await context.close()

    context, page = await open_as(browser, server.local(links.host_url), locale="cy")
    await expect(page.locator("html")).to_have_attribute("lang", "en")  # not translated yet
    await page.get_by_role("link", name="Print table cards").click()
    await expect(page.locator("html")).to_have_attribute("lang", "cy")
    await expect(page.get_by_role("heading", name="Bwrdd 1")).to_be_visible()
    await expect(page.get_by_role("img", name="Cod QR i ymuno wrth Bwrdd 1")).to_be_visible()
    await assert_accessible(page, "table cards in Welsh")
    await context.close()
