"""Rejections: why a command was refused, with a stable code and a human message.

``Code`` is the one list of codes a client may see. mypy refuses a code that is not in
it, and ``tests/test_rejection_codes.py`` fails when docs/protocol.md §10 and this list
disagree, so a code cannot be added, renamed or dropped without its documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

Code = Literal[
    # who may act
    "not_allowed",
    "unknown_participant",
    "removed",
    "muted",
    # the server, not the rules
    "rate_limited",
    "storage_failed",
    "unknown_session",
    "unknown_command",
    # text and values
    "text_empty",
    "text_too_long",
    "name_empty",
    "name_too_long",
    "invalid_value",
    "invalid_url",
    "unknown_language",
    # phases and contributions
    "phase_closed",
    "phase_open",
    "phase_already_open",
    "phase_has_harvest",
    "kind_not_allowed",
    "description_required",
    "photo_missing",
    "unknown_photo",
    # things named that are not there
    "unknown_group",
    "unknown_cell",
    "unknown_phase",
    "unknown_contribution",
    "unknown_question",
    "unknown_topic",
    "unknown_call",
    "unknown_link",
    "unknown_announcement",
    # withdrawing, hands, places, timers
    "not_author",
    "nothing_to_withdraw",
    "hand_already_raised",
    "hand_not_raised",
    "already_there",
    "timer_running",
    "timer_not_running",
    "already_joined",
    # seating, grouping, speaking orders
    "group_full",
    "too_few_people",
    "no_tables",
    "no_seating",
    "order_incomplete",
    "slot_taken",
    "out_of_reach",
    "no_talking_piece",
    "not_holder",
    "already_calling",
    # privacy
    "less_private",
    "consent_locked",
    # digests, moderation, reports, groups
    "responses_closed",
    "not_pending",
    "awaiting_approval",
    "not_a_topic",
    "no_topic_session",
    "report_empty",
    "report_changed",
    "owner_twice",
    "same_group",
    "not_in_group",
    # dot voting
    "no_dots_left",
    # a hall laptop's late words (relaying)
    "written_in_future",
    "written_before_phase",
]

CODES: Final[frozenset[str]] = frozenset(get_args(Code))


@dataclass(frozen=True, slots=True)
class Rejection:
    code: Code
    message: str


def reject(code: Code, message: str) -> Rejection:
    return Rejection(code, message)
