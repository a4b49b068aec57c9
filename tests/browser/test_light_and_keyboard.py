"""Light and local pages, operable by keyboard alone with a visible focus."""

from __future__ import annotations

import re
import time
from typing import Any

from playwright.async_api import Browser, Locator, Page, Request, expect

from tests.browser.support import PHONE, assert_accessible, join, open_as
from tests.harness import Person, Server

BUDGET = 50 * 1024  # bytes on the wire for a phone's first load, scan to conversation


async def open_round_one(server: Server, links: Any) -> Person:
    host = Person.from_link(server, links.host_url)
    await host.connect()
    assert (
        await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    )["type"] == "ack"
    return host


async def test_first_load_is_under_50_kb_and_stays_on_the_server(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    await open_round_one(server, links)
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    requests: list[Request] = []
    sockets: list[str] = []
    page.on("request", lambda request: requests.append(request))
    page.on("websocket", lambda ws: sockets.append(ws.url))

    await page.goto(server.local(links.room_url))
    await page.get_by_label("Your name").fill("Rhian")
    await page.get_by_role("button", name="Join").click()
    await expect(page.locator("#connection")).to_have_text("Connected")
    await page.wait_for_load_state("networkidle")

    transferred = 0
    for request in requests:
        sizes = await request.sizes()
        transferred += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    print(f"first load: {len(requests)} requests, {transferred} bytes transferred")
    assert transferred <= BUDGET, f"{transferred} bytes is over the {BUDGET} byte budget"
    origin = server.url
    outside = [r.url for r in requests if not r.url.startswith(origin + "/")]
    outside += [u for u in sockets if not u.startswith(origin.replace("http", "ws") + "/")]
    assert outside == []
    assert {r.resource_type for r in requests} >= {"document", "stylesheet", "script"}


async def test_joining_on_a_slow_3g_connection_takes_seconds_not_minutes(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    await open_round_one(server, links)
    context = await browser.new_context(**PHONE)
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    # Chrome DevTools' "Slow 3G": 400 ms round trips, about 50 KB/s down, 50 KB/s up.
    slow = {"latency": 400, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
    await cdp.send("Network.emulateNetworkConditions", {"offline": False, **slow})
    started = time.monotonic()
    await page.goto(server.local(links.room_url))
    await page.get_by_label("Your name").fill("Rhian")
    await page.get_by_role("button", name="Join").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("What do we notice?")
    await expect(page.get_by_label("Your note")).to_be_editable()
    elapsed = time.monotonic() - started
    print(f"slow 3G: scan to note box in {elapsed:.1f} s")
    assert elapsed < 15  # about 2.5 s on an idle machine


async def focus_visible(page: Page) -> bool:
    outline = await page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
    )
    return bool(outline[0] != "none" and outline[1] >= 2)


async def tab_to(page: Page, target: Locator, limit: int = 80) -> None:
    """Press Tab until ``target`` has the focus, checking every stop shows a visible focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        assert await focus_visible(page), await page.evaluate(
            "() => document.activeElement.outerHTML.slice(0, 200)"
        )
        if await target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {target}")


async def test_a_participant_takes_part_with_the_keyboard_alone(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = await open_round_one(server, links)
    _, page = await join(browser, server, links.remote_url, "Carys")
    await expect(page.locator("#connection")).to_have_text("Connected")

    await tab_to(page, page.get_by_label("Your note"))
    await page.keyboard.type("I can only stay ten minutes, but the bus matters")
    await tab_to(page, page.get_by_role("button", name="Add note"))
    await page.keyboard.press("Enter")
    await expect(page.locator("#notes")).to_contain_text("the bus matters")
    await tab_to(page, page.get_by_role("button", name="Raise my hand"))
    await page.keyboard.press("Space")
    await expect(page.get_by_role("button", name="Lower my hand")).to_be_focused()
    await expect(page.get_by_role("button", name="Lower my hand")).to_have_attribute(
        "aria-pressed", "true"
    )
    state = await host.snapshot()
    assert [h for q in state["hands"].values() for h in q]
    await assert_accessible(page, "participant page after keyboard use")


async def test_a_host_opens_a_phase_its_timer_starts_and_pauses_with_the_keyboard_alone(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    _, page = await open_as(browser, server.local(links.host_url))
    await tab_to(page, page.get_by_role("button", name="Open Welcome"))
    await page.keyboard.press("Enter")
    await expect(page.locator("#now-heading")).to_have_text("Welcome")
    # The focus stays in the phase's section, and the timer started with the phase.
    await expect(page.locator("#now-heading")).to_be_focused()
    await expect(page.locator("#timer")).to_have_text(re.compile(r"(9|10) minutes left"))
    await tab_to(page, page.get_by_role("button", name="Pause timer"), limit=2)
    await page.keyboard.press("Space")
    await expect(page.get_by_role("button", name="Resume timer")).to_be_focused()


async def test_at_320_px_with_text_at_200_percent_nothing_needs_sideways_scrolling(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe", title="Llanfair Pwllgwyngyll village hall")
    host = await open_round_one(server, links)
    await host.send({"type": "start_timer"})
    await host.send({"type": "announce", "text": "Tea and Welsh cakes at the back at eleven"})
    narrow = {**PHONE, "viewport": {"width": 320, "height": 640}}
    _, page = await join(browser, server, links.room_url, "Bartholomew-Llewellyn", **narrow)
    await page.get_by_label("Your note").fill("x")
    await page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"content is {widths[0]} px wide in a {widths[1]} px screen"
    await assert_accessible(page, "participant page at 320 px and 200% text")


async def test_the_host_console_fits_a_tablet_without_sideways_scrolling(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = await open_round_one(server, links)
    await host.send({"type": "create_group", "name": "Table by the window", "cell_id": "venue-1"})
    await host.send({"type": "start_timer"})
    await join(browser, server, links.room_url, "Rhian")
    await join(browser, server, links.remote_url, "Dewi")
    tablet = {"viewport": {"width": 768, "height": 1024}, "is_mobile": True, "has_touch": True}
    _, page = await open_as(browser, server.local(links.host_url), **tablet)
    await expect(
        page.get_by_role("button", name="Open Round 2 and move travellers")
    ).to_be_visible()
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"the Now page is {widths[0]} px wide in {widths[1]} px"
    await page.goto(page.url + "/people")
    await expect(page.get_by_label("Move Dewi to")).to_be_visible()
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"content is {widths[0]} px wide in a {widths[1]} px screen"
    await assert_accessible(page, "host console on a tablet")
