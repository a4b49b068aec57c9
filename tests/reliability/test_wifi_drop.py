"""Wi-Fi drop: a connection that silently dies is found by heartbeats on both sides."""

from __future__ import annotations

import time
from pathlib import Path

from tests.reliability.client import OutboxClient
from tests.reliability.process import ServerProcess, join
from tests.reliability.proxy import SilentProxy
from tests.reliability.test_crash import open_first_phase

HEARTBEAT_S = 0.5


async def test_silent_drop_is_detected_by_both_sides_and_resumed_by_seq(tmp_path: Path) -> None:
    server = ServerProcess(tmp_path / "data", extra=("--heartbeat", str(HEARTBEAT_S)))
    links = server.new_session()
    await server.start()
    phone: OutboxClient | None = None
    try:
        host = await open_first_phase(server, links)
        person = await join(server, links["room_url"], "Rhian")
        async with SilentProxy(server.port) as proxy:
            phone = OutboxClient(
                f"ws://127.0.0.1:{proxy.port}",
                links["session_id"],
                person.token,
                "phone",
                heartbeat_s=HEARTBEAT_S,
            )
            phone.start()
            await phone.wait_for(lambda c: c.last_seq == host.last_seq, 10)
            phone.post("Before the Wi-Fi went")
            await phone.wait_for(lambda c: not c.outbox, 10)

            proxy.drop()
            for n in range(5):  # the hall carries on while the phone is out of range
                host.send_now(
                    {"type": "post_contribution", "kind": "note", "text": f"Missed {n}"},
                    f"host-missed-{n}",
                )
            phone.post("Written while out of range")
            await host.wait_for(lambda c: not c.outbox, 10)
            first = proxy.links[0]
            await phone.wait_for(lambda c: bool(c.closes), 10)
            client_noticed = time.monotonic() - proxy.dropped_at
            server_noticed = await proxy.server_gave_up(first, 10) - proxy.dropped_at
            print(
                f"\nwifi drop: heartbeat {HEARTBEAT_S} s; client noticed after "
                f"{client_noticed:.2f} s, server dropped the connection after "
                f"{server_noticed:.2f} s; client close {phone.closes[0]}"
            )
            assert phone.closes[0] == (None, "no close frame")  # it heard nothing: silence
            assert client_noticed < 4 * HEARTBEAT_S + 1
            assert server_noticed < 4 * HEARTBEAT_S + 1

            missed_from = max(e["seq"] for e in phone.events)
            proxy.restore()
            head = host.last_seq
            await phone.wait_for(lambda c: not c.outbox and c.last_seq >= head + 1, 20)
            assert phone.log() == host.log()  # same events, same order
            caught_up = [e["seq"] for e in phone.events if e["seq"] > missed_from]
            assert caught_up == list(range(missed_from + 1, phone.last_seq + 1))
            assert not phone.snapshots and not phone.gaps
            texts = [e["data"].get("text") for e in phone.events[-6:]]
            assert texts == [*(f"Missed {n}" for n in range(5)), "Written while out of range"]
    finally:
        if phone is not None:
            await phone.stop()
        server.stop()
