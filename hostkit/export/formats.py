"""Every export format by name: how to render it, its media type and file name.

The CLI, the host console's downloads and the ``all`` bundle all go through ``render``,
so a format added here is offered everywhere at once.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import re
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

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


def filename(harvest: Harvest, name: str) -> str:
    """An ASCII file name that needs no quoting: people's titles stay inside the file."""
    safe_id = re.sub(r"[^A-Za-z0-9_-]", "", harvest.session_id)[:40] or "session"
    extension = "zip" if name == ALL else EXPORT_FORMATS[name].extension
    return f"hostkit-{safe_id}-{name}.{extension}"


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
