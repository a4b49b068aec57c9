"""Every export format by name: how to render it, its media type and file name.

The CLI, the host console's downloads and the ``all`` bundle all go through ``render``,
so a format added here is offered everywhere at once.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import unicodedata
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from hostkit.export import html, office, pdf, tabular, text
from hostkit.export.harvest import Harvest


@dataclass(frozen=True, slots=True)
class ExportFormat:
    name: str
    label: str
    media_type: str
    extension: str
    render: Callable[[Harvest], bytes]


def _utf8(make: Callable[[Harvest], str]) -> Callable[[Harvest], bytes]:
    return lambda h: make(h).encode("utf-8")


_TEXT = "text/plain; charset=utf-8"
EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "digest-html",
            "Digest (web page)",
            "text/html; charset=utf-8",
            "html",
            _utf8(html.digest_html),
        ),
        ExportFormat(
            "digest-large-print",
            "Digest, large print (web page)",
            "text/html; charset=utf-8",
            "html",
            _utf8(lambda h: html.digest_html(h, large=True)),
        ),
        ExportFormat("digest-txt", "Digest (plain text)", _TEXT, "txt", _utf8(text.digest_text)),
        ExportFormat("digest-pdf", "Digest (PDF)", "application/pdf", "pdf", pdf.digest_pdf),
        ExportFormat(
            "digest-large-print-pdf",
            "Digest, large print (PDF)",
            "application/pdf",
            "pdf",
            lambda h: pdf.digest_pdf(h, large=True),
        ),
        ExportFormat(
            "digest-docx",
            "Digest (Word)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            office.digest_docx,
        ),
        ExportFormat(
            "digest-odt",
            "Digest (OpenDocument)",
            "application/vnd.oasis.opendocument.text",
            "odt",
            office.digest_odt,
        ),
        ExportFormat(
            "transcript-md",
            "Transcript (Markdown)",
            "text/markdown; charset=utf-8",
            "md",
            _utf8(text.transcript_markdown),
        ),
        ExportFormat(
            "transcript-txt",
            "Transcript (plain text)",
            _TEXT,
            "txt",
            _utf8(text.transcript_text),
        ),
        ExportFormat(
            "transcript-csv",
            "Transcript (CSV spreadsheet)",
            "text/csv; charset=utf-8",
            "csv",
            _utf8(tabular.transcript_csv),
        ),
        ExportFormat(
            "transcript-json",
            "Transcript (JSON)",
            "application/json",
            "json",
            tabular.transcript_json,
        ),
    )
}
ALL = "all"
CHOICES: tuple[str, ...] = (*EXPORT_FORMATS, ALL)


def filename(harvest: Harvest, name: str, *, ascii_only: bool = False) -> str:
    """A file name a person can read: the day it was held, the title, what it is
    ("2026-12-01-village-hall-library-digest.pdf"). Letters of any script are kept
    unless ``ascii_only`` (then accents go: "gwyl" from "ŵyl"); anything else is a dash."""
    extension = "zip" if name == ALL else EXPORT_FORMATS[name].extension
    what = "all" if name == ALL else name.removesuffix(f"-{extension}")
    title = harvest.title
    if ascii_only:
        title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = "".join(c if c.isalnum() else " " for c in title.casefold()).split()
    slug = "-".join(words)[:80].strip("-") or "session"
    day = datetime.fromtimestamp(harvest.started_at, harvest.zone).date().isoformat()
    return f"{day}-{slug}-{what}.{extension}"


def content_disposition(harvest: Harvest, name: str) -> str:
    """``attachment`` with the file name the standard way (RFC 6266): an ASCII
    ``filename`` for old clients and, when the title is not ASCII, ``filename*`` in UTF-8."""
    plain = filename(harvest, name, ascii_only=True)
    full = filename(harvest, name)
    if full == plain:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(full, safe='')}"


def media_type(name: str) -> str:
    return "application/zip" if name == ALL else EXPORT_FORMATS[name].media_type


# PDF layout (WeasyPrint) is most of the zip's time and runs on one core: the zip lays
# out its two PDFs in other processes while this one makes the rest
PDF_LAYOUTS: dict[str, bool] = {"digest-pdf": False, "digest-large-print-pdf": True}


def render(harvest: Harvest, name: str) -> bytes:
    """The export in format ``name``; ``all`` is a zip of every format."""
    if name != ALL:
        return EXPORT_FORMATS[name].render(harvest)
    laid_out: dict[str, Future[bytes]] = {}
    with contextlib.ExitStack() as stack:
        if (os.cpu_count() or 1) > 1:
            # spawn, not fork: this may run in a server's worker thread
            context = multiprocessing.get_context("spawn")
            pool = stack.enter_context(ProcessPoolExecutor(len(PDF_LAYOUTS), mp_context=context))
            for each, large in PDF_LAYOUTS.items():
                page = html.digest_html(harvest, large=large)
                laid_out[each] = pool.submit(pdf.pdf_from_html, page)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            made = {
                each: format_.render(harvest)
                for each, format_ in EXPORT_FORMATS.items()
                if each not in laid_out
            }
            made.update({each: future.result() for each, future in laid_out.items()})
            for each in EXPORT_FORMATS:
                bundle.writestr(filename(harvest, each), made[each])
    return out.getvalue()
