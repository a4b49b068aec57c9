"""Consent in the harvest: what every export is built from, decided once for all formats.

These drive the pure domain (decide and fold) and read the harvest; the formats that
render it are checked against a real server in test_export_session.
"""

from __future__ import annotations

import pytest

from hostkit.domain import commands as cmd
from hostkit.domain.model import Attribution, SessionState
from hostkit.export.harvest import ConsentError, harvest_from_state
from tests.domain_helpers import T0, code, ok, person, run, session


def scene(attribution: Attribution = "attributed") -> SessionState:
    """Host, Ana and an anonymous person at table 1; Ben at home. Round 1 is open."""
    state = session(
        person("host", role="host"),
        person("ana", group="t1"),
        person("shy", group="t1", name=None),
        person("ben", where="remote", group="o1"),
    )
    state.attribution = attribution
    ok(run(state, "host", cmd.OpenPhase("p2"), T0 + 1))
    return state


def say(state: SessionState, who: str, text: str, *, off_record: bool = False) -> str:
    command = cmd.PostContribution("note", text, off_record=off_record)
    (posted,) = ok(run(state, who, command, T0 + 2))
    return str(posted.contribution_id)  # type: ignore[union-attr]


def authors(state: SessionState, mode: Attribution | None = None) -> dict[str, str | None]:
    return {e.text: e.author for e in harvest_from_state(state, mode).entries}


def test_attributed_exports_show_names_and_never_name_the_anonymous() -> None:
    state = scene()
    say(state, "ana", "Shops need footfall")
    say(state, "shy", "A quiet thought")
    assert authors(state) == {"Shops need footfall": "Ana", "A quiet thought": "Anonymous"}


def test_pseudonymous_aliases_are_stable_distinct_and_never_the_name() -> None:
    state = scene("pseudonymous")
    say(state, "ana", "First")
    say(state, "ben", "Second")
    say(state, "ana", "Third")
    shown = authors(state)
    assert shown["First"] == shown["Third"] != shown["Second"]
    assert all(a is not None and a.startswith("Participant ") for a in shown.values())
    assert "Ana" not in str(shown) and "Ben" not in str(shown)


def test_chatham_house_exports_have_no_author_and_no_venue_clue() -> None:
    state = scene("chatham-house")
    ok(run(state, "ben", cmd.ChooseGroup(None), T0 + 2))
    say(state, "ben", "From home, to everyone")
    (entry,) = harvest_from_state(state).entries
    assert entry.author is None
    assert entry.cell_name == ""  # a plenary remark's venue would say who it came from


def test_an_export_may_be_more_private_than_the_session() -> None:
    state = scene()
    say(state, "ana", "Shops need footfall")
    assert authors(state, "pseudonymous")["Shops need footfall"] == "Participant 2"
    assert authors(state, "chatham-house")["Shops need footfall"] is None


@pytest.mark.parametrize(
    ("session_mode", "asked"),
    [
        ("pseudonymous", "attributed"),
        ("chatham-house", "attributed"),
        ("chatham-house", "pseudonymous"),
    ],
)
def test_an_export_is_never_less_private_than_the_session(
    session_mode: Attribution, asked: Attribution
) -> None:
    state = scene(session_mode)
    say(state, "ana", "Shops need footfall")
    with pytest.raises(ConsentError, match="more private, not less"):
        harvest_from_state(state, asked)


def test_off_record_withdrawn_and_hidden_contributions_are_never_exported() -> None:
    state = scene()
    say(state, "ana", "Kept")
    say(state, "ana", "Off the record", off_record=True)
    taken_back = say(state, "ben", "Taken back")
    ok(run(state, "ben", cmd.WithdrawContribution(taken_back), T0 + 3))
    rude = say(state, "ben", "Rude")
    ok(run(state, "host", cmd.HideContribution(rude), T0 + 3))
    harvest = harvest_from_state(state)
    assert [e.text for e in harvest.entries] == ["Kept"]
    assert [e.number for e in harvest.entries] == [1]


def test_a_phase_can_be_chatham_house_for_part_of_an_attributed_meeting() -> None:
    state = scene()
    say(state, "ana", "Named round")
    ok(run(state, "host", cmd.SetPhaseAttribution("p3", "chatham-house"), T0 + 3))
    ok(run(state, "host", cmd.OpenPhase("p3"), T0 + 3))
    say(state, "ana", "Unnamed round")
    assert authors(state) == {"Named round": "Ana", "Unnamed round": None}


def test_nothing_said_in_a_confidential_phase_is_exported() -> None:
    state = scene()
    ok(run(state, "host", cmd.SetPhaseAttribution("p3", "confidential"), T0 + 3))
    ok(run(state, "host", cmd.OpenPhase("p3"), T0 + 3))
    said = say(state, "ana", "Council round")
    assert state.contributions[said].off_record  # recorded for the live moment only
    harvest = harvest_from_state(state)
    assert harvest.entries == []
    assert next(p for p in harvest.phases if p.id == "p3").confidential


def test_a_phase_cannot_be_made_less_private_once_people_have_spoken_in_it() -> None:
    state = scene()
    ok(run(state, "host", cmd.SetPhaseAttribution("p2", "chatham-house"), T0 + 3))
    say(state, "ana", "Said trusting the rule")
    assert code(run(state, "host", cmd.SetPhaseAttribution("p2", None), T0 + 4)) == (
        "consent_locked"
    )
    assert authors(state) == {"Said trusting the rule": None}
    ok(run(state, "host", cmd.SetPhaseAttribution("p2", "confidential"), T0 + 4))
    assert authors(state) == {}


def test_only_the_lead_host_sets_a_phase_mode() -> None:
    state = scene()
    assert code(run(state, "ana", cmd.SetPhaseAttribution("p3", "confidential"), T0)) == (
        "not_allowed"
    )
    assert code(run(state, "host", cmd.SetPhaseAttribution("p9", "confidential"), T0)) == (
        "unknown_phase"
    )


def test_votes_rank_contributions_in_their_phase_most_dots_first() -> None:
    state = scene()
    first = say(state, "ana", "Market day")
    second = say(state, "ben", "Pop-up library")
    ok(run(state, "ana", cmd.CastVote(second, 3), T0 + 3))
    ok(run(state, "ben", cmd.CastVote(first, 1), T0 + 3))
    ok(run(state, "shy", cmd.CastVote(second, 1), T0 + 3))
    (round_1,) = [p for p in harvest_from_state(state).phases if p.id == "p2"]
    assert [(e.text, e.dots, e.voters) for e in round_1.ranking] == [
        ("Pop-up library", 4, 2),
        ("Market day", 1, 1),
    ]


def test_participation_is_counted_by_where_people_are_including_those_who_only_read() -> None:
    state = scene()
    say(state, "ana", "Only Ana spoke")
    harvest = harvest_from_state(state)
    assert (harvest.in_room, harvest.remote, harvest.contributors) == (3, 1, 1)


def test_responses_afterwards_are_marked_and_named_only_in_attributed_exports() -> None:
    state = scene()
    say(state, "ana", "Said on the day")
    ok(run(state, "host", cmd.PublishDigest("x" * 22), T0 + 3))
    ok(run(state, "host", cmd.SetResponseWindow("x" * 22, 7), T0 + 3))
    ok(run(state, None, cmd.RespondToDigest("x" * 22, "p2", "From afar", "Nia"), T0 + 4))
    (_, late) = harvest_from_state(state).entries
    assert (late.text, late.response, late.author) == ("From afar", True, "Nia")
    assert late.group_name == "Responses afterwards"
    assert authors(state, "pseudonymous")["From afar"] == "Respondent 1"
    assert authors(state, "chatham-house")["From afar"] is None
    ok(run(state, "host", cmd.SetPhaseAttribution("p2", "confidential"), T0 + 5))
    assert harvest_from_state(state).entries == []
