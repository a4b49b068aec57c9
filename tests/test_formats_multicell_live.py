"""Multi-cell sessions in step, through the real server: two venues and the online cell,
a cell host per venue who runs only their own venue's groups, and the lead host's phases
and timer seen the same in every cell. Groups merged and split live, seen at once."""

from __future__ import annotations

from dataclasses import dataclass

from tests.format_play import act, arrive, host_of, new_group, refused, sees
from tests.harness import Person, Server
from tests.test_formats_console_live import Console

HALL, LIBRARY, ONLINE = "venue-1", "venue-2", "online"


@dataclass
class Event:
    host: Person
    hall_host: Person
    library_host: Person
    groups: dict[str, str]  # name -> id
    people: dict[str, Person]  # name -> a participant


async def multicell(server: Server) -> Event:
    """A hall and a library (two tables each), an online cell (two rooms), a host for each
    venue, and two people at every table: room people in the venues, remote people online
    and one on the hall's hybrid table."""
    links = await server.new_session("world-cafe", venues=("Hall", "Library"))
    host = await host_of(server, links)
    groups = {
        "Hall A": await new_group(host, "Hall A", HALL, remote_seats=True),
        "Hall B": await new_group(host, "Hall B", HALL),
        "Library C": await new_group(host, "Library C", LIBRARY),
        "Library D": await new_group(host, "Library D", LIBRARY),
        "Online 1": await new_group(host, "Online 1", ONLINE),
        "Online 2": await new_group(host, "Online 2", ONLINE),
    }

    async def at(table: str, name: str, remote: bool = False) -> Person:
        link = links.remote_url if remote else links.room_url
        return await arrive(server, f"{link}?table={groups[table]}", name)

    hall_host = await at("Hall A", "Hana")
    library_host = await at("Library C", "Lowri")
    for cell_host in (hall_host, library_host):
        await act(
            host,
            {"type": "set_role", "participant_id": cell_host.participant_id, "role": "cell_host"},
        )
    people = {
        "Ann": await at("Hall A", "Ann"),
        "Ben": await at("Hall A", "Ben", remote=True),
        "Cai": await at("Hall B", "Cai"),
        "Cat": await at("Hall B", "Cat"),
        "Dee": await at("Library C", "Dee"),
        "Dai": await at("Library C", "Dai"),
        "Eli": await at("Library D", "Eli"),
        "Efa": await at("Library D", "Efa"),
        "Ola": await at("Online 1", "Ola", remote=True),
        "Osh": await at("Online 1", "Osh", remote=True),
        "Pip": await at("Online 2", "Pip", remote=True),
    }
    return Event(host, hall_host, library_host, groups, people)


async def test_each_cell_host_runs_only_their_own_venues_groups(server: Server) -> None:
    e = await multicell(server)
    library, hall = e.groups["Library C"], e.groups["Hall B"]
    dee = e.people["Dee"].participant_id
    for command in (
        {"type": "create_group", "name": "Stage", "cell_id": LIBRARY},
        {"type": "rename_group", "group_id": library, "name": "Stacks"},
        {"type": "move_participant", "participant_id": dee, "group_id": hall},
        {"type": "merge_groups", "group_id": library, "into_id": e.groups["Library D"]},
        {"type": "split_group", "group_id": library, "parts": 2},
        {"type": "set_call_url", "group_id": library, "call_url": "https://call.example/c"},
        {"type": "announce", "text": "Tea in the library", "cell_id": LIBRARY},
    ):
        assert await refused(e.hall_host, command) == "not_allowed", command
    # the same things in the hall are the hall host's to do
    await act(e.hall_host, {"type": "create_group", "name": "Stage", "cell_id": HALL})
    await act(e.hall_host, {"type": "rename_group", "group_id": hall, "name": "Window"})
    await act(
        e.hall_host,
        {
            "type": "move_participant",
            "participant_id": e.people["Ann"].participant_id,
            "group_id": hall,
        },
    )
    # and the library's are the library host's
    await act(e.library_host, {"type": "rename_group", "group_id": library, "name": "Stacks"})
    await act(
        e.library_host,
        {"type": "merge_groups", "group_id": e.groups["Library D"], "into_id": library},
    )
    assert (await sees(e.people["Eli"])).group_name == "Stacks"
    # phases, the timer and pre-moderation are the lead host's alone
    for cell_host in (e.hall_host, e.library_host):
        for command in (
            {"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False},
            {"type": "start_timer", "duration_s": 60},
            {"type": "set_moderation", "on": True},
            {"type": "propose_seating"},
        ):
            assert await refused(cell_host, command) == "not_allowed", command


async def test_every_cell_sees_the_lead_hosts_phase_and_timer(server: Server) -> None:
    e = await multicell(server)
    everyone = [e.hall_host, e.library_host, *e.people.values()]
    await act(e.host, {"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    await act(e.host, {"type": "start_timer", "duration_s": 20 * 60})
    views = [await sees(p) for p in everyone]
    assert {v.phase for v in views} == {"Round 1"}
    ends = [v.state["timer"]["ends_at"] for v in views]
    assert max(ends) - min(ends) < 0.5  # one server clock: the same end for every cell
    assert all(19 * 60 < (v.time_left or 0) <= 20 * 60 for v in views)
    where = {
        p["cell_id"]
        for p in views[0].state["participants"]
        if p["id"] in {q.participant_id for q in everyone}
    }
    assert where == {HALL, LIBRARY, ONLINE}

    await act(e.host, {"type": "pause_timer"})
    for person in (e.people["Ann"], e.people["Dee"], e.people["Pip"]):
        await person.wait_for(lambda p: p.events_of("timer_paused"))
        view = await sees(person)
        assert view.state["timer"]["running"] is False


async def test_a_cell_hosts_announcement_goes_to_their_venue_only(server: Server) -> None:
    e = await multicell(server)
    await act(e.library_host, {"type": "announce", "text": "Soup in the library"})
    await act(e.host, {"type": "announce", "text": "Ten minutes left, everyone"})
    await act(e.host, {"type": "announce", "text": "Online: check your mic", "cell_id": ONLINE})
    await e.people["Pip"].wait_for(lambda p: len(p.events_of("announced")) == 3)
    heard = e.people["Pip"].events_of("announced")
    assert [(a["data"]["text"], a["data"]["cell_id"]) for a in heard] == [
        ("Soup in the library", LIBRARY),
        ("Ten minutes left, everyone", None),
        ("Online: check your mic", ONLINE),
    ]
    assert await refused(e.host, {"type": "announce", "text": "?", "cell_id": "mars"}) == (
        "unknown_cell"
    )


async def test_merged_and_split_groups_are_seen_by_everyone_at_once(server: Server) -> None:
    e = await multicell(server)
    cai, ann = e.people["Cai"], e.people["Ann"]
    await act(e.host, {"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})
    await act(cai, {"type": "post_contribution", "kind": "note", "text": "Benches"})
    await act(
        e.hall_host,
        {"type": "merge_groups", "group_id": e.groups["Hall B"], "into_id": e.groups["Hall A"]},
    )
    moved = await cai.wait_for(
        lambda p: [
            m
            for m in p.events_of("participant_moved")
            if m["data"]["participant_id"] == p.participant_id
        ]
    )
    assert moved[0]["data"]["group_id"] == e.groups["Hall A"]
    await ann.wait_for(lambda p: p.events_of("groups_merged"))
    view = await sees(ann)
    assert view.group_name == "Hall A"
    assert "Hall B" not in {g["name"] for g in view.state["groups"]}
    assert "Benches" in view.texts(e.groups["Hall A"])
    note = next(c for c in view.state["contributions"] if c["text"] == "Benches")
    assert note["earlier_groups"] == [e.groups["Hall B"]]

    # Hall A now holds Hana, Ann, Ben (remote seat), Cai and Cat: split it in two
    await act(e.hall_host, {"type": "split_group", "group_id": e.groups["Hall A"], "parts": 2})
    state = await e.host.snapshot()
    parts = [g for g in state["groups"] if g["name"] in ("Hall A", "Hall A (2)")]
    assert len(parts) == 2 and all(g["cell_id"] == HALL for g in parts)
    sizes = [sum(1 for p in state["participants"] if p["group_id"] == g["id"]) for g in parts]
    assert sorted(sizes) == [2, 3]
    # each person sent to the new group hears it at once (their page reloads on it)
    new_id = next(g["id"] for g in parts if g["name"] == "Hall A (2)")
    sent = {p["id"] for p in state["participants"] if p["group_id"] == new_id}
    movers = [p for p in [e.hall_host, *e.people.values()] if p.participant_id in sent]
    assert movers
    for mover in movers:
        await mover.wait_for(
            lambda p: any(
                m["data"]["participant_id"] == p.participant_id and m["data"]["group_id"] == new_id
                for m in p.events_of("participant_moved")
            )
        )
        assert (await sees(mover)).group_name == "Hall A (2)"


async def test_a_cell_host_merges_and_splits_from_the_console_without_script(
    server: Server,
) -> None:
    e = await multicell(server)
    console = Console(server, e.library_host)
    page = await console.page()
    section = page.split('id="groups-live-heading"')[1].split("</section>")[0]
    assert "Library C" in section and "Library D" in section
    assert "Hall A" not in section and "Online 1" not in section
    done = await console.submit(
        "merge_groups", group_id=e.groups["Library D"], into_id=e.groups["Library C"]
    )
    assert done == "Done."
    assert (await sees(e.people["Efa"])).group_name == "Library C"
    # choose two people by their checkboxes (a real form sends one field per box)
    chosen = [e.people["Eli"].participant_id, e.people["Efa"].participant_id]
    response = await console.http.post(
        f"/s/{e.host.session_id}/act",
        data={
            "csrf": page.split('name="csrf" value="')[1].split('"')[0],
            "back": "host",
            "type": "split_group",
            "group_id": e.groups["Library C"],
            "participant_ids": chosen,
            "name": "Quiet corner",
        },
    )
    assert response.status_code == 303 and "Done." in response.headers["location"].replace(
        "%20", " "
    )
    for name in ("Eli", "Efa"):
        assert (await sees(e.people[name])).group_name == "Quiet corner"
    assert (await sees(e.people["Dee"])).group_name == "Library C"
    done = await console.submit("announce", cell_id=LIBRARY, text="The library closes at four")
    assert done == "Done."
    announced = (await e.host.snapshot())["announcements"][-1]
    assert (announced["text"], announced["cell_id"]) == ("The library closes at four", LIBRARY)
    await console.http.aclose()
