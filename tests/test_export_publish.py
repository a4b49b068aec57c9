"""Publishing the digest at an unguessable read-only link, and revoking it (real server)."""

from __future__ import annotations

import csv
import io
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
    assert (
        await host.send({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    )["type"] == "ack"
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
    assert page.headers["referrer-policy"] == "same-origin"  # the link never leaves the site
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
        console = lxml.html.fromstring((await http.get(f"/s/{host.session_id}/host/harvest")).text)
        (form,) = console.xpath("//form[contains(@action, '/publish')]")
        fields = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input")}
        fields.update(attribution="chatham-house", days="7")
        done = await http.post(form.get("action"), data=fields)
        assert done.status_code == 303 and "Published" in done.headers["location"]
        console = lxml.html.fromstring((await http.get(f"/s/{host.session_id}/host/harvest")).text)
        (item,) = console.xpath("//ul[@class='publications']/li")
        url = item.xpath(".//a")[0].get("href")
        assert "Chatham House" in item.text_content() and "stops in 7.0 days" in item.text_content()
        page = await visit(server, url)
        assert page.status_code == 200 and "Ana" not in page.text
        (revoke,) = item.xpath(".//form[.//input[@value='revoke_digest']]")
        fields = {i.get("name"): i.get("value") or "" for i in revoke.xpath(".//input")}
        assert (await http.post(revoke.get("action"), data=fields)).status_code == 303
    assert (await visit(server, url)).status_code == 410


async def open_responses(host: Person, url: str, days: int = 14) -> None:
    link = url.rsplit("/", 1)[1]
    reply = await host.send({"type": "set_response_window", "link": link, "days": days})
    assert reply["type"] == "ack", reply


async def respond(server: Server, url: str, **form: str) -> httpx.Response:
    """Fill in the published page's response form, as someone who was not there."""
    async with httpx.AsyncClient(base_url=server.url) as http:
        page = lxml.html.fromstring((await http.get(server.local(url))).text)
        (action,) = page.xpath("//form[@class='respond']/@action")
        return await http.post(action, data=form)


async def test_someone_who_was_not_there_adds_their_view_and_it_is_marked_in_exports(
    server: Server,
) -> None:
    host, _, _ = await scene(server)
    url = (await publish(server, host)).json()["url"]
    await open_responses(host, url)
    sent = await respond(
        server,
        url,
        phase_id="p2",
        text="Kx50 From my sofa: <script>x()</script>more buses",
        name="Nia Visitor",
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?said=sent#respond")
    page = await visit(server, f"{server.url}{sent.headers['location']}")
    assert "Thank you: your view has been added" in page.text
    tree = lxml.html.fromstring(page.text)
    (item,) = tree.xpath("//li[contains(., 'Kx50')]")
    assert "Nia Visitor" in item.text_content() and not tree.xpath("//main//script")
    heading = item.getparent().getprevious()
    assert heading.text_content() == "Responses afterwards"
    async with httpx.AsyncClient() as http:
        csv_text = (
            await http.get(
                f"{server.url}/s/{host.session_id}/export/transcript-csv", headers=host.headers
            )
        ).text
    last = list(csv.DictReader(io.StringIO(csv_text)))[-1]
    assert "Kx50" in last["text"] and last["group"] == "Responses afterwards"
    assert (last["response"], last["pending"]) == ("True", "False")


async def test_a_response_is_as_private_as_the_published_digest(server: Server) -> None:
    host, _, _ = await scene(server)
    url = (await publish(server, host, attribution="pseudonymous")).json()["url"]
    await open_responses(host, url)
    await respond(server, url, phase_id="p2", text="Kx51 Quietly", name="Nia Visitor")
    page = (await visit(server, url)).text
    assert "Kx51" in page and "Nia" not in page and "Respondent 1" in page


async def test_without_an_open_window_there_is_no_form_and_nothing_is_added(
    server: Server,
) -> None:
    host, _, _ = await scene(server)
    url = (await publish(server, host)).json()["url"]
    assert 'class="respond"' not in (await visit(server, url)).text
    link = url.rsplit("/", 1)[1]
    async with httpx.AsyncClient(base_url=server.url) as http:
        refused = await http.post(
            f"/d/{host.session_id}/{link}/respond", data={"phase_id": "p2", "text": "Kx52"}
        )
    assert refused.headers["location"].endswith("?said=responses_closed#respond")
    assert "Kx52" not in (await visit(server, url)).text
    await open_responses(host, url)
    await open_responses(host, url, days=0)  # and closed again
    assert 'class="respond"' not in (await visit(server, url)).text


async def test_the_published_digest_is_styled_accessible_and_self_contained_in_a_browser(
    server: Server, browser: Any
) -> None:
    from axe_playwright_python.async_playwright import Axe

    host, _, _ = await scene(server)
    url = server.local((await publish(server, host)).json()["url"])
    await open_responses(host, url)  # so the response form is checked too
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
    await page.get_by_label("Your view").fill("Kx53 Typed in a browser")
    await page.get_by_role("button", name="Send my view").click()
    await page.wait_for_url("**said=sent**")
    assert await page.get_by_text("Kx53 Typed in a browser").count() == 1
    results = await Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    await context.close()


async def test_the_host_console_makes_a_phase_confidential_and_it_leaves_every_export(
    server: Server,
) -> None:
    host, ana, _ = await scene(server)
    cookies = {f"hk_{host.session_id}": host.token}
    async with httpx.AsyncClient(cookies=cookies, base_url=server.url) as http:
        console = lxml.html.fromstring((await http.get(f"/s/{host.session_id}/host/phases")).text)
        (form,) = console.xpath("//form[.//select[@id='privacy-p3']]")
        fields = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input")}
        done = await http.post(form.get("action"), data={**fields, "attribution": "confidential"})
        assert done.status_code == 303
        assert (
            await host.send({"type": "open_phase", "phase_id": "p3", "seat": False, "timer": False})
        )["type"] == "ack"
        said = {"type": "post_contribution", "kind": "note", "text": "Kx60 In confidence"}
        assert (await ana.send(said))["type"] == "ack"
        console = lxml.html.fromstring((await http.get(f"/s/{host.session_id}/host/phases")).text)
        chosen = console.xpath("//select[@id='privacy-p3']/option[@selected]/@value")
        assert chosen == ["confidential"]
        digest = await http.get(f"/s/{host.session_id}/export/digest-txt")
    assert "Kx01" in digest.text and "Kx60" not in digest.text
    assert "confidential: nothing said in it was recorded" in digest.text


async def test_the_downloads_section_of_the_host_console_has_no_axe_violations(
    server: Server, browser: Any
) -> None:
    from axe_playwright_python.async_playwright import Axe

    host, _, links = await scene(server)
    url = (await publish(server, host, days="3")).json()["url"]
    await open_responses(host, url)
    context = await browser.new_context(viewport={"width": 360, "height": 640})
    page = await context.new_page()
    await page.goto(server.local(links.host_url))
    await page.get_by_role("link", name="Harvest").click()
    section = page.locator("section[aria-labelledby='downloads-heading']")
    assert await section.get_by_role("link", name="Digest (PDF)").count() == 1
    assert await section.get_by_role("button", name="Stop taking responses").count() == 1
    results = await Axe().run(
        page, context={"include": [["section[aria-labelledby='downloads-heading']"]]}
    )
    assert results.violations_count == 0, results.generate_report()
    await context.close()
