"""Hostile content posted through the real server never runs in a real browser.

A corpus of XSS payloads goes in as notes, announcements, names and group names; the
participant page, the host console, the projector and the exported digest are then
opened in Chromium, live (as the events arrive) and freshly loaded. No dialog may open,
no injected element may exist, no CSP violation may be reported (so nothing was even
attempted), and each payload must be shown as the literal text it was (in a note, as the
Markdown subset shows it: a Markdown link keeps its words, and raw HTML is text).
"""

from __future__ import annotations

from typing import Any

import httpx
import lxml.html

from hostkit.text.markdown import render_markdown
from tests.harness import Person, Server
from tests.security.support import create_group, ok

PAYLOADS = [
    "<script>alert('xss-script')</script>",
    "<img src=x onerror=alert('xss-img')>",
    "<svg onload=alert('xss-svg')><circle r=1></circle></svg>",
    "<svg><script>alert('xss-svg-script')</script></svg>",
    "<a href=\"javascript:alert('xss-js')\">click me</a>",
    "[a markdown link](javascript:alert('xss-md'))",
    "![an image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<iframe src=\"data:text/html,<script>alert('xss-data')</script>\"></iframe>",
    "\"><script>alert('xss-attr')</script>",
    "'><img src=x onerror=alert('xss-quote')>",
    "<style>body{display:none}</style>",
    "<div style=\"background:url(javascript:alert('xss-css'))\">styled</div>",
    "</textarea></ul></li><script>alert('xss-close')</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-mxss')>",
    "<<script>alert('xss-malformed');//<</script>",
    "<details open ontoggle=alert('xss-toggle')>",
    "<body onload=alert('xss-body')>",
    "{{ 7*7 }} {% if true %}jinja{% endif %} ${7*7}",
    "W" * 400,
    "\u202eRTL override: txt.exe \u202c and שלום עולם",
]
NAMES = ["<img src=x onerror=alert(1)>", "<script>alert('n')</script>", "\u202egnp.exe"]
GROUP = "<svg onload=alert('group')>Table"

# Run in the page: every element or attribute that could only come from an injection.
INJECTED = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith('on')) bad.push(el.tagName + '[' + attr.name + ']');
      if (/^\\s*(javascript|data):/i.test(attr.value) && ['href', 'src', 'action', 'formaction',
          'xlink:href'].includes(attr.name)) bad.push(el.tagName + '[' + attr.name + ']');
    }
  }
  const planted = 'script:not([src]):not([type="application/json"]), iframe, object, embed, '
    + 'body style, mglyph, details';
  for (const el of document.querySelectorAll(planted)) bad.push(el.tagName);
  return bad;
}"""

WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def as_note(text: str) -> str:
    """The words a note shows: its text as the Markdown subset renders it."""
    return str(
        lxml.html.fragment_fromstring(render_markdown(text), create_parent="div").text_content()
    )


async def hostile_session(server: Server) -> tuple[Any, Person, list[Person]]:
    links = await server.new_session("world-cafe")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    await ok(host.send({"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False}))
    table = await create_group(host, GROUP)
    people = [await Person.join(server, links.remote_url, name) for name in NAMES]
    seated = await Person.join(server, f"{links.room_url}?table={table}", "Seated")
    return links, host, [*people, seated]


async def post_corpus(host: Person, people: list[Person]) -> None:
    author = people[0]
    for text in PAYLOADS:
        assert (
            await author.post({"type": "post_contribution", "kind": "note", "text": text})
        ).status_code == 200
    for person in people[1:3]:
        await person.post({"type": "post_contribution", "kind": "question", "text": PAYLOADS[1]})
    for text in PAYLOADS[:3]:
        assert (await host.post({"type": "announce", "text": text})).status_code == 200


async def open_page(context: Any, url: str, dialogs: list[str]) -> Any:
    page = await context.new_page()
    page.on("dialog", lambda d: dialogs.append(d.message))
    await page.add_init_script(WATCH)
    response = await page.goto(url)
    assert response is not None and response.status == 200, url
    return page


async def assert_harmless(page: Any, where: str, literal: list[str]) -> None:
    assert await page.evaluate(INJECTED) == [], where
    assert await page.evaluate("window.__violations") == [], where
    text = await page.evaluate("document.body.innerText")
    for expected in literal:
        assert expected in text, (where, expected)


async def test_the_xss_corpus_never_runs_on_any_page(server: Server, browser: Any) -> None:
    links, host, people = await hostile_session(server)
    dialogs: list[str] = []
    context = await browser.new_context()
    await context.add_cookies(
        [
            {"name": f"hk_{host.session_id}", "value": people[0].token, "url": server.url},
        ]
    )
    participant = await open_page(context, f"{server.url}/s/{host.session_id}", dialogs)

    host_context = await browser.new_context()
    harvest = server.local(links.host_url).replace("/host?", "/host/harvest?")  # every note
    host_page = await open_page(host_context, harvest, dialogs)
    screen_context = await browser.new_context()  # its own cookie jar: one identity each
    projector = await open_page(screen_context, server.local(links.projector_url), dialogs)
    seated_context = await browser.new_context()
    await seated_context.add_cookies(
        [{"name": f"hk_{host.session_id}", "value": people[-1].token, "url": server.url}]
    )
    seated = await open_page(seated_context, f"{server.url}/s/{host.session_id}", dialogs)

    await post_corpus(host, people)
    # live: wait until the pages have taken in the last note, then look
    await participant.locator("#notes li", has_text="RTL override").first.wait_for()
    await host_page.reload()  # the console's harvest page lists notes as it loads
    await host_page.locator("#notes li", has_text="RTL override").first.wait_for()
    for page, where in ((participant, "participant, live"), (host_page, "host console, live")):
        await assert_harmless(page, where, [])

    # innerText keeps control chars; skip
    literal = [as_note(p) for p in PAYLOADS if "\u202e" not in p]
    for page, where, shown in (
        (participant, "participant page", [*literal, *PAYLOADS[:3], NAMES[0]]),
        (host_page, "host console, harvest", [*literal, NAMES[0], NAMES[1]]),
        (projector, "projector", []),
        (seated, "seated participant", [GROUP]),
    ):
        await page.reload()
        await assert_harmless(page, where, shown)
    await host_page.goto(harvest.replace("/host/harvest?", "/host/people?"))
    await assert_harmless(host_page, "host console, people and tables", [NAMES[0], GROUP])
    assert dialogs == []

    await context.close()
    await host_context.close()
    await seated_context.close()
    await screen_context.close()


async def test_the_exported_digest_of_the_corpus_is_inert_even_without_csp(
    server: Server, browser: Any
) -> None:
    _, host, people = await hostile_session(server)
    await post_corpus(host, people)
    async with httpx.AsyncClient(base_url=server.url) as http:
        digest = await http.get(f"/s/{host.session_id}/export/digest-html", headers=host.headers)
    assert digest.status_code == 200, digest.text
    dialogs: list[str] = []
    context = await browser.new_context()
    page = await context.new_page()
    page.on("dialog", lambda d: dialogs.append(d.message))
    await page.add_init_script(WATCH)
    await page.set_content(digest.text)  # as a file opened from disk: no CSP header at all
    assert await page.evaluate(INJECTED) == []
    text = await page.evaluate("document.body.innerText")
    assert "click me" in text and "W" * 400 in text
    assert dialogs == []
    await context.close()


async def test_the_detectors_do_catch_an_injection_when_there_is_one(browser: Any) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    dialogs: list[str] = []

    async def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        await dialog.dismiss()

    page.on("dialog", dismiss)
    async with page.expect_event("dialog"):
        await page.set_content(f"<p>{PAYLOADS[1]}</p><p>{PAYLOADS[4]}</p>")
    assert await page.evaluate(INJECTED) == ["IMG[onerror]", "A[href]"]
    assert dialogs == ["xss-img"]
    await context.close()
