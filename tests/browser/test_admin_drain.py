"""The admin page of a node among several offers to drain it; the answer says what happens."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
from playwright.async_api import Browser, expect

from tests.browser.support import PHONE, assert_accessible, open_as
from tests.harness import running_server
from tests.redis_support import need_redis


async def test_an_admin_drains_the_node_from_its_admin_page(
    browser: Browser, tmp_path: Path
) -> None:
    async with running_server(tmp_path / "data", bus=need_redis()) as server:
        _, page = await open_as(browser, await server.admin_link(), **PHONE)
        node = page.get_by_role("region", name="This node")
        await expect(node).to_contain_text(f":{server.settings.port}")  # which node this is
        await assert_accessible(page, "admin page of a node among several")
        shots = os.environ.get("HOSTKIT_SCREENSHOTS")
        if shots:
            for width in (390, 1280, 1920):
                await page.set_viewport_size({"width": width, "height": 900})
                await node.scroll_into_view_if_needed()
                await page.screenshot(path=f"{shots}/admin-drain-{width}.png")
        async with httpx.AsyncClient() as http:
            assert (await http.get(f"{server.url}/healthz")).status_code == 200
            await node.get_by_role("button", name="Drain this node, then stop it").click()
            await expect(page.get_by_role("heading", level=1)).to_have_text("This node is draining")
            assert (await http.get(f"{server.url}/healthz")).status_code == 503
        await assert_accessible(page, "a node draining")
        if shots:
            await page.screenshot(path=f"{shots}/admin-drained-390.png")
