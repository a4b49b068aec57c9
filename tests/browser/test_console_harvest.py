"""The console's Harvest page follows the conversation live: what people add and the dots
they place appear without a reload, and are said in a polite live region while the host's
focus stays where it was."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.support import assert_accessible, console_page, open_as
from tests.harness import Person, Server


async def test_new_insights_and_dots_reach_the_harvest_page_live_and_are_announced(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    harvest = next(p["id"] for p in (await host.snapshot())["phases"] if p["title"] == "Harvest")
    assert (await host.send({"type": "open_phase", "phase_id": harvest}))["type"] == "ack"
    _, console = await open_as(browser, server.local(links.host_url))
    await console_page(console, "Harvest")
    await expect(console.locator("#connection")).to_have_text("Connected")
    days = console.get_by_label("Stop after this many days (leave empty to keep it until revoked)")
    await days.focus()  # the host is busy elsewhere on the page
    place = await days.bounding_box()

    rhian = await Person.join(server, links.room_url, "Rhian")
    await rhian.connect()
    posted = await rhian.send(
        {"type": "post_contribution", "kind": "insight", "text": "Buses after six"}
    )
    assert posted["type"] == "ack"
    notes = console.locator("#notes")
    await expect(notes).to_contain_text("Buses after six")
    announcer = console.locator("#announcer")
    await expect(announcer).to_have_text("New in the harvest: Buses after six")
    await expect(days).to_be_focused()

    ids = [c["id"] for c in (await rhian.snapshot())["contributions"]]
    dewi = await Person.join(server, links.remote_url, "Dewi")
    await dewi.connect()
    for voter in (rhian, dewi):
        voted = await voter.send({"type": "cast_vote", "contribution_id": ids[0]})
        assert voted["type"] == "ack", voted
    await expect(notes.locator("li", has_text="Buses after six")).to_contain_text("2 dots")
    await expect(announcer).to_have_text("Dots placed: Buses after six has 2 dots")
    await expect(days).to_be_focused()
    now = await days.bounding_box()
    assert place and now and abs(now["y"] - place["y"]) < 2  # where it was: the host stays put
    await assert_accessible(console, "console's harvest page, live")


async def test_publishing_comes_back_beside_the_publish_button_with_the_new_link(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    _, console = await open_as(browser, server.local(links.host_url))
    await console_page(console, "Harvest")
    publish = console.get_by_role("button", name="Publish", exact=True)
    await publish.scroll_into_view_if_needed()
    async with console.expect_navigation():
        await publish.click()
    assert console.url.split("?")[0].endswith("/host/harvest")  # still on the Harvest page
    notice = console.locator("section[aria-labelledby='downloads-heading'] #notice")
    await expect(notice).to_contain_text("Published: ")
    box = await notice.bounding_box()
    assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 800  # in view
    link = await console.locator(".publications a").first.get_attribute("href")
    assert link and link in (await notice.text_content() or "")
    await assert_accessible(console, "console's harvest page after publishing")


async def test_a_hand_raised_and_a_call_reach_the_now_page_and_are_said_while_the_host_types(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p1", "timer": False})
    _, console = await open_as(browser, server.local(links.host_url))
    await expect(console.locator("#connection")).to_have_text("Connected")
    box = console.get_by_label("Announcement (phones and the projector show it)")
    await box.fill("Tea at ele")  # the host is in the middle of typing

    dewi = await Person.join(server, links.remote_url, "Dewi")
    await dewi.connect()
    assert (await dewi.send({"type": "raise_hand"}))["type"] == "ack"
    announcer = console.locator("#announcer")
    await expect(console.locator("#hands")).to_contain_text("Dewi")
    await expect(announcer).to_have_text("Hand raised: Dewi")
    assert (await dewi.send({"type": "call_host", "text": "I cannot hear the room"}))[
        "type"
    ] == "ack"
    await expect(announcer).to_have_text("Dewi calls the host (everyone): I cannot hear the room")
    await expect(box).to_be_focused()
    await expect(box).to_have_value("Tea at ele")  # nothing typed was lost
    await assert_accessible(console, "Now page with a hand up and a call")
