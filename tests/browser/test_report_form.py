"""The Open Space report form and the next-step form: keyboard alone, visible focus,
axe-clean in English and Welsh, and they work with JavaScript switched off."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, join, open_as
from tests.browser.test_light_and_keyboard import tab_to
from tests.harness import Person, Server


async def _topic_session(server: Server) -> tuple[Person, str, str]:
    """An Open Space in its topic sessions with one topic placed; returns host, link, group."""
    links = await server.new_session("open-space", title="Our valley")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    reply = await host.send({"type": "post_contribution", "kind": "topic", "text": "Minibus"})
    topic = f"c{reply['seq']}"
    await host.send(
        {"type": "place_topic", "contribution_id": topic, "slot": "10:00", "space": "Hall"}
    )
    group = next(g["id"] for g in (await host.snapshot())["groups"] if g["topic_id"] == topic)
    await host.send({"type": "open_phase", "phase_id": "p3", "seat": False, "timer": False})
    return host, links.room_url, group


async def _move_in(host: Person, name: str, group: str) -> None:
    people = (await host.snapshot())["participants"]
    someone = next(p["id"] for p in people if p["name"] == name)
    reply = await host.send(
        {"type": "move_participant", "participant_id": someone, "group_id": group}
    )
    assert reply["type"] == "ack", reply


async def test_a_group_writes_its_report_with_the_keyboard_alone(
    browser: Browser, server: Server
) -> None:
    host, room, group = await _topic_session(server)
    _, page = await join(browser, server, room, "Rhian", **PHONE)
    await _move_in(host, "Rhian", group)  # the page reloads itself to show where she is
    await expect(page.get_by_role("heading", name="Our report: Minibus")).to_be_visible()
    await assert_accessible(page, "participant page with the report form")

    await tab_to(page, page.get_by_role("textbox", name="Summary", exact=True), limit=120)
    await page.keyboard.type("A minibus twice a week to the market.")
    await page.keyboard.press("Tab")  # on to recommendations
    await expect(page.get_by_role("textbox", name="Recommendations", exact=True)).to_be_focused()
    await page.keyboard.type("Ask the community transport trust.")
    await tab_to(page, page.get_by_role("button", name="Save the report"))
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await expect(page.locator("#report-status")).to_contain_text("Version 1, saved by Rhian")
    await expect(page.get_by_role("textbox", name="Summary", exact=True)).to_have_value(
        "A minibus twice a week to the market."
    )
    await expect(page.locator(".notice")).to_have_text("Done.")
    await assert_accessible(page, "participant page after saving the report")


async def test_the_report_form_in_welsh_is_axe_clean_and_works_without_javascript(
    browser: Browser, server: Server
) -> None:
    host, room, group = await _topic_session(server)
    _, page = await open_as(browser, server.local(room), locale="cy-GB", java_script_enabled=False)
    await page.get_by_label("Eich enw").fill("Siôn")
    await page.get_by_role("button", name="Ymuno").click()
    await page.wait_for_url("**/s/*")
    await _move_in(host, "Siôn", group)
    await page.reload()
    await expect(page.locator("html")).to_have_attribute("lang", "cy")
    await expect(page.get_by_role("heading", name="Ein hadroddiad: Minibus")).to_be_visible()
    await page.get_by_role("textbox", name="Crynodeb", exact=True).fill(
        "Bws mini ddwywaith yr wythnos."
    )
    await page.get_by_role("button", name="Cadw\u2019r adroddiad").click()
    await expect(page.locator("#report-status")).to_contain_text("Fersiwn 1")
    # axe needs scripts: a second member of the group, on a phone with them, reads it
    _, other = await open_as(browser, server.local(room), locale="cy-GB", **PHONE)
    await other.get_by_label("Eich enw").fill("Mair")
    await other.get_by_role("button", name="Ymuno").click()
    await other.wait_for_url("**/s/*")
    await _move_in(host, "Mair", group)
    summary = other.get_by_role("textbox", name="Crynodeb", exact=True)
    await expect(summary).to_have_value("Bws mini ddwywaith yr wythnos.")
    await expect(other.locator("#report-status")).to_contain_text(
        "Fersiwn 1, wedi\u2019i chadw gan Siôn"
    )
    await assert_accessible(other, "the report form in Welsh")


async def test_next_steps_are_recorded_by_keyboard_and_listed(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("pro-action-cafe", title="Energy")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p5", "seat": False, "timer": False})
    _, page = await open_as(browser, server.local(links.room_url))
    await page.get_by_label("Your name").fill("Dewi")
    await page.get_by_role("button", name="Join").click()
    await page.wait_for_url("**/s/*")
    await tab_to(page, page.get_by_label("A next step or action"), limit=120)
    await page.keyboard.type("Survey the school roof")
    await tab_to(page, page.get_by_label("By when (optional)"), limit=10)
    await page.keyboard.type("11302026")  # the date field's parts, in the order it shows them
    await tab_to(page, page.get_by_role("button", name="Record this next step"), limit=10)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    await expect(page.locator(".notice")).to_have_text("Done.")
    steps = page.locator("ul.steps li")
    await expect(steps).to_have_count(1)
    await expect(steps.first).to_contain_text(
        "Survey the school roof · Owner: Dewi · by 2026-11-30"
    )
    await assert_accessible(page, "participant page with next steps")


async def test_a_report_saved_by_another_member_reaches_the_group_without_losing_typing(
    browser: Browser, server: Server
) -> None:
    host, room, group = await _topic_session(server)
    _, writing = await join(browser, server, room, "Rhian", **PHONE)
    _, reading = await join(browser, server, room, "Dafydd", **PHONE)
    await _move_in(host, "Rhian", group)
    await _move_in(host, "Dafydd", group)
    for page in (writing, reading):
        await expect(page.get_by_role("heading", name="Our report: Minibus")).to_be_visible()
    summary = writing.get_by_role("textbox", name="Summary", exact=True)
    await summary.fill("My draft, not saved yet")

    reply = await host.send(
        {"type": "submit_report", "group_id": group, "summary": "Twice a week, from May."}
    )
    assert reply["type"] == "ack", reply

    # Dafydd had typed nothing: his page shows the new version by itself.
    await expect(reading.get_by_role("textbox", name="Summary", exact=True)).to_have_value(
        "Twice a week, from May."
    )
    # Rhian was writing: she is told, and her words stay where they are.
    await expect(writing.locator("#live-notice")).to_contain_text("saved a new version")
    await expect(summary).to_have_value("My draft, not saved yet")
    await assert_accessible(writing, "participant page told of a newer report")
