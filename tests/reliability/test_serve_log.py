"""What ``hostkit serve`` prints: no participant's address, and a quiet Ctrl+C."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.reliability.process import ServerProcess, join


async def test_serve_logs_no_ip_address_and_stops_on_ctrl_c_without_a_traceback(
    tmp_path: Path,
) -> None:
    server = ServerProcess(tmp_path / "data", extra=("--log-level", "info"))
    links = server.new_session()
    await server.start()
    try:
        rhian = await join(server, links["room_url"], "Rhian")
        welcome = await rhian.connect()
        assert welcome["type"] == "welcome"
        port = rhian.ws.local_address[1] if rhian.ws else 0
        await rhian.disconnect()
        assert server.proc is not None
        server.proc.send_signal(signal.SIGINT)  # what Ctrl+C sends
        await asyncio.to_thread(server.proc.wait, 15)
        log = server.log.read_text(errors="replace")
        assert "Application startup complete" in log  # info lines are printed
        assert "WebSocket" not in log and f":{port}" not in log
        assert server.proc.returncode == 0
        assert "Traceback" not in log and "KeyboardInterrupt" not in log
    finally:
        server.stop()
