"""A photo from a phone in a hall whose laptop has lost the internet: the hall sees it at
once, home sees it when the line is back; and home's photos show in the hall."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.browser.support import PHONE, assert_accessible, join
from tests.browser.test_hall_laptop import DOWN, KEPT
from tests.browser.test_photos import flipchart_png
from tests.harness import Person, Server
from tests.reliability.relay_process import hall_laptop


async def add_photo(page: Page, description: str) -> None:
    await page.get_by_label("Photo of a flipchart or notes").set_input_files(
        {"name": "flipchart.png", "mimeType": "image/png", "buffer": flipchart_png()}
    )
    await page.get_by_label("Describe the photo in a sentence").fill(description)
    await page.get_by_role("button", name="Add photo").click()


async def shows_photo(page: Page, description: str) -> None:
    image = page.get_by_role("img", name=description)
    await expect(image).to_be_visible(timeout=30_000)
    await expect(image).to_have_js_property("complete", True)
    assert await image.evaluate("img => img.naturalWidth > 0")  # loaded, not a broken image


async def test_a_hall_photo_taken_offline_is_seen_in_the_hall_then_at_home(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    links = await server.new_session("world-cafe", venues=("Hall A",))
    host = Person.from_link(server, links.host_url)
    await host.connect()
    opened = await host.send({"type": "open_phase", "phase_id": "p2", "seat": False})
    assert opened["type"] == "ack"
    async with hall_laptop(server, links, tmp_path / "hall") as (proxy, hall):
        room = f"{hall.public_url}/j/{links.join_code}/room"
        _, phone = await join(browser, hall.as_server(), room, "Rhian", **PHONE)
        _, home = await join(browser, server, links.remote_url, "Dewi")
        await expect(phone.locator("#connection")).to_have_text("Connected")

        proxy.drop()
        await expect(phone.locator("#connection")).to_have_text(DOWN, timeout=20_000)
        await add_photo(phone, "Flipchart: the hall's bus plan")
        await shows_photo(phone, "Flipchart: the hall's bus plan")  # at once, offline
        note = phone.locator("#notes li", has_text="Flipchart: the hall's bus plan")
        await expect(note).to_contain_text(KEPT)
        await assert_accessible(phone, "a phone with a photo kept in the hall")

        proxy.restore()  # the hall shares it, photo first, and home sees it
        await expect(phone.locator("#connection")).to_have_text("Connected", timeout=30_000)
        await shows_photo(home, "Flipchart: the hall's bus plan")
        await expect(note).not_to_contain_text(KEPT)

        await add_photo(home, "Kitchen table: our three ideas")  # and back the other way
        await shows_photo(phone, "Kitchen table: our three ideas")
