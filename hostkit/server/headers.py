"""Security headers on every response: strict CSP (no inline script or style), no framing."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(self), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in present]
                if https:
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SameOriginPosts:
    """Refuse a browser's POST from another site (403), before any form is read.

    CSRF tokens guard the forms of someone already in a session; this also guards the
    join forms, which have no identity to bind a token to yet. Browsers always send
    Origin on a POST; clients that send none (scripts, the tests) still need a token.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(scope.get("headers", []))
            origin = headers.get(b"origin")
            if origin is not None and not self._ours(scope, headers, origin.decode("latin-1")):
                await _forbidden(send)
                return
        await self.app(scope, receive, send)

    @staticmethod
    def _ours(scope: Scope, headers: dict[bytes, bytes], origin: str) -> bool:
        here = f"{scope.get('scheme', 'http')}://{headers.get(b'host', b'').decode('latin-1')}"
        ctx = getattr(getattr(scope.get("app"), "state", None), "ctx", None)
        public = str(getattr(ctx, "base_url", "")).rstrip("/")
        return origin.rstrip("/") in (here, public)


async def _forbidden(send: Send) -> None:
    body = b"Cross-site form posts are refused."
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
