"""Opening a phase: its timer starts, and a café round seats people (phase and table rules)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import phase_rules, table_rules
from hostkit.domain.model import SessionState
from hostkit.domain.seating import meetings
from tests.domain_helpers import ONLINE, T0, VENUE, code, ok, person, run, session

ROOM = ("ann", "bob", "cat", "dan")
HOME = ("eli", "fox", "gil", "hal")


def cafe(*, groups: tuple[ev.GroupSpec, ...] = (), room: int = 4, home: int = 4) -> SessionState:
    """A World Café with a host, a projector, ``room`` people in the hall, ``home`` at home."""
    people = [person("host", role="host"), person("screen", name=None)]
    people += [person(p) for p in ROOM[:room]]
    people += [person(p, where="remote") for p in HOME[:home]]
    state = session(*people, venues=("Village hall",), groups=groups)
    state.participants["screen"].screen = True
    return state


def tables_of(state: SessionState) -> dict[str, list[str]]:
    seated: dict[str, list[str]] = {}
    for p in state.participants.values():
        if p.group_id is not None:
            seated.setdefault(p.group_id, []).append(p.id)
    return seated


def test_every_rejection_code_of_the_phase_and_table_rules_is_exercised_here() -> None:
    source = inspect.getsource(phase_rules) + inspect.getsource(table_rules)
    produced = set(re.findall(r'reject\(\s*"([a-z_]+)"', source))
    here = "".join(
        (Path(__file__).parent / name).read_text()
        for name in ("test_phase_rules.py", "test_formats_rules.py", "test_rules.py")
    )
    assert {"unknown_phase", "phase_already_open", "no_tables"} <= produced
    assert {c for c in produced if f'== "{c}"' not in here} == set()


def test_opening_a_phase_starts_its_timer_for_the_phases_duration() -> None:
    state = cafe()
    events = ok(run(state, "host", cmd.OpenPhase("p1")))
    assert events[0] == ev.PhaseOpened("p1")
    assert events[-1] == ev.TimerStarted("p1", 600.0)
    assert state.timer is not None and state.timer.running
    assert state.timer.remaining(T0 + 60) == 540.0


def test_the_host_may_open_a_phase_without_its_timer() -> None:
    state = cafe()
    events = ok(run(state, "host", cmd.OpenPhase("p1", timer=False)))
    assert events == [ev.PhaseOpened("p1")]
    assert state.timer is None


def test_opening_the_next_phase_starts_its_own_timer_in_place_of_the_last() -> None:
    state = cafe()
    ok(run(state, "host", cmd.OpenPhase("p1")))
    ok(run(state, "host", cmd.OpenPhase("p2", seat=False), now=T0 + 30))
    assert state.timer is not None and state.timer.phase_id == "p2"
    assert state.timer.remaining(T0 + 30) == 1200.0


def test_opening_an_open_phase_or_an_unknown_one_is_refused() -> None:
    state = cafe()
    ok(run(state, "host", cmd.OpenPhase("p1")))
    assert code(run(state, "host", cmd.OpenPhase("p1"))) == "phase_already_open"
    assert code(run(state, "host", cmd.OpenPhase("p9"))) == "unknown_phase"
    assert code(run(state, "ann", cmd.OpenPhase("p2"))) == "not_allowed"


def test_round_one_forms_room_and_online_tables_of_four_each_with_a_table_host() -> None:
    state = cafe()
    events = ok(run(state, "host", cmd.OpenPhase("p2")))
    created = [e.group for e in events if isinstance(e, ev.GroupCreated)]
    assert [(g.name, g.cell_id) for g in created] == [("Table 1", VENUE), ("Table 2", ONLINE)]
    seated = tables_of(state)
    assert sorted(seated[created[0].id]) == sorted(ROOM)
    assert sorted(seated[created[1].id]) == sorted(HOME)
    hosts = [p for p in state.participants.values() if p.role == "table_host"]
    assert sorted(h.group_id or "" for h in hosts) == sorted(g.id for g in created)
    assert state.participants["host"].group_id is None  # hosts and screens are not seated
    assert state.participants["screen"].group_id is None
    assert isinstance(events[-1], ev.TimerStarted)


def test_round_one_gives_remote_people_the_seats_of_the_hosts_hybrid_tables_first() -> None:
    hybrid = (
        ev.GroupSpec("t1", "Table 1", VENUE, remote_seats=True),
        ev.GroupSpec("t2", "Table 2", VENUE, remote_seats=True),
    )
    state = cafe(groups=hybrid)
    events = ok(run(state, "host", cmd.OpenPhase("p2")))
    assert not [e for e in events if isinstance(e, ev.GroupCreated)]  # the host's tables do
    seated = tables_of(state)
    for table in ("t1", "t2"):
        where = sorted(state.participants[p].where for p in seated[table])
        assert where == ["remote", "remote", "room", "room"]


def test_round_one_makes_tables_of_about_four_never_more_than_five() -> None:
    state = session(
        person("host", role="host"),
        *(person(f"r{n}") for n in range(11)),
        venues=("Village hall",),
        groups=(),
    )
    ok(run(state, "host", cmd.OpenPhase("p2")))
    sizes = sorted(len(m) for m in tables_of(state).values())
    assert sizes == [3, 4, 4]


def test_a_table_host_the_host_named_keeps_their_table_on_round_one() -> None:
    state = cafe(groups=(ev.GroupSpec("t1", "Table 1", VENUE),))
    ok(run(state, "host", cmd.SetRole("bob", "table_host")))
    ok(run(state, "host", cmd.MoveParticipant("bob", "t1")))
    events = ok(run(state, "host", cmd.OpenPhase("p2")))
    assert state.participants["bob"].group_id == "t1"
    assert not [e for e in events if isinstance(e, ev.RoleChanged) and e.participant_id in ROOM]


def test_later_rounds_move_travellers_to_meet_new_people_while_table_hosts_stay() -> None:
    hybrid = (
        ev.GroupSpec("t1", "Table 1", VENUE, remote_seats=True),
        ev.GroupSpec("t2", "Table 2", VENUE, remote_seats=True),
    )
    state = cafe(groups=hybrid)
    ok(run(state, "host", cmd.OpenPhase("p2")))
    hosts = {p.id: p.group_id for p in state.participants.values() if p.role == "table_host"}
    before = {p.id: p.group_id for p in state.participants.values()}
    events = ok(run(state, "host", cmd.OpenPhase("p3")))
    assert any(isinstance(e, ev.SeatingApplied) for e in events)
    after = {p.id: p.group_id for p in state.participants.values()}
    assert {p: after[p] for p in hosts} == hosts
    assert [p for p in after if after[p] != before[p]]  # travellers moved
    met = meetings(state.table_rounds)
    assert state.table_rounds and max(met.values()) >= 1


def test_a_later_round_applies_the_hosts_own_adjusted_proposal() -> None:
    state = cafe(groups=(ev.GroupSpec("t1", "Table 1", VENUE), ev.GroupSpec("t2", "T2", VENUE)))
    ok(run(state, "host", cmd.OpenPhase("p2")))
    ok(run(state, "host", cmd.ProposeSeating(seed=3)))
    ok(run(state, "host", cmd.AdjustSeating("cat", "t2")))
    ok(run(state, "host", cmd.OpenPhase("p3")))
    assert state.participants["cat"].group_id == "t2"
    assert state.seating is None


def test_the_host_may_open_a_cafe_round_without_seating_anyone() -> None:
    state = cafe()
    events = ok(run(state, "host", cmd.OpenPhase("p2", seat=False)))
    assert events == [ev.PhaseOpened("p2"), ev.TimerStarted("p2", 1200.0)]
    assert tables_of(state) == {}


def test_plenary_phases_seat_nobody_and_the_console_can_say_what_opening_does() -> None:
    state = cafe()
    phases = {p.id: p for p in state.phases}
    assert phase_rules.seating_on_opening(state, phases["p1"]) is None
    assert phase_rules.seating_on_opening(state, phases["p2"]) == "form_tables"
    ok(run(state, "host", cmd.OpenPhase("p1")))
    assert tables_of(state) == {}
    ok(run(state, "host", cmd.OpenPhase("p2")))
    assert phase_rules.seating_on_opening(state, phases["p3"]) == "move_travellers"
    ok(run(state, "host", cmd.OpenPhase("p5")))  # the harvest: everyone stays where they are
    assert len(tables_of(state)) == 2


def test_a_cafe_round_with_nobody_to_seat_just_opens() -> None:
    state = cafe(room=0, home=0)
    assert ok(run(state, "host", cmd.OpenPhase("p2", timer=False))) == [ev.PhaseOpened("p2")]
