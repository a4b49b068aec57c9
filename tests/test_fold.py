"""Fold: state is a pure function of the log, and the timer reads time only as given."""

from __future__ import annotations

import copy
import typing

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.events import decode_event, encode_event, event_type
from hostkit.domain.fold import apply
from hostkit.domain.model import PLENARY, SessionState, Timer
from tests.domain_helpers import (
    T0,
    VENUE,
    Logged,
    code,
    fold,
    ok,
    person,
    replay,
    run,
    session,
)
from tests.format_helpers import busy_format_steps
from tests.mechanics_helpers import busy_mechanics_steps
from tests.report_helpers import busy_report_steps

PEOPLE = (
    person("host", role="host"),
    person("cellhost", role="cell_host"),
    person("scribe", role="table_host", group="t1"),
    person("ana", group="t1"),
    person("ben", where="remote", group="t1"),
    person("dee", group="t3"),
    person("gus", where="remote"),
)


def busy_log() -> tuple[SessionState, list[Logged]]:
    """A session that has been through every kind of event, with its log."""
    log: list[Logged] = []
    state = session(*PEOPLE, log=log)
    t = T0

    def go(actor: str, command: cmd.AnyCommand) -> list[ev.AnyEvent]:
        nonlocal t
        t += 7.5
        return ok(run(state, actor, command, t, command_id=f"k{len(log)}", log=log))

    go("host", cmd.OpenPhase("p1", timer=False, seat=False))
    go("host", cmd.StartTimer())
    go("gus", cmd.PostContribution("note", "Why now?"))
    go("host", cmd.OpenPhase("p2", timer=False, seat=False))
    go("host", cmd.StartTimer(600))
    (posted,) = go("ana", cmd.PostContribution("insight", "Shops need footfall"))
    assert isinstance(posted, ev.ContributionPosted)
    note = posted.contribution_id
    go("ben", cmd.PostContribution("photo", "Flipchart of ideas", photo_id="ph1"))
    (posted,) = go("ben", cmd.PostContribution("note", "Oops", off_record=True))
    assert isinstance(posted, ev.ContributionPosted)
    go("ben", cmd.WithdrawContribution(posted.contribution_id))
    (posted,) = go("dee", cmd.PostContribution("note", "Rude remark"))
    assert isinstance(posted, ev.ContributionPosted)
    go("host", cmd.HideContribution(posted.contribution_id))
    go("ben", cmd.CastVote(note, 3))
    go("gus", cmd.CastVote(note, 1))
    go("gus", cmd.CastVote(note, 0))
    go("host", cmd.SetDots("p2", 3))  # dot voting from now on in this phase
    go("gus", cmd.CastVote(note, 2))
    go("ben", cmd.React(note, "agree"))
    go("gus", cmd.React(note, "agree"))
    go("ben", cmd.React(note, "agree"))
    go("ana", cmd.RaiseHand())
    go("ben", cmd.RaiseHand())
    go("gus", cmd.RaiseHand())
    go("scribe", cmd.LowerHand("ana"))
    go("host", cmd.PauseTimer())
    go("host", cmd.ExtendTimer(120))
    go("host", cmd.StartTimer())
    go("cellhost", cmd.StartTimer(300, cell_id=VENUE))  # the hall's own timer
    go("cellhost", cmd.PauseTimer(cell_id=VENUE))
    go("cellhost", cmd.StopTimer(cell_id=VENUE))
    go("cellhost", cmd.MoveParticipant("ben", "t2"))
    go("gus", cmd.ChooseGroup("o1"))
    go("cellhost", cmd.Announce("Tea in five minutes"))
    go("cellhost", cmd.Announce("Tea in four minutes, sorry"))
    go("cellhost", cmd.EndAnnouncement(state.last_seq - 1))  # the first one, said wrongly
    (created,) = go("cellhost", cmd.CreateGroup("Garden", VENUE, remote_seats=True))
    assert isinstance(created, ev.GroupCreated)
    go("host", cmd.RenameGroup(created.group.id, "Garden table"))
    go("host", cmd.SetRole("ana", "table_host"))
    go("cellhost", cmd.MuteParticipant("ana"))
    go("host", cmd.RemoveParticipant("dee"))
    go("host", cmd.RotateToken("gus", "nonce-2"))
    go("host", cmd.StopTimer())
    go("host", cmd.SetPhaseAttribution("p3", "confidential"))
    go("host", cmd.PublishDigest("a-link-nobody-can-guess", "pseudonymous", T0 + 86400 * 30))
    go("host", cmd.RevokeDigest("a-link-nobody-can-guess"))
    go("host", cmd.PublishDigest("another-unguessable-link"))
    go("host", cmd.SetResponseWindow("another-unguessable-link", 14))
    go("host", cmd.SetRetention(30))
    go("host", cmd.SetLanguage("cy"))
    go("host", cmd.SetProjector("wall"))
    t += 7.5
    answer = cmd.RespondToDigest("another-unguessable-link", "p2", "I could not come, but…")
    ok(run(state, None, answer, t, log=log))
    go("host", cmd.ClosePhase("p2"))
    busy_format_steps(go)
    busy_mechanics_steps(go)
    busy_report_steps(go)
    return state, log


def test_the_busy_log_has_every_kind_of_event() -> None:
    _, log = busy_log()
    every = {str(e.__struct_config__.tag) for e in typing.get_args(ev.AnyEvent)}
    assert {event_type(entry.event) for entry in log} == every


def test_folding_the_same_log_twice_gives_equal_states() -> None:
    _, log = busy_log()
    assert replay(log) == replay(log)


def test_folding_the_log_gives_the_state_built_live() -> None:
    live, log = busy_log()
    assert replay(log) == live


@pytest.mark.parametrize("cut", [1, 5, 12, 20, 30, 40])
def test_a_stale_state_brought_up_to_date_equals_the_fold_of_the_whole_log(cut: int) -> None:
    _, log = busy_log()
    assert cut < len(log)
    stale = replay(log[:cut])
    assert replay(log[cut:], stale) == replay(log)


def test_a_stale_state_is_caught_up_from_every_point_of_the_log() -> None:
    _, log = busy_log()
    whole = replay(log)
    for cut in range(len(log) + 1):
        assert replay(log[cut:], replay(log[:cut])) == whole, cut


def test_events_read_back_from_storage_fold_to_the_same_state() -> None:
    _, log = busy_log()
    stored = [
        Logged(decode_event(encode_event(e.event)), e.seq, e.at, e.actor, e.command_id) for e in log
    ]
    assert stored == log
    assert replay(stored) == replay(log)


def test_folding_records_the_sequence_and_the_command_that_caused_it() -> None:
    state = session(person("host", role="host"))
    seq = state.last_seq
    ok(run(state, "host", cmd.Announce("Welcome"), T0 + 1, command_id="cmd-1"))
    assert state.last_seq == seq + 1
    assert state.commands[("host", "cmd-1")] == seq + 1
    assert state.announcements[0].seq == seq + 1


def test_apply_returns_the_state_it_folded_into() -> None:
    state = SessionState(id="s1")
    assert apply(state, ev.TimerStopped(), seq=1, at=T0) is state


def test_a_contribution_remembers_where_and_when_it_was_stored() -> None:
    state = session(person("host", role="host"), person("ana", group="t1"))
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False), T0))
    (posted,) = ok(run(state, "ana", cmd.PostContribution("note", "Hi"), T0 + 42))
    assert isinstance(posted, ev.ContributionPosted)
    stored = state.contributions[posted.contribution_id]
    assert (stored.seq, stored.at, stored.phase_id) == (state.last_seq, T0 + 42, "p2")


def test_a_raised_hand_remembers_when_it_went_up() -> None:
    state = session(person("gus", where="remote"))
    ok(run(state, "gus", cmd.RaiseHand(), T0 + 9))
    (hand,) = state.hands[PLENARY]
    assert (hand.participant_id, hand.raised_at, hand.seq) == ("gus", T0 + 9, state.last_seq)


def test_opening_a_phase_drops_the_previous_phases_timer() -> None:
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.OpenPhase("p1", timer=False, seat=False)))
    ok(run(state, "host", cmd.StartTimer()))
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False)))
    assert state.timer is None


def test_closing_a_phase_drops_only_its_own_timer() -> None:
    state = session()
    fold(state, ev.PhaseOpened("p2"), at=T0)
    fold(state, ev.TimerStarted("p2", 60.0), at=T0)
    fold(state, ev.PhaseClosed("p1"), at=T0)
    assert state.timer is not None
    fold(state, ev.PhaseClosed("p2"), at=T0)
    assert state.timer is None


def test_timer_events_without_a_timer_change_nothing() -> None:
    state = session()
    before = copy.deepcopy(state)
    fold(state, ev.TimerPaused(30.0), at=T0)
    fold(state, ev.TimerExtended(30), at=T0)
    before.last_seq = state.last_seq
    assert state == before


# --- the timer ----------------------------------------------------------------------


@pytest.fixture
def round1() -> SessionState:
    """World Café round 1 (20 minutes) open, no timer yet."""
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False), T0))
    return state


def remaining(state: SessionState, now: float) -> float:
    assert state.timer is not None
    return state.timer.remaining(now)


def test_a_running_timer_counts_down_from_when_it_started(round1: SessionState) -> None:
    ok(run(round1, "host", cmd.StartTimer(), T0 + 100))
    assert remaining(round1, T0 + 100) == 1200
    assert remaining(round1, T0 + 160) == 1140
    assert remaining(round1, T0 + 100 + 1200) == 0


def test_a_timer_that_ran_out_shows_zero_not_less(round1: SessionState) -> None:
    ok(run(round1, "host", cmd.StartTimer(60), T0))
    assert remaining(round1, T0 + 3600) == 0


def test_the_time_shown_depends_only_on_the_time_passed_in(round1: SessionState) -> None:
    ok(run(round1, "host", cmd.StartTimer(600), T0))
    readings = [remaining(round1, T0 + s) for s in (0, 300, 0, 300)]
    assert readings == [600, 300, 600, 300]
    assert round1.timer == Timer("p2", 600.0, T0, running=True)


def test_a_paused_timer_holds_its_remaining_time(round1: SessionState) -> None:
    ok(run(round1, "host", cmd.StartTimer(), T0))
    ok(run(round1, "host", cmd.PauseTimer(), T0 + 60))
    assert remaining(round1, T0 + 60) == 1140
    assert remaining(round1, T0 + 5000) == 1140


def test_a_resumed_timer_counts_down_from_where_it_was_paused(round1: SessionState) -> None:
    ok(run(round1, "host", cmd.StartTimer(), T0))
    ok(run(round1, "host", cmd.PauseTimer(), T0 + 60))
    assert ok(run(round1, "host", cmd.StartTimer(), T0 + 1000)) == [ev.TimerStarted("p2", 1140.0)]
    assert remaining(round1, T0 + 1000) == 1140
    assert remaining(round1, T0 + 1100) == 1040


def test_extending_a_running_timer_adds_to_what_is_left(round1: SessionState) -> None:
    ok(run(round1, "host", cmd.StartTimer(), T0))
    ok(run(round1, "host", cmd.ExtendTimer(60), T0 + 100))
    assert remaining(round1, T0 + 100) == 1160
    assert remaining(round1, T0 + 160) == 1100


def test_extending_a_paused_timer_adds_to_what_is_left(round1: SessionState) -> None:
    ok(run(round1, "host", cmd.StartTimer(), T0))
    ok(run(round1, "host", cmd.PauseTimer(), T0 + 200))
    ok(run(round1, "host", cmd.ExtendTimer(300), T0 + 250))
    assert remaining(round1, T0 + 999) == 1300
    ok(run(round1, "host", cmd.StartTimer(), T0 + 1000))
    assert remaining(round1, T0 + 1300) == 1000


def test_extending_a_timer_that_ran_out_gives_the_full_extension(round1: SessionState) -> None:
    ok(run(round1, "host", cmd.StartTimer(60), T0))
    assert remaining(round1, T0 + 90) == 0
    ok(run(round1, "host", cmd.ExtendTimer(60), T0 + 90))
    assert remaining(round1, T0 + 90) == 60
    assert remaining(round1, T0 + 120) == 30


def test_start_pause_extend_resume_walk(round1: SessionState) -> None:
    ok(run(round1, "host", cmd.StartTimer(), T0))  # 1200 s
    ok(run(round1, "host", cmd.PauseTimer(), T0 + 200))  # 1000 left
    ok(run(round1, "host", cmd.ExtendTimer(120), T0 + 300))  # 1120 left
    ok(run(round1, "host", cmd.StartTimer(), T0 + 400))  # resumes at 1120
    ok(run(round1, "host", cmd.ExtendTimer(30), T0 + 500))  # 1020 + 30 left
    assert remaining(round1, T0 + 500) == 1050
    ok(run(round1, "host", cmd.PauseTimer(), T0 + 550))
    assert remaining(round1, T0 + 9999) == 1000
    assert code(run(round1, "host", cmd.PauseTimer(), T0 + 600)) == "timer_not_running"


def test_the_timer_replays_to_the_same_reading() -> None:
    log: list[Logged] = []
    state = session(person("host", role="host"), log=log)
    for now, command in (
        (T0, cmd.OpenPhase("p2", timer=False, seat=False)),
        (T0 + 10, cmd.StartTimer()),
        (T0 + 70, cmd.PauseTimer()),
        (T0 + 80, cmd.ExtendTimer(45)),
        (T0 + 95, cmd.StartTimer()),
    ):
        ok(run(state, "host", command, now, log=log))
    assert replay(log).timer == state.timer
    assert remaining(replay(log), T0 + 200) == 1200 - 60 + 45 - 105


# --- any sequence of commands -------------------------------------------------------

ACTORS = ("host", "cellhost", "scribe", "ana", "ben", "dee", "gus")
TARGETS = ("ana", "ben", "dee", "gus", "scribe")
GROUPS = (None, "t1", "t2", "t3", "o1")
NOTES = tuple(f"c{i}" for i in range(1, 60))

COMMANDS = st.one_of(
    st.builds(
        cmd.PostContribution,
        st.sampled_from(["note", "question", "insight", "topic"]),
        st.sampled_from(["An idea", "", "A question?"]),
        off_record=st.booleans(),
    ),
    st.builds(cmd.WithdrawContribution, st.sampled_from(NOTES)),
    st.builds(cmd.HideContribution, st.sampled_from(NOTES)),
    st.builds(cmd.CastVote, st.sampled_from(NOTES), st.integers(-1, 4)),
    st.builds(cmd.React, st.sampled_from(NOTES), st.sampled_from(["agree", "heart"])),
    st.just(cmd.RaiseHand()),
    st.builds(cmd.LowerHand, st.sampled_from((None, *TARGETS))),
    st.builds(cmd.OpenPhase, st.sampled_from(["p1", "p2", "p3"])),
    st.builds(cmd.ClosePhase, st.sampled_from(["p1", "p2", "p3"])),
    st.builds(cmd.StartTimer, st.sampled_from([None, 60, 300])),
    st.just(cmd.PauseTimer()),
    st.builds(cmd.ExtendTimer, st.sampled_from([30, 60])),
    st.just(cmd.StopTimer()),
    st.builds(cmd.MoveParticipant, st.sampled_from(TARGETS), st.sampled_from(GROUPS)),
    st.builds(cmd.ChooseGroup, st.sampled_from(GROUPS)),
    st.builds(cmd.Announce, st.just("Hello")),
    st.builds(cmd.CreateGroup, st.just("New table"), st.sampled_from([VENUE, "online"])),
    st.builds(cmd.SetRole, st.sampled_from(TARGETS), st.sampled_from(["participant", "observer"])),
    st.builds(cmd.RemoveParticipant, st.sampled_from(TARGETS)),
    st.builds(cmd.MuteParticipant, st.sampled_from(TARGETS), st.booleans()),
)

STEPS = st.lists(st.tuples(st.sampled_from(ACTORS), COMMANDS, st.floats(0, 120)), max_size=60)


@settings(max_examples=150, deadline=None)
@given(steps=STEPS, cut=st.integers(0, 200))
def test_any_sequence_of_commands_folds_back_to_the_live_state(
    steps: list[tuple[str, cmd.AnyCommand, float]], cut: int
) -> None:
    log: list[Logged] = []
    state = session(*PEOPLE, log=log)
    now = T0
    for actor, command, wait in steps:
        now += wait
        run(state, actor, command, now, log=log)  # refusals are simply not logged
    assert replay(log) == state
    cut = min(cut, len(log))
    assert replay(log[cut:], replay(log[:cut])) == state
    assert sum(p.status == "open" for p in state.phases) <= 1
    raised = [h.participant_id for q in state.hands.values() for h in q]
    assert len(raised) == len(set(raised))
    assert not any(state.participants[p].removed for p in raised)
