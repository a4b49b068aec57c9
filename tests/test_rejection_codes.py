"""The rejection codes are one typed list, and docs/protocol.md §10 documents exactly it."""

from __future__ import annotations

import re
from pathlib import Path

from hostkit.domain.rejections import CODES

PROTOCOL = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"


def documented_codes() -> set[str]:
    text = PROTOCOL.read_text(encoding="utf-8")
    section = text.split("## 10. Rejection codes", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {code for row in rows for code in re.findall(r"`([a-z_]+)`", row.split("|")[1])}


def test_every_code_is_documented() -> None:
    assert CODES - documented_codes() == set()


def test_every_documented_code_is_in_the_list() -> None:
    assert documented_codes() - CODES == set()
