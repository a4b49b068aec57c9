"""Languages: the Welsh catalogue covers every word the participant pages show."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from hostkit import i18n

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
        keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "t": None}
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), mapping, options, keywords=keywords
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_word_on_the_translated_pages_has_a_welsh_translation() -> None:
    catalogue = welsh()
    words = extracted() | set(i18n.SCRIPT_MESSAGES) | set(i18n.PYTHON_MESSAGES)
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
    asked |= {
        m for pair in re.findall(r't\(\w+ === 1 \? "([^"]+)" : "([^"]+)"', scripts) for m in pair
    }
    assert asked - set(i18n.SCRIPT_MESSAGES) == set()


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
