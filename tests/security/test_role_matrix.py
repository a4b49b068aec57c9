"""The role matrix of docs/security.md, walked against a real server.

Every role sends every client command over the real WebSocket, each one valid for the
role's own venue and table, so a refusal can only come from the role; and every caller
(each role, no token, forged, another session's, removed, rotated, the admin) tries
every HTTP route and the WebSocket. The expectations are read from the doc's tables.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
import pytest
import websockets

from hostkit.domain import commands as cmd
from hostkit.domain.roles import PERMISSIONS
from hostkit.joining.tokens import TokenSigner, new_secret
from tests.harness import Person, Server
from tests.security.support import (
    ROLES,
    create_group,
    csrf_for,
    documented_table,
    join_as,
    jpeg,
    ok,
    participant_id,
    server_signer,
)

COMMANDS = documented_table("commands")
# what a client may send (the rest the server issues: join, rotate_token, publish_digest...)
CLIENT_PERMISSIONS = {
    c.__struct_config__.tag: PERMISSIONS[c.__struct_config__.tag]
    for c in typing.get_args(cmd.ClientCommand)
}
ROUTES = documented_table("routes")
CALLERS = ("nobody", "forged", "other", "removed", "rotated", "admin")


def test_the_documented_command_matrix_is_the_one_the_code_enforces() -> None:
    documented = {
        row["command"]: frozenset(role for role in ROLES if row[role] == "yes") for row in COMMANDS
    }
    assert documented == CLIENT_PERMISSIONS
    assert all(row[role] in ("yes", "no") for row in COMMANDS for role in ROLES)


@dataclass
class Stage:
    server: Server
    host: Person
    actor: Person
    victim: Person
    victim_id: str
    table_a: str
    table_b: str

    async def victim_note(self) -> str:
        ack = await ok(
            self.victim.send({"type": "post_contribution", "kind": "note", "text": "Theirs"})
        )
        return f"c{ack['seq']}"

    async def own_note(self) -> str:
        """The actor's own note if they may post; else someone's (refused by role anyway)."""
        reply = await self.actor.send({"type": "post_contribution", "kind": "note", "text": "Mine"})
        return f"c{reply['seq']}" if reply["type"] == "ack" else await self.victim_note()


async def stage(server: Server, role: str) -> Stage:
    """The actor (with ``role``) and a victim at table A in the hall; round one is open."""
    links = await server.new_session("world-cafe", venues=("Hall", "Annex"))
    host = Person.from_link(server, links.host_url)
    await host.connect()
    table_a = await create_group(host, "Table A")
    table_b = await create_group(host, "Table B")
    await ok(host.send({"type": "open_phase", "phase_id": "p1", "seat": False, "timer": False}))
    victim = await join_as(server, host, links.room_url, "participant", "Vic", table_a)
    await victim.connect()
    if role == "host":
        actor = host
    elif role == "relay":  # the hall's laptop, by its venue link (nobody is made one)
        actor = Person.from_link(server, server.local(links.venue_links["Hall"]))
        await actor.connect()
    else:
        actor = await join_as(server, host, links.room_url, role, "Actor", table_a)
        await actor.connect()
    return Stage(server, host, actor, victim, participant_id(server, victim), table_a, table_b)


Builder = Callable[[Stage], Awaitable[dict[str, Any]]]


async def _fixed(command: dict[str, Any]) -> dict[str, Any]:
    return command


def fixed(command: dict[str, Any]) -> Builder:
    return lambda _: _fixed(command)


async def _withdraw(s: Stage) -> dict[str, Any]:
    return {"type": "withdraw_contribution", "contribution_id": await s.own_note()}


async def _withdraw_all(s: Stage) -> dict[str, Any]:
    await s.own_note()
    return {"type": "withdraw_all"}


def on_victims_note(kind: str, **extra: Any) -> Builder:
    async def build(s: Stage) -> dict[str, Any]:
        return {"type": kind, "contribution_id": await s.victim_note(), **extra}

    return build


def on_victim(kind: str, **extra: Any) -> Builder:
    async def build(s: Stage) -> dict[str, Any]:
        return {"type": kind, "participant_id": s.victim_id, **extra}

    return build


async def _revoke_published(s: Stage) -> dict[str, Any]:
    """The lead host publishes the digest; the actor then revokes its link."""
    async with httpx.AsyncClient() as http:
        url = f"{s.server.url}/s/{s.host.session_id}/publish"
        published = await http.post(url, headers=s.host.headers)
    return {"type": "revoke_digest", "link": published.json()["link"]}


async def _end_announcement(s: Stage) -> dict[str, Any]:
    """The lead host announces to the hall; the actor then takes it down."""
    said = {"type": "announce", "text": "Tea is ready", "cell_id": "venue-1"}
    return {"type": "end_announcement", "seq": (await ok(s.host.send(said)))["seq"]}


async def _open_responses(s: Stage) -> dict[str, Any]:
    """The lead host publishes the digest; the actor then opens it to responses."""
    command = await _revoke_published(s)
    return {"type": "set_response_window", "link": command["link"], "days": 7}


def on_table(kind: str, table: str, **extra: Any) -> Builder:
    async def build(s: Stage) -> dict[str, Any]:
        return {"type": kind, **extra, "group_id": getattr(s, table)}

    return build


# In an order where each allowed command is valid after the ones before it.
STEPS: list[tuple[str, Builder]] = [
    ("post_contribution", fixed({"type": "post_contribution", "kind": "note", "text": "Hi"})),
    ("withdraw_contribution", _withdraw),
    ("withdraw_all", _withdraw_all),
    ("hide_contribution", on_victims_note("hide_contribution")),
    ("cast_vote", on_victims_note("cast_vote", dots=1)),
    ("set_dots", fixed({"type": "set_dots", "phase_id": "p3", "dots": 3})),
    ("react", on_victims_note("react", reaction="heart")),
    ("raise_hand", fixed({"type": "raise_hand"})),
    ("lower_hand", fixed({"type": "lower_hand"})),
    # the hall's own timer (the session's is the lead host's alone: tests/test_venue_rules.py)
    ("start_timer", fixed({"type": "start_timer", "duration_s": 300, "cell_id": "venue-1"})),
    ("pause_timer", fixed({"type": "pause_timer", "cell_id": "venue-1"})),
    ("extend_timer", fixed({"type": "extend_timer", "seconds": 60, "cell_id": "venue-1"})),
    ("stop_timer", fixed({"type": "stop_timer", "cell_id": "venue-1"})),
    ("start_hall_round", fixed({"type": "start_hall_round", "cell_id": "venue-1"})),
    ("move_participant", on_table("move_participant", "table_b", participant_id="")),
    ("announce", fixed({"type": "announce", "text": "Tea is ready"})),
    ("end_announcement", _end_announcement),
    ("create_group", fixed({"type": "create_group", "name": "Table C", "cell_id": "venue-1"})),
    ("rename_group", on_table("rename_group", "table_a", name="Window table")),
    ("set_role", on_victim("set_role", role="participant")),
    ("mute_participant", on_victim("mute_participant")),
    ("remove_participant", on_victim("remove_participant")),
    ("open_phase", fixed({"type": "open_phase", "phase_id": "p2", "seat": False, "timer": False})),
    ("close_phase", fixed({"type": "close_phase", "phase_id": "p2"})),
    (
        "set_phase_attribution",
        fixed({"type": "set_phase_attribution", "phase_id": "p3", "attribution": "pseudonymous"}),
    ),
    ("revoke_digest", _revoke_published),
    ("set_response_window", _open_responses),
    ("choose_group", on_table("choose_group", "table_b")),
    ("set_projector", fixed({"type": "set_projector", "mode": "wall"})),
]


def test_the_walk_knows_only_commands_of_the_matrix() -> None:
    assert {name for name, _ in STEPS} <= set(CLIENT_PERMISSIONS)


def _placeholder(t: msgspec.inspect.Type) -> Any:
    """A value of type t that decodes, whatever it means to the rules."""
    match t:
        case msgspec.inspect.StrType():
            return "x"
        case msgspec.inspect.IntType():
            return 1
        case msgspec.inspect.FloatType():
            return 1.0
        case msgspec.inspect.BoolType():
            return False
        case msgspec.inspect.LiteralType():
            return t.values[0]
        case msgspec.inspect.UnionType():
            return _placeholder(
                next(u for u in t.types if not isinstance(u, msgspec.inspect.NoneType))
            )
        case msgspec.inspect.ListType() | msgspec.inspect.SetType() | msgspec.inspect.TupleType():
            return []
        case msgspec.inspect.DictType():
            return {}
    return None


def placeholder_command(kind: str) -> dict[str, Any]:
    """The command ``kind`` with placeholder values for every required field."""
    struct = next(c for c in typing.get_args(cmd.ClientCommand) if c.__struct_config__.tag == kind)
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    fields = {f.encode_name: _placeholder(f.type) for f in info.fields if f.required}
    return {"type": kind, **fields}


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_may_send_exactly_the_documented_commands(
    server: Server, role: str
) -> None:
    s = await stage(server, role)
    expected = {row["command"]: row[role] == "yes" for row in COMMANDS}
    outcomes = {}
    for name, build in STEPS:
        command = await build(s)
        if command.get("participant_id") == "":
            command["participant_id"] = s.victim_id
        reply = await s.actor.send(command)
        outcomes[name] = reply["type"] == "ack"
        if not expected[name]:
            assert reply["type"] == "rejected" and reply["code"] == "not_allowed", (name, reply)
        else:
            assert reply["type"] == "ack", (name, reply)
    # Commands with no builder here: a well-formed command with placeholder values. The
    # role check comes first, so a refused role gets not_allowed whatever the values. (An
    # allowed role may still be refused by the values or its scope; tests/test_roles.py
    # and the format tests cover that side.)
    for name in sorted(set(CLIENT_PERMISSIONS) - set(outcomes)):
        if not expected[name]:
            reply = await s.actor.send(placeholder_command(name))
            assert reply["type"] == "rejected" and reply["code"] == "not_allowed", (name, reply)
        outcomes[name] = expected[name]
    assert outcomes == expected


# --- HTTP routes and the WebSocket ---------------------------------------------------


@dataclass
class World:
    server: Server
    session_id: str
    tokens: dict[str, str | None]  # caller -> the token it presents (None: none)
    csrf: dict[str, str]
    admin_key: str
    photo_id: str
    spare_ids: list[str]  # participants the host may rotate, one per walk


async def world(server: Server) -> World:
    links = await server.new_session("world-cafe")
    other = await server.new_session("circle")
    host = Person.from_link(server, links.host_url)
    await host.connect()
    table = await create_group(host, "Table A")
    people: dict[str, Person] = {"host": host}
    for role in ROLES[1:]:
        if role == "relay":
            (venue_link,) = links.venue_links.values()
            people[role] = Person.from_link(server, server.local(venue_link))
            continue
        people[role] = await join_as(server, host, links.room_url, role, role, table)
    removed = await Person.join(server, links.room_url, "Removed")
    await ok(
        host.send({"type": "remove_participant", "participant_id": participant_id(server, removed)})
    )
    rotated = await Person.join(server, links.room_url, "Rotated")
    outsider = await Person.join(server, other.room_url, "Elsewhere")
    spares = [await Person.join(server, links.room_url, f"Spare {n}") for n in range(3)]
    signer = server_signer(server)
    host_claim = signer.read_participant_token(host.token)
    assert host_claim is not None
    forged = TokenSigner(new_secret()).participant_token(
        host.session_id, host_claim.participant_id, host_claim.nonce
    )
    admin_key = (await server.admin_link()).split("key=")[1]
    async with httpx.AsyncClient(base_url=server.url) as http:
        rotate = await http.post(
            f"/s/{host.session_id}/host/rotate",
            data={"participant_id": participant_id(server, rotated)},
            headers=host.headers,
        )
        assert rotate.status_code == 200, rotate.text
        upload = await http.post(
            f"/s/{host.session_id}/photos", files={"photo": ("p.jpg", jpeg())}, headers=host.headers
        )
        assert upload.status_code == 200, upload.text
    tokens: dict[str, str | None] = {role: people[role].token for role in ROLES}
    tokens |= {
        "nobody": None,
        "forged": forged,
        "other": outsider.token,
        "removed": removed.token,
        "rotated": rotated.token,
        "admin": None,
    }
    csrf = {role: csrf_for(server, people[role]) for role in ROLES}
    return World(
        server,
        host.session_id,
        tokens,
        csrf,
        admin_key,
        upload.json()["photo_id"],
        [participant_id(server, p) for p in spares],
    )


async def call(w: World, route: str, caller: str) -> int:
    """Make the request of one row of the routes table as one caller; return the status."""
    sid = w.session_id
    method, path = route.split(" ", 1)
    path = path.replace("{id}", sid).replace("{photo}", w.photo_id)
    token = w.tokens[caller]
    if method == "WS":
        async with websockets.connect(w.server.ws_url + path) as ws:
            await ws.send(json.dumps({"type": "hello", "token": token or "", "last_seq": 0}))
            first = json.loads(await ws.recv())
            if first["type"] == "welcome":
                return 101
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None
            return closed.value.rcvd.code
    cookies = {f"hk_{sid}": token} if token else {}
    if caller == "admin":
        cookies["hk_admin"] = w.admin_key
    csrf = w.csrf.get(caller, "not-a-token")
    async with httpx.AsyncClient(base_url=w.server.url, cookies=cookies) as http:
        if method == "GET":
            return (await http.get(path)).status_code
        data: dict[str, str] = {"csrf": csrf}
        files = None
        if path.endswith("/act"):
            data |= {"type": "announce", "text": "Hello"}
        elif path.endswith("/commands"):
            body = {"id": f"walk-{caller}", "command": {"type": "raise_hand"}}
            return (await http.post(path, json=body)).status_code
        elif path.endswith("/photos"):
            files = {"photo": ("p.jpg", jpeg())}
        elif path.endswith("/rotate"):
            data["participant_id"] = w.spare_ids.pop() if caller == "host" else w.spare_ids[0]
        elif path == "/admin":
            admin_csrf = server_signer(w.server).csrf_token("admin")
            data = {"csrf": admin_csrf, "title": "Made in the walk", "format": "circle"}
            data["licence"] = "CC BY 4.0"
        elif path == "/admin/drain":  # the admin's fresh form (the node keeps serving here)
            data = {"csrf": server_signer(w.server).csrf_token("admin")}
        return (await http.post(path, data=data, files=files)).status_code


async def test_every_caller_gets_exactly_the_documented_status_on_every_route(
    server: Server,
) -> None:
    w = await world(server)
    expected = {(row["route"], c): int(row[c]) for row in ROUTES for c in (*ROLES, *CALLERS)}
    actual = {(route, caller): await call(w, route, caller) for route, caller in expected}
    wrong = {key: (actual[key], want) for key, want in expected.items() if actual[key] != want}
    assert wrong == {}, f"(route, caller): (got, documented) = {wrong}"


def test_the_routes_table_names_every_route_of_the_app() -> None:
    from hostkit.server.app import create_app
    from hostkit.settings import Settings

    app = create_app(Settings())
    paths = {
        getattr(r, "path", "")
        .replace("{session_id:str}", "{id}")
        .replace("{photo_id:str}", "{photo}")
        for r in app.routes
    }
    documented = {row["route"].split(" ", 1)[1] for row in ROUTES}
    documented = {p.replace("/export/digest-html", "/export/{format:str}") for p in documented}
    documented = {p.replace("/host/phases", "/host/{page:str}") for p in documented}
    # public by design (joining, health, static files, QR codes of public links)
    documented |= {
        "/s/{id}/qr/room.{ext:str}",
        "/s/{id}/qr/table/{group_id:str}.{ext:str}",
        "/healthz",
        "/static",
        "/j/{code:str}/{where:str}",
        "/lang/{lang:str}",  # the language choice, a cookie
    }
    undocumented = paths - documented
    assert undocumented == set(), "add these routes to docs/security.md's routes table"
