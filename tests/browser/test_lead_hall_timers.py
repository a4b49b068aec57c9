"""The lead host runs each hall's own timer and rounds from the console's Now page, by
keyboard, beside the session's timer; the console counts each hall's timer down and says
in its live region when a hall's timer starts or stops, its focus left where it was."""

from __future__ import annotations

import os
import re

from playwright.async_api import Browser, Page, expect

from tests.browser.support import PHONE, assert_accessible, join, listen, open_as
from tests.harness import Person, Server
from tests.security.support import ok

SHOTS = os.environ.get("HOSTKIT_SCREENSHOTS")  # a folder: save the pages to look at them


async def focused_group(page: Page) -> str | None:
    """The name of the group (a hall's controls) holding the focus, if any."""
    name = await page.evaluate(
        "() => document.activeElement.closest('[role=group]')?.getAttribute('aria-label')"
    )
    return str(name) if name is not None else None


async def test_the_lead_host_runs_a_halls_own_timer_and_hears_another_halls(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe", venues=("Hall A", "Hall B"))
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host.send({"type": "open_phase", "phase_id": "p2", "seat": False}))  # round 1, timed
    halls = {c["name"]: c["id"] for c in (await host.snapshot())["cells"] if c["kind"] == "venue"}
    table = {"type": "create_group", "name": "Table 1", "cell_id": halls["Hall A"]}
    made = await ok(host.send(table))
    _, phone = await join(browser, server, links.room_url, "Rhian", **PHONE)
    rhian = next(p["id"] for p in (await host.snapshot())["participants"] if p["name"] == "Rhian")
    move = {"type": "move_participant", "participant_id": rhian, "group_id": f"g{made['seq']}"}
    await ok(host.send(move))
    await expect(phone.locator("#where-text")).to_have_text("Table 1")
    _, console = await open_as(browser, server.local(links.host_url))
    for page in (phone, console):
        await expect(page.locator("#connection")).to_have_text("Connected")
    hall_a = console.get_by_role("group", name="Timer and rounds in Hall A")
    hall_b = console.get_by_role("group", name="Timer and rounds in Hall B")
    await expect(hall_a).to_contain_text("Hall A")
    await expect(hall_b.get_by_role("button", name="Start hall timer")).to_be_visible()
    await assert_accessible(console, "the lead host's Now page with two halls")
    if SHOTS:
        await console.screenshot(path=f"{SHOTS}/lead-halls-idle-console-1280.png", full_page=True)
    note = phone.get_by_label("Your note")
    await note.focus()
    heard: list[str] = []
    await phone.expose_function("heard", lambda text: heard.append(text))
    await listen(phone, heard)

    # Hall A's own timer, five minutes, chosen and started by keyboard
    duration = hall_a.get_by_label("Duration")
    await duration.focus()
    await duration.select_option(str(5 * 60))
    await hall_a.get_by_role("button", name="Start hall timer").focus()
    await console.keyboard.press("Enter")
    await expect(hall_a).to_contain_text("This hall's own timer: 5 minutes left")
    await expect(hall_a.get_by_role("button", name="Pause hall timer")).to_be_visible()
    assert await focused_group(console) == "Timer and rounds in Hall A"
    await expect(phone.locator("#timer-part")).to_have_text(
        "— This hall's own timer: 5 minutes left"
    )
    await expect(phone.locator("#announcer")).to_have_text("Timer started: 5 minutes left")
    await expect(note).to_be_focused()
    await expect(console.locator("#timer")).not_to_have_attribute("data-venue", halls["Hall A"])
    await expect(hall_b).not_to_contain_text("own timer")  # Hall B follows the session's

    # Hall B's cell host starts Hall B's: the lead host hears it and the focus stays put
    hall_b_start = hall_b.get_by_role("button", name="Start hall timer")
    await hall_b_start.focus()
    said: list[str] = []
    await console.expose_function("heard", lambda text: said.append(text))
    await listen(console, said)
    await ok(host.send({"type": "start_timer", "duration_s": 63, "cell_id": halls["Hall B"]}))
    await expect(console.locator("#announcer")).to_have_text(
        "Hall B: This hall's own timer: 2 minutes left"
    )
    # it counts down between events: under a minute, it shows seconds
    await expect(hall_b).to_contain_text(
        re.compile(r"own timer: \d\d seconds left"), timeout=15_000
    )
    assert await focused_group(console) == "Timer and rounds in Hall B"
    await assert_accessible(console, "the lead host's Now page with two halls' own timers")
    if SHOTS:
        for width, height in ((390, 844), (1280, 800), (1920, 1080)):
            await console.set_viewport_size({"width": width, "height": height})
            await console.screenshot(
                path=f"{SHOTS}/lead-hall-timers-console-{width}.png", full_page=True
            )
        await console.set_viewport_size({"width": 1280, "height": 800})

    # the lead host stops Hall A's: the phone is back on the session's timer
    await hall_a.get_by_role("button", name="Stop hall timer").focus()
    await console.keyboard.press("Enter")
    await expect(hall_a.get_by_role("button", name="Start hall timer")).to_be_visible()
    await expect(phone.locator("#timer")).not_to_have_attribute("data-venue", halls["Hall A"])
    await expect(phone.locator("#timer-part")).not_to_contain_text("This hall's own timer")

    # Hall B's is stopped elsewhere: the console says Hall B is on the session's timer again
    await listen(console, said)
    await ok(host.send({"type": "stop_timer", "cell_id": halls["Hall B"]}))
    await expect(console.locator("#announcer")).to_have_text("Hall B: on the session's timer")
    await expect(hall_b.get_by_role("button", name="Start hall timer")).to_be_visible()
    await assert_accessible(console, "the lead host's Now page, both halls on the session's timer")
