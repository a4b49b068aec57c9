"""Open Space through the real server: topics in a time x space grid, the law of two feet,
topic reports, convergence by dots (nothing deleted) and a closing circle."""

from __future__ import annotations

import asyncio

from tests.format_play import act, arrive, host_of, open_phase, refused, sees
from tests.harness import Server

TOPICS = ("Late buses home", "Empty shops on the high street", "A repair café")


async def test_open_space_from_marketplace_to_closing_circle(server: Server) -> None:
    links = await server.new_session("open-space", title="Our town")
    host = await host_of(server, links)
    room = [await arrive(server, links.room_url, n) for n in ("Rhian", "Siôn", "Mair", "Ifan")]
    remote = [await arrive(server, links.remote_url, n) for n in ("Dewi", "Nia", "Owain")]
    everyone = room + remote

    await open_phase(host, 1)  # opening circle
    await act(host, {"type": "set_speaking_order"})
    assert (await sees(remote[0])).holder(None) == (await sees(host)).order(None)[0]

    # Marketplace: anyone proposes a topic; only topics are taken
    await open_phase(host, 2)
    conveners = (remote[0], room[0], room[1])
    for convener, topic in zip(conveners, TOPICS, strict=True):
        await act(convener, {"type": "post_contribution", "kind": "topic", "text": topic})
    assert await refused(room[2], {"type": "post_contribution", "kind": "note", "text": "hm"}) == (
        "kind_not_allowed"
    )
    topics = {c["text"]: c["id"] for c in (await sees(host)).state["contributions"]}
    grid = (
        (TOPICS[0], "10:00", "Online room 1", "online"),
        (TOPICS[1], "10:00", "Main hall", "venue-1"),
        (TOPICS[2], "11:00", "Main hall", "venue-1"),
    )
    for topic, slot, space, cell in grid:
        await act(
            host,
            {
                "type": "place_topic",
                "contribution_id": topics[topic],
                "slot": slot,
                "space": space,
                "cell_id": cell,
            },
        )
    clash = {
        "type": "place_topic",
        "contribution_id": topics[TOPICS[2]],
        "slot": "10:00",
        "space": "Main hall",
    }
    assert await refused(host, clash) == "slot_taken"
    view = await sees(room[3])
    placed = {g["name"]: g for g in view.state["groups"] if g["topic_id"]}
    assert {(g["slot"], g["space"]) for g in placed.values()} == {(s, p) for _, s, p, _ in grid}
    buses, shops, _repair = (placed[t]["id"] for t in TOPICS)
    await act(
        host, {"type": "set_call_url", "group_id": buses, "call_url": "https://meet.example/buses"}
    )

    # Topic sessions: the law of two feet; everyone sees where everyone is
    await open_phase(host, 3)
    for person, group in zip(
        everyone, (shops, shops, shops, buses, buses, buses, shops), strict=True
    ):
        await act(person, {"type": "choose_group", "group_id": group})
    await act(room[3], {"type": "choose_group", "group_id": shops})  # two feet: moves on
    views = await asyncio.gather(*(sees(p) for p in everyone))
    where = {p["id"]: p["group_id"] for p in views[-1].state["participants"]}
    assert where[room[3].participant_id] == shops and views[3].group_name == TOPICS[1]
    assert [g["call_url"] for g in views[4].state["groups"] if g["id"] == buses] == [
        "https://meet.example/buses"
    ]
    for reporter, group in ((remote[0], buses), (room[0], shops)):
        report = f"Convener, topic, participants, summary: {group}"
        await act(reporter, {"type": "post_contribution", "kind": "note", "text": report})
    await act(remote[1], {"type": "call_host", "text": "Can the hall hear us?"})
    assert [c["group_id"] for c in (await sees(host)).state["calls"]] == [buses]
    left = (await sees(remote[2])).time_left
    assert left is not None and 3500 < left <= 3600

    # Convergence: dots rank the topics, and every topic stays in the proceedings
    await open_phase(host, 4)
    for voter in everyone:
        await act(voter, {"type": "cast_vote", "contribution_id": topics[TOPICS[2]], "dots": 1})
    # convergence gives 3 dots each: one is on the first topic, two go here
    await act(room[0], {"type": "cast_vote", "contribution_id": topics[TOPICS[1]], "dots": 2})
    final = await sees(remote[2])
    ranked = sorted(
        (c for c in final.state["contributions"] if c["kind"] == "topic"),
        key=lambda c: -sum(c["votes"].values()),
    )
    assert [c["text"] for c in ranked] == [TOPICS[2], TOPICS[1], TOPICS[0]]
    assert f"Convener, topic, participants, summary: {buses}" in final.texts(buses)

    # Closing circle
    await open_phase(host, 5)
    for person in everyone:
        await act(person, {"type": "choose_group", "group_id": None})
    await act(host, {"type": "set_speaking_order", "room_first": False})
    closing = await sees(room[1])
    assert closing.phase == "Closing circle"
    assert closing.holder(None) in {p.participant_id for p in remote}
