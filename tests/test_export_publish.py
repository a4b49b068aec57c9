"""Publishing the digest at an unguessable read-only link, and revoking it (real server)."""

from __future__ import annotations

from typing import Any

import httpx
import lxml.html

from tests.harness import Person, Server


async def scene(server: Server, attribution: str = "attributed") -> tuple[Person, Person, Any]:
    """A host and Ana (named) in round 1; Ana has said two things."""
    links = await server.new_session("world-cafe", attribution=attribution)
    host = Person.from_link(server, links.host_url)
    await host.connect()
    ana = await Person.join(server, links.room_url, "Ana Quillfeather")
    await ana.connect()
    assert (await host.send({"type": "open_phase", "phase_id": "p2"}))["type"] == "ack"
    for text in ("Kx01 Market days", "Kx02 Later withdrawn"):
        reply = await ana.send({"type": "post_contribution", "kind": "note", "text": text})
        assert reply["type"] == "ack"
    return host, ana, links


async def publish(server: Server, person: Person, **form: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(
            f"{server.url}/s/{person.session_id}/publish", data=form, headers=person.headers
        )


async def visit(server: Server, url: str) -> httpx.Response:
    """Open a published link as someone who never joined: no cookie, no token."""
    async with httpx.AsyncClient() as http:
        return await http.get(server.local(url))


async def test_anyone_with_the_link_reads_the_digest_as_privately_as_published(
    server: Server,
) -> None:
    host, _, _ = await scene(server)
    response = await publish(server, host, attribution="pseudonymous", days="30")
    assert response.status_code == 200, response.text
    url = response.json()["url"]
    assert len(response.json()["link"]) >= 22  # 128 random bits
    page = await visit(server, url)
    assert page.status_code == 200
    assert "Kx01 Market days" in page.text and "Quillfeather" not in page.text
    assert "Participant " in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script" not in csp
    assert page.headers["cache-control"] == "no-store"
    large = await visit(server, f"{url}/large-print")
    assert large.status_code == 200 and "large print" in large.text
    assert (await visit(server, f"{url}/anything-else")).status_code == 404


async def test_a_published_digest_follows_withdrawals_and_a_revoked_link_is_gone(
    server: Server,
) -> None:
    host, ana, _ = await scene(server)
    url = (await publish(server, host)).json()["url"]
    assert "Kx02" in (await visit(server, url)).text
    withdrawn = next(c for c in (await ana.snapshot())["contributions"] if "Kx02" in c["text"])
    reply = await ana.send({"type": "withdraw_contribution", "contribution_id": withdrawn["id"]})
    assert reply["type"] == "ack"
    assert "Kx02" not in (await visit(server, url)).text
    link = url.rsplit("/", 1)[1]
    assert (await host.send({"type": "revoke_digest", "link": link}))["type"] == "ack"
    gone = await visit(server, url)
    assert gone.status_code == 410 and "Kx01" not in gone.text


async def test_a_digest_is_never_published_less_privately_than_the_session(
    server: Server,
) -> None:
    host, _, _ = await scene(server, attribution="pseudonymous")
    refused = await publish(server, host, attribution="attributed")
    assert refused.status_code == 422 and "more private, not less" in refused.text
    bad_days = await publish(server, host, days="0")
    assert bad_days.status_code == 400


async def test_only_the_lead_host_publishes_or_revokes(server: Server) -> None:
    host, ana, _ = await scene(server)
    assert (await publish(server, ana)).status_code == 403
    link = (await publish(server, host)).json()["link"]
    refused = await ana.send({"type": "revoke_digest", "link": link})
    assert refused["type"] == "rejected" and refused["code"] == "not_allowed"


async def test_an_unknown_link_is_not_found(server: Server) -> None:
    host, _, _ = await scene(server)
    assert (await visit(server, f"{server.url}/d/{host.session_id}/guess")).status_code == 404
    assert (await visit(server, f"{server.url}/d/no-session/guess")).status_code == 404


async def test_the_host_console_publishes_lists_and_revokes_with_plain_forms(
    server: Server,
) -> None:
    host, _, _ = await scene(server)
    cookies = {f"hk_{host.session_id}": host.token}
    async with httpx.AsyncClient(cookies=cookies, base_url=server.url) as http:
        console = lxml.html.fromstring((await http.get(f"/s/{host.session_id}/host")).text)
        (form,) = console.xpath("//form[contains(@action, '/publish')]")
        fields = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input")}
        fields.update(attribution="chatham-house", days="7")
        done = await http.post(form.get("action"), data=fields)
        assert done.status_code == 303 and "Published" in done.headers["location"]
        console = lxml.html.fromstring((await http.get(f"/s/{host.session_id}/host")).text)
        (item,) = console.xpath("//ul[@class='publications']/li")
        url = item.xpath(".//a")[0].get("href")
        assert "chatham house" in item.text_content() and "stops in 7.0 days" in item.text_content()
        page = await visit(server, url)
        assert page.status_code == 200 and "Ana" not in page.text
        (revoke,) = item.xpath(".//form")
        fields = {i.get("name"): i.get("value") or "" for i in revoke.xpath(".//input")}
        assert (await http.post(revoke.get("action"), data=fields)).status_code == 303
    assert (await visit(server, url)).status_code == 410


async def test_the_published_digest_is_styled_accessible_and_self_contained_in_a_browser(
    server: Server, browser: Any
) -> None:
    from axe_playwright_python.async_playwright import Axe

    host, _, _ = await scene(server)
    url = server.local((await publish(server, host)).json()["url"])
    context = await browser.new_context(viewport={"width": 360, "height": 640})
    page = await context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    await page.goto(f"{url}/large-print")
    size = await page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 24  # the inline stylesheet is allowed by the page's CSP: 20pt
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert requests == [f"{url}/large-print"]
    await context.close()
