"""Tagged PDF (PDF/UA-1) with WeasyPrint, from the same HTML as the digest."""

from __future__ import annotations

import weasyprint  # type: ignore[import-untyped]  # ships no type information

from hostkit.export.harvest import Harvest
from hostkit.export.html import digest_html


def digest_pdf(harvest: Harvest, *, large: bool = False) -> bytes:
    """The digest as a tagged PDF, with the document's language and title."""
    html = weasyprint.HTML(string=digest_html(harvest, large=large))
    pdf: bytes = html.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
