"""Drive the pure domain core in tests: build a session, then decide and fold commands.

A test states only the people and commands it is about. ``run`` decides a command and,
when it is accepted, folds its events the way the server would (next sequence number,
the same ``now`` as the decision), optionally recording them in a log for replay.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import msgspec

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.fold import apply
from hostkit.domain.formats import session_created
from hostkit.domain.model import Role, SessionState, Where
from hostkit.domain.rejections import Rejection
from hostkit.domain.rules import decide

T0 = 1_000.0  # when the test session is created

VENUE = "venue-1"  # "Village hall"
LIBRARY = "venue-2"
ONLINE = "online"

# Groups of the standard session: two tables in the hall (one hybrid), one in the
# library, one online room.
STANDARD_GROUPS = (
    ev.GroupSpec("t1", "Table 1", VENUE, remote_seats=True),
    ev.GroupSpec("t2", "Table 2", VENUE),
    ev.GroupSpec("t3", "Library table", LIBRARY),
    ev.GroupSpec("o1", "Online room", ONLINE, call_url="https://call.example/o1"),
)


@dataclass(frozen=True, slots=True)
class Logged:
    """One stored event: what ``apply`` needs to fold it again."""

    event: ev.AnyEvent
    seq: int
    at: float
    actor: str | None = None
    command_id: str | None = None


def person(
    participant_id: str,
    *,
    role: Role = "participant",
    where: Where = "room",
    group: str | None = None,
    cell: str | None = None,
    name: str | None = "",
) -> cmd.Join:
    """A Join for someone; the name defaults to the capitalised id, None is anonymous."""
    return cmd.Join(
        participant_id=participant_id,
        nonce=f"nonce-{participant_id}",
        name=participant_id.capitalize() if name == "" else name,
        where=where,
        role=role,
        cell_id=cell,
        group_id=group,
    )


def session(
    *people: cmd.Join,
    format_id: str = "world-cafe",
    venues: tuple[str, ...] = ("Village hall", "Library"),
    groups: tuple[ev.GroupSpec, ...] = STANDARD_GROUPS,
    log: list[Logged] | None = None,
) -> SessionState:
    """A session created from a format, with groups, and everyone in ``people`` joined."""
    created = session_created(
        title="Our high street", format_id=format_id, join_code="ABCD-1234", venues=venues
    )
    created = msgspec.structs.replace(created, groups=list(groups))
    state = SessionState(id="s1")
    fold(state, created, at=T0, log=log)
    for join in people:
        result = run(state, None, join, now=T0, log=log)
        assert not isinstance(result, Rejection), result
    return state


def fold(
    state: SessionState,
    event: ev.AnyEvent,
    *,
    at: float,
    actor: str | None = None,
    command_id: str | None = None,
    log: list[Logged] | None = None,
) -> SessionState:
    """Store one event at the next sequence number, as the server would."""
    entry = Logged(event, state.last_seq + 1, at, actor, command_id)
    if log is not None:
        log.append(entry)
    return apply(state, event, seq=entry.seq, at=at, actor=actor, command_id=command_id)


def run(
    state: SessionState,
    actor_id: str | None,
    command: cmd.AnyCommand,
    now: float = T0,
    *,
    command_id: str | None = None,
    log: list[Logged] | None = None,
) -> list[ev.AnyEvent] | Rejection:
    """Decide ``command`` as ``actor_id`` at ``now``; fold the events if it is accepted.

    Checks on the way that deciding never changes the state, so every test that runs a
    command (accepted or refused) also checks that the rules are pure.
    """
    actor = state.participants.get(actor_id) if actor_id is not None else None
    before = copy.deepcopy(state)
    decision = decide(state, actor, command, now=now)
    assert state == before, "decide changed the state"
    if isinstance(decision, Rejection):
        return decision
    for event in decision:
        fold(state, event, at=now, actor=actor_id, command_id=command_id, log=log)
    return decision


def ok(result: list[ev.AnyEvent] | Rejection) -> list[ev.AnyEvent]:
    """The events of an accepted command; fails the test with the rejection otherwise."""
    assert not isinstance(result, Rejection), result
    return result


def code(result: list[ev.AnyEvent] | Rejection) -> str:
    """The rejection code of a refused command; fails the test if it was accepted."""
    assert isinstance(result, Rejection), f"expected a rejection, got {result}"
    return result.code


def replay(log: list[Logged], state: SessionState | None = None) -> SessionState:
    """Fold a log into a fresh state (or onto a stale one)."""
    state = state if state is not None else SessionState(id="s1")
    for entry in log:
        apply(
            state,
            entry.event,
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor,
            command_id=entry.command_id,
        )
    return state
