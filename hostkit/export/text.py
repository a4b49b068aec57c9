"""Plain text and Markdown: the digest to read aloud or paste into an email, and transcripts.

Plain text is inert, so contributions appear as written. Markdown is markup that other
tools render, so it is built from the sanitised HTML (``markdownify``) with every
Markdown and HTML character of people's text escaped: nothing typed becomes a link,
a tag or a heading in someone else's viewer.
"""

from __future__ import annotations

from markdownify import markdownify
from markupsafe import escape

from hostkit.export.harvest import Harvest
from hostkit.export.templates import environment
from hostkit.export.words import in_its_language


def _md_text(text: str) -> str:
    """Any text (a name, a title) as literal Markdown on one line."""
    return " ".join(str(markdownify(str(escape(text)), escape_misc=True)).split())


def _md_body(html: str) -> str:
    """A contribution's sanitised HTML as Markdown."""
    return str(markdownify(html, escape_misc=True, heading_style="ATX", bullets="-")).strip()


@in_its_language
def digest_text(harvest: Harvest) -> str:
    _, as_of_text = harvest.stamp(harvest.as_of)
    return environment().get_template("digest.txt.j2").render(h=harvest, as_of_text=as_of_text)


@in_its_language
def transcript_text(harvest: Harvest) -> str:
    return environment().get_template("transcript.txt.j2").render(h=harvest)


@in_its_language
def transcript_markdown(harvest: Harvest) -> str:
    template = environment().get_template("transcript.md.j2")
    return template.render(h=harvest, md=_md_text, body=_md_body)
