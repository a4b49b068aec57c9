"""Format templates: the seven formats and the custom templates start sessions that work."""

from __future__ import annotations

import pytest

from hostkit.domain import commands as cmd
from hostkit.domain.fold import apply
from hostkit.domain.formats import CUSTOM_TEMPLATES, FORMATS, TEMPLATES, session_created
from hostkit.domain.model import CONTRIBUTION_KINDS, GROUPINGS, SessionState
from tests.domain_helpers import ok, person, run

IDS = ("circle", "world-cafe", "open-space", "pro-action-cafe", "fishbowl", "1-2-4-all", "custom")


def test_the_seven_format_identifiers_are_the_formats_offered() -> None:
    assert tuple(FORMATS) == IDS
    assert not set(CUSTOM_TEMPLATES) & set(FORMATS)
    assert set(CUSTOM_TEMPLATES) == {
        "collective-story-harvest",
        "appreciative-inquiry",
        "25-10-crowd-sourcing",
        "triz",
        "troika-consulting",
    }


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_every_template_starts_a_session_whose_phases_open_in_turn(template_id: str) -> None:
    created = session_created(title="Hall", format_id=template_id, join_code="ABCD-1234")
    state = apply(SessionState(id="s"), created, seq=1, at=0.0)
    assert state.format == template_id
    assert all(p.grouping in GROUPINGS for p in state.phases)
    assert all(set(p.allows) <= set(CONTRIBUTION_KINDS) for p in state.phases)
    assert all(p.duration_s > 0 and p.question for p in state.phases)
    ok(run(state, None, person("host", role="host")))
    for phase in state.phases:
        ok(run(state, "host", cmd.OpenPhase(phase.id)))
    assert state.phases[-1].status == "open"


def test_world_cafe_has_three_twenty_minute_table_rounds_and_a_harvest() -> None:
    phases = FORMATS["world-cafe"].phases
    rounds = [p for p in phases if p.grouping == "tables"]
    assert [p.minutes for p in rounds] == [20, 20, 20]
    assert len({p.question for p in rounds}) == 3
    assert phases[-1].grouping == "plenary" and "dots" in phases[-1].question


def test_a_circle_opens_with_its_agreements() -> None:
    first = FORMATS["circle"].phases[0]
    assert first.title == "Agreements"
    for agreement in ("confidential", "listen", "guardian", "pass"):
        assert agreement in first.question
    assert all(p.grouping == "circle" for p in FORMATS["circle"].phases)


def test_open_space_asks_for_short_topics_and_a_full_report() -> None:
    market, sessions = FORMATS["open-space"].phases[1:3]
    assert market.allows == ("topic",) and "seven words" in market.question
    for part in ("convener", "topic", "participants", "summary", "recommendations", "resources"):
        assert part in sessions.question
    assert sessions.grouping == "topics"


def test_pro_action_cafe_asks_its_three_questions_with_callers() -> None:
    template = FORMATS["pro-action-cafe"]
    questions = [p.question for p in template.phases if p.grouping == "tables"]
    assert questions[0] == "What is the quest behind the question?"
    assert questions[1] == "What is missing?"
    assert "next steps" in questions[2]
    assert "caller" in template.hats and "one caller for every four" in template.guide


def test_a_fishbowl_starts_with_an_inner_circle_with_remote_seats() -> None:
    created = session_created(title="Hall", format_id="fishbowl", join_code="ABCD-1234")
    state = apply(SessionState(id="s"), created, seq=1, at=0.0)
    assert "inner" in state.groups and state.groups["inner"].remote_seats
    assert "5 or 6 seats" in FORMATS["fishbowl"].guide


def test_1_2_4_all_goes_alone_pairs_fours_all() -> None:
    groupings = [p.grouping for p in FORMATS["1-2-4-all"].phases]
    assert groupings == ["plenary", "pairs", "fours", "plenary"]
    assert [p.minutes for p in FORMATS["1-2-4-all"].phases] == [1, 2, 4, 5]
