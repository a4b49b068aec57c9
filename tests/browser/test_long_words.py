"""A 134-character word and a long link wrap on every page of a 320 px phone: nothing
needs sideways scrolling (the participant page, join form, host console, projector, admin
page and the published digest)."""

from __future__ import annotations

import httpx
from playwright.async_api import Browser, Page, expect

from tests.browser.support import open_as
from tests.format_play import act
from tests.harness import Person, Server

NARROW = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}
WORD = "Llanfairpwllgwyngyll" * 6 + "gogogochgogogoch"  # 136 letters, no break
LINK = "https://example.org/" + "community-council/minutes/2026/" * 4 + "?page=1"
LONG = f"{WORD[:134]} {LINK}"


async def assert_no_sideways_scroll(page: Page, what: str) -> None:
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{what}: {widths[0]} px of content in a {widths[1]} px screen"


async def test_a_134_character_word_and_a_long_link_wrap_on_every_page_at_320_px(
    browser: Browser, server: Server
) -> None:
    assert len(WORD[:134]) == 134
    links = await server.new_session("world-cafe", title=WORD[:134], purpose=LONG)
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await act(host, {"type": "create_group", "name": WORD[:60], "cell_id": "venue-1"})
    await act(host, {"type": "open_phase", "phase_id": "p2"})
    await act(host, {"type": "edit_phase", "phase_id": "p2", "question": LONG})
    await act(host, {"type": "announce", "text": LONG})
    await act(host, {"type": "set_projector", "mode": "wall"})
    table = next(g["id"] for g in (await host.snapshot())["groups"])

    context, page = await open_as(
        browser, server.local(f"{links.room_url}?table={table}"), **NARROW
    )
    await assert_no_sideways_scroll(page, "join form")
    await page.get_by_label("Your name").fill(WORD[:60])
    await page.get_by_role("button", name="Join").click()
    await page.wait_for_url("**/s/*")
    await expect(page.locator("#connection")).to_have_text("Connected")
    await page.get_by_label("Your note").fill(LONG)
    await page.get_by_role("button", name="Add note").click()
    await expect(page.locator("#notes")).to_contain_text(WORD[:134])
    await expect(page.locator("#own li")).to_have_count(1)
    await assert_no_sideways_scroll(page, "participant page")
    await act(host, {"type": "post_contribution", "kind": "insight", "text": LONG})

    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{server.url}/s/{host.session_id}/publish", data={}, headers=host.headers
        )
    published = server.local(answer.json()["url"])
    for what, url in (
        ("host console", links.host_url),
        ("projector with the live wall", links.projector_url),
        ("published digest", published),
        ("published digest, large print", published + "/large-print"),
        ("admin page", await server.admin_link()),
    ):
        _, other = await open_as(browser, server.local(url), **NARROW)
        if what.startswith("projector"):
            await expect(other.locator(".wall")).to_contain_text(WORD[:134])
        await assert_no_sideways_scroll(other, what)
        if what == "admin page":  # and the page that shows a new session's links
            await other.get_by_label("Title").fill(WORD[:134])
            await other.get_by_label("Licence of the harvest").select_option("CC BY 4.0")
            await other.get_by_role("button", name="Create session").click()
            await expect(other.get_by_text("Session created")).to_be_visible()
            await assert_no_sideways_scroll(other, "admin page, session created")
        await other.context.close()
    await context.close()
