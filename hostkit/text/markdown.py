"""Markdown in contributions, rendered to HTML that is safe to show anywhere.

Rendering is done by ``markdown`` and cleaning by ``nh3`` (an allow-list sanitiser):
raw HTML, scripts, event handlers and non-http(s)/mailto links never survive.
"""

from __future__ import annotations

import markdown as md
import nh3

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
}
ATTRIBUTES = {"a": {"href", "title"}}
SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Safe HTML for a contribution's Markdown text."""
    html = md.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow ugc",
    )
