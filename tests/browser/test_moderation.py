"""Pre-moderation in real browsers: the host holds contributions, approves one from the
console's waiting list, and the projector's wall shows it live; both pages axe-clean."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.browser.support import assert_accessible, open_as
from tests.harness import Person, Server


async def test_the_host_approves_an_anonymous_note_onto_the_projector_wall_live(
    browser: Browser, server: Server
) -> None:
    links = await server.new_session("world-cafe", title="Bus routes")
    host_api = Person.from_link(server, links.host_url)
    await host_api.connect()
    await host_api.send({"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False})
    await host_api.send({"type": "set_projector", "mode": "wall"})
    _, console = await open_as(browser, server.local(links.host_url))
    await console.goto(console.url + "/harvest")
    _, projector = await open_as(browser, server.local(links.projector_url))
    await expect(projector.locator("#connection")).to_have_text("Connected")
    await expect(console.locator("#connection")).to_have_text("Connected")

    moderation = console.get_by_role("region", name="Pre-moderation")
    await moderation.get_by_role("button", name="Hold contributions for approval").click()
    await expect(console.locator("#moderation-state")).to_contain_text("On.")
    await expect(console.locator("#connection")).to_have_text("Connected")

    shy = await Person.join(server, links.room_url, None)  # anonymous, on their own phone
    await shy.connect()
    held = await shy.send(
        {"type": "post_contribution", "kind": "note", "text": "The 42 never comes"}
    )
    assert held["type"] == "ack"
    waiting = console.locator("#waiting")
    await expect(waiting).to_contain_text("The 42 never comes")
    await expect(waiting).to_contain_text("Anonymous")
    await expect(projector.locator(".wall")).to_contain_text("Notes will appear here.")
    await expect(projector.locator(".wall")).not_to_contain_text("The 42 never comes")
    await assert_accessible(console, "host console with a contribution waiting for approval")

    await waiting.get_by_role("button", name="Approve").click()
    await expect(projector.locator(".wall")).to_contain_text("The 42 never comes")
    await expect(console.locator("#waiting")).to_have_text("Nothing is waiting.")
    await assert_accessible(projector, "projector wall after an approval")
