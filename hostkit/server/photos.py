"""Photos of flipcharts and tables: checked, re-encoded without metadata, members only.

An upload is read up to a size limit, opened by Pillow with only the decoders for
common photo formats, refused if it is not an image or would decode to too many
pixels (a decompression bomb), then drawn afresh into a new JPEG. Nothing of the
original file survives: no EXIF (so no GPS position or camera serial), no comments, no
trailing bytes a polyglot file could hide a script in. The result is stored under the
data directory by a random id, and served only to the session's members as image/jpeg.
"""

from __future__ import annotations

import asyncio
import io
import re
import secrets
import shutil
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.types import Message

from hostkit.domain.model import Participant
from hostkit.server.auth import participant_for, token_from
from hostkit.server.context import Context

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


def photo_dir(data_dir: Path, session_id: str) -> Path:
    return data_dir / "photos" / session_id


def delete_photos(data_dir: Path, session_id: str) -> None:
    """Remove every photo of a session (when the session is deleted)."""
    shutil.rmtree(photo_dir(data_dir, session_id), ignore_errors=True)


def erase_photos(data_dir: Path, session_id: str, photo_ids: list[str]) -> None:
    """Remove these photos of a session (their contributions were withdrawn)."""
    folder = photo_dir(data_dir, session_id)
    for photo_id in photo_ids:
        if _PHOTO_ID.match(photo_id):
            (folder / f"{photo_id}.jpg").unlink(missing_ok=True)
            (folder / f"{photo_id}.owner").unlink(missing_ok=True)


def owns_photo(data_dir: Path, session_id: str, participant_id: str, photo_id: str) -> bool:
    """Whether this participant uploaded this photo: nobody posts another person's photo
    (its id is in every page that shows it) as their own, or an id that names no file."""
    if not _PHOTO_ID.match(photo_id):
        return False
    owner = photo_dir(data_dir, session_id) / f"{photo_id}.owner"
    try:
        return owner.read_text(encoding="utf-8") == participant_id
    except OSError:
        return False


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
    if (refused := ctx.guard.admit(session_id, who.id, "upload_photo")) is not None:
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
    folder = photo_dir(ctx.settings.data_dir, session_id)
    await asyncio.to_thread(_write, folder / f"{photo_id}.jpg", clean)
    await asyncio.to_thread(_write, folder / f"{photo_id}.owner", who.id.encode())
    return JSONResponse({"photo_id": photo_id})


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.write_bytes(data)
    partial.replace(path)


async def get_photo(request: Request) -> Response:
    """GET /s/{id}/photos/{photo_id}: the cleaned JPEG, to the session's members only."""
    found = await _member(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, _ = found
    photo_id = request.path_params["photo_id"]
    path = photo_dir(ctx.settings.data_dir, session_id) / f"{photo_id}.jpg"
    if not _PHOTO_ID.match(photo_id) or not path.is_file():
        return _error(404, "unknown_photo", "There is no such photo.")
    return FileResponse(
        path,
        media_type="image/jpeg",
        headers={"Cache-Control": "private, max-age=3600", "Content-Disposition": "inline"},
    )
