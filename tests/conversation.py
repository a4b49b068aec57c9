"""A long, threaded conversation in a village hall and at home, written to be replayed.

Like a real discussion thread: an opening, long considered replies from home (several
over 2,000 characters, later paragraphs indented by four spaces as forums and email
clients do), links, emoji, an unbroken 300-character word and a bare 200-character
link, and replies that answer earlier ones by number. Every text carries a marker
(``Rq01``...) so a test can find it in any format.
"""

from __future__ import annotations

from dataclasses import dataclass

LONG_WORD = "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch" * 5
LONG_LINK = "https://example.org/minutes/" + "2026-library-consultation-" * 7 + "final.pdf"


def _paragraphs(*texts: str) -> str:
    """Forum style: the first paragraph flush, the later ones indented by four spaces."""
    first, *rest = texts
    return "\n\n".join([first, *("    " + t for t in rest)])


_SAID = (
    "When the mobile library stopped coming in 2019, the first thing I noticed was that "
    "Mrs Pritchard from the terrace no longer had a reason to come out on a Tuesday. "
)
_HOME = (
    "I am writing this from home because the stairs at the hall are beyond me now, and "
    "I want it on the record that a good number of us follow these meetings from our "
    "kitchens and would come if we could. "
)
_MONEY = (
    "The county's own figures show a branch library costs less per visit than the "
    "leisure centre, and the building is already ours: the roof was done in 2021 with "
    "lottery money, the heating is the only large bill, and volunteers could cover two "
    "of the three opening sessions if someone trained them properly. "
)


@dataclass(frozen=True)
class Line:
    """One contribution: who says it, where it goes ("" for everyone), what kind."""

    marker: str
    who: str
    text: str
    kind: str = "note"
    table: str = ""


def opening() -> list[Line]:
    """The plenary: an introduction and a thread of replies, room and home interleaved."""
    return [
        Line(
            "Rq01",
            "sioned",
            "Rq01 Welcome, everyone, in the hall and at home 👋. The question tonight: "
            "**what should the old library on Chapel Street become?** The council's "
            "paper is at [the consultation page](https://example.org/library).",
        ),
        Line(
            "Rq02",
            "gwen",
            "Rq02 "
            + _paragraphs(
                "Thank you, Sioned. " + _HOME * 2,
                _SAID * 6,
                _MONEY * 5,
                "So my answer is simple: keep it a library first, and let everything else "
                "grow around it. 📚❤️ The minutes I mean are here: " + LONG_LINK,
                "One more thing: *please* make sure whatever happens has a step-free "
                "entrance. " + _HOME,
            ),
        ),
        Line("Rq03", "huw", "Rq03 Agree with Gwen (Rq02) on the entrance. 👍 From the room."),
        Line(
            "Rq04",
            "tomos",
            "Rq04 Replying to Rq02: "
            + _paragraphs(
                "I run the youth club and I see it differently. " + _SAID * 3,
                "    Young people need somewhere warm after school that is not a shop. "
                + _MONEY * 3,
                "A library *and* a youth space can share a building, if the council "
                "lets us open in the evenings. Here is the word nobody can spell: " + LONG_WORD,
                "- evenings for the youth club\n- mornings for the library\n"
                "- Saturdays for the repair café",
            ),
        ),
        Line(
            "Rq05",
            "elin",
            "Rq05 "
            + _paragraphs(
                "On Rq04: yes to sharing, but the repair café needs a sink and a bench. " + _MONEY,
                _HOME * 4,
                _SAID * 5,
                "I have written to the county about the lease; I will share the answer "
                "at https://example.org/lease when it comes. 🙏",
            ),
        ),
        Line("Rq06", "huw", "Rq06 Who owns the building now: the county or the town?", "question"),
        Line(
            "Rq07",
            "gwen",
            "Rq07 On Rq06: the county, until the lease ends in 2028.\nAfter that, "
            "nobody seems sure.",
        ),
    ]


def tables() -> list[Line]:
    """The table round: two tables in the hall talking at once; Elin joins one from home."""
    return [
        Line("Rq08", "huw", "Rq08 Table one: a library with a café corner.", table="Table one"),
        Line("Rq09", "tomos", "Rq09 Table two: youth club evenings.", table="Table two"),
        Line(
            "Rq10",
            "elin",
            "Rq10 From home, at table one: "
            + _paragraphs(_HOME * 5, _MONEY * 4, _SAID * 4, "Keep the large print shelf!"),
            table="Table one",
        ),
        Line(
            "Rq11",
            "gwen",
            "Rq11 Open it as a library first, then add the rest.",
            "insight",
            table="Table two",
        ),
        Line(
            "Rq12",
            "huw",
            "Rq12 A repair café on Saturdays 🔧 needs a sink.",
            "insight",
            table="Table one",
        ),
        Line("Rq13", "tomos", "Rq13 Can volunteers be insured?", "question", table="Table two"),
        Line("Rq14", "sioned", "Rq14 Ask the county for the lease terms", "action"),
    ]
