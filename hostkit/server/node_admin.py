"""Admin actions on this node rather than on a session: draining it before a restart.

``hostkit drain`` (the admin key as a bearer token) and the admin page's form (the admin
cookie and a CSRF token) both end here. The node then leaves exactly as after a SIGTERM
(hostkit.server.lifecycle): 503 on /healthz at once, its people served through the drain
period, then closed with 4503, and the process exits (hostkit.server.draining).
"""

from __future__ import annotations

import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hostkit.server import rendering
from hostkit.server.auth import is_admin
from hostkit.server.context import Context
from hostkit.server.lifecycle import Phase


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[7:].strip() if header.lower().startswith("bearer ") else None


def _answer(request: Request, status: int, title: str, message: str, **extra: object) -> Response:
    """JSON for ``hostkit drain``, in English; a plain page for the admin page's form."""
    if _bearer(request) is not None:
        return JSONResponse({"title": title, "message": message, **extra}, status)
    # the language switch goes back to the admin page: /admin/drain answers POST only
    return rendering.page(
        request, "problem.html", status, title=title, message=message, language_back="/admin"
    )


async def drain(request: Request) -> Response:
    """POST /admin/drain: start this node's drain (asked again, the drain goes on as it was)."""
    ctx: Context = request.app.state.ctx
    key = _bearer(request)
    scripted = key is not None
    if not scripted:
        key = request.cookies.get("hk_admin")
    if not await is_admin(ctx.store, ctx.signer, key):
        return _answer(
            request,
            403,
            "Admin link needed",
            "Use the admin link that hostkit printed when it first started.",
        )
    if not scripted:
        form = await request.form()
        if not ctx.signer.check_csrf("admin", str(form.get("csrf", ""))):
            return _answer(request, 403, "Form expired", "Reload the page and try again.")
        if form.get("node") != ctx.node:  # behind a proxy a form may reach another node
            return _answer(
                request,
                409,
                "That reached another node",
                "Nothing was drained: the proxy sent your request to another node than the "
                "one whose page you used. Reload the admin page and try again.",
            )
    now = time.monotonic()
    lifecycle = request.app.state.lifecycle.drained(now, ctx.settings.drain_s)
    request.app.state.lifecycle = lifecycle
    left = max(0.0, lifecycle.drain_until - now) if lifecycle.phase is Phase.DRAINING else 0.0
    return _answer(
        request,
        202,
        "This node is draining",
        "It now tells the proxy that it is stopping, so new people go to the other nodes. "
        "The people already here keep working for a few seconds; then they are handed to "
        "another node and this one stops.",
        phase=lifecycle.phase.value,
        seconds_left=round(left, 2),
    )
