"""The shape of a conversation, for the top of a digest: who took part where, in each
phase that was held, and a chart of it.

The organiser who circulates a digest to people who could not come needs this first.
Counts are of people who said something, by the venue they joined and whether they were
in the room or remote; they are numbers only, so they hold in every attribution mode.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

from hostkit.domain.model import SessionState


@dataclass(frozen=True, slots=True)
class Turnout:
    """How many people spoke in one phase at one venue, in the room and remotely."""

    phase_number: int
    phase_title: str
    venue: str
    room: int
    remote: int

    @property
    def people(self) -> int:
        return self.room + self.remote


def turnout(
    state: SessionState, phases: list[tuple[int, str, str]], said: dict[str, set[str]]
) -> list[Turnout]:
    """Per held phase ``(number, id, title)`` and venue: the people who spoke there.
    ``said`` maps a phase id to the ids of the participants whose words are exported."""
    rows: list[Turnout] = []
    for number, phase_id, title in phases:
        speakers = [state.participants[p] for p in said.get(phase_id, set())]
        for cell in state.cells.values():
            here = [p for p in speakers if p.cell_id == cell.id]
            room = sum(1 for p in here if p.where == "room")
            if here:
                rows.append(Turnout(number, title, cell.name, room, len(here) - room))
    return rows


_ROW = 46  # px per bar in the chart's own units: a label line, then the bar
_WIDTH = 420  # narrow, so its words stay legible when a phone shrinks it


def chart_svg(rows: list[Turnout], title: str, room_label: str, remote_label: str) -> Markup:
    """A horizontal bar chart of ``rows``: room solid, remote striped (not colour alone),
    each bar labelled with its figures. Scales to any width (viewBox); the digest puts
    the same figures in a table beside it for anyone who cannot see it."""
    most = max((r.people for r in rows), default=1) or 1
    scale = (_WIDTH - 70) / most
    height = 34 + _ROW * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'role="img" aria-labelledby="chart-title" class="chart">',
        f'<title id="chart-title">{escape(title)}</title>',
        '<defs><pattern id="stripes" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#fff"/>'
        '<rect width="4" height="8" fill="#a34700"/></pattern></defs>',
        '<rect x="0" y="4" width="16" height="16" fill="#0b4f8a"/>'
        f'<text x="22" y="17" font-size="15">{escape(room_label)}</text>'
        '<rect x="170" y="4" width="16" height="16" fill="url(#stripes)" stroke="#a34700"/>'
        f'<text x="192" y="17" font-size="15">{escape(remote_label)}</text>',
    ]
    for i, row in enumerate(rows):
        top = 34 + i * _ROW
        label = f"{row.phase_number}. {row.phase_title} · {row.venue}"
        label = label if len(label) <= 44 else label[:43] + "…"
        room_w, remote_w = row.room * scale, row.remote * scale
        parts.append(f'<text x="0" y="{top + 14}" font-size="15">{escape(label)}</text>')
        parts.append(
            f'<rect x="0" y="{top + 20}" width="{room_w:.1f}" height="18" fill="#0b4f8a"/>'
        )
        parts.append(
            f'<rect x="{room_w:.1f}" y="{top + 20}" width="{remote_w:.1f}" height="18" '
            'fill="url(#stripes)" stroke="#a34700"/>'
        )
        parts.append(
            f'<text x="{room_w + remote_w + 6:.1f}" y="{top + 34}" font-size="15">'
            f"{row.room} + {row.remote}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape()
