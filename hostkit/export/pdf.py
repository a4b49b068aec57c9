"""Tagged PDF (PDF/UA-1) with WeasyPrint, from the same HTML as the digest.

WeasyPrint is imported on first use: it loads pango, which a server that never makes a
PDF (or a machine without pango) should not need just to start.
"""

from __future__ import annotations

from hostkit.export.harvest import Harvest
from hostkit.export.html import digest_html


def digest_pdf(harvest: Harvest, *, large: bool = False) -> bytes:
    """The digest as a tagged PDF, with the document's language and title."""
    return pdf_from_html(digest_html(harvest, large=large))


def pdf_from_html(html: str) -> bytes:
    """A digest's HTML as a tagged PDF/UA-1 (a plain function of a string, so the zip of
    every format can lay out its two PDFs in other processes at once)."""
    import weasyprint  # type: ignore[import-untyped]  # ships no type information

    pdf: bytes = weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
