"""Who may do what: the single place that decides what each role may ask for.

The matrix names the roles that may issue a command at all, for every command there is
(``tests/test_dispatch.py`` checks each has one entry and one handler); the rule modules
then narrow cell hosts to their own cell and table hosts to their own group. A
*newcomer* is someone not (yet) a participant: the join form and a published digest's
response form issue commands for them.
"""

from __future__ import annotations

from typing import Literal

from hostkit.domain.model import Role

Caller = Role | Literal["newcomer"]

_SPEAKERS: frozenset[Caller] = frozenset({"host", "cell_host", "table_host", "participant"})
# a hall laptop (relay) hosts its venue as its cell host may; it never speaks itself
_HOSTS: frozenset[Caller] = frozenset({"host", "cell_host", "relay"})
_LEAD: frozenset[Caller] = frozenset({"host"})
_NEWCOMER: frozenset[Caller] = frozenset({"newcomer"})

PERMISSIONS: dict[str, frozenset[Caller]] = {
    # issued by the server: the join form, and a published digest's response form
    "join": _NEWCOMER,
    "respond_to_digest": _NEWCOMER,
    # issued by the server for the lead host's forms, as it chooses their secrets
    "rotate_token": _LEAD,
    "publish_digest": _LEAD,
    "post_contribution": _SPEAKERS,
    "withdraw_contribution": _SPEAKERS,
    "withdraw_all": _SPEAKERS,
    "hide_contribution": _HOSTS | {"table_host"},
    "cast_vote": _SPEAKERS,
    "set_dots": _LEAD,
    "react": _SPEAKERS,
    "raise_hand": _SPEAKERS,
    "lower_hand": _SPEAKERS,  # someone else's hand: see rules (hosts and their table host)
    "open_phase": _LEAD,
    "close_phase": _LEAD,
    "set_phase_attribution": _LEAD,
    "revoke_digest": _LEAD,
    "set_response_window": _LEAD,
    "set_retention": _LEAD,
    "set_language": _LEAD,
    "set_projector": _HOSTS,
    # the session's timer is the lead host's; a venue's own (cell_id) its hosts': timer_rules
    "start_timer": _HOSTS,
    "pause_timer": _HOSTS,
    "extend_timer": _HOSTS,
    "stop_timer": _HOSTS,
    "move_participant": _HOSTS,
    "choose_group": _SPEAKERS,
    "announce": _HOSTS,
    "end_announcement": _HOSTS,  # a cell host: their own venue's (see session_rules)
    "create_group": _HOSTS,
    "rename_group": _HOSTS,
    "set_role": _LEAD,
    "remove_participant": _LEAD,
    "mute_participant": _HOSTS,
    # hosting formats
    "propose_seating": _LEAD,
    "start_hall_round": _HOSTS,  # their own venue's tables: see table_rules
    "adjust_seating": _LEAD,
    "apply_seating": _LEAD,
    "form_groups": _LEAD,
    "set_speaking_order": _HOSTS | {"table_host"},  # their own group: see format_rules
    "pass_talking_piece": _SPEAKERS,  # the holder; hosts of the group for someone else
    "mark_answered": _HOSTS | {"table_host"},
    "add_phase": _LEAD,
    "edit_phase": _LEAD,
    "remove_phase": _LEAD,
    "move_phase": _LEAD,
    "set_call_url": _HOSTS | {"table_host"},
    "call_host": _SPEAKERS,
    "resolve_call": _HOSTS,
    "place_topic": _HOSTS,
    "place_topics": _HOSTS,
    "set_hat": _HOSTS,
    "move_hand": _HOSTS | {"table_host"},
    "sort_hands": _HOSTS | {"table_host"},
    # shared mechanics: pre-moderation (the switch is the lead host's), groups merged and split
    "set_moderation": _LEAD,
    "approve_contribution": _HOSTS,  # contributions of their own venue: see moderation_rules
    "merge_groups": _HOSTS,  # both groups in their own venue: see group_rules
    "split_group": _HOSTS,
    # Open Space reports (the group's people and its hosts: see report_rules) and next steps
    "submit_report": _SPEAKERS,
    "record_action": _SPEAKERS,
    # a hall laptop joins the phones of its venue (see relaying)
    "join_hall": frozenset({"relay"}),
}


def may(caller: Caller, command_type: str) -> bool:
    return caller in PERMISSIONS.get(command_type, frozenset())
