"""The command table's parts: what a handler is, and how a rule module lists its own.

Each rule module exports ``HANDLERS`` (command type -> handler) built with these two
helpers; ``rules`` joins the tables and checks the caller against ``roles.PERMISSIONS``
before calling one, so a handler only narrows (a host's own venue, a table host's own
group). The helpers keep each handler's own command type: the table maps plain strings,
but a handler is never called with a command of another type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from hostkit.domain import commands as cmd
from hostkit.domain.guards import Decision
from hostkit.domain.model import Participant, SessionState
from hostkit.domain.rejections import Rejection, reject

Handler = Callable[[SessionState, Participant | None, cmd.AnyCommand, float], Decision]
Handlers = Mapping[str, Handler]

C = TypeVar("C", bound=cmd.Command)


def unknown_command() -> Rejection:
    return reject("unknown_command", "hostkit does not know that command.")


def tag(kind: type[cmd.Command]) -> str:
    """The command type a client writes for ``kind`` (its msgspec tag)."""
    return str(kind.__struct_config__.tag)


def by_participant(
    kind: type[C], decide: Callable[[SessionState, Participant, C, float], Decision]
) -> tuple[str, Handler]:
    """A table entry for a command a participant issues (their role is checked first)."""

    def handle(
        state: SessionState, actor: Participant | None, command: cmd.AnyCommand, now: float
    ) -> Decision:
        if not isinstance(command, kind):  # the type's tag, but not a command hostkit knows
            return unknown_command()
        assert actor is not None  # rules.decide names a participant for these
        return decide(state, actor, command, now)

    return tag(kind), handle


def by_newcomer(
    kind: type[C], decide: Callable[[SessionState, C, float], Decision]
) -> tuple[str, Handler]:
    """A table entry for a command issued for someone not (yet) a participant."""

    def handle(
        state: SessionState, actor: Participant | None, command: cmd.AnyCommand, now: float
    ) -> Decision:
        if not isinstance(command, kind):
            return unknown_command()
        return decide(state, command, now)

    return tag(kind), handle


def handler_table(*entries: tuple[str, Handler]) -> dict[str, Handler]:
    """A module's handlers; a command listed twice is a mistake caught at import."""
    found: dict[str, Handler] = {}
    for kind, handler in entries:
        if kind in found:
            raise ValueError(f"{kind} has two handlers")
        found[kind] = handler
    return found


def join_tables(*tables: Handlers) -> dict[str, Handler]:
    """The rule modules' tables as one; a command two modules both handle is refused."""
    return handler_table(*(entry for handlers in tables for entry in handlers.items()))
