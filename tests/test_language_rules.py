"""The session's language: the lead host sets it; pages and digests follow it."""

from __future__ import annotations

import pytest

from hostkit import i18n
from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.model import SessionState
from tests.domain_helpers import code, ok, person, run, session

CAST = (
    person("host", role="host"),
    person("cellhost", role="cell_host", cell="venue-1"),
    person("ana"),
)


@pytest.fixture
def state() -> SessionState:
    return session(*CAST)


def test_a_new_session_is_english_and_nobody_has_chosen(state: SessionState) -> None:
    assert (state.language, state.language_chosen) == ("en", False)


def test_the_lead_host_sets_welsh_then_english_then_no_default(state: SessionState) -> None:
    assert ok(run(state, "host", cmd.SetLanguage("cy"))) == [ev.LanguageSet("cy")]
    assert (state.language, state.language_chosen) == ("cy", True)
    ok(run(state, "host", cmd.SetLanguage("en")))
    assert (state.language, state.language_chosen) == ("en", True)
    ok(run(state, "host", cmd.SetLanguage(None)))
    assert (state.language, state.language_chosen) == ("en", False)


@pytest.mark.parametrize("language", ["fr", "", "CY", "cy-GB", "../en"])
def test_a_language_hostkit_does_not_ship_is_refused(state: SessionState, language: str) -> None:
    ok(run(state, "host", cmd.SetLanguage("cy")))
    assert code(run(state, "host", cmd.SetLanguage(language))) == "unknown_language"
    assert (state.language, state.language_chosen) == ("cy", True)


@pytest.mark.parametrize("who", ["cellhost", "ana"])
def test_only_the_lead_host_sets_it(state: SessionState, who: str) -> None:
    assert code(run(state, who, cmd.SetLanguage("cy"))) == "not_allowed"
    assert state.language_chosen is False


def test_the_domain_and_the_catalogues_ship_the_same_languages() -> None:
    assert set(cmd.LANGUAGES) == set(i18n.LANGUAGES)
