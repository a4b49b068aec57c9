"""Open Space marketplace: propose a topic and vote for it, live on every phone."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, join
from tests.harness import Person, Server


async def test_a_proposed_topic_gets_votes_that_everyone_sees_live(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("open-space")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    marketplace = next(p for p in (await host.snapshot())["phases"] if p["title"] == "Marketplace")
    await host.send(
        {"type": "open_phase", "phase_id": marketplace["id"], "seat": False, "timer": False}
    )
    _, caller = await join(browser, server, links.room_url, "Rhian", **PHONE)
    _, voter = await join(browser, server, links.remote_url, None)
    await expect(voter.locator("#connection")).to_have_text("Connected")

    await caller.get_by_label("Your topic").fill("A minibus for the valley")
    await caller.get_by_role("button", name="Propose topic").click()
    topic = voter.locator(".note", has_text="A minibus for the valley")
    await expect(topic).to_contain_text("Rhian · topic")
    await topic.get_by_role("button", name="Vote for this topic").click()
    await expect(topic.get_by_role("button", name="Vote for this topic")).to_have_attribute(
        "aria-pressed", "true"
    )
    await expect(topic.locator(".votes")).to_have_text("1 vote")
    await expect(caller.locator(".note", has_text="minibus").locator(".votes")).to_have_text(
        "1 vote"
    )
    await topic.get_by_role("button", name="Vote for this topic").click()  # take it back
    await expect(caller.locator(".note", has_text="minibus").locator(".votes")).to_have_text(
        "0 votes"
    )
    await assert_accessible(voter, "participant page with a topic to vote on")
