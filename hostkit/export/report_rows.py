"""Topic reports and next steps in the CSV and JSON transcripts (``tabular``).

Reports are rows of kind ``report`` after the contributions in CSV, and a ``reports``
list (with the convergence ranking as ``topic_ranking``) in JSON; next steps are
contributions of kind ``action`` that carry ``owner`` and ``due``. Every field here was
added to ``hostkit.transcript/1`` compatibly: new columns at the end, new optional keys.
"""

from __future__ import annotations

from typing import Any

from hostkit.export.harvest import Entry, Harvest
from hostkit.export.proceedings import TopicReport

# added at the end of the CSV columns, in this order
ADDED_COLUMNS = (
    "owner",
    "due",
    "topic",
    "convener",
    "participants",
    "participant_count",
    "summary",
    "recommendations",
    "resources",
    "requests",
    "version",
)


def action_fields(e: Entry) -> dict[str, Any]:
    """A next step's owner (None: nobody, or not named in this mode) and date."""
    return {"owner": e.owner, "due": e.due}


def written(h: Harvest) -> list[TopicReport]:
    return [r for r in h.proceedings.reports if r.written] if h.proceedings else []


def _report(h: Harvest, r: TopicReport) -> dict[str, Any]:
    return {
        "id": r.id,
        "time": h.stamp(r.at)[0],
        "phase": r.phase_id,
        "phase_title": r.phase_title,
        "group": r.group_name,
        "venue": r.cell_name,
        "author": r.author,
        "dots": r.dots,
        "voters": r.voters,
        "topic": r.topic,
        "convener": r.convener,
        "participant_count": r.participant_count,
        **{f.name: f.text for f in r.fields},
        "version": r.version,
    }


def report_rows(h: Harvest) -> list[dict[str, Any]]:
    """One CSV row per written report, numbered on from the contributions."""
    start = len(h.entries)
    return [
        {
            **_report(h, r),
            "number": start + i,
            "kind": "report",
            "participants": "; ".join(r.participants) if r.participants is not None else "",
            "response": False,
            "pending": False,
        }
        for i, r in enumerate(written(h), 1)
    ]


def json_parts(h: Harvest) -> dict[str, Any]:
    """The ``reports`` and ``topic_ranking`` keys of the JSON transcript."""
    return {
        "reports": [
            {
                "number": r.number,
                **_report(h, r),
                "participants": r.participants,
                "html": {f.name: f.html for f in r.fields},
            }
            for r in written(h)
        ],
        "topic_ranking": [
            {
                "rank": t.rank,
                "topic": t.topic,
                "dots": t.dots,
                "voters": t.voters,
                "reported": t.reported,
            }
            for t in (h.proceedings.ranking if h.proceedings else [])
        ],
    }
