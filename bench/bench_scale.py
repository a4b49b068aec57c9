"""Fan-out at scale, in one run: bare websockets, one node on SQLite, one node on
PostgreSQL + Redis, and several nodes on PostgreSQL + Redis (listeners spread over them).

For each setup and each listener count, one poster sends notes at a steady rate into one
session and every listener (a live WebSocket, in worker processes) times each note from
its posting to its arrival. Printed per run: delivered %, p50/p95/p99 delivery latency,
p50/p99 ack latency, and the server processes' CPU seconds per 1,000 delivered frames
(hostkit nodes, plus the private Redis where there is one); then a capacity model from
those costs (docs/scaling.md). Everything runs on loopback; each run is bounded.

Run:  .venv/bin/python bench/bench_scale.py [--listeners 200,1000,5000] [--rate 20]
      [--seconds 5] [--nodes 3] [--pg postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import websockets

from hostkit.server.limits import raise_open_file_limit
from tests.cluster.caddy import Caddy

HOSTKIT = str(Path(sys.executable).with_name("hostkit"))
WORKERS = 2  # listener processes
DRAIN_S = 60.0  # after the last note is posted, how long a listener waits for the rest
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


# --- the bare websockets broadcast, the floor to compare with ---------------------------


async def bare_server(port: int) -> None:
    """Hello, welcome, and every command broadcast as an events frame, then acked."""
    listeners: set[Any] = set()
    seq = 0

    async def handle(ws: Any) -> None:
        nonlocal seq
        await ws.recv()  # hello
        await ws.send(json.dumps({"type": "welcome", "head": seq}))
        listeners.add(ws)
        try:
            async for raw in ws:
                message = json.loads(raw)
                seq += 1
                event = {"seq": seq, "type": "contribution_posted", "data": message["command"]}
                websockets.broadcast(listeners, json.dumps({"type": "events", "events": [event]}))
                await ws.send(json.dumps({"type": "ack", "id": message["id"], "seq": seq}))
        finally:
            listeners.discard(ws)

    # no permessage-deflate, like hostkit's live socket (draining.uvicorn_config)
    async with websockets.serve(handle, "127.0.0.1", port, ping_interval=None, compression=None):
        await asyncio.Future()


def run_bare_server(port: int) -> None:
    logging.getLogger("websockets").setLevel(logging.CRITICAL)  # listeners leave abruptly
    asyncio.run(bare_server(port))


# --- listeners (worker processes) -------------------------------------------------------


async def listen(
    urls: list[str], token: str, count: int, notes: int, posting: float, drain: float,
    until: float, ready: Any,
) -> Any:  # fmt: skip
    """Open count sockets (round-robin over urls); time each of the notes, or stop at until.
    The latencies come back per url, so a run can tell listeners on one node from others."""
    latencies: list[list[float]] = [[] for _ in urls]
    received = connected = resumed = full = 0
    deadline = until  # for connecting; once all are in, posting time plus the drain

    async def one(which: int) -> int:
        """One listener; like a phone, it resumes from its last seq when the server cuts it
        off (4408: too far behind) or the line drops, and counts each note once."""
        nonlocal received, connected, resumed, full
        last_seq, mine, joined = 0, 0, False
        seen: set[int] = set()
        while mine < notes and time.time() < deadline:
            try:
                async with websockets.connect(urls[which], ping_interval=None, max_size=None) as ws:
                    hello = {"type": "hello", "token": token, "last_seq": last_seq}
                    await ws.send(json.dumps(hello))
                    answer = json.loads(await ws.recv())
                    if answer.get("code") == "too_many_connections":
                        full += 1  # a phone tries again soon, as the message says
                        await asyncio.sleep(1.0)
                        continue
                    if answer["type"] != "welcome":
                        print(f"listener refused: {answer}", file=sys.stderr, flush=True)
                        return mine
                    if joined:
                        resumed += 1
                    else:
                        joined = True
                        connected += 1
                    while mine < notes:
                        left = deadline - time.time()
                        if left <= 0:
                            return mine
                        try:
                            raw = await asyncio.wait_for(ws.recv(), left)
                        except TimeoutError:
                            continue  # the deadline may have moved on since (see below)
                        now = time.time()
                        message = json.loads(raw)
                        if message["type"] != "events":
                            continue
                        for event in message["events"]:
                            last_seq = event["seq"]
                            text = event["data"].get("text", "")
                            if text.startswith("bench ") and event["seq"] not in seen:
                                seen.add(event["seq"])
                                received += 1
                                mine += 1
                                latencies[which].append(now - float(text.split()[1]))
            except websockets.ConnectionClosed:
                continue  # cut off: resume at once from last_seq
            except (OSError, TimeoutError, websockets.InvalidHandshake):
                if not joined:
                    return mine
                await asyncio.sleep(0.5)  # the line dropped: try again shortly
        return mine

    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(one(i % len(urls))))
        if i % 100 == 99:
            await asyncio.sleep(0.05)  # a hall arriving, not a SYN flood
    while connected < count and time.time() < until:  # noqa: ASYNC110 - counted by the tasks
        await asyncio.sleep(0.1)
    deadline = time.time() + 1 + posting + drain
    ready.put(connected)
    await asyncio.gather(*tasks)
    short = sum(1 for task in tasks if task.result() < notes)
    if full or short:
        print(
            f"listeners: {full} times told the session was full, {short} ended short",
            file=sys.stderr,
            flush=True,
        )
    return connected, received, latencies, resumed  # connected: late arrivals too


def run_listeners(
    urls: list[str], token: str, count: int, notes: int, posting: float, drain: float,
    until: float, ready: Any, out: Any,
) -> None:  # fmt: skip
    raise_open_file_limit()
    out.put(asyncio.run(listen(urls, token, count, notes, posting, drain, until, ready)))


# --- the poster -------------------------------------------------------------------------


async def post(url: str, token: str, rate: float, seconds: float) -> list[float]:
    """Post rate notes a second for seconds; the ack latency of each, from its first send.

    As a host's laptop does: the poster reads every event too, and a server it cannot keep
    up with cuts it off (4408); it then resumes from its last seq and sends again, with
    the same ids, the notes not yet acknowledged (the server applies each id once)."""
    acks: list[float] = []
    first: dict[str, float] = {}  # command id: first sent
    waiting: dict[str, str] = {}  # command id: its message, until acknowledged
    total, start, posted, last_seq, cuts = int(rate * seconds), time.time(), 0, 0, 0
    give_up = start + seconds + DRAIN_S

    async def read(ws: Any, settled: asyncio.Event) -> None:
        nonlocal last_seq
        async for raw in ws:
            message = json.loads(raw)
            if message["type"] == "events":
                last_seq = message["events"][-1]["seq"]
            elif message["type"] == "snapshot":
                last_seq = message["state"]["seq"]
            elif message["type"] in ("ack", "rejected") and message["id"] in waiting:
                if message["type"] == "rejected":
                    print(f"poster: refused {message}", file=sys.stderr, flush=True)
                del waiting[message["id"]]
                acks.append(time.time() - first[message["id"]])
                if posted == total and not waiting:
                    settled.set()

    while (posted < total or waiting) and time.time() < give_up:
        try:
            async with websockets.connect(url, ping_interval=None, max_size=None) as ws:
                hello = {"type": "hello", "token": token, "last_seq": last_seq}
                await ws.send(json.dumps(hello))
                for message in list(waiting.values()):
                    await ws.send(message)
                settled = asyncio.Event()
                reader = asyncio.create_task(read(ws, settled))
                try:
                    while posted < total and not reader.done():
                        await asyncio.sleep(max(0.0, start + posted / rate - time.time()))
                        command_id = f"n{posted}"
                        first[command_id] = time.time()
                        text = f"bench {first[command_id]:.6f}"
                        command = {"type": "post_contribution", "kind": "note", "text": text}
                        waiting[command_id] = json.dumps(
                            {"type": "command", "id": command_id, "command": command}
                        )
                        posted += 1
                        await ws.send(waiting[command_id])
                    if not waiting:
                        settled.set()
                    all_acked = asyncio.create_task(settled.wait())
                    done, _ = await asyncio.wait(
                        [reader, all_acked],
                        timeout=max(0.0, give_up - time.time()),
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    all_acked.cancel()
                    if reader in done:
                        reader.result()  # a cut-off raises here: resume
                finally:
                    reader.cancel()
        except websockets.ConnectionClosed:
            cuts += 1  # cut off (too far behind): resume and send again what waits
        except OSError:
            await asyncio.sleep(0.5)
    if cuts:
        print(f"poster: cut off {cuts} times and resumed", file=sys.stderr, flush=True)
    return acks


# --- servers ----------------------------------------------------------------------------


@dataclass
class Setup:
    name: str
    ws_urls: list[str]  # where listeners connect
    poster_url: str
    poster_token: str
    listener_token: str
    pids: list[int]  # processes whose CPU counts as the server's
    split: bool = False  # latencies by node: the poster's node (the first url), the others


def wait_port(port: int, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {port}")


class Servers:
    """Starts what a setup needs and stops all of it afterwards."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.procs: list[subprocess.Popen[bytes]] = []
        self.proxy: Caddy | None = None

    def spawn(self, args: list[str], port: int) -> int:
        log = (self.root / f"{port}.log").open("ab")
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        wait_port(port)
        return proc.pid

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
            self.proxy = None
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs = []

    def redis(self) -> tuple[str, int]:
        port = free_port()
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        pid = self.spawn([*args, "--dir", str(self.root)], port)
        return f"redis://127.0.0.1:{port}/0", pid

    def hostkit(
        self, store: str, bus: str, nodes: int, cap: int, name: str, proxied: bool = False
    ) -> Setup:
        links = json.loads(
            subprocess.run(
                [HOSTKIT, "new", "--store", store, "--title", "Bench", "--format", "world-cafe",
                 "--licence", "CC0 1.0",
                 "--public-url", "http://bench.test", "--json"],
                capture_output=True, text=True, check=True,
            ).stdout
        )  # fmt: skip
        urls, pids, ports = [], [], []
        for n in range(nodes):
            port = free_port()
            data = self.root / f"{name}-node{n}"
            pids.append(
                self.spawn(
                    [HOSTKIT, "serve", "--store", store, "--bus", bus, "--data", str(data),
                     "--host", "127.0.0.1", "--port", str(port), "--public-url",
                     "http://bench.test", "--log-level", "warning",
                     "--max-connections", str(cap)],
                    port,
                )
            )  # fmt: skip
            urls.append(f"ws://127.0.0.1:{port}/api/sessions/{links['session_id']}/live")
            ports.append(port)
        if proxied:  # deploy/Caddyfile in front, as docker-compose.yml runs it
            self.proxy = Caddy(self.root / f"{name}-caddy", ports)
            asyncio.run(self.proxy.start())
            assert self.proxy.proc is not None
            pids.append(self.proxy.proc.pid)
            urls = [f"{self.proxy.ws_url}/api/sessions/{links['session_id']}/live"]
        host = links["host_url"].split("key=")[1]
        screen = links["projector_url"].split("key=")[1]
        poster = Setup(name, urls, urls[0], host, screen, pids)
        asyncio.run(open_phase(poster))
        return poster

    def bare(self) -> Setup:
        port = free_port()
        proc = multiprocessing.Process(target=run_bare_server, args=(port,), daemon=True)
        proc.start()
        wait_port(port)
        assert proc.pid is not None
        self.procs.append(_ProcessHandle(proc))  # type: ignore[arg-type]
        url = f"ws://127.0.0.1:{port}/"
        return Setup("bare websockets", [url], url, "-", "-", [proc.pid])


class _ProcessHandle:
    """A multiprocessing.Process seen as a Popen for stop()."""

    def __init__(self, proc: multiprocessing.Process) -> None:
        self.proc = proc

    def poll(self) -> int | None:
        return self.proc.exitcode

    def send_signal(self, sig: int) -> None:
        self.proc.terminate()

    def wait(self, timeout: float) -> None:
        self.proc.join(timeout)

    def kill(self) -> None:
        self.proc.kill()


async def open_phase(setup: Setup) -> None:
    async with websockets.connect(setup.poster_url, ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "hello", "token": setup.poster_token, "last_seq": 0}))
        command = {"type": "open_phase", "phase_id": "p1"}
        await ws.send(json.dumps({"type": "command", "id": "open", "command": command}))
        async for raw in ws:
            if json.loads(raw)["type"] in ("ack", "rejected"):
                return


# --- one measured run -------------------------------------------------------------------


@dataclass
class Run:
    setup: str
    listeners: int
    connected: int
    notes: int
    received: int
    latencies: list[float]
    acks: list[float]
    cpu: float
    by_url: list[list[float]]
    resumed: int  # times a listener was cut off (or dropped) and resumed from its last seq

    def split_rows(self) -> list[str]:
        """Same node as the poster against the other nodes, in this one run."""
        out = []
        for label, times in (
            ("listeners on the poster's node", self.by_url[0]),
            ("listeners on the other nodes", [t for ts in self.by_url[1:] for t in ts]),
        ):
            ms = [1e3 * percentile(times, p) for p in (0.5, 0.95, 0.99)]
            out.append(
                f"| {self.setup}: {label} | {len(times)} notes"
                f" | {ms[0]:.0f} / {ms[1]:.0f} / {ms[2]:.0f} |"
            )
        return out

    def row(self) -> str:
        expected = self.connected * self.notes
        delivered = 100 * self.received / expected if expected else 0.0
        per_k = 1000 * self.cpu / self.received if self.received else float("nan")
        ms = [1e3 * percentile(self.latencies, p) for p in (0.5, 0.95, 0.99)]
        ack = [1e3 * percentile(self.acks, p) for p in (0.5, 0.99)]
        return (
            f"| {self.setup} | {self.listeners} | {self.connected} | {self.resumed}"
            f" | {delivered:.1f} % "
            f"| {ms[0]:.0f} / {ms[1]:.0f} / {ms[2]:.0f} | {ack[0]:.0f} / {ack[1]:.0f} "
            f"| {self.cpu:.2f} | {per_k:.3f} |"
        )


def measure(setup: Setup, listeners: int, rate: float, seconds: float, drain: float) -> Run:
    connect_for = 10 + listeners / 250  # time to let a hall arrive
    until = time.time() + connect_for + seconds + 5
    ready: Any = multiprocessing.Queue()
    out: Any = multiprocessing.Queue()
    shares = [listeners // WORKERS + (i < listeners % WORKERS) for i in range(WORKERS)]
    workers = [
        multiprocessing.Process(
            target=run_listeners,
            args=(
                setup.ws_urls,
                setup.listener_token,
                n,
                int(rate * seconds),
                seconds,
                drain,
                until,
                ready,
                out,
            ),
        )
        for n in shares
    ]
    for worker in workers:
        worker.start()
    for _ in workers:  # every worker has its listeners in (or gave up waiting)
        ready.get(timeout=connect_for + 60)
    time.sleep(0.5)  # catch-up frames out of the way
    cpu_before = sum(cpu_seconds(pid) for pid in setup.pids)
    acks = asyncio.run(post(setup.poster_url, setup.poster_token, rate, seconds))
    received = connected = resumed = 0
    by_url: list[list[float]] = [[] for _ in setup.ws_urls]
    for _ in workers:  # each returns once every note arrived, or at the deadline
        joined, count, times, again = out.get(timeout=max(1.0, until - time.time()) + drain + 30)
        connected += joined
        resumed += again
        received += count
        for mine, theirs in zip(by_url, times, strict=True):
            mine += theirs
    latencies = sorted(t for ts in by_url for t in ts)
    cpu = sum(cpu_seconds(pid) for pid in setup.pids) - cpu_before
    for worker in workers:
        worker.join(10)
    return Run(
        setup.name, listeners, connected, int(rate * seconds), received, latencies, acks, cpu,
        by_url, resumed,
    )  # fmt: skip


@contextlib.contextmanager
def postgres_schema(server: str) -> Iterator[str]:
    schema = f"bench_{secrets.token_hex(4)}"
    try:
        yield f"{server}?schema={schema}"
    finally:
        subprocess.run(
            ["psql", server, "-q", "-c", f"DROP SCHEMA IF EXISTS {schema} CASCADE"],
            capture_output=True, check=False,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listeners", default="200,1000,5000")
    parser.add_argument("--rate", type=float, default=20.0, help="notes per second")
    parser.add_argument("--seconds", type=float, default=5.0, help="posting time per run")
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--setups", default="bare,sqlite,pg,cross,cluster")
    parser.add_argument(
        "--drain", type=float, default=DRAIN_S, help="seconds a listener waits for the rest"
    )
    args = parser.parse_args()
    raise_open_file_limit()
    sizes = [int(n) for n in args.listeners.split(",")]
    chosen = args.setups.split(",")
    cap = max(sizes) + 10
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for size in sizes:  # every setup at one size before the next: comparable under load
            for which in chosen:
                servers = Servers(root)
                try:
                    with postgres_schema(args.pg) as pg:
                        if which == "bare":
                            setup = servers.bare()
                        elif which == "sqlite":
                            data = root / f"sqlite-{size}"
                            setup = servers.hostkit(f"sqlite://{data}", "memory", 1, cap, which)
                        else:
                            bus, redis_pid = servers.redis()
                            nodes = 1 if which == "pg" else args.nodes
                            name = f"{nodes} node(s) PostgreSQL + Redis"
                            if which == "cluster":
                                name += " behind Caddy"
                            if which == "cross":  # listeners straight to each node
                                name += ", poster on node 1"
                            proxied = which == "cluster"
                            setup = servers.hostkit(pg, bus, nodes, cap, name, proxied)
                            setup.pids.append(redis_pid)
                            setup.split = which == "cross"
                        if which == "sqlite":
                            setup.name = "1 node SQLite"
                        run = measure(setup, size, args.rate, args.seconds, args.drain)
                finally:
                    servers.stop()
                runs.append(run)
                print(run.row(), flush=True)
                if setup.split:
                    print("\n".join(run.split_rows()), flush=True)
    print()
    print("| setup | listeners | connected | resumed | delivered | p50 / p95 / p99 ms "
          "| ack p50 / p99 ms | server CPU s | CPU s per 1,000 frames |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        print(run.row())
    print()
    print("| same run, by node | notes timed | p50 / p95 / p99 ms |")
    print("|---|---|---|")
    for run in runs:
        if run.setup.endswith("poster on node 1"):
            print("\n".join(run.split_rows()))
    model(runs, args.rate)


def model(runs: list[Run], rate: float) -> None:
    """Capacity from measured costs: CPU per frame (fan-out) and per commit (a note)."""
    print("\nCapacity model (one core = 1 CPU s per s; see docs/scaling.md):")
    for name in dict.fromkeys(r.setup for r in runs):
        mine = sorted(
            (r for r in runs if r.setup == name and r.received), key=lambda r: r.listeners
        )
        if len(mine) < 2:
            continue
        small, large = mine[0], mine[-1]
        frames = large.received - small.received
        per_frame = (large.cpu - small.cpu) / frames if frames > 0 else float("nan")
        per_commit = max(0.0, (small.cpu - per_frame * small.received) / max(small.notes, 1))
        print(
            f"  {name}: {per_frame * 1e6:.1f} µs CPU per delivered frame, "
            f"{per_commit * 1e3:.2f} ms CPU per note committed; one core delivers "
            f"≈ {1 / per_frame:,.0f} frames/s, e.g. {1 / per_frame / rate:,.0f} listeners "
            f"at {rate:g} notes/s"
        )


if __name__ == "__main__":
    main()
