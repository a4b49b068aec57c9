"""Format templates: each hosting format as data, a list of phase templates.

A template is only a starting point: ``session_created`` turns it into the first event
of a session, after which phases live in the session's own state.
"""

from __future__ import annotations

from dataclasses import dataclass

from hostkit.domain.events import CellSpec, PhaseSpec, SessionCreated
from hostkit.domain.model import Attribution, ContributionKind

TALK: tuple[ContributionKind, ...] = ("note", "question", "insight", "photo")


@dataclass(frozen=True, slots=True)
class PhaseTemplate:
    title: str
    question: str
    minutes: int
    grouping: str  # "plenary", "circle", "tables", "topics", "pairs", "fours", "fishbowl"
    allows: tuple[ContributionKind, ...] = TALK


@dataclass(frozen=True, slots=True)
class FormatTemplate:
    id: str
    name: str
    summary: str
    phases: tuple[PhaseTemplate, ...]


def _fmt(id: str, name: str, summary: str, *phases: PhaseTemplate) -> FormatTemplate:
    return FormatTemplate(id, name, summary, phases)


FORMATS: dict[str, FormatTemplate] = {
    f.id: f
    for f in (
        _fmt(
            "circle",
            "Circle",
            "Everyone speaks in turn, holding a talking piece.",
            PhaseTemplate("Check-in", "What brings you here today?", 15, "circle"),
            PhaseTemplate("Council", "What matters most to you about this?", 40, "circle"),
            PhaseTemplate("Check-out", "What are you taking away?", 10, "circle"),
        ),
        _fmt(
            "world-cafe",
            "World Café",
            "Small tables, several rounds; travellers carry ideas between tables.",
            PhaseTemplate("Welcome", "Why this question, why now?", 10, "plenary"),
            PhaseTemplate("Round 1", "What do we notice?", 20, "tables"),
            PhaseTemplate("Round 2", "What is emerging?", 20, "tables"),
            PhaseTemplate("Round 3", "What could we do?", 20, "tables"),
            PhaseTemplate("Harvest", "What insights matter most?", 20, "plenary"),
        ),
        _fmt(
            "open-space",
            "Open Space",
            "Participants propose the topics and go where they can contribute.",
            PhaseTemplate("Opening", "What calls you to this theme?", 15, "circle"),
            PhaseTemplate("Marketplace", "What topic will you convene?", 20, "plenary", ("topic",)),
            PhaseTemplate("Topic sessions", "What did your group discover?", 60, "topics"),
            PhaseTemplate("Convergence", "Which topics need action?", 20, "plenary"),
            PhaseTemplate("Closing circle", "What are you taking away?", 15, "circle"),
        ),
        _fmt(
            "pro-action-cafe",
            "Pro Action Café",
            "Callers bring projects; others help them move to action.",
            PhaseTemplate("Calling", "Which projects need help?", 10, "plenary"),
            PhaseTemplate("Round 1", "What is the quest behind the question?", 20, "tables"),
            PhaseTemplate("Round 2", "What is missing?", 20, "tables"),
            PhaseTemplate("Round 3", "What are the next steps?", 20, "tables"),
            PhaseTemplate("Next steps", "What will you do next?", 15, "plenary"),
        ),
        _fmt(
            "fishbowl",
            "Fishbowl",
            "An inner circle talks, with an empty chair; the outer circle listens.",
            PhaseTemplate("Fishbowl", "What is at stake for you?", 45, "fishbowl"),
            PhaseTemplate("Reflection", "What did you hear?", 15, "plenary"),
        ),
        _fmt(
            "1-2-4-all",
            "1-2-4-All",
            "Think alone, then in pairs, then fours, then all together.",
            PhaseTemplate("1: alone", "What ideas do you have?", 1, "plenary", ("note",)),
            PhaseTemplate("2: pairs", "Build on each other's ideas.", 2, "pairs"),
            PhaseTemplate("4: fours", "Which ideas stand out?", 4, "fours"),
            PhaseTemplate("All", "What stands out for everyone?", 5, "plenary"),
        ),
        _fmt(
            "custom",
            "Custom",
            "One open phase to start from; add phases as you need them.",
            PhaseTemplate("Conversation", "What shall we talk about?", 30, "plenary"),
        ),
    )
}

ONLINE_CELL = "online"


def session_created(
    *,
    title: str,
    format_id: str,
    join_code: str,
    purpose: str = "",
    licence: str = "CC BY-SA 4.0",
    attribution: Attribution = "attributed",
    venues: tuple[str, ...] = ("Main room",),
) -> SessionCreated:
    """The first event of a new session built from a format template."""
    template = FORMATS[format_id]
    cells = [CellSpec(f"venue-{i}", name, "venue") for i, name in enumerate(venues, 1)]
    cells.append(CellSpec(ONLINE_CELL, "Online", "online"))
    phases = [
        PhaseSpec(f"p{i}", p.title, p.question, p.minutes * 60, p.grouping, list(p.allows))
        for i, p in enumerate(template.phases, 1)
    ]
    return SessionCreated(
        title=title,
        purpose=purpose,
        licence=licence,
        format=format_id,
        attribution=attribution,
        join_code=join_code,
        cells=cells,
        phases=phases,
    )
