"""Format rules: seating, talking piece, questions, phases, calls, topics, hats, hands."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import format_rules
from hostkit.domain.fold import apply
from hostkit.domain.formats import session_created
from hostkit.domain.model import PLENARY, SessionState
from hostkit.domain.seating import meetings, repeats
from tests.domain_helpers import LIBRARY, ONLINE, T0, VENUE, code, ok, person, run, session

CAST = (
    person("host", role="host"),
    person("cellhost", role="cell_host"),
    person("libhost", role="cell_host", cell=LIBRARY),
    person("scribe", role="table_host", group="t1"),
    person("ana", group="t1"),
    person("ben", where="remote", group="t1"),
    person("cy", group="t2"),
    person("dee", group="t2"),
    person("eve", where="remote", group="o1"),
    person("fay"),
    person("gus", where="remote"),
    person("obs", role="observer"),
)


@pytest.fixture
def state() -> SessionState:
    s = session(*CAST)
    ok(run(s, "host", cmd.OpenPhase("p2", timer=False, seat=False)))
    return s


def post(state: SessionState, author: str, kind: str, text: str) -> str:
    (event,) = ok(run(state, author, cmd.PostContribution(kind, text)))  # type: ignore[arg-type]
    assert isinstance(event, ev.ContributionPosted)
    return event.contribution_id


def test_every_rejection_code_of_the_format_rules_is_exercised_here() -> None:
    produced = set(re.findall(r'reject\(\s*"([a-z_]+)"', inspect.getsource(format_rules)))
    here = Path(__file__).read_text()
    assert produced
    assert {c for c in produced if f'== "{c}"' not in here} == set()


# --- seating -----------------------------------------------------------------------


def test_a_proposal_keeps_table_hosts_and_seats_people_where_they_can_reach(
    state: SessionState,
) -> None:
    (proposed,) = ok(run(state, "host", cmd.ProposeSeating(seed=3)))
    assert isinstance(proposed, ev.SeatingProposed)
    seats = proposed.seats
    assert seats["scribe"] == "t1"
    assert seats["eve"] in ("o1", "t1") and seats["ben"] in ("o1", "t1")  # online or remote seats
    assert seats["ana"] in ("t1", "t2") and seats["fay"] in ("t1", "t2")  # the hall's tables
    assert "host" not in seats and "obs" not in seats
    assert state.seating is not None and state.seating.seats == seats


def test_applying_a_seating_moves_everyone_and_remembers_the_round(state: SessionState) -> None:
    before = {p: state.participants[p].group_id for p in ("scribe", "ana", "ben", "cy", "dee")}
    ok(run(state, "host", cmd.ProposeSeating(seed=1)))
    ok(run(state, "host", cmd.AdjustSeating("fay", "t2")))
    assert state.seating is not None
    seats = dict(state.seating.seats)
    ok(run(state, "host", cmd.ApplySeating()))
    assert {p: state.participants[p].group_id for p in seats} == seats
    assert state.participants["fay"].group_id == "t2"
    assert state.seating is None
    assert before.items() <= state.table_rounds[-1].items()


def test_the_next_proposal_counts_meetings_of_past_rounds(state: SessionState) -> None:
    for seed in (5, 6):
        ok(run(state, "host", cmd.ProposeSeating(seed=seed)))
        ok(run(state, "host", cmd.ApplySeating()))
    assert len(state.table_rounds) == 2
    current = {p.id: p.group_id for p in state.participants.values() if p.group_id}
    (proposed,) = ok(run(state, "host", cmd.ProposeSeating(seed=7)))
    assert isinstance(proposed, ev.SeatingProposed)
    met = meetings([*state.table_rounds, {p: g for p, g in current.items() if g}])
    assert proposed.repeats == repeats(proposed.seats, met) >= proposed.best


def test_seating_needs_a_proposal_tables_and_a_reachable_table(state: SessionState) -> None:
    assert code(run(state, "host", cmd.ApplySeating())) == "no_seating"
    assert code(run(state, "host", cmd.AdjustSeating("ana", "t2"))) == "no_seating"
    ok(run(state, "host", cmd.ProposeSeating()))
    assert code(run(state, "host", cmd.AdjustSeating("ana", "o1"))) == "out_of_reach"
    assert code(run(state, "host", cmd.AdjustSeating("ana", "nowhere"))) == "unknown_group"
    assert code(run(state, "host", cmd.AdjustSeating("zed", "t2"))) == "unknown_participant"
    assert code(run(state, "host", cmd.ProposeSeating(table_size=1))) == "invalid_value"
    empty = session(person("host", role="host"), person("ana"), groups=())
    assert code(run(empty, "host", cmd.ProposeSeating())) == "no_tables"


def test_pairs_then_fours_for_1_2_4_all(state: SessionState) -> None:
    (formed,) = ok(run(state, "host", cmd.FormGroups(2, seed=1)))
    assert isinstance(formed, ev.GroupsFormed)
    pairs = {g.id: [p for p, s in formed.seats.items() if s == g.id] for g in formed.groups}
    assert all(len(m) in (2, 3) for m in pairs.values())
    for members in pairs.values():  # never a pair across the hall and someone's kitchen
        assert len({state.participants[p].cell_id for p in members}) == 1
    (fours,) = ok(run(state, "host", cmd.FormGroups(4, seed=2)))
    assert isinstance(fours, ev.GroupsFormed)
    for members in pairs.values():
        assert len({fours.seats[p] for p in members}) == 1  # a pair stays together
    assert code(run(state, "host", cmd.FormGroups(3))) == "invalid_value"
    alone = session(person("host", role="host"), person("ana"))
    assert code(run(alone, "host", cmd.FormGroups(2))) == "too_few_people"


# --- talking piece -----------------------------------------------------------------


def test_the_talking_piece_goes_round_room_and_remote_alternating(state: SessionState) -> None:
    ok(run(state, "scribe", cmd.SetSpeakingOrder("t1", turn_s=90)))
    piece = state.talking["t1"]
    assert piece.order == ["scribe", "ben", "ana"] and piece.holder == "scribe"
    assert code(run(state, "ana", cmd.PassTalkingPiece("t1"))) == "not_holder"
    ok(run(state, "scribe", cmd.PassTalkingPiece("t1")))
    ok(run(state, "ben", cmd.PassTalkingPiece("t1", passed=True)))
    assert piece.holder == "ana" and piece.passed == ["ben"]
    ok(run(state, "ana", cmd.PassTalkingPiece("t1")))
    assert piece.holder is None
    assert code(run(state, "ana", cmd.PassTalkingPiece("t1"))) == "no_talking_piece"


def test_a_host_sets_the_order_and_may_bring_remote_first(state: SessionState) -> None:
    ok(run(state, "host", cmd.SetSpeakingOrder(None, room_first=False)))
    assert state.talking[PLENARY].order == ["gus", "host", "cellhost", "libhost", "fay"]
    order = cmd.SetSpeakingOrder("t1", order=["ana", "ben"])
    assert code(run(state, "host", order)) == "order_incomplete"
    assert code(run(state, "cy", cmd.SetSpeakingOrder("t1"))) == "not_allowed"
    assert code(run(state, "host", cmd.SetSpeakingOrder("t9"))) == "unknown_group"
    assert code(run(state, "host", cmd.SetSpeakingOrder("t3"))) == "too_few_people"
    assert code(run(state, "host", cmd.SetSpeakingOrder("t1", turn_s=0))) == "invalid_value"


def test_the_piece_skips_someone_removed(state: SessionState) -> None:
    ok(run(state, "host", cmd.SetSpeakingOrder("t1", order=["ana", "ben", "scribe"])))
    ok(run(state, "host", cmd.RemoveParticipant("ben")))
    ok(run(state, "ana", cmd.PassTalkingPiece("t1")))
    assert state.talking["t1"].holder == "scribe"


def test_someone_arriving_mid_round_speaks_last_and_someone_leaving_is_skipped(
    state: SessionState,
) -> None:
    ok(run(state, "host", cmd.SetSpeakingOrder("t1", order=["ana", "ben", "scribe"])))
    ok(run(state, "cy", cmd.ChooseGroup("t1")))
    ok(run(state, None, person("hal", group="t1")))
    assert state.talking["t1"].order == ["ana", "ben", "scribe", "cy", "hal"]
    ok(run(state, "ben", cmd.ChooseGroup("t2")))
    ok(run(state, "ana", cmd.PassTalkingPiece("t1")))
    assert state.talking["t1"].holder == "scribe"


# --- questions ---------------------------------------------------------------------


def test_questions_are_upvoted_and_the_host_marks_one_answered(state: SessionState) -> None:
    q = post(state, "ana", "question", "Who pays?")
    ok(run(state, "ben", cmd.CastVote(q)))
    ok(run(state, "scribe", cmd.MarkAnswered(q, "answering")))
    assert state.contributions[q].answer == "answering"
    ok(run(state, "host", cmd.MarkAnswered(q)))
    assert state.contributions[q].answer == "answered"
    note = post(state, "ana", "note", "Not a question")
    assert code(run(state, "host", cmd.MarkAnswered(note))) == "unknown_question"
    assert code(run(state, "libhost", cmd.MarkAnswered(q))) == "not_allowed"


# --- phases ------------------------------------------------------------------------


def test_the_host_adds_edits_moves_and_removes_phases(state: SessionState) -> None:
    (added,) = ok(
        run(state, "host", cmd.AddPhase("Tea", "Tea?", 600, "plenary", "note, insight", 1))
    )
    assert isinstance(added, ev.PhaseAdded)
    new = added.phase.id
    assert state.phases[1].id == new and state.phases[1].allows == ["note", "insight"]
    ok(run(state, "host", cmd.EditPhase(new, question="Tea or coffee?", grouping="tables")))
    assert state.phases[1].question == "Tea or coffee?" and state.phases[1].grouping == "tables"
    ok(run(state, "host", cmd.MovePhase(new, 0)))
    assert state.phases[0].id == new
    ok(run(state, "host", cmd.RemovePhase(new)))
    assert state.phase(new) is None


def test_bad_phase_edits_change_nothing(state: SessionState) -> None:
    phases = [p.id for p in state.phases]
    assert code(run(state, "host", cmd.AddPhase("", "Q?", 60))) == "text_empty"
    assert code(run(state, "host", cmd.AddPhase("T", "Q?", 0))) == "invalid_value"
    assert code(run(state, "host", cmd.AddPhase("T", "Q?", 60, allows="notes"))) == "invalid_value"
    assert code(run(state, "host", cmd.AddPhase("T", "Q?", 60, position=99))) == "invalid_value"
    assert code(run(state, "host", cmd.EditPhase("p99", title="X"))) == "unknown_phase"
    assert code(run(state, "host", cmd.RemovePhase("p99"))) == "unknown_phase"
    assert code(run(state, "host", cmd.RemovePhase("p2"))) == "phase_open"
    post(state, "ana", "note", "Said in round 1")
    ok(run(state, "host", cmd.OpenPhase("p3", timer=False, seat=False)))
    assert code(run(state, "host", cmd.RemovePhase("p2"))) == "phase_has_harvest"
    assert code(run(state, "host", cmd.MovePhase("p99", 0))) == "unknown_phase"
    assert code(run(state, "host", cmd.MovePhase("p1", 9))) == "invalid_value"
    assert code(run(state, "cellhost", cmd.AddPhase("T", "Q?", 60))) == "not_allowed"
    assert [p.id for p in state.phases] == phases


# --- call links and calling the host -------------------------------------------------


def test_a_table_host_sets_their_tables_call_link(state: SessionState) -> None:
    ok(run(state, "scribe", cmd.SetCallUrl("t1", "https://meet.example/t1")))
    assert state.groups["t1"].call_url == "https://meet.example/t1"
    assert code(run(state, "scribe", cmd.SetCallUrl("t2", "https://x.example"))) == "not_allowed"
    assert code(run(state, "host", cmd.SetCallUrl("t1", "javascript:alert(1)"))) == "invalid_url"
    assert code(run(state, "host", cmd.SetCallUrl("t9", None))) == "unknown_group"
    ok(run(state, "host", cmd.SetCallUrl("t1", None)))
    assert state.groups["t1"].call_url is None


def test_a_group_calls_the_host_and_a_host_answers(state: SessionState) -> None:
    (called,) = ok(run(state, "ben", cmd.CallHost("We can't hear the room")))
    assert isinstance(called, ev.HostCalled) and called.group_id == "t1"
    assert code(run(state, "ben", cmd.CallHost())) == "already_calling"
    assert code(run(state, "libhost", cmd.ResolveCall(called.call_id))) == "not_allowed"
    ok(run(state, "cellhost", cmd.ResolveCall(called.call_id)))
    assert code(run(state, "host", cmd.ResolveCall(called.call_id))) == "unknown_call"
    assert code(run(state, "ana", cmd.CallHost("x" * 201))) == "text_too_long"


# --- Open Space --------------------------------------------------------------------


def test_topics_are_placed_in_the_grid_and_people_join_with_two_feet(state: SessionState) -> None:
    ok(run(state, "host", cmd.AddPhase("Market", "Topics?", 600, "plenary", ["topic"])))
    ok(run(state, "host", cmd.OpenPhase(state.phases[-1].id)))
    bus = post(state, "gus", "topic", "Late buses home")
    shop = post(state, "ana", "topic", "Empty shops")
    (placed,) = ok(run(state, "host", cmd.PlaceTopic(bus, "10:00", "Online 1", ONLINE)))
    assert isinstance(placed, ev.TopicPlaced)
    group = placed.group.id
    assert state.groups[group].name == "Late buses home" and state.groups[group].slot == "10:00"
    assert (
        code(run(state, "host", cmd.PlaceTopic(shop, "10:00", "Online 1", ONLINE))) == "slot_taken"
    )
    ok(run(state, "cellhost", cmd.PlaceTopic(shop, "10:00", "Stage")))
    ok(run(state, "host", cmd.PlaceTopic(bus, "11:00", "Online 1")))  # moved, same group
    assert state.groups[group].slot == "11:00" and state.groups[group].cell_id == ONLINE
    ok(run(state, "eve", cmd.ChooseGroup(group)))
    assert state.participants["eve"].group_id == group
    assert code(run(state, "host", cmd.PlaceTopic("c9999", "1", "2"))) == "unknown_topic"
    assert code(run(state, "host", cmd.PlaceTopic(shop, " ", "Stage"))) == "invalid_value"
    assert code(run(state, "host", cmd.PlaceTopic(shop, "9", "Hall", "mars"))) == "unknown_cell"
    assert code(run(state, "libhost", cmd.PlaceTopic(shop, "9", "Hall", VENUE))) == "not_allowed"


def test_hostkit_places_waiting_topics_in_the_first_free_cells(state: SessionState) -> None:
    ok(run(state, "host", cmd.AddPhase("Market", "Topics?", 600, "plenary", ["topic"])))
    ok(run(state, "host", cmd.OpenPhase(state.phases[-1].id)))
    topics = [post(state, "gus", "topic", t) for t in ("Buses", "Shops", "Repair café", "Parks")]
    ok(run(state, "host", cmd.PlaceTopic(topics[1], "10:00", "Hall")))
    events = ok(run(state, "cellhost", cmd.PlaceTopics("10:00, 11:00", "Hall, Garden")))
    grid = {g.topic_id: (g.slot, g.space) for g in state.groups.values() if g.topic_id}
    assert len(events) == 3 and len({g.id for g in state.groups.values()}) == len(state.groups)
    assert grid == {
        topics[1]: ("10:00", "Hall"),
        topics[0]: ("10:00", "Garden"),
        topics[2]: ("11:00", "Hall"),
        topics[3]: ("11:00", "Garden"),
    }
    assert code(run(state, "host", cmd.PlaceTopics("12:00", "Hall"))) == "unknown_topic"
    post(state, "gus", "topic", "One more")
    assert code(run(state, "host", cmd.PlaceTopics("10:00", "Hall"))) == "slot_taken"
    assert code(run(state, "host", cmd.PlaceTopics(" , ", "Hall"))) == "invalid_value"


# --- hats and hands ----------------------------------------------------------------


def test_the_host_gives_and_takes_hats(state: SessionState) -> None:
    ok(run(state, "host", cmd.SetHat("eve", "bridge")))
    ok(run(state, "cellhost", cmd.SetHat("ana", "room_buddy")))
    assert state.participants["eve"].hats == ["bridge"]
    assert code(run(state, "host", cmd.SetHat("eve", "bridge"))) == "already_there"
    assert code(run(state, "libhost", cmd.SetHat("ana", "scribe"))) == "not_allowed"
    assert code(run(state, "host", cmd.SetHat("zed", "scribe"))) == "unknown_participant"
    ok(run(state, "host", cmd.SetHat("eve", "bridge", on=False)))
    assert state.participants["eve"].hats == []


def test_the_host_brings_remote_voices_first_and_reorders_the_queue(state: SessionState) -> None:
    for who in ("fay", "host", "gus"):
        ok(run(state, who, cmd.RaiseHand()))
    ok(run(state, "host", cmd.SortHands(None, "remote")))
    assert [h.participant_id for h in state.hands[PLENARY]] == ["gus", "fay", "host"]
    ok(run(state, "host", cmd.MoveHand("host", 0)))
    assert [h.participant_id for h in state.hands[PLENARY]] == ["host", "gus", "fay"]
    assert code(run(state, "host", cmd.MoveHand("ana", 0))) == "hand_not_raised"
    assert code(run(state, "host", cmd.MoveHand("gus", 5))) == "invalid_value"
    assert code(run(state, "scribe", cmd.MoveHand("gus", 0))) == "not_allowed"
    assert code(run(state, "scribe", cmd.SortHands(None))) == "not_allowed"
    assert code(run(state, "host", cmd.SortHands("t9"))) == "unknown_group"


def test_a_handler_given_another_command_refuses_it_as_unknown() -> None:
    state = session(person("host", role="host"))
    handler = format_rules.HANDLERS["sort_hands"]
    refused = handler(state, state.participants["host"], cmd.RaiseHand(), T0)
    assert code(refused) == "unknown_command"
    assert state.hands == {}


def test_the_fishbowl_inner_circle_takes_six_and_then_someone_must_leave() -> None:
    created = session_created(title="Bowl", format_id="fishbowl", join_code="ABCD-1234")
    state = apply(SessionState(id="s"), created, seq=1, at=T0)
    names = [f"p{n}" for n in range(7)]
    for name in names:
        ok(run(state, None, person(name, where="remote" if name == "p6" else "room")))
    for name in names[:6]:
        ok(run(state, name, cmd.ChooseGroup("inner")))
    assert code(run(state, "p6", cmd.ChooseGroup("inner"))) == "group_full"
    ok(run(state, "p0", cmd.ChooseGroup(None)))  # someone leaves the circle
    ok(run(state, "p6", cmd.ChooseGroup("inner")))  # and the remote person takes the chair
