"""Tagged PDF (PDF/UA-1) with WeasyPrint, from the same HTML as the digest.

WeasyPrint is imported on first use: it loads pango, which a server that never makes a
PDF (or a machine without pango) should not need just to start.

Emoji: a host's laptop rarely has an emoji font, and without one every 👍 is a missing
glyph. hostkit ships Noto Color Emoji (SIL Open Font License 1.1, from Debian's
fonts-noto-color-emoji; see fonts/NotoColorEmoji.copyright) and adds it, for emoji code
points only, after the digest's first font, so PDFs are the same on every machine. (The
HTML digests leave emoji to the reader's browser, which always has a font for them.)
"""

from __future__ import annotations

from pathlib import Path

from hostkit.export.harvest import Harvest
from hostkit.export.html import digest_html

EMOJI_FONT = Path(__file__).resolve().parent / "fonts" / "NotoColorEmoji.ttf"
_EMOJI = "U+200D, U+20E3, U+2190-2BFF, U+3030, U+303D, U+FE0F, U+1F000-1FAFF"
_FONTS = f"""
@font-face {{ font-family: "hostkit emoji"; src: url("{EMOJI_FONT.as_uri()}");
             unicode-range: {_EMOJI}; }}
body, svg text {{ font-family: "DejaVu Sans", "hostkit emoji", sans-serif; }}
"""


def digest_pdf(harvest: Harvest, *, large: bool = False) -> bytes:
    """The digest as a tagged PDF, with the document's language and title."""
    return pdf_from_html(digest_html(harvest, large=large))


def pdf_from_html(html: str) -> bytes:
    """A digest's HTML as a tagged PDF/UA-1 (a plain function of a string, so the zip of
    every format can lay out its two PDFs in other processes at once)."""
    import weasyprint  # type: ignore[import-untyped]  # ships no type information

    fonts = weasyprint.text.fonts.FontConfiguration()
    emoji = weasyprint.CSS(string=_FONTS, font_config=fonts)
    page = weasyprint.HTML(string=html)
    pdf: bytes = page.write_pdf(pdf_variant="pdf/ua-1", stylesheets=[emoji], font_config=fonts)
    return pdf
