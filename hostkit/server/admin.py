"""The admin page: create sessions on the web, with the admin link printed at first start."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from hostkit import i18n
from hostkit.domain.formats import CUSTOM_TEMPLATES, FORMATS, LICENCES
from hostkit.joining.qr import qr_svg
from hostkit.server.auth import is_admin
from hostkit.server.rendering import clock, context_of, page, problem, words
from hostkit.sessions import create_session, session_list


async def admin(request: Request) -> Response:
    """Create sessions on the web: only with the admin link printed at first start."""
    ctx = context_of(request)
    key = request.query_params.get("key") or request.cookies.get("hk_admin")
    if not key or not await is_admin(ctx.store, ctx.signer, key):
        return problem(
            request,
            403,
            "Admin link needed",
            "Use the admin link that hostkit printed when it first started.",
        )
    created = None
    error = None
    if request.method == "POST":
        form = await request.form()
        if not ctx.signer.check_csrf("admin", str(form.get("csrf", ""))):
            return problem(request, 403, "Form expired", "Reload the page and try again.")
        title = str(form.get("title", "")).strip()
        format_id = str(form.get("format", ""))
        template_id = str(form.get("template", ""))
        venues = tuple(v.strip() for v in str(form.get("venues", "")).split(",") if v.strip())
        attribution = str(form.get("attribution", "attributed"))
        language = str(form.get("language", "")) or None
        licence = str(form.get("licence", ""))
        if not title or len(title) > 200:
            error = "Give the session a title (up to 200 characters)."
        elif format_id not in FORMATS:
            error = "Choose a format."
        elif template_id and (format_id != "custom" or template_id not in CUSTOM_TEMPLATES):
            error = "A template goes with the Custom format: choose Custom, or no template."
        elif attribution not in ("attributed", "pseudonymous", "chatham-house"):
            error = "Choose how contributions are attributed."
        elif len(venues) > 20:
            error = "At most 20 venues."
        elif language is not None and language not in i18n.LANGUAGES:
            error = "Choose the session's language: English, Welsh, or each person's own."
        elif licence not in LICENCES:
            error = "Choose the licence of the harvest."
        else:
            created = await create_session(
                ctx.store,
                base=ctx.base_url,
                title=title,
                format_id=template_id or format_id,
                purpose=str(form.get("purpose", ""))[:2000],
                attribution=attribution,  # type: ignore[arg-type]
                venues=venues or ("Main room",),
                language=language,
                licence=licence,
            )
    title_qr = words(request, "admin.html").gettext("QR code to join this session")
    response = page(
        request,
        "admin.html",
        422 if error else 200,
        formats=FORMATS,
        templates=CUSTOM_TEMPLATES,
        licences=LICENCES,
        created=created,
        created_title=title if created else None,
        created_qr=qr_svg(created.room_url, title=title_qr) if created else None,
        sessions=[]
        if created
        else [
            (
                s,
                clock(ctx, s.created_at, "%Y-%m-%d %H:%M"),
                clock(ctx, s.last_activity, "%Y-%m-%d %H:%M"),
            )
            for s in await session_list(ctx.store, ctx.base_url)
        ],
        error=error,
        csrf=ctx.signer.csrf_token("admin"),
        node=ctx.node,
    )
    if request.query_params.get("key"):
        response.set_cookie(
            "hk_admin", key, httponly=True, samesite="strict", secure=request.url.scheme == "https"
        )
    return response
