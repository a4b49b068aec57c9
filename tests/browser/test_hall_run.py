"""A hall's cell host runs the hall's own timer and rounds from the console, by keyboard; a
phone in the hall shows the hall's timer in place of the session's and hears it, and hears
where to go next, in the live region, its focus left where it was."""

from __future__ import annotations

import os
from typing import Any

from playwright.async_api import Browser, Page, expect

from tests.browser.support import PHONE, assert_accessible, join, listen
from tests.harness import Person, Server

SHOTS = os.environ.get("HOSTKIT_SCREENSHOTS")  # a folder: save the pages to look at them


async def press(page: Page, name: str) -> None:
    """A console button, by keyboard: focus it and press Enter."""
    button = page.get_by_role("button", name=name, exact=True)
    await button.focus()
    await page.keyboard.press("Enter")


async def ok(host: Person, command: dict[str, Any]) -> dict[str, Any]:
    answer = await host.send(command)
    assert answer["type"] == "ack", answer
    return answer


async def test_a_cell_host_runs_the_halls_timer_and_a_round_and_the_halls_phone_hears_them(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe", venues=("Hall A",))
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host, {"type": "open_phase", "phase_id": "p2", "seat": False})  # round 1, timed
    hall = next(c["id"] for c in (await host.snapshot())["cells"] if c["kind"] == "venue")
    tables = []
    for name in ("Table 1", "Table 2"):
        made = await ok(host, {"type": "create_group", "name": name, "cell_id": hall})
        tables.append(f"g{made['seq']}")
    bob = await Person.join(server, links.room_url, "Bob")
    _, phone = await join(browser, server, links.room_url, "Rhian", **PHONE)
    _, console = await join(browser, server, links.room_url, "Carys")
    people = {p["name"]: p["id"] for p in (await host.snapshot())["participants"]}
    await ok(
        host, {"type": "move_participant", "participant_id": people["Bob"], "group_id": tables[0]}
    )
    await ok(host, {"type": "set_role", "participant_id": people["Bob"], "role": "table_host"})
    await ok(
        host, {"type": "move_participant", "participant_id": people["Rhian"], "group_id": tables[0]}
    )
    await ok(host, {"type": "set_role", "participant_id": people["Carys"], "role": "cell_host"})
    assert bob.session_id == links.session_id
    await console.goto(server.local(f"{server.public_url}/s/{links.session_id}/host"))
    await expect(phone.locator("#where-text")).to_have_text("Table 1")
    for page in (phone, console):
        await expect(page.locator("#connection")).to_have_text("Connected")
    note = phone.get_by_label("Your note")
    await note.focus()
    heard: list[str] = []
    await phone.expose_function("heard", lambda text: heard.append(text))
    await listen(phone, heard)

    # the hall's own timer, started from the console by keyboard, replaces the session's
    controls = console.get_by_role("group", name="Timer and rounds in Hall A")
    await expect(controls).to_be_visible()
    await expect(console.get_by_label("Duration")).to_have_value("600")  # ten minutes
    await assert_accessible(console, "the cell host's console, the hall's timer not started")
    if SHOTS:
        await console.screenshot(path=f"{SHOTS}/hall-controls-console-1280.png", full_page=True)
    await press(console, "Start hall timer")
    await expect(console.locator("#timer-whose")).to_have_text("This hall's own timer:")
    await expect(console.get_by_role("button", name="Pause hall timer")).to_be_focused()
    await expect(phone.locator("#announcer")).to_have_text("Timer started: 10 minutes left")
    await expect(phone.locator("#timer")).to_have_text("10 minutes left")
    await expect(phone.locator("#timer-part")).to_have_text(
        "— This hall's own timer: 10 minutes left"
    )
    await expect(note).to_be_focused()  # heard, and the focus stayed in the note
    await assert_accessible(phone, "a phone showing its hall's timer")
    await assert_accessible(console, "the cell host's console with the hall's timer")
    if SHOTS:
        for width in (390, 1280):
            for page, name in ((phone, "phone"), (console, "console")):
                await page.set_viewport_size({"width": width, "height": 900})
                await page.screenshot(path=f"{SHOTS}/hall-timer-{name}-{width}.png", full_page=True)
        await phone.set_viewport_size({"width": 390, "height": 844})
        await console.set_viewport_size({"width": 1280, "height": 800})

    await press(console, "Pause hall timer")
    await expect(phone.locator("#timer")).to_have_text("10 minutes left (paused)")
    session_timer = (await host.snapshot())["timer"]
    assert session_timer is not None and session_timer["running"]  # the session's runs on
    await press(console, "Stop hall timer")  # the phone goes back to the session's timer
    await expect(console.get_by_role("button", name="Start hall timer")).to_be_visible()
    await expect(phone.locator("#timer")).not_to_have_attribute("data-venue", hall)

    # the lead host may run the hall's timer too; the phone hears it run out
    await phone.get_by_label("Your note").focus()
    await listen(phone, heard)
    await ok(host, {"type": "start_timer", "duration_s": 2, "cell_id": hall})
    await expect(phone.locator("#announcer")).to_have_text("Time is up", timeout=15_000)
    assert heard[0] == "Timer started: 2 seconds left" and heard[-1] == "Time is up"
    await expect(phone.get_by_label("Your note")).to_be_focused()
    await ok(host, {"type": "stop_timer", "cell_id": hall})

    # a new round in the hall: Bob hosts Table 1 and stays; Rhian, who met him, moves on
    await expect(console.get_by_role("button", name="Start hall timer")).to_be_visible()
    await press(console, "New round in this hall")
    await expect(phone.locator("#announcer")).to_have_text("Next round: go to Table 2.")
    await expect(phone.locator("#where-text")).to_have_text("Table 2")
    await assert_accessible(phone, "a phone told where to go in the hall's new round")
    rounds = host.events_of("hall_round_started")
    assert [r["data"]["seats"] for r in rounds] == [
        {people["Bob"]: tables[0], people["Rhian"]: tables[1]}
    ]
