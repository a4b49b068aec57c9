"""Helpers for browser tests: people as browser contexts, and axe-core checks.

Each person gets their own browser context (their own cookies and localStorage), the way
each person in a hall has their own phone.
"""

from __future__ import annotations

import io
import weakref
from typing import Any

import PIL.Image
import zxingcpp
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.harness import Server

PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
}
LAPTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}

_axe = Axe()
# Every rule axe enables by default, plus WCAG 2.2's target size (24 px) made explicit.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}
expect.set_options(timeout=10_000)  # a loaded CI machine; a passing check returns at once


_script_errors: weakref.WeakKeyDictionary[Page, list[str]] = weakref.WeakKeyDictionary()
_NETWORK_NOISE = ("Failed to load resource", "WebSocket connection")


def watch_scripts(page: Page) -> None:
    """Record the page's script errors, so a broken handler cannot fail silently."""
    errors = _script_errors.setdefault(page, [])
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and not message.text.startswith(_NETWORK_NOISE)
            else None
        ),
    )


async def assert_accessible(page: Page, what: str) -> None:
    """Zero axe-core violations (WCAG 2.x A/AA and best practices) on the page as it is now,
    and no script error on it so far."""
    errors = _script_errors.get(page, [])
    assert errors == [], f"{what}: script errors: {errors}"
    results = await _axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


async def open_as(browser: Browser, url: str, **options: Any) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(**{**LAPTOP, **options})
    page = await context.new_page()
    watch_scripts(page)
    page.set_default_timeout(10_000)
    await page.goto(url)
    return context, page


async def join(
    browser: Browser, server: Server, link: str, name: str | None, **options: Any
) -> tuple[BrowserContext, Page]:
    """Open a join link and join, by name or anonymously, as a person would."""
    context, page = await open_as(browser, server.local(link), **options)
    if name is None:
        await page.get_by_label("Stay anonymous").check()
    else:
        await page.get_by_label("Your name").fill(name)
    await page.get_by_role("button", name="Join").click()
    await page.wait_for_url("**/s/*")
    return context, page


async def scan_qr(page: Page, selector: str) -> str:
    """Read the QR code drawn at ``selector`` the way a phone camera would: from pixels."""
    png = await page.locator(selector).screenshot()
    image = PIL.Image.open(io.BytesIO(png)).convert("L")
    found = [
        r.text for r in zxingcpp.read_barcodes(image) if r.format == zxingcpp.BarcodeFormat.QRCode
    ]
    assert len(found) == 1, f"expected one QR code at {selector}, found {found}"
    return found[0]


async def console_page(page: Page, name: str) -> None:
    """Go to one of the console's pages by its link."""
    async with page.expect_navigation():
        await (
            page.get_by_role("navigation", name="Console pages")
            .get_by_role("link", name=name)
            .click()
        )


async def listen(page: Page, heard: list[str]) -> None:
    """Everything the page's live region says from now on, into ``heard`` (the page's
    ``heard`` function, exposed once, outlives a reload; the observer is set again)."""
    heard.clear()
    await page.evaluate(
        """() => new MutationObserver(() => {
             const text = document.getElementById('announcer').textContent;
             if (text) window.heard(text);
           }).observe(document.getElementById('announcer'),
                      {childList: true, characterData: true, subtree: true})"""
    )
