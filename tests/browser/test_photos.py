"""A photo of the flipchart from a phone, with the description people hear instead."""

from __future__ import annotations

import io

import PIL.Image
from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, join
from tests.harness import Person, Server


def flipchart_png() -> bytes:
    buffer = io.BytesIO()
    PIL.Image.new("RGB", (64, 48), (250, 250, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


async def test_a_photo_with_its_description_reaches_the_table(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    _, phone = await join(browser, server, links.room_url, "Rhian", **PHONE)
    _, other = await join(browser, server, links.remote_url, "Dewi")
    await expect(phone.locator("#connection")).to_have_text("Connected")

    photo = phone.get_by_label("Photo of a flipchart or notes")
    assert await photo.get_attribute("capture") == "environment"
    await photo.set_input_files(
        {"name": "flipchart.png", "mimeType": "image/png", "buffer": flipchart_png()}
    )
    await phone.get_by_role("button", name="Add photo").click()
    description = phone.get_by_label("Describe the photo in a sentence")
    assert await description.evaluate("box => box.validity.valueMissing")
    await expect(phone.locator("#notes img")).to_have_count(0)  # no description, no upload

    await description.fill("Flipchart: three ideas for the bus")
    await phone.get_by_role("button", name="Add photo").click()
    for page in (phone, other):
        image = page.get_by_role("img", name="Flipchart: three ideas for the bus")
        await expect(image).to_be_visible()
        assert await image.evaluate("img => img.complete && img.naturalWidth > 0")
    await assert_accessible(phone, "participant page with a photo")
