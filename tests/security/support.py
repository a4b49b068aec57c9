"""Helpers for the security tests: the documented matrices, signing, and staged roles."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path
from typing import Any

from PIL import Image

from hostkit.joining.tokens import TokenSigner
from tests.harness import Person, Server

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
ROLES = ("host", "cell_host", "table_host", "participant", "observer", "relay")


def documented_table(name: str) -> list[dict[str, str]]:
    """The rows of a table fenced by <!-- matrix:name --> in docs/security.md."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split(f"<!-- matrix:{name} -->")[1].split(f"<!-- /matrix:{name} -->")[0]
    lines = [line.strip() for line in block.strip().splitlines() if line.startswith("|")]

    def cells(line: str) -> list[str]:
        return [cell.strip() for cell in line.strip("|").split("|")]

    header = cells(lines[0])
    return [dict(zip(header, cells(line), strict=True)) for line in lines[2:]]


def server_signer(server: Server) -> TokenSigner:
    """The server's own signer, read from its database (what its forms are signed with)."""
    with sqlite3.connect(server.data_dir / "hostkit.db") as db:
        (secret,) = db.execute("SELECT value FROM meta WHERE key = 'signing_secret'").fetchone()
    return TokenSigner(str(secret))


def csrf_for(server: Server, person: Person) -> str:
    signer = server_signer(server)
    claim = signer.read_participant_token(person.token)
    assert claim is not None
    return signer.csrf_token(f"{claim.session_id}:{claim.participant_id}:{claim.nonce}")


def participant_id(server: Server, person: Person) -> str:
    claim = server_signer(server).read_participant_token(person.token)
    assert claim is not None
    return claim.participant_id


async def ok(reply: Any) -> dict[str, Any]:
    message = dict(await reply)
    assert message["type"] == "ack", message
    return message


async def create_group(host: Person, name: str, cell_id: str = "venue-1") -> str:
    ack = await ok(host.send({"type": "create_group", "name": name, "cell_id": cell_id}))
    return f"g{ack['seq']}"


async def join_as(
    server: Server, host: Person, room_url: str, role: str, name: str, table: str | None = None
) -> Person:
    """Someone who joined by the room link (at a table) and was given a role by the host."""
    person = await Person.join(server, f"{room_url}?table={table}" if table else room_url, name)
    if role != "participant":
        pid = participant_id(server, person)
        await ok(host.send({"type": "set_role", "participant_id": pid, "role": role}))
    return person


def jpeg(size: tuple[int, int] = (64, 48), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 120, 40))
    if exif is None:
        image.save(out, "JPEG")
    else:
        image.save(out, "JPEG", exif=exif)
    return out.getvalue()
