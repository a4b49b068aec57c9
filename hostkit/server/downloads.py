"""Downloads of a session's digest and transcripts from the host console.

Only the lead host may download: an export gathers the whole harvest in one file.
The harvest is taken from the committed state in the event loop (so it is one
consistent moment of the session); rendering, which can be slow, runs in a thread.
"""

from __future__ import annotations

import asyncio
from typing import get_args

from starlette.requests import Request
from starlette.responses import Response

from hostkit.domain.model import Attribution
from hostkit.export.formats import CHOICES, filename, media_type, render
from hostkit.export.harvest import ConsentError, harvest_from_state, photos_in
from hostkit.server.auth import participant_for, token_from
from hostkit.server.context import Context
from hostkit.server.photos import photo_dir

MODES: tuple[str, ...] = get_args(Attribution)


def _problem(request: Request, status: int, title: str, message: str) -> Response:
    ctx: Context = request.app.state.ctx
    return ctx.templates.TemplateResponse(
        request, "problem.html", {"title": title, "message": message}, status_code=status
    )


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
        photos = photos_in(photo_dir(ctx.settings.data_dir, session_id))
        harvest = harvest_from_state(live.committed, mode, photos)
    except ConsentError as error:
        return _problem(request, 400, "Not allowed by consent", str(error))
    body = await asyncio.to_thread(render, harvest, name)
    return Response(
        body,
        media_type=media_type(name),
        headers={
            "Content-Disposition": f'attachment; filename="{filename(harvest, name)}"',
            "Cache-Control": "no-store",
        },
    )
