"""A whole session in one file, to move it between hostkits (``hostkit export --format
archive`` and ``hostkit import``).

A hall with no internet runs its session on a laptop and hands it to the organisation's
server afterwards. The archive is a zip (the standard library's ``zipfile``) holding:

- ``manifest.json``: the format name and version, the session's id, join code, creation
  time and title, the number and SHA-256 of the events, each photo's id, owner, file,
  size and SHA-256, and the key the session's participant links are signed with;
- ``events.jsonl``: one JSON object per line, ``seq``, ``type``, ``at``, ``actor``,
  ``command_id`` and ``body``, the event's payload kept as the exact text stored, so the
  imported log is byte for byte the exported one;
- ``photos/<id>.jpg``: the photos, as stored (already cleaned of metadata on upload).

Reading checks everything before anything is written: the zip's own checksums, the
manifest, the hashes, seqs 1..N without a gap, every body a hostkit event, the first one
creating the session with the manifest's join code. ``docs/archive.md`` says what the
file holds about people and how to keep and delete it.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import re
import zipfile
import zlib
from dataclasses import replace
from typing import Any

import msgspec

from hostkit.domain.events import SessionCreated, decode_event, encode_event
from hostkit.joining.joincode import new_join_code
from hostkit.joining.tokens import decode_key, new_session_id
from hostkit.live.replay import erasable, fold_log, redacted
from hostkit.sessions import signer_for
from hostkit.store.base import (
    EventStore,
    JoinCodeTaken,
    Photo,
    SequenceConflict,
    StoredEvent,
    StoreError,
    WholeSession,
)

FORMAT = "hostkit-session-archive"
VERSION = 1
MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
MAX_ENTRY = 1 << 30  # bytes of one file inside; a session's log and photos stay far below
# what a damaged zip raises from zipfile (bad CRC, bad deflate stream, an odd method or an
# encrypted entry); ArchiveError tells of everything else
_UNREADABLE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
)
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # session and photo ids (they become file names)


class ArchiveError(Exception):
    """The file is not a sound hostkit session archive, or cannot go where it was asked;
    nothing was written."""


async def whole_session(store: EventStore, session_id: str) -> tuple[WholeSession, str] | None:
    """Everything of a session an archive carries, and its title, read from a store; None
    if there is no such session."""
    found = {s[0]: s for s in await store.list_sessions()}.get(session_id)
    if found is None:
        return None
    _, join_code, created_at = found
    events = await store.read(session_id)
    state = fold_log(session_id, events)
    # Words the store must not keep are normally overwritten already; should a crash have
    # left some (the hub erases them on its next load), the archive never carries them.
    erase = {c.seq for c in state.contributions.values() if erasable(state, c)}
    stored = [e for e in events if e.seq in erase]
    blanked = {e.seq: e for e in redacted(state, stored) if e not in stored}
    events = [blanked.get(e.seq, e) for e in events]
    shown = {c.photo_id for c in state.contributions.values() if c.seq not in erase}
    photos: dict[str, Photo] = {}
    for photo_id in sorted(p for p in shown if p):
        photo = await store.get_photo(session_id, photo_id) if _ID.fullmatch(photo_id) else None
        if photo is not None:
            photos[photo_id] = photo
    key = (await signer_for(store)).participant_key(session_id)
    return WholeSession(session_id, join_code, created_at, events, photos, key), state.title


def pack(whole: WholeSession, title: str) -> bytes:
    """The archive of a session, as bytes of a zip file."""
    lines = "".join(
        json.dumps(
            {
                "seq": e.seq,
                "type": e.type,
                "at": e.at,
                "actor": e.actor,
                "command_id": e.command_id,
                "body": e.body,
            }
        )
        + "\n"
        for e in whole.events
    ).encode()
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "session": {
            "id": whole.session_id,
            "join_code": whole.join_code,
            "created_at": whole.created_at,
            "title": title,
        },
        "events": {"file": EVENTS, "count": len(whole.events), "sha256": _sha256(lines)},
        "photos": [
            {
                "id": photo_id,
                "owner": photo.owner,
                "file": f"photos/{photo_id}.jpg",
                "size": len(photo.jpeg),
                "sha256": _sha256(photo.jpeg),
            }
            for photo_id, photo in sorted(whole.photos.items())
        ],
        "links": {"participant_key": whole.participant_key},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr(EVENTS, lines)
        for photo_id, photo in sorted(whole.photos.items()):
            # JPEGs are compressed already
            archive.writestr(f"photos/{photo_id}.jpg", photo.jpeg, zipfile.ZIP_STORED)
    return out.getvalue()


def unpack(data: bytes) -> tuple[WholeSession, str]:
    """The session in an archive and its title, checked throughout; ArchiveError if not sound."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _session(archive, _manifest(archive))
    except _UNREADABLE as error:
        raise ArchiveError(
            f"not a readable hostkit session archive (damaged or cut short?): {error}"
        ) from None


async def restore(store: EventStore, whole: WholeSession, *, as_new: bool = False) -> str:
    """Put an unpacked session into a store, whole or not at all; return its id here.

    Without ``as_new`` the session keeps its id, join code, log and the key of its links,
    and an id or join code already in use here is refused. With ``as_new`` it becomes a
    copy: a fresh id and join code (written into its first event, the only change), and
    links made by this server; the old links keep pointing at the original.
    """
    if as_new:
        return await _restore_copy(store, whole)
    if await store.session_exists(whole.session_id):
        raise ArchiveError(
            f"there is already a session {whole.session_id!r} here; nothing was imported "
            "(use --as-new to import it as a copy with a new id and new links)"
        )
    if await store.session_by_code(whole.join_code) is not None:
        raise ArchiveError(
            f"another session here already uses the join code {whole.join_code}; nothing "
            "was imported (use --as-new to import it as a copy with a new join code)"
        )
    try:
        await store.import_session(whole)
    except (SequenceConflict, JoinCodeTaken) as error:
        raise ArchiveError(f"{error}; nothing was imported") from None
    return whole.session_id


async def _restore_copy(store: EventStore, whole: WholeSession) -> str:
    session_id = new_session_id()
    first = decode_event(whole.events[0].body)
    if not isinstance(first, SessionCreated):
        raise ArchiveError("the first event does not create the session")
    for _attempt in range(20):
        code = new_join_code()
        body = encode_event(msgspec.structs.replace(first, join_code=code))
        events = [
            replace(e, session_id=session_id, body=body if e.seq == 1 else e.body)
            for e in whole.events
        ]
        try:
            await store.import_session(
                WholeSession(session_id, code, whole.created_at, events, whole.photos, None)
            )
        except JoinCodeTaken:
            continue
        return session_id
    raise StoreError("could not find a free join code")


# --- reading an archive ---------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _entry(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ArchiveError(f"the archive lacks {name}") from None
    if info.file_size > MAX_ENTRY:
        raise ArchiveError(f"{name} in the archive is larger than {MAX_ENTRY} bytes")
    return archive.read(info)  # checks the zip's CRC: BadZipFile if damaged


def _manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    if MANIFEST not in archive.namelist():
        raise ArchiveError(f"not a hostkit session archive: it has no {MANIFEST}")
    try:
        manifest = json.loads(_entry(archive, MANIFEST))
    except ValueError:
        raise ArchiveError(f"{MANIFEST} in the archive is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"not a hostkit session archive: {MANIFEST} is of another format")
    version = manifest.get("version")
    if not isinstance(version, int) or version < 1:
        raise ArchiveError(f"{MANIFEST} has no valid version")
    if version > VERSION:
        raise ArchiveError(
            f"the archive is version {version}, newer than this hostkit reads ({VERSION}): "
            "upgrade hostkit first"
        )
    session, events = manifest.get("session"), manifest.get("events")
    photos, links = manifest.get("photos"), manifest.get("links")
    if not (
        isinstance(session, dict)
        and isinstance(session.get("id"), str)
        and _ID.fullmatch(session["id"])
        and isinstance(session.get("join_code"), str)
        and isinstance(session.get("created_at"), int | float)
        and isinstance(events, dict)
        and isinstance(events.get("count"), int)
        and isinstance(events.get("sha256"), str)
        and isinstance(photos, list)
        and isinstance(links, dict)
    ):
        raise ArchiveError(f"{MANIFEST} lacks the session, its events, photos or links")
    return manifest


def _session(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> tuple[WholeSession, str]:
    session = manifest["session"]
    session_id = str(session["id"])
    lines = _entry(archive, EVENTS)
    if _sha256(lines) != manifest["events"]["sha256"]:
        raise ArchiveError(f"{EVENTS} does not match its hash in {MANIFEST}: it was altered")
    events = [_event(session_id, n, line) for n, line in enumerate(lines.splitlines(), 1)]
    if len(events) != manifest["events"]["count"] or not events:
        raise ArchiveError(f"the archive has {len(events)} events, its manifest says otherwise")
    try:
        state = fold_log(session_id, events)  # every body must be an event hostkit replays
        first = decode_event(events[0].body)
    except (msgspec.DecodeError, msgspec.ValidationError, ValueError, KeyError, TypeError) as e:
        raise ArchiveError(f"the events are not a hostkit session's: {e}") from None
    if not isinstance(first, SessionCreated) or first.join_code != session["join_code"]:
        raise ArchiveError("the first event does not create the session the manifest names")
    key = manifest["links"].get("participant_key")
    try:
        decode_key(key if isinstance(key, str) else "")
    except ValueError as error:
        raise ArchiveError(f"the archive's participant key is unusable: {error}") from None
    photos = _photos(archive, manifest["photos"])
    created_at = float(session["created_at"])
    return WholeSession(session_id, first.join_code, created_at, events, photos, key), state.title


def _event(session_id: str, number: int, line: bytes) -> StoredEvent:
    try:
        row = json.loads(line)
        event = StoredEvent(
            session_id,
            row["seq"],
            row["type"],
            float(row["at"]),
            row["actor"],
            row["command_id"],
            row["body"],
        )
    except (ValueError, KeyError, TypeError):
        raise ArchiveError(f"line {number} of {EVENTS} is not an event") from None
    if (
        event.seq != number
        or type(event.seq) is not int
        or not isinstance(event.type, str)
        or not isinstance(event.body, str)
        or not all(isinstance(v, str | None) for v in (event.actor, event.command_id))
    ):
        raise ArchiveError(f"line {number} of {EVENTS} is not event {number} of the log")
    return event


def _photos(archive: zipfile.ZipFile, listed: list[Any]) -> dict[str, Photo]:
    photos: dict[str, Photo] = {}
    for item in listed:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("id"), str)
            and _ID.fullmatch(item["id"])
            and isinstance(item.get("owner"), str)
            and isinstance(item.get("sha256"), str)
        ):
            raise ArchiveError(f"a photo in {MANIFEST} lacks its id, owner or hash")
        jpeg = _entry(archive, f"photos/{item['id']}.jpg")
        if _sha256(jpeg) != item["sha256"]:
            raise ArchiveError(f"photo {item['id']} does not match its hash: it was altered")
        photos[item["id"]] = Photo(item["owner"], jpeg)
    return photos
