"""The HTTP fallback: the same protocol for networks that block WebSockets.

``GET events?after=N`` long-polls for committed events after N (or a snapshot when
far behind); ``POST commands`` submits one command and answers after the commit.
"""

from __future__ import annotations

import asyncio
import contextlib

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hostkit.domain.model import SessionState
from hostkit.domain.rejections import Rejection
from hostkit.live import protocol, waiting
from hostkit.live.admission import Refusal, admit
from hostkit.live.hub import Kept, StorageFailed, storage_failed
from hostkit.live.resumption import catch_up_by
from hostkit.live.view import snapshot
from hostkit.server.auth import claim_of, token_from
from hostkit.server.context import Context
from hostkit.server.lifecycle import Lifecycle

RELAY_PAGE = 1000  # events a hall laptop gets per answer: it copies the log, never a snapshot


def _keeps_the_log(state: SessionState, viewer: str) -> bool:
    """A hall laptop (relay) keeps a copy of the log: it catches up by events only."""
    found = state.participants.get(viewer)
    return found is not None and found.role == "relay"


MAX_COMMAND_BYTES = 192 * 1024  # 10,000 characters, even as JSON \u escapes; no more


def _json(body: dict[str, object], status: int = 200) -> Response:
    return Response(protocol.encode(body), status, media_type="application/json")


def _error(status: int, code: str, message: str) -> Response:
    return _json(protocol.error_message(code, message), status)


async def _caller(request: Request) -> tuple[Context, str, str] | Response:
    ctx: Context = request.app.state.ctx
    session_id = request.path_params["session_id"]
    live = await ctx.hub.live(session_id)
    token = token_from(request, session_id)
    claim = await claim_of(ctx.hub, ctx.signer, session_id, token)
    who = admit(live.committed if live is not None else None, session_id, claim)
    if isinstance(who, Refusal):
        return _error(who.status, who.code, who.message)
    return ctx, session_id, who.id


async def get_events(request: Request) -> Response:
    caller = await _caller(request)
    if isinstance(caller, Response):
        return caller
    ctx, session_id, viewer = caller
    try:
        after = int(request.query_params.get("after", "0"))
        wait = float(request.query_params.get("wait", "0"))
    except ValueError:
        return _error(400, "invalid_query", "after must be an integer and wait a number.")
    if after < 0 or not 0 <= wait <= ctx.settings.long_poll_s:
        return _error(
            400, "invalid_query", f"after >= 0 and 0 <= wait <= {ctx.settings.long_poll_s}."
        )
    live = await ctx.hub.live(session_id)
    if live is None:
        return _error(404, "unknown_session", "There is no such session.")
    if _keeps_the_log(live.committed, viewer) and after <= live.head:  # a hall laptop
        found = await ctx.hub.events_after(session_id, after, limit=RELAY_PAGE)
        return Response(protocol.events_message(found), media_type="application/json")
    how = catch_up_by(last_seq=after, head=live.head, snapshot_after=ctx.settings.snapshot_after)
    if how == "snapshot":
        view = snapshot(live.committed, now=ctx.hub.clock(), viewer=viewer)
        return _json({"type": "snapshot", "state": view})
    if after == live.head and wait > 0:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait):
                await live.changed.wait()
    events = waiting.for_viewer(
        live.committed, viewer, await ctx.hub.events_after(session_id, after)
    )
    return Response(protocol.events_message(events), media_type="application/json")


async def get_snapshot(request: Request) -> Response:
    caller = await _caller(request)
    if isinstance(caller, Response):
        return caller
    ctx, session_id, viewer = caller
    live = await ctx.hub.live(session_id)
    assert live is not None
    view = snapshot(live.committed, now=ctx.hub.clock(), viewer=viewer)
    return _json({"type": "snapshot", "state": view})


async def post_command(request: Request) -> Response:
    caller = await _caller(request)
    if isinstance(caller, Response):
        return caller
    ctx, session_id, participant_id = caller
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_COMMAND_BYTES:
            return _error(
                413, "message_too_large", f"A command is at most {MAX_COMMAND_BYTES // 1024} KB."
            )
    try:
        message = protocol.decode_command(body)
    except protocol.BadMessage as error:
        return _error(400, "invalid_message", str(error))
    try:
        outcome = await ctx.hub.submit(
            session_id,
            message.on_behalf_of or participant_id,
            message.command,
            message.id,
            relayed_by=participant_id if message.on_behalf_of else None,
        )
    except StorageFailed:
        refused = storage_failed()
        return _error(503, refused.code, refused.message)
    if isinstance(outcome, Rejection):
        status = {"not_allowed": 403, "rate_limited": 429}.get(outcome.code, 422)
        response = _json(protocol.rejected_message(message.id, outcome), status)
        if status == 429:
            response.headers["Retry-After"] = "60"  # the limit is per minute
        return response
    if isinstance(outcome, Kept):  # a hall laptop's: accepted, not yet acknowledged
        return _json(protocol.kept_message(message.id, outcome.seq), 202)
    return _json(protocol.ack_message(message.id, outcome.seq, outcome.duplicate))


async def healthz(request: Request) -> Response:
    """503 from the moment the node is asked to stop, so a proxy sends new people elsewhere."""
    lifecycle: Lifecycle = request.app.state.lifecycle
    status, word = lifecycle.health()
    return JSONResponse({"status": word}, status)
