"""Where the web and export assets live: beside the package, or inside it when installed."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """``web`` or ``exports``: the top-level folder in a checkout, else the wheel's copy."""
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_assets" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"hostkit's {name}/ folder is missing from this installation")
