"""Valid shared-mechanics commands for the role matrix, and their steps in the busy log.

Like tests/format_helpers.py: each builder prepares the stage of tests/test_roles.py
('me' and 'other' at the hybrid table t1, round one open) and returns a command valid
for 'me' whatever their role, so a refusal can only come from the role.
"""

from __future__ import annotations

from collections.abc import Callable

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.model import SessionState
from tests.domain_helpers import T0, fold


def _approve_a_waiting_note(state: SessionState) -> cmd.AnyCommand:
    fold(state, ev.ModerationSet(True, by="host"), at=T0)
    fold(
        state,
        ev.ContributionPosted("waiting", "note", "Hm", "other", "t1", "p2", pending=True),
        at=T0,
    )
    return cmd.ApproveContribution("waiting")


MECHANICS_VALID: dict[str, Callable[[SessionState], cmd.AnyCommand]] = {
    "set_moderation": lambda _: cmd.SetModeration(True),
    "approve_contribution": _approve_a_waiting_note,
    "merge_groups": lambda _: cmd.MergeGroups("t2", "t1"),
    "split_group": lambda _: cmd.SplitGroup("t1", 2),
}


def busy_mechanics_steps(go: Callable[[str, cmd.AnyCommand], list[ev.AnyEvent]]) -> None:
    """Every shared-mechanics event, for the busy log of tests/test_fold.py (a phase open)."""
    go("host", cmd.SetModeration(True))
    (held,) = go("gus", cmd.PostContribution("question", "Who decides?"))
    assert isinstance(held, ev.ContributionPosted) and held.pending
    go("host", cmd.ApproveContribution(held.contribution_id))
    go("gus", cmd.PostContribution("question", "And when?"))
    go("host", cmd.SetModeration(False))  # lets the second through
    (created,) = go("host", cmd.CreateGroup("Online 2", "online"))
    assert isinstance(created, ev.GroupCreated)
    go("host", cmd.MergeGroups(created.group.id, "o1"))
