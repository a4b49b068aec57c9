"""Languages: the Welsh catalogue covers every word the participant pages show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hostkit import i18n
from hostkit.domain import commands as cmd
from hostkit.domain.formats import CUSTOM_TEMPLATES, FORMATS
from hostkit.domain.rejections import Rejection
from tests.domain_helpers import VENUE, ok, person, run, session

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def welsh() -> dict[str, object]:
    with (ROOT / "locale" / "cy" / "LC_MESSAGES" / "hostkit.po").open("rb") as po:
        return {m.id if isinstance(m.id, str) else m.id[0]: m.string for m in read_po(po) if m.id}


def extracted() -> set[str]:
    found = set()
    for folder, method in (
        (ROOT / "web" / "templates", "jinja2"),
        (ROOT / "web" / "static", "javascript"),
    ):
        mapping = [("**.html", method)] if method == "jinja2" else [("**.js", method)]
        options = {"**.html": {"extensions": "jinja2.ext.i18n"}}
        keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "t": None, "tn": (1, 2)}
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), mapping, options, keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_word_on_the_translated_pages_has_a_welsh_translation() -> None:
    catalogue = welsh()
    words = extracted() | set(i18n.SCRIPT_MESSAGES) | set(i18n.PYTHON_MESSAGES)
    words |= {singular for singular, _ in i18n.SCRIPT_PLURALS}
    assert {"Raise my hand", "Join", "%(num)d minute left"} <= words  # extraction works
    missing = sorted(w for w in words if not catalogue.get(w))
    assert missing == []


def test_welsh_translations_keep_every_placeholder() -> None:
    for msgid, msgstr in welsh().items():
        for form in msgstr if isinstance(msgstr, tuple) else (msgstr,):
            assert set(PLACEHOLDER.findall(str(form))) == set(PLACEHOLDER.findall(msgid)), msgid


def test_the_scripts_only_ask_for_words_the_page_carries() -> None:
    scripts = "".join(p.read_text() for p in (ROOT / "web" / "static").glob("*.js"))
    asked = set(re.findall(r'\bt\("([^"]+)"', scripts))
    assert asked - set(i18n.SCRIPT_MESSAGES) == set()
    counted = set(re.findall(r'\btn\("([^"]+)", "([^"]+)"', scripts))
    assert counted, "found no words with a count in the scripts"
    assert counted - set(i18n.SCRIPT_PLURALS) == set()


def test_the_scripts_never_choose_a_plural_by_englishs_rule() -> None:
    scripts = "".join(p.read_text() for p in (ROOT / "web" / "static").glob("*.js"))
    assert re.findall(r"[=!]==? ?1 \?", scripts) == []


# count, form: zero, one, two, few, many (6 alone), other
WELSH_COUNTS = [(0, 0), (1, 1), (2, 2), (3, 3), (6, 4), (4, 5), (7, 5), (106, 5), (1000, 5)]


@pytest.mark.parametrize(("count", "form"), WELSH_COUNTS)
def test_a_welsh_page_carries_the_catalogues_form_for_each_count(count: int, form: int) -> None:
    cy = i18n.Catalogues.load(ROOT / "locale").get("cy")
    carried = i18n.script_plurals(cy, i18n.SCRIPT_PLURALS)
    which = carried["which"]
    assert which[count if count < len(which) else 100 + count % 100] == form
    for singular, plural in i18n.SCRIPT_PLURALS:
        assert carried["forms"][singular][form] == cy.ngettext(singular, plural, count)


def test_counts_past_the_list_take_the_form_the_catalogue_gives_them() -> None:
    cy = i18n.Catalogues.load(ROOT / "locale").get("cy")
    which = i18n.script_plurals(cy, i18n.SCRIPT_PLURALS)["which"]
    rule = i18n.plural_form(cy)
    assert all(which[100 + n % 100] == rule(n) for n in range(len(which), 5000))
    assert len(set(which)) == 6  # Welsh: zero, one, two, few, many, other


def test_an_english_page_carries_one_and_other() -> None:
    english = i18n.Catalogues.load(ROOT / "locale").get("en")
    carried = i18n.script_plurals(english, i18n.SCRIPT_PLURALS)
    assert carried["which"][:3] == [1, 0, 1]
    assert carried["forms"]["%(num)d chair is free."] == [
        "%(num)d chair is free.",
        "%(num)d chairs are free.",
    ]


@pytest.mark.parametrize(
    ("cookie", "accept", "chosen"),
    [
        (None, None, "en"),
        (None, "cy-GB,cy;q=0.9,en;q=0.8", "cy"),
        (None, "en-GB,en;q=0.9,cy;q=0.8", "en"),
        (None, "fr-FR,cy;q=0.5", "cy"),
        (None, "fr, de;q=0.5", "en"),
        (None, "cy;q=0, en", "en"),
        (None, "*;q=0.1, ;;;q=abc, !!", "en"),
        ("cy", "en-GB", "cy"),
        ("en", "cy", "en"),
        ("xx", "cy", "cy"),
    ],
)
def test_a_persons_own_choice_wins_then_their_browser_then_english(
    cookie: str | None, accept: str | None, chosen: str
) -> None:
    assert i18n.choose(cookie, accept) == chosen


def test_welsh_catalogue_compiles_and_translates_with_plurals() -> None:
    catalogues = i18n.Catalogues.load(ROOT / "locale")
    cy = catalogues.get("cy")
    assert cy.gettext("Raise my hand") == "Codi fy llaw"
    assert cy.ngettext("%(num)d minute left", "%(num)d minutes left", 12) == "%(num)d munud ar ôl"
    assert catalogues.get("en").gettext("Raise my hand") == "Raise my hand"
    assert catalogues.get("de").gettext("Raise my hand") == "Raise my hand"


# --- the host console, the admin page and messages made in Python ----------------------


def python_messages() -> set[str]:
    """Messages hostkit makes in Python and pages show: every literal rejection and page
    answer (Babel's Python extractor; f-strings with values are skipped), the formats'
    names and summaries (the admin form), and the notices kept in constants."""
    keywords = {
        "reject": (2,),
        "Rejection": (2,),
        "problem": (3, 4),
        "_problem": (3, 4),
        "_answer": (3, 4),
    }
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "hostkit"), [("**.py", "python")], keywords=keywords
    ):
        found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    for shown in (*FORMATS.values(), *CUSTOM_TEMPLATES.values()):
        found |= {shown.name, shown.summary}
    return found | set(i18n.NOTICES)


def test_every_message_made_in_python_has_a_welsh_translation() -> None:
    catalogue = welsh()
    words = python_messages()
    assert {"That phase is not open.", "World Café", "Done."} <= words  # extraction works
    assert sorted(w for w in words if not catalogue.get(w)) == []


def test_the_host_console_and_admin_page_are_translated_pages() -> None:
    assert {"host.html", "admin.html"} <= i18n.TRANSLATED_PAGES
    pages = {p.name for p in (ROOT / "web" / "templates").glob("*.html")}
    partials = {p for p in pages if p.startswith("_")} | {"base.html"}
    assert pages - partials - i18n.TRANSLATED_PAGES == set()


@pytest.mark.parametrize(
    ("cookie", "accept", "session", "chosen"),
    [
        (None, "en-GB,en;q=0.9", "cy", "cy"),  # the host's choice beats the browser's
        (None, "cy", "en", "en"),
        ("en", "en-GB", "cy", "en"),  # the person's own switch beats the host's choice
        ("cy", "en-GB", "en", "cy"),
        (None, "cy-GB", None, "cy"),  # no session default: the browser decides
        (None, None, None, "en"),
        (None, "en", "fr", "en"),  # a language hostkit does not ship is no choice
        ("xx", "en", "cy", "cy"),
    ],
)
def test_the_switch_then_the_sessions_language_then_the_browser_then_english(
    cookie: str | None, accept: str | None, session: str | None, chosen: str
) -> None:
    assert i18n.choose(cookie, accept, session) == chosen


def test_a_message_made_in_python_is_shown_in_the_pages_language() -> None:
    cy = i18n.Catalogues.load(ROOT / "locale").get("cy")
    assert (
        i18n.translate_message(cy, "That phase is not open.") == "Nid yw\u2019r cam hwnnw ar agor."
    )
    detail = "That did not work: Object missing required field `phase_id`"
    assert i18n.translate_message(cy, detail) == (
        "Ni weithiodd hynny: Object missing required field `phase_id`"
    )
    assert i18n.translate_message(cy, "Something nobody wrote down") == (
        "Something nobody wrote down"
    )


def test_the_common_refusals_built_with_a_value_are_the_ones_the_catalogue_has() -> None:
    state = session(person("host", role="host"), person("ana"))
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False)))
    made = [
        run(state, "ana", cmd.PostContribution("note", "   ")),
        run(state, "ana", cmd.PostContribution("note", "x" * 10_001)),
        run(state, "ana", cmd.PostContribution("photo", "x" * 10_001, photo_id="ph1")),
        run(state, "ana", cmd.PostContribution("topic", "Buses")),
        run(state, "host", cmd.CreateGroup(" ", VENUE)),
        run(state, "host", cmd.CreateGroup("x" * 201, VENUE)),
        run(state, None, person("zed", name="z" * 61)),
    ]
    cy = i18n.Catalogues.load(ROOT / "locale").get("cy")
    for refusal in made:
        assert isinstance(refusal, Rejection)
        assert refusal.message in i18n.NOTICES, refusal.message
        assert i18n.translate_message(cy, refusal.message) != refusal.message


def test_each_message_is_in_the_welsh_catalogue_once() -> None:
    """Several people add to the catalogue at once; a second entry would silently win."""
    text = (ROOT / "locale" / "cy" / "LC_MESSAGES" / "hostkit.po").read_text(encoding="utf-8")
    ids = re.findall(r'^msgid "(.+)"$', text, re.MULTILINE)
    assert sorted({m for m in ids if ids.count(m) > 1}) == []
