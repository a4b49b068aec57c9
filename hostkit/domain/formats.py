"""Format templates: each hosting format as data, a list of phase templates.

A template is only a starting point: ``session_created`` turns it into the first event
of a session, after which phases live in the session's own state and the host edits
them live (add, edit, remove, reorder). ``FORMATS`` holds the seven formats that
``hostkit new --format`` offers; ``CUSTOM_TEMPLATES`` holds ready-made sequences built
from the same parts (grouping rules, contribution kinds, hats), which
``session_created`` accepts too. docs/formats.md describes each and how to add one.
"""

from __future__ import annotations

from dataclasses import dataclass

from hostkit.domain.events import CellSpec, GroupSpec, PhaseSpec, SessionCreated
from hostkit.domain.model import Attribution, ContributionKind, Grouping, Hat

TALK: tuple[ContributionKind, ...] = ("note", "question", "insight", "photo")
ASK: tuple[ContributionKind, ...] = ("question",)
IDEAS: tuple[ContributionKind, ...] = ("note", "insight", "photo")
# phases where people commit to next steps: talk, plus actions with an owner and a date
ACT: tuple[ContributionKind, ...] = (*TALK, "action")

CIRCLE_AGREEMENTS = (
    "Our agreements: what is said here stays here (confidentiality); speak from the heart "
    "and listen with attention; the guardian may call a pause at any time, and we stop, "
    "breathe and then go on. The talking piece goes round: whoever holds it speaks, or "
    "passes. Do we agree?"
)


@dataclass(frozen=True, slots=True)
class PhaseTemplate:
    title: str
    question: str
    minutes: int
    grouping: Grouping
    allows: tuple[ContributionKind, ...] = TALK
    dots: int = 0  # dot voting: dots per person (the harvest, convergence, next steps)


@dataclass(frozen=True, slots=True)
class GroupTemplate:
    """A group every session of the format starts with (in the first venue)."""

    id: str
    name: str
    remote_seats: bool = True
    seats: int | None = None  # None: as many as come


@dataclass(frozen=True, slots=True)
class FormatTemplate:
    id: str
    name: str
    summary: str
    phases: tuple[PhaseTemplate, ...]
    hats: tuple[Hat, ...] = ()  # the hats the host usually hands out
    guide: str = ""  # what the host should know: the practice's own rules of thumb
    groups: tuple[GroupTemplate, ...] = ()
    table_size: int = 4  # café rounds: how many sit at a table


def _phase(
    title: str,
    question: str,
    minutes: int,
    grouping: Grouping,
    allows: tuple[ContributionKind, ...] = TALK,
    dots: int = 0,
) -> PhaseTemplate:
    return PhaseTemplate(title, question, minutes, grouping, allows, dots)


CIRCLE = FormatTemplate(
    "circle",
    "Circle",
    "Everyone speaks in turn, holding a talking piece; room and remote alternate.",
    (
        _phase("Agreements", CIRCLE_AGREEMENTS, 5, "circle", ()),
        _phase("Check-in", "What brings you here today?", 15, "circle"),
        _phase("Council", "What matters most to you about this?", 40, "circle"),
        _phase("Check-out", "What are you taking away?", 10, "circle"),
    ),
    hats=("guardian", "scribe", "bridge", "room_buddy"),
    guide=(
        "Publish a speaking order that includes everyone (Set speaking order); anyone may "
        "pass. A turn may carry a time guide. A scribe may record turns as notes."
    ),
)

WORLD_CAFE = FormatTemplate(
    "world-cafe",
    "World Café",
    "Tables of four, three rounds; table hosts stay, travellers carry ideas between tables.",
    (
        _phase("Welcome", "Why this question, why now?", 10, "plenary"),
        _phase("Round 1", "What do we notice?", 20, "tables"),
        _phase("Round 2", "What is emerging?", 20, "tables"),
        _phase("Round 3", "What could we do?", 20, "tables"),
        _phase(
            "Harvest", "Which insights matter most? Put your dots on them.", 20, "plenary", dots=3
        ),
    ),
    hats=("scribe", "harvester", "bridge", "room_buddy"),
    guide=(
        "Tables hold 4, 5 at most; make one table host per table (role: table host) who "
        "stays. Before each round, Propose seating: hostkit mixes people who have not met "
        "and keeps table hosts in place; move anyone you like, then Apply seating. Notes "
        "stay with the table from round to round; the harvest shows all tables' notes."
    ),
)

OPEN_SPACE = FormatTemplate(
    "open-space",
    "Open Space",
    "Participants propose topics, place them in a time and space grid, and go where they "
    "can learn or contribute.",
    (
        _phase("Opening", "What calls you to this theme?", 15, "circle"),
        _phase(
            "Marketplace",
            "What topic will you convene? Say it in about seven words.",
            20,
            "plenary",
            ("topic",),
        ),
        _phase(
            "Topic sessions",
            "Report: convener, topic, participants, summary, recommendations, resources, requests.",
            60,
            "topics",
        ),
        _phase(
            "Convergence",
            "Which topics need action? Put your dots on them.",
            20,
            "plenary",
            ACT,
            dots=3,
        ),
        _phase("Closing circle", "What are you taking away?", 15, "circle"),
    ),
    hats=("convener", "scribe", "bridge", "room_buddy"),
    guide=(
        "Place each topic at a time and a space (room or online); people join and leave "
        "topic groups freely (the law of two feet). Each topic group writes a short report. "
        "Convergence ranks topics by dots; no topic is ever deleted from the proceedings."
    ),
)

PRO_ACTION_CAFE = FormatTemplate(
    "pro-action-cafe",
    "Pro Action Café",
    "Callers bring a project each; three rounds help them move it to action.",
    (
        _phase(
            "Calling", "Which projects need help? Callers, say yours in a sentence.", 10, "plenary"
        ),
        _phase("Round 1", "What is the quest behind the question?", 20, "tables"),
        _phase("Round 2", "What is missing?", 20, "tables"),
        _phase(
            "Round 3",
            "What next steps will you take, and what help do you need?",
            20,
            "tables",
            ACT,
        ),
        _phase(
            "Next steps",
            "Callers: write your next steps.",
            15,
            "plenary",
            ("note", "insight", "action"),
            dots=3,
        ),
    ),
    hats=("caller", "scribe", "bridge", "room_buddy"),
    guide=(
        "About one caller for every four people. Give each caller the caller hat and seat "
        "them at a table: callers stay while the others move (Propose seating)."
    ),
)

FISHBOWL = FormatTemplate(
    "fishbowl",
    "Fishbowl",
    "An inner circle talks with one empty chair; the outer circle listens and asks.",
    (
        _phase("Fishbowl", "What is at stake for you?", 45, "fishbowl", ("question", "note")),
        _phase("Reflection", "What did you hear?", 15, "plenary"),
    ),
    hats=("guardian", "scribe", "bridge", "room_buddy"),
    guide=(
        "The inner circle has 5 or 6 seats, room and remote, with one kept empty: anyone "
        "may take it (choose the Inner circle group) and someone else then leaves. The "
        "outer circle posts questions and upvotes them; mark one answering, then answered."
    ),
    groups=(GroupTemplate("inner", "Inner circle", seats=6),),
)

ONE_TWO_FOUR_ALL = FormatTemplate(
    "1-2-4-all",
    "1-2-4-All",
    "Think alone, then in pairs, then in fours, then all together.",
    (
        _phase("1: alone", "What ideas do you have? Note them silently.", 1, "plenary", ("note",)),
        _phase("2: pairs", "Share and build on each other's ideas.", 2, "pairs"),
        _phase(
            "4: fours", "Which ideas stand out? Notice similarities and differences.", 4, "fours"
        ),
        _phase("All", "What is one idea that stood out in your four?", 5, "plenary"),
    ),
    hats=("bridge", "room_buddy"),
    guide="Form pairs as phase 2 opens, then fours (whole pairs join) as phase 3 opens.",
)

CUSTOM = FormatTemplate(
    "custom",
    "Custom",
    "One open phase to start from; add phases as you need them.",
    (_phase("Conversation", "What shall we talk about?", 30, "plenary"),),
)

FORMATS: dict[str, FormatTemplate] = {
    f.id: f
    for f in (CIRCLE, WORLD_CAFE, OPEN_SPACE, PRO_ACTION_CAFE, FISHBOWL, ONE_TWO_FOUR_ALL, CUSTOM)
}

CUSTOM_TEMPLATES: dict[str, FormatTemplate] = {
    f.id: f
    for f in (
        FormatTemplate(
            "collective-story-harvest",
            "Collective Story Harvest",
            "A storyteller tells a story; harvesters each listen for one arc and give it back.",
            (
                _phase("Arcs", "Harvesters: which arc will you listen for?", 5, "plenary"),
                _phase("Story", "Storyteller: tell us the story.", 20, "plenary", ("note",)),
                _phase("Harvest by arc", "What did you hear along your arc?", 15, "tables"),
                _phase("Gifts back", "What do you give back to the storyteller?", 15, "circle"),
                _phase("Reflection", "What do we learn for our own work?", 10, "plenary"),
            ),
            hats=("storyteller", "harvester", "bridge"),
            guide="Give one person the storyteller hat and each harvester the harvester hat.",
        ),
        FormatTemplate(
            "appreciative-inquiry",
            "Appreciative Inquiry",
            "Discover what works in pairs, dream, design, and commit with owners.",
            (
                _phase("Discover", "Tell a story of when this worked at its best.", 20, "pairs"),
                _phase("Dream", "What could it be like at its best?", 20, "tables"),
                _phase("Design", "What would make that dream real?", 20, "tables"),
                _phase("Destiny", "What will you do, and who owns it?", 20, "plenary", ACT),
            ),
            hats=("scribe", "bridge"),
        ),
        FormatTemplate(
            "25-10-crowd-sourcing",
            "25/10 Crowd Sourcing",
            "Bold ideas, passed and scored anonymously; the top ten are ranked.",
            (
                _phase(
                    "Bold idea",
                    "If you were ten times bolder, what would you do?",
                    5,
                    "plenary",
                    ("note",),
                ),
                _phase(
                    "Pass and score", "Score ideas 1 to 5 with dots (5 rounds).", 10, "plenary", ()
                ),
                _phase("Top ten", "Which of the top ten ideas will we act on?", 10, "plenary", ACT),
            ),
            guide=(
                "Run it in a pseudonymous or Chatham House session so ideas stay anonymous; "
                "dots (1-3 per idea here) rank the ideas."
            ),
        ),
        FormatTemplate(
            "triz",
            "TRIZ",
            "Make the worst possible result, find what we already do like it, and stop it.",
            (
                _phase(
                    "Worst result", "How could we make sure we get the worst result?", 10, "fours"
                ),
                _phase("Do we do this?", "Which of these do we already do?", 10, "fours"),
                _phase(
                    "Stop",
                    "What will we stop doing, and what is the first step?",
                    10,
                    "plenary",
                    ACT,
                ),
            ),
        ),
        FormatTemplate(
            "troika-consulting",
            "Troika Consulting",
            "In threes: one asks for help, two consult while the client listens; rotate.",
            (
                _phase(
                    "Client 1",
                    "Client: ask; consultants: advise while the client listens.",
                    10,
                    "tables",
                ),
                _phase("Client 2", "Next client: ask; the others advise.", 10, "tables"),
                _phase("Client 3", "Last client: ask; the others advise.", 10, "tables"),
                _phase("Harvest", "What help did you get?", 5, "plenary"),
            ),
            guide="Make tables of three (a hybrid table can seat a remote consultant).",
            table_size=3,
        ),
    )
}

TEMPLATES: dict[str, FormatTemplate] = {**FORMATS, **CUSTOM_TEMPLATES}

ONLINE_CELL = "online"
# The licences a host chooses from for the harvest; "" (none chosen) is never assumed to be one.
LICENCES = ("CC BY 4.0", "CC BY-SA 4.0", "CC0 1.0", "All rights reserved")


def session_created(
    *,
    title: str,
    format_id: str,
    join_code: str,
    purpose: str = "",
    licence: str = "",
    attribution: Attribution = "attributed",
    venues: tuple[str, ...] = ("Main room",),
) -> SessionCreated:
    """The first event of a new session built from a format or custom template."""
    template = TEMPLATES[format_id]
    cells = [CellSpec(f"venue-{i}", name, "venue") for i, name in enumerate(venues, 1)]
    cells.append(CellSpec(ONLINE_CELL, "Online", "online"))
    phases = [
        PhaseSpec(
            f"p{i}", p.title, p.question, p.minutes * 60, p.grouping, list(p.allows), dots=p.dots
        )
        for i, p in enumerate(template.phases, 1)
    ]
    home = cells[0].id
    groups = [GroupSpec(g.id, g.name, home, g.remote_seats, seats=g.seats) for g in template.groups]
    return SessionCreated(
        title=title,
        purpose=purpose,
        licence=licence,
        format=format_id,
        attribution=attribution,
        join_code=join_code,
        cells=cells,
        phases=phases,
        groups=groups,
    )
