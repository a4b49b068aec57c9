"""The Jinja2 environments that read the templates in ``exports/``.

Kept apart from the renderers so an organisation's restyled ``exports/`` folder is read
the same way by every format.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import jinja2

from hostkit import i18n
from hostkit.assets import asset_dir


@functools.cache
def environment() -> jinja2.Environment:
    """``*.html.j2`` templates are autoescaped; ``*.txt.j2`` and ``*.md.j2`` are not."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(asset_dir("exports")),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    i18n.install(env)  # _() and ngettext() in the harvest's language (export/words.py)
    return env


def stylesheet(name: str) -> str:
    return (asset_dir("exports") / name).read_text(encoding="utf-8")


def stamp(at: float) -> tuple[str, str]:
    """(ISO 8601, human) for a time in UTC; exports use ``Harvest.stamp`` (local time)."""
    moment = datetime.fromtimestamp(at, UTC)
    return moment.isoformat(timespec="seconds"), moment.strftime("%-d %B %Y, %H:%M UTC")
