"""Roles: every client command is allowed for exactly the roles the matrix names."""

from __future__ import annotations

import typing
from collections.abc import Callable

import pytest

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.model import ROLES, Role, SessionState
from hostkit.domain.roles import PERMISSIONS, may
from tests.domain_helpers import T0, VENUE, code, fold, ok, person, run, session
from tests.format_helpers import FORMAT_VALID
from tests.mechanics_helpers import MECHANICS_VALID
from tests.report_helpers import REPORT_VALID

CLIENT_COMMANDS: list[type[cmd.Command]] = list(typing.get_args(cmd.ClientCommand))
ALL_COMMANDS: list[type[cmd.Command]] = list(typing.get_args(cmd.AnyCommand))


def tag(command_class: type[cmd.Command]) -> str:
    return str(command_class.__struct_config__.tag)


CLIENT_TYPES = sorted(tag(c) for c in CLIENT_COMMANDS)


def stage(role: Role) -> SessionState:
    """'me' (with ``role``) and 'other' at the hybrid table t1 in the hall, mid-round.

    Round 1 is open with its timer running; each of them has posted a note and 'other'
    has a hand up. Everything is folded directly, so even an observer can be staged.
    """
    state = session(person("me", role=role, group="t1"), person("other", group="t1"))
    for event in (
        ev.PhaseOpened("p2"),
        ev.TimerStarted("p2", 1200.0),
        ev.ContributionPosted("mine", "note", "My note", "me", "t1", "p2"),
        ev.ContributionPosted("theirs", "note", "Their note", "other", "t1", "p2"),
        ev.HandRaised("other", "t1"),
    ):
        fold(state, event, at=T0)
    return state


def _lower_own_hand(state: SessionState) -> cmd.LowerHand:
    fold(state, ev.HandRaised("me", "t1"), at=T0)
    return cmd.LowerHand()


def _revoke_a_published_digest(state: SessionState) -> cmd.RevokeDigest:
    fold(state, ev.DigestPublished("an-unguessable-link", "attributed"), at=T0)
    return cmd.RevokeDigest("an-unguessable-link")


def _end_an_announcement(state: SessionState) -> cmd.EndAnnouncement:
    fold(state, ev.Announced("Tea at eleven", "other", cell_id=VENUE), at=T0)
    return cmd.EndAnnouncement(state.last_seq)


def _open_responses(state: SessionState) -> cmd.SetResponseWindow:
    fold(state, ev.DigestPublished("another-link", "attributed"), at=T0)
    return cmd.SetResponseWindow("another-link", 7)


def _hall_timer(command: cmd.AnyCommand) -> Callable[[SessionState], cmd.AnyCommand]:
    def build(state: SessionState) -> cmd.AnyCommand:
        fold(state, ev.VenueTimerSet(VENUE, 600.0, running=True), at=T0)
        return command

    return build


# For each client command: a command that is valid for 'me' on the stage whatever the
# role, so that a refusal can only be due to the role. A builder may prepare the stage.
VALID: dict[str, Callable[[SessionState], cmd.AnyCommand]] = {
    "post_contribution": lambda _: cmd.PostContribution("note", "We could share the hall"),
    "withdraw_contribution": lambda _: cmd.WithdrawContribution("mine"),
    "withdraw_all": lambda _: cmd.WithdrawAll(),
    "hide_contribution": lambda _: cmd.HideContribution("theirs"),
    "cast_vote": lambda _: cmd.CastVote("theirs", 2),
    "set_dots": lambda _: cmd.SetDots("p3", 3),
    "react": lambda _: cmd.React("theirs", "heart"),
    "raise_hand": lambda _: cmd.RaiseHand(),
    "lower_hand": _lower_own_hand,
    "open_phase": lambda _: cmd.OpenPhase("p3", timer=False, seat=False),
    "close_phase": lambda _: cmd.ClosePhase("p2"),
    "set_phase_attribution": lambda _: cmd.SetPhaseAttribution("p3", "chatham-house"),
    "revoke_digest": _revoke_a_published_digest,
    "set_response_window": _open_responses,
    "set_retention": lambda _: cmd.SetRetention(30),
    "set_language": lambda _: cmd.SetLanguage("cy"),
    "set_projector": lambda _: cmd.SetProjector("wall"),
    # the hall's own timer: its hosts' (the session's is the lead host's: test_venue_rules)
    "start_timer": lambda _: cmd.StartTimer(300, cell_id=VENUE),
    "pause_timer": _hall_timer(cmd.PauseTimer(cell_id=VENUE)),
    "extend_timer": _hall_timer(cmd.ExtendTimer(60, cell_id=VENUE)),
    "stop_timer": _hall_timer(cmd.StopTimer(cell_id=VENUE)),
    "move_participant": lambda _: cmd.MoveParticipant("other", "t2"),
    "choose_group": lambda _: cmd.ChooseGroup("t2"),
    "announce": lambda _: cmd.Announce("Five minutes left"),
    "end_announcement": _end_an_announcement,
    "create_group": lambda _: cmd.CreateGroup("Table 9", VENUE),
    "rename_group": lambda _: cmd.RenameGroup("t1", "Window table"),
    "set_role": lambda _: cmd.SetRole("other", "table_host"),
    "remove_participant": lambda _: cmd.RemoveParticipant("other"),
    "mute_participant": lambda _: cmd.MuteParticipant("other"),
    "join_hall": lambda _: cmd.JoinHall("a-phone-in-the-hall", "its-unguessable-nonce", "Rhian"),
    **FORMAT_VALID,
    **MECHANICS_VALID,
    **REPORT_VALID,
}


def test_the_matrix_names_every_command_and_nothing_else() -> None:
    assert set(PERMISSIONS) == {tag(c) for c in ALL_COMMANDS}
    assert set(VALID) == set(CLIENT_TYPES)


def test_joining_and_responding_to_a_digest_are_for_newcomers_only() -> None:
    newcomers = {t for t, callers in PERMISSIONS.items() if "newcomer" in callers}
    assert newcomers == {"join", "respond_to_digest"}
    assert all(PERMISSIONS[t] == {"newcomer"} for t in newcomers)


def test_only_join_and_rotate_token_are_kept_from_clients() -> None:
    assert {tag(c) for c in ALL_COMMANDS} - {tag(c) for c in CLIENT_COMMANDS} == {
        "join",
        "rotate_token",
        "publish_digest",
        "respond_to_digest",
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("command_type", CLIENT_TYPES)
def test_each_role_may_issue_exactly_the_commands_the_matrix_gives_it(
    command_type: str, role: Role
) -> None:
    state = stage(role)
    command = VALID[command_type](state)
    assert cmd.command_type(command) == command_type
    result = run(state, "me", command, T0 + 10)
    if role in PERMISSIONS[command_type]:
        assert ok(result)
    else:
        assert code(result) == "not_allowed"


@pytest.mark.parametrize("command_type", sorted(PERMISSIONS))
def test_an_observer_may_issue_no_command(command_type: str) -> None:
    assert not may("observer", command_type)


@pytest.mark.parametrize("command_type", CLIENT_TYPES)
def test_an_observer_can_do_nothing(command_type: str) -> None:
    state = stage("observer")
    assert not may("observer", command_type)
    assert code(run(state, "me", VALID[command_type](state), T0 + 10)) == "not_allowed"


def test_only_the_lead_host_runs_phases_roles_and_removals() -> None:
    lead_only = {t for t, roles in PERMISSIONS.items() if roles == {"host"}}
    assert lead_only == {
        "open_phase",
        "set_dots",
        "close_phase",
        "set_phase_attribution",
        "revoke_digest",
        "set_response_window",
        "set_retention",
        "set_language",
        "set_role",
        "remove_participant",
        "propose_seating",
        "adjust_seating",
        "apply_seating",
        "form_groups",
        "add_phase",
        "edit_phase",
        "remove_phase",
        "move_phase",
        "set_moderation",
        "rotate_token",
        "publish_digest",
    }


def test_the_host_may_issue_every_client_command_but_a_hall_laptops_join() -> None:
    assert [t for t in CLIENT_TYPES if not may("host", t)] == ["join_hall"]
    assert PERMISSIONS["join_hall"] == {"relay"}


def test_an_unknown_command_type_is_allowed_for_nobody() -> None:
    assert not any(may(role, "delete_everything") for role in ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_only_the_host_may_rotate_a_token(role: Role) -> None:
    state = stage(role)
    result = run(state, "me", cmd.RotateToken("other", "fresh-nonce"), T0)
    if role == "host":
        assert ok(result) == [ev.TokenRotated("other", "fresh-nonce")]
        assert state.participants["other"].nonce == "fresh-nonce"
    else:
        assert code(result) == "not_allowed"
        assert state.participants["other"].nonce == "nonce-other"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_host_may_publish_a_digest(role: Role) -> None:
    state = stage(role)
    result = run(state, "me", cmd.PublishDigest("an-unguessable-link"), T0)
    if role == "host":
        assert ok(result) == [ev.DigestPublished("an-unguessable-link", "attributed", None)]
    else:
        assert code(result) == "not_allowed"
        assert state.publications == {}
