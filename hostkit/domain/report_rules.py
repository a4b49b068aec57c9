"""Decide Open Space reports and next steps (actions).

A topic group writes one report in the practice's fields (convener, topic, participants,
summary, recommendations, resources, requests). Anyone who has been in the group may
save it, as may its hosts; each save is a new version, the latest wins and every
version stays in the log. People are named by id, so each export shows them per its
own attribution mode. A next step is a contribution of kind "action" with an owner (a
participant, or written in) and an optional date; the phases whose ``allows`` name
"action" take them (Pro Action Café's last round and next steps, Appreciative
Inquiry's destiny, Open Space's convergence...).
"""

from __future__ import annotations

import datetime

import msgspec

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import posting
from hostkit.domain.commands import MAX_TEXT, MAX_TITLE
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import MUTED, Decision, governs_group
from hostkit.domain.model import Participant, Phase, SessionState
from hostkit.domain.rejections import Rejection, reject

MAX_OWNER = 120
REPORT_FIELDS = ("summary", "recommendations", "resources", "requests")
_FIELD_NAMES = {
    "summary": "The summary",
    "recommendations": "The recommendations",
    "resources": "The resources",
    "requests": "The requests",
}


def report_phase(state: SessionState) -> Phase | None:
    """The topic session a report saved now belongs to: the open one, else the latest begun.

    A report finished during convergence still reports on the topic sessions, and their
    privacy (not convergence's) governs it.
    """
    now = state.open_phase()
    if now is not None and now.grouping == "topics":
        return now
    begun = [p for p in state.phases if p.grouping == "topics" and p.status != "pending"]
    return begun[-1] if begun else None


def visitors(state: SessionState, group_id: str) -> list[str]:
    """Everyone who has been in a topic group (the law of two feet: some have moved on)."""
    people = state.participants
    return [p for p in state.visits.get(group_id, []) if p in people and not people[p].screen]


def may_write(state: SessionState, actor: Participant, group_id: str) -> bool:
    """The group's people (convener and scribe among them) and the hosts of its place."""
    if actor.role == "observer":
        return False
    return actor.id in state.visits.get(group_id, []) or governs_group(state, actor, group_id)


def _person(state: SessionState, participant_id: str) -> Rejection | None:
    found = state.participants.get(participant_id)
    if found is None or found.screen:
        return reject("unknown_participant", "There is no such participant.")
    return None


def _ids(ids: list[str] | str) -> list[str]:
    words = ids.split(",") if isinstance(ids, str) else ids
    return list(dict.fromkeys(w.strip() for w in words if w.strip()))


def submit(state: SessionState, actor: Participant, c: cmd.SubmitReport, now: float) -> Decision:
    """Save a new version of a topic group's report."""
    if actor.muted:
        return reject("muted", MUTED)
    group = state.groups.get(c.group_id)
    if group is None:
        return reject("unknown_group", "There is no such table or group.")
    if group.topic_id is None:
        return reject("not_a_topic", "Only Open Space topic groups write reports.")
    if not may_write(state, actor, group.id):
        return reject(
            "not_allowed",
            "Only the people of this topic group, and its hosts, can write its report.",
        )
    phase = report_phase(state)
    if phase is None:
        return reject("no_topic_session", "Reports are written once the topic sessions begin.")
    if state.open_phase() is None and not governs_group(state, actor, group.id):
        return reject("phase_closed", "The session has ended: ask a host to change the report.")
    previous = state.reports.get(group.id)
    current = previous.version if previous is not None else 0
    if c.base_version is not None and c.base_version != current:
        return reject(
            "report_changed",
            "Someone saved this report since you opened it: reload to see their version, "
            "then add yours.",
        )
    texts = {name: getattr(c, name) for name in REPORT_FIELDS}
    for name, text in texts.items():
        if len(text) > MAX_TEXT:
            what = _FIELD_NAMES[name]
            return reject("text_too_long", f"{what} is longer than {MAX_TEXT:,} characters.")
    if not any(t.strip() for t in texts.values()):
        return reject("report_empty", "Write at least a summary.")
    proposed = state.contributions.get(group.topic_id)
    live_topic = proposed if proposed and not proposed.withdrawn and not proposed.hidden else None
    topic = (c.topic or "").strip()
    if len(topic) > MAX_TITLE:
        return reject("text_too_long", f"The topic is longer than {MAX_TITLE} characters.")
    if not topic:
        topic = previous.topic if previous else group.name
    convener = c.convener_id
    if convener is not None and (problem := _person(state, convener)) is not None:
        return problem
    if convener is None:
        convener = (
            previous.convener_id if previous else live_topic.author_id if live_topic else None
        )
    if c.participant_ids is not None:
        people = _ids(c.participant_ids)
        for person in people:
            if (problem := _person(state, person)) is not None:
                return problem
    else:
        people = list(previous.participant_ids) if previous else visitors(state, group.id)
    return [
        ev.ReportSubmitted(
            group_id=group.id,
            phase_id=phase.id,
            topic_id=group.topic_id,
            convener_id=convener,
            topic=topic,
            participant_ids=people,
            author_id=actor.id,
            # a confidential topic session is for the live moment only, as its notes are
            off_record=c.off_record or phase.attribution == "confidential",
            **texts,
        )
    ]


def record(state: SessionState, actor: Participant, c: cmd.RecordAction, now: float) -> Decision:
    """A next step with its owner, posted as a contribution of kind "action"."""
    if actor.muted:
        return reject("muted", MUTED)
    phase = state.open_phase()
    if phase is not None and "action" not in phase.allows:
        return reject("kind_not_allowed", "This phase does not take next steps.")
    owner = (c.owner or "").strip() or None
    if owner is not None and len(owner) > MAX_OWNER:
        return reject("text_too_long", f"The owner is longer than {MAX_OWNER} characters.")
    if c.owner_id is not None:
        if owner is not None:
            return reject("owner_twice", "Choose a person or write who owns it, not both.")
        found = state.participants.get(c.owner_id)
        if found is None or found.screen or found.removed:
            return reject("unknown_participant", "There is no such participant.")
    if c.due is not None:
        try:
            datetime.date.fromisoformat(c.due)
        except ValueError:
            return reject("invalid_value", "Write the date as year-month-day, e.g. 2026-12-31.")
        if len(c.due) != 10:
            return reject("invalid_value", "Write the date as year-month-day, e.g. 2026-12-31.")
    posted = posting.post(
        state, actor, cmd.PostContribution("action", c.text, c.group_id, c.off_record)
    )
    if isinstance(posted, Rejection):
        return posted
    return [
        msgspec.structs.replace(e, owner_id=c.owner_id, owner=owner, due=c.due)
        if isinstance(e, ev.ContributionPosted)
        else e
        for e in posted
    ]


HANDLERS: Handlers = handler_table(
    by_participant(cmd.SubmitReport, submit),
    by_participant(cmd.RecordAction, record),
)
