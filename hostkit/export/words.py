"""The fixed words of every export, in the session's language.

Headings, labels, captions and aliases go through the same gettext catalogues as the
live pages (``hostkit.i18n``, ``locale/<lang>/LC_MESSAGES/hostkit.po``), so a Welsh session's
digest reads in Welsh. Renderers run inside ``speaking(harvest.language)``; people's
own words are never translated.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from babel.dates import format_date

from hostkit import i18n
from hostkit.assets import asset_dir

gettext = i18n.gettext
ngettext = i18n.ngettext


@functools.cache
def catalogues() -> i18n.Catalogues:
    return i18n.Catalogues.load(asset_dir("locale"))


def language_of(code: str | None) -> str:
    """A language hostkit has words for (else English)."""
    return code if code in i18n.LANGUAGES else i18n.DEFAULT


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    with i18n.using(catalogues().get(language_of(language))):
        yield


class _Spoken(Protocol):
    @property
    def language(self) -> str: ...


H = TypeVar("H", bound=_Spoken)
P = ParamSpec("P")
R = TypeVar("R")


def in_its_language(render: Callable[Concatenate[H, P], R]) -> Callable[Concatenate[H, P], R]:
    """A renderer whose first argument is the harvest: run it in the harvest's language."""

    def speak(harvest: H, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with speaking(harvest.language):
            return render(harvest, *args, **kwargs)

    speak.__doc__, speak.__name__ = render.__doc__, render.__name__
    return speak


def long_date(moment: Any, language: str) -> str:
    """ "28 November 2026" / "28 Tachwedd 2026": month names in the reader's language."""
    return format_date(moment, "d MMMM y", locale=language_of(language))


def translate(language: str, message: str) -> str:
    """One message in a language, outside any renderer (the harvest's aliases)."""
    return catalogues().get(language_of(language)).gettext(message)
