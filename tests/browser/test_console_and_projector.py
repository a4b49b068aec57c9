"""The host console's Now page on a laptop and the projector in a hall, in a real browser.

The Now page must hold everything a host needs while a phase runs inside a 1280x800 screen,
and no control may send the host elsewhere on the page. The projector must be readable
from the back of a hall at 1920x1080 and 1280x720. Both save the screenshots README shows.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from hostkit.sessions import SessionLinks
from tests.browser.support import LAPTOP, PHONE, assert_accessible, open_as
from tests.harness import Person, Server

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
QUESTION = "What would make Llanfair's high street a place you visit every week?"


async def running_cafe(server: Server) -> tuple[SessionLinks, Person]:
    """A World Café in round 1 with the host's own question, its timer running, people
    in the room and at home, and two hands up."""
    links = await server.new_session("world-cafe", title="Llanfair high street")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    for command in (
        {"type": "edit_phase", "phase_id": "p2", "question": QUESTION},
        {"type": "open_phase", "phase_id": "p2"},  # its timer starts with it
    ):
        assert (await host.send(command))["type"] == "ack", command
    for name, link in (("Rhian", links.room_url), ("Siôn", links.room_url)):
        person = await Person.join(server, link, name)
        await person.connect()
        await person.send(
            {"type": "post_contribution", "kind": "note", "text": f"{name}: more buses"}
        )
    dewi = await Person.join(server, links.remote_url, "Dewi")
    await dewi.connect()
    assert (await dewi.send({"type": "raise_hand"}))["type"] == "ack"
    return links, host


async def in_view(page: Page, selector: str) -> bool:
    """Whether the element is wholly inside the viewport as it is now (nothing scrolled)."""
    box = await page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


async def test_the_now_page_fits_a_laptop_and_no_control_moves_the_host_away(
    browser: Browser, server: Server
) -> None:
    links, _ = await running_cafe(server)
    _, page = await open_as(browser, server.local(links.host_url))
    await expect(page.locator("#connection")).to_have_text("Connected")
    await expect(page.locator("#now-question")).to_have_text(QUESTION)  # the host's own words
    await expect(page.locator("#timer")).to_contain_text("minutes left")
    await expect(page.locator("#next-step")).to_have_text("Open Round 2 and move travellers")
    assert await page.evaluate("() => window.scrollY") == 0
    for selector in ("#now-question", "#timer", "#next-step", "#hands", "#here", "#announce-text"):
        assert await in_view(page, selector), f"{selector} is below the first 800 px"
    await expect(page.locator("#hands")).to_contain_text("Dewi")
    # who is here: the people per venue, not the host's laptop nor the projector
    _, screen = await open_as(browser, server.local(links.projector_url))
    await expect(screen.locator("#connection")).to_have_text("Connected")
    for row, cells in enumerate((["Main room", "2", "0"], ["Online", "0", "1"])):
        await expect(page.locator("#here tbody tr").nth(row).locator("th, td")).to_have_text(cells)
    await screen.close()
    await assert_accessible(page, "Now page, a round running")
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "console-now.png"))

    # With JavaScript: the section answers in place; the host stays where they were.
    more = page.get_by_role("button", name="Add 5 minutes")
    await more.click()
    await expect(page.locator("section[aria-labelledby='now-heading'] #notice")).to_have_text(
        "Done."
    )
    await expect(page.get_by_role("button", name="Add 5 minutes")).to_be_focused()
    assert await page.evaluate("() => window.scrollY") == 0
    await page.get_by_role("button", name="Live wall").click()
    await expect(page.get_by_role("button", name="Live wall")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(page.get_by_role("button", name="Live wall")).to_be_focused()
    await page.get_by_label("Announcement (phones and the projector show it)").fill("Tea at 11")
    await page.get_by_role("button", name="Announce", exact=True).click()
    await expect(page.locator("section[aria-labelledby='announce-heading'] #notice")).to_have_text(
        "Done."
    )
    assert await page.evaluate("() => window.scrollY") == 0


async def test_without_javascript_a_form_comes_back_to_its_own_section_refusals_too(
    browser: Browser, server: Server
) -> None:
    links, _ = await running_cafe(server)
    context = await browser.new_context(**LAPTOP, java_script_enabled=False)
    page = await context.new_page()
    await page.goto(server.local(links.host_url))
    await page.goto(f"{server.url}/s/{links.session_id}/host/people")
    for button, section, said in (
        ("Set hat", "hats-heading", "Done."),
        ("Propose seating", "seating-heading", "tables"),  # a refusal, beside its button
    ):
        pressed = page.get_by_role("button", name=button)
        await pressed.scroll_into_view_if_needed()
        async with page.expect_navigation():
            await pressed.click()
        notice = f"section[aria-labelledby='{section}'] #notice"
        await expect(page.locator(notice)).to_contain_text(said)
        assert await in_view(page, notice), f"{button}: its answer is out of view"
        assert await in_view(page, f"#{section}")
        assert await page.evaluate("() => window.scrollY") > 0  # not back at the top
    await context.close()


async def font_px(page: Page, selector: str) -> float:
    size = await page.locator(selector).first.evaluate("el => getComputedStyle(el).fontSize")
    return float(size.removesuffix("px"))


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (1280, 720)])
async def test_the_projector_is_readable_from_the_back_of_a_hall(
    browser: Browser, server: Server, width: int, height: int
) -> None:
    links, host = await running_cafe(server)
    _, screen = await open_as(
        browser, server.local(links.projector_url), viewport={"width": width, "height": height}
    )
    await expect(screen.locator("#connection")).to_have_text("Connected")
    shown = await screen.locator("#connection").bounding_box()  # for screen readers only
    assert shown is not None and shown["width"] <= 1 and shown["height"] <= 1
    await expect(screen.get_by_role("heading", level=1)).to_have_text(QUESTION)
    assert await font_px(screen, ".question") >= 48
    assert await font_px(screen, ".timer") >= 40
    assert await font_px(screen, ".join-url") >= 32
    await expect(screen.locator(".join-url")).to_contain_text("/join")
    assert await in_view(screen, ".join-strip")
    assert await screen.locator("main a").count() == 0  # nothing for the host alone
    assert await screen.locator("nav").count() == 0  # no language switch

    # the host turns on the wall and announces from the console; the screen follows live
    await host.send({"type": "set_projector", "mode": "wall"})
    await expect(screen.get_by_role("heading", name="Live wall")).to_be_visible()
    await host.send({"type": "announce", "text": "Tea and Welsh cakes at the back"})
    announcement = screen.locator(".announcement")
    await expect(announcement).to_contain_text("Tea and Welsh cakes at the back")
    await expect(announcement.get_by_role("heading")).to_contain_text("Announcement at")
    assert await font_px(screen, ".announcement-text") >= 40
    await expect(screen.locator(".wall li").first).to_contain_text("more buses")
    assert await font_px(screen, ".wall li") >= 32
    assert await in_view(screen, ".join-strip")
    assert await font_px(screen, ".question") >= 48
    await assert_accessible(screen, f"projector wall at {width}x{height}")
    if width == 1920:
        await screen.screenshot(path=str(SCREENSHOTS / "projector.png"))

    await host.send({"type": "set_projector", "mode": "join"})
    await expect(screen.get_by_role("heading", name="Join on your phone")).to_be_visible()
    await host.send({"type": "set_projector", "mode": "results"})
    await expect(screen.get_by_role("heading", name="Results so far")).to_be_visible()
    await host.send({"type": "set_projector", "mode": "blank"})
    await expect(screen.locator(".join-strip")).to_have_count(0)


WIDTHS = (320, 390, 1280, 1920)


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_every_page_is_axe_clean_at_every_width_in_english_and_welsh(
    browser: Browser, server: Server, lang: str
) -> None:
    """The console's five pages (a round running: hands up, notes with dots, a hybrid
    table, an announcement on the screens), the projector (wall and announcement), the
    join form, a phone that joined, the landing and join-by-code pages, table cards, the
    admin page, a published digest and a problem page."""
    links, host_person = await running_cafe(server)
    for command in (
        {
            "type": "create_group",
            "name": "Window table",
            "cell_id": "venue-1",
            "remote_seats": True,
        },
        {"type": "announce", "text": "Tea and Welsh cakes at the back"},
        {"type": "set_projector", "mode": "wall"},
    ):
        assert (await host_person.send(command))["type"] == "ack", command
    notes = [c["id"] for c in (await host_person.snapshot())["contributions"]]
    assert (await host_person.send({"type": "cast_vote", "contribution_id": notes[0]}))[
        "type"
    ] == "ack"
    admin = await server.admin_link()
    _, host = await open_as(browser, server.local(links.host_url), locale=lang)
    _, screen = await open_as(browser, server.local(links.projector_url), locale=lang)
    _, joining = await open_as(browser, server.local(links.room_url), locale=lang, **PHONE)
    _, phone = await open_as(browser, server.local(links.remote_url), locale=lang, **PHONE)
    await phone.locator("#name").fill("Gwen")
    await phone.locator("form button[type=submit]").last.click()
    await expect(phone.locator("#announcements")).to_contain_text("Tea and Welsh cakes")
    _, office = await open_as(browser, admin, locale=lang)
    _, visitor = await open_as(browser, server.url + "/", locale=lang)
    console = f"{server.url}/s/{links.session_id}/host"
    await host.goto(f"{console}/harvest")
    await host.locator("form[action$='/publish'] button[type=submit]").click()
    digest = await host.locator(".publications a").first.get_attribute("href")
    assert digest
    tails = ("", "/phases", "/people", "/harvest", "/settings")
    pages: list[tuple[Page, str | None]] = [(host, f"{console}{tail}") for tail in tails]
    pages += [(host, f"{server.url}/s/{links.session_id}/cards")]
    pages += [(screen, None), (joining, None), (phone, None), (office, None), (visitor, None)]
    pages += [(visitor, f"{server.url}/join"), (visitor, server.local(digest))]
    pages += [(visitor, f"{server.url}/s/{links.session_id}/host")]  # not joined: a problem
    for page, url in pages:
        if url:
            await page.goto(url)
        # a digest is in the session's language (English here), whoever reads it
        shown = "en" if url and "/d/" in url else lang
        await expect(page.locator("html")).to_have_attribute("lang", shown)
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": 800})
            wide = await page.evaluate(
                "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            )
            assert wide, f"{page.url} needs sideways scrolling at {width} px"
            await assert_accessible(page, f"{page.url} at {width} px in {lang}")


@pytest.mark.parametrize("mode", ["question", "wall"])
async def test_the_projector_pages_through_everything_said_none_of_it_cut_off(
    browser: Browser, server: Server, mode: str
) -> None:
    links = await server.new_session("world-cafe", title="Llanfair high street")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p5", "timer": False})  # the harvest
    rhian = await Person.join(server, links.room_url, "Rhian")
    await rhian.connect()
    said = [f"Insight {n}: the bus after six would keep the pub open" for n in range(1, 10)]
    for text in said:
        await rhian.send({"type": "post_contribution", "kind": "insight", "text": text})
    await host.send({"type": "set_projector", "mode": mode})
    await host.send({"type": "announce", "text": "Tea and Welsh cakes at the back"})
    context = await browser.new_context(viewport={"width": 1280, "height": 720})
    screen = await context.new_page()
    await screen.clock.install()  # the pages turn by the hall's clock, moved on below
    await screen.goto(server.local(links.projector_url))
    listed = screen.locator("#wall li" if mode == "wall" else "#results li")
    await expect(listed).to_have_count(len(said))
    label = screen.locator("#wall-page" if mode == "wall" else "#results-page")
    await expect(label).to_have_text(re.compile(r"^\s*page 1 of [2-9]$"))
    pages = int((await label.text_content() or "").rsplit(" ", 1)[1])
    strip = await screen.locator(".join-strip").bounding_box()
    assert strip is not None
    seen: set[str] = set()
    for page in range(1, pages + 1):
        await expect(label).to_have_text(f"page {page} of {pages}")
        shown = listed.filter(visible=True)
        assert await shown.count() >= 1
        for item in await shown.all():
            box = await item.bounding_box()
            assert box is not None and box["y"] + box["height"] <= strip["y"], "cut off"
            seen.add(await item.locator(".text, .result-text").first.inner_text())
        await screen.clock.fast_forward(12_000)  # the next page, by itself
    assert sorted(seen) == sorted(said)
    await expect(label).to_have_text(f"page 1 of {pages}")  # and round again
    await context.close()
