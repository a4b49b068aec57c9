"""A note arriving live shows in the one Markdown subset of the exports, on a phone, the
projector's wall and the host console: emphasis, lists, links and paragraphs formatted, an
indented paragraph still a paragraph, and raw HTML shown as the text it was, never run.

The server renders the subset (hostkit/text/markdown.py, cleaned by nh3) and sends it with
the event; the pages insert that HTML. So what a page builds live must equal what the
server renders when the page is loaded afresh.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.support import PHONE, assert_accessible, join, open_as
from tests.harness import Person, Server
from tests.security.test_hostile_content import INJECTED, WATCH

PAYLOAD = "<script>window.__ran = 'script'</script><img src=x onerror=\"window.__ran = 'img'\">"
NOTE = (
    "Thanks for starting this: the library is *really* the **heart** of the village.\n\n"
    "    I have used it every week since 1987, and I indent my paragraphs as I always have.\n\n"
    "What would help:\n"
    "- evening hours\n"
    "- a café corner\n\n"
    f"See [the survey](https://example.org/survey) and {PAYLOAD}"
)
MINE = "Me too: **evenings**, please\n1. Tuesdays\n2. Thursdays"
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}

# Run in the page: what the note's words became (the element holding them, by its text).
SHAPE = """(needle) => {
  const el = [...document.querySelectorAll('.text')].find(e => e.textContent.includes(needle));
  if (!el) return null;
  const links = [...el.querySelectorAll('a')];
  return {
    em: [...el.querySelectorAll('em')].map(e => e.textContent),
    strong: [...el.querySelectorAll('strong')].map(e => e.textContent),
    items: [...el.querySelectorAll('ul > li, ol > li')].map(e => e.textContent),
    paragraphs: [...el.querySelectorAll('p')].map(e => e.textContent.trim().slice(0, 24)),
    links: links.map(a => [a.getAttribute('href'), a.getAttribute('rel'), a.textContent]),
    code: el.querySelectorAll('pre, code, script, img, style').length,
    text: el.innerText,
    html: el.innerHTML,
  };
}"""


async def shape(page: Page, needle: str) -> dict[str, Any]:
    found: dict[str, Any] | None = await page.evaluate(SHAPE, needle)
    assert found is not None, f"no words with {needle!r} on {page.url}"
    return found


def assert_formatted(found: dict[str, Any], where: str) -> None:
    assert found["em"] == ["really"] and found["strong"] == ["heart"], where
    assert found["items"] == ["evening hours", "a café corner"], where
    assert found["paragraphs"][:2] == ["Thanks for starting this", "I have used it every wee"], (
        where
    )
    [(href, rel, words)] = found["links"]
    assert (href, words) == ("https://example.org/survey", "the survey"), where
    assert {"nofollow", "noopener"} <= set(rel.split()), where
    assert found["code"] == 0, where  # no code block, and nothing planted
    assert "<script>window.__ran = 'script'</script>" in found["text"], where
    assert "<img src=x onerror=" in found["text"], where


async def assert_nothing_ran(page: Page, where: str) -> None:
    assert await page.evaluate(INJECTED) == [], where
    assert await page.evaluate("window.__violations") == [], where  # not even attempted
    assert await page.evaluate("window.__ran === undefined"), where


@pytest.mark.parametrize(
    ("mode", "label"),
    [("attributed", "Sioned"), ("pseudonymous", "Participant 3"), ("chatham-house", "Anonymous")],
)
async def test_a_live_note_shows_its_markdown_formatted_and_its_html_inert_on_phone_and_projector(
    browser: Browser, server: Server, mode: str, label: str
) -> None:
    links = await server.new_session("world-cafe", title="The library", attribution=mode)
    host = Person.from_link(server, links.host_url)
    await host.connect()
    for command in (
        {"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False},  # plenary
        {"type": "set_projector", "mode": "wall"},
    ):
        assert (await host.send(command))["type"] == "ack", command

    phone_context, phone = await join(browser, server, links.room_url, "Gwen", **PHONE)
    await phone.add_init_script(WATCH)
    await phone.reload()
    _, wall = await open_as(browser, server.local(links.projector_url), **PROJECTOR)
    _, console = await open_as(
        browser, server.local(links.host_url).replace("/host?", "/host/harvest?")
    )
    for page in (wall, console):
        await page.add_init_script(WATCH)
        await page.reload()
    for page in (phone, wall, console):
        await expect(page.locator("#connection")).to_have_text("Connected")

    sioned = await Person.join(server, links.remote_url, "Sioned")
    assert (
        await sioned.post({"type": "post_contribution", "kind": "note", "text": NOTE})
    ).is_success
    await phone.get_by_label("Your note").fill(MINE)
    await phone.get_by_role("button", name="Add note").click()

    note = phone.locator("#notes li", has_text="Thanks for starting")
    await expect(note.locator(".who")).to_have_text(label)
    await expect(phone.locator("#own li strong")).to_have_text("evenings")
    await expect(wall.locator("#wall li", has_text="Thanks for starting")).to_have_count(1)
    await expect(wall.locator("#wall li", has_text="Thanks for starting")).to_contain_text(label)
    await expect(console.locator("#notes li", has_text="Thanks for starting")).to_have_count(1)

    live = await shape(phone, "Thanks for starting")
    assert_formatted(live, f"phone, live ({mode})")
    mine = await shape(phone, "Me too")  # my own note, as it came back
    assert mine["strong"] == ["evenings"] and mine["items"] == ["Tuesdays", "Thursdays"]
    assert_formatted(await shape(wall, "Thanks for starting"), f"projector wall ({mode})")
    assert_formatted(await shape(console, "Thanks for starting"), f"host console ({mode})")
    for page, where in ((phone, "phone"), (wall, "projector"), (console, "console")):
        await assert_nothing_ran(page, f"{where}, live ({mode})")

    await phone.reload()  # the same words rendered by the server into the page
    await expect(phone.locator("#connection")).to_have_text("Connected")
    again = await shape(phone, "Thanks for starting")
    assert again["html"] == live["html"], "the page renders the note as its live event did"
    await assert_nothing_ran(phone, f"phone, reloaded ({mode})")
    await assert_accessible(phone, f"phone with a formatted note ({mode})")
    await assert_accessible(wall, f"projector with a formatted note ({mode})")
    await phone_context.close()
