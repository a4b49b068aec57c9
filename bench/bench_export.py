"""Export a 10,000-contribution session to every format and print how long each takes.

The session is written to a real SqliteStore the way the hub writes it (decided, folded,
appended in batches), then exported the way ``hostkit export`` does: read the log, fold,
build the harvest with consent applied, render.

Run:  .venv/bin/python bench/bench_export.py [--contributions 10000] [--people 80] [--dir DIR]

Measured on the development VM (2 vCPU, shared with other test runs at the time), 10,000
contributions (9,800 exported: every 50th is off the record), 80 people, 5 phases:

  read + fold + harvest      2.0 s     (Markdown rendering and sanitising dominate)
  digest-html                0.2 s     3.7 MB
  digest-large-print         0.2 s     3.7 MB
  digest-txt                 0.2 s     1.4 MB
  digest-pdf               247   s     5.8 MB   (WeasyPrint layout; tagged PDF/UA-1)
  digest-large-print-pdf   367   s     7.1 MB
  digest-docx                3.3 s     0.1 MB   (was 78 s before appending in linear time)
  digest-odt                 3.6 s     0.1 MB
  transcript-md              6.9 s     1.2 MB   (markdownify of the sanitised HTML)
  transcript-txt             0.3 s     1.3 MB
  transcript-csv             0.1 s     1.6 MB
  transcript-json            0.05 s    5.3 MB
  every format (the zip)   631   s

The zip now lays out its two PDFs in two other processes while it makes the rest
(``hostkit/export/formats.py``). At 2,000 contributions (1,960 exported), same VM, busy:
one format after another 102 s (PDF 52 s, large-print PDF 47 s), the zip 59 s. Profiling
the PDF (cProfile, 2,000) found no cheap win in our HTML or CSS: the time is WeasyPrint's
text layout and shaping (Pango), drawing, and PDF/UA tagging; dropping list markers or
``overflow-wrap: anywhere`` changed nothing measurable.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Literal

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hostkit.domain import commands as cmd
from hostkit.domain.events import encode_event, event_type
from hostkit.domain.fold import apply
from hostkit.domain.model import ContributionKind
from hostkit.domain.rules import decide
from hostkit.export.formats import EXPORT_FORMATS, render
from hostkit.export.harvest import read_harvest
from hostkit.live.hub import fold_log
from hostkit.sessions import create_session
from hostkit.store.base import StoredEvent
from hostkit.store.sqlite import open_store

TEXTS = (
    "We could **share the hall** on market days, and ask the council about parking.",
    "What if the empty bank became a repair café? See https://example.org/repair",
    "Buses after 6pm would let young people stay for evening events.",
    "- more benches\n- a noticeboard\n- shade in summer",
    "שלום: a note in Hebrew, and one with emoji 🌍🎉 for good measure.",
)


async def build(data: Path, contributions: int, people: int) -> str:
    store = open_store(data)
    await store.open()
    try:
        links = await create_session(
            store,
            base="http://hall.test",
            title="Benchmark café",
            format_id="world-cafe",
            venues=("Village hall", "Library"),
        )
        session_id = links.session_id
        state = fold_log(session_id, await store.read(session_id))
        host = next(p for p in state.participants.values() if p.role == "host")
        batch: list[StoredEvent] = []
        now = state.created_at

        async def do(actor: str | None, command: cmd.AnyCommand) -> list[str]:
            nonlocal now
            now += 0.05
            who = state.participants.get(actor) if actor else None
            decided = decide(state, who, command, now=now)
            assert isinstance(decided, list), decided
            ids = []
            for event in decided:
                seq = state.last_seq + 1
                apply(state, event, seq=seq, at=now)
                batch.append(
                    StoredEvent(
                        session_id, seq, event_type(event), now, actor, None, encode_event(event)
                    )
                )
                ids.append(f"c{seq}")
            if len(batch) >= 1000:
                await store.append(batch)
                batch.clear()
            return ids

        groups = []
        for i, cell in enumerate(("venue-1", "venue-1", "venue-2", "online"), 1):
            (gid,) = await do(host.id, cmd.CreateGroup(f"Table {i}", cell))
            groups.append("g" + gid[1:])
        ids = [f"p{i:04d}" for i in range(people)]
        for i, pid in enumerate(ids):
            name = None if i % 7 == 0 else f"Person {i}"
            where: Literal["room", "remote"] = "remote" if i % 3 == 0 else "room"
            await do(None, cmd.Join(pid, f"n{i}", name, where, group_id=groups[i % 4]))
        per_phase = contributions // len(state.phases) + 1
        made = 0
        posted: list[str] = []
        for phase in state.phases:
            await do(host.id, cmd.OpenPhase(phase.id))
            for _ in range(per_phase):
                if made == contributions:
                    break
                kind: ContributionKind = ("note", "question", "insight")[made % 3]
                (cid,) = await do(
                    ids[made % people],
                    cmd.PostContribution(
                        kind, f"{TEXTS[made % len(TEXTS)]} ({made})", off_record=made % 50 == 0
                    ),
                )
                posted.append(cid)
                made += 1
                if made % 10 == 0:
                    await do(ids[(made + 1) % people], cmd.CastVote(posted[-2], 1 + made % 3))
        if batch:
            await store.append(batch)
        return session_id
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contributions", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=80)
    parser.add_argument("--dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        data = Path(tmp) / "data"
        started = time.perf_counter()
        session_id = await build(data, args.contributions, args.people)
        print(f"built {args.contributions} contributions in {time.perf_counter() - started:.1f} s")
        store = open_store(data)
        await store.open()
        try:
            started = time.perf_counter()
            harvest = await read_harvest(store, session_id)
            assert harvest is not None
            read_s = time.perf_counter() - started
        finally:
            await store.close()
        print(f"read + fold + harvest: {read_s:.2f} s ({len(harvest.entries)} exported)")
        print(f"{'format':<24} {'seconds':>8} {'size':>10}")
        total = read_s
        for name in EXPORT_FORMATS:
            started = time.perf_counter()
            body = render(harvest, name)
            took = time.perf_counter() - started
            total += took
            print(f"{name:<24} {took:>8.2f} {len(body) / 1e6:>8.1f} MB", flush=True)
        print(f"{'every format, one by one':<24} {total:>8.2f}")
        started = time.perf_counter()
        bundle = render(harvest, "all")  # what `--format all` does: its PDFs in parallel
        took = time.perf_counter() - started
        print(f"{'all (the zip)':<24} {took:>8.2f} {len(bundle) / 1e6:>8.1f} MB")


if __name__ == "__main__":
    asyncio.run(main())
