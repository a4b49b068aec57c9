"""What a phone shows around its note form (hostkit/live/phone.py), from the pure state."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hostkit.domain import commands as cmd
from hostkit.domain.model import SessionState
from hostkit.live.phone import phone_view
from tests.domain_helpers import ONLINE, T0, ok, person, run, session

LONDON = ZoneInfo("Europe/London")


def cafe() -> SessionState:
    return session(
        person("host", role="host"),
        person("rhian", group="t2"),
        person("dewi", where="remote", cell=ONLINE, group="t1"),  # at the hybrid table
        person("sian", where="remote", cell=ONLINE, group="o1"),  # online, with a call link
        person("gwen"),  # with everyone
    )


def test_a_note_is_seen_by_my_table_in_a_round_and_by_everyone_together() -> None:
    state = cafe()
    ok(
        run(state, "host", cmd.OpenPhase("p1", seat=False, timer=False))
    )  # Welcome: everyone together
    assert phone_view(state, "rhian", LONDON)["audience"] == "everyone"
    ok(run(state, "host", cmd.OpenPhase("p2", seat=False, timer=False)))  # Round 1: at tables
    assert phone_view(state, "rhian", LONDON)["audience"] == "table"
    assert phone_view(state, "gwen", LONDON)["audience"] == "everyone"
    ok(run(state, "host", cmd.SetModeration(True)))
    view = phone_view(state, "rhian", LONDON)
    assert (view["audience"], view["held"]) == ("table", True)
    assert phone_view(state, "host", LONDON)["held"] is False


def test_my_own_notes_are_those_of_the_open_phase_not_withdrawn() -> None:
    state = cafe()
    ok(run(state, "host", cmd.OpenPhase("p2", seat=False, timer=False)))
    ok(run(state, "rhian", cmd.PostContribution("note", "Buses at nine")))
    ok(run(state, "rhian", cmd.PostContribution("note", "Taken back")))
    ok(run(state, "gwen", cmd.PostContribution("note", "Not mine")))
    taken = next(c.id for c in state.contributions.values() if c.text == "Taken back")
    ok(run(state, "rhian", cmd.WithdrawContribution(taken)))
    assert [c["text"] for c in phone_view(state, "rhian", LONDON)["own"]] == ["Buses at nine"]
    ok(run(state, "host", cmd.OpenPhase("p3", seat=False, timer=False)))
    assert phone_view(state, "rhian", LONDON)["own"] == []


def test_announcements_since_the_phase_opened_newest_first_in_local_time() -> None:
    state = cafe()
    ok(run(state, "host", cmd.OpenPhase("p2", seat=False, timer=False)))
    ok(run(state, "host", cmd.Announce("Tea at eleven"), now=T0 + 60))
    ok(run(state, "host", cmd.Announce("Ten minutes left"), now=T0 + 120))
    shown = phone_view(state, "gwen", LONDON)["announcements"]
    assert [a["text"] for a in shown] == ["Ten minutes left", "Tea at eleven"]
    assert shown[0]["at"] == "1970-01-01T00:18:40Z"
    assert shown[0]["time"] == "01:18"  # London kept summer time all year in 1970
    ok(run(state, "host", cmd.OpenPhase("p3", seat=False, timer=False)))
    assert phone_view(state, "gwen", LONDON)["announcements"] == []


def test_a_remote_person_at_a_table_learns_how_to_hear_it() -> None:
    state = cafe()
    dewi = phone_view(state, "dewi", LONDON)
    assert (dewi["hearing"], dewi["hybrid"]) == ("no_call", True)
    assert phone_view(state, "sian", LONDON)["hearing"] == "call"
    assert phone_view(state, "rhian", LONDON)["hearing"] is None  # in the room
    ok(run(state, "host", cmd.SetCallUrl("t1", "https://call.example/t1")))
    assert phone_view(state, "dewi", LONDON)["hearing"] == "call"
