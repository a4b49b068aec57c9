"""A hall laptop's rules: it acts only for its venue, and its late words keep their phase."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostkit.domain import commands as cmd
from hostkit.domain.model import SessionState
from hostkit.domain.relaying import place, relayed_problem
from tests.domain_helpers import LIBRARY, T0, VENUE, code, ok, person, run, session


def hall() -> SessionState:
    """A hall laptop for the village hall, a phone in the hall, one in the library; round 1
    opened at T0 + 100 and closed at T0 + 200, round 2 open since T0 + 200."""
    state = session(
        person("host", role="host"),
        person("laptop", role="relay", cell=VENUE),
        person("rhian", cell=VENUE),
        person("iolo", cell=LIBRARY),
    )
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False), T0 + 100))
    ok(run(state, "host", cmd.OpenPhase("p3", timer=False, seat=False), T0 + 200))
    return state


def relayed(
    state: SessionState, who: str, command: cmd.AnyCommand, now: float
) -> list[object] | str:
    """Decide as the hub does for a command the laptop forwards on ``who``'s behalf."""
    refused = relayed_problem(
        state, state.participants["laptop"], state.participants.get(who), command
    )
    if refused is not None:
        return refused.code
    return list(ok(run(state, who, command, now)))


def test_a_note_written_in_a_closed_round_is_kept_in_that_round_marked_late() -> None:
    state = hall()
    note = cmd.PostContribution("note", "The bus stops at nine", written_at=T0 + 150)
    relayed(state, "rhian", note, T0 + 500)
    late = next(c for c in state.contributions.values() if c.author_id == "rhian")
    assert (late.phase_id, late.late, late.written_at, late.at) == ("p2", True, T0 + 150, T0 + 500)


def test_a_note_written_in_the_open_round_is_not_late() -> None:
    state = hall()
    relayed(state, "rhian", cmd.PostContribution("note", "Now", written_at=T0 + 300), T0 + 301)
    (c,) = state.contributions.values()
    assert (c.phase_id, c.late) == ("p3", False)


def test_a_time_in_the_future_or_before_any_phase_is_refused_and_changes_nothing() -> None:
    state = hall()
    future = cmd.PostContribution("note", "Tomorrow", written_at=T0 + 600)
    assert code(run(state, "rhian", future, T0 + 500)) == "written_in_future"
    before = cmd.PostContribution("note", "Too early", written_at=T0 + 50)
    assert code(run(state, "rhian", before, T0 + 500)) == "written_before_phase"
    assert not state.contributions


def test_only_a_hall_laptop_may_say_when_something_was_written() -> None:
    state = hall()
    note = cmd.PostContribution("note", "Back-dated", written_at=T0 + 150)
    refused = relayed_problem(state, None, state.participants["rhian"], note)
    assert refused is not None and refused.code == "not_allowed"


def test_a_laptop_acts_only_for_people_of_its_own_venue() -> None:
    state = hall()
    note = cmd.PostContribution("note", "From the library")
    assert relayed(state, "iolo", note, T0 + 300) == "not_allowed"
    assert relayed(state, "host", note, T0 + 300) == "not_allowed"
    assert relayed(state, "rhian", note, T0 + 300) != "not_allowed"


def test_a_laptop_joins_phones_into_its_venue_only() -> None:
    state = hall()
    join = cmd.JoinHall("a-phone-in-the-hall", "its-unguessable-nonce", "Siân")
    ok(run(state, "laptop", join, T0 + 300))
    joined = state.participants["a-phone-in-the-hall"]
    assert (joined.cell_id, joined.where, joined.role) == (VENUE, "room", "participant")
    at_library = cmd.JoinHall("another-phone-here", "its-unguessable-nonce", None, "t3")
    assert code(run(state, "laptop", at_library, T0 + 300)) == "unknown_group"
    assert code(run(state, "rhian", join, T0 + 300)) == "not_allowed"
    assert code(run(state, "laptop", join, T0 + 301)) == "already_joined"


def test_nobody_becomes_a_hall_laptop_and_a_laptop_becomes_nobody_else() -> None:
    state = hall()
    assert code(run(state, "host", cmd.SetRole("rhian", "relay"), T0 + 300)) == "not_allowed"
    assert code(run(state, "host", cmd.SetRole("laptop", "host"), T0 + 300)) == "not_allowed"


def test_a_late_note_takes_its_place_among_its_rounds_notes() -> None:
    state = hall()
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False), T0 + 300))
    for n, at in enumerate((T0 + 310, T0 + 330)):
        ok(run(state, "iolo", cmd.PostContribution("note", f"Library {n}"), at))
    ok(run(state, "host", cmd.OpenPhase("p3", timer=False, seat=False), T0 + 400))
    note = cmd.PostContribution("note", "Hall, offline", written_at=T0 + 320)
    relayed(state, "rhian", note, T0 + 500)
    order = place(list(state.contributions.values()))
    by_place = sorted(state.contributions.values(), key=lambda c: order[c.id])
    assert [c.text for c in by_place] == ["Library 0", "Hall, offline", "Library 1"]


def test_what_the_hall_made_offline_is_named_by_the_servers_ids_when_forwarded() -> None:
    from hostkit.relay.hall import in_server_ids

    made_there = {57: 63, 58: 64}.get  # hall seq -> the server's, once it has them
    vote = {"type": "cast_vote", "contribution_id": "c57", "dots": 1}
    assert in_server_ids(vote, 54, made_there) == {**vote, "contribution_id": "c63"}
    move = {"type": "move_participant", "participant_id": "p", "group_id": "g58"}
    assert in_server_ids(move, 54, made_there)["group_id"] == "g64"
    shared = {"type": "cast_vote", "contribution_id": "c12", "dots": 1}  # the server's own
    assert in_server_ids(shared, 54, made_there) == shared
    assert in_server_ids(vote, None, made_there) == vote  # decided online: already its ids
    seats = {"ana": "g58", "ben": "g12"}  # a hall round: at a table made offline, and not
    hall_round = {"type": "start_hall_round", "cell_id": "venue-1", "seats": seats}
    assert in_server_ids(hall_round, 54, made_there)["seats"] == {"ana": "g64", "ben": "g12"}


def test_hostkit_relay_refuses_a_link_that_is_not_a_venue_link(tmp_path: Path) -> None:
    from hostkit.cli import main

    for wrong in ("https://talk.example.org/s/SID/host?key=T", "not a link"):
        with pytest.raises(SystemExit, match="--upstream"):
            main(["relay", "--upstream", wrong, "--data", str(tmp_path)])
    assert not (tmp_path / "relay.db").exists()  # nothing made
