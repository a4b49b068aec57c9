"""Who is here, per venue: people in the room and at home, never the hosts or the projector."""

from __future__ import annotations

from hostkit.domain import commands as cmd
from hostkit.domain.attendance import who_is_here
from hostkit.domain.model import SessionState
from tests.domain_helpers import LIBRARY, ONLINE, VENUE, ok, person, run, session


def counts(state: SessionState) -> dict[str, tuple[int, int]]:
    return {h.cell.id: (h.room, h.remote) for h in who_is_here(state)}


def test_people_are_counted_in_their_venue_in_the_room_and_remote() -> None:
    state = session(
        person("host", role="host"),
        person("rhian"),
        person("sion", role="table_host"),
        person("dewi", where="remote"),
        person("mair", cell=LIBRARY),
    )
    assert counts(state) == {VENUE: (2, 0), LIBRARY: (1, 0), ONLINE: (0, 1)}


def test_hosts_screens_and_removed_people_are_not_counted() -> None:
    state = session(
        person("host", role="host"),
        person("cellhost", role="cell_host", cell=LIBRARY),
        person("rhian"),
        person("gone"),
    )
    ok(run(state, None, cmd.Join("screen", "nonce-screen", None, "room", screen=True)))
    ok(run(state, "host", cmd.RemoveParticipant("gone")))
    assert counts(state) == {VENUE: (1, 0), LIBRARY: (0, 0), ONLINE: (0, 0)}
