"""Photos of flipcharts and tables: checked, re-encoded without metadata, members only.

An upload is read up to a size limit, opened by Pillow with only the decoders for
common photo formats, refused if it is not an image or would decode to too many
pixels (a decompression bomb), then drawn afresh into a new JPEG. Nothing of the
original file survives: no EXIF (so no GPS position or camera serial), no comments, no
trailing bytes a polyglot file could hide a script in. The result is kept in the store
(so every node serves it) by a random id, and served only to the session's members as
image/jpeg.

A hall laptop (a relay, docs/relay.md) uploads its hall's photos for them: it names the
person (``on_behalf_of``, one of its own venue's people) and the id the hall already
knows the photo by (``photo_id``), so sending it again after a lost answer stores nothing
twice. The laptop cleaned the photo when the phone sent it; a bare JPEG as hostkit makes
them (no metadata, nothing after its end) is kept byte for byte rather than re-encoded
again, so the hall's copy and the server's are the same photo without losing quality.
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
from hostkit.domain.relaying import acts_for
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


# JPEG markers a bare JPEG may carry before its scan: JFIF header, quantisation and Huffman
# tables, baseline/extended/progressive frames, restart interval. No EXIF, ICC, comments.
_BARE_SEGMENTS = frozenset({0xE0, 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDD})
_SOI, _EOI, _SOS = b"\xff\xd8", 0xD9, 0xDA


def bare_jpeg(data: bytes) -> bool:
    """Whether data is a JPEG with nothing but the image: the segments above, a JFIF APP0,
    its scans, and not one byte after its end (where a polyglot hides its payload)."""
    if not data.startswith(_SOI):
        return False
    at, size = 2, len(data)
    while at + 2 <= size:
        if data[at] != 0xFF:
            return False
        marker = data[at + 1]
        if marker == _EOI:
            return at + 2 == size
        if at + 4 > size:
            return False
        length = int.from_bytes(data[at + 2 : at + 4], "big")
        if length < 2 or at + 2 + length > size:
            return False
        if marker == 0xE0 and not data.startswith(b"JFIF\0", at + 4):
            return False
        if marker != _SOS and marker not in _BARE_SEGMENTS:
            return False
        at += 2 + length
        if marker == _SOS:  # entropy-coded data: 0xFF only as FF00 or a restart FFD0-FFD7
            while True:
                at = data.find(b"\xff", at)
                if at < 0 or at + 1 >= size:
                    return False
                following = data[at + 1]
                if following != 0 and not 0xD0 <= following <= 0xD7:
                    break
                at += 2
    return False


def clean_photo(data: bytes, keep_bare: bool = False) -> bytes:
    """A fresh JPEG of the image in data, without any metadata; PhotoRefused if not one.

    ``keep_bare``: data that is already a bare JPEG within the size stored photos have
    (a hall laptop's upload, cleaned on the laptop) is checked in full and kept as it is.
    """
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
                if (
                    keep_bare
                    and original.format == "JPEG"
                    and max(original.size) <= MAX_SIDE
                    and original.mode in ("RGB", "L")
                    and bare_jpeg(data)
                ):
                    return data  # decoded in full above: a real image, and nothing else
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


async def _owner(
    ctx: Context, session_id: str, who: Participant, on_behalf_of: str
) -> Participant | Response:
    """Whose photo this upload is: the caller's own, or (a hall laptop only) one of its
    venue's people's."""
    if who.role == "relay":
        live = await ctx.hub.live(session_id)
        state = live.committed if live is not None else None
        actor = state.participants.get(on_behalf_of) if state and on_behalf_of else None
        problem = acts_for(state, who, actor) if state is not None else None
        if problem is not None or actor is None:
            message = problem.message if problem is not None else "Your role does not allow this."
            return _error(403, "not_allowed", message)
        return actor
    if on_behalf_of or who.role == "observer":
        return _error(403, "not_allowed", "Your role does not allow this.")
    return who


async def upload_photo(request: Request) -> Response:
    """POST /s/{id}/photos: multipart field ``photo``; answers {"photo_id": ...}.

    A hall laptop adds ``on_behalf_of`` (whose photo) and ``photo_id`` (the hall's id
    for it); the same id again is answered with ``"duplicate": true`` and not stored again.
    """
    found = await _member(request)
    if isinstance(found, Response):
        return found
    ctx, session_id, who = found
    if who.role == "observer":
        return _error(403, "not_allowed", "Your role does not allow this.")
    if (refused := await ctx.guard.admit(session_id, who.id, "upload_photo")) is not None:
        return _error(429, refused.code, refused.message)  # before a byte of it is read
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
            owner = await _owner(ctx, session_id, who, str(form.get("on_behalf_of", "")))
            if isinstance(owner, Response):
                return owner
            chosen = str(form.get("photo_id", ""))
            if chosen and (who.role != "relay" or not _PHOTO_ID.fullmatch(chosen)):
                return _error(400, "invalid_value", "Only a hall laptop names its photos.")
            if chosen and (already := await _already(ctx, session_id, chosen, owner)) is not None:
                return already
            upload = form.get("photo")
            if upload is None or isinstance(upload, str):
                return _error(400, "photo_missing", "Choose a photo to upload (field 'photo').")
            data = await upload.read(limit + 1)
        if len(data) > limit:
            raise PhotoRefused(413, "photo_too_large", f"Photos are at most {limit // 2**20} MB.")
        clean = await asyncio.to_thread(clean_photo, data, bool(chosen))
    except PhotoRefused as refusal:
        return _error(refusal.status, refusal.code, refusal.message)
    except StoreError:
        return _error(503, "storage_failed", "The photo could not be saved: try again.")
    photo_id = chosen or secrets.token_urlsafe(16)
    try:
        await ctx.store.put_photo(session_id, photo_id, owner.id, clean)
    except StoreError:
        return _error(503, "storage_failed", "The photo could not be saved: try again.")
    return JSONResponse({"photo_id": photo_id})


async def _already(
    ctx: Context, session_id: str, photo_id: str, owner: Participant
) -> Response | None:
    """A hall laptop's photo the server has already: answered again, never stored twice."""
    photo = await ctx.store.get_photo(session_id, photo_id)
    if photo is None:
        return None
    if photo.owner != owner.id:
        return _error(409, "photo_taken", "Another photo already has that id.")
    return JSONResponse({"photo_id": photo_id, "duplicate": True})


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
