"""Fan-out against its floor: a bare ``websockets`` broadcast loop vs hostkit, same run.

Every listener is a real WebSocket client in a separate process (so clients do not
share the server's interpreter); hostkit's listeners join through the join form and
say ``hello`` as docs/protocol.md says. A poster sends ~200-byte notes at a fixed rate,
each stamped with the monotonic clock (system-wide on Linux, so comparable across
processes); a listener's latency is arrival minus stamp.

  floor     websockets.asyncio server; every frame a client sends is re-broadcast to
            all with websockets.broadcast() (uvloop, as uvicorn uses)
  hostkit   real uvicorn + hostkit as `hostkit serve` configures it; notes posted as
            commands on live sockets (as phones post), committed to SQLite and fanned
            out to every listener of that session

Neither compresses frames (hostkit's live socket has no permessage-deflate); --deflate
turns it on for both, to compare.

Configurations: 200, 500 and 1,000 listeners in one session at 20 notes/s, and (with
--big) 10,000 listeners across 10 sessions of 999 at 1 note/s per session (the floor:
10,000 listeners, 10 notes/s to all, the same frames sent per second).

Run:  .venv/bin/python bench/bench_fanout.py [--rounds 3] [--big] [--only 200,500]
      [--ws websockets-sansio|websockets|wsproto] [--seconds 10] [--deflate]
Prints, per configuration, medians over the rounds of delivered %, p50/p95/p99 and
server memory per connection, and hostkit's ratio to the floor of the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import multiprocessing as mp
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hostkit.server.limits import raise_open_file_limit

MARK = re.compile(rb"@@(\d+):(\d+):(\d+\.\d+)@@")
SEQ = re.compile(rb'"seq":(\d+)')
NOTE_BYTES = 200
PER_SESSION = 999  # per session, as the fan-out issue measured (the cap is 5,000 now)
CLIENTS_PER_PROCESS = 1000
# Both servers ping every 20 s: at 5 s (hostkit's default heartbeat) a machine loaded by
# other work drops the odd listener of either server for a late pong, which is noise.
PING = 20.0


def note_text(stream: int, n: int) -> str:
    stamp = f"@@{stream}:{n}:{time.monotonic():.6f}@@ "
    return stamp + "a note from table three about the village hall roof " * 4


def public_url(port: int) -> str:
    """What links carry; the bench reaches the same server on loopback."""
    return f"http://hall.test:{port}"


def percentile(ordered: list[float], p: float) -> float:
    if not ordered:
        return math.nan
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used: steadier than latency on a busy box."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(x for x in status.splitlines() if x.startswith("VmRSS:")).split()[1])


# --- servers (each run as its own process) ---------------------------------------


def deflating() -> bool:
    """--deflate: both servers compress each frame per connection (permessage-deflate)."""
    return os.environ.get("BENCH_DEFLATE") == "1"


def serve_floor(port: int) -> None:
    import uvloop
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    raise_open_file_limit()
    connections: set[ServerConnection] = set()

    async def handler(ws: ServerConnection) -> None:
        connections.add(ws)
        try:
            async for message in ws:
                broadcast(connections, message)
        finally:
            connections.discard(ws)

    async def main() -> None:
        async with serve(
            handler,
            "127.0.0.1",
            port,
            ping_interval=PING,
            ping_timeout=PING,
            compression="deflate" if deflating() else None,
            backlog=4096,  # as hostkit's (draining.uvicorn_config)
        ) as server:
            await server.serve_forever()

    uvloop.run(main())


def serve_hostkit(port: int, data_dir: Path, ws: str) -> None:
    """hostkit as ``hostkit serve`` runs it, with the join and command limits lifted so
    that ten thousand listeners can join in seconds (the fan-out path is unchanged)."""
    import uvicorn

    from hostkit.server.app import create_app
    from hostkit.server.draining import freeze_startup, uvicorn_config
    from hostkit.settings import Settings

    raise_open_file_limit()
    settings = Settings(
        data_dir=data_dir,
        host="127.0.0.1",
        port=port,
        public_url=public_url(port),
        heartbeat_s=PING,
        join_rate="1000000/minute",
        command_rate="1000000/minute",
    )
    overrides: dict[str, object] = {"log_level": "warning"}
    if ws != "auto":
        overrides["ws"] = ws
    if deflating():
        overrides["ws_per_message_deflate"] = True
    config = uvicorn_config(create_app(settings), settings, **overrides)
    freeze_startup()  # as draining.run does
    uvicorn.Server(config).run()


# --- listeners (client processes) -------------------------------------------------


@dataclass
class Listener:
    url: str
    hello: str | None  # None for the floor, which has no protocol


def client_process(listeners: list[Listener], pipe: Connection) -> None:
    import uvloop

    raise_open_file_limit()
    uvloop.run(_client_main(listeners, pipe))


async def _client_main(listeners: list[Listener], pipe: Connection) -> None:
    from websockets.asyncio.client import ClientConnection, connect
    from websockets.exceptions import ConnectionClosed, InvalidHandshake

    count = len(listeners)
    received = [0] * count  # notes got, per listener
    notes_seen = [set[tuple[int, int]]() for _ in range(count)]  # (stream, n)
    gaps = dups = dropped = 0
    latencies: list[float] = []
    gate = asyncio.Semaphore(64)
    sockets: list[ClientConnection] = []

    async def open_one(i: int, listener: Listener) -> None:
        async with gate:
            for attempt in range(5):
                try:
                    ws = await connect(
                        listener.url, max_size=None, ping_interval=None, open_timeout=60
                    )
                    break
                except (OSError, InvalidHandshake):  # a handshake cut short under load
                    if attempt == 4:
                        raise
                    await asyncio.sleep(0.5 * (attempt + 1))
            if listener.hello is not None:
                await ws.send(listener.hello)
                welcome = json.loads(await ws.recv())
                assert welcome["type"] == "welcome", welcome
            sockets.append(ws)
            readers.append(asyncio.create_task(read(i, ws)))

    async def read(i: int, ws: ClientConnection) -> None:
        nonlocal dropped
        try:
            await read_all(i, ws)
        except ConnectionClosed:
            dropped += 1

    async def read_all(i: int, ws: ClientConnection) -> None:
        nonlocal gaps, dups
        seen = notes_seen[i]
        last_seq = 0
        async for raw in ws:
            now = time.monotonic()
            data = raw.encode() if isinstance(raw, str) else raw
            for s in SEQ.finditer(data):  # hostkit's events: each seq once, in order
                seq = int(s[1])
                if last_seq and seq != last_seq + 1:
                    gaps += 1
                last_seq = seq
            # a note's stamp shows twice in one event (its text and its html): count
            # each note once per frame, and as a duplicate only if an earlier frame had it
            in_frame = {(int(m[1]), int(m[2])): float(m[3]) for m in MARK.finditer(data)}
            for note, stamp in in_frame.items():
                if note in seen:
                    dups += 1
                    continue
                seen.add(note)
                received[i] += 1
                latencies.append(now - stamp)

    readers: list[asyncio.Task[None]] = []
    await asyncio.gather(*(open_one(i, x) for i, x in enumerate(listeners)))
    pipe.send(("ready", len(sockets)))
    # The listeners are the instrument: a full collection in this process took 16-60 ms
    # and landed at random in either server's run, so none runs while measuring.
    gc.collect()
    gc.freeze()
    gc.disable()
    loop = asyncio.get_running_loop()
    expected = await loop.run_in_executor(None, pipe.recv)  # sent once posting ends
    deadline = time.monotonic() + 120
    while min(received) < expected and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.1)  # polling counters the readers bump
    pipe.send(("done", sum(received), gaps, dups, dropped, latencies))
    for ws in sockets:
        await ws.close()


def start_clients(listeners: list[Listener]) -> list[tuple[mp.process.BaseProcess, Connection]]:
    ctx = mp.get_context("spawn")
    procs = max(2, math.ceil(len(listeners) / CLIENTS_PER_PROCESS))
    out: list[tuple[mp.process.BaseProcess, Connection]] = []
    for k in range(procs):
        mine, theirs = ctx.Pipe()
        proc = ctx.Process(target=client_process, args=(listeners[k::procs], theirs))
        proc.start()
        out.append((proc, mine))
    return out


# --- one measured run ---------------------------------------------------------------


@dataclass
class Figures:
    delivered: float  # percent
    p50: float  # ms
    p95: float
    p99: float
    kb_per_connection: float
    cpu_us_per_delivery: float  # server CPU from the first note to the last delivery


@dataclass
class Config:
    name: str
    sessions: int
    per_session: int
    rate: float  # notes per second per session
    seconds: float

    @property
    def listeners(self) -> int:
        return self.sessions * self.per_session


def _wait_port(port: int, proc: subprocess.Popen[bytes], within: float = 180) -> None:
    import socket

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)  # polling for readiness
    raise TimeoutError("server did not start")


def _server(args: list[str], port: int) -> subprocess.Popen[bytes]:
    log = Path(tempfile.gettempdir()) / f"bench-fanout-server-{port}.log"
    with log.open("ab") as out:
        proc = subprocess.Popen([sys.executable, __file__, *args], stdout=out, stderr=out)
    try:
        _wait_port(port, proc)
    except BaseException:
        proc.kill()
        proc.wait()
        print(log.read_text()[-3000:], file=sys.stderr)
        raise
    return proc


def progress(text: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _measure(
    server: subprocess.Popen[bytes],
    listeners: list[Listener],
    post: Any,
    per_listener: int,
) -> Figures:
    """Connect the listeners, post, collect; the server's RSS growth per connection."""
    before = rss_kb(server.pid)
    clients = start_clients(listeners)
    try:
        progress(f"connecting {len(listeners)} listeners")
        connected = sum(pipe.recv()[1] for _, pipe in clients)
        assert connected == len(listeners), (connected, len(listeners))
        time.sleep(1.0)  # let the connections settle before reading the memory
        after = rss_kb(server.pid)
        progress("connected; posting")
        cpu_before = cpu_seconds(server.pid)
        posted = post()
        progress("posted; collecting")
        assert posted == per_listener, (posted, per_listener)
        for _, pipe in clients:
            pipe.send(per_listener)
        got = 0
        latencies: list[float] = []
        for proc, pipe in clients:
            _, received, gaps, dups, dropped, lat = pipe.recv()
            if gaps or dups or dropped:
                progress(f"gaps {gaps}, duplicates {dups}, dropped connections {dropped}")
            got += received
            latencies.extend(lat)
            proc.join(timeout=60)
        cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        for proc, _ in clients:
            if proc.is_alive():
                proc.kill()
    latencies.sort()
    return Figures(
        delivered=100.0 * got / (per_listener * len(listeners)),
        p50=percentile(latencies, 0.50) * 1e3,
        p95=percentile(latencies, 0.95) * 1e3,
        p99=percentile(latencies, 0.99) * 1e3,
        kb_per_connection=(after - before) / len(listeners),
        cpu_us_per_delivery=cpu * 1e6 / max(got, 1),
    )


def run_floor(config: Config, port: int) -> Figures:
    server = _server(["serve-floor", str(port)], port)
    try:
        url = f"ws://127.0.0.1:{port}"
        listeners = [Listener(url, None) for _ in range(config.listeners)]
        # every listener gets the notes of one session's rate: as many frames as hostkit
        notes = int(config.seconds * config.rate)

        def post() -> int:
            return asyncio.run(_post_floor(url, config.rate, notes))

        return _measure(server, listeners, post, notes)
    finally:
        server.terminate()
        server.wait()


async def _post_floor(url: str, rate: float, notes: int) -> int:
    from websockets.asyncio.client import connect

    async with connect(url, ping_interval=None) as ws:

        async def own_copy() -> None:
            """Our copy of the last note: everyone has been written to by then."""
            async for raw in ws:
                if f"@@0:{notes}:".encode() in (raw.encode() if isinstance(raw, str) else raw):
                    return

        task = asyncio.create_task(own_copy())
        start = time.monotonic()
        for n in range(1, notes + 1):
            await asyncio.sleep(max(0.0, start + (n - 1) / rate - time.monotonic()))
            await ws.send(note_text(0, n))
        await asyncio.wait_for(task, 300)
    return notes


@dataclass
class HostkitSetup:
    data_dir: Path
    sessions: list[dict[str, str]]  # session_id, host token
    tokens: list[list[str]]  # per session, the listeners' tokens


async def _prepare_hostkit(config: Config, port: int, data_dir: Path) -> HostkitSetup:
    """Create the sessions, open their first phase, and join every listener once."""
    import httpx

    from hostkit.sessions import create_session
    from hostkit.settings import Settings
    from hostkit.store.sqlite import open_store
    from tests.harness import Server, open_first_phase

    url = f"http://127.0.0.1:{port}"
    public = public_url(port)
    server = Server(url, public, data_dir, Settings(data_dir=data_dir))
    sessions, tokens = [], []
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(follow_redirects=False, timeout=60) as http:

        async def join(link: str, i: int) -> str:
            async with gate:
                response = await http.post(link, data={"name": f"Listener {i}"})
                assert response.status_code == 303, response.text
                sid = response.headers["location"].split("/s/")[1].split("?")[0]
                return str(response.cookies[f"hk_{sid}"])

        for k in range(config.sessions):
            store = open_store(data_dir)
            await store.open()
            try:
                links = await create_session(
                    store, base=public, title=f"Hall {k}", format_id="world-cafe"
                )
            finally:
                await store.close()
            host = await open_first_phase(server, links)
            await host.disconnect()
            sessions.append(
                {"session_id": links.session_id, "host": links.host_url.split("key=")[1]}
            )
            tokens.append(
                await asyncio.gather(
                    *(join(server.local(links.remote_url), i) for i in range(config.per_session))
                )
            )
    return HostkitSetup(data_dir, sessions, tokens)


POSTERS = 4  # sockets posting per session, round robin, as several phones would


async def _post_hostkit(url: str, sessions: list[dict[str, str]], rate: float, notes: int) -> int:
    """Each session's notes are posted at `rate` as phones post them: commands on live
    sockets (the host's token, POSTERS sockets round robin, since one socket's commands
    are decided one after another); done when every one is acknowledged, i.e. committed
    and handed to every listener. The posting sockets read everything they are sent."""
    from websockets.asyncio.client import connect

    acks: list[float] = []

    async def one(k: int, session: dict[str, str]) -> None:
        live = f"{url.replace('http://', 'ws://')}/api/sessions/{session['session_id']}/live"
        sockets = [await connect(live, max_size=None, ping_interval=None) for _ in range(POSTERS)]
        posted: dict[str, float] = {}
        waiting: dict[str, asyncio.Future[None]] = {}

        async def read(ws: Any) -> None:
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] in ("ack", "rejected"):
                    assert message["type"] == "ack", message
                    acks.append(time.monotonic() - posted[message["id"]])
                    waiting.pop(message["id"]).set_result(None)

        for ws in sockets:
            await ws.send(json.dumps({"type": "hello", "token": session["host"], "last_seq": 0}))
            while json.loads(await ws.recv())["type"] != "welcome":
                pass
        readers = [asyncio.create_task(read(ws)) for ws in sockets]
        start = time.monotonic() + k / (rate * len(sessions))  # spread the sessions
        for n in range(1, notes + 1):
            await asyncio.sleep(max(0.0, start + (n - 1) / rate - time.monotonic()))
            command_id = uuid.uuid4().hex
            command = {"type": "post_contribution", "kind": "note", "text": note_text(k, n)}
            posted[command_id] = time.monotonic()
            waiting[command_id] = asyncio.get_running_loop().create_future()
            done = waiting[command_id]
            message = {"type": "command", "id": command_id, "command": command}
            await sockets[n % POSTERS].send(json.dumps(message))
            if n == 1:
                await done  # in order: a listener counts a note that overtakes as a gap
        await asyncio.gather(*waiting.values())
        for ws in sockets:
            await ws.close()
        for reader in readers:
            reader.cancel()

    await asyncio.gather(*(one(k, s) for k, s in enumerate(sessions)))
    acks.sort()
    progress(
        f"acks p50 {1000 * percentile(acks, 0.5):.1f} ms,"
        f" p99 {1000 * percentile(acks, 0.99):.1f} ms"
    )
    return notes  # per listener: its session's


def _head(port: int, session: dict[str, str]) -> int:
    import httpx

    response = httpx.get(
        f"http://127.0.0.1:{port}/api/sessions/{session['session_id']}/events",
        params={"after": 0},
        headers={"Authorization": f"Bearer {session['host']}"},
        timeout=60,
    )
    response.raise_for_status()
    first = response.json()
    if first["type"] == "snapshot":  # a long log answers with the state as it is
        return int(first["state"]["seq"])
    events = first["events"]
    after = events[-1]["seq"] if events else 0
    while True:  # the events API pages; follow it to the head
        response = httpx.get(
            f"http://127.0.0.1:{port}/api/sessions/{session['session_id']}/events",
            params={"after": after},
            headers={"Authorization": f"Bearer {session['host']}"},
            timeout=60,
        )
        more = response.json()["events"]
        if not more:
            return int(after)
        after = more[-1]["seq"]


def run_hostkit(config: Config, port: int, setup: HostkitSetup, ws: str) -> Figures:
    server = _server(["serve-hostkit", str(port), str(setup.data_dir), ws], port)
    try:
        ws_url = f"ws://127.0.0.1:{port}"
        listeners = []
        for session, tokens in zip(setup.sessions, setup.tokens, strict=True):
            head = _head(port, session)
            url = f"{ws_url}/api/sessions/{session['session_id']}/live"
            listeners += [
                Listener(url, json.dumps({"type": "hello", "token": t, "last_seq": head}))
                for t in tokens
            ]
        notes = int(config.seconds * config.rate)

        def post() -> int:
            url = f"http://127.0.0.1:{port}"
            return asyncio.run(_post_hostkit(url, setup.sessions, config.rate, notes))

        return _measure(server, listeners, post, notes)
    finally:
        server.terminate()
        server.wait()


def prepare(config: Config, port: int, ws: str, data_dir: Path) -> HostkitSetup:
    server = _server(["serve-hostkit", str(port), str(data_dir), ws], port)
    try:
        return asyncio.run(_prepare_hostkit(config, port, data_dir))
    finally:
        server.terminate()
        server.wait()


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}x" if b > 0 else "-"


def commit_probe(directory: Path, commits: int = 200, rate: float = 20.0) -> str:
    """What the data directory's disk does to a commit, beside the figures: hostkit puts
    each note on disk (WAL, synchronous=FULL, an fsync) before anyone sees it, which the
    floor never does, so a slow fsync shows in hostkit's tail and not in the floor's."""
    import sqlite3

    path = directory / "probe.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE t (body TEXT)")
    took: list[float] = []
    for _ in range(commits):
        start = time.perf_counter()
        db.execute("BEGIN")
        db.execute("INSERT INTO t VALUES (?)", ("x" * 600,))
        db.execute("COMMIT")
        took.append(time.perf_counter() - start)
        time.sleep(1 / rate)  # a note's pace, as in the runs
    db.close()
    path.unlink()
    took.sort()
    return (
        f"a bare SQLite commit in the data directory ({commits} at {rate:g}/s):"
        f" p50 {percentile(took, 0.5) * 1e3:.2f} ms, p99 {percentile(took, 0.99) * 1e3:.2f} ms,"
        f" max {took[-1] * 1e3:.2f} ms"
    )


def median_figures(runs: list[Figures]) -> Figures:
    return Figures(
        *(statistics.median(getattr(r, f) for r in runs) for f in Figures.__dataclass_fields__)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--big", action="store_true", help="also 10,000 across 10 sessions")
    parser.add_argument("--only", default="", help="listener counts to run, e.g. 200,1000")
    parser.add_argument("--ws", default="auto", help="uvicorn's ws= for hostkit")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--deflate", action="store_true", help="both servers compress frames (permessage-deflate)"
    )
    parser.add_argument(
        "--data",
        type=Path,
        help="where hostkit keeps its SQLite files (default: a temporary directory)",
    )
    args = parser.parse_args()
    if args.deflate:
        os.environ["BENCH_DEFLATE"] = "1"  # the servers are child processes
    raise_open_file_limit()
    configs = [
        Config("200, one session", 1, 200, 20.0, args.seconds),
        Config("500, one session", 1, 500, 20.0, args.seconds),
        Config("1,000, one session", 1, PER_SESSION, 20.0, args.seconds),
    ]
    if args.big:
        configs.append(Config("10,000, 10 sessions", 10, PER_SESSION, 1.0, args.seconds * 1.5))
    if args.only:
        wanted = {int(x) for x in args.only.split(",")}
        configs = [c for c in configs if c.listeners in wanted or round(c.listeners, -3) in wanted]
    table: list[dict[str, Any]] = []
    print(
        f"{'listeners':<22} {'run':<8} {'deliv':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'KB/conn':>8}"
        f" {'CPU us/delivery':>16}"
    )
    with tempfile.TemporaryDirectory(prefix="bench-fanout-", dir=args.data) as tmp:
        print(commit_probe(Path(tmp)), flush=True)
        for config in configs:
            port = _free_port()
            progress(f"{config.name}: joining")
            setup = prepare(config, port, args.ws, Path(tmp) / config.name.replace(" ", "_"))
            floors, ours = [], []
            for _ in range(args.rounds):  # interleaved, so noise hits both alike
                floors.append(run_floor(config, _free_port()))
                ours.append(run_hostkit(config, port, setup, args.ws))
                for label, f in (("floor", floors[-1]), ("hostkit", ours[-1])):
                    print(
                        f"{config.name:<22} {label:<8} {f.delivered:5.1f}% {f.p50:7.1f}ms"
                        f" {f.p95:7.1f}ms {f.p99:7.1f}ms {f.kb_per_connection:7.1f}"
                        f" {f.cpu_us_per_delivery:7.1f}",
                        flush=True,
                    )
            floor, mine = median_figures(floors), median_figures(ours)
            table.append({"config": config.name, "floor": floor.__dict__, "hostkit": mine.__dict__})
            print(
                f"{config.name:<22} MEDIAN   floor"
                f" {floor.p50:.0f}/{floor.p95:.0f}/{floor.p99:.0f} ms"
                f"  hostkit {mine.p50:.0f}/{mine.p95:.0f}/{mine.p99:.0f} ms"
                f"  ratio p50 {ratio(mine.p50, floor.p50)} p95 {ratio(mine.p95, floor.p95)}"
                f" p99 {ratio(mine.p99, floor.p99)}  delivered {floor.delivered:.1f}%"
                f" / {mine.delivered:.1f}%  KB/conn {floor.kb_per_connection:.1f}"
                f" / {mine.kb_per_connection:.1f}  CPU us/delivery {floor.cpu_us_per_delivery:.1f}"
                f" / {mine.cpu_us_per_delivery:.1f}",
                flush=True,
            )
    if args.json:
        args.json.write_text(json.dumps(table, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "serve-floor":
        serve_floor(int(sys.argv[2]))
    elif len(sys.argv) > 1 and sys.argv[1] == "serve-hostkit":
        serve_hostkit(int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
    else:
        main()
