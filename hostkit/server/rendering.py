"""Rendering a page in the person's language, and the answers every page handler shares.

A page is rendered in the person's own choice of language, else the session's, else their
browser's (docs/accessibility.md); the words its scripts need travel with it. Words made in
Python before it renders (notices, refusals) are translated here too.
"""

from __future__ import annotations

import gettext
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from hostkit import i18n
from hostkit.domain.model import SessionState
from hostkit.export.zones import machine_zone, zone
from hostkit.server.auth import cookie_name
from hostkit.server.context import Context

COOKIE_AGE = 60 * 60 * 24 * 60  # identity survives a browser restart for two months


def context_of(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


def language(request: Request, template: str, state: SessionState | None = None) -> str:
    """The person's switch, else the session's language if its host chose one, else their
    browser's, else English (docs/accessibility.md)."""
    if template not in i18n.TRANSLATED_PAGES:
        return i18n.DEFAULT
    chosen = state.language if state is not None and state.language_chosen else None
    return i18n.choose(
        request.cookies.get(i18n.COOKIE), request.headers.get("accept-language"), chosen
    )


def words(
    request: Request, template: str, state: SessionState | None = None
) -> gettext.NullTranslations:
    """The translations a page will be shown in, for words made before it renders."""
    catalogues: i18n.Catalogues = request.app.state.catalogues
    return catalogues.get(language(request, template, state))


def page(request: Request, template: str, status: int = 200, **values: Any) -> Response:
    ctx = context_of(request)
    catalogues: i18n.Catalogues = request.app.state.catalogues
    state = values.get("state")
    lang = language(request, template, state if isinstance(state, SessionState) else None)
    if template in i18n.TRANSLATED_PAGES:
        values["languages"] = i18n.LANGUAGES
    values["lang"] = lang
    values["script_messages"] = catalogues.messages(lang, i18n.SCRIPT_MESSAGES)
    values["script_plurals"] = catalogues.plurals(lang, i18n.SCRIPT_PLURALS)
    translations = catalogues.get(lang)
    # messages made in Python, in English
    for key in ("notice", "title", "message", "error", "posted"):
        if isinstance(values.get(key), str):
            values[key] = i18n.translate_message(translations, values[key])
    with i18n.using(translations):
        return ctx.templates.TemplateResponse(request, template, values, status_code=status)


def problem(request: Request, status: int, title: str, message: str) -> Response:
    return page(request, "problem.html", status, title=title, message=message)


def set_identity(response: Response, request: Request, session_id: str, token: str) -> None:
    response.set_cookie(
        cookie_name(session_id),
        token,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


def clock(ctx: Context, at: float, layout: str) -> str:
    """A moment as the hall's clock shows it (the server's time zone setting)."""
    return datetime.fromtimestamp(at, zone(ctx.settings.timezone or machine_zone())).strftime(
        layout
    )
