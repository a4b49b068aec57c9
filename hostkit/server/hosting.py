"""What the lead host does to a session as a whole: new links, deleting it; and retention.

Rotating gives a participant (usually the host themself, or the projector) a fresh
nonce, which revokes every link made with the old one: open connections holding it
are closed and the next request with it gets 401. Deleting erases the session's log,
its join code and its photos from disk (see ``SqliteStore.delete_session``), and
``purge`` does the same for every session idle longer than the retention period.
"""

from __future__ import annotations

import contextlib
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hostkit.domain.commands import DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS, RotateToken
from hostkit.domain.events import RetentionSet, decode_event
from hostkit.domain.model import SessionState
from hostkit.domain.rejections import Rejection
from hostkit.joining.tokens import new_id
from hostkit.live.hub import StorageFailed, storage_failed
from hostkit.live.protocol import CLOSE_SESSION_DELETED
from hostkit.server import rendering
from hostkit.server.auth import cookie_name, participant_for, token_from
from hostkit.server.context import Context
from hostkit.store.base import EventStore


def _answer(
    request: Request,
    status: int,
    title: str,
    message: str,
    *,
    state: SessionState | None = None,
    filling: dict[str, str] | None = None,
    **extra: str,
) -> Response:
    """JSON for API callers (bearer token), in English; a plain page for the host console's
    forms, in the page's language. ``message`` may have %(name)s places ``filling`` fills."""
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        english = message % filling if filling else message
        return JSONResponse({"title": title, "message": english, **extra}, status)
    if filling:
        message = rendering.words(request, "problem.html", state).gettext(message) % filling
    return rendering.page(
        request, "problem.html", status, title=title, message=message, state=state
    )


async def _lead_host(request: Request) -> tuple[Context, str, str, str] | Response:
    """(ctx, session, host id, csrf key) for the lead host with a valid form; else an answer."""
    ctx: Context = request.app.state.ctx
    session_id = request.path_params["session_id"]
    if await ctx.hub.live(session_id) is None:
        return _answer(request, 404, "Session not found", "There is no such session.")
    who = await participant_for(ctx.hub, ctx.signer, session_id, token_from(request, session_id))
    if who is None:
        return _answer(request, 401, "Please join first", "This link is not valid here.")
    if who.role != "host":
        return _answer(request, 403, "Lead host only", "Only the lead host can do this.")
    return ctx, session_id, who.id, f"{session_id}:{who.id}:{who.nonce}"


async def _form_ok(request: Request, ctx: Context, key: str) -> dict[str, str] | None:
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if not bearer and not ctx.signer.check_csrf(key, fields.get("csrf", "")):
        return None
    return fields


async def rotate_link(request: Request) -> Response:
    """POST /s/{id}/host/rotate: a fresh link for participant_id (default: the host)."""
    found = await _lead_host(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, host_id, key = found
    fields = await _form_ok(request, ctx, key)
    if fields is None:
        return _answer(request, 403, "Form expired", "Reload the page and try again.")
    target = fields.get("participant_id") or host_id
    nonce = new_id()
    try:
        outcome = await ctx.hub.submit(session_id, host_id, RotateToken(target, nonce))
    except StorageFailed:
        outcome = storage_failed()
    if isinstance(outcome, Rejection):
        status = 403 if outcome.code == "not_allowed" else 422
        return _answer(request, status, "Not done", outcome.message, code=outcome.code)
    live = await ctx.hub.live(session_id)
    assert live is not None
    state = live.committed
    person = live.committed.participants[target]
    token = ctx.signer.participant_token(session_id, target, nonce)
    page = (
        "relay"
        if person.role == "relay"
        else "projector"
        if person.screen
        else "host"
        if person.role in ("host", "cell_host")
        else ""
    )
    link = f"{ctx.base_url}/s/{session_id}/{page}?key={token}" if page else ""
    message = (
        "The old link no longer works. The new link is: %(link)s"
        if link
        else ("Their old link no longer works; they can join again with the room or remote link.")
    )
    filling = {"link": link} if link else None
    response = _answer(
        request, 200, "New link made", message, state=state, filling=filling, link=link
    )
    if target == host_id:  # keep this browser signed in as the host
        response.set_cookie(
            cookie_name(session_id),
            token,
            max_age=60 * 60 * 24 * 60,
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    response.headers["Cache-Control"] = "no-store"
    return response


async def delete_session(request: Request) -> Response:
    """POST /s/{id}/host/delete with confirm=<join code>: erase the session for good."""
    found = await _lead_host(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, _, key = found
    fields = await _form_ok(request, ctx, key)
    if fields is None:
        return _answer(request, 403, "Form expired", "Reload the page and try again.")
    live = await ctx.hub.live(session_id)
    assert live is not None
    if fields.get("confirm", "").strip().upper() != live.committed.join_code:
        return _answer(
            request,
            422,
            "Not deleted",
            "Type the session's join code to confirm deleting it.",
            state=live.committed,
        )
    await ctx.store.delete_session(session_id)  # its log, join code and photos
    ctx.hub.forget(session_id)
    for ws in list(ctx.connections):
        if ws.path_params.get("session_id") == session_id:
            with contextlib.suppress(Exception):
                await ws.close(CLOSE_SESSION_DELETED, "The host has deleted this session.")
    response = _answer(
        request,
        200,
        "Session deleted",
        "The session, its notes and its photos are gone.",
        state=live.committed,
    )
    response.delete_cookie(cookie_name(session_id))
    return response


async def purge(
    store: EventStore,
    *,
    days: float = DEFAULT_RETENTION_DAYS,
    now: float | None = None,
) -> list[str]:
    """Delete every session idle longer than its retention period (its host's choice,
    else ``days``); return their ids."""
    now = time.time() if now is None else now
    expired = []
    for session_id, last in await store.last_activity():
        if now - last < MIN_RETENTION_DAYS * 86400:
            continue  # no retention is shorter: spare reading its log
        kept = await _retention_days(store, session_id)
        if last < now - (days if kept is None else kept) * 86400:
            expired.append(session_id)
    for session_id in expired:
        await store.delete_session(session_id)
    return expired


async def _retention_days(store: EventStore, session_id: str) -> int | None:
    """The period the session's host chose (the last ``retention_set``), if any."""
    chosen = None
    for stored in await store.read(session_id):
        if stored.type == "retention_set":
            event = decode_event(stored.body)
            assert isinstance(event, RetentionSet)
            chosen = event.days
    return chosen
