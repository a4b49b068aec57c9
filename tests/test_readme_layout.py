"""The README's layout table matches the tree: every top-level folder and every package of
hostkit has its row, every row names a folder that is there, and the row for hostkit
itself names each of its top-level modules."""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def layout(readme: str) -> dict[str, str]:
    """The layout table's folders (each ``path/`` in a row's first cell) -> that row."""
    section = readme.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    found: dict[str, str] = {}
    for row in rows:
        first = row.split("|")[1]
        for folder in re.findall(r"`([^`]+/)`", first):
            found[folder] = row
    return found


def ignored(name: str) -> bool:
    """Whether .gitignore leaves a root folder out of the tree (caches, data, builds)."""
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    patterns = [p.strip().strip("/") for p in lines if p.strip() and not p.startswith("#")]
    return name == ".git" or any(fnmatch.fnmatch(name, p) for p in patterns)


def tree() -> set[str]:
    """The folders the table must name: the root's folders and hostkit's packages (hidden
    ones are an editor's or a tool's, so the table may name them but need not)."""
    roots = {
        f"{d.name}/"
        for d in ROOT.iterdir()
        if d.is_dir() and not d.name.startswith(".") and not ignored(d.name)
    }
    packages = {f"hostkit/{d.parent.name}/" for d in (ROOT / "hostkit").glob("*/__init__.py")}
    return roots | packages


def test_every_folder_of_the_tree_has_a_row() -> None:
    assert tree() - set(layout(readme())) == set()


def test_every_row_names_a_folder_that_is_there() -> None:
    named = set(layout(readme()))
    assert {f for f in named if not (ROOT / f).is_dir() or ignored(f.split("/")[0])} == set()


def test_the_row_for_hostkit_names_each_of_its_top_level_modules() -> None:
    row = layout(readme())["hostkit/"]
    modules = {p.name for p in (ROOT / "hostkit").glob("*.py") if not p.name.startswith("_")}
    assert {m for m in modules if f"`{m}`" not in row} == set()


def test_the_check_sees_a_missing_and_a_stale_row() -> None:
    table = "# x\n\n## Layout\n\n| folder | what |\n|---|---|\n| `web/`, `gone/` | pages |\n"
    assert set(layout(table)) == {"web/", "gone/"}
    assert not (ROOT / "gone").exists() and "docs/" in tree() - set(layout(table))


def readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")
