"""Several real ``hostkit serve`` nodes sharing one store and one Redis, as deployed.

Every node is the installed ``hostkit`` command on its own loopback port with
``--store URL --bus redis://...``; all of them print the same public URL, as nodes
behind one proxy do, so a link made on one node opens on any other. A test picks
the node a client talks to, which is what the proxy would do.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path

from hostkit.store.base import StoredEvent
from hostkit.store.url import store_for
from tests.harness import Server
from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess, join


@dataclass
class Node(ServerProcess):
    shared_url: str = ""  # the one public URL of every node

    @property
    def public_url(self) -> str:
        return self.shared_url

    def as_server(self) -> Server:
        server = super().as_server()
        return Server(server.url, self.shared_url, server.data_dir, server.settings)


@dataclass
class Cluster:
    root: Path
    store: str
    bus: str
    size: int = 3
    nodes: list[Node] = field(default_factory=list)

    def __post_init__(self) -> None:
        public = "http://hall.test"
        self.nodes = [
            Node(self.root / f"node{i}", extra=("--store", self.store, "--bus", self.bus))
            for i in range(self.size)
        ]
        for node in self.nodes:
            node.shared_url = public

    def new_session(self, format_id: str = "world-cafe") -> dict[str, str]:
        done = self.nodes[0].cli(
            "new", "--store", self.store, "--licence", "CC BY 4.0",
            "--title", "Council consultation",
            "--format", format_id, "--public-url", self.nodes[0].public_url, "--json",
        )  # fmt: skip
        found: dict[str, str] = json.loads(done.stdout)
        return found

    async def start(self) -> None:
        for node in self.nodes:  # one at a time: the first applies the schema
            await node.start(within=60)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    async def client(self, node: Node, links: dict[str, str], name: str) -> OutboxClient:
        """Someone who joined through node's join form and is live on node."""
        person = await join(node, links["remote_url"], name)
        client = OutboxClient(node.ws_url, links["session_id"], person.token, name)
        client.start()
        await asyncio.wait_for(client.connected.wait(), 20)
        return client

    async def stored_log(self, session_id: str) -> list[StoredEvent]:
        """The session's log as the shared store holds it."""
        store = store_for(self.store)
        await store.open()
        try:
            return await store.read(session_id)
        finally:
            await store.close()


def notes_once(clients: list[OutboxClient], log: list[StoredEvent]) -> None:
    """Every acknowledged command is in the log exactly once, at the seq its ack named."""
    stored = [e.command_id for e in log if e.command_id is not None]
    assert len(stored) == len(set(stored)), "a command stored twice"
    seq_of = {e.command_id: e.seq for e in log if e.command_id is not None}
    for client in clients:
        for command_id, seq in client.acked.items():
            assert seq_of.get(command_id) == seq, (client.name, command_id)


def gap_free(log: list[StoredEvent]) -> None:
    assert [e.seq for e in log] == list(range(1, len(log) + 1))


async def settle(client: OutboxClient, within: float) -> None:
    """Wait until every command of the client is acknowledged, resending what the server
    could not store (``storage_failed``: nodes racing for the session) as live.js does."""
    async with asyncio.timeout(within):
        while client.outbox:
            try:
                await client.wait_for(lambda c: not c.outbox, 1.0)
            except TimeoutError:
                client.resend()  # same ids: applied once however often they arrive
