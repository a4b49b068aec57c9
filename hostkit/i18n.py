"""Languages: every page's words come from gettext catalogues, chosen per person.

The catalogues are ``locale/<lang>/LC_MESSAGES/hostkit.po`` (English is the source
language, so it needs none). They are compiled in memory when the app starts, so there is
no build step and no stale ``.mo`` file. A person's language is their own choice (a cookie
set by the switcher on every page), else the session's language if its host chose one, else
their browser's preference, else English (see docs/accessibility.md).

Rendering happens inside ``using(...)``: the Jinja ``_``/``gettext``/``ngettext`` globals
read the current translations from a context variable, so one template environment serves
every language at once.
"""

from __future__ import annotations

import contextlib
import gettext as gettext_module
import io
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import jinja2
from babel.core import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES: dict[str, str] = {"en": "English", "cy": "Cymraeg"}  # code -> name in itself
DEFAULT = "en"
COOKIE = "hk_lang"
DOMAIN = "hostkit"

# Every page a person sees in a browser: joining, taking part, the room's screen, the host
# console and the admin page. (Exports choose their language from the session instead.)
TRANSLATED_PAGES = frozenset(
    {
        "admin.html",
        "host.html",
        "landing.html",
        "join.html",
        "join_code.html",
        "participant.html",
        "problem.html",
        "projector.html",
        "cards.html",
    }
)

# Words the participant page's scripts show; the page carries them in its language.
SCRIPT_MESSAGES: tuple[str, ...] = (
    "page %(page)s of %(pages)s",
    "Connected",
    "Connected · sending %(count)s…",
    "Connecting…",
    "Reconnecting…",
    "Reconnecting… your note is saved and will be sent.",
    # on a hall laptop (docs/relay.md)
    "The hall's internet is down: what you write is kept in the hall, not yet shared.",
    "kept in the hall, not yet shared",
    "Kept in the hall: it will be shared when the internet is back.",
    "This link is no longer valid.",
    "No timer running",
    "Time is up",
    "(paused)",
    "5 minutes left",
    "1 minute left",
    "Timer started: %(left)s",
    "Not sent yet",
    "Vote for this topic",
    # dot voting (participant.js)
    "Dots",
    "Take a dot back",
    "Add a dot",
    "Your dots: %(num)d",
    "Dots in all: %(num)d",
    "Dots left to place: %(num)d.",
    "Your dots here: %(num)d.",
    "The host has moved the conversation on. Your text is kept: add it, then the page updates.",
    "Raise my hand",
    "Lower my hand",
    "Your hand is up.",
    "Your hand is up",
    "Your hand is down",
    "Added — %(audience)s",
    "Sending…",
    "Saved on this phone: it will be sent when the connection is back.",
    "Confirmed",
    "Dismiss",
    "Announcement at %(time)s: %(text)s",
    "Announcement dismissed",
    "The host took an announcement down",
    "The host changed the question: %(question)s",
    "Your table now has a call link: open it to hear the table.",
    "Anonymous",
    "Participant %(number)s",
    "note",
    "question",
    "topic",
    "photo",
    "insight",
    "action",
    "Photo sent",
    # refresh.js: what is new on the console's harvest page
    "New in the harvest: %(text)s",
    "New in the harvest: %(num)s contributions",
    "Dots placed: %(list)s",
    "Hand raised: %(list)s",
    "%(text)s has %(dots)s",
    # counter.js, beside long text boxes
    "%(used)s of %(limit)s characters",
    "%(left)s characters left",
    "You have reached the limit of %(limit)s characters.",
    "The photo could not be uploaded. Try again.",
    # the participant page's formats: place, talking piece, questions, topics, calls
    "You are with everyone, not in a group.",
    "You are now in the topic “%(group)s”.",
    "You are now in %(group)s.",
    "You are now at %(group)s.",
    "With you: %(people)s",
    "Nobody else is here yet.",
    "Next round: stay at %(group)s.",
    "Next round: go to %(group)s.",
    "You hold the talking piece.",
    "%(name)s holds the talking piece.",
    "Everyone has had their turn.",
    "(you)",
    "holds the piece",
    "passed",
    "It is your turn: you hold the talking piece.",
    "Being answered now",
    "Answered",
    "Waiting",
    "Upvote",
    "Withdraw",
    "You have called the host. They know, and will come to you.",
    "The host has answered your call.",
    "Withdrawing everything you said…",
    "Connected · the server could not store %(count)s yet; trying again shortly.",
    # pre-moderation and the fishbowl's inner circle on the participant page
    "Waiting for the host to approve",
    "The host has approved your note: everyone can see it now.",
    "You are in the inner circle: you may speak.",
    "You are in the outer circle: listen, and post questions.",
    "Chairs taken: %(num)d of %(seats)d.",
    "In the inner circle: %(people)s",
    "Nobody is in the inner circle yet.",
    "No chair is free: wait for someone to leave.",
    # Open Space reports: another member saved while I was writing
    (
        "Someone in your group saved a new version of the report. "
        "Copy what you wrote, then reload the page to see theirs."
    ),
)

# Words with a count the scripts show, as (singular, plural) msgids. The page carries their
# forms in its language and which form each count takes, both from the catalogue, so a
# phone follows the language's own plural rule (Welsh has six forms), never English's.
SCRIPT_PLURALS: tuple[tuple[str, str], ...] = (
    ("%(num)d minute left", "%(num)d minutes left"),
    ("%(num)d second left", "%(num)d seconds left"),
    ("%(num)d vote", "%(num)d votes"),
    ("%(num)d person in this group", "%(num)d people in this group"),
    ("%(num)d person here", "%(num)d people here"),
    ("%(num)d chair is free.", "%(num)d chairs are free."),
)
# Counts 0-199 are listed one by one; a larger n takes the form of 100 + n % 100. gettext's
# plural rules look only at n, n % 10, n % 100 and thresholds below 100, so that is exact.
PLURAL_COUNTS = 200

# Words the page handlers make before a page renders (the QR codes' accessible names).
PYTHON_MESSAGES: tuple[str, ...] = ("QR code to join this session", "QR code to join at %(table)s")

# Notices made in Python that pages show through ``translate_message``, kept in constants or
# variables where no extractor finds them (rejections in ``reject(...)`` calls are found).
NOTICES: tuple[str, ...] = (
    "Done.",
    "Kept in the hall: it will be shared when the internet is back.",
    "Your role does not allow this.",
    "People have already spoken in this phase: it can become more private, not less.",
    "That did not work:",
    "Choose one of:",
    "No such format",
    "No such mode",
    "Not allowed by consent",
    "Tick “I understand” first: nothing was withdrawn.",
    "Tick “I understand” first: nothing was changed.",
    # the console's next step (hostkit/domain/next_step.py)
    "Open %(phase)s and form tables",
    "Open %(phase)s and move travellers",
    "Open %(phase)s",
    "Close %(phase)s",
    "Add a phase",
    "Every phase is done: download the harvest",
    "The server could not save this, so it was not recorded. Try again.",
    "The host has paused your contributions.",
    "There is no such published link.",
    "Not done",
    "New link made",
    "The old link no longer works. The new link is: %(link)s",
    "Their old link no longer works; they can join again with the room or remote link.",
    "Give the session a title (up to 200 characters).",
    "Choose a format.",
    "A template goes with the Custom format: choose Custom, or no template.",
    "Choose how contributions are attributed.",
    "At most 20 venues.",
    "Choose the session's language: English, Welsh, or each person's own.",
    "Choose the licence of the harvest.",
    # built with a value, but from a short fixed list: the common refusals of empty or long
    # text and of a kind the phase does not take (tests/test_i18n.py checks they match)
    "Text is empty.",
    "Description is empty.",
    "Name is empty.",
    "Title is empty.",
    "Question is empty.",
    "Text is longer than 10,000 characters.",
    "Description is longer than 10,000 characters.",
    "Name is longer than 200 characters.",
    "Title is longer than 200 characters.",
    "Question is longer than 10,000 characters.",
    "Names are at most 60 characters.",
    "This phase does not take a note.",
    "This phase does not take a question.",
    "This phase does not take a topic.",
    "This phase does not take a photo.",
    "This phase does not take a insight.",
)

_ENGLISH = gettext_module.NullTranslations()
_current: ContextVar[gettext_module.NullTranslations | None] = ContextVar(
    "hostkit_translations", default=None
)


class Catalogues:
    """The compiled translations of every shipped language."""

    def __init__(self, translations: dict[str, gettext_module.NullTranslations]) -> None:
        self._translations = translations

    @classmethod
    def load(cls, locale_dir: Path) -> Catalogues:
        found: dict[str, gettext_module.NullTranslations] = {}
        for lang in LANGUAGES:
            po = locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
            found[lang] = _compile(po, lang) if po.exists() else gettext_module.NullTranslations()
        return cls(found)

    def get(self, lang: str) -> gettext_module.NullTranslations:
        return self._translations.get(lang) or self._translations[DEFAULT]

    def messages(self, lang: str, msgids: tuple[str, ...]) -> dict[str, str]:
        """The given messages in ``lang``, for the browser's scripts."""
        translations = self.get(lang)
        return {m: translations.gettext(m) for m in msgids}

    def plurals(self, lang: str, pairs: tuple[tuple[str, str], ...]) -> dict[str, Any]:
        """The given messages with a count in ``lang``, for the browser's scripts."""
        return script_plurals(self.get(lang), pairs)


def plural_form(translations: gettext_module.NullTranslations) -> Callable[[int], int]:
    """The catalogue's plural rule: which of its forms a count takes (English's without one)."""
    rule = getattr(translations, "plural", None)
    return rule if callable(rule) else lambda n: int(n != 1)


def script_plurals(
    translations: gettext_module.NullTranslations, pairs: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    """What a page's scripts need to say a count: ``which`` form each count 0-199 takes,
    and each message's ``forms`` in that order, all from the catalogue (ngettext)."""
    rule = plural_form(translations)
    which = [rule(n) for n in range(PLURAL_COUNTS)]
    example = {form: which.index(form) for form in set(which)}  # a count that takes it
    forms = {
        singular: [
            translations.ngettext(singular, plural, example[f]) if f in example else plural
            for f in range(max(which) + 1)
        ]
        for singular, plural in pairs
    }
    return {"which": which, "forms": forms}


def _compile(po: Path, lang: str) -> Translations:
    with po.open("rb") as source:
        catalog = read_po(source, locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def choose(cookie: str | None, accept_language: str | None, session: str | None = None) -> str:
    """The person's own choice, else the session's language (when its host chose one), else
    their browser's first supported language, else English."""
    if cookie in LANGUAGES:
        return str(cookie)
    if session in LANGUAGES:
        return str(session)
    preferred = []
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            preferred.append((quality, tag.replace("_", "-")))
    for _quality, tag in sorted(preferred, key=lambda p: -p[0]):
        try:
            language = Locale.parse(tag, sep="-").language
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES:
            return language
    return DEFAULT


# Messages made in Python that end in details no catalogue can hold (a validation error).
_PREFIXED = ("That did not work: ", "Choose one of: ")


def translate_message(translations: gettext_module.NullTranslations, message: str) -> str:
    """A message made in Python (a notice, a rejection) in the page's language: the whole
    message if the catalogue has it, else its known beginning, else as it came."""
    found = translations.gettext(message)
    if found != message:
        return found
    for prefix in _PREFIXED:
        if message.startswith(prefix):
            return translations.gettext(prefix.strip()) + " " + message[len(prefix) :]
    return message


@contextlib.contextmanager
def using(translations: gettext_module.NullTranslations) -> Iterator[None]:
    token = _current.set(translations)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return (_current.get() or _ENGLISH).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return (_current.get() or _ENGLISH).ngettext(singular, plural, n)


def install(env: jinja2.Environment) -> None:
    """Give templates ``_``, ``gettext`` and ``ngettext`` (autoescaping, %(name)s style)."""
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
