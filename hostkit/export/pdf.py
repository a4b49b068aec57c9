"""Tagged PDF (PDF/UA-1) with WeasyPrint, from the same HTML as the digest.

WeasyPrint is imported on first use: it loads pango, which a server that never makes a
PDF (or a machine without pango) should not need just to start.
"""

from __future__ import annotations

from hostkit.export.harvest import Harvest
from hostkit.export.html import digest_html


def digest_pdf(harvest: Harvest, *, large: bool = False) -> bytes:
    """The digest as a tagged PDF, with the document's language and title."""
    import weasyprint  # type: ignore[import-untyped]  # ships no type information

    html = weasyprint.HTML(string=digest_html(harvest, large=large))
    pdf: bytes = html.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
