"""A storage failure gets one answer on every path, made in one place."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hostkit.live.hub import storage_failed

SERVER = Path(__file__).resolve().parent.parent / "hostkit" / "server"


def test_a_storage_failure_is_refused_as_not_recorded_and_safe_to_send_again() -> None:
    answer = storage_failed()
    assert answer.code == "storage_failed"
    assert "not recorded" in answer.message
    assert storage_failed() == answer  # the same words every time


def answered_by_hand(source: str) -> list[int]:
    """Lines where a source answers StorageFailed without storage_failed(), or builds a
    refusal with its code itself."""
    tree = ast.parse(source)
    found = []
    for handler in (n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)):
        if isinstance(handler.type, ast.Name) and handler.type.id == "StorageFailed":
            calls = {
                n.func.id
                for n in ast.walk(handler)
                if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
            }
            if "storage_failed" not in calls:
                found.append(handler.lineno)
    for n in ast.walk(tree):
        if (
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id in ("Rejection", "reject")
            and n.args
            and isinstance(n.args[0], ast.Constant)
            and n.args[0].value == "storage_failed"
        ):
            found.append(n.lineno)
    return found


@pytest.mark.parametrize("path", sorted(SERVER.glob("*.py")), ids=lambda p: p.name)
def test_every_adapter_answers_a_storage_failure_with_the_one_answer(path: Path) -> None:
    assert answered_by_hand(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_an_answer_written_by_hand() -> None:
    source = (
        "try:\n    pass\nexcept StorageFailed:\n    outcome = 'Could not save.'\n"
        "refused = Rejection('storage_failed', 'Try again.')\n"
        "try:\n    pass\nexcept StorageFailed:\n    outcome = storage_failed()\n"
    )
    assert answered_by_hand(source) == [3, 5]
