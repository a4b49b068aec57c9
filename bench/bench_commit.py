"""Measure what group commit buys: bare one-insert-per-transaction vs SqliteStore.append.

Both runs use WAL with synchronous=FULL on the same disk, in the same process run:

  baseline  sqlite3, one INSERT per transaction, one after another
  store     SqliteStore.append, N concurrent writers each on its own session,
            each awaiting its ack before sending its next append

Run:  .venv/bin/python bench/bench_commit.py [--dir DIR] [--writers 50] ...
Point --dir at the disk a real deployment would use; the default is a temp dir.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hostkit.store.base import StoredEvent
from hostkit.store.sqlite import SqliteStore
from hostkit.store.sqlite_maintenance import check

BODY = json.dumps({"text": "a sticky note of ordinary length, about this long", "x": 0.5})


@dataclass(frozen=True)
class Result:
    name: str
    count: int
    seconds: float
    latencies: list[float]
    commits: int

    def rate(self) -> float:
        return self.count / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    def line(self, unit: str) -> str:
        return (
            f"{self.name:<28} {self.count:>6} {unit:<8} {self.seconds:6.2f} s"
            f"  {self.rate():>9.0f} {unit}/s"
            f"  p50 {self.percentile(0.50) * 1e3:7.2f} ms"
            f"  p99 {self.percentile(0.99) * 1e3:7.2f} ms"
            f"  {self.count / max(self.commits, 1):6.1f} per commit"
        )


def baseline(path: Path, count: int) -> Result:
    conn = sqlite3.connect(path, isolation_level=None)  # autocommit: one INSERT, one commit
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(
        "CREATE TABLE events (session_id TEXT NOT NULL, seq INTEGER NOT NULL,"
        " type TEXT NOT NULL, at REAL NOT NULL, actor TEXT, command_id TEXT,"
        " body TEXT NOT NULL, PRIMARY KEY (session_id, seq)) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE UNIQUE INDEX events_command ON events (session_id, actor, command_id)"
        " WHERE command_id IS NOT NULL"
    )
    latencies = []
    start = time.perf_counter()
    for seq in range(1, count + 1):
        sent = time.perf_counter()
        conn.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?)",
            ("s", seq, "note.added", time.time(), "p", f"c{seq}", BODY),
        )
        latencies.append(time.perf_counter() - sent)
    seconds = time.perf_counter() - start
    conn.close()
    return Result("baseline (1 insert/txn)", count, seconds, latencies, count)


async def store_run(path: Path, writers: int, per_writer: int) -> Result:
    latencies: list[float] = []
    async with SqliteStore(path) as store:
        sessions = [f"session-{i}" for i in range(writers)]
        for sid in sessions:
            await store.create_session(sid, f"code-{sid}", time.time(), [])
        commits_before = store.commits

        async def writer(sid: str) -> None:
            for seq in range(1, per_writer + 1):
                sent = time.perf_counter()
                await store.append(
                    [StoredEvent(sid, seq, "note.added", time.time(), "p", f"c{seq}", BODY)]
                )
                latencies.append(time.perf_counter() - sent)

        start = time.perf_counter()
        await asyncio.gather(*(writer(sid) for sid in sessions))
        seconds = time.perf_counter() - start
        commits = store.commits - commits_before
        problems = await check(path)
        if problems:
            raise SystemExit(f"store is inconsistent after the run: {problems[:3]}")
    name = f"store.append ({writers} writers)"
    return Result(name, writers * per_writer, seconds, latencies, commits)


def median_run(runs: list[Result]) -> Result:
    return sorted(runs, key=Result.rate)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, help="where to put the database files")
    parser.add_argument("--inserts", type=int, default=2000, help="baseline inserts")
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--appends", type=int, default=200, help="appends per writer")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each; median shown")
    args = parser.parse_args()

    runs: dict[str, list[Result]] = {"base": [], "single": [], "group": []}
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="hostkit-bench-") as tmp:
        for round_ in range(args.rounds):  # interleaved, so disk noise hits all alike
            root = Path(tmp) / str(round_)
            root.mkdir()
            runs["base"].append(baseline(root / "baseline.db", args.inserts))
            runs["single"].append(asyncio.run(store_run(root / "single.db", 1, args.inserts)))
            runs["group"].append(
                asyncio.run(store_run(root / "group.db", args.writers, args.appends))
            )

    print(f"SQLite {sqlite3.sqlite_version}, WAL, synchronous=FULL, in {args.dir or 'a temp dir'}")
    print(f"median of {args.rounds} rounds (rates of every round in brackets)")
    for key, unit in (("base", "inserts"), ("single", "appends"), ("group", "appends")):
        every = ", ".join(f"{r.rate():.0f}" for r in runs[key])
        print(f"{median_run(runs[key]).line(unit)}  [{every}]")
    ratio = median_run(runs["group"]).rate() / median_run(runs["base"]).rate()
    print(f"speed-up of group commit over the baseline: {ratio:.1f}x")


if __name__ == "__main__":
    main()
