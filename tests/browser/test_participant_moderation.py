"""Pre-moderation and the fishbowl's empty chair on participants' phones, live in real
browsers: a waiting note shows only to its author (marked in words) until the host approves
it, then appears on another phone without a reload; the empty chair is taken by keyboard
and every other phone updates its free chairs live; axe-clean throughout."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from hostkit.sessions import room_url
from tests.browser.support import PHONE, assert_accessible, join
from tests.browser.test_light_and_keyboard import tab_to
from tests.browser.test_participant_formats import fits, listen, not_reloaded
from tests.format_play import act, arrive
from tests.harness import Person, Server
from tests.test_participant_formats_page import open_space

WAITING = "Waiting for the host to approve"


async def test_an_approved_note_appears_live_on_another_phone(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe", title="Bus routes")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await act(host, {"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
    await act(host, {"type": "set_moderation", "on": True})
    early = await arrive(server, links.room_url, "Nia")  # waits since before the pages loaded
    await act(early, {"type": "post_contribution", "kind": "note", "text": "Trains at dawn"})
    _, rhian = await join(browser, server, links.room_url, "Rhian", **PHONE)
    _, dewi = await join(browser, server, links.remote_url, "Dewi")
    await expect(rhian.locator("#connection")).to_have_text("Connected")
    await expect(dewi.locator("#connection")).to_have_text("Connected")
    await expect(dewi.locator("#no-notes")).to_be_visible()  # Nia's note is not shown
    await not_reloaded(rhian)
    await not_reloaded(dewi)
    rhian_heard = await listen(rhian)

    await rhian.get_by_label("Your note").fill("The 42 never comes")
    await rhian.get_by_role("button", name="Add note").click()
    note = rhian.locator("#notes li", has_text="The 42 never comes")
    await expect(note.locator(".waiting-approval")).to_have_text(WAITING)
    await assert_accessible(rhian, "participant phone with a note waiting for approval")
    await fits(rhian, "360 px phone with a note waiting for approval")
    # an announcement to the hall only, then one to all: once Dewi (at home) has the second,
    # he has had every event before it: the hall's announcement and Rhian's note are not shown
    await act(host, {"type": "announce", "text": "Hall doors close at 9", "cell_id": "venue-1"})
    await act(host, {"type": "announce", "text": "Tea soon"})
    await expect(dewi.locator("#announcements li span")).to_have_text(["Tea soon"])
    await expect(dewi.locator("#notes")).not_to_contain_text("The 42 never comes")
    await expect(rhian.locator("#announcements li span")).to_have_text(
        ["Tea soon", "Hall doors close at 9"]  # newest first
    )

    ids = {c["text"]: c["id"] for c in (await host.snapshot())["contributions"]}
    await act(host, {"type": "approve_contribution", "contribution_id": ids["The 42 never comes"]})
    await expect(dewi.locator("#notes .text")).to_have_text(["The 42 never comes"])
    await expect(note.locator(".waiting-approval")).to_have_count(0)
    await expect(rhian.locator("#announcer")).to_have_text(
        "The host has approved your note: everyone can see it now."
    )
    assert "The host has approved your note: everyone can see it now." in rhian_heard

    # the note that waited before Dewi's page loaded is fetched when it is approved
    await act(host, {"type": "approve_contribution", "contribution_id": ids["Trains at dawn"]})
    await expect(dewi.locator("#notes .text")).to_have_text(
        ["The 42 never comes", "Trains at dawn"]
    )
    assert await dewi.evaluate("() => window.hkSamePage === true")  # live, not reloaded
    assert await rhian.evaluate("() => window.hkSamePage === true")
    await assert_accessible(dewi, "participant page after approvals")


async def test_the_empty_chair_is_taken_by_keyboard_and_every_phone_follows(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("fishbowl", title="Library futures")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await act(host, {"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
    inner = next(g["id"] for g in (await host.snapshot())["groups"] if g["seats"])
    speakers = [await arrive(server, links.room_url, n) for n in ("Rhian", "Siôn", "Mair")]
    speakers += [await arrive(server, links.remote_url, n) for n in ("Ifan", "Nia")]
    for person in speakers:  # five speakers; the sixth chair is kept empty
        await act(person, {"type": "choose_group", "group_id": inner})
    _, gwen = await join(browser, server, links.remote_url, "Gwen", **PHONE)
    _, owain = await join(browser, server, links.room_url, "Owain")
    await expect(gwen.locator("#connection")).to_have_text("Connected")
    await expect(owain.locator("#connection")).to_have_text("Connected")
    bowl = gwen.get_by_role("region", name="Inner circle")
    await expect(bowl.locator(".fishbowl-free")).to_have_text("1 chair is free.")
    await expect(bowl.locator(".fishbowl-people")).to_have_text(
        "In the inner circle: Rhian, Siôn, Mair, Ifan, Nia"
    )
    await assert_accessible(gwen, "phone in the outer circle of a fishbowl")
    await not_reloaded(owain)

    await tab_to(gwen, bowl.get_by_role("button", name="Take the empty chair"))
    await gwen.keyboard.press("Enter")
    await expect(bowl.locator(".fishbowl-where")).to_have_text(
        "You are in the inner circle: you may speak."
    )
    await expect(gwen.locator("#announcer")).to_have_text(
        "You are in the inner circle: you may speak."
    )
    await expect(bowl.get_by_role("button", name="Leave the inner circle")).to_be_visible()
    await expect(bowl.locator(".fishbowl-free")).to_have_text(
        "No chair is free: wait for someone to leave."
    )
    await fits(gwen, "360 px phone in the inner circle")
    await assert_accessible(gwen, "phone in the inner circle of a fishbowl")

    # Owain's page follows without a reload: no chair, so no button; then one frees
    outer = owain.get_by_role("region", name="Inner circle")
    await expect(outer.locator(".fishbowl-people")).to_have_text(
        "In the inner circle: Rhian, Siôn, Mair, Ifan, Nia, Gwen"
    )
    await expect(outer.locator(".fishbowl-free")).to_have_text(
        "No chair is free: wait for someone to leave."
    )
    await expect(outer.get_by_role("button", name="Take the empty chair")).to_be_hidden()
    await act(speakers[0], {"type": "choose_group", "group_id": None})
    await expect(outer.locator(".fishbowl-free")).to_have_text("1 chair is free.")
    await expect(outer.get_by_role("button", name="Take the empty chair")).to_be_visible()
    assert await owain.evaluate("() => window.hkSamePage === true")
    await assert_accessible(owain, "outer circle after a chair freed, live")


async def test_a_merge_elsewhere_brings_the_topic_choices_up_to_date(
    browser: Browser, server: Server
) -> None:
    host, _people, buses = await open_space(server, "attributed")
    state = await host.snapshot()
    link = room_url(server.public_url, state["session"]["join_code"])
    _, gwen = await join(browser, server, link, "Gwen", **PHONE)
    await expect(gwen.locator("#connection")).to_have_text("Connected")
    names = gwen.locator("#topics .topic-name")
    await expect(names).to_have_text(["Late buses home", "A repair café"])
    await gwen.locator("#note-text").fill("Bike")  # she is typing: the page waits for her
    await gwen.locator("#note-text").focus()
    repair = next(g["id"] for g in state["groups"] if g["topic_id"] and g["id"] != buses)
    await act(host, {"type": "merge_groups", "group_id": repair, "into_id": buses})
    await expect(gwen.locator("#live-notice")).to_contain_text("Your text is kept")
    await expect(names).to_have_count(2)
    await gwen.locator("#note-text").fill("")
    await gwen.locator("#note-text").blur()
    await expect(names).to_have_text(["Late buses home"])  # reloaded once she stopped typing
    await assert_accessible(gwen, "Open Space topics after a merge")
