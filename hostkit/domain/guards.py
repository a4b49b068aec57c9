"""Guards every rule module shares: text limits, names, and who governs what.

They live here, below all the rule modules, so that ``rules`` and the format, group,
moderation and report rules form a tree: each imports guards, none reaches back into
another's private helpers.
"""

from __future__ import annotations

from hostkit.domain import events as ev
from hostkit.domain.commands import MAX_NAME, MAX_TEXT
from hostkit.domain.model import CELL_BOUND, Participant, SessionState
from hostkit.domain.rejections import Rejection, reject

Decision = list[ev.AnyEvent] | Rejection  # what every rule returns

NOT_ALLOWED = "Your role does not allow this."
NO_GROUP = "There is no such table or group."
MUTED = "The host has paused your contributions."


def text_problem(text: str, *, limit: int = MAX_TEXT, what: str = "Text") -> Rejection | None:
    """Why a text cannot be taken (empty, or too long), or None."""
    if not text.strip():
        return reject("text_empty", f"{what} is empty.")
    if len(text) > limit:
        return reject("text_too_long", f"{what} is longer than {limit:,} characters.")
    return None


def name_problem(name: str | None) -> Rejection | None:
    """Why a display name cannot be taken, or None (None itself: anonymous, fine)."""
    if name is None:
        return None
    if not name.strip():
        return reject("name_empty", "Give a name or choose to stay anonymous.")
    if len(name) > MAX_NAME:
        return reject("name_too_long", f"Names are at most {MAX_NAME} characters.")
    return None


def governs_group(state: SessionState, actor: Participant, group_id: str | None) -> bool:
    """Whether the actor hosts the place a group (or the plenary) belongs to."""
    if actor.role == "host":
        return True
    if group_id is None:
        return False
    group = state.groups.get(group_id)
    if group is None:
        return False
    if actor.role in CELL_BOUND:
        return group.cell_id == actor.cell_id
    return actor.role == "table_host" and actor.group_id == group_id


def governs_participant(state: SessionState, actor: Participant, other: Participant) -> bool:
    """Whether the actor may manage another person (their venue's cell host, or the host)."""
    if actor.role == "host":
        return True
    # never the lead host, who could not undo it: nobody may unmute themselves
    return (
        actor.role in CELL_BOUND
        and other.cell_id == actor.cell_id
        and other.role not in ("host", "relay")
    )


def contribution_problem(state: SessionState, contribution_id: str) -> Rejection | None:
    """Refuse acting on a contribution that is not there (never was, withdrawn, hidden)."""
    found = state.contributions.get(contribution_id)
    if found is None or found.withdrawn or found.hidden:
        return reject("unknown_contribution", "That contribution is not there any more.")
    return None
