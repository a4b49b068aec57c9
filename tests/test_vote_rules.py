"""Votes and dot voting: upvotes outside dot phases, a budget of dots inside them."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import vote_rules
from hostkit.domain.model import SessionState
from tests.domain_helpers import code, ok, person, run, session


@pytest.fixture
def cafe() -> SessionState:
    state = session(person("host", role="host"), person("ann"), person("bob", where="remote"))
    ok(run(state, "host", cmd.OpenPhase("p2", seat=False)))
    return state


def said(state: SessionState, author: str, text: str) -> str:
    (event,) = ok(run(state, author, cmd.PostContribution("insight", text)))
    assert isinstance(event, ev.ContributionPosted)
    return event.contribution_id


def harvest(state: SessionState) -> tuple[str, str, str]:
    """Three insights from round 1, then the harvest (3 dots each) opens."""
    ids = (said(state, "ann", "Buses"), said(state, "bob", "Shops"), said(state, "ann", "Park"))
    ok(run(state, "host", cmd.OpenPhase("p5")))
    return ids


def test_every_rejection_code_of_the_vote_rules_is_exercised_here() -> None:
    produced = set(re.findall(r'reject\(\s*"([a-z_]+)"', inspect.getsource(vote_rules)))
    here = Path(__file__).read_text()
    assert {"no_dots_left", "invalid_value", "unknown_phase"} <= produced
    assert {c for c in produced if f'== "{c}"' not in here} == set()


def test_the_world_cafe_harvest_gives_everyone_three_dots(cafe: SessionState) -> None:
    assert [p.dots for p in cafe.phases] == [0, 0, 0, 0, 3]


def test_dots_in_a_dot_phase_count_against_it_and_rank_the_insights(cafe: SessionState) -> None:
    buses, shops, park = harvest(cafe)
    ok(run(cafe, "ann", cmd.CastVote(shops, 2)))
    ok(run(cafe, "ann", cmd.CastVote(park, 1)))
    ok(run(cafe, "bob", cmd.CastVote(shops, 1)))
    assert code(run(cafe, "ann", cmd.CastVote(buses, 1))) == "no_dots_left"
    assert cafe.contributions[shops].votes == {"ann": 2, "bob": 1}
    assert cafe.phase("p5") is not None and cafe.phase("p5").ballots["ann"] == {shops: 2, park: 1}  # type: ignore[union-attr]


def test_taking_a_dot_back_frees_it_for_another_item(cafe: SessionState) -> None:
    buses, shops, _ = harvest(cafe)
    ok(run(cafe, "ann", cmd.CastVote(shops, 3)))
    ok(run(cafe, "ann", cmd.CastVote(shops, 2)))
    (event,) = ok(run(cafe, "ann", cmd.CastVote(buses, 1)))
    assert event == ev.VoteCast(buses, "ann", 1, "p5")
    assert cafe.contributions[shops].votes == {"ann": 2}


def test_a_vote_of_an_earlier_phase_does_not_use_up_the_dots(cafe: SessionState) -> None:
    buses = said(cafe, "ann", "Buses")
    ok(run(cafe, "bob", cmd.CastVote(buses, 3)))  # an upvote in round 1
    ok(run(cafe, "host", cmd.OpenPhase("p5")))
    ok(run(cafe, "bob", cmd.CastVote(buses, 3)))
    assert code(run(cafe, "bob", cmd.CastVote(buses, 4))) == "no_dots_left"
    assert code(run(cafe, "bob", cmd.CastVote(buses, -1))) == "invalid_value"


def test_outside_dot_voting_a_vote_is_one_to_three_dots(cafe: SessionState) -> None:
    buses = said(cafe, "ann", "Buses")
    assert code(run(cafe, "bob", cmd.CastVote(buses, 4))) == "invalid_value"
    ok(run(cafe, "bob", cmd.CastVote(buses, 3)))


def test_the_host_sets_the_dots_of_any_phase_and_nobody_else_may(cafe: SessionState) -> None:
    (event,) = ok(run(cafe, "host", cmd.SetDots("p2", 5)))
    assert event == ev.DotsSet("p2", 5)
    assert cafe.phase("p2") is not None and cafe.phase("p2").dots == 5  # type: ignore[union-attr]
    buses = said(cafe, "ann", "Buses")
    ok(run(cafe, "bob", cmd.CastVote(buses, 5)))
    assert code(run(cafe, "ann", cmd.SetDots("p2", 1))) == "not_allowed"
    assert code(run(cafe, "host", cmd.SetDots("p9", 1))) == "unknown_phase"
    assert code(run(cafe, "host", cmd.SetDots("p2", 11))) == "invalid_value"
    ok(run(cafe, "host", cmd.SetDots("p2", 0)))
    assert code(run(cafe, "bob", cmd.CastVote(buses, 5))) == "invalid_value"


def test_open_space_convergence_and_pro_action_next_steps_take_dots() -> None:
    for format_id, title in (("open-space", "Convergence"), ("pro-action-cafe", "Next steps")):
        state = session(person("host", role="host"), format_id=format_id)
        assert [p.dots for p in state.phases if p.title == title] == [3]
