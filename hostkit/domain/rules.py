"""Decide: ``decide(state, actor, command, now) -> events | Rejection``.

The rules read the state and the command and never change either. Ids of new things
are derived from the sequence number they will be stored at, so deciding needs no
randomness; ids that must be unguessable (participants, nonces) arrive in the command.

Each concern's module lists its own handlers; ``HANDLERS`` joins them into one table,
and ``roles.PERMISSIONS`` says who may issue each command at all before its handler
narrows further. ``tests/test_rules.py`` checks every command has exactly one of each.
"""

from __future__ import annotations

from types import ModuleType

from hostkit.domain import commands as cmd
from hostkit.domain import (
    contribution_rules,
    digest_rules,
    format_rules,
    group_rules,
    hand_rules,
    moderation_rules,
    people_rules,
    phase_rules,
    relaying,
    report_rules,
    session_rules,
    table_rules,
    timer_rules,
    vote_rules,
)
from hostkit.domain.commands import command_type
from hostkit.domain.dispatch import Handlers, join_tables, unknown_command
from hostkit.domain.guards import NOT_ALLOWED, Decision
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.rejections import reject
from hostkit.domain.roles import may

# one module per concern, each listing the commands it owns in its HANDLERS
CONCERNS: tuple[ModuleType, ...] = (
    people_rules,
    contribution_rules,
    vote_rules,
    hand_rules,
    phase_rules,
    timer_rules,
    digest_rules,
    session_rules,
    group_rules,
    table_rules,
    format_rules,
    moderation_rules,
    report_rules,
    relaying,
)
HANDLERS: Handlers = join_tables(*(concern.HANDLERS for concern in CONCERNS))


def decide(
    state: SessionState, actor: Participant | None, command: cmd.AnyCommand, *, now: float
) -> Decision:
    """The events a command yields, or why it is refused."""
    kind = command_type(command)
    if may("newcomer", kind):  # joining, responding to a digest: nobody to check yet
        return HANDLERS[kind](state, None, command, now)
    if actor is None or actor.id not in state.participants:
        return reject("unknown_participant", "You are not part of this session.")
    if actor.removed:
        return reject("removed", "The host has removed you from this session.")
    if not may(actor.role, kind):
        return reject("not_allowed", NOT_ALLOWED)
    handler = HANDLERS.get(kind)
    return unknown_command() if handler is None else handler(state, actor, command, now)
