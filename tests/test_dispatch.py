"""The command table: every command has exactly one handler and one entry in the matrix.

Each concern's rule module lists its own handlers; ``rules`` joins them, and
``roles.PERMISSIONS`` names who may issue each. No command is special-cased anywhere else.
"""

from __future__ import annotations

import ast
import inspect
import typing
from collections import Counter
from pathlib import Path

import pytest

from hostkit.domain import commands as cmd
from hostkit.domain import roles, rules
from hostkit.domain.dispatch import by_participant, handler_table, join_tables, tag
from hostkit.domain.guards import Decision
from hostkit.domain.model import Participant, SessionState
from tests.domain_helpers import T0, code, ok, person, run, session

EVERY_COMMAND = sorted(tag(c) for c in typing.get_args(cmd.AnyCommand))
PROTOCOL = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"


def handled_by() -> Counter[str]:
    """How many concern modules list each command type."""
    return Counter(kind for concern in rules.CONCERNS for kind in concern.HANDLERS)


def permission_keys() -> list[str]:
    """The keys of the PERMISSIONS literal as written (a dict would hide a repeated one)."""
    tree = ast.parse(inspect.getsource(roles))
    (table,) = (
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "PERMISSIONS"
    )
    assert isinstance(table, ast.Dict)
    return [str(k.value) for k in table.keys if isinstance(k, ast.Constant)]


def documented_commands() -> set[str]:
    """The command types of docs/protocol.md §7's table."""
    section = PROTOCOL.read_text(encoding="utf-8").split("## 7. Commands", 1)[1]
    section = section.split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {row.split("`")[1] for row in rows[1:]}  # the first is the header


@pytest.mark.parametrize("kind", EVERY_COMMAND)
def test_every_command_has_exactly_one_handler(kind: str) -> None:
    assert handled_by()[kind] == 1
    assert kind in rules.HANDLERS


@pytest.mark.parametrize("kind", EVERY_COMMAND)
def test_every_command_has_exactly_one_entry_in_the_matrix(kind: str) -> None:
    assert permission_keys().count(kind) == 1


def test_nothing_is_handled_or_permitted_that_is_not_a_command() -> None:
    assert set(handled_by()) == set(EVERY_COMMAND)
    assert set(rules.HANDLERS) == set(EVERY_COMMAND)
    assert sorted(permission_keys()) == EVERY_COMMAND


def test_every_documented_command_is_one_the_table_handles() -> None:
    documented = documented_commands()
    assert documented, "found no commands in docs/protocol.md §7"
    assert documented <= set(rules.HANDLERS)


def test_deciding_names_no_command_type_itself() -> None:
    """Who may issue what is the matrix's alone: rules.decide special-cases no command."""
    tree = ast.parse(inspect.getsource(rules))
    named = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    assert named & set(EVERY_COMMAND) == set()


def _noop(state: SessionState, actor: Participant, c: cmd.RaiseHand, now: float) -> Decision:
    return []


def test_a_command_listed_twice_is_refused_when_the_table_is_built() -> None:
    entry = by_participant(cmd.RaiseHand, _noop)
    with pytest.raises(ValueError, match="raise_hand has two handlers"):
        handler_table(entry, entry)
    with pytest.raises(ValueError, match="raise_hand has two handlers"):
        join_tables(handler_table(entry), handler_table(entry))


def test_a_newcomer_joins_without_being_a_participant_but_nobody_unknown_acts() -> None:
    state = session()
    assert ok(run(state, None, person("hal")))
    assert code(run(state, None, cmd.RaiseHand())) == "unknown_participant"


def test_a_participant_is_refused_a_command_of_the_lead_host_before_its_handler_runs() -> None:
    state = session(person("host", role="host"), person("ana"))
    refused = rules.decide(state, state.participants["ana"], cmd.RotateToken("host", "n"), now=T0)
    assert code(refused) == "not_allowed"
    assert state.participants["host"].nonce == "nonce-host"
