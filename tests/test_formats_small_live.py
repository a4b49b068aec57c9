"""1-2-4-All, Fishbowl and Pro Action Café through the real server."""

from __future__ import annotations

import asyncio

from tests.format_play import act, arrive, host_of, new_group, open_phase, refused, sees
from tests.harness import Server


async def test_1_2_4_all_forms_pairs_then_fours_of_whole_pairs(server: Server) -> None:
    links = await server.new_session("1-2-4-all")
    host = await host_of(server, links)
    room = [await arrive(server, links.room_url, f"Room {n}") for n in range(6)]
    remote = [await arrive(server, links.remote_url, f"Home {n}") for n in range(4)]
    everyone = room + remote

    await open_phase(host, 1)
    await act(remote[0], {"type": "post_contribution", "kind": "note", "text": "Alone: my idea"})
    await open_phase(host, 2)
    await act(host, {"type": "form_groups", "size": 2, "seed": 4})
    pairs = {v.me: v.group for v in await asyncio.gather(*(sees(p) for p in everyone))}
    cell = {
        p.participant_id: c for p, c in zip(everyone, ["venue-1"] * 6 + ["online"] * 4, strict=True)
    }
    members: dict[str | None, list[str]] = {}
    for person, group in pairs.items():
        members.setdefault(group, []).append(person)
    assert sorted(len(m) for m in members.values()) == [2, 2, 2, 2, 2]
    assert all(len({cell[p] for p in m}) == 1 for m in members.values())  # hall or home
    view = await sees(room[0])
    assert view.phase == "2: pairs" and view.group_name and view.group_name.startswith("Pair")
    assert view.time_left is not None and 110 < view.time_left <= 120

    await open_phase(host, 3)
    await act(host, {"type": "form_groups", "size": 4, "seed": 5})
    fours = {v.me: v.group for v in await asyncio.gather(*(sees(p) for p in everyone))}
    for pair in members.values():
        assert len({fours[p] for p in pair}) == 1  # pairs stay together
    sizes = sorted(list(fours.values()).count(g) for g in set(fours.values()))
    assert sizes == [4, 6]  # the hall's three pairs make one six; home's two pairs a four
    await open_phase(host, 4)
    assert (await sees(remote[3])).phase == "All"


async def test_fishbowl_empty_chair_and_upvoted_questions(server: Server) -> None:
    links = await server.new_session("fishbowl")
    host = await host_of(server, links)
    inner = [await arrive(server, links.room_url, n) for n in ("Rhian", "Siôn", "Mair")]
    inner.append(await arrive(server, links.remote_url, "Dewi"))
    outer = [
        await arrive(server, links.room_url, "Ifan"),
        await arrive(server, links.remote_url, "Nia"),
    ]
    await open_phase(host, 1)
    for person in inner:
        await act(person, {"type": "choose_group", "group_id": "inner"})
    await act(outer[1], {"type": "choose_group", "group_id": "inner"})  # takes the empty chair
    await act(inner[0], {"type": "choose_group", "group_id": None})  # and someone leaves it
    view = await sees(outer[0])
    assert view.state["groups"][0]["name"] == "Inner circle"
    seated = [p["id"] for p in view.state["participants"] if p["group_id"] == "inner"]
    assert len(seated) == 4 and outer[1].participant_id in seated

    for asker, text in ((outer[0], "Who decides?"), (inner[0], "What does it cost?")):
        await act(asker, {"type": "post_contribution", "kind": "question", "text": text})
    ids = {c["text"]: c["id"] for c in (await sees(host)).state["contributions"]}
    for voter in (outer[1], inner[1], inner[2]):
        await act(voter, {"type": "cast_vote", "contribution_id": ids["What does it cost?"]})
    shown = await sees(outer[0])
    texts = {c["id"]: c["text"] for c in shown.state["contributions"]}
    assert [texts[q] for q in shown.state["questions"]] == ["What does it cost?", "Who decides?"]
    await act(
        host,
        {
            "type": "mark_answered",
            "contribution_id": ids["What does it cost?"],
            "answer": "answering",
        },
    )
    await act(host, {"type": "mark_answered", "contribution_id": ids["What does it cost?"]})
    answered = {c["text"]: c["answer"] for c in (await sees(outer[1])).state["contributions"]}
    assert answered == {"Who decides?": None, "What does it cost?": "answered"}
    assert (
        await refused(outer[0], {"type": "mark_answered", "contribution_id": ids["Who decides?"]})
        == "not_allowed"
    )


async def test_pro_action_cafe_callers_stay_while_others_move(server: Server) -> None:
    links = await server.new_session("pro-action-cafe")
    host = await host_of(server, links)
    tables = [await new_group(host, f"Project {n}", "venue-1", remote_seats=True) for n in (1, 2)]
    people = [await arrive(server, links.room_url, f"Room {n}") for n in range(6)]
    people += [await arrive(server, links.remote_url, f"Home {n}") for n in range(2)]
    callers = people[:2]  # 8 people: 8 / 4 = 2 callers
    for caller, table in zip(callers, tables, strict=True):
        await act(
            host, {"type": "set_hat", "participant_id": caller.participant_id, "hat": "caller"}
        )
        await act(caller, {"type": "choose_group", "group_id": table})
    await open_phase(host, 1)
    for number in (2, 3, 4):
        await act(host, {"type": "propose_seating", "seed": number})
        await act(host, {"type": "apply_seating"})
        await open_phase(host, number)
        for caller, table in zip(callers, tables, strict=True):
            assert (await sees(caller)).group == table
        questions = {(await sees(p)).phase for p in people}
        assert len(questions) == 1
    await open_phase(host, 5)
    await act(
        callers[0], {"type": "post_contribution", "kind": "note", "text": "Next: meet the council"}
    )
    assert "Next: meet the council" in (await sees(people[7])).texts(kind="note")
