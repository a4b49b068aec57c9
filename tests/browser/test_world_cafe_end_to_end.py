"""A whole World Café in real browsers: 8 phones (4 in the room, 4 at home), the host's
laptop at 1280x800 and the projector at 1920x1080, against a real server.

The host only presses the console's buttons. Opening Round 1 seats everyone at the two
hybrid tables the host made, with a table host each; opening Rounds 2 and 3 moves the
travellers and their phones say where to go; the harvest shows every table's insights on
every phone and on the projector; dots placed on phones rank the insights live on the
projector; the digest ranks by dots.
"""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.browser.support import assert_accessible, console_page, join, open_as
from tests.format_play import sees
from tests.harness import Person, Server

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
ROOM = ["Aled", "Bethan", "Cai", "Dilys"]
HOME = ["Gwen", "Huw", "Iolo", "Jac"]


async def press(console: Page, label: str) -> None:
    """The host presses the Now view's one next-step button. It, the question and the time
    left are on the laptop's first screen; the view updates in place, the host stays put."""
    console.set_default_timeout(30_000)
    button = console.locator("#next-step")
    await expect(button).to_have_text(label)
    for shown in ("#next-step", "#now-heading", "#now-question", "#timer"):
        if not await console.locator(shown).count():
            continue  # no timer before the first phase
        box = await console.locator(shown).bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800, shown
    await button.click()
    await expect(button).not_to_have_text(label)  # the next step after this one
    assert await console.evaluate("window.scrollY") == 0


async def seated(host: Person) -> tuple[dict[str, str | None], dict[str, str]]:
    state = await host.snapshot()
    names = {g["id"]: g["name"] for g in state["groups"]}
    return {p["name"]: p["group_id"] for p in state["participants"]}, names


async def test_a_three_round_world_cafe_runs_itself_with_the_host_in_charge(
    browser: Browser, server: Server
) -> None:
    # ten pages and a server on a shared machine: each step may take longer than usual
    expect.set_options(timeout=30_000)
    try:
        await _play(browser, server)
    finally:
        expect.set_options(timeout=10_000)


async def _play(browser: Browser, server: Server) -> None:
    links = await server.new_session("world-cafe", title="Our high street")
    host = Person.from_link(server, links.host_url)
    _, console = await open_as(browser, server.local(links.host_url))
    _, projector = await open_as(browser, server.local(links.projector_url), **PROJECTOR)

    # before anyone arrives, the host makes two hybrid tables on the console's People
    # page (the seating does the rest), then comes back to Now to run the session
    await host.connect(last_seq=0)
    await console_page(console, "People and tables")
    for table in ("Window table", "Door table"):
        await console.get_by_label("Name", exact=True).fill(table)
        await console.get_by_label("Has seats for remote people").check()
        await console.get_by_role("button", name="Add group").click()
        await expect(console.locator("#notice")).to_have_text("Done.")
    await console_page(console, "Now")

    phones: dict[str, Page] = {}
    for name in ROOM:
        phones[name] = (await join(browser, server, links.room_url, name, **PHONE))[1]
        phones[name].set_default_timeout(30_000)
    for name in HOME:
        phones[name] = (await join(browser, server, links.remote_url, name, **PHONE))[1]
        phones[name].set_default_timeout(30_000)
    for page in phones.values():
        await expect(page.locator("#connection")).to_have_text("Connected")
    here = console.locator("#here tbody tr")  # the people, not the host's laptop or projector
    for row, cells in enumerate((["Main room", "4", "0"], ["Online", "0", "4"])):
        await expect(here.nth(row).locator("th, td")).to_have_text(cells)

    await press(console, "Open Welcome")
    await expect(projector.locator("#timer")).to_have_text("10 minutes left")

    # Round 1: tables form, each phone says where its person sits
    await press(console, "Open Round 1 and form tables")
    round_1 = next(p for p in (await host.snapshot())["phases"] if p["title"] == "Round 1")
    await expect(console.locator("#now-question")).to_have_text(round_1["question"])
    await expect(console.locator("#timer")).to_have_text(re.compile(r"^(20|19) minutes left$"))
    where, names = await seated(host)
    window = next(g for g, n in names.items() if n == "Window table")
    at_window = [p for p in ROOM + HOME if where[p] == window]
    assert any(p in HOME for p in at_window) and any(p in ROOM for p in at_window)  # hybrid
    assert {names[where[p] or ""] for p in ROOM + HOME} == {"Window table", "Door table"}
    for name, page in phones.items():
        await expect(page.locator("#place-now")).to_have_text(
            f"You are now at {names[where[name] or '']}."
        )
        await expect(page.locator("#timer")).to_have_text(re.compile(r"^(20|19) minutes left$"))
    await expect(projector.locator("#timer")).to_have_text(re.compile(r"^(20|19) minutes left$"))

    rounds = [dict(where)]
    for number in (1, 2, 3):
        if number > 1:
            await press(console, f"Open Round {number} and move travellers")
            now, names = await seated(host)
            moved = [p for p in ROOM + HOME if now[p] != rounds[-1][p]]
            assert moved, f"nobody moved in round {number}"
            for name in moved:
                to, was = names[now[name] or ""], names[rounds[-1][name] or ""]
                await expect(phones[name].locator("#round-move")).to_have_text(
                    f"Move to {to} now (you were at {was})."
                )
            rounds.append(dict(now))
        # one person at each table writes the table's insight of this round
        for table in sorted({t for t in rounds[-1].values() if t}):
            writer = next(p for p in ROOM + HOME if rounds[-1][p] == table)
            page = phones[writer]
            await page.get_by_label("An insight").check()
            await page.locator("#note-text").fill(f"Round {number}: {names[table]} insight")
            await page.get_by_role("button", name="Add note").click()
            await expect(page.locator("#notes .text").last).to_have_text(
                f"Round {number}: {names[table]} insight"
            )
    insights = sorted(
        f"Round {n}: {names[t]} insight"
        for n, r in enumerate(rounds, 1)
        for t in set(r.values())
        if t
    )

    # Harvest: every phone and the projector show every table's insights
    await press(console, "Open Harvest")
    for page in phones.values():
        await expect(page.locator("#where-text")).to_have_text("Everyone together")
        await expect(page.locator("#notes .text")).to_have_count(len(insights))
        assert sorted(await page.locator("#notes .text").all_text_contents()) == insights
    await expect(projector.locator(".results-list .result-text")).to_have_count(len(insights))

    # Dots, placed live on the phones, rank the insights live on the projector
    top, second = insights[4], insights[1]
    for name, choice in (("Gwen", top), ("Aled", top), ("Huw", second)):
        item = phones[name].locator("#notes li", has_text=choice)
        button = item.get_by_role("button", name="Add a dot")
        await button.click()
        await expect(item.locator(".dot-count")).to_contain_text("Your dots: 1")
        await expect(button).to_be_focused()  # the focus stays where it was
    await expect(phones["Gwen"].locator("#dots-left-count")).to_have_text("Dots left to place: 2.")
    await expect(projector.locator(".results-list .result-text").first).to_have_text(top)
    await expect(projector.locator(".results-list .result-dots").first).to_have_text("2 dots")
    await expect(projector.locator(".results-list .result-text").nth(1)).to_have_text(second)
    await assert_accessible(projector, "projector with the dot ranking")
    await assert_accessible(phones["Huw"], "phone at home in the harvest, with dots")

    # the digest the host exports ranks by the same dots
    digest = await console.context.request.get(
        server.local(f"{server.url}/s/{host.session_id}/export/digest-txt")
    )
    text = (await digest.text()).split("Votes in Harvest, most dots first:")[1]
    assert text.index(top) < text.index(second)
    assert (await sees(host)).phase == "Harvest"
