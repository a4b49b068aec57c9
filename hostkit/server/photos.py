"""Photos of flipcharts and tables: checked, re-encoded without metadata, members only.

An upload is read up to a size limit, opened by Pillow with only the decoders for
common photo formats, refused if it is not an image or would decode to too many
pixels (a decompression bomb), then drawn afresh into a new JPEG. Nothing of the
original file survives: no EXIF (so no GPS position or camera serial), no comments, no
trailing bytes a polyglot file could hide a script in. The result is kept in the store
(so every node serves it) by a random id, and served only to the session's members as
image/jpeg.
"""

from __future__ import annotations

import asyncio
import io
import re
import secrets
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message

from hostkit.domain.model import Participant, SessionState
from hostkit.export.harvest import PhotoSource
from hostkit.server.auth import participant_for, token_from
from hostkit.server.context import Context
from hostkit.store.base import EventStore, StoreError

DECODERS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_PIXELS = 50_000_000  # a 50-megapixel camera; beyond that it is not a phone photo
MAX_SIDE = 2560  # stored photos are scaled down to this; enough for a flipchart
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the csrf field
_PHOTO_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


class PhotoRefused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _error(status: int, code: str, message: str) -> Response:
    return JSONResponse({"type": "error", "code": code, "message": message}, status)


async def photo_source(store: EventStore, state: SessionState) -> PhotoSource:
    """The photos of a session's contributions, read now so a renderer's thread can use them."""
    ids = {c.photo_id for c in state.contributions.values() if c.photo_id}
    found: dict[str, bytes] = {}
    for photo_id in sorted(ids):
        photo = await store.get_photo(state.id, photo_id) if _PHOTO_ID.match(photo_id) else None
        if photo is not None:
            found[photo_id] = photo.jpeg
    return found.get


def clean_photo(data: bytes) -> bytes:
    """A fresh JPEG of the image in data, without any metadata; PhotoRefused if not one."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=DECODERS) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise PhotoRefused(
                        422, "image_too_large", "That image has too many pixels to be a photo."
                    )
                probe.verify()
            with Image.open(io.BytesIO(data), formats=DECODERS) as original:
                original.load()
                upright = ImageOps.exif_transpose(original)  # keep the view, drop the tag
                picture = upright.convert("RGB")
                picture.info.clear()  # Pillow writes info["comment"] (a JPEG COM) on save
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PhotoRefused(
                422, "image_too_large", "That image has too many pixels to be a photo."
            ) from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise PhotoRefused(
                415, "not_an_image", "That file is not a photo hostkit can read (JPEG, PNG, WebP)."
            ) from error
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, optimize=True)  # no exif= given: none written
    return out.getvalue()


async def _body_within(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PhotoRefused(413, "photo_too_large", f"Photos are at most {limit // 2**20} MB.")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PhotoRefused(413, "photo_too_large", f"Photos are at most {limit // 2**20} MB.")
        chunks.append(chunk)
    return b"".join(chunks)


async def _member(request: Request) -> tuple[Context, str, Participant] | Response:
    ctx: Context = request.app.state.ctx
    session_id = request.path_params["session_id"]
    if await ctx.hub.live(session_id) is None:
        return _error(404, "unknown_session", "There is no such session.")
    token = token_from(request, session_id)
    who = await participant_for(ctx.hub, ctx.signer, session_id, token)
    if who is None:
        return _error(401, "unauthorised", "This link is not valid for this session.")
    return ctx, session_id, who


async def upload_photo(request: Request) -> Response:
    """POST /s/{id}/photos: multipart field ``photo``; answers {"photo_id": ...}."""
    found = await _member(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, who = found
    if who.role == "observer":
        return _error(403, "not_allowed", "Your role does not allow this.")
    if (refused := await ctx.guard.admit(session_id, who.id, "upload_photo")) is not None:
        return _error(429, refused.code, refused.message)
    limit = ctx.settings.photo_max_bytes
    try:
        body = await _body_within(request, limit + FORM_OVERHEAD)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return {"type": "http.disconnect"}
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        async with Request(request.scope, replay).form(max_files=1, max_fields=4) as form:
            bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
            csrf = str(form.get("csrf", ""))
            if not bearer and not ctx.signer.check_csrf(f"{session_id}:{who.id}:{who.nonce}", csrf):
                return _error(403, "csrf_failed", "The form has expired: reload and try again.")
            upload = form.get("photo")
            if upload is None or isinstance(upload, str):
                return _error(400, "photo_missing", "Choose a photo to upload (field 'photo').")
            data = await upload.read(limit + 1)
        if len(data) > limit:
            raise PhotoRefused(413, "photo_too_large", f"Photos are at most {limit // 2**20} MB.")
        clean = await asyncio.to_thread(clean_photo, data)
    except PhotoRefused as refusal:
        return _error(refusal.status, refusal.code, refusal.message)
    photo_id = secrets.token_urlsafe(16)
    try:
        await ctx.store.put_photo(session_id, photo_id, who.id, clean)
    except StoreError:
        return _error(503, "storage_failed", "The photo could not be saved: try again.")
    return JSONResponse({"photo_id": photo_id})


async def get_photo(request: Request) -> Response:
    """GET /s/{id}/photos/{photo_id}: the cleaned JPEG, to the session's members only."""
    found = await _member(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, _ = found
    photo_id = request.path_params["photo_id"]
    try:
        photo = (
            await ctx.store.get_photo(session_id, photo_id) if _PHOTO_ID.match(photo_id) else None
        )
    except StoreError:
        return _error(503, "storage_failed", "The photo cannot be read just now: try again.")
    if photo is None:
        return _error(404, "unknown_photo", "There is no such photo.")
    return Response(
        photo.jpeg,
        media_type="image/jpeg",
        headers={"Cache-Control": "private, max-age=3600", "Content-Disposition": "inline"},
    )
