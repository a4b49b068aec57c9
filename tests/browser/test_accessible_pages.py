"""Zero axe-core violations on the pages nobody is live on: landing, join by code, admin."""

from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, open_as
from tests.harness import Server


async def test_joining_by_code_is_accessible_including_its_error(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    _, page = await open_as(browser, server.url + "/", **PHONE)
    await assert_accessible(page, "landing page")
    await page.get_by_role("link", name="Type a join code").click()
    await assert_accessible(page, "join-by-code page")

    await page.get_by_label("The 6-character code").fill("NOPE00")
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("alert")).to_contain_text("That code was not found")
    await expect(page.get_by_label("The 6-character code")).to_have_attribute(
        "aria-invalid", "true"
    )
    await assert_accessible(page, "join-by-code page with an error")

    await page.get_by_label("The 6-character code").fill(links.join_code.lower())
    await page.get_by_label("Joining from elsewhere").check()
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_text("from elsewhere")).to_be_visible()
    await page.get_by_label("Stay anonymous").check()
    await page.get_by_role("button", name="Join").click()
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.locator(".you")).to_contain_text("You are Anonymous")
    await assert_accessible(page, "participant page, anonymous and remote, no phase open")


async def test_the_admin_page_is_accessible_before_and_after_creating_a_session(
    browser: Browser, server: Server
) -> None:
    link = await server.admin_link()
    _, page = await open_as(browser, link)
    await assert_accessible(page, "admin page")
    await page.get_by_label("Title").fill("Llanfair village plan")
    await page.get_by_role("button", name="Create session").click()  # no licence: the form asks
    await expect(page.get_by_label("Title")).to_be_visible()
    await page.get_by_label("Licence of the harvest").select_option("CC BY 4.0")
    await page.get_by_role("button", name="Create session").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Session created: Llanfair village plan"
    )
    await expect(page.get_by_role("heading", name="Create a session")).to_have_count(0)
    await expect(page.locator("form")).to_have_count(0)  # no empty copy of the form
    await expect(page.get_by_role("img", name="QR code to join this session")).to_be_visible()
    await expect(page.get_by_role("button", name=re.compile(r"^Copy\W+Room link$"))).to_be_visible()
    await assert_accessible(page, "admin page with a new session")
    await page.get_by_role("link", name="Create another session").click()
    listed = page.get_by_role("region", name="Sessions on this server")
    await expect(listed.get_by_role("heading", name="Llanfair village plan")).to_be_visible()
    host_link = listed.get_by_role(
        "link", name=re.compile(r"^Host console\W+Llanfair village plan$")
    )
    await expect(host_link).to_be_visible()
    await assert_accessible(page, "admin page listing a session")


async def test_table_cards_are_for_hosts_only(browser: Browser, server: Server) -> None:
    links = await server.new_session("world-cafe")
    _, page = await open_as(browser, server.local(links.room_url))
    await page.get_by_label("Your name").fill("Rhian")
    await page.get_by_role("button", name="Join").click()
    await page.wait_for_url("**/s/*")
    response = await page.goto(f"{server.url}/s/{links.session_id}/cards")
    assert response is not None and response.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text("Hosts only")
