"""Play a hosting format through the real server: helpers for tests/test_formats_*_live.py.

Each person is a real client (join form, WebSocket, HTTP snapshot); what a test checks
is what that person's own snapshot shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hostkit.sessions import SessionLinks
from tests.harness import Person, Server


async def act(person: Person, command: dict[str, Any]) -> None:
    reply = await person.send(command)
    assert reply["type"] == "ack", reply


async def refused(person: Person, command: dict[str, Any]) -> str:
    reply = await person.send(command)
    assert reply["type"] == "rejected", reply
    return str(reply["code"])


@dataclass
class Sees:
    """What one person's snapshot shows them."""

    state: dict[str, Any]
    me: str

    @property
    def group(self) -> str | None:
        mine = next(p for p in self.state["participants"] if p["id"] == self.me)
        group: str | None = mine["group_id"]
        return group

    @property
    def group_name(self) -> str | None:
        return next((g["name"] for g in self.state["groups"] if g["id"] == self.group), None)

    @property
    def go_to(self) -> str | None:
        """Where the proposed seating sends me next, if there is one."""
        seating = self.state["seating"]
        return seating["seats"].get(self.me) if seating else None

    def holder(self, group: str | None) -> str | None:
        piece = self.state["talking"].get(group or "")
        return piece["holder"] if piece else None

    def order(self, group: str | None) -> list[str]:
        return list(self.state["talking"][group or ""]["order"])

    @property
    def time_left(self) -> float | None:
        timer = self.state["timer"]
        return float(timer["remaining_s"]) if timer else None

    @property
    def phase(self) -> str | None:
        return next((p["title"] for p in self.state["phases"] if p["status"] == "open"), None)

    def texts(self, group: str | None = None, kind: str | None = None) -> list[str]:
        return [
            c["text"]
            for c in self.state["contributions"]
            if (group is None or c["group_id"] == group) and (kind is None or c["kind"] == kind)
        ]


async def sees(person: Person) -> Sees:
    return Sees(await person.snapshot(), person.participant_id)


async def arrive(server: Server, link: str, name: str) -> Person:
    person = await Person.join(server, link, name)
    await person.connect()
    return person


async def host_of(server: Server, links: SessionLinks) -> Person:
    host = Person.from_link(server, links.host_url)
    await host.connect()
    return host


async def open_phase(host: Person, number: int, minutes: int | None = None) -> str:
    """Open the n-th phase (1-based) and start its timer; returns its id."""
    phases = (await host.snapshot())["phases"]
    phase_id = str(phases[number - 1]["id"])
    await act(host, {"type": "open_phase", "phase_id": phase_id})
    timer: dict[str, Any] = {"type": "start_timer"}
    if minutes is not None:
        timer["duration_s"] = minutes * 60
    await act(host, timer)
    return phase_id


async def new_group(host: Person, name: str, cell: str, remote_seats: bool = False) -> str:
    await act(
        host, {"type": "create_group", "name": name, "cell_id": cell, "remote_seats": remote_seats}
    )
    groups = (await host.snapshot())["groups"]
    return str(next(g["id"] for g in reversed(groups) if g["name"] == name))
