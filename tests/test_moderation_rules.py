"""Pre-moderation: the lead host's switch, what is held, approving, and every refusal."""

from __future__ import annotations

import csv
import io

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
    person("anon", group="t1", name=None),  # anonymous, at the hybrid table
    person("dee", group="t3"),  # in the library
    person("fay"),  # in the hall, said to everyone
)


@pytest.fixture
def log() -> list[Logged]:
    return []


@pytest.fixture
def state(log: list[Logged]) -> SessionState:
    """Round 1 open with pre-moderation on."""
    state = session(*CAST, log=log)
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False), log=log))
    ok(run(state, "host", cmd.SetModeration(True), log=log))
    return state


def post(state: SessionState, author: str, text: str = "A thought", **kw: object) -> str:
    (event,) = ok(run(state, author, cmd.PostContribution("note", text, **kw)))  # type: ignore[arg-type]
    assert isinstance(event, ev.ContributionPosted)
    return event.contribution_id


def test_moderation_is_off_until_the_host_turns_it_on() -> None:
    state = session(*CAST)
    ok(run(state, "host", cmd.OpenPhase("p2", timer=False, seat=False)))
    assert not state.moderation
    assert not state.contributions[post(state, "anon")].pending


def test_while_moderation_is_on_an_anonymous_contribution_waits(state: SessionState) -> None:
    assert state.moderation
    note = state.contributions[post(state, "anon", "The bus stops too early")]
    assert note.pending and note.author_id == "anon" and not note.hidden


def test_a_table_hosts_notes_wait_too_but_hosts_own_do_not(state: SessionState) -> None:
    assert state.contributions[post(state, "scribe")].pending
    assert not state.contributions[post(state, "host")].pending
    assert not state.contributions[post(state, "cellhost")].pending


def test_the_host_approves_a_waiting_contribution(state: SessionState) -> None:
    note = post(state, "anon")
    (event,) = ok(run(state, "host", cmd.ApproveContribution(note)))
    assert event == ev.ContributionApproved(note, by="host")
    assert not state.contributions[note].pending


def test_the_host_hides_a_waiting_contribution_instead(state: SessionState) -> None:
    note = post(state, "anon", "Something unkind")
    ok(run(state, "host", cmd.HideContribution(note)))
    assert state.contributions[note].hidden
    assert code(run(state, "host", cmd.ApproveContribution(note))) == "unknown_contribution"


def test_the_author_may_still_withdraw_what_waits(state: SessionState) -> None:
    note = post(state, "anon")
    ok(run(state, "anon", cmd.WithdrawContribution(note)))
    assert code(run(state, "host", cmd.ApproveContribution(note))) == "unknown_contribution"


def test_a_cell_host_approves_in_their_own_venue_only(state: SessionState) -> None:
    at_hall = post(state, "ana")
    in_library = post(state, "dee")
    said_in_hall = post(state, "fay")
    ok(run(state, "cellhost", cmd.ApproveContribution(at_hall)))
    ok(run(state, "cellhost", cmd.ApproveContribution(said_in_hall)))
    assert code(run(state, "cellhost", cmd.ApproveContribution(in_library))) == "not_allowed"
    ok(run(state, "cellhost2", cmd.ApproveContribution(in_library)))


def test_approving_twice_is_refused_with_not_pending(state: SessionState) -> None:
    note = post(state, "anon")
    ok(run(state, "host", cmd.ApproveContribution(note)))
    assert code(run(state, "host", cmd.ApproveContribution(note))) == "not_pending"


def test_approving_an_unknown_contribution_is_refused(state: SessionState) -> None:
    assert code(run(state, "host", cmd.ApproveContribution("c999"))) == "unknown_contribution"


def test_nobody_votes_or_reacts_on_what_waits(state: SessionState) -> None:
    note = post(state, "anon")
    assert code(run(state, "ana", cmd.CastVote(note, 1))) == "awaiting_approval"
    assert code(run(state, "ana", cmd.React(note, "heart"))) == "awaiting_approval"
    ok(run(state, "host", cmd.ApproveContribution(note)))
    ok(run(state, "ana", cmd.CastVote(note, 1)))


def test_only_the_lead_host_switches_moderation(state: SessionState) -> None:
    for who in ("cellhost", "scribe", "ana"):
        assert code(run(state, who, cmd.SetModeration(False))) == "not_allowed"


@pytest.mark.parametrize("on", [True, False])
def test_switching_to_the_current_setting_is_refused_with_already_there(on: bool) -> None:
    state = session(*CAST)
    if on:
        ok(run(state, "host", cmd.SetModeration(True)))
    assert code(run(state, "host", cmd.SetModeration(on))) == "already_there"


@pytest.mark.parametrize("who", ["scribe", "ana"])
def test_approving_is_for_hosts_only(state: SessionState, who: str) -> None:
    note = post(state, "fay")
    assert code(run(state, who, cmd.ApproveContribution(note))) == "not_allowed"


def test_turning_moderation_off_lets_everything_waiting_through(state: SessionState) -> None:
    first, hidden, second = post(state, "anon"), post(state, "ana"), post(state, "dee")
    ok(run(state, "host", cmd.HideContribution(hidden)))
    events = ok(run(state, "host", cmd.SetModeration(False)))
    assert events == [
        ev.ModerationSet(False, by="host"),
        ev.ContributionApproved(first, by="host"),
        ev.ContributionApproved(second, by="host"),
    ]
    assert not state.moderation
    assert not any(c.pending for c in state.contributions.values() if not c.hidden)
    assert not state.contributions[post(state, "anon")].pending


def test_replaying_the_log_gives_the_same_state(state: SessionState, log: list[Logged]) -> None:
    for author in ("anon", "ana", "dee"):
        ok(run(state, author, cmd.PostContribution("note", "Said"), log=log))
    ok(run(state, "host", cmd.ApproveContribution("c" + str(state.last_seq)), log=log))
    assert replay(log) == state


def test_exports_keep_what_waits_in_transcripts_marked_and_out_of_digests(
    state: SessionState,
) -> None:
    from hostkit.export.formats import render
    from hostkit.export.harvest import harvest_from_state

    approved = post(state, "ana", "Approved thought")
    ok(run(state, "host", cmd.ApproveContribution(approved)))
    post(state, "anon", "Unreviewed thought")
    harvest = harvest_from_state(state)
    (phase,) = [p for p in harvest.phases if p.id == "p2"]
    digest_texts = [e.text for g in phase.groups for e in g.entries]
    assert digest_texts == ["Approved thought"]
    assert [(e.text, e.pending) for e in phase.entries] == [
        ("Approved thought", False),
        ("Unreviewed thought", True),
    ]
    assert "Unreviewed" not in render(harvest, "digest-txt").decode()
    assert "Unreviewed thought" in render(harvest, "transcript-txt").decode()
    assert "never approved for the shared wall" in render(harvest, "transcript-txt").decode()
    assert "never approved by the host" in render(harvest, "transcript-md").decode()
    rows = list(csv.DictReader(io.StringIO(render(harvest, "transcript-csv").decode())))
    assert [(r["text"], r["pending"]) for r in rows] == [
        ("Approved thought", "False"),
        ("Unreviewed thought", "True"),
    ]
