"""The format on the participant page, live in a real browser: the talking piece passes
and every phone shows the new holder without a reload, upvotes reorder the questions,
everything is keyboard operable, axe-clean in English and Welsh, and fits a 360 px phone."""

from __future__ import annotations

import re
import time

from playwright.async_api import Browser, Page, expect

from tests.browser.support import PHONE, assert_accessible, join
from tests.browser.test_light_and_keyboard import tab_to
from tests.format_play import act
from tests.harness import Person, Server


async def fits(page: Page, what: str) -> None:
    widths = await page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{what}: {widths[0]} px of content in {widths[1]} px"


async def listen(page: Page) -> list[str]:
    """Everything the page's polite announcer says from now on."""
    heard: list[str] = []
    await page.expose_function("heard", lambda text: heard.append(text))
    await page.evaluate(
        """() => new MutationObserver(() => {
             const text = document.getElementById('announcer').textContent;
             if (text) window.heard(text);
           }).observe(document.getElementById('announcer'),
                      {childList: true, characterData: true, subtree: true})"""
    )
    return heard


async def not_reloaded(page: Page) -> None:
    await page.evaluate("() => { window.hkSamePage = true; }")


async def test_the_talking_piece_passes_live_and_by_keyboard_in_english_and_welsh(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("circle", title="Evening circle")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await act(host, {"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    await act(host, {"type": "start_timer", "duration_s": 1})  # runs out early on (see below)
    started = time.time()
    _, rhian = await join(browser, server, links.room_url, "Rhian", **PHONE)
    _, dewi = await join(browser, server, links.remote_url, "Dewi")
    await (
        dewi.get_by_role("navigation", name="Language").get_by_role("link", name="Cymraeg").click()
    )
    await expect(rhian.locator("#connection")).to_have_text("Connected")
    await expect(dewi.locator("#connection")).to_have_text("Wedi cysylltu")
    await act(host, {"type": "set_speaking_order", "turn_s": 120})  # host, Dewi, Rhian
    await expect(rhian.locator("#piece-holder")).to_have_text("Host holds the talking piece.")
    await expect(rhian.locator("#speaking-order li")).to_have_text(
        ["Host — holds the piece", "Dewi", "Rhian (you)"]
    )
    await expect(rhian.locator("#piece-guide")).to_have_text("Time guide: about 2 minutes a turn")
    await expect(rhian.locator("#piece-mine")).to_be_hidden()
    await not_reloaded(rhian)
    await not_reloaded(dewi)
    heard = await listen(dewi)

    # the host speaks and hands on: Dewi's Welsh page shows it is his turn and says so
    await act(host, {"type": "pass_talking_piece"})
    await expect(dewi.locator("#piece-holder")).to_have_text("Chi sy’n dal y darn siarad.")  # noqa: RUF001
    await expect(dewi.locator("#announcer")).to_have_text(
        "Eich tro chi yw hi: chi sy’n dal y darn siarad."  # noqa: RUF001
    )
    assert heard == ["Eich tro chi yw hi: chi sy’n dal y darn siarad."]  # noqa: RUF001
    await expect(rhian.locator("#piece-holder")).to_have_text("Dewi holds the talking piece.")
    await expect(rhian.locator("#speaking-order li.holder")).to_have_text("Dewi — holds the piece")
    await assert_accessible(dewi, "participant page in Welsh, holding the talking piece")

    # Dewi passes without speaking, with the keyboard alone; Rhian's phone shows her turn
    rhian_heard = await listen(rhian)
    await tab_to(dewi, dewi.get_by_role("button", name="Pasio heb siarad"))
    await dewi.keyboard.press("Enter")
    await expect(rhian.locator("#piece-holder")).to_have_text("You hold the talking piece.")
    await expect(rhian.locator("#announcer")).to_have_text(
        "It is your turn: you hold the talking piece."
    )
    assert rhian_heard == ["It is your turn: you hold the talking piece."]
    await expect(rhian.locator("#speaking-order li")).to_have_text(
        ["Host", "Dewi — passed", "Rhian (you) — holds the piece"]
    )
    await expect(dewi.locator("#piece-mine")).to_be_hidden()
    await expect(dewi.locator("#piece-holder")).to_be_focused()  # not lost with the buttons
    await expect(rhian.get_by_role("button", name="Pass it on")).to_be_visible()
    await fits(rhian, "360 px phone holding the talking piece")
    await assert_accessible(rhian, "participant page on a phone, holding the talking piece")

    await tab_to(rhian, rhian.get_by_role("button", name="Pass it on"))
    await rhian.keyboard.press("Space")
    await expect(dewi.locator("#piece-holder")).to_have_text("Mae pawb wedi cael eu tro.")
    await expect(rhian.locator("#speaking-order li")).to_have_text(
        ["Host", "Dewi — passed", "Rhian (you)"]
    )
    assert await rhian.evaluate("() => window.hkSamePage === true")  # live, not reloaded
    assert await dewi.evaluate("() => window.hkSamePage === true")

    # an extended timer counts from when it is extended, as the server does (fold.py)
    await expect(rhian.locator("#timer")).to_have_text("Time is up")
    # the case that differs: a timer over for a while (here 5 s) is extended; time must pass
    await rhian.wait_for_function("end => Date.now() / 1000 > end", arg=started + 6)
    await act(host, {"type": "extend_timer", "seconds": 30})
    await expect(rhian.locator("#timer")).to_have_text(re.compile(r"^(30|29|28) seconds left$"))
    remaining = (await host.snapshot())["timer"]["remaining_s"]
    assert 27 < remaining <= 30


async def test_upvotes_reorder_the_questions_live_and_keep_the_focus(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("fishbowl")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await act(host, {"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
    _, nia = await join(browser, server, links.remote_url, "Nia", **PHONE)
    _, ifan = await join(browser, server, links.room_url, "Ifan")
    await expect(nia.locator("#connection")).to_have_text("Connected")
    await expect(ifan.locator("#connection")).to_have_text("Connected")
    await act(host, {"type": "post_contribution", "kind": "question", "text": "Who decides?"})

    await nia.get_by_label("A question").check()
    await nia.get_by_label("Your note").fill("What does it cost?")
    await nia.get_by_role("button", name="Add note").click()
    questions = ifan.locator("#questions .text")
    await expect(questions).to_have_text(["Who decides?", "What does it cost?"])
    await expect(ifan.locator("#notes .note")).to_have_count(0)  # listed once, with its votes
    await not_reloaded(ifan)

    cost = ifan.locator("#questions li", has_text="What does it cost?")
    await tab_to(ifan, cost.get_by_role("button", name="Upvote"))
    await ifan.keyboard.press("Enter")
    await expect(questions).to_have_text(["What does it cost?", "Who decides?"])
    await expect(cost.get_by_role("button", name="Upvote")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(cost.get_by_role("button", name="Upvote")).to_be_focused()  # moved, still held
    await expect(nia.locator("#questions .text")).to_have_text(
        ["What does it cost?", "Who decides?"]
    )
    await expect(nia.locator("#questions .votes")).to_have_text(["1 vote", "0 votes"])
    await ifan.keyboard.press("Enter")  # takes the vote back: the older question leads again
    await expect(nia.locator("#questions .text")).to_have_text(
        ["Who decides?", "What does it cost?"]
    )

    ids = {c["text"]: c["id"] for c in (await host.snapshot())["contributions"]}
    await act(
        host,
        {"type": "mark_answered", "contribution_id": ids["Who decides?"], "answer": "answering"},
    )
    await expect(ifan.locator("#questions li", has_text="Who decides?")).to_contain_text(
        "Being answered now"
    )
    await assert_accessible(ifan, "participant page with questions, one being answered")

    # Nia withdraws her own question; it goes from every page
    await (
        nia.locator("#questions li", has_text="cost").get_by_role("button", name="Withdraw").click()
    )
    await expect(ifan.locator("#questions .text")).to_have_text(["Who decides?"])
    await fits(nia, "360 px phone with questions")
    await assert_accessible(nia, "participant page on a phone with questions")
    assert await ifan.evaluate("() => window.hkSamePage === true")


async def test_calling_the_host_and_the_table_call_link_live(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    hybrid = {"type": "create_group", "cell_id": "venue-1", "remote_seats": True}
    await act(host, {**hybrid, "name": "Table 1"})
    await act(host, {**hybrid, "name": "Table 2"})
    table = next(g["id"] for g in (await host.snapshot())["groups"] if g["name"] == "Table 2")
    _, dewi = await join(browser, server, links.remote_url, "Dewi", **PHONE)
    me = (await host.snapshot())["participants"][-1]["id"]
    await act(host, {"type": "move_participant", "participant_id": me, "group_id": table})
    await expect(dewi.locator("#place-now")).to_have_text("You are now at Table 2.")
    await expect(dewi.locator("#connection")).to_have_text("Connected")
    await expect(dewi.locator("#call-link")).to_be_hidden()
    await not_reloaded(dewi)

    call = "https://meet.example/table-2"
    await act(host, {"type": "set_call_url", "group_id": table, "call_url": call})
    link = dewi.get_by_role("link", name="Join the call for Table 2 (opens in a new tab)")
    await expect(link).to_be_visible()
    await expect(link).to_have_attribute("href", call)
    await expect(link).to_have_attribute("rel", re.compile("noopener"))

    await dewi.get_by_label("What do you need? (optional)").fill("My sound is gone")
    await dewi.get_by_role("button", name="Call the host").click()
    await expect(dewi.locator("#call-state")).to_have_text(
        "You have called the host. They know, and will come to you."
    )
    await expect(dewi.locator("#call-form")).to_be_hidden()
    calls = (await host.snapshot())["calls"]
    assert [c["text"] for c in calls] == ["My sound is gone"]
    await act(host, {"type": "resolve_call", "call_id": calls[0]["id"]})
    await expect(dewi.locator("#call-state")).to_have_text("The host has answered your call.")
    await expect(dewi.get_by_role("button", name="Call the host")).to_be_visible()

    await act(host, {"type": "propose_seating", "seed": 1})
    await expect(dewi.locator("#next-seat")).to_have_text(re.compile(r"^Next round: .+\.$"))
    assert await dewi.evaluate("() => window.hkSamePage === true")
    await fits(dewi, "360 px phone with a call link and the next round's seat")
    await assert_accessible(dewi, "participant page with a call link and the next seat")


async def test_open_space_topics_update_live_and_everything_can_be_withdrawn(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("open-space", attribution="pseudonymous")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await act(host, {"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    _, mair = await join(browser, server, links.room_url, "Mair", **PHONE)
    _, dewi = await join(browser, server, links.remote_url, "Dewi")
    await expect(mair.locator("#connection")).to_have_text("Connected")
    for text in ("Late buses home", "A repair café"):
        await mair.get_by_label("Your topic").fill(text)
        await mair.get_by_role("button", name="Propose topic").click()
    await expect(dewi.locator("#notes .text")).to_have_text(["Late buses home", "A repair café"])
    topics = {c["text"]: c["id"] for c in (await host.snapshot())["contributions"]}
    for topic, slot in (("Late buses home", "10:00"), ("A repair café", "11:00")):
        place = {"contribution_id": topics[topic], "slot": slot, "space": "Main hall"}
        await act(host, {"type": "place_topic", **place})
    await act(host, {"type": "open_phase", "phase_id": "p3", "seat": False, "timer": False})
    buses = dewi.locator("#topics .topic", has_text="Late buses home")
    # the topic sessions' page (it reloads for the new phase), live again, before the checks
    await expect(buses.get_by_role("button", name="Join this topic")).to_be_visible()
    await expect(dewi.locator("#connection")).to_have_text("Connected")
    await expect(buses.locator(".topic-people")).to_have_text("0 people here")
    await expect(buses).to_contain_text("Convener: Participant 2")  # Mair, by her alias
    await not_reloaded(dewi)

    # the law of two feet: Mair joins by keyboard; her page says where she is now
    await expect(mair.locator("#connection")).to_have_text("Connected")
    heard = mair.locator("#announcer")
    join_buses = mair.locator("#topics .topic", has_text="Late buses home").get_by_role(
        "button", name="Join this topic"
    )
    await tab_to(mair, join_buses)
    await mair.keyboard.press("Enter")
    await expect(mair.locator("#place-now")).to_have_text(
        "You are now in the topic “Late buses home”."
    )
    await expect(heard).to_have_text("You are now in the topic “Late buses home”.")
    await expect(buses.locator(".topic-people")).to_have_text("1 person here: Participant 2")
    assert "Mair" not in await dewi.locator("main").inner_text()  # aliases, never names
    assert await dewi.evaluate("() => window.hkSamePage === true")  # counted live
    await fits(mair, "360 px phone in a topic group")
    await assert_accessible(mair, "participant page in an Open Space topic group")
    await assert_accessible(dewi, "participant page with Open Space topics")

    # everything Mair said goes, after she ticks "I understand"
    withdraw = mair.get_by_role("button", name="Withdraw everything I said")
    await withdraw.click()  # not ticked: the browser asks for the tick, nothing is sent
    assert not await mair.locator("#withdraw-confirm").evaluate("box => box.validity.valid")
    await mair.get_by_label("I understand: everything I said here is withdrawn for good.").check()
    await withdraw.click()
    await expect(heard).to_have_text("Withdrawing everything you said…")
    await expect(dewi.locator("#notes .note")).to_have_count(0)  # gone from every page, live
    snapshot = await host.snapshot()
    assert [c["text"] for c in snapshot["contributions"]] == []
