"""World Café through the real server: 20 people, 5 hybrid tables, 3 rounds, harvest."""

from __future__ import annotations

import asyncio
import itertools

from hostkit.domain.seating import lower_bound, meetings, repeats
from tests.format_play import act, arrive, host_of, new_group, open_phase, refused, sees
from tests.harness import Person, Server

ROOM = [f"Room {n}" for n in range(1, 16)]  # 15 people in the hall (5 of them table hosts)
REMOTE = [f"Home {n}" for n in range(1, 6)]  # 5 people at home


async def test_twenty_people_meet_new_companions_every_round_and_harvest(server: Server) -> None:
    links = await server.new_session("world-cafe", title="Our high street")
    host = await host_of(server, links)
    tables = [await new_group(host, f"Table {n}", "venue-1", remote_seats=True) for n in "ABCDE"]
    await act(
        host, {"type": "set_call_url", "group_id": tables[0], "call_url": "https://meet.example/a"}
    )

    room = [await arrive(server, links.room_url, name) for name in ROOM]
    remote = [await arrive(server, links.remote_url, name) for name in REMOTE]
    everyone = room + remote
    table_hosts = room[:5]
    for person, table in zip(table_hosts, tables, strict=True):
        await act(
            host,
            {
                "type": "move_participant",
                "participant_id": person.participant_id,
                "group_id": table,
            },
        )
        await act(
            host,
            {"type": "set_role", "participant_id": person.participant_id, "role": "table_host"},
        )
    await act(
        host, {"type": "set_hat", "participant_id": remote[0].participant_id, "hat": "bridge"}
    )

    # Welcome: everyone sees the phase and the same time left
    await open_phase(host, 1)
    welcome = await sees(remote[3])
    assert welcome.phase == "Welcome" and welcome.time_left is not None
    assert 590 < welcome.time_left <= 600

    played: list[dict[str, str]] = []
    for round_number, seed in zip((1, 2, 3), (11, 12, 13), strict=True):
        await act(host, {"type": "propose_seating", "seed": seed})
        views = await asyncio.gather(*(sees(p) for p in everyone))
        proposal = {v.me: v.go_to for v in views}
        assert all(proposal.values()), "everyone is told where to go"
        for view in views[: len(table_hosts)]:
            assert view.go_to == view.group  # table hosts stay
        if round_number == 2:  # the host adjusts: two travellers swap tables
            a, b = room[6], room[7]
            ta, tb = proposal[a.participant_id], proposal[b.participant_id]
            await act(
                host, {"type": "adjust_seating", "participant_id": a.participant_id, "group_id": tb}
            )
            await act(
                host, {"type": "adjust_seating", "participant_id": b.participant_id, "group_id": ta}
            )
            assert (await sees(a)).go_to == tb
            await act(host, {"type": "propose_seating", "seed": seed})  # back to hostkit's
        await act(host, {"type": "apply_seating"})
        await open_phase(host, 1 + round_number)
        views = await asyncio.gather(*(sees(p) for p in everyone))
        seating = {v.me: v.group for v in views}
        assert all(seating.values())
        assert sorted(list(seating.values()).count(t) for t in tables) == [4, 4, 4, 4, 4]
        assert all(v.phase == f"Round {round_number}" for v in views)
        played.append({p: g for p, g in seating.items() if g})
        # each table host writes the table's notes; travellers see them at their table
        for table_host, table in zip(table_hosts, tables, strict=True):
            await act(
                table_host,
                {
                    "type": "post_contribution",
                    "kind": "note",
                    "text": f"{table} round {round_number}",
                },
            )
        traveller = await sees(room[10])
        assert f"{traveller.group} round {round_number}" in traveller.texts(traveller.group)
        if round_number > 1:  # notes carry from round to round
            assert f"{traveller.group} round {round_number - 1}" in traveller.texts(traveller.group)

    found = sum(repeats(s, meetings(played[:r])) for r, s in enumerate(played))
    best = lower_bound(people=20, tables=5, rounds=3, hosted=True)
    print(
        f"\nWorld Café live, 20 people at 5 tables, 3 rounds: {found} repeat meetings,"
        f" best possible {best}"
    )
    assert found == best == 0
    for person in everyone[5:]:
        assert len({s[person.participant_id] for s in played}) == 3  # a new table each round

    # Harvest: every table's notes, and dots on the insights that matter
    await open_phase(host, 5)
    insight = "Empty shops could host a repair café"
    await act(
        room[6], {"type": "post_contribution", "kind": "insight", "text": insight, "group_id": None}
    )
    harvest = await sees(remote[2])
    assert harvest.phase == "Harvest"
    for table, round_number in itertools.product(tables, (1, 2, 3)):
        assert f"{table} round {round_number}" in harvest.texts()
    contribution = next(c for c in harvest.state["contributions"] if c["text"] == insight)
    for voter in remote + room[:3]:
        await act(voter, {"type": "cast_vote", "contribution_id": contribution["id"], "dots": 2})
    ranked = sorted(
        (await sees(host)).state["contributions"], key=lambda c: -sum(c["votes"].values())
    )
    assert ranked[0]["text"] == insight and sum(ranked[0]["votes"].values()) == 16
    assert (await sees(remote[1])).state["groups"][0]["call_url"] == "https://meet.example/a"
    assert await refused(room[9], {"type": "propose_seating"}) == "not_allowed"


async def test_nobody_can_be_seated_where_they_cannot_reach(server: Server) -> None:
    links = await server.new_session("world-cafe")
    host = await host_of(server, links)
    hall = await new_group(host, "Hall table", "venue-1")
    online = await new_group(host, "Online table", "online")
    people: list[Person] = [await arrive(server, links.room_url, "Rhian")]
    people.append(await arrive(server, links.remote_url, "Dewi"))
    await act(host, {"type": "propose_seating"})
    assert (await sees(people[0])).go_to == hall
    assert (await sees(people[1])).go_to == online
    code = await refused(
        host,
        {"type": "adjust_seating", "participant_id": people[1].participant_id, "group_id": hall},
    )
    assert code == "out_of_reach"
