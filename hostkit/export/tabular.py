"""CSV and JSON transcripts: one row (or object) per exported contribution.

The column names and the JSON schema are part of hostkit's public interface: add
columns at the end, never rename, and bump ``SCHEMA`` on any incompatible change.
The schema is documented in ``exports/README.md``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import msgspec

from hostkit.export.harvest import Entry, Harvest
from hostkit.export.report_rows import ADDED_COLUMNS, action_fields, json_parts, report_rows

SCHEMA = "hostkit.transcript/1"

COLUMNS = (
    "number",
    "id",
    "time",
    "phase",
    "phase_title",
    "group",
    "venue",
    "kind",
    "author",
    "text",
    "dots",
    "voters",
    "reactions",
    "photo_id",
    "response",
    "pending",
    *ADDED_COLUMNS,  # next steps' owners and dates; topic reports (hostkit/export/report_rows.py)
    "arrived_late",  # shared by a hall laptop after its phase closed: when (time: written)
)


_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def _row(e: Entry) -> dict[str, Any]:
    return {
        "number": e.number,
        "id": e.id,
        "time": e.iso_time,
        "phase": e.phase_id,
        "phase_title": e.phase_title,
        "group": e.group_name,
        "venue": e.cell_name,
        "kind": e.kind,
        "author": e.author,
        "text": e.text,
        "dots": e.dots,
        "voters": e.voters,
        "reactions": e.reactions,
        "photo_id": e.photo_id,
        "response": e.response,
        "pending": e.pending,
    }


def transcript_csv(harvest: Harvest) -> str:
    """RFC 4180 CSV with a header row; an author not shown in this mode is empty."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for e in harvest.entries:
        row = {**_row(e), **action_fields(e), "arrived_late": e.iso_arrived}
        writer.writerow({k: _cell(v) for k, v in row.items()})
    for row in report_rows(harvest):
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def transcript_json(harvest: Harvest) -> bytes:
    started, _ = harvest.stamp(harvest.started_at)
    as_of, _ = harvest.stamp(harvest.as_of)
    document = {
        "schema": SCHEMA,
        "session": {
            "id": harvest.session_id,
            "title": harvest.title,
            "purpose": harvest.purpose,
            "licence": harvest.licence,
            "format": harvest.format_name,
            "language": harvest.language,
            "started": started,
            "as_of": as_of,
            "timezone": harvest.timezone,
            "attribution": harvest.attribution,
            "venues": [
                {"name": c.name, "online": c.online, "people": c.people} for c in harvest.cells
            ],
            "in_room": harvest.in_room,
            "remote": harvest.remote,
        },
        "phases": [
            {
                "id": p.id,
                "title": p.title,
                "question": p.question,
                "attribution": p.attribution,
            }
            for p in harvest.phases
        ],
        "contributions": [
            {**_row(e), "html": e.html, **action_fields(e), "arrived_late": e.iso_arrived or None}
            for e in harvest.entries
        ],
        **json_parts(harvest),
    }
    return msgspec.json.format(msgspec.json.encode(document), indent=2)
