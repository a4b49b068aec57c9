"""Getting the harvest to people: downloads for the host, and published digests.

Only the lead host may download or publish: an export gathers the whole harvest in one
file. The harvest is taken from the committed state in the event loop (so it is one
consistent moment of the session); rendering, which can be slow, runs in a thread.

A published digest lives at ``/d/{session}/{link}``: the link is 128 random bits chosen
here (never by a client), the page is read-only, and it is built afresh on each visit
from the log, so anything withdrawn or hidden since publishing disappears from it too.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import get_args
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from hostkit.domain.commands import PublishDigest, RespondToDigest
from hostkit.domain.model import Attribution
from hostkit.domain.rejections import Rejection
from hostkit.domain.roles import may
from hostkit.export.formats import CHOICES, content_disposition, media_type, render
from hostkit.export.harvest import ConsentError, harvest_from_state
from hostkit.export.html import RespondForm, digest_html
from hostkit.live.hub import StorageFailed, storage_failed
from hostkit.server import rendering
from hostkit.server.auth import participant_for, token_from
from hostkit.server.context import Context
from hostkit.server.photos import photo_source

MAX_DAYS = 366
# A published digest has inline styles, photos and its response form: no script at all.
PUBLISHED_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# What a responder is told after sending; fixed texts, so a link cannot make the page say
# anything else
NOTICES: dict[str, str] = {
    "sent": "Thank you: your view has been added to the harvest.",
    "responses_closed": "This digest is not taking responses any more.",
    "text_empty": "Your view was empty: write something before sending.",
    "text_too_long": "Your view is too long: keep it under 10,000 characters.",
    "name_too_long": "Names are at most 60 characters.",
    "rate_limited": "Many responses arrived at once: please try again in a minute.",
    "unknown_phase": "Choose one of the questions above.",
}

MODES: tuple[str, ...] = get_args(Attribution)


def _problem(request: Request, status: int, title: str, message: str) -> Response:
    """A plain page in the person's language (see ``rendering.page``)."""
    return rendering.page(request, "problem.html", status, title=title, message=message)


def _mode(value: str | None) -> Attribution | None:
    for mode in get_args(Attribution):
        if value == mode:
            found: Attribution = mode
            return found
    return None


async def export(request: Request) -> Response:
    """``GET /s/{id}/export/{format}[?attribution=MODE]``: the file, as an attachment."""
    ctx: Context = request.app.state.ctx
    session_id = request.path_params["session_id"]
    name = request.path_params["format"]
    live = await ctx.hub.live(session_id)
    if live is None:
        return _problem(request, 404, "Session not found", "Check the link.")
    who = await participant_for(ctx.hub, ctx.signer, session_id, token_from(request, session_id))
    if who is None:
        return _problem(request, 401, "Please join first", "Open your host link first.")
    if who.role != "host":
        return _problem(request, 403, "Hosts only", "Only the session's host can download it.")
    if name not in CHOICES:
        return _problem(request, 404, "No such format", f"Choose one of: {', '.join(CHOICES)}.")
    asked = request.query_params.get("attribution") or None
    mode = _mode(asked)
    if asked is not None and mode is None:
        return _problem(request, 400, "No such mode", f"Choose one of: {', '.join(MODES)}.")
    try:
        photos = await photo_source(ctx.store, live.committed)
        harvest = harvest_from_state(live.committed, mode, photos, timezone=ctx.settings.timezone)
    except ConsentError as error:
        return _problem(request, 400, "Not allowed by consent", str(error))
    body = await asyncio.to_thread(render, harvest, name)
    return Response(
        body,
        media_type=media_type(name),
        headers={
            "Content-Disposition": content_disposition(harvest, name),
            "Cache-Control": "no-store",
        },
    )


async def publish(request: Request) -> Response:
    """``POST /s/{id}/publish`` (attribution, days): a new read-only link to the digest."""
    ctx: Context = request.app.state.ctx
    session_id = request.path_params["session_id"]
    if await ctx.hub.live(session_id) is None:
        return _problem(request, 404, "Session not found", "Check the link.")
    who = await participant_for(ctx.hub, ctx.signer, session_id, token_from(request, session_id))
    if who is None:
        return _problem(request, 401, "Please join first", "Open your host link first.")
    if not may(who.role, "publish_digest"):  # asked before the form is read
        return _problem(request, 403, "Hosts only", "Only the session's host can publish.")
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if not bearer and not ctx.signer.check_csrf(
        f"{session_id}:{who.id}:{who.nonce}", fields.get("csrf", "")
    ):
        return _problem(request, 403, "Form expired", "Reload the page and try again.")
    mode = _mode(fields.get("attribution") or None)
    if fields.get("attribution") and mode is None:
        return _problem(request, 400, "No such mode", f"Choose one of: {', '.join(MODES)}.")
    days = fields.get("days", "").strip()
    if days and not (days.isdigit() and 1 <= int(days) <= MAX_DAYS):
        return _problem(request, 400, "Check the days", f"Give 1 to {MAX_DAYS} days, or none.")
    expires = ctx.hub.clock() + int(days) * 86400 if days else None
    link = secrets.token_urlsafe(16)
    try:
        outcome = await ctx.hub.submit(session_id, who.id, PublishDigest(link, mode, expires))
    except StorageFailed:
        outcome = storage_failed()
    if isinstance(outcome, Rejection):
        return _problem(request, 422, "Not published", outcome.message)
    url = f"{ctx.base_url}/d/{session_id}/{link}"
    if bearer:
        return JSONResponse({"url": url, "link": link, "expires_at": expires})
    notice = quote(f"Published: {url}")
    # back to the Harvest page's downloads, the answer beside the Publish button
    place = "at=downloads-heading#downloads-heading"
    return RedirectResponse(f"/s/{session_id}/host/harvest?notice={notice}&{place}", 303)


async def published(request: Request) -> Response:
    """``GET /d/{id}/{link}[/large-print]``: the published digest, to anyone with the link."""
    ctx: Context = request.app.state.ctx
    session_id = request.path_params["session_id"]
    live = await ctx.hub.live(session_id)
    found = live.committed.publications.get(request.path_params["link"]) if live else None
    if live is None or found is None:
        return _problem(request, 404, "Not found", "Check the link you were sent.")
    if not found.open(ctx.hub.clock()):
        return _problem(
            request, 410, "No longer published", "Ask whoever sent you the link for a new one."
        )
    photos = await photo_source(ctx.store, live.committed)
    harvest = harvest_from_state(
        live.committed, found.attribution, photos, timezone=ctx.settings.timezone
    )
    variant = request.path_params.get("variant")
    if variant not in (None, "large-print"):
        return _problem(request, 404, "Not found", "Check the link you were sent.")
    large = variant == "large-print"
    respond = None
    if found.taking_responses(ctx.hub.clock()) and found.responses_until is not None:
        said = request.query_params.get("said", "")
        notice = NOTICES.get(said, "That did not work: please try again.") if said else None
        url = f"/d/{session_id}/{found.link}/respond"
        respond = RespondForm(url, found.responses_until, notice)
    page = await asyncio.to_thread(digest_html, harvest, large=large, respond=respond)
    return Response(
        page,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": PUBLISHED_CSP,
            "Cache-Control": "no-store",
            # same-origin: the secret link never leaks to a site a digest links to, and the
            # response form still carries its Origin (no-referrer would make it "null")
            "Referrer-Policy": "same-origin",
            "X-Robots-Tag": "noindex, nofollow",
        },
    )


async def respond(request: Request) -> Response:
    """``POST /d/{id}/{link}/respond`` (phase_id, text, name): a view added afterwards."""
    ctx: Context = request.app.state.ctx
    session_id, link = request.path_params["session_id"], request.path_params["link"]
    if await ctx.hub.live(session_id) is None:
        return _problem(request, 404, "Not found", "Check the link you were sent.")
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    name = fields.get("name", "").strip() or None
    answer = RespondToDigest(link, fields.get("phase_id", ""), fields.get("text", ""), name)
    try:
        outcome = await ctx.hub.submit(session_id, None, answer)
    except StorageFailed:
        outcome = storage_failed()
    if isinstance(outcome, Rejection) and outcome.code == "unknown_link":
        return _problem(request, 410, "No longer published", outcome.message)
    said = outcome.code if isinstance(outcome, Rejection) else "sent"
    return RedirectResponse(f"/d/{session_id}/{link}?said={said}#respond", 303)
