"""The README's one ``apt-get install`` line is what a fresh machine needs: CI (``.ci/run``)
installs exactly its packages, no more, so a test passing in CI passes on a machine set
up from the README alone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_packages() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    (line,) = re.findall(r"^sudo apt-get install -y (.+)$", text, flags=re.MULTILINE)
    return set(line.split())


def ci_packages() -> set[str]:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    needed = set(re.findall(r"need\+=\(([\w.+-]+)\)", script))
    named = re.findall(r"apt-get install -y -qq ([\w.+ -]+)$", script, flags=re.MULTILINE)
    return needed | {p for line in named for p in line.split()}


def test_the_readme_names_every_system_package_ci_installs_and_no_other() -> None:
    assert len(ci_packages()) > 8
    assert readme_packages() == ci_packages()
