"""A hall runs its own timer and rounds: its hosts only, its people only, late as it was."""

from __future__ import annotations

import pytest

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.model import SessionState
from hostkit.domain.rejections import Rejection
from hostkit.domain.relaying import relayed_problem
from hostkit.live.view import shown_timer, snapshot
from tests.domain_helpers import LIBRARY, T0, VENUE, code, ok, person, run, session


def hall() -> SessionState:
    """Round 2 open since T0 + 100 with its 20-minute timer; in the village hall a cell host,
    its laptop, a table host at each table and three travellers; in the library, Iolo."""
    state = session(
        person("host", role="host"),
        person("cellhost", role="cell_host", cell=VENUE),
        person("laptop", role="relay", cell=VENUE),
        person("libhost", role="cell_host", cell=LIBRARY),
        person("th1", role="table_host", group="t1"),
        person("th2", role="table_host", group="t2"),
        person("ana", group="t1"),
        person("ben", group="t1"),
        person("cai", group="t2"),
        person("iolo", group="t3"),
        person("gus", where="remote", group="o1"),
    )
    ok(run(state, "host", cmd.OpenPhase("p2", seat=False), T0 + 100))
    return state


def relayed(
    state: SessionState, who: str, command: cmd.AnyCommand, now: float
) -> list[ev.AnyEvent] | Rejection:
    """Decide as the hub does for a command the hall's laptop forwards for ``who``."""
    refused = relayed_problem(state, state.participants["laptop"], state.participants[who], command)
    return refused if refused is not None else run(state, who, command, now)


def left(state: SessionState, now: float, cell: str = VENUE) -> float:
    return state.venue_timers[cell].remaining(now)


# --- the venue's timer ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["host", "cellhost", "laptop"])
def test_the_lead_host_the_halls_cell_host_and_its_laptop_run_the_halls_timer(who: str) -> None:
    state = hall()
    ok(run(state, who, cmd.StartTimer(600, cell_id=VENUE), T0 + 200))
    assert left(state, T0 + 260) == 540
    assert state.timer is not None and state.timer.remaining(T0 + 260) == 1200 - 160  # untouched
    ok(run(state, who, cmd.PauseTimer(cell_id=VENUE), T0 + 300))
    ok(run(state, who, cmd.ExtendTimer(120, cell_id=VENUE), T0 + 400))
    assert left(state, T0 + 1000) == 620  # paused: 500 left, and 2 minutes more
    ok(run(state, who, cmd.StartTimer(cell_id=VENUE), T0 + 1000))  # resume
    assert left(state, T0 + 1020) == 600
    ok(run(state, who, cmd.StopTimer(cell_id=VENUE), T0 + 1030))
    assert VENUE not in state.venue_timers


@pytest.mark.parametrize("who", ["libhost", "ana", "th1"])
def test_nobody_else_runs_a_halls_timer(who: str) -> None:
    state = hall()
    assert code(run(state, who, cmd.StartTimer(600, cell_id=VENUE), T0 + 200)) == "not_allowed"
    assert state.venue_timers == {}


@pytest.mark.parametrize("who", ["cellhost", "laptop"])
def test_a_halls_hosts_never_run_the_sessions_timer(who: str) -> None:
    state = hall()
    for command in (cmd.PauseTimer(), cmd.ExtendTimer(60), cmd.StopTimer(), cmd.StartTimer(60)):
        assert code(run(state, who, command, T0 + 200)) == "not_allowed"
    ok(run(state, "host", cmd.PauseTimer(), T0 + 200))  # the lead host still does


def test_a_venue_timer_needs_a_venue_a_length_and_a_timer_to_act_on() -> None:
    state = hall()
    assert code(run(state, "host", cmd.StartTimer(60, cell_id="nowhere"), T0)) == "unknown_cell"
    assert code(run(state, "cellhost", cmd.StartTimer(cell_id=VENUE), T0)) == "invalid_value"
    assert code(run(state, "cellhost", cmd.StartTimer(0, cell_id=VENUE), T0)) == "invalid_value"
    for command in (
        cmd.PauseTimer(cell_id=VENUE),
        cmd.ExtendTimer(60, cell_id=VENUE),
        cmd.StopTimer(cell_id=VENUE),
    ):
        assert code(run(state, "cellhost", command, T0 + 200)) == "timer_not_running"
    ok(run(state, "cellhost", cmd.StartTimer(60, cell_id=VENUE), T0 + 200))
    again = cmd.StartTimer(cell_id=VENUE)
    assert code(run(state, "cellhost", again, T0 + 210)) == "timer_running"


def test_a_new_phase_puts_every_venue_back_on_the_sessions_timer() -> None:
    state = hall()
    ok(run(state, "cellhost", cmd.StartTimer(600, cell_id=VENUE), T0 + 200))
    ok(run(state, "host", cmd.OpenPhase("p3", seat=False), T0 + 300))
    assert state.venue_timers == {}


def test_only_a_halls_laptop_says_when_the_timer_was_started() -> None:
    state = hall()
    said = cmd.StartTimer(600, cell_id=VENUE, written_at=T0 + 150)
    refused = relayed_problem(state, None, state.participants["cellhost"], said)
    assert refused is not None and refused.code == "not_allowed"
    session_timer = cmd.PauseTimer(written_at=T0 + 150)
    assert code(run(state, "host", session_timer, T0 + 200)) == "invalid_value"


def test_a_timer_the_hall_started_offline_ends_when_it_ended_in_the_hall() -> None:
    state = hall()
    started = cmd.StartTimer(600, cell_id=VENUE, written_at=T0 + 200)
    ok(relayed(state, "cellhost", started, T0 + 440))  # forwarded 4 minutes later
    assert left(state, T0 + 440) == 360  # 6 minutes left, as in the hall
    extended = cmd.ExtendTimer(300, cell_id=VENUE, written_at=T0 + 850)
    ok(relayed(state, "cellhost", extended, T0 + 900))  # run out at T0 + 800: 5 more from 850
    assert left(state, T0 + 900) == 300 - 50
    paused = cmd.PauseTimer(cell_id=VENUE, written_at=T0 + 950)
    ok(relayed(state, "cellhost", paused, T0 + 1000))
    assert left(state, T0 + 5000) == 200  # paused where the hall paused it
    assert not state.venue_timers[VENUE].running


def test_a_timer_forwarded_after_it_would_have_run_out_has_run_out() -> None:
    state = hall()
    started = cmd.StartTimer(60, cell_id=VENUE, written_at=T0 + 200)
    ok(relayed(state, "cellhost", started, T0 + 2000))
    assert left(state, T0 + 2000) == 0


def test_a_hall_timer_from_the_future_or_before_the_phase_opened_is_refused() -> None:
    state = hall()
    future = cmd.StartTimer(600, cell_id=VENUE, written_at=T0 + 900)
    assert code(relayed(state, "cellhost", future, T0 + 500)) == "written_in_future"
    ok(run(state, "host", cmd.OpenPhase("p3", seat=False), T0 + 600))
    before = cmd.StartTimer(600, cell_id=VENUE, written_at=T0 + 550)
    assert code(relayed(state, "cellhost", before, T0 + 700)) == "written_before_phase"
    assert state.venue_timers == {}


def test_people_in_the_hall_see_its_timer_the_lead_host_and_other_venues_the_sessions() -> None:
    state = hall()
    ok(run(state, "cellhost", cmd.StartTimer(300, cell_id=VENUE), T0 + 200))
    now = T0 + 260
    shown = {who: shown_timer(state, state.participants[who], now) for who in state.participants}
    assert (
        shown["ana"]
        == shown["cellhost"]
        == {
            "phase_id": "",
            "running": True,
            "remaining_s": 240.0,
            "ends_at": T0 + 500,
            "cell_id": VENUE,
        }
    )
    for who in ("host", "iolo", "gus"):
        timer = shown[who]
        assert timer is not None and timer["phase_id"] == "p2"
    view = snapshot(state, now=now, viewer="iolo")
    assert view["venue_timers"] == {
        VENUE: {"running": True, "remaining_s": 240.0, "ends_at": T0 + 500}
    }


# --- a new round in the hall ---------------------------------------------------------------


def test_a_hall_round_mixes_the_halls_travellers_and_its_table_hosts_stay() -> None:
    state = hall()
    before = {p.id: p.group_id for p in state.participants.values()}
    (started,) = ok(run(state, "cellhost", cmd.StartHallRound(VENUE), T0 + 200))
    assert isinstance(started, ev.HallRoundStarted)
    assert set(started.seats) == {"th1", "th2", "ana", "ben", "cai"}  # the hall's people
    assert set(started.seats.values()) == {"t1", "t2"}  # the hall's tables
    assert (started.seats["th1"], started.seats["th2"]) == ("t1", "t2")
    assert any(started.seats[p] != before[p] for p in ("ana", "ben", "cai"))  # travellers
    for who in ("iolo", "gus", "cellhost", "laptop"):
        assert state.participants[who].group_id == before[who]  # elsewhere: nobody moves
    assert state.table_rounds[-1] == {
        "th1": "t1",
        "th2": "t2",
        "ana": "t1",
        "ben": "t1",
        "cai": "t2",
    }


@pytest.mark.parametrize("who", ["libhost", "ana", "th1"])
def test_only_the_halls_hosts_and_the_lead_host_start_a_round_there(who: str) -> None:
    state = hall()
    assert code(run(state, who, cmd.StartHallRound(VENUE), T0 + 200)) == "not_allowed"


def test_a_hall_round_needs_a_venue_with_two_tables() -> None:
    state = hall()
    assert code(run(state, "libhost", cmd.StartHallRound(LIBRARY), T0)) == "no_tables"
    assert code(run(state, "host", cmd.StartHallRound("online"), T0)) == "unknown_cell"


def test_the_round_a_hall_seated_offline_is_seated_as_the_hall_saw_it() -> None:
    state = hall()
    ok(run(state, "host", cmd.RemoveParticipant("cai"), T0 + 150))  # meanwhile, upstream
    seats = {"th1": "t1", "th2": "t2", "ana": "t2", "ben": "t2", "cai": "t1"}
    (started,) = ok(relayed(state, "cellhost", cmd.StartHallRound(VENUE, seats), T0 + 200))
    assert started == ev.HallRoundStarted(VENUE, {k: v for k, v in seats.items() if k != "cai"})
    assert state.participants["ana"].group_id == "t2"


@pytest.mark.parametrize(
    "seats", [{"iolo": "t1"}, {"ana": "t3"}, {"gus": "t1"}, {"ana": "no-such-table"}]
)
def test_a_halls_own_seating_never_moves_others_or_leaves_the_hall(seats: dict[str, str]) -> None:
    state = hall()
    assert code(run(state, "cellhost", cmd.StartHallRound(VENUE, seats), T0 + 200)) in (
        "not_allowed",
        "unknown_group",
    )
    assert state.participants["ana"].group_id == "t1"


def test_a_hall_round_keeps_the_lead_hosts_proposal_for_the_session() -> None:
    state = hall()
    ok(run(state, "host", cmd.ProposeSeating(seed=3), T0 + 150))
    ok(run(state, "cellhost", cmd.StartHallRound(VENUE), T0 + 200))
    assert state.seating is not None
