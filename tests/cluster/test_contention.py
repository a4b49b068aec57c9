"""Three nodes posting into one session as fast as a packed consultation can.

Each node decides commands against its copy of the session and races the others for
the session's counter row. Contention must cost time, never a command: no answer is
``storage_failed``, every command is acknowledged exactly once, the log has no gap.
"""

from __future__ import annotations

import asyncio
import time

from tests.cluster.nodes import Cluster, gap_free, notes_once
from tests.reliability.client import OutboxClient
from tests.reliability.process import host_token

POSTERS_PER_NODE = 6
RATE = 360  # notes per second into the one session, from all posters together
SECONDS = 4


async def poster(client: OutboxClient, every: float, count: int) -> None:
    """Post ``count`` notes, one every ``every`` seconds on a fixed schedule (load)."""
    start = time.monotonic()
    for n in range(count):
        client.post(f"{client.name} note {n}")
        await asyncio.sleep(max(0.0, start + (n + 1) * every - time.monotonic()))


def answered_all(client: OutboxClient) -> bool:
    return all(i in client.acked or i in client.rejected for i in client.sent)


async def test_three_nodes_posting_hundreds_of_notes_a_second_lose_and_refuse_nothing(
    cluster: Cluster,
) -> None:
    links = cluster.new_session()
    host = OutboxClient(cluster.nodes[0].ws_url, links["session_id"], host_token(links), "host")
    host.start()
    host.send_now({"type": "open_phase", "phase_id": "p1"}, "host-open")
    await host.answered("host-open", 20, acked=True)
    people = [
        await cluster.client(node, links, f"n{i}p{j}")
        for i, node in enumerate(cluster.nodes)
        for j in range(POSTERS_PER_NODE)
    ]
    each = RATE * SECONDS // len(people)
    try:
        started = time.monotonic()
        await asyncio.gather(*(poster(p, len(people) / RATE, each) for p in people))
        posted = time.monotonic() - started
        try:
            for person in people:  # no resending: every first answer must be an ack
                await person.wait_for(answered_all, 120)
        except TimeoutError:
            for person in people:
                print(person.name, len(person.acked), len(person.rejected), person.closes)
            raise
        answered = time.monotonic() - started
        refused = [r["code"] for p in people for r in p.rejected.values()]
        reconnects = sum(len(p.closes) for p in people)
        acked = sum(len(p.acked) for p in people)
        print(  # the figure for docs/scaling.md (assumption 4): run with -s
            f"\n{each * len(people)} notes from {len(people)} posters on 3 nodes, posted in "
            f"{posted:.1f} s; all answered after {answered:.1f} s: {acked} acked "
            f"({acked / answered:.0f} notes/s), {len(refused)} refused {set(refused)}, "
            f"{reconnects} reconnections"
        )
        assert not refused, f"{len(refused)} refused: {set(refused)}"
        log = await cluster.stored_log(links["session_id"])
        gap_free(log)
        notes_once(people, log)
        assert acked == each * len(people)
        # acknowledged once each, but for what a reconnection sent again (same ids)
        assert all(p.duplicate_acks == 0 for p in people if not p.closes)
    finally:
        for client in [host, *people]:
            await client.stop()
