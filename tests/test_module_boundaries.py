"""No module reaches into another's private names.

A leading underscore says "mine": when a second module needs a helper, the helper gets
a public name in a module of its own (as the rule guards did in hostkit/domain/guards.py)
instead of being borrowed.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = [ROOT / "hostkit", ROOT / "bench"]


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def borrowed_names(source: str) -> list[str]:
    """Private names this source imports from, or reads off, another hostkit module."""
    tree = ast.parse(source)
    modules: set[str] = set()  # local names bound to hostkit modules
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("hostkit"):
            for alias in node.names:
                if private(alias.name):
                    found.append(f"{node.module}.{alias.name} (line {node.lineno})")
                modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("hostkit"):
                    modules.add((alias.asname or alias.name).split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and private(node.attr)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    return found


SOURCES = sorted(p for package in PACKAGES for p in package.rglob("*.py"))
# Parsed as the tests are collected: CPython 3.11's ast.parse can fail with "AST constructor
# recursion depth mismatch" when called deep inside a long test session.
BORROWED = {p: borrowed_names(p.read_text(encoding="utf-8")) for p in SOURCES}
SAMPLE = borrowed_names(
    "from hostkit.domain import rules\n"
    "from hostkit.domain.rules import _join\n"
    "rules._contribution_target\n"
)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_uses_another_modules_private_names(path: Path) -> None:
    assert BORROWED[path] == []


def test_the_check_finds_a_borrowed_private_name() -> None:
    assert len(SAMPLE) == 2
