"""Markdown in contributions, rendered to HTML that is safe to show anywhere.

People write on phones and paste from emails and forums, so hostkit reads one small
subset everywhere it renders their words: paragraphs, line breaks (a single newline
breaks the line), lists, emphasis and links. Everything else stays the text it was:
indentation never makes a code block (replies indent their paragraphs), ``#`` never makes
a heading, backticks and images are literal, and raw HTML is shown as typed, never run
(escaping loses no words; stripping tags would eat "x<y and the rest"). ``nh3`` (an
allow-list sanitiser) cleans the result as well: no scripts, no event handlers, only
http(s) and mailto links.
"""

from __future__ import annotations

import functools
import re
import threading

import markdown as md
import nh3
from markdown.extensions import Extension
from markupsafe import Markup

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
ATTRIBUTES = {"a": {"href", "title"}}
SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow ugc"

_BLOCKS_OFF = ("code", "hashheader", "setextheader", "hr", "quote", "reference")
_INLINE_OFF = (
    "backtick",
    "reference",
    "image_link",
    "image_reference",
    "short_reference",
    "short_image_ref",
    "html",
)


class _Subset(Extension):
    """Switches off every Markdown feature outside hostkit's subset."""

    def extendMarkdown(self, md: md.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        for name in _BLOCKS_OFF:
            md.parser.blockprocessors.deregister(name)
        for name in _INLINE_OFF:
            md.inlinePatterns.deregister(name)


_LIST_ITEM = re.compile(r"([-*+]|\d{1,9}[.)])[ \t]")


def _as_typed(text: str) -> str:
    """What people mean, before Markdown reads it: indentation is only indentation (every
    line's leading spaces go, so an indented paragraph or list is an ordinary one), and a
    list may start on the line after a sentence, as on a phone, without a blank line."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.lstrip(" \t")
        if _LIST_ITEM.match(line) and lines and lines[-1] and not _LIST_ITEM.match(lines[-1]):
            lines.append("")
        lines.append(line)
    return "\n".join(lines)


class _Parsers(threading.local):
    """One configured parser per thread, reset between texts: building one (its
    registries and patterns) cost more than the rendering (0.15 of 0.33 ms per note), and a
    parser is not safe to share between threads (exports render on worker threads)."""

    def __init__(self) -> None:
        self.parser = md.Markdown(extensions=[_Subset(), "sane_lists", "nl2br"])


_parsers = _Parsers()


@functools.lru_cache(maxsize=4096)
def render_markdown(text: str) -> str:
    """Safe HTML for a contribution's Markdown text. Cached: a live note is rendered for
    its event and for every page that lists it, always to the same HTML; the texts
    themselves are in memory anyway, in the sessions' state."""
    html = _parsers.parser.reset().convert(_as_typed(text))
    cleaned = nh3.clean(
        html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel=LINK_REL
    )
    # nh3 keeps the rel of a link whose unsafe href it removed; rel without href is
    # invalid HTML, so such a link becomes a plain placeholder <a> (valid, not a link)
    return cleaned.replace(f'<a rel="{LINK_REL}">', "<a>")


def markup(text: str) -> Markup:
    """``render_markdown`` for a Jinja template (the live pages' ``markdown`` filter)."""
    return Markup(render_markdown(text))  # noqa: S704 - cleaned by nh3's allow-list
