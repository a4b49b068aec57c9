"""What a client is shown of a session: the snapshot, as plain JSON-ready data.

Secrets (token nonces) and bookkeeping (command ids) are left out; everything else in
the live state is visible to everyone in the session, as it would be in the room.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from hostkit.domain.model import (
    PLENARY,
    Contribution,
    Participant,
    SessionState,
    Timer,
)
from hostkit.live import announcements, waiting
from hostkit.text.markdown import render_markdown


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


def snapshot(
    state: SessionState, *, now: float, viewer: str | None, html: bool = True
) -> dict[str, Any]:
    """The session as ``viewer`` may see it (words waiting for approval only to their
    author and the hosts: see ``waiting``). ``html``: each contribution's words as safe
    HTML too, as clients get them; a page's templates render the words themselves."""
    timer = None if state.timer is None else timer_view(state.timer, now)
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
            "language": state.language if state.language_chosen else None,
            "projector": state.projector,
        },
        "cells": [asdict(c) for c in state.cells.values()],
        "groups": [asdict(g) for g in state.groups.values()],
        "phases": [asdict(p) for p in state.phases],
        "participants": [
            {k: v for k, v in asdict(p).items() if k != "nonce"}
            for p in state.participants.values()
        ],
        "contributions": [
            _shown(state, c, viewer, html)
            for c in state.contributions.values()
            if not c.withdrawn and not c.hidden
        ],
        "hands": {k: [asdict(h) for h in q] for k, q in state.hands.items() if q},
        "announcements": [asdict(a) for a in state.announcements[-20:]],
        "timer": timer,
        "venue_timers": {
            cell: {k: v for k, v in timer_view(t, now).items() if k != "phase_id"}
            for cell, t in state.venue_timers.items()
        },
        "labels": labels(state),
        "moderation": state.moderation,  # contributions with "pending" wait for the host
        **formats_view(state, now=now),
    }


def timer_view(timer: Timer, now: float) -> dict[str, Any]:
    left = timer.remaining(now)
    return {
        "phase_id": timer.phase_id,
        "running": timer.running,
        "remaining_s": round(left, 3),
        "ends_at": now + left if timer.running else None,
    }


def shown_timer(state: SessionState, viewer: Participant, now: float) -> dict[str, Any] | None:
    """The timer a person's pages show: their venue's own while it has one (the lead host,
    who runs the session's, always sees the session's), else the session's."""
    venue = state.venue_timers.get(viewer.cell_id) if viewer.role != "host" else None
    if venue is not None:
        return {**timer_view(venue, now), "cell_id": viewer.cell_id}
    return None if state.timer is None else timer_view(state.timer, now)


def _shown(state: SessionState, c: Contribution, viewer: str | None, html: bool) -> dict[str, Any]:
    shown = asdict(c)
    if waiting.withheld(state, viewer, c.id):
        shown.update(text="", photo_id=None)
    if html:
        shown["html"] = render_markdown(shown["text"])  # as in the event (docs/protocol.md)
    return shown


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


def _people(state: SessionState) -> list[Participant]:
    """The people a page may count or name: not screens, not removed."""
    return [p for p in state.participants.values() if not p.screen and not p.removed]


def participant_view(state: SessionState, participant_id: str) -> dict[str, Any]:
    """What one person's page shows of the format: their group and who is in it, the
    talking piece, where to go next, their hats, questions by votes, Open Space topics.

    Names follow the session's attribution through ``labels`` (ids are shown through
    them); in a Chatham House session nobody is listed by name, only counted.
    """
    me = state.participants[participant_id]
    people = _people(state)
    named = state.attribution != "chatham-house"
    group = state.groups.get(me.group_id) if me.group_id else None
    members = [p.id for p in people if group is not None and p.group_id == group.id]
    seat = state.seating.seats.get(me.id) if state.seating is not None else None
    phase = state.open_phase()
    shown: dict[str, Any] = {
        "group": None
        if group is None
        else {
            "id": group.id,
            "name": group.name,
            "call_url": group.call_url,
            "topic": group.topic_id is not None,
            "count": len(members),
            "others": [p for p in members if p != me.id] if named else None,
        },
        "piece": _piece(state, me.group_id),
        "next_seat": None
        if seat is None or seat not in state.groups
        else {"group_id": seat, "name": state.groups[seat].name, "stay": seat == me.group_id},
        "hats": list(me.hats),
        "questions": _questions(state, me.id, _sees_waiting(me))
        if phase and "question" in phase.allows
        else None,
        "topics": _topics(state, people, me.id, named),
        "call": next(
            (asdict(c) for c in state.calls if c.participant_id == me.id and not c.resolved),
            None,
        ),
        "named": named,
        # pairs and fours are groups one is "in"; tables are places one is "at"
        "within": phase is not None and phase.grouping in ("pairs", "fours"),
        # pre-moderation: what others posted that still waits is not shown to me
        "unseen": _unseen(state, me),
        "announcements": [a.text for a in announcements.shown(state, me.cell_id)][-3:],
        "fishbowl": _fishbowl(state, people, me.id, named),
        # everyone together (the harvest): every table's contributions, not only mine
        "plenary": plenary(state),
        "dots": _dots(state, me.id),
        "moved": _moved(state, me),
    }
    shown["listed"] = listed(state, me, shown["unseen"])  # Contribution objects, for the page
    # what participant.js needs to keep the page live: it folds later events into this
    shown["script"] = {
        "labels": labels(state),
        "group_id": me.group_id,
        "groups": {g.id: g.name for g in state.groups.values()},
        "seats": {p.id: p.group_id for p in people},
        "quiet": [p.id for p in people if p.role == "observer"],
        "piece": shown["piece"],
        "call": shown["call"]["id"] if shown["call"] else None,
        "named": named,
        "within": shown["within"],
        "topic_groups": [g.id for g in state.groups.values() if g.topic_id is not None],
        "cell_id": me.cell_id,
        "sees_waiting": _sees_waiting(me),
        # others' waiting notes here: on approval the page fetches them (it never had them)
        "waiting": [
            c.id
            for c in state.contributions.values()
            if c.id in shown["unseen"] and (c.group_id == me.group_id or c.kind == "question")
        ],
        "fishbowl": [{"id": f["id"], "seats": f["seats"]} for f in shown["fishbowl"]],
        "joined": [p.id for p in people],  # join order (the JSON's objects come sorted by id)
        "plenary": shown["plenary"],
        "places": {g.id: place_name(state, g.id) for g in state.groups.values()},
        "dots": shown["dots"],
    }
    return shown


def _piece(state: SessionState, group_id: str | None) -> dict[str, Any] | None:
    piece = state.talking.get(group_id or PLENARY)
    if piece is None:
        return None
    return {
        "group_id": group_id,
        "order": list(piece.order),
        "holder": piece.holder,
        "passed": list(piece.passed),
        "turn_s": piece.turn_s,
    }


def _questions(state: SessionState, me: str, sees_waiting: bool) -> list[dict[str, Any]]:
    """Every live question, most votes first (then oldest first), as the host sees them;
    one waiting for approval only to its author and the hosts."""
    found = [
        c
        for c in state.contributions.values()
        if c.kind == "question"
        and not c.withdrawn
        and not c.hidden
        and (not c.pending or sees_waiting or c.author_id == me)
    ]
    found.sort(key=lambda c: (-sum(c.votes.values()), c.seq))
    return [
        {
            "id": c.id,
            "seq": c.seq,
            "text": c.text,
            "author_id": c.author_id,
            "votes": sum(c.votes.values()),
            "tally": dict(c.votes),
            "voted": c.votes.get(me, 0),
            "answer": c.answer or "open",
            "mine": c.author_id == me,
            "pending": c.pending,
        }
        for c in found
    ]


def _topics(
    state: SessionState, people: list[Participant], me: str, named: bool
) -> list[dict[str, Any]]:
    """Open Space topic groups by time then space, with who (or how many) is in each."""
    topics = [g for g in state.groups.values() if g.topic_id is not None]
    topics.sort(key=lambda g: (g.slot or "", g.space or "", g.name))
    shown = []
    for g in topics:
        here = [p.id for p in people if p.group_id == g.id]
        topic = state.contributions.get(g.topic_id or "")
        cell = state.cells.get(g.cell_id)
        shown.append(
            {
                "id": g.id,
                "name": g.name,
                "slot": g.slot,
                "space": g.space,
                "online": cell is not None and cell.kind == "online",
                "convener": topic.author_id if topic is not None and named else None,
                "count": len(here),
                "people": here if named else None,
                "here": me in here,
            }
        )
    return shown


def _sees_waiting(me: Participant) -> bool:
    """Hosts see what waits for approval (they approve it); others see only their own."""
    return me.role in ("host", "cell_host")


def _unseen(state: SessionState, me: Participant) -> list[str]:
    """Contributions waiting for approval that this person's page leaves out."""
    if _sees_waiting(me):
        return []
    return [
        c.id
        for c in state.contributions.values()
        if c.pending and c.author_id != me.id and not c.withdrawn and not c.hidden
    ]


def _fishbowl(
    state: SessionState, people: list[Participant], me: str, named: bool
) -> list[dict[str, Any]]:
    """In a fishbowl phase, each inner circle (a group with a fixed number of seats): who
    sits in it and how many chairs are free (format_rules.seat_problem counts the same)."""
    phase = state.open_phase()
    if phase is None or phase.grouping != "fishbowl":
        return []
    shown = []
    for g in state.groups.values():
        if g.seats is None:
            continue
        inside = [p.id for p in people if p.group_id == g.id]
        shown.append(
            {
                "id": g.id,
                "name": g.name,
                "seats": g.seats,
                "count": len(inside),
                "free": max(0, g.seats - len(inside)),
                "people": inside if named else None,
                "here": me in inside,
            }
        )
    return shown


def plenary(state: SessionState) -> bool:
    """Whether everyone is together now (a plenary phase such as the harvest), so pages
    list the contributions of every table and venue, not only their own group's."""
    phase = state.open_phase()
    return phase is not None and phase.grouping == "plenary"


def place_name(state: SessionState, group_id: str | None) -> str:
    """Where a contribution was said: its table, and the venue when there are several."""
    group = state.groups.get(group_id or "") or state.closed_groups.get(group_id or "")
    if group is None:
        return ""
    venues = [c for c in state.cells.values() if c.kind == "venue"]
    cell = state.cells.get(group.cell_id)
    if cell is None or (len(venues) < 2 and cell.kind == "venue"):
        return group.name
    return f"{group.name}, {cell.name}"


def listed(state: SessionState, viewer: Participant, unseen: list[str]) -> list[Contribution]:
    """The contributions a page lists: my group's, or everyone's when all are together."""
    together = plenary(state)
    return [
        c
        for c in state.contributions.values()
        if (together or c.group_id == viewer.group_id)
        and not c.withdrawn
        and not c.hidden
        and c.id not in unseen
    ]


def _dots(state: SessionState, me: str) -> dict[str, Any] | None:
    """Dot voting in the open phase: my dots per item and how many I have left."""
    phase = state.open_phase()
    if phase is None or not phase.dots:
        return None
    mine = dict(phase.ballots.get(me, {}))
    return {
        "phase_id": phase.id,
        "total": phase.dots,
        "mine": mine,
        "left": phase.dots - sum(mine.values()),
    }


def ranking(state: SessionState, *, limit: int = 10) -> list[dict[str, Any]]:
    """The live ranking by dots for the projector: what is on the wall, most dots first."""
    shown = [
        c
        for c in state.contributions.values()
        if not (c.withdrawn or c.hidden or c.off_record or c.pending) and c.kind != "question"
    ]
    shown.sort(key=lambda c: (-sum(c.votes.values()), c.seq))
    top = max((sum(c.votes.values()) for c in shown), default=0)
    return [
        {
            "id": c.id,
            "text": c.text,
            "dots": sum(c.votes.values()),
            "top": max(top, 1),
            "place": place_name(state, c.group_id),
        }
        for c in shown[:limit]
    ]


def _moved(state: SessionState, me: Participant) -> dict[str, Any] | None:
    """In a café round: where I sat last round and where I sit now, so my phone can
    say "go to Table 3" (or "stay: you host Table 1")."""
    phase = state.open_phase()
    group = state.groups.get(me.group_id or "")
    if phase is None or phase.grouping != "tables" or group is None:
        return None
    before = state.table_rounds[-1].get(me.id) if state.table_rounds else None
    was = state.groups.get(before or "") or state.closed_groups.get(before or "")
    return {
        "to": group.name,
        "from": was.name if was is not None and was.id != group.id else None,
        "hosting": me.role == "table_host",
    }
