"""The console's next step: the one button a host presses while a session runs."""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain.next_step import next_step
from tests.domain_helpers import T0, ok, person, run, session


def test_before_anything_opens_the_step_is_the_first_phase() -> None:
    state = session(person("host", role="host"))
    step = next_step(state, T0)
    assert (step.label % step.values, step.command) == ("Open Welcome", cmd.OpenPhase("p1"))


def test_a_cafe_round_says_it_forms_tables_then_moves_travellers() -> None:
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.OpenPhase("p1")))
    step = next_step(state, T0)
    assert step.label % step.values == "Open Round 1 and form tables"
    assert step.command == cmd.OpenPhase("p2")
    ok(run(state, "host", cmd.OpenPhase("p2")))
    step = next_step(state, T0)
    assert step.label % step.values == "Open Round 2 and move travellers"
    assert step.command == cmd.OpenPhase("p3")


def test_the_step_uses_the_hosts_own_phase_title() -> None:
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.EditPhase("p1", title="Tea and welcome")))
    step = next_step(state, T0)
    assert step.label % step.values == "Open Tea and welcome"


def test_the_last_phase_open_means_closing_it_then_the_harvest() -> None:
    state = session(person("host", role="host"))
    last = state.phases[-1].id
    ok(run(state, "host", cmd.OpenPhase(last)))
    step = next_step(state, T0)
    assert (step.label % step.values, step.command) == ("Close Harvest", cmd.ClosePhase(last))
    ok(run(state, "host", cmd.ClosePhase(last)))
    step = next_step(state, T0)
    assert step.command is None and step.page == "harvest"


def test_a_phase_skipped_earlier_is_not_offered_after_a_later_one() -> None:
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.OpenPhase("p3")))
    assert next_step(state, T0).command == cmd.OpenPhase("p4")


def test_a_circle_is_just_opened_no_tables_promised() -> None:
    state = session(person("host", role="host"), format_id="circle")
    step = next_step(state, T0)
    assert step.label % step.values == "Open Agreements"


def test_time_up_is_flagged_when_the_open_phases_timer_ran_out() -> None:
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.OpenPhase("p2")))
    ok(run(state, "host", cmd.StartTimer(60), T0))
    assert not next_step(state, T0 + 30).time_up
    assert next_step(state, T0 + 61).time_up


def test_a_session_without_phases_asks_for_one() -> None:
    state = session(person("host", role="host"), format_id="custom")
    for phase in list(state.phases):
        ok(run(state, "host", cmd.RemovePhase(phase.id)))
    step = next_step(state, T0)
    assert step.command is None and step.page == "phases"


def test_a_host_switches_the_projector_and_a_participant_cannot() -> None:
    state = session(person("host", role="host"), person("ann"))
    assert state.projector == "question"
    ok(run(state, "host", cmd.SetProjector("wall")))
    assert state.projector == "wall"
    refused = run(state, "ann", cmd.SetProjector("blank"))
    assert not isinstance(refused, list) and refused.code == "not_allowed"
    assert state.projector == "wall"
