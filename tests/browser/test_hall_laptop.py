"""A phone in a hall whose laptop has lost the internet: it says so, and carries on."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, join
from tests.harness import Person, Server
from tests.reliability.relay_process import hall_laptop
from tests.reliability.test_relay import until

DOWN = "The hall's internet is down: what you write is kept in the hall, not yet shared."
KEPT = "kept in the hall, not yet shared"
SHOTS = os.environ.get("HOSTKIT_SCREENSHOTS")  # a folder: save the pages to look at them


async def test_a_phone_on_a_cut_off_hall_laptop_keeps_posting_and_shares_when_back(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    links = await server.new_session("world-cafe", venues=("Hall A",))
    host = Person.from_link(server, links.host_url)
    await host.connect()
    opened = await host.send({"type": "open_phase", "phase_id": "p1", "seat": False})
    assert opened["type"] == "ack"
    async with hall_laptop(server, links, tmp_path / "hall") as (proxy, hall):
        room = f"{hall.public_url}/j/{links.join_code}/room"
        _, page = await join(browser, hall.as_server(), room, "Rhian", **PHONE)
        await expect(page.locator("#connection")).to_have_text("Connected")

        proxy.drop()
        await expect(page.locator("#connection")).to_have_text(DOWN, timeout=20_000)
        await page.get_by_label("Your note").fill("The bus leaves at nine")
        await page.get_by_role("button", name="Add note").click()
        note = page.locator("#notes li", has_text="The bus leaves at nine")
        await expect(note).to_contain_text(KEPT)
        await expect(page.get_by_role("list", name="Not sent yet")).to_have_count(0)
        await assert_accessible(page, "a phone on a cut-off hall laptop")
        if SHOTS:
            for width in (390, 1280, 1920):
                await page.set_viewport_size({"width": width, "height": 900})
                await page.screenshot(path=f"{SHOTS}/hall-offline-{width}.png", full_page=True)
        assert "The bus leaves at nine" not in [
            c["text"] for c in (await host.snapshot())["contributions"]
        ]

        proxy.restore()  # the hall shares it, and the phone shows it as everyone's
        await expect(page.locator("#connection")).to_have_text("Connected", timeout=30_000)
        await expect(note).to_have_count(1)
        await expect(note).not_to_contain_text(KEPT)
        said = [c["text"] for c in (await host.snapshot())["contributions"]]
        assert said.count("The bus leaves at nine") == 1


async def test_the_halls_cell_host_runs_its_timer_and_a_round_on_a_cut_off_laptop(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    links = await server.new_session("world-cafe", venues=("Hall A",))
    host = Person.from_link(server, links.host_url)
    await host.connect()
    opened = await host.send({"type": "open_phase", "phase_id": "p2", "seat": False})
    assert opened["type"] == "ack"
    hall_cell = next(c["id"] for c in (await host.snapshot())["cells"] if c["kind"] == "venue")
    tables = []
    for name in ("Table 1", "Table 2"):
        made = await host.send({"type": "create_group", "name": name, "cell_id": hall_cell})
        tables.append(f"g{made['seq']}")
    async with hall_laptop(server, links, tmp_path / "hall") as (proxy, hall):
        room = f"{hall.public_url}/j/{links.join_code}/room"
        await hall.join(links.join_code, "Bob")
        _, phone = await join(browser, hall.as_server(), room, "Rhian", **PHONE)
        _, console = await join(browser, hall.as_server(), room, "Carys")
        people = {p["name"]: p["id"] for p in (await host.snapshot())["participants"]}
        for command in (
            {"type": "set_role", "participant_id": people["Carys"], "role": "cell_host"},
            {"type": "set_role", "participant_id": people["Bob"], "role": "table_host"},
            {
                "type": "move_participant",
                "participant_id": people["Bob"],
                "group_id": tables[0],
            },
            {
                "type": "move_participant",
                "participant_id": people["Rhian"],
                "group_id": tables[0],
            },
        ):
            assert (await host.send(command))["type"] == "ack"
        await expect(phone.locator("#where-text")).to_have_text("Table 1")  # the laptop has it
        await console.goto(f"{hall.url}/s/{links.session_id}/host")
        await expect(
            console.get_by_role("group", name="Timer and rounds in Hall A")
        ).to_be_visible()

        proxy.drop()
        await expect(phone.locator("#connection")).to_have_text(DOWN, timeout=20_000)
        note = phone.get_by_label("Your note")
        await note.focus()
        start = console.get_by_role("button", name="Start hall timer")
        await start.focus()
        await console.keyboard.press("Enter")
        await expect(phone.locator("#announcer")).to_have_text("Timer started: 10 minutes left")
        await expect(phone.locator("#timer-part")).to_contain_text("This hall's own timer:")
        await expect(note).to_be_focused()
        await expect(console.get_by_role("button", name="Pause hall timer")).to_be_visible()
        await assert_accessible(console, "the cell host's console on a cut-off laptop")
        if SHOTS:
            for width in (390, 1280):
                await console.set_viewport_size({"width": width, "height": 900})
                await console.screenshot(
                    path=f"{SHOTS}/hall-offline-console-{width}.png", full_page=True
                )
        round_button = console.get_by_role("button", name="New round in this hall")
        await round_button.focus()
        await console.keyboard.press("Enter")
        await expect(phone.locator("#announcer")).to_have_text("Next round: go to Table 2.")
        await expect(phone.locator("#where-text")).to_have_text("Table 2")
        assert (await host.snapshot())["venue_timers"] == {}  # the server has neither yet

        proxy.restore()  # the server gets both, as the hall ran them
        await expect(phone.locator("#connection")).to_have_text("Connected", timeout=30_000)

        async def shared() -> bool:
            state = await host.snapshot()
            seats = {p["id"]: p["group_id"] for p in state["participants"]}
            return hall_cell in state["venue_timers"] and seats[people["Rhian"]] == tables[1]

        await until(shared)
        await expect(phone.locator("#where-text")).to_have_text("Table 2")
