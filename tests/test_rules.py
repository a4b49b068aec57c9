"""Rules: what each command yields, and every reason the session refuses one."""

from __future__ import annotations

import ast
import copy
import inspect
import re
from pathlib import Path
from types import ModuleType

import msgspec
import pytest

from hostkit.domain import commands as cmd
from hostkit.domain import dispatch, guards, posting, rules
from hostkit.domain import events as ev
from hostkit.domain.commands import MAX_NAME, MAX_TEXT, MAX_TIMER_S, MAX_TITLE
from hostkit.domain.fold import apply
from hostkit.domain.model import PLENARY, SessionState
from hostkit.domain.rejections import Rejection
from hostkit.domain.rules import decide
from tests.domain_helpers import LIBRARY, ONLINE, T0, VENUE, code, ok, person, run, session

# The people of the standard session (see domain_helpers for its cells and groups).
CAST = (
    person("host", role="host"),  # lead host, in the hall, not at a table
    person("cellhost", role="cell_host"),  # hosts the village hall
    person("cellhost2", role="cell_host", cell=LIBRARY),  # hosts the library
    person("scribe", role="table_host", group="t1"),  # table host of the hybrid table
    person("scribe2", role="table_host", group="t2"),
    person("ana", group="t1"),  # in the hall, at the hybrid table
    person("ben", where="remote", group="t1"),  # at home, on a remote seat at the same table
    person("cy", group="t2"),
    person("dee", group="t3"),  # in the library
    person("eve", where="remote", group="o1"),  # at home, in the online room
    person("fay"),  # in the hall, plenary
    person("gus", where="remote"),  # at home, plenary
    person("obs", role="observer"),
)


@pytest.fixture
def state() -> SessionState:
    return session(*CAST)


@pytest.fixture
def live(state: SessionState) -> SessionState:
    """The standard session with World Café round 1 (tables) open."""
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False)))
    return state


def post(state: SessionState, author: str, text: str = "A thought", **kw: object) -> str:
    """Post a note (or another kind) and return the new contribution's id."""
    command = cmd.PostContribution(kw.pop("kind", "note"), text, **kw)  # type: ignore[arg-type]
    (event,) = ok(run(state, author, command))
    assert isinstance(event, ev.ContributionPosted)
    return event.contribution_id


def queue(state: SessionState, group_id: str | None) -> list[str]:
    return [h.participant_id for h in state.hands.get(group_id or PLENARY, [])]


# --- every code is exercised -------------------------------------------------------


RULE_TESTS = ("test_rules.py", "test_roles.py", "test_group_merge_split.py")


@pytest.mark.parametrize("module", [rules, posting, guards, dispatch, *rules.CONCERNS])
def test_every_rejection_code_of_every_rule_module_is_exercised(module: ModuleType) -> None:
    """Each code a rule module gives is asserted by a test of the rules somewhere."""
    produced = set(re.findall(r'reject\(\s*"([a-z_]+)"', inspect.getsource(module)))
    tests = Path(__file__).parent
    files = [*(tests / n for n in RULE_TESTS), *tests.glob("test_*_rules.py")]
    here = "".join(f.read_text() for f in files)
    assert {c for c in produced if f'== "{c}"' not in here} == set()


# --- join ---------------------------------------------------------------------------


def test_joining_in_the_room_puts_a_person_in_the_first_venue(state: SessionState) -> None:
    ok(run(state, None, person("hal")))
    assert state.participants["hal"].cell_id == VENUE
    assert state.participants["hal"].group_id is None
    assert state.participants["hal"].joined_at == T0


def test_joining_remotely_puts_a_person_in_the_online_cell(state: SessionState) -> None:
    ok(run(state, None, person("ida", where="remote")))
    assert state.participants["ida"].cell_id == ONLINE


def test_joining_a_table_puts_a_person_in_that_tables_venue(state: SessionState) -> None:
    ok(run(state, None, person("jo", where="remote", group="t1", cell=ONLINE)))
    assert (state.participants["jo"].cell_id, state.participants["jo"].group_id) == (VENUE, "t1")


def test_a_remote_join_without_an_online_cell_lands_in_a_venue() -> None:
    state = apply(
        SessionState(id="s1"),
        ev.SessionCreated(
            "t", "", "", "custom", "attributed", "X", [ev.CellSpec("hall", "Hall", "venue")], []
        ),
        seq=1,
        at=T0,
    )
    ok(run(state, None, person("kit", where="remote")))
    assert state.participants["kit"].cell_id == "hall"


def test_an_anonymous_join_records_no_name(state: SessionState) -> None:
    ok(run(state, None, person("anon", name=None)))
    assert state.participants["anon"].name is None


def test_a_joining_name_is_trimmed(state: SessionState) -> None:
    ok(run(state, None, person("liz", name="  Liz  ")))
    assert state.participants["liz"].name == "Liz"


def test_a_blank_name_is_refused_with_name_empty(state: SessionState) -> None:
    assert code(run(state, None, person("liz", name="   "))) == "name_empty"


def test_a_name_longer_than_the_limit_is_refused_with_name_too_long(state: SessionState) -> None:
    assert code(run(state, None, person("liz", name="L" * (MAX_NAME + 1)))) == "name_too_long"
    ok(run(state, None, person("liz", name="L" * MAX_NAME)))


def test_joining_twice_is_refused_with_already_joined(state: SessionState) -> None:
    assert code(run(state, None, person("ana"))) == "already_joined"


def test_joining_an_unknown_venue_is_refused_with_unknown_cell(state: SessionState) -> None:
    assert code(run(state, None, person("mo", cell="venue-9"))) == "unknown_cell"


def test_joining_a_session_without_any_venue_is_refused_with_unknown_cell() -> None:
    assert code(run(SessionState(id="empty"), None, person("mo"))) == "unknown_cell"


def test_joining_an_unknown_group_is_refused_with_unknown_group(state: SessionState) -> None:
    assert code(run(state, None, person("mo", group="t9"))) == "unknown_group"


# --- who may speak at all -----------------------------------------------------------


def test_someone_who_never_joined_is_refused_with_unknown_participant(
    live: SessionState,
) -> None:
    assert code(run(live, "nobody", cmd.RaiseHand())) == "unknown_participant"
    assert code(decide(live, None, cmd.RaiseHand(), now=T0)) == "unknown_participant"


@pytest.mark.parametrize(
    "command",
    [
        cmd.PostContribution("note", "Let me back in"),
        cmd.RaiseHand(),
        cmd.CastVote("c1"),
        cmd.Announce("Hello"),
    ],
)
def test_a_removed_participant_is_refused_with_removed(
    live: SessionState, command: cmd.AnyCommand
) -> None:
    ok(run(live, "host", cmd.SetRole("ana", "cell_host")))  # removal outranks any role
    ok(run(live, "host", cmd.RemoveParticipant("ana")))
    assert code(run(live, "ana", command)) == "removed"


def test_a_command_the_rules_do_not_know_is_refused_with_unknown_command(
    live: SessionState,
) -> None:
    class Impostor(cmd.Command, tag="announce", frozen=True):
        text: str

    result = decide(live, live.participants["host"], Impostor("hi"), now=T0)  # type: ignore[arg-type]
    assert code(result) == "unknown_command"


# --- post_contribution --------------------------------------------------------------


def test_a_participant_posts_a_note_to_their_own_table(live: SessionState) -> None:
    seq = live.last_seq
    (event,) = ok(run(live, "ana", cmd.PostContribution("note", "More benches"), T0 + 5))
    assert event == ev.ContributionPosted(
        f"c{seq + 1}", "note", "More benches", "ana", "t1", "p2", off_record=False
    )
    posted = live.contributions[f"c{seq + 1}"]
    assert (posted.seq, posted.at, posted.group_id) == (seq + 1, T0 + 5, "t1")


def test_a_remote_participant_posts_to_the_same_table_as_the_room(live: SessionState) -> None:
    ana, ben = post(live, "ana"), post(live, "ben")
    assert live.contributions[ana].group_id == live.contributions[ben].group_id == "t1"


def test_a_participant_without_a_group_posts_to_the_plenary(live: SessionState) -> None:
    assert live.contributions[post(live, "gus")].group_id is None


def test_an_off_record_contribution_keeps_its_flag(live: SessionState) -> None:
    assert live.contributions[post(live, "ana", off_record=True)].off_record


def test_a_post_before_any_phase_opens_is_refused_with_phase_closed(
    state: SessionState,
) -> None:
    assert code(run(state, "ana", cmd.PostContribution("note", "Early"))) == "phase_closed"


def test_a_post_after_the_phase_closed_is_refused_with_phase_closed(live: SessionState) -> None:
    ok(run(live, "host", cmd.ClosePhase("p2")))
    assert code(run(live, "ana", cmd.PostContribution("note", "Late"))) == "phase_closed"


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_post_is_refused_with_text_empty(live: SessionState, text: str) -> None:
    assert code(run(live, "ana", cmd.PostContribution("note", text))) == "text_empty"


def test_a_post_longer_than_the_limit_is_refused_with_text_too_long(live: SessionState) -> None:
    long = cmd.PostContribution("note", "x" * (MAX_TEXT + 1))
    assert code(run(live, "ana", long)) == "text_too_long"
    ok(run(live, "ana", cmd.PostContribution("note", "x" * MAX_TEXT)))


def test_a_photo_with_a_description_is_posted(live: SessionState) -> None:
    photo = cmd.PostContribution("photo", "Our flipchart", photo_id="ph1")
    (event,) = ok(run(live, "scribe", photo))
    assert isinstance(event, ev.ContributionPosted)
    assert live.contributions[event.contribution_id].photo_id == "ph1"


@pytest.mark.parametrize("description", ["", "  "])
def test_photo_without_description_is_refused_with_description_required(
    live: SessionState, description: str
) -> None:
    photo = cmd.PostContribution("photo", description, photo_id="ph1")
    assert code(run(live, "scribe", photo)) == "description_required"


def test_a_photo_description_longer_than_the_limit_is_refused_with_text_too_long(
    live: SessionState,
) -> None:
    photo = cmd.PostContribution("photo", "x" * (MAX_TEXT + 1), photo_id="ph1")
    assert code(run(live, "scribe", photo)) == "text_too_long"


def test_a_photo_not_yet_uploaded_is_refused_with_photo_missing(live: SessionState) -> None:
    photo = cmd.PostContribution("photo", "Our flipchart")
    assert code(run(live, "scribe", photo)) == "photo_missing"


def test_a_note_carrying_a_photo_is_refused_with_invalid_value(live: SessionState) -> None:
    note = cmd.PostContribution("note", "Look", photo_id="ph1")
    assert code(run(live, "ana", note)) == "invalid_value"


def test_a_kind_the_phase_does_not_take_is_refused_with_kind_not_allowed(
    live: SessionState,
) -> None:
    assert code(run(live, "ana", cmd.PostContribution("topic", "Parking"))) == "kind_not_allowed"


def test_the_open_space_marketplace_takes_only_topics() -> None:
    state = session(person("host", role="host"), person("ana"), format_id="open-space")
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False)))
    assert code(run(state, "ana", cmd.PostContribution("note", "Hm"))) == "kind_not_allowed"
    ok(run(state, "ana", cmd.PostContribution("topic", "Empty shops")))


def test_a_muted_participant_is_refused_with_muted(live: SessionState) -> None:
    ok(run(live, "host", cmd.MuteParticipant("ana")))
    assert code(run(live, "ana", cmd.PostContribution("note", "Hello?"))) == "muted"


def test_posting_to_another_group_is_refused_with_not_allowed(live: SessionState) -> None:
    elsewhere = cmd.PostContribution("note", "Psst", group_id="t2")
    assert code(run(live, "ana", elsewhere)) == "not_allowed"
    assert code(run(live, "scribe", elsewhere)) == "not_allowed"


def test_posting_without_naming_a_group_goes_to_your_own_group(
    live: SessionState,
) -> None:
    # group_id=None means "my own group", so only an explicit group can be another one
    assert live.contributions[post(live, "ana", group_id=None)].group_id == "t1"


def test_posting_to_an_unknown_group_is_refused_with_unknown_group(live: SessionState) -> None:
    nowhere = cmd.PostContribution("note", "Hello", group_id="t9")
    assert code(run(live, "ana", nowhere)) == "unknown_group"


def test_the_host_may_post_to_any_group(live: SessionState) -> None:
    assert live.contributions[post(live, "host", group_id="t3")].group_id == "t3"


def test_a_cell_host_posts_only_to_groups_in_their_own_venue(live: SessionState) -> None:
    assert live.contributions[post(live, "cellhost", group_id="t2")].group_id == "t2"
    other_venue = cmd.PostContribution("note", "Hi", group_id="t3")
    assert code(run(live, "cellhost", other_venue)) == "not_allowed"


# --- withdraw_contribution ----------------------------------------------------------


def test_the_author_withdraws_their_own_contribution(live: SessionState) -> None:
    note = post(live, "ben")
    assert ok(run(live, "ben", cmd.WithdrawContribution(note))) == [ev.ContributionWithdrawn(note)]
    assert live.contributions[note].withdrawn


@pytest.mark.parametrize("who", ["ana", "scribe", "cellhost", "host"])
def test_withdraw_by_anyone_but_the_author_is_refused_with_not_author(
    live: SessionState, who: str
) -> None:
    note = post(live, "ben")
    assert code(run(live, who, cmd.WithdrawContribution(note))) == "not_author"
    assert not live.contributions[note].withdrawn


def test_withdrawing_twice_is_refused_with_unknown_contribution(live: SessionState) -> None:
    note = post(live, "ana")
    ok(run(live, "ana", cmd.WithdrawContribution(note)))
    assert code(run(live, "ana", cmd.WithdrawContribution(note))) == "unknown_contribution"


def test_withdraw_all_takes_back_every_contribution_of_the_author_and_no_one_elses(
    live: SessionState,
) -> None:
    mine = [post(live, "ben"), post(live, "ben")]
    theirs = post(live, "ana")
    assert ok(run(live, "ben", cmd.WithdrawAll())) == [ev.ContributionWithdrawn(c) for c in mine]
    assert all(live.contributions[c].withdrawn for c in mine)
    assert not live.contributions[theirs].withdrawn


def test_withdraw_all_with_nothing_said_is_refused_with_nothing_to_withdraw(
    live: SessionState,
) -> None:
    assert code(run(live, "ben", cmd.WithdrawAll())) == "nothing_to_withdraw"


def test_withdrawing_something_that_never_existed_is_refused_with_unknown_contribution(
    live: SessionState,
) -> None:
    assert code(run(live, "ana", cmd.WithdrawContribution("c999"))) == "unknown_contribution"


# --- hide_contribution --------------------------------------------------------------


def test_a_table_host_hides_a_contribution_at_their_own_table(live: SessionState) -> None:
    note = post(live, "ben")
    assert ok(run(live, "scribe", cmd.HideContribution(note))) == [
        ev.ContributionHidden(note, by="scribe")
    ]
    assert live.contributions[note].hidden


def test_a_table_host_cannot_hide_a_contribution_at_another_table(live: SessionState) -> None:
    note = post(live, "cy")
    assert code(run(live, "scribe", cmd.HideContribution(note))) == "not_allowed"
    assert not live.contributions[note].hidden


def test_a_cell_host_hides_contributions_only_in_their_own_venue(live: SessionState) -> None:
    hall, library = post(live, "cy"), post(live, "dee")
    ok(run(live, "cellhost", cmd.HideContribution(hall)))
    assert code(run(live, "cellhost", cmd.HideContribution(library))) == "not_allowed"
    ok(run(live, "cellhost2", cmd.HideContribution(library)))


def test_only_the_lead_host_hides_a_plenary_contribution(live: SessionState) -> None:
    note = post(live, "fay")
    assert code(run(live, "cellhost", cmd.HideContribution(note))) == "not_allowed"
    ok(run(live, "host", cmd.HideContribution(note)))


def test_a_participant_cannot_hide_a_contribution(live: SessionState) -> None:
    note = post(live, "ben")
    assert code(run(live, "ana", cmd.HideContribution(note))) == "not_allowed"


def test_a_hidden_contribution_can_no_longer_be_voted_on_or_withdrawn(
    live: SessionState,
) -> None:
    note = post(live, "ana")
    ok(run(live, "host", cmd.HideContribution(note)))
    assert code(run(live, "ben", cmd.CastVote(note))) == "unknown_contribution"
    assert code(run(live, "ben", cmd.React(note, "heart"))) == "unknown_contribution"
    assert code(run(live, "host", cmd.HideContribution(note))) == "unknown_contribution"
    assert code(run(live, "ana", cmd.WithdrawContribution(note))) == "unknown_contribution"


# --- cast_vote ----------------------------------------------------------------------


@pytest.mark.parametrize("dots", [1, 2, 3])
def test_a_vote_of_one_to_three_dots_is_counted(live: SessionState, dots: int) -> None:
    note = post(live, "ana")
    ok(run(live, "ben", cmd.CastVote(note, dots)))
    assert live.contributions[note].votes == {"ben": dots}


@pytest.mark.parametrize("dots", [-1, 4, 100])
def test_a_vote_outside_zero_to_three_dots_is_refused_with_invalid_value(
    live: SessionState, dots: int
) -> None:
    note = post(live, "ana")
    assert code(run(live, "ben", cmd.CastVote(note, dots))) == "invalid_value"
    assert live.contributions[note].votes == {}


def test_voting_again_replaces_the_earlier_vote(live: SessionState) -> None:
    note = post(live, "ana")
    ok(run(live, "ben", cmd.CastVote(note, 3)))
    ok(run(live, "ben", cmd.CastVote(note, 1)))
    ok(run(live, "gus", cmd.CastVote(note, 2)))
    assert live.contributions[note].votes == {"ben": 1, "gus": 2}


def test_a_vote_of_zero_dots_takes_the_vote_back(live: SessionState) -> None:
    note = post(live, "ana")
    ok(run(live, "ben", cmd.CastVote(note, 2)))
    ok(run(live, "ben", cmd.CastVote(note, 0)))
    assert live.contributions[note].votes == {}


def test_a_vote_on_a_withdrawn_contribution_is_refused_with_unknown_contribution(
    live: SessionState,
) -> None:
    note = post(live, "ana")
    ok(run(live, "ana", cmd.WithdrawContribution(note)))
    assert code(run(live, "ben", cmd.CastVote(note))) == "unknown_contribution"


# --- react --------------------------------------------------------------------------


def test_reacting_twice_toggles_the_reaction_off(live: SessionState) -> None:
    note = post(live, "ana")
    assert ok(run(live, "ben", cmd.React(note, "heart"))) == [
        ev.ReactionToggled(note, "ben", "heart", on=True)
    ]
    assert live.contributions[note].reactions == {"heart": ["ben"]}
    assert ok(run(live, "ben", cmd.React(note, "heart"))) == [
        ev.ReactionToggled(note, "ben", "heart", on=False)
    ]
    assert live.contributions[note].reactions == {}


def test_reactions_of_different_people_and_kinds_are_kept_apart(live: SessionState) -> None:
    note = post(live, "ana")
    ok(run(live, "ben", cmd.React(note, "heart")))
    ok(run(live, "gus", cmd.React(note, "heart")))
    ok(run(live, "gus", cmd.React(note, "thanks")))
    ok(run(live, "ben", cmd.React(note, "heart")))
    assert live.contributions[note].reactions == {"heart": ["gus"], "thanks": ["gus"]}


def test_a_reaction_to_a_missing_contribution_is_refused_with_unknown_contribution(
    live: SessionState,
) -> None:
    assert code(run(live, "ben", cmd.React("c999", "agree"))) == "unknown_contribution"


# --- raise_hand / lower_hand --------------------------------------------------------


def test_the_plenary_queue_is_first_come_first_served_across_room_and_remote(
    state: SessionState,
) -> None:
    ok(run(state, "gus", cmd.RaiseHand(), T0 + 1))  # remote
    ok(run(state, "fay", cmd.RaiseHand(), T0 + 2))  # room
    ok(run(state, "host", cmd.RaiseHand(), T0 + 3))  # room
    assert queue(state, None) == ["gus", "fay", "host"]
    assert [h.raised_at for h in state.hands[PLENARY]] == [T0 + 1, T0 + 2, T0 + 3]
    ok(run(state, "gus", cmd.LowerHand(), T0 + 4))
    assert queue(state, None) == ["fay", "host"]


def test_a_hybrid_tables_queue_mixes_room_and_remote_in_order_of_raising(
    state: SessionState,
) -> None:
    ok(run(state, "ana", cmd.RaiseHand(), T0 + 1))  # room
    ok(run(state, "ben", cmd.RaiseHand(), T0 + 2))  # remote seat
    ok(run(state, "scribe", cmd.RaiseHand(), T0 + 3))
    assert queue(state, "t1") == ["ana", "ben", "scribe"]
    ok(run(state, "ana", cmd.LowerHand()))
    ok(run(state, "ana", cmd.RaiseHand(), T0 + 5))  # raising again goes to the back
    assert queue(state, "t1") == ["ben", "scribe", "ana"]


def test_each_group_keeps_its_own_queue(state: SessionState) -> None:
    ok(run(state, "cy", cmd.RaiseHand()))
    ok(run(state, "ana", cmd.RaiseHand()))
    ok(run(state, "fay", cmd.RaiseHand()))
    assert (queue(state, "t1"), queue(state, "t2"), queue(state, None)) == (
        ["ana"],
        ["cy"],
        ["fay"],
    )


def test_raising_a_hand_twice_is_refused_with_hand_already_raised(state: SessionState) -> None:
    ok(run(state, "ana", cmd.RaiseHand()))
    assert code(run(state, "ana", cmd.RaiseHand())) == "hand_already_raised"
    assert queue(state, "t1") == ["ana"]


def test_lowering_a_hand_that_is_not_up_is_refused_with_hand_not_raised(
    state: SessionState,
) -> None:
    assert code(run(state, "ana", cmd.LowerHand())) == "hand_not_raised"
    assert code(run(state, "host", cmd.LowerHand("ben"))) == "hand_not_raised"


def test_lowering_the_hand_of_an_unknown_participant_is_refused_with_unknown_participant(
    state: SessionState,
) -> None:
    assert code(run(state, "host", cmd.LowerHand("nobody"))) == "unknown_participant"


def test_a_participant_cannot_lower_someone_elses_hand(state: SessionState) -> None:
    ok(run(state, "ben", cmd.RaiseHand()))
    assert code(run(state, "ana", cmd.LowerHand("ben"))) == "not_allowed"
    assert queue(state, "t1") == ["ben"]


def test_a_table_host_lowers_hands_only_at_their_own_table(state: SessionState) -> None:
    ok(run(state, "ben", cmd.RaiseHand()))
    ok(run(state, "cy", cmd.RaiseHand()))
    assert ok(run(state, "scribe", cmd.LowerHand("ben"))) == [
        ev.HandLowered("ben", "t1", by="scribe")
    ]
    assert code(run(state, "scribe", cmd.LowerHand("cy"))) == "not_allowed"
    assert queue(state, "t2") == ["cy"]


def test_a_cell_host_lowers_hands_only_in_their_own_venue(state: SessionState) -> None:
    ok(run(state, "cy", cmd.RaiseHand()))
    ok(run(state, "dee", cmd.RaiseHand()))
    ok(run(state, "cellhost", cmd.LowerHand("cy")))
    assert code(run(state, "cellhost", cmd.LowerHand("dee"))) == "not_allowed"
    ok(run(state, "cellhost2", cmd.LowerHand("dee")))


def test_the_host_lowers_anyones_hand(state: SessionState) -> None:
    for who in ("dee", "eve", "gus"):
        ok(run(state, who, cmd.RaiseHand()))
        ok(run(state, "host", cmd.LowerHand(who)))
    assert all(q == [] for q in state.hands.values())


def test_moving_a_participant_lowers_their_hand(state: SessionState) -> None:
    ok(run(state, "ana", cmd.RaiseHand()))
    ok(run(state, "ben", cmd.RaiseHand()))
    ok(run(state, "host", cmd.MoveParticipant("ana", "t2")))
    assert queue(state, "t1") == ["ben"]
    assert queue(state, "t2") == []
    ok(run(state, "ana", cmd.RaiseHand()))  # and they may raise it again at the new table
    assert queue(state, "t2") == ["ana"]


def test_removing_a_participant_lowers_their_hand(state: SessionState) -> None:
    ok(run(state, "gus", cmd.RaiseHand()))
    ok(run(state, "host", cmd.RemoveParticipant("gus")))
    assert queue(state, None) == []


# --- open_phase / close_phase -------------------------------------------------------


def test_participant_cannot_open_a_phase(state: SessionState) -> None:
    assert code(run(state, "ana", cmd.OpenPhase("p1", timer=False, seat=False))) == "not_allowed"
    assert state.open_phase() is None


def test_opening_a_phase_closes_the_one_that_was_open(state: SessionState) -> None:
    ok(run(state, "host", cmd.OpenPhase("p1", timer=False, seat=False)))
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False)))
    assert [p.status for p in state.phases] == ["closed", "open", "pending", "pending", "pending"]


def test_opening_an_unknown_phase_is_refused_with_unknown_phase(state: SessionState) -> None:
    assert code(run(state, "host", cmd.OpenPhase("p9", timer=False, seat=False))) == "unknown_phase"


def test_opening_the_open_phase_again_is_refused_with_phase_already_open(
    live: SessionState,
) -> None:
    assert (
        code(run(live, "host", cmd.OpenPhase("p2", timer=False, seat=False)))
        == "phase_already_open"
    )


def test_a_closed_phase_may_be_opened_again(live: SessionState) -> None:
    ok(run(live, "host", cmd.ClosePhase("p2")))
    ok(run(live, "host", cmd.OpenPhase("p2", timer=False, seat=False)))
    assert live.open_phase() is live.phase("p2")


def test_closing_the_open_phase_leaves_no_phase_open(live: SessionState) -> None:
    assert ok(run(live, "host", cmd.ClosePhase("p2"))) == [ev.PhaseClosed("p2")]
    assert live.open_phase() is None
    assert live.phase("p2").status == "closed"  # type: ignore[union-attr]


def test_closing_a_phase_that_is_not_open_is_refused_with_phase_closed(
    live: SessionState,
) -> None:
    assert code(run(live, "host", cmd.ClosePhase("p3"))) == "phase_closed"


def test_closing_an_unknown_phase_is_refused_with_unknown_phase(live: SessionState) -> None:
    assert code(run(live, "host", cmd.ClosePhase("p9"))) == "unknown_phase"


# --- timer --------------------------------------------------------------------------


def test_the_timer_starts_with_the_open_phases_duration(live: SessionState) -> None:
    assert ok(run(live, "host", cmd.StartTimer(), T0)) == [ev.TimerStarted("p2", 20 * 60.0)]


def test_the_timer_starts_with_a_chosen_duration(live: SessionState) -> None:
    assert ok(run(live, "host", cmd.StartTimer(90), T0)) == [ev.TimerStarted("p2", 90.0)]


def test_starting_a_timer_with_no_phase_open_is_refused_with_phase_closed(
    state: SessionState,
) -> None:
    assert code(run(state, "host", cmd.StartTimer())) == "phase_closed"


@pytest.mark.parametrize("seconds", [0, -5, MAX_TIMER_S + 1])
def test_a_timer_outside_one_second_to_a_day_is_refused_with_invalid_value(
    live: SessionState, seconds: int
) -> None:
    assert code(run(live, "host", cmd.StartTimer(seconds))) == "invalid_value"


def test_starting_a_running_timer_again_is_refused_with_timer_running(live: SessionState) -> None:
    ok(run(live, "host", cmd.StartTimer()))
    assert code(run(live, "host", cmd.StartTimer(), T0 + 10)) == "timer_running"


def test_starting_with_a_duration_restarts_a_running_timer(live: SessionState) -> None:
    ok(run(live, "host", cmd.StartTimer(), T0))
    ok(run(live, "host", cmd.StartTimer(60), T0 + 10))
    assert live.timer is not None and live.timer.remaining(T0 + 10) == 60


def test_pausing_without_a_timer_is_refused_with_timer_not_running(live: SessionState) -> None:
    assert code(run(live, "host", cmd.PauseTimer())) == "timer_not_running"


def test_pausing_a_paused_timer_is_refused_with_timer_not_running(live: SessionState) -> None:
    ok(run(live, "host", cmd.StartTimer()))
    ok(run(live, "host", cmd.PauseTimer(), T0 + 5))
    assert code(run(live, "host", cmd.PauseTimer(), T0 + 6)) == "timer_not_running"


def test_extending_without_a_timer_is_refused_with_timer_not_running(live: SessionState) -> None:
    assert code(run(live, "host", cmd.ExtendTimer(60))) == "timer_not_running"


@pytest.mark.parametrize("seconds", [0, -60, MAX_TIMER_S + 1])
def test_extending_by_a_non_positive_or_huge_amount_is_refused_with_invalid_value(
    live: SessionState, seconds: int
) -> None:
    ok(run(live, "host", cmd.StartTimer()))
    assert code(run(live, "host", cmd.ExtendTimer(seconds))) == "invalid_value"


def test_stopping_the_timer_clears_it(live: SessionState) -> None:
    ok(run(live, "host", cmd.StartTimer()))
    assert ok(run(live, "host", cmd.StopTimer())) == [ev.TimerStopped()]
    assert live.timer is None


def test_stopping_without_a_timer_is_refused_with_timer_not_running(live: SessionState) -> None:
    assert code(run(live, "host", cmd.StopTimer())) == "timer_not_running"


def test_a_participant_cannot_touch_the_timer(live: SessionState) -> None:
    for command in (cmd.StartTimer(), cmd.PauseTimer(), cmd.ExtendTimer(60), cmd.StopTimer()):
        assert code(run(live, "ana", command)) == "not_allowed"


# --- move_participant ---------------------------------------------------------------


def test_the_host_moves_a_participant_to_another_table(state: SessionState) -> None:
    assert ok(run(state, "host", cmd.MoveParticipant("ana", "t3"))) == [
        ev.ParticipantMoved("ana", "t3", by="host")
    ]
    assert state.participants["ana"].group_id == "t3"


def test_moving_to_no_group_sends_a_participant_to_the_plenary(state: SessionState) -> None:
    ok(run(state, "host", cmd.MoveParticipant("ana", None)))
    assert state.participants["ana"].group_id is None


def test_moving_an_unknown_participant_is_refused_with_unknown_participant(
    state: SessionState,
) -> None:
    assert code(run(state, "host", cmd.MoveParticipant("nobody", "t1"))) == "unknown_participant"


def test_moving_a_removed_participant_is_refused_with_unknown_participant(
    state: SessionState,
) -> None:
    ok(run(state, "host", cmd.RemoveParticipant("ana")))
    assert code(run(state, "host", cmd.MoveParticipant("ana", "t2"))) == "unknown_participant"


def test_moving_to_an_unknown_group_is_refused_with_unknown_group(state: SessionState) -> None:
    assert code(run(state, "host", cmd.MoveParticipant("ana", "t9"))) == "unknown_group"


def test_a_cell_host_moves_people_only_within_their_own_venue(state: SessionState) -> None:
    ok(run(state, "cellhost", cmd.MoveParticipant("ana", "t2")))
    assert code(run(state, "cellhost", cmd.MoveParticipant("dee", "t2"))) == "not_allowed"
    assert code(run(state, "cellhost", cmd.MoveParticipant("cy", "t3"))) == "not_allowed"
    assert state.participants["cy"].group_id == "t2"


def test_a_table_host_cannot_move_people(state: SessionState) -> None:
    assert code(run(state, "scribe", cmd.MoveParticipant("ana", "t2"))) == "not_allowed"


def test_someone_moved_to_another_venue_is_then_hosted_by_that_venue(
    state: SessionState,
) -> None:
    ok(run(state, "host", cmd.MoveParticipant("cy", "t3")))
    assert state.participants["cy"].cell_id == LIBRARY
    ok(run(state, "cellhost2", cmd.MuteParticipant("cy")))
    assert code(run(state, "cellhost", cmd.MuteParticipant("cy", muted=False))) == "not_allowed"


def test_moving_to_the_plenary_keeps_a_participants_venue(state: SessionState) -> None:
    ok(run(state, "host", cmd.MoveParticipant("dee", None)))
    assert state.participants["dee"].cell_id == LIBRARY


# --- choose_group -------------------------------------------------------------------


def test_a_participant_moves_themselves_to_another_table(state: SessionState) -> None:
    ok(run(state, "ben", cmd.RaiseHand()))
    assert ok(run(state, "ben", cmd.ChooseGroup("o1"))) == [
        ev.ParticipantMoved("ben", "o1", by="ben")
    ]
    assert (state.participants["ben"].group_id, state.participants["ben"].cell_id) == (
        "o1",
        ONLINE,
    )
    assert queue(state, "t1") == []


def test_a_participant_leaves_their_table_for_the_plenary(state: SessionState) -> None:
    ok(run(state, "ana", cmd.ChooseGroup(None)))
    assert state.participants["ana"].group_id is None


def test_choosing_the_group_you_are_in_is_refused_with_already_there(
    state: SessionState,
) -> None:
    assert code(run(state, "ana", cmd.ChooseGroup("t1"))) == "already_there"
    assert code(run(state, "fay", cmd.ChooseGroup(None))) == "already_there"


def test_choosing_an_unknown_group_is_refused_with_unknown_group(state: SessionState) -> None:
    assert code(run(state, "ana", cmd.ChooseGroup("t9"))) == "unknown_group"


def test_an_observer_cannot_choose_a_group(state: SessionState) -> None:
    assert code(run(state, "obs", cmd.ChooseGroup("t1"))) == "not_allowed"


# --- announce -----------------------------------------------------------------------


def test_a_cell_host_announces(state: SessionState) -> None:
    ok(run(state, "cellhost", cmd.Announce("Tea is ready"), T0 + 3))
    (announcement,) = state.announcements
    assert (announcement.text, announcement.by, announcement.at) == (
        "Tea is ready",
        "cellhost",
        T0 + 3,
    )


def test_an_empty_announcement_is_refused_with_text_empty(state: SessionState) -> None:
    assert code(run(state, "host", cmd.Announce("  "))) == "text_empty"


def test_an_announcement_longer_than_the_limit_is_refused_with_text_too_long(
    state: SessionState,
) -> None:
    assert code(run(state, "host", cmd.Announce("x" * (MAX_TEXT + 1)))) == "text_too_long"


def test_a_table_host_cannot_announce(state: SessionState) -> None:
    assert code(run(state, "scribe", cmd.Announce("Hello all"))) == "not_allowed"


def test_an_announcement_taken_down_is_ended_once(state: SessionState) -> None:
    ok(run(state, "host", cmd.Announce("Tea is ready")))
    seq = state.last_seq
    assert ok(run(state, "host", cmd.EndAnnouncement(seq))) == [ev.AnnouncementEnded(seq, "host")]
    assert state.announcements[0].ended
    assert code(run(state, "host", cmd.EndAnnouncement(seq))) == "unknown_announcement"


# --- create_group / rename_group ----------------------------------------------------


def test_a_cell_host_creates_a_table_in_their_own_venue(state: SessionState) -> None:
    seq = state.last_seq
    created = cmd.CreateGroup("  Garden table ", VENUE, remote_seats=True)
    assert ok(run(state, "cellhost", created)) == [
        ev.GroupCreated(ev.GroupSpec(f"g{seq + 1}", "Garden table", VENUE, True, None))
    ]
    assert state.groups[f"g{seq + 1}"].remote_seats


def test_a_cell_host_cannot_create_a_table_in_another_venue(state: SessionState) -> None:
    assert code(run(state, "cellhost", cmd.CreateGroup("Stacks", LIBRARY))) == "not_allowed"


def test_an_unnamed_group_is_refused_with_text_empty(state: SessionState) -> None:
    assert code(run(state, "host", cmd.CreateGroup(" ", VENUE))) == "text_empty"


def test_a_group_name_longer_than_the_limit_is_refused_with_text_too_long(
    state: SessionState,
) -> None:
    named = cmd.CreateGroup("x" * (MAX_TITLE + 1), VENUE)
    assert code(run(state, "host", named)) == "text_too_long"


def test_a_group_in_an_unknown_venue_is_refused_with_unknown_cell(state: SessionState) -> None:
    assert code(run(state, "host", cmd.CreateGroup("Annex", "venue-9"))) == "unknown_cell"


def test_a_call_link_that_is_not_a_web_address_is_refused_with_invalid_value(
    state: SessionState,
) -> None:
    bad = cmd.CreateGroup("Call", ONLINE, call_url="javascript:alert(1)")
    assert code(run(state, "host", bad)) == "invalid_value"
    good = cmd.CreateGroup("Call", ONLINE, call_url="https://call.example/x")
    ok(run(state, "host", good))


def test_a_host_renames_a_group(state: SessionState) -> None:
    assert ok(run(state, "host", cmd.RenameGroup("t3", " Reading room "))) == [
        ev.GroupRenamed("t3", "Reading room")
    ]
    assert state.groups["t3"].name == "Reading room"


def test_renaming_an_unknown_group_is_refused_with_unknown_group(state: SessionState) -> None:
    assert code(run(state, "host", cmd.RenameGroup("t9", "Nope"))) == "unknown_group"


def test_renaming_a_group_to_nothing_is_refused_with_text_empty(state: SessionState) -> None:
    assert code(run(state, "host", cmd.RenameGroup("t1", ""))) == "text_empty"


def test_a_cell_host_renames_only_groups_in_their_own_venue(state: SessionState) -> None:
    ok(run(state, "cellhost", cmd.RenameGroup("t2", "Corner")))
    assert code(run(state, "cellhost", cmd.RenameGroup("t3", "Mine"))) == "not_allowed"
    assert state.groups["t3"].name == "Library table"


# --- set_role / remove_participant / mute_participant / rotate_token ----------------


def test_the_host_makes_a_participant_a_table_host(state: SessionState) -> None:
    assert ok(run(state, "host", cmd.SetRole("ben", "table_host"))) == [
        ev.RoleChanged("ben", "table_host")
    ]
    ok(run(state, "ana", cmd.RaiseHand()))
    ok(run(state, "ben", cmd.LowerHand("ana")))  # and now hosts the table


def test_the_host_cannot_change_their_own_role(state: SessionState) -> None:
    assert code(run(state, "host", cmd.SetRole("host", "participant"))) == "not_allowed"


def test_changing_the_role_of_an_unknown_participant_is_refused_with_unknown_participant(
    state: SessionState,
) -> None:
    assert code(run(state, "host", cmd.SetRole("nobody", "host"))) == "unknown_participant"


def test_the_host_removes_a_participant(state: SessionState) -> None:
    assert ok(run(state, "host", cmd.RemoveParticipant("eve"))) == [ev.ParticipantRemoved("eve")]
    assert state.participants["eve"].removed


def test_removing_twice_is_refused_with_unknown_participant(state: SessionState) -> None:
    ok(run(state, "host", cmd.RemoveParticipant("eve")))
    assert code(run(state, "host", cmd.RemoveParticipant("eve"))) == "unknown_participant"


def test_the_host_cannot_remove_themselves(state: SessionState) -> None:
    assert code(run(state, "host", cmd.RemoveParticipant("host"))) == "not_allowed"


def test_unmuting_lets_a_participant_post_again(live: SessionState) -> None:
    ok(run(live, "host", cmd.MuteParticipant("ana")))
    assert live.participants["ana"].muted
    ok(run(live, "host", cmd.MuteParticipant("ana", muted=False)))
    post(live, "ana")


def test_a_cell_host_mutes_only_people_in_their_own_venue(state: SessionState) -> None:
    ok(run(state, "cellhost", cmd.MuteParticipant("ben")))  # remote seat at a hall table
    assert code(run(state, "cellhost", cmd.MuteParticipant("dee"))) == "not_allowed"
    assert code(run(state, "cellhost", cmd.MuteParticipant("eve"))) == "not_allowed"
    assert not state.participants["dee"].muted


@pytest.mark.parametrize(
    "command",
    [cmd.MuteParticipant("host"), cmd.MoveParticipant("host", "t1")],
)
def test_a_cell_host_cannot_act_on_the_lead_host(
    state: SessionState, command: cmd.AnyCommand
) -> None:
    # the lead host could not undo it: nobody may mute or unmute themselves
    assert code(run(state, "cellhost", command)) == "not_allowed"


def test_nobody_mutes_themselves(state: SessionState) -> None:
    assert code(run(state, "cellhost", cmd.MuteParticipant("cellhost"))) == "not_allowed"


def test_muting_an_unknown_participant_is_refused_with_unknown_participant(
    state: SessionState,
) -> None:
    assert code(run(state, "host", cmd.MuteParticipant("nobody"))) == "unknown_participant"


def test_the_host_may_rotate_their_own_token(state: SessionState) -> None:
    ok(run(state, "host", cmd.RotateToken("host", "new-nonce")))
    assert state.participants["host"].nonce == "new-nonce"


def test_rotating_an_unknown_participants_token_is_refused_with_unknown_participant(
    state: SessionState,
) -> None:
    assert code(run(state, "host", cmd.RotateToken("nobody", "n"))) == "unknown_participant"


# --- a refusal changes nothing ------------------------------------------------------


REFUSED: list[tuple[str | None, cmd.AnyCommand]] = [
    ("obs", cmd.PostContribution("note", "Watching")),
    ("ana", cmd.PostContribution("note", "")),
    ("ana", cmd.PostContribution("topic", "Parking")),
    ("ana", cmd.PostContribution("photo", "", photo_id="ph")),
    ("ana", cmd.PostContribution("note", "Psst", group_id="t3")),
    ("ben", cmd.WithdrawContribution("NOTE")),
    ("scribe2", cmd.HideContribution("NOTE")),
    ("ben", cmd.CastVote("NOTE", 4)),
    ("ana", cmd.RaiseHand()),
    ("ben", cmd.LowerHand()),
    ("ana", cmd.OpenPhase("p3", timer=False, seat=False)),
    ("host", cmd.OpenPhase("p2", timer=False, seat=False)),
    ("host", cmd.ClosePhase("p1")),
    ("host", cmd.StartTimer()),
    ("host", cmd.ExtendTimer(0)),
    ("cellhost", cmd.MoveParticipant("dee", "t1")),
    ("ana", cmd.ChooseGroup("t1")),
    ("cellhost", cmd.CreateGroup("Stacks", LIBRARY)),
    ("host", cmd.RenameGroup("t1", "")),
    ("host", cmd.SetRole("host", "observer")),
    ("cellhost", cmd.MuteParticipant("eve")),
    ("ana", cmd.RotateToken("ana", "mine")),
    ("zed", cmd.Announce("Hello")),
    ("cy", cmd.PostContribution("note", "Muted")),
    ("dee", cmd.RaiseHand()),
    (None, person("ana")),
]


@pytest.mark.parametrize(("actor", "command"), REFUSED)
def test_a_refused_command_never_changes_the_state(
    live: SessionState, actor: str | None, command: cmd.AnyCommand
) -> None:
    note = post(live, "ana")
    ok(run(live, "ana", cmd.RaiseHand()))
    ok(run(live, "host", cmd.StartTimer()))
    ok(run(live, "host", cmd.MuteParticipant("cy")))
    ok(run(live, "host", cmd.RemoveParticipant("dee")))
    if getattr(command, "contribution_id", None) == "NOTE":
        command = msgspec.structs.replace(command, contribution_id=note)
    before = copy.deepcopy(live)
    who = live.participants.get(actor) if actor else None
    result = decide(live, who, command, now=T0 + 30)
    assert isinstance(result, Rejection)
    assert live == before


# --- consent: phase modes and published digests ---------------------------------------


def test_a_phase_mode_cannot_loosen_once_people_have_spoken(live: SessionState) -> None:
    ok(run(live, "host", cmd.SetPhaseAttribution("p2", "chatham-house")))
    post(live, "ana")
    refused = run(live, "host", cmd.SetPhaseAttribution("p2", "attributed"))
    assert code(refused) == "consent_locked"
    assert live.phase("p2").attribution == "chatham-house"  # type: ignore[union-attr]


def test_a_digest_is_published_at_a_server_chosen_link(state: SessionState) -> None:
    (event,) = ok(run(state, "host", cmd.PublishDigest("x" * 22, "pseudonymous", T0 + 60)))
    assert event == ev.DigestPublished("x" * 22, "pseudonymous", T0 + 60)
    assert state.publications["x" * 22].open(T0 + 59)
    assert not state.publications["x" * 22].open(T0 + 60)


def test_a_digest_is_never_published_less_private_than_the_session(state: SessionState) -> None:
    state.attribution = "pseudonymous"
    refused = run(state, "host", cmd.PublishDigest("x" * 22, "attributed"))
    assert code(refused) == "less_private"
    assert state.publications == {}


def test_only_the_lead_host_publishes_or_revokes(state: SessionState) -> None:
    assert code(run(state, "cellhost", cmd.PublishDigest("x" * 22))) == "not_allowed"
    ok(run(state, "host", cmd.PublishDigest("x" * 22)))
    assert code(run(state, "cellhost", cmd.RevokeDigest("x" * 22))) == "not_allowed"


def test_revoking_closes_the_link_and_twice_is_refused(state: SessionState) -> None:
    ok(run(state, "host", cmd.PublishDigest("x" * 22)))
    ok(run(state, "host", cmd.RevokeDigest("x" * 22)))
    assert not state.publications["x" * 22].open(T0)
    assert code(run(state, "host", cmd.RevokeDigest("x" * 22))) == "unknown_link"


def test_someone_who_was_not_there_responds_while_the_window_is_open(
    state: SessionState,
) -> None:
    ok(run(state, "host", cmd.PublishDigest("x" * 22)))
    respond = cmd.RespondToDigest("x" * 22, "p2", "From afar", "Nia")
    assert code(run(state, None, respond)) == "responses_closed"
    ok(run(state, "host", cmd.SetResponseWindow("x" * 22, 7)))
    (event,) = ok(run(state, None, respond, T0 + 60))
    expected_id = f"r{state.last_seq}"
    assert event == ev.DigestResponded(expected_id, "x" * 22, "p2", "From afar", "Nia")
    assert [r.text for r in state.responses] == ["From afar"]
    assert code(run(state, None, respond, T0 + 7 * 86400)) == "responses_closed"


def test_a_response_needs_an_open_link_a_real_question_and_text(state: SessionState) -> None:
    ok(run(state, "host", cmd.PublishDigest("x" * 22)))
    ok(run(state, "host", cmd.SetResponseWindow("x" * 22, 7)))
    ok(run(state, "host", cmd.SetPhaseAttribution("p4", "confidential")))
    assert code(run(state, None, cmd.RespondToDigest("y" * 22, "p2", "Hi"))) == "unknown_link"
    assert code(run(state, None, cmd.RespondToDigest("x" * 22, "p4", "Hi"))) == "unknown_phase"
    assert code(run(state, None, cmd.RespondToDigest("x" * 22, "p2", " "))) == "text_empty"
    ok(run(state, "host", cmd.RevokeDigest("x" * 22)))
    assert code(run(state, None, cmd.RespondToDigest("x" * 22, "p2", "Hi"))) == "unknown_link"
    assert state.responses == []


# --- retention ------------------------------------------------------------------------


def test_the_host_sets_how_long_the_session_is_kept_within_limits(state: SessionState) -> None:
    assert ok(run(state, "host", cmd.SetRetention(30))) == [ev.RetentionSet(30)]
    assert state.retention_days == 30
    for days in (0, -1, 3661):
        assert code(run(state, "host", cmd.SetRetention(days))) == "invalid_value"
    assert state.retention_days == 30
    assert ok(run(state, "host", cmd.SetRetention(None))) == [ev.RetentionSet(None)]
    assert state.retention_days is None


def test_the_session_language_is_one_hostkit_ships(state: SessionState) -> None:
    assert ok(run(state, "host", cmd.SetLanguage("cy"))) == [ev.LanguageSet("cy")]
    assert code(run(state, "host", cmd.SetLanguage("fr"))) == "unknown_language"
    assert state.language == "cy"


def _domain_imports() -> dict[str, set[str]]:
    """Each hostkit.domain module and the hostkit.domain modules it imports."""
    folder = Path(rules.__file__).parent
    names = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    found: dict[str, set[str]] = {}
    for name in names:
        tree = ast.parse((folder / f"{name}.py").read_text())
        used: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "hostkit.domain":
                used |= {a.name for a in node.names if a.name in names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "hostkit.domain."
            ):
                used.add((node.module or "").rsplit(".", 1)[1])
        found[name] = used
    return found


def test_the_domain_modules_import_each_other_as_a_tree_without_a_circle() -> None:
    imports = _domain_imports()
    assert all("guards" in imports[m] for m in ("format_rules", "group_rules", "posting"))

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in imports.get(start, set()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    assert sorted(m for m in imports if reaches(m, m, set())) == []
    assert not any("rules" in used for name, used in imports.items() if name != "rules")
