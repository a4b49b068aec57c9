"""A phone says a count the way its language does: the forms and the rule that picks one
come from the server's catalogue (Welsh has six: 0, 1, 2, 3, 6 and the rest), never from
English's "one or many" in the page's script."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from hostkit import i18n
from tests.browser.support import PHONE, open_as
from tests.harness import Person, Server

ROOT = Path(__file__).resolve().parent.parent.parent
COUNTS = [0, 1, 2, 3, 6, 7, 11, 106, 206]
LANGUAGES = {  # browser locale, then the join form's words
    "en": ("en-GB", "Your name", "Join"),
    "cy": ("cy-GB", "Eich enw", "Ymuno"),
}


CATALOGUES = i18n.Catalogues.load(ROOT / "locale")


def said(lang: str, singular: str, plural: str, n: int) -> str:
    return CATALOGUES.get(lang).ngettext(singular, plural, n) % {"num": n}


async def phone_in(browser: Browser, server: Server, lang: str, seconds: int) -> Page:
    """A phone in ``lang`` at round 1, with the host's timer set to ``seconds``."""
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    await host.send({"type": "start_timer", "duration_s": seconds})
    await host.send({"type": "pause_timer"})  # a count that holds still while we read it
    locale, name_label, join = LANGUAGES[lang]
    _, page = await open_as(browser, server.local(links.room_url), locale=locale, **PHONE)
    await page.get_by_label(name_label).fill("Gwen")
    await page.get_by_role("button", name=join).click()
    await page.wait_for_url("**/s/*")
    return page


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_the_phones_countdown_says_two_minutes_in_its_own_language(
    browser: Browser, server: Server, lang: str
) -> None:
    page = await phone_in(browser, server, lang, 120)
    two = said(lang, "%(num)d minute left", "%(num)d minutes left", 2)
    paused = CATALOGUES.get(lang).gettext("(paused)")
    await expect(page.locator("#timer")).to_have_text(f"{two} {paused}")
    await page.context.close()


@pytest.mark.parametrize("lang", ["en", "cy"])
async def test_every_count_on_the_phone_takes_the_catalogues_form(
    browser: Browser, server: Server, lang: str
) -> None:
    page = await phone_in(browser, server, lang, 60)
    for singular, plural in i18n.SCRIPT_PLURALS:
        shown = await page.evaluate(
            "([one, many, counts]) => counts.map(n => HostkitLive.tn(one, many, n, { num: n }))",
            [singular, plural, COUNTS],
        )
        assert shown == [said(lang, singular, plural, n) for n in COUNTS], singular
    minutes = await page.evaluate(
        "counts => counts.map(n => HostkitLive.timeLeft(n * 60))", COUNTS[1:]
    )
    seconds = await page.evaluate(
        "counts => counts.map(n => HostkitLive.timeLeft(n))", [1, 2, 3, 6, 7, 11]
    )
    assert minutes == [
        said(lang, "%(num)d minute left", "%(num)d minutes left", n) for n in COUNTS[1:]
    ]
    assert seconds == [
        said(lang, "%(num)d second left", "%(num)d seconds left", n) for n in [1, 2, 3, 6, 7, 11]
    ]
    await page.context.close()
