"""The custom templates through the real server, every phase, room and remote together."""

from __future__ import annotations

import asyncio

import pytest

from hostkit.domain.formats import CUSTOM_TEMPLATES
from tests.format_play import act, arrive, host_of, new_group, open_phase, sees
from tests.harness import Person, Server


async def round_the_circle(host: Person, people: list[Person]) -> None:
    await act(host, {"type": "set_speaking_order", "room_first": False})
    by_id = {p.participant_id: p for p in people}
    for holder in (await sees(host)).order(None):
        await act(by_id.get(holder, host), {"type": "pass_talking_piece"})
    assert (await sees(people[0])).holder(None) is None


@pytest.mark.parametrize("template_id", sorted(CUSTOM_TEMPLATES))
async def test_a_custom_template_runs_every_phase(server: Server, template_id: str) -> None:
    template = CUSTOM_TEMPLATES[template_id]
    links = await server.new_session(template_id, title=template.name)
    host = await host_of(server, links)
    room = [await arrive(server, links.room_url, n) for n in ("Rhian", "Siôn", "Mair")]
    remote = [await arrive(server, links.remote_url, n) for n in ("Dewi", "Nia", "Owain")]
    everyone = room + remote
    for person, hat in zip(everyone, template.hats, strict=False):
        await act(host, {"type": "set_hat", "participant_id": person.participant_id, "hat": hat})
    tables: list[str] = []
    posted = 0
    for number, phase in enumerate(template.phases, 1):
        if phase.grouping == "tables" and not tables:
            tables = [await new_group(host, f"Table {n}", "venue-1", True) for n in (1, 2)]
        await open_phase(host, number)
        if phase.grouping == "pairs":
            await act(host, {"type": "form_groups", "size": 2})
        elif phase.grouping == "fours":
            await act(host, {"type": "form_groups", "size": 4})
        elif phase.grouping == "tables":
            size = 3 if template_id == "troika-consulting" else 4
            await act(host, {"type": "propose_seating", "seed": number, "table_size": size})
            await act(host, {"type": "apply_seating"})
        elif phase.grouping in ("plenary", "circle"):
            for person in everyone:
                if (await sees(person)).group is not None:
                    await act(person, {"type": "choose_group", "group_id": None})
            if phase.grouping == "circle":
                await round_the_circle(host, everyone)
        views = await asyncio.gather(*(sees(p) for p in everyone))
        assert {v.phase for v in views} == {phase.title}
        assert all(v.time_left is not None and v.time_left > 0 for v in views)
        if phase.grouping in ("pairs", "fours", "tables"):
            assert all(v.group is not None for v in views)
        if template_id == "troika-consulting" and phase.grouping == "tables":
            assert sorted(sum(1 for v in views if v.group == t) for t in tables) == [3, 3]
        if phase.allows:
            kind = phase.allows[0]
            for author in (room[0], remote[0]):
                text = f"{phase.title} from {author.participant_id}"
                await act(author, {"type": "post_contribution", "kind": kind, "text": text})
                posted += 1
    harvest = await sees(remote[2])
    assert len(harvest.state["contributions"]) == posted
    hats = {h for p in harvest.state["participants"] for h in p["hats"]}
    assert hats == set(template.hats[: len(everyone)])
