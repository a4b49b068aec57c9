"""Groups merged and split live: who moves where, what happens to notes, every refusal."""

from __future__ import annotations

import pytest

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.model import SessionState
from tests.domain_helpers import LIBRARY, Logged, code, ok, person, replay, run, session

CAST = (
    person("host", role="host"),
    person("cellhost", role="cell_host"),  # the village hall
    person("cellhost2", role="cell_host", cell=LIBRARY),
    person("scribe", role="table_host", group="t1"),
    person("ana", group="t1"),
    person("ben", where="remote", group="t1"),  # at home, on the hybrid table's remote seat
    person("cy", group="t2"),
    person("cat", group="t2"),
    person("dee", group="t3"),  # in the library
    person("eve", where="remote", group="o1"),
)


@pytest.fixture
def log() -> list[Logged]:
    return []


@pytest.fixture
def state(log: list[Logged]) -> SessionState:
    """Round 1 open, a note at each hall table."""
    state = session(*CAST, log=log)
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False), log=log))
    ok(run(state, "cy", cmd.PostContribution("note", "More benches"), log=log))
    ok(run(state, "ana", cmd.PostContribution("note", "Later buses"), log=log))
    return state


def members(state: SessionState, group_id: str) -> list[str]:
    return [p.id for p in state.participants.values() if p.group_id == group_id]


def note_of(state: SessionState, text: str) -> str:
    return next(c.id for c in state.contributions.values() if c.text == text)


# --- merge ---------------------------------------------------------------------------


def test_merging_moves_people_and_notes_and_closes_the_group(state: SessionState) -> None:
    benches = note_of(state, "More benches")
    events = ok(run(state, "host", cmd.MergeGroups("t2", "t1")))
    assert events == [
        ev.ParticipantMoved("cy", "t1", by="host"),
        ev.ParticipantMoved("cat", "t1", by="host"),
        ev.GroupsMerged("t2", "t1", [benches], by="host"),
    ]
    assert members(state, "t1") == ["scribe", "ana", "ben", "cy", "cat"]
    assert "t2" not in state.groups
    assert state.closed_groups["t2"].merged_into == "t1"
    note = state.contributions[benches]
    assert (note.group_id, note.earlier_groups, note.text) == ("t1", ["t2"], "More benches")


def test_a_merged_notes_history_survives_a_second_merge(state: SessionState) -> None:
    ok(run(state, "host", cmd.MergeGroups("t2", "t1")))
    ok(run(state, "host", cmd.CreateGroup("Big table", "venue-1", remote_seats=True)))
    big = next(g.id for g in state.groups.values() if g.name == "Big table")
    ok(run(state, "host", cmd.MergeGroups("t1", big)))
    note = state.contributions[note_of(state, "More benches")]
    assert (note.group_id, note.earlier_groups) == (big, ["t2", "t1"])


def test_a_merge_takes_the_closed_groups_call_for_the_host_along(state: SessionState) -> None:
    ok(run(state, "cy", cmd.CallHost("We need pens")))
    ok(run(state, "host", cmd.MergeGroups("t2", "t1")))
    assert state.calls[0].group_id == "t1"


def test_a_proposed_seating_at_a_closed_table_is_withdrawn(state: SessionState) -> None:
    ok(run(state, "host", cmd.ProposeSeating(seed=1)))
    assert state.seating is not None
    ok(run(state, "host", cmd.MergeGroups("t2", "t1")))
    assert state.seating is None


def test_a_cell_host_merges_within_their_venue_only(state: SessionState) -> None:
    ok(run(state, "cellhost", cmd.MergeGroups("t2", "t1")))
    assert code(run(state, "cellhost", cmd.MergeGroups("t3", "t1"))) == "not_allowed"
    assert code(run(state, "cellhost2", cmd.MergeGroups("t3", "t1"))) == "not_allowed"
    assert code(run(state, "cellhost2", cmd.MergeGroups("t1", "t3"))) == "not_allowed"


@pytest.mark.parametrize("who", ["scribe", "ana"])
def test_people_who_are_not_hosts_cannot_merge(state: SessionState, who: str) -> None:
    assert code(run(state, who, cmd.MergeGroups("t2", "t1"))) == "not_allowed"


def test_merging_a_group_into_itself_is_refused(state: SessionState) -> None:
    assert code(run(state, "host", cmd.MergeGroups("t1", "t1"))) == "same_group"


@pytest.mark.parametrize("pair", [("t9", "t1"), ("t2", "t9")])
def test_merging_an_unknown_group_is_refused(state: SessionState, pair: tuple[str, str]) -> None:
    assert code(run(state, "host", cmd.MergeGroups(*pair))) == "unknown_group"


def test_a_closed_group_cannot_be_merged_or_chosen_again(state: SessionState) -> None:
    ok(run(state, "host", cmd.MergeGroups("t2", "t1")))
    assert code(run(state, "host", cmd.MergeGroups("t2", "t1"))) == "unknown_group"
    assert code(run(state, "ana", cmd.ChooseGroup("t2"))) == "unknown_group"


def test_remote_people_are_not_merged_into_a_table_without_remote_seats(
    state: SessionState,
) -> None:
    assert code(run(state, "host", cmd.MergeGroups("t1", "t2"))) == "out_of_reach"
    ok(run(state, "host", cmd.MergeGroups("t2", "t1")))  # the other way round is fine


def test_a_merge_that_overfills_a_fishbowl_is_refused() -> None:
    inner = ev.GroupSpec("inner", "Inner circle", "venue-1", True, seats=2)
    outer = ev.GroupSpec("outer", "Outer circle", "venue-1", True)
    state = session(
        person("host", role="host"),
        person("a", group="inner"),
        person("b", group="outer"),
        person("c", group="outer"),
        format_id="fishbowl",
        groups=(inner, outer),
    )
    assert code(run(state, "host", cmd.MergeGroups("outer", "inner"))) == "group_full"


# --- split ---------------------------------------------------------------------------


def test_splitting_in_two_keeps_the_table_host_and_mixes_room_and_remote(
    state: SessionState,
) -> None:
    ok(run(state, "dee", cmd.ChooseGroup("t1")))  # a library visitor walks over: 4 in the room
    ok(run(state, "eve", cmd.ChooseGroup("t1")))  # and a second person at home
    events = ok(run(state, "host", cmd.SplitGroup("t1", 2)))
    (created,) = [e for e in events if isinstance(e, ev.GroupCreated)]
    new = created.group
    assert (new.name, new.cell_id, new.remote_seats) == ("Table 1 (2)", "venue-1", True)
    stay, moved = members(state, "t1"), members(state, new.id)
    assert "scribe" in stay
    assert sorted(stay + moved) == ["ana", "ben", "dee", "eve", "scribe"]
    for part in (stay, moved):
        wheres = {state.participants[p].where for p in part}
        assert wheres == {"room", "remote"}, part
    assert abs(len(stay) - len(moved)) <= 1
    assert state.contributions[note_of(state, "Later buses")].group_id == "t1"


def test_splitting_in_three_makes_three_groups_of_one() -> None:
    state = session(person("host", role="host"), *(person(n, group="t2") for n in "abc"))
    events = ok(run(state, "host", cmd.SplitGroup("t2", 3)))
    names = [e.group.name for e in events if isinstance(e, ev.GroupCreated)]
    assert names == ["Table 2 (2)", "Table 2 (3)"]
    sizes = sorted(
        len(members(state, g))
        for g in ("t2", *(e.group.id for e in events if isinstance(e, ev.GroupCreated)))
    )
    assert sizes == [1, 1, 1]


def test_chosen_people_go_to_a_named_new_group(state: SessionState) -> None:
    events = ok(
        run(state, "host", cmd.SplitGroup("t1", name="Bus group", participant_ids="ana, ben"))
    )
    created = events[0]
    assert isinstance(created, ev.GroupCreated) and created.group.name == "Bus group"
    assert members(state, created.group.id) == ["ana", "ben"]
    assert members(state, "t1") == ["scribe"]
    assert events[1:] == [
        ev.ParticipantMoved("ana", created.group.id, by="host"),
        ev.ParticipantMoved("ben", created.group.id, by="host"),
    ]


def test_a_split_with_chosen_people_and_no_name_gets_a_numbered_name(state: SessionState) -> None:
    (created, _) = ok(run(state, "host", cmd.SplitGroup("t1", participant_ids=["ana"])))
    assert isinstance(created, ev.GroupCreated) and created.group.name == "Table 1 (2)"


def test_choosing_someone_from_another_group_is_refused(state: SessionState) -> None:
    result = run(state, "host", cmd.SplitGroup("t1", name="X", participant_ids=["cy"]))
    assert code(result) == "not_in_group"


@pytest.mark.parametrize("parts", [1, 0, 13])
def test_a_split_into_too_few_or_too_many_parts_is_refused(state: SessionState, parts: int) -> None:
    assert code(run(state, "host", cmd.SplitGroup("t1", parts))) == "invalid_value"


def test_a_split_into_more_parts_than_people_is_refused(state: SessionState) -> None:
    assert code(run(state, "host", cmd.SplitGroup("t2", 3))) == "too_few_people"


def test_a_too_long_name_is_refused(state: SessionState) -> None:
    result = run(state, "host", cmd.SplitGroup("t1", name="x" * 201, participant_ids=["ana"]))
    assert code(result) == "text_too_long"


def test_a_cell_host_splits_within_their_venue_only(state: SessionState) -> None:
    ok(run(state, "cellhost", cmd.SplitGroup("t2", 2)))
    assert code(run(state, "cellhost", cmd.SplitGroup("t3", 1 + 1))) == "not_allowed"
    assert code(run(state, "scribe", cmd.SplitGroup("t1", 2))) == "not_allowed"


def test_splitting_an_unknown_group_is_refused(state: SessionState) -> None:
    assert code(run(state, "host", cmd.SplitGroup("t9", 2))) == "unknown_group"


def test_replaying_merges_and_splits_gives_the_same_state(
    state: SessionState, log: list[Logged]
) -> None:
    ok(run(state, "host", cmd.SplitGroup("t1", 2), log=log))
    ok(run(state, "cellhost", cmd.MergeGroups("t2", "t1"), log=log))
    ok(run(state, "host", cmd.SplitGroup("t1", name="Side table", participant_ids="cy"), log=log))
    assert replay(log) == state
