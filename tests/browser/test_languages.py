"""Welsh and English: chosen by the person's switch, the session's language the host set, or
the browser's preference; every page, the host console and admin page included."""

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
    await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
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


async def test_the_projector_table_cards_and_host_console_speak_welsh(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "create_group", "name": "Bwrdd 1", "cell_id": "venue-1"})
    await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    await host.send({"type": "start_timer"})

    context, page = await open_as(browser, server.local(links.projector_url), locale="cy")
    await expect(page.locator("html")).to_have_attribute("lang", "cy")
    await expect(page.get_by_role("img", name="Cod QR i ymuno â’r sesiwn hon")).to_be_visible()  # noqa: RUF001
    await expect(page.locator("#timer")).to_have_text(re.compile(r"(19|20) munud ar ôl"))
    await assert_accessible(page, "projector in Welsh")
    await host.send({"type": "set_projector", "mode": "wall"})  # from the console
    await expect(page.get_by_role("heading", name="Wal fyw")).to_be_visible()
    await assert_accessible(page, "projector in Welsh with the live wall")
    await host.send({"type": "set_projector", "mode": "join"})
    await expect(page.get_by_role("heading", name="Ymunwch ar eich ffôn")).to_be_visible()
    await assert_accessible(page, "projector in Welsh, join screen")
    await context.close()

    context, page = await open_as(browser, server.local(links.host_url), locale="cy")
    await expect(page.locator("html")).to_have_attribute("lang", "cy")
    await expect(page).to_have_title(re.compile("Consol y gwesteiwr"))
    await expect(page.locator("#connection")).to_have_text("Wedi cysylltu")  # the scripts too
    await expect(page.locator("#timer")).to_have_text(re.compile(r"(19|20) munud ar ôl"))
    await expect(page.get_by_role("button", name="Oedi’r amserydd")).to_be_visible()  # noqa: RUF001
    await assert_accessible(page, "host console in Welsh")
    await page.get_by_role("link", name="Pobl a byrddau").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Pobl a byrddau")
    await assert_accessible(page, "host console's people and tables in Welsh")
    await page.get_by_role("link", name="Argraffu cardiau bwrdd").click()
    await expect(page.locator("html")).to_have_attribute("lang", "cy")
    await expect(page.get_by_role("heading", name="Bwrdd 1")).to_be_visible()
    await expect(page.get_by_role("img", name="Cod QR i ymuno wrth Bwrdd 1")).to_be_visible()
    await assert_accessible(page, "table cards in Welsh")
    await context.close()


async def test_the_host_makes_the_session_welsh_and_a_new_english_phone_opens_in_welsh(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})

    console, page = await open_as(browser, server.local(links.host_url), locale="en-GB")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await assert_accessible(page, "host console in English")
    await page.get_by_role("link", name="Invite and settings").click()
    await page.get_by_label("Language for this session's pages and digests").select_option("cy")
    await page.get_by_role("button", name="Set the language").click()
    await expect(page.locator("html")).to_have_attribute("lang", "cy")
    await expect(page.get_by_role("status").filter(has_text="Wedi’i wneud.")).to_be_visible()  # noqa: RUF001
    await expect(page.locator("#session-language")).to_have_value("cy")
    await assert_accessible(page, "host console after choosing Welsh")

    phone, joining = await open_as(browser, server.local(links.room_url), locale="en-GB", **PHONE)
    await expect(joining.locator("html")).to_have_attribute("lang", "cy")
    await joining.get_by_label("Eich enw").fill("Owain")
    await joining.get_by_role("button", name="Ymuno").click()
    await expect(joining.locator("#connection")).to_have_text("Wedi cysylltu")
    await assert_accessible(joining, "participant page in the session's Welsh")
    await (
        joining.get_by_role("navigation", name="Iaith").get_by_role("link", name="English").click()
    )
    await expect(joining.locator("html")).to_have_attribute("lang", "en")
    await expect(joining.get_by_role("button", name="Raise my hand")).to_be_visible()
    await assert_accessible(joining, "participant page switched to English")
    await phone.close()

    await page.get_by_role("navigation", name="Iaith").get_by_role("link", name="English").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Invite and settings")
    await console.close()


async def test_the_admin_page_speaks_welsh_and_makes_a_welsh_session(
    browser: Browser, server: Server
) -> None:
    link = await server.admin_link()
    context, page = await open_as(browser, link, locale="cy")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Creu sesiwn")
    await assert_accessible(page, "admin page in Welsh")
    await page.get_by_label("Teitl").fill("Cynllun y pentref")
    await page.get_by_label("Iaith y sesiwn").select_option("cy")
    await page.get_by_label("Trwydded y cynhaeaf").select_option("CC BY 4.0")
    await page.get_by_role("button", name="Creu’r sesiwn").click()  # noqa: RUF001
    await expect(page.get_by_role("heading", name="Sesiwn wedi’i chreu")).to_be_visible()  # noqa: RUF001
    await assert_accessible(page, "admin page in Welsh with a new session")
    room = await page.get_by_label("Dolen yr ystafell").input_value()
    assert room
    await context.close()

    context, phone = await open_as(browser, server.local(room), locale="en-GB", **PHONE)
    await expect(phone.locator("html")).to_have_attribute("lang", "cy")
    await context.close()
