"""The page handlers: landing, join, participant, host console, projector, table cards,
QR codes, and ``/s/{id}/act``.

Every page works with plain forms and reloads; ``/s/{id}/act`` turns any form into a
command (``forms``), so JavaScript only makes the pages live, it is never required.
Rendering in the person's language is ``rendering``'s; the admin page is ``admin``'s.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import msgspec
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from hostkit import i18n
from hostkit.assets import asset_dir
from hostkit.domain.attendance import who_is_here
from hostkit.domain.commands import Join
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.next_step import next_step
from hostkit.domain.rejections import Rejection
from hostkit.export import zones
from hostkit.joining.joincode import normalise_join_code
from hostkit.joining.qr import qr_png, qr_svg
from hostkit.joining.tokens import new_id
from hostkit.live import announcements
from hostkit.live.hub import StorageFailed, storage_failed
from hostkit.live.phone import phone_view
from hostkit.live.view import participant_view, ranking, shown_timer, snapshot
from hostkit.server.auth import participant_for, token_from
from hostkit.server.context import Context
from hostkit.server.forms import CONFIRMED, DONE, POSTED_AT, blanks_as_none, form_command, submit
from hostkit.server.rendering import (
    COOKIE_AGE,
    clock,
    context_of,
    page,
    problem,
    set_identity,
    words,
)
from hostkit.sessions import room_url, venue_links


async def set_language(request: Request) -> Response:
    """The language switcher: remember the choice in a cookie, then go back to the page."""
    lang = request.path_params["lang"]
    back = request.query_params.get("back", "/")
    if not back.startswith("/") or back.startswith("//") or "\\" in back:
        back = "/"
    response = RedirectResponse(back, 303)
    if lang in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE,
            lang,
            max_age=COOKIE_AGE,
            httponly=True,  # only the server reads it
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


async def service_worker(request: Request) -> Response:
    """The offline-reload worker, served from the root so its scope covers /s/ pages."""
    path = asset_dir("web") / "static" / "sw.js"
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


async def landing(request: Request) -> Response:
    return page(request, "landing.html")


async def join_by_code(request: Request) -> Response:
    """The page for someone whose phone cannot scan: type the code from the screen."""
    if request.method == "GET":
        return page(request, "join_code.html", error=None)
    form = await request.form()
    code = normalise_join_code(str(form.get("code", "")))
    where = "remote" if form.get("where") == "remote" else "room"
    address = request.client.host if request.client else ""
    if context_of(request).guard.guessing(address):
        return problem(request, 429, "Too many wrong codes", "Wait a minute, then try again.")
    if code is None or await context_of(request).store.session_by_code(code) is None:
        context_of(request).guard.wrong_code(address)
        error = "That code was not found. Check the code on the screen and try again."
        return page(request, "join_code.html", 422, error=error)
    return RedirectResponse(f"/j/{code}/{where}", 303)


async def join(request: Request) -> Response:
    ctx = context_of(request)
    code = normalise_join_code(request.path_params["code"])
    where = request.path_params["where"]
    session_id = await ctx.store.session_by_code(code) if code else None
    live = await ctx.hub.live(session_id) if session_id else None
    address = request.client.host if request.client else ""
    if ctx.guard.guessing(address):
        return problem(request, 429, "Too many wrong codes", "Wait a minute, then try again.")
    if live is None or session_id is None or where not in ("room", "remote"):
        ctx.guard.wrong_code(address)
        return problem(request, 404, "Session not found", "Check the link or the code.")
    table = request.query_params.get("table")
    group = live.committed.groups.get(table) if table else None
    already = await participant_for(
        ctx.hub, ctx.signer, session_id, token_from(request, session_id)
    )
    if already is not None and request.method == "GET" and group is None:
        return RedirectResponse(f"/s/{session_id}", 303)
    values = {
        "state": live.committed,
        "where": where,
        "group": group,
        "error": None,
        "already": already,
    }
    if request.method == "GET":
        return page(request, "join.html", **values)
    form = await request.form()
    anonymous = form.get("anonymous") == "yes" or not str(form.get("name", "")).strip()
    name = None if anonymous else str(form.get("name", ""))
    if already is not None and group is not None:
        moved = await submit(
            ctx, session_id, already.id, {"type": "choose_group", "group_id": group.id}
        )
        return RedirectResponse(f"/s/{session_id}?notice={quote(moved)}", 303)
    participant_id, nonce = new_id(), new_id()
    command = Join(participant_id, nonce, name, where, group_id=group.id if group else None)
    try:
        joined = await ctx.hub.submit(session_id, None, command)
    except StorageFailed:
        joined = storage_failed()
    if isinstance(joined, Rejection):
        return page(request, "join.html", 422, **{**values, "error": joined.message})
    response = RedirectResponse(f"/s/{session_id}", 303)
    set_identity(
        response,
        request,
        session_id,
        ctx.signer.participant_token(session_id, participant_id, nonce),
    )
    return response


async def _who(request: Request) -> tuple[Context, str, Participant] | Response:
    ctx = context_of(request)
    session_id = request.path_params["session_id"]
    if await ctx.hub.live(session_id) is None:
        return problem(request, 404, "Session not found", "Check the link.")
    who = await participant_for(ctx.hub, ctx.signer, session_id, token_from(request, session_id))
    if who is None:
        return problem(
            request,
            401,
            "Please join first",
            "This browser has not joined this session. Use the link or code.",
        )
    return ctx, session_id, who


def _keyed_entry(request: Request, target: str) -> Response | None:
    """A secret link (?key=...) sets the identity cookie and redirects to a clean URL."""
    key = request.query_params.get("key")
    if not key:
        return None
    response = RedirectResponse(target, 303)
    set_identity(response, request, request.path_params["session_id"], key)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


async def _page_values(ctx: Context, session_id: str, who: Participant) -> dict[str, Any] | None:
    """What every live page renders from, or None if the session is gone: it is looked up
    again, not indexed, since it may have left memory after ``_who`` found it (a purge)."""
    live = await ctx.hub.live(session_id)
    if live is None:
        return None
    live_state = live.committed
    view = snapshot(live_state, now=ctx.hub.clock(), viewer=who.id, html=False)
    view["timer"] = shown_timer(live_state, who, view["server_time"])  # their venue's, if any
    return {
        "state": live_state,
        "view": view,
        "me": who,
        "token": ctx.signer.participant_token(session_id, who.id, who.nonce),
        "csrf": ctx.signer.csrf_token(f"{session_id}:{who.id}:{who.nonce}"),
        "room_url": room_url(ctx.base_url, live_state.join_code),
        "base_url": ctx.base_url,
        "notice": None,
    }


async def participant_page(request: Request) -> Response:
    found = await _who(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, who = found
    values = await _page_values(ctx, session_id, who)
    if values is None:
        return problem(request, 404, "Session not found", "Check the link.")
    values["notice"] = request.query_params.get("notice")
    if request.query_params.get("at") == POSTED_AT:  # the note form's answer goes beside it
        values["posted"], values["notice"] = values["notice"], None
        values["posted_ok"] = values["posted"] == DONE
    values["mine"] = participant_view(values["state"], who.id)
    zone = ZoneInfo(zones.resolve(ctx.settings.timezone))
    values["phone"] = phone_view(values["state"], who.id, zone)
    return page(request, "participant.html", **values)


CONSOLE_PAGES = ("now", "phases", "people", "harvest", "settings")


def _uses(state: SessionState) -> set[str]:
    """What the session's phases use (groupings, kinds): the console shows only their controls."""
    return {p.grouping for p in state.phases} | {k for p in state.phases for k in p.allows}


async def host_page(request: Request) -> Response:
    # a key opens the console at the page its link named (the harvest page, say), not Now
    if (entry := _keyed_entry(request, request.url.path)) is not None:
        return entry
    console_page = request.path_params.get("page", "now")
    if console_page not in CONSOLE_PAGES:
        return problem(request, 404, "Page not found", "Check the link.")
    found = await _who(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, who = found
    if who.role not in ("host", "cell_host"):
        return problem(request, 403, "Hosts only", "This console is for the session's hosts.")
    values = await _page_values(ctx, session_id, who)
    if values is None:
        return problem(request, 404, "Session not found", "Check the link.")
    state = values["state"]
    notice = request.query_params.get("notice")
    step = next_step(state, ctx.hub.clock())
    values |= {
        "console_page": console_page,
        "back": "host" if console_page == "now" else f"host/{console_page}",
        "notice": notice,
        "notice_at": request.query_params.get("at"),
        "refused": notice is not None and notice != DONE,
        "step": step,
        "step_fields": msgspec.to_builtins(step.command) if step.command else {},
        "uses": _uses(state),
        "here": who_is_here(state),
        "on_screens": [  # what the host can take down again
            {
                "seq": a.seq,
                "text": a.text,
                "clock": clock(ctx, a.at, "%H:%M"),
                "venue": state.cells[a.cell_id].name if a.cell_id in state.cells else None,
            }
            for a in announcements.shown(state)
            if who.role == "host" or a.cell_id == who.cell_id
        ],
    }
    if console_page == "settings" and who.role == "host":
        values["venue_links"] = venue_links(ctx.base_url, ctx.signer, state)
    live = await ctx.hub.live(session_id)
    stored_at = live.recent[-1].at if live is not None and live.recent else 0.0
    values["storage_trouble"] = ctx.alerts.storage_trouble(session_id, stored_at)
    return page(request, "host.html", **values)


WALL_PAGE = 6  # notes on one page of the projector's wall (the script turns the pages)


async def projector_page(request: Request) -> Response:
    target = f"/s/{request.path_params['session_id']}/projector"
    if (entry := _keyed_entry(request, target)) is not None:
        return entry
    found = await _who(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, who = found
    values = await _page_values(ctx, session_id, who)
    if values is None:
        return problem(request, 404, "Session not found", "Check the link.")
    state: SessionState = values["state"]
    now = values["view"]["server_time"]
    title = words(request, "projector.html", state).gettext("QR code to join this session")
    values["qr"] = qr_svg(values["room_url"], title=title)
    values["join_address"] = ctx.base_url.split("://", 1)[-1] + "/join"
    recent = announcements.shown(state, who.cell_id, now=now, for_s=announcements.PROJECTOR_SHOWS_S)
    values["announcement"] = (
        {
            "text": recent[-1].text,
            "clock": clock(ctx, recent[-1].at, "%H:%M"),
            "until": recent[-1].at + announcements.PROJECTOR_SHOWS_S,  # refresh.js lets it go
        }
        if recent
        else None
    )
    shown = [
        c
        for c in state.contributions.values()
        if not (c.withdrawn or c.hidden or c.off_record or c.pending)
    ]
    values["wall"] = shown[::-1][:60]
    values["wall_page"] = WALL_PAGE
    values["results"] = ranking(state)
    values["kiosk"] = True  # no language switch on the big screen
    return page(request, "projector.html", **values)


async def venue_link(request: Request) -> Response:
    """GET /s/{id}/relay: a hall laptop link opened in a browser says what it is for."""
    return problem(
        request,
        200,
        "A hall laptop link",
        "This link is for the hall's laptop, not a browser: run hostkit relay --upstream "
        "with this page's address on it (see docs/relay.md). Keep it private.",
    )


async def table_cards(request: Request) -> Response:
    """Print-ready cards, a page per table with its QR code: for the session's hosts."""
    target = f"/s/{request.path_params['session_id']}/cards"
    if (entry := _keyed_entry(request, target)) is not None:
        return entry
    found = await _who(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, who = found
    if who.role not in ("host", "cell_host"):
        return problem(request, 403, "Hosts only", "Table cards are for the session's hosts.")
    values = await _page_values(ctx, session_id, who)
    if values is None:
        return problem(request, 404, "Session not found", "Check the link.")
    state = values["state"]
    title = words(request, "cards.html", state).gettext("QR code to join at %(table)s")
    values["cards"] = [
        {
            "group": group,
            "qr": qr_svg(
                room_url(ctx.base_url, state.join_code, group.id),
                title=title % {"table": group.name},
            ),
        }
        for group in state.groups.values()
        if who.role == "host" or group.cell_id == who.cell_id
    ]
    return page(request, "cards.html", **values)


_BACK = re.compile(r"host(/(" + "|".join(CONSOLE_PAGES) + r"))?")


async def act(request: Request) -> Response:
    """Any command as a plain form post (the no-JavaScript path), then back to the page."""
    found = await _who(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, who = found
    form = await request.form()
    if not ctx.signer.check_csrf(f"{session_id}:{who.id}:{who.nonce}", str(form.get("csrf", ""))):
        return problem(request, 403, "Form expired", "Reload the page and try again.")
    back = str(form.get("back", ""))
    back = back if _BACK.fullmatch(back) else ""
    command_id = str(form.get("command_id", "")) or None
    fields = form_command(form)
    fields.pop("command_id", None)
    if fields.get("type") in CONFIRMED and form.get("confirm") != "yes":
        message = CONFIRMED[str(fields["type"])]
    else:
        fields = blanks_as_none(fields, form)
        message = await submit(ctx, session_id, who.id, fields, command_id)
    target = f"/s/{session_id}/{back}".rstrip("/")
    # Back to the section the form was in, so a keyboard user's next Tab continues there.
    section = str(form.get("section", ""))
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,40}", section):
        return RedirectResponse(f"{target}?notice={quote(message)}", 303)
    return RedirectResponse(f"{target}?notice={quote(message)}&at={section}#{section}", 303)


async def qr_code(request: Request) -> Response:
    ctx = context_of(request)
    session_id = request.path_params["session_id"]
    live = await ctx.hub.live(session_id)
    if live is None:
        return Response("No such session.", 404)
    group_id = request.path_params.get("group_id")
    if group_id is not None and group_id not in live.committed.groups:
        return Response("No such table.", 404)
    url = room_url(ctx.base_url, live.committed.join_code, group_id)
    headers = {"Cache-Control": "public, max-age=300"}
    if request.path_params["ext"] == "png":
        return Response(qr_png(url), media_type="image/png", headers=headers)
    title = "QR code to join at this table" if group_id else "QR code to join this session"
    return Response(qr_svg(url, title=title), media_type="image/svg+xml", headers=headers)
