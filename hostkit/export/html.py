"""The HTML digest: one self-contained, accessible file (styles inline, no requests)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from hostkit.export.harvest import Entry, Harvest
from hostkit.export.shape import chart_svg
from hostkit.export.templates import environment, stylesheet
from hostkit.export.words import gettext, in_its_language


@dataclass(frozen=True, slots=True)
class RespondForm:
    """On a published digest taking responses: where the form posts, and until when."""

    url: str
    until: float
    notice: str | None = None


@in_its_language
def digest_html(
    harvest: Harvest, *, large: bool = False, respond: RespondForm | None = None
) -> str:
    """The digest as HTML; ``large`` gives the single-column, 18pt-and-up variant."""
    as_of_iso, as_of_text = harvest.stamp(harvest.as_of)

    def photo_uri(entry: Entry) -> str | None:
        """The photo inline, so the file stays self-contained (stored photos are JPEGs)."""
        photo = harvest.photo(entry)
        return f"data:image/jpeg;base64,{base64.b64encode(photo).decode()}" if photo else None

    template = environment().get_template("digest.html.j2")
    return template.render(
        h=harvest,
        large=large,
        css=stylesheet("large-print.css" if large else "digest.css"),
        as_of_iso=as_of_iso,
        as_of_text=as_of_text,
        photo_uri=photo_uri,
        respond=respond,
        respond_until=harvest.stamp(respond.until)[1] if respond else "",
        chart=chart_svg(
            harvest.turnout,
            gettext("People who spoke, by phase and venue"),
            gettext("In the room"),
            gettext("Remote"),
        ),
    )
