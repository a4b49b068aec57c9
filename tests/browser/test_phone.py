"""A phone that confirms: a note shows beside the form at once and then as confirmed, my own
notes are listed by the form, announcements carry their time and can be dismissed, a remote
person learns how to hear their table, and the text size is the person's own."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, WebSocketRoute, expect

from hostkit.sessions import SessionLinks
from tests.browser.support import assert_accessible, join, open_as
from tests.format_play import act
from tests.harness import Person, Server

TALL_PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SMALL_PHONE = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


async def round_one(server: Server, **table: Any) -> tuple[SessionLinks, Person, str]:
    """A World Café in round 1 with one table in the hall; the host's socket and the table."""
    links = await server.new_session("world-cafe", purpose="How can our high street thrive again?")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await act(host, {"type": "create_group", "name": "Table 1", "cell_id": "venue-1", **table})
    await act(host, {"type": "open_phase", "phase_id": "p2"})
    group = next(g["id"] for g in (await host.snapshot())["groups"] if g["name"] == "Table 1")
    return links, host, group


async def typing_at_home(browser: Browser, server: Server, name: str) -> tuple[Person, Page]:
    """Round 1, and someone at home connected with the focus in the note box."""
    links, host, _ = await round_one(server)
    _, page = await join(browser, server, links.remote_url, name, **TALL_PHONE)
    await expect(page.locator("#connection")).to_have_text("Connected")
    await page.get_by_label("Your note").focus()
    return host, page


async def in_viewport(page: Page, selector: str) -> bool:
    return bool(
        await page.locator(selector).evaluate(
            "el => { const r = el.getBoundingClientRect(); return r.top >= 0"
            " && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth; }"
        )
    )


async def test_a_posted_note_shows_beside_the_form_at_once_then_as_confirmed(
    browser: Browser, server: Server
) -> None:
    links, _, table = await round_one(server)
    context, page = await join(
        browser, server, f"{links.room_url}?table={table}", "Rhian", **TALL_PHONE
    )
    await expect(page.locator("#connection")).to_have_text("Connected")
    # Hold the server's acks back, as a slow hall Wi-Fi would, to see the moment before one.
    held: list[str] = []
    acked = asyncio.Event()
    socket: list[WebSocketRoute] = []

    def from_server(ws: WebSocketRoute, message: str | bytes) -> None:
        if '"type":"ack"' in str(message):
            held.append(str(message))
            acked.set()
        else:
            ws.send(message)

    def hold_acks(ws: WebSocketRoute) -> None:
        server_side = ws.connect_to_server()
        socket.append(ws)
        server_side.on_message(lambda m: from_server(ws, m))

    await page.route_web_socket(re.compile(r".*/live$"), hold_acks)
    await page.reload()
    await expect(page.locator("#connection")).to_have_text("Connected")

    await page.get_by_label("Your note").fill("The bus only comes at nine")
    await page.get_by_role("button", name="Add note").click()
    status = page.locator("#post-status")
    await expect(status).to_have_text("Added — visible to your table. Sending…")
    assert await in_viewport(page, "#post-status")
    await expect(page.locator("#outbox")).to_contain_text("The bus only comes at nine")
    assert await in_viewport(page, "#outbox li")

    async with asyncio.timeout(10):
        await acked.wait()
    socket[0].send(held[0])  # the ack arrives
    await expect(status).to_have_text("✓ Added — visible to your table. Confirmed.")
    mine = page.locator("#own li").first
    await expect(mine).to_have_text(
        re.compile(r"^✓ Confirmed · visible to your table\s*The bus only comes at nine$")
    )
    assert await in_viewport(page, "#own li")
    await expect(page.locator("#outbox")).to_have_count(0)
    await expect(page.locator("#note-text")).to_have_value("")
    await assert_accessible(page, "participant page, a note just confirmed")

    # Reloaded: still listed by the form, confirmed; the note's words start at its edge.
    await page.unroute_all()
    await page.reload()
    await expect(page.locator("#own li")).to_have_count(1)
    await expect(page.locator("#own .own-state")).to_have_text(
        "✓ Confirmed · visible to your table"
    )
    gap = await page.locator("#notes .note .text").first.evaluate(
        "el => { const r = document.createRange(); r.setStart(el.firstChild, 0);"
        " r.setEnd(el.firstChild, 1); const li = el.closest('li'), s = getComputedStyle(li);"
        " return r.getBoundingClientRect().left - li.getBoundingClientRect().left"
        " - parseFloat(s.paddingLeft) - parseFloat(s.borderLeftWidth); }"
    )
    assert abs(gap) < 1, f"the note's text starts {gap} px in: a leading space"
    await context.close()


async def test_without_javascript_the_note_form_answers_beside_itself(
    browser: Browser, server: Server
) -> None:
    links, _, _ = await round_one(server)
    _, page = await join(
        browser, server, links.remote_url, "Dewi", java_script_enabled=False, **TALL_PHONE
    )
    await page.get_by_label("Your note").fill("Lifts could be shared")
    async with page.expect_navigation():
        await page.get_by_role("button", name="Add note").click()
    assert page.url.endswith("#add-heading")
    await expect(page.locator("#post-status")).to_have_text("✓ Added — visible to everyone")
    assert await in_viewport(page, "#post-status")
    await expect(page.locator("#own li")).to_have_text(
        re.compile(r"✓ Confirmed · visible to everyone\s*Lifts could be shared")
    )
    assert await in_viewport(page, "#own li")
    await expect(page.locator("main > .notice")).to_have_count(0)  # not at the top, far away


async def test_the_hosts_own_question_reaches_the_phone_live(
    browser: Browser, server: Server
) -> None:
    host, page = await typing_at_home(browser, server, "Carys")
    await expect(page.locator(".purpose")).to_contain_text("How can our high street thrive again?")
    await expect(page.get_by_role("heading", level=1)).to_have_text("What do we notice?")
    await act(host, {"type": "edit_phase", "phase_id": "p2", "question": "What do we love here?"})
    await expect(page.get_by_role("heading", level=1)).to_have_text("What do we love here?")
    await expect(page.locator("#announcer")).to_have_text(
        "The host changed the question: What do we love here?"
    )
    await expect(page.get_by_label("Your note")).to_be_focused()


async def test_announcements_carry_their_time_can_be_dismissed_and_leave_with_their_phase(
    browser: Browser, server: Server
) -> None:
    host, page = await typing_at_home(browser, server, "Gwen")
    await act(host, {"type": "announce", "text": "Tea and Welsh cakes at the back at eleven"})
    item = page.locator("#announcements li")
    await expect(item).to_contain_text("Tea and Welsh cakes")
    now = await page.evaluate("() => [new Date().getHours(), new Date().getMinutes()]")
    await expect(item.locator("time")).to_have_text(re.compile(r"^\d\d:\d\d( [AP]M)?$"))
    shown = await item.locator("time").text_content()
    assert shown is not None and abs(_minutes(shown) - (now[0] * 60 + now[1])) <= 1  # local
    await expect(page.locator("#announcer")).to_have_text(
        f"Announcement at {shown}: Tea and Welsh cakes at the back at eleven"
    )
    await expect(page.get_by_label("Your note")).to_be_focused()  # told, not moved
    await assert_accessible(page, "participant page with an announcement")

    await item.get_by_role("button", name="Dismiss").click()
    await expect(page.locator("#announcements-section")).to_be_hidden()
    await page.reload()  # remembered on this phone
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.locator("#announcements-section")).to_be_hidden()

    await act(host, {"type": "announce", "text": "Ten minutes left in this round"})
    await expect(item).to_contain_text("Ten minutes left")
    await act(host, {"type": "open_phase", "phase_id": "p3"})  # round 2: a new page
    await expect(page.locator("#status-line")).to_contain_text("Round 2")
    await expect(page.locator("#announcements-section")).to_be_hidden()


def _minutes(clock: str) -> int:
    """Minutes after midnight of a clock as a phone shows it: 13:05 or 01:05 PM."""
    hours, minutes = clock[:5].split(":")
    evening = 12 if clock.endswith("PM") else 0
    return (int(hours) % 12 + evening if clock.endswith("M") else int(hours)) * 60 + int(minutes)


async def test_a_remote_person_at_a_hybrid_table_is_told_how_to_hear_it(
    browser: Browser, server: Server
) -> None:
    links, host, table = await round_one(server, remote_seats=True)
    _, page = await join(browser, server, f"{links.remote_url}?table={table}", "Dewi", **TALL_PHONE)
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.locator("#call-missing")).to_contain_text("no call link yet")
    await expect(page.get_by_role("link", name=re.compile("Join the call"))).to_be_hidden()

    await act(
        host, {"type": "set_call_url", "group_id": table, "call_url": "https://call.example/t1"}
    )
    link = page.get_by_role("link", name=re.compile("Join the call for Table 1"))
    await expect(link).to_have_attribute("href", "https://call.example/t1")
    await expect(page.locator("#call-how")).to_have_text(
        re.compile("seats for people at home. Open the call to hear the table")
    )
    await expect(page.locator("#call-missing")).to_be_hidden()
    await expect(page.locator("#announcer")).to_have_text(
        "Your table now has a call link: open it to hear the table."
    )
    await assert_accessible(page, "a remote person at a hybrid table, with the call link")


async def test_the_text_size_is_chosen_by_keyboard_and_remembered_on_the_phone(
    browser: Browser, server: Server
) -> None:
    links, _, _ = await round_one(server)
    context, page = await open_as(browser, server.local(links.room_url), **SMALL_PHONE)
    sizes = page.get_by_role("group", name="Text size")
    await sizes.get_by_role("button", name="Larger").focus()
    await page.keyboard.press("Enter")
    await expect(sizes.get_by_role("button", name="Larger")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert await _root_font(page) == 24
    await assert_accessible(page, "join page with larger text")
    await page.get_by_label("Your name").fill("Morfydd")
    await page.get_by_role("button", name="Join").click()
    await page.wait_for_url("**/s/*")
    assert await _root_font(page) == 24  # the participant page too, from the first paint
    sizes = page.get_by_role("group", name="Text size")
    await expect(sizes.get_by_role("button", name="Larger")).to_have_attribute(
        "aria-pressed", "true"
    )
    await sizes.get_by_role("button", name="Large", exact=True).click()
    await page.reload()
    assert await _root_font(page) == 20
    await context.close()


async def _root_font(page: Page) -> float:
    return float(
        await page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")
    )


async def test_the_phone_is_axe_clean_at_320_and_390_px_in_english_and_welsh(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    links, host, table = await round_one(server, remote_seats=True)
    await act(host, {"type": "announce", "text": "Tea and Welsh cakes at the back at eleven"})
    for locale, width in (("en-GB", 390), ("en-GB", 320), ("cy-GB", 390), ("cy-GB", 320)):
        what = f"{locale} at {width} px"
        size = {**TALL_PHONE, "viewport": {"width": width, "height": 844 if width > 320 else 640}}
        context, page = await open_as(
            browser, server.local(f"{links.remote_url}?table={table}"), locale=locale, **size
        )
        await assert_accessible(page, f"join form, {what}")
        await page.locator("#name").fill("Dewi")
        await page.locator("form button[type=submit]").click()
        await page.wait_for_url("**/s/*")
        await page.locator("#note-text").fill("The bus only comes at nine")
        await page.locator("#note-form button[type=submit]").click()
        await expect(page.locator("#own li")).to_have_count(1)
        await expect(page.locator("#post-status")).to_contain_text("✓")
        await assert_accessible(page, f"participant page with a confirmed note, {what}")
        await page.locator("#text-size button[data-size=larger]").click()
        await assert_accessible(page, f"participant page, larger text, {what}")
        await page.locator("#text-size button[data-size=normal]").click()
        await page.locator("#note-text").focus()
        await page.screenshot(path=tmp_path / f"phone-{locale}-{width}.png")
        if (locale, width) == ("en-GB", 390):  # the README's phone (docs/screenshots)
            SCREENSHOTS.mkdir(exist_ok=True)
            await page.screenshot(path=SCREENSHOTS / "phone.png")
        await context.close()
    print(f"phone screenshots: {tmp_path}")
