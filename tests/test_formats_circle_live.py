"""Circle through the real server: agreements, then a talking piece that alternates
between the room and home, passing allowed, through check-in, council and check-out."""

from __future__ import annotations

import asyncio
import itertools

from tests.format_play import act, arrive, host_of, open_phase, refused, sees
from tests.harness import Person, Server


async def go_round(host: Person, people: list[Person], phase: str, *, passing: set[str]) -> None:
    """The piece goes round once: each holder speaks (a note) or passes, then hands it on."""
    by_id = {p.participant_id: p for p in people}
    order = (await sees(host)).order(None)
    for n, holder_id in enumerate(order):
        views = await asyncio.gather(*(sees(p) for p in people))
        assert {v.holder(None) for v in views} == {holder_id}  # everyone sees who holds it
        holder = by_id.get(holder_id, host)
        turn_left = views[0].state["talking"][""]["turn_left_s"]
        assert turn_left is not None and 0 < turn_left <= 120
        if n + 1 < len(order) and order[n + 1] in by_id:  # only the holder hands it on
            waiting = by_id[order[n + 1]]  # (the host may, for anyone)
            assert await refused(waiting, {"type": "pass_talking_piece"}) == "not_holder"
        if holder_id in passing:
            await act(holder, {"type": "pass_talking_piece", "passed": True})
        else:
            await act(
                holder,
                {"type": "post_contribution", "kind": "note", "text": f"{phase}: {holder_id}"},
            )
            await act(holder, {"type": "pass_talking_piece"})
    assert (await sees(people[0])).holder(None) is None  # round complete


async def test_a_hybrid_circle_passes_the_talking_piece_in_a_published_order(
    server: Server,
) -> None:
    links = await server.new_session("circle", title="Evening circle")
    host = await host_of(server, links)
    room = [await arrive(server, links.room_url, n) for n in ("Rhian", "Siôn", "Mair")]
    remote = [await arrive(server, links.remote_url, n) for n in ("Dewi", "Nia", "Owain")]
    people = room + remote
    await act(
        host, {"type": "set_hat", "participant_id": room[2].participant_id, "hat": "guardian"}
    )
    await act(
        host, {"type": "set_hat", "participant_id": remote[0].participant_id, "hat": "scribe"}
    )

    # Agreements: read, not written; everyone sees the guardian
    await open_phase(host, 1)
    agreements = await sees(remote[2])
    assert agreements.phase == "Agreements"
    assert "guardian" in agreements.state["phases"][0]["question"]
    note = {"type": "post_contribution", "kind": "note", "text": "hello"}
    assert await refused(remote[1], note) == "kind_not_allowed"
    guardian = next(p for p in agreements.state["participants"] if "guardian" in p["hats"])
    assert guardian["id"] == room[2].participant_id

    for number, title, first in (
        (2, "Check-in", True),
        (3, "Council", False),
        (4, "Check-out", True),
    ):
        await open_phase(host, number, minutes=15)
        await act(host, {"type": "set_speaking_order", "room_first": first, "turn_s": 120})
        view = await sees(room[0])
        assert view.phase == title and view.time_left is not None and 880 < view.time_left <= 900
        order = view.order(None)
        assert set(order) == {p.participant_id for p in people} | {host.participant_id}
        where = {p["id"]: p["where"] for p in view.state["participants"]}
        sides = [where[p] for p in order]
        # room and remote alternate while both have people left (the host sits in the room)
        assert all(a != b for a, b in itertools.pairwise(sides[:6]))
        assert sides[0] == ("room" if first else "remote")
        await go_round(
            host, people, title, passing={remote[1].participant_id} if number == 3 else set()
        )

    # the harvest: every turn that spoke, phase by phase; the one who passed said nothing
    harvest = await sees(host)
    texts = harvest.texts(kind="note")
    assert len(texts) == 7 + 6 + 7
    assert f"Council: {remote[1].participant_id}" not in texts
    assert harvest.state["talking"][""]["passed"] == []  # check-out: nobody passed
    assert (await refused(room[0], {"type": "set_speaking_order"})) == "not_allowed"
