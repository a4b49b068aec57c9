"""Which announcements the phones and the projector show: a host can take one down, the
projector lets one go after a quarter of an hour, and a new phase starts clean."""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain.model import Announcement
from hostkit.live.announcements import PROJECTOR_SHOWS_S, shown
from tests.domain_helpers import LIBRARY, T0, VENUE, code, ok, person, run, session


def texts(announcements: list[Announcement]) -> list[str]:
    return [a.text for a in announcements]


def test_a_host_takes_an_announcement_down_and_no_screen_shows_it_any_more() -> None:
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.Announce("Tea at eleven")))
    tea = state.last_seq
    ok(run(state, "host", cmd.Announce("Lunch at one")))
    assert texts(shown(state, VENUE)) == ["Tea at eleven", "Lunch at one"]
    ok(run(state, "host", cmd.EndAnnouncement(tea)))
    assert texts(shown(state, VENUE)) == ["Lunch at one"]
    assert code(run(state, "host", cmd.EndAnnouncement(tea))) == "unknown_announcement"
    assert code(run(state, "host", cmd.EndAnnouncement(999))) == "unknown_announcement"


def test_a_cell_host_takes_down_their_own_venues_announcements_only() -> None:
    state = session(person("host", role="host"), person("lib", role="cell_host", cell=LIBRARY))
    ok(run(state, "host", cmd.Announce("Everyone: tea at eleven")))
    everyone = state.last_seq
    ok(run(state, "lib", cmd.Announce("Library: the lift is working")))
    library = state.last_seq
    assert code(run(state, "lib", cmd.EndAnnouncement(everyone))) == "not_allowed"
    ok(run(state, "lib", cmd.EndAnnouncement(library)))
    assert texts(shown(state, LIBRARY)) == ["Everyone: tea at eleven"]


def test_the_projector_lets_an_announcement_go_after_a_quarter_of_an_hour() -> None:
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.Announce("Tea at eleven"), T0))
    later = T0 + PROJECTOR_SHOWS_S
    assert texts(shown(state, VENUE, now=later - 1, for_s=PROJECTOR_SHOWS_S)) == ["Tea at eleven"]
    assert shown(state, VENUE, now=later, for_s=PROJECTOR_SHOWS_S) == []
    assert texts(shown(state, VENUE)) == ["Tea at eleven"]  # phones keep it to dismiss


def test_a_new_phase_starts_without_the_last_phases_announcements() -> None:
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.Announce("Tea at eleven")))
    ok(run(state, "host", cmd.OpenPhase("p1", timer=False)))
    assert shown(state, VENUE) == []


def test_a_venues_announcement_is_shown_in_that_venue_only() -> None:
    state = session(person("host", role="host"))
    ok(run(state, "host", cmd.Announce("The hall's car park is full", cell_id=VENUE)))
    assert texts(shown(state, VENUE)) == ["The hall's car park is full"]
    assert shown(state, LIBRARY) == []
    assert texts(shown(state)) == ["The hall's car park is full"]  # the lead host sees all
