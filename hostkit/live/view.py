"""What a client is shown of a session: the snapshot, as plain JSON-ready data.

Secrets (token nonces) and bookkeeping (command ids) are left out; everything else in
the live state is visible to everyone in the session, as it would be in the room.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from hostkit.domain.model import SessionState


def labels(state: SessionState) -> dict[str, str]:
    """How each participant is shown live, per the session's attribution mode."""
    shown: dict[str, str] = {}
    people = [p for p in state.participants.values() if not p.screen]
    for number, person in enumerate(people, 1):
        if state.attribution == "pseudonymous":
            shown[person.id] = f"Participant {number}"
        elif state.attribution == "attributed" and person.name is not None:
            shown[person.id] = person.name
        else:
            shown[person.id] = "Anonymous"
    return shown


def snapshot(state: SessionState, *, now: float) -> dict[str, Any]:
    timer = None
    if state.timer is not None:
        timer = {
            "phase_id": state.timer.phase_id,
            "running": state.timer.running,
            "remaining_s": round(state.timer.remaining(now), 3),
            "ends_at": now + state.timer.remaining(now) if state.timer.running else None,
        }
    return {
        "seq": state.last_seq,
        "server_time": now,
        "session": {
            "id": state.id,
            "title": state.title,
            "purpose": state.purpose,
            "licence": state.licence,
            "format": state.format,
            "attribution": state.attribution,
            "join_code": state.join_code,
        },
        "cells": [asdict(c) for c in state.cells.values()],
        "groups": [asdict(g) for g in state.groups.values()],
        "phases": [asdict(p) for p in state.phases],
        "participants": [
            {k: v for k, v in asdict(p).items() if k != "nonce"}
            for p in state.participants.values()
        ],
        "contributions": [
            asdict(c) for c in state.contributions.values() if not c.withdrawn and not c.hidden
        ],
        "hands": {k: [asdict(h) for h in q] for k, q in state.hands.items() if q},
        "announcements": [asdict(a) for a in state.announcements[-20:]],
        "timer": timer,
        "labels": labels(state),
        "moderation": state.moderation,  # contributions with "pending" wait for the host
        **formats_view(state, now=now),
    }


def formats_view(state: SessionState, *, now: float) -> dict[str, Any]:
    """The hosting-format parts of the snapshot: talking pieces, seating, calls, questions."""
    talking = {
        key: {
            **asdict(piece),
            "turn_left_s": (
                None
                if piece.turn_s is None or piece.holder is None
                else round(max(0.0, piece.turn_s - (now - piece.since)), 3)
            ),
        }
        for key, piece in state.talking.items()
    }
    questions = [
        c
        for c in state.contributions.values()
        if c.kind == "question" and not c.withdrawn and not c.hidden
    ]
    questions.sort(key=lambda c: (-sum(c.votes.values()), c.seq))
    return {
        "talking": talking,
        "seating": asdict(state.seating) if state.seating is not None else None,
        "calls": [asdict(c) for c in state.calls if not c.resolved],
        "questions": [c.id for c in questions],  # most votes first
    }
