"""Headers and transport: CSP, framing, nosniff, referrer, HSTS, cookies and CSRF."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx

from tests.harness import Person, Server

HTTPS = {"X-Forwarded-Proto": "https"}  # as a TLS-terminating proxy on this host sends


async def pages(server: Server) -> tuple[dict[str, str], dict[str, str]]:
    """Every kind of page, by path, and the cookies that open them."""
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    rhian = await Person.join(server, links.room_url, "Rhian")
    admin_key = (await server.admin_link()).split("key=")[1]
    sid = links.session_id
    paths = {
        "landing": "/",
        "join by code": "/join",
        "join": f"/j/{links.join_code}/room",
        "participant": f"/s/{sid}",
        "projector": f"/s/{sid}/projector",
        "host console": f"/s/{sid}/host",
        "admin": "/admin",
        "not joined": "/s/nope",
        "stylesheet": "/static/style.css",
        "qr code": f"/s/{sid}/qr/room.svg",
    }
    cookies = {f"hk_{sid}": host.token, "hk_admin": admin_key}
    assert rhian.token
    return paths, cookies


async def test_every_page_has_a_strict_csp_and_the_protective_headers(server: Server) -> None:
    paths, cookies = await pages(server)
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as http:
        for name, path in paths.items():
            response = await http.get(path)
            assert response.status_code in (200, 303, 401, 404), (name, response.status_code)
            csp = response.headers["content-security-policy"]
            directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
            assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, name
            assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
            assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
            assert directives["frame-ancestors"] == "'none'", name
            assert response.headers["x-frame-options"] == "DENY", name
            assert response.headers["x-content-type-options"] == "nosniff", name
            assert response.headers["referrer-policy"] in ("same-origin", "no-referrer"), name
            assert "strict-transport-security" not in response.headers, name  # plain HTTP


async def test_hsts_and_secure_cookies_only_over_https(server: Server) -> None:
    links = await server.new_session("world-cafe")
    async with httpx.AsyncClient(base_url=server.url) as http:
        plain = await http.post(server.local(links.room_url), data={"name": "Rhian"})
        tls = await http.post(server.local(links.room_url), data={"name": "Dewi"}, headers=HTTPS)
        landing = await http.get("/", headers=HTTPS)
    assert "strict-transport-security" not in plain.headers
    assert landing.headers["strict-transport-security"].startswith("max-age=")
    plain_cookie = plain.headers["set-cookie"].lower()
    tls_cookie = tls.headers["set-cookie"].lower()
    for cookie in (plain_cookie, tls_cookie):
        assert "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in plain_cookie.split(";")[-1] and "; secure" not in plain_cookie
    assert "; secure" in tls_cookie


async def test_the_language_cookie_is_httponly(server: Server) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        chosen = await http.get("/lang/cy?back=/")
    cookie = chosen.headers["set-cookie"].lower()
    assert cookie.startswith("hk_lang=cy") and "httponly" in cookie and "samesite=lax" in cookie


async def test_a_secret_link_is_consumed_without_leaking_it_by_referrer(server: Server) -> None:
    links = await server.new_session("world-cafe")
    async with httpx.AsyncClient() as http:
        response = await http.get(server.local(links.host_url))
    assert response.status_code == 303
    assert "key=" not in response.headers["location"]
    assert response.headers["referrer-policy"] == "no-referrer"


class Forms(HTMLParser):
    """Each POST form's action and whether it carries a csrf field."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form" and (values.get("method") or "").lower() == "post":
            self.forms.append([values.get("action") or "", ""])
        elif tag == "input" and values.get("name") == "csrf" and self.forms:
            self.forms[-1][1] = values.get("value") or ""


async def test_every_form_that_acts_for_someone_carries_a_csrf_token(server: Server) -> None:
    paths, cookies = await pages(server)
    found = 0
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as http:
        for name in ("participant", "host console", "admin"):
            parser = Forms()
            parser.feed((await http.get(paths[name])).text)
            assert parser.forms, name
            for action, csrf in parser.forms:
                assert re.fullmatch(r"[\w\-]{20,}", csrf), (name, action)
                found += 1
    assert found >= 10


async def test_form_posts_without_the_csrf_token_change_nothing(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    sid = links.session_id
    cookies = {f"hk_{sid}": host.token}
    async with httpx.AsyncClient(base_url=server.url, cookies=cookies) as http:
        for path, form in (
            (f"/s/{sid}/act", {"type": "announce", "text": "Forged"}),
            (f"/s/{sid}/host/rotate", {}),
            (f"/s/{sid}/host/delete", {"confirm": links.join_code}),
        ):
            response = await http.post(path, data=form)
            assert response.status_code == 403, path
    snapshot = await host.snapshot()
    assert snapshot["announcements"] == [] and snapshot["seq"] == 4  # with the hall laptop
    await host.connect()  # the link was not rotated and the session not deleted


async def test_a_cross_site_form_post_is_refused_even_where_no_token_can_be(
    server: Server,
) -> None:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    room = server.local(links.room_url)
    async with httpx.AsyncClient() as http:
        forced = await http.post(
            room, data={"name": "Forced"}, headers={"Origin": "https://evil.example"}
        )
        assert forced.status_code == 403
        for origin in (server.url, server.public_url):  # this server, as reached or published
            joined = await http.post(room, data={"name": "Welcome"}, headers={"Origin": origin})
            assert joined.status_code == 303
    names = [p["name"] for p in (await host.snapshot())["participants"]]
    assert "Forced" not in names and names.count("Welcome") == 2
