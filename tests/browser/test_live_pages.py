"""The live pages in a real browser: joining by QR on a phone, hosting, notes and hands."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.browser.support import (
    PHONE,
    assert_accessible,
    console_page,
    join,
    open_as,
    scan_qr,
)
from tests.harness import Server


async def click(page: Page, name: str) -> None:
    """Press a console button by its visible name and wait for its section's answer."""
    await page.get_by_role("button", name=name, exact=True).click()
    await expect(page.locator("#notice")).to_have_text("Done.")


async def test_a_table_conversation_between_room_and_remote(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe", title="Village hall")
    _, host = await open_as(browser, server.local(links.host_url))
    await expect(host.get_by_role("button", name="Open Welcome")).to_be_visible()
    await assert_accessible(host, "host console, new session")

    await console_page(host, "People and tables")
    await host.get_by_label("Name", exact=True).fill("Table 4")
    await host.get_by_label("Has seats for remote people").check()
    await click(host, "Add group")
    await console_page(host, "Phases")
    await click(host, "Open Round 1")  # its timer starts with it
    await expect(host.locator("#timer")).to_have_text(re.compile(r"(19|20) minutes left"))
    await assert_accessible(host, "host console, phase open and timer running")
    await console_page(host, "People and tables")

    cards = await host.context.new_page()
    await cards.goto(host.url)
    async with cards.expect_navigation():
        await cards.get_by_role("link", name="Print table cards").click()
    await expect(cards.get_by_role("heading", name="Table 4")).to_be_visible()
    await expect(cards.locator(".card-question")).to_have_text("What do we notice?")
    await assert_accessible(cards, "table cards")
    table_link = await scan_qr(cards, ".card .qr svg")

    # Rhian scans the card at table 4 with her phone.
    _, room = await open_as(browser, server.local(table_link), **PHONE)
    await expect(room.get_by_text("at Table 4")).to_be_visible()
    await assert_accessible(room, "join page from a table card")
    await room.get_by_label("Your name").fill("Rhian")
    await room.get_by_role("button", name="Join").click()
    await expect(room.locator("#status-line")).to_have_text(
        re.compile(r"Round 1 of 3 — Table 4 — (19|20) minutes left")
    )
    await expect(room.get_by_role("heading", level=1)).to_have_text("What do we notice?")
    await expect(room.locator("#connection")).to_have_text("Connected")
    await assert_accessible(room, "participant page on a phone")

    # Dewi joins from home by the remote link; the host seats him at table 4.
    _, remote = await join(browser, server, links.remote_url, "Dewi")
    await expect(remote.locator("#where-text")).to_have_text("Everyone together")
    await expect(host.get_by_label("Move Dewi to")).to_be_visible()
    await host.get_by_label("Move Dewi to").select_option(label="Table 4")
    await (
        host.get_by_label("Move Dewi to")
        .locator("xpath=..")
        .get_by_role("button", name="Move")
        .click()
    )
    await expect(host.locator("#notice")).to_have_text("Done.")
    await expect(remote.locator("#where-text")).to_have_text("Table 4")
    await expect(remote.locator("#connection")).to_have_text("Connected")

    await room.get_by_label("Your note").fill("The bus only comes at 9")
    await room.get_by_role("button", name="Add note").click()
    await expect(remote.locator("#notes")).to_contain_text("The bus only comes at 9")
    await remote.get_by_label("Your note").fill("Lifts could be shared")
    await remote.get_by_role("button", name="Add note").click()
    await expect(room.locator("#notes")).to_contain_text("Lifts could be shared")
    await expect(room.locator("#notes .note")).to_have_count(2)
    await console_page(host, "Harvest")
    await expect(host.locator("#notes")).to_contain_text("Lifts could be shared")
    await console_page(host, "Now")

    await room.get_by_role("button", name="Raise my hand").click()
    await expect(room.get_by_role("button", name="Lower my hand")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(host.locator("#hands li")).to_have_count(1)
    await remote.get_by_role("button", name="Raise my hand").click()
    await expect(host.locator("#hands li")).to_have_count(2)
    first, second = host.locator("#hands li").nth(0), host.locator("#hands li").nth(1)
    await expect(first).to_contain_text("Rhian")
    await expect(first).to_contain_text("in the room")
    await expect(first).to_contain_text("waited longest")
    await expect(second).to_contain_text("Dewi")
    await expect(second).to_contain_text("remote")
    await host.get_by_label("Announcement").fill("Tea is ready at the back")
    await click(host, "Announce")
    for phone in (room, remote):
        await expect(phone.get_by_role("region", name="From the host")).to_contain_text(
            "Tea is ready at the back"
        )
        await expect(phone.locator("#announcer")).to_have_text(
            re.compile(r"^Announcement at [0-9: APM]+: Tea is ready at the back$")
        )
    await assert_accessible(host, "host console with hands up and notes")
    await assert_accessible(room, "participant page with notes and a hand up")

    await click(host, "Live wall")
    _, projector = await open_as(browser, server.local(links.projector_url))
    await expect(projector.locator(".join-code")).to_contain_text(links.join_code)
    await expect(projector.get_by_role("heading", level=1)).to_have_text("What do we notice?")
    assert server.local(await scan_qr(projector, ".qr svg")) == server.local(links.room_url)
    await assert_accessible(projector, "projector")
