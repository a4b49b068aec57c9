"""The ``hostkit`` command: a thin shell over the server and the session tools."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from hostkit.domain.formats import CUSTOM_TEMPLATES, FORMATS, LICENCES
from hostkit.joining.address import NoReachableAddress, base_url
from hostkit.joining.qr import qr_terminal
from hostkit.live.hub import fold_log
from hostkit.sessions import admin_url, create_session, links, session_list, signer_for
from hostkit.settings import Settings
from hostkit.store.base import StoreError
from hostkit.store.sqlite import DB_NAME, SqliteStore, open_store, restore


def _base(args: argparse.Namespace) -> str:
    try:
        return base_url(host=args.host, port=args.port, public_url=args.public_url)
    except (ValueError, NoReachableAddress) as error:
        raise SystemExit(f"hostkit: {error}") from None


async def _startup_text(data: Path, base: str) -> str:
    """The admin link, and the newest session's host link and room QR code."""
    store = open_store(data)
    await store.open()
    try:
        lines = [
            f"Admin link (create sessions; keep it private):\n  {await admin_url(store, base)}"
        ]
        sessions = await store.list_sessions()
        if sessions:
            session_id = sessions[-1][0]
            state = fold_log(session_id, await store.read(session_id))
            host = next(p for p in state.participants.values() if p.role == "host")
            screen = next(p for p in state.participants.values() if p.screen)
            found = links(base, await signer_for(store), state, host.id, screen.id)
            lines += [
                f"\nNewest session: {state.title}",
                f"  Host console (keep it private): {found.host_url}",
                f"  Projector view: {found.projector_url}",
                f"  Room link: {found.room_url}   join code: {found.join_code}",
                f"  Remote link: {found.remote_url}",
                qr_terminal(found.room_url),
            ]
        else:
            lines.append("\nNo sessions yet: open the admin link, or run `hostkit new`.")
        return "\n".join(lines)
    finally:
        await store.close()


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from hostkit.server.app import create_app, stop_gracefully

    settings = Settings.from_env(
        data_dir=args.data,
        host=args.host,
        port=args.port,
        public_url=args.public_url,
        heartbeat_s=args.heartbeat,
        timezone=args.timezone,
    )
    if settings.timezone is not None:
        from hostkit.export.zones import UnknownZone, checked

        try:
            checked(settings.timezone)
        except UnknownZone as error:
            raise SystemExit(f"hostkit: --timezone / HOSTKIT_TIMEZONE: {error}") from None
    base = _base(args)
    try:
        print(asyncio.run(_startup_text(settings.data_dir, base)), flush=True)
    except (StoreError, OSError) as error:
        raise SystemExit(
            f"hostkit: cannot use the data directory {settings.data_dir}: {error}\n"
            "Check that it exists, is writable by this user, and its disk is not full."
        ) from None
    print(f"\nhostkit is serving at {base}  (Ctrl+C stops it)", flush=True)
    app = create_app(settings)

    class GracefulServer(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            for listening in self.servers:
                listening.close()  # no new connections while the last commands finish
            await stop_gracefully(app)
            await super().shutdown(sockets)

    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws_ping_interval=settings.heartbeat_s,
        ws_ping_timeout=settings.heartbeat_s,
        ws_max_size=256 * 1024,
        log_level=args.log_level,
        access_log=False,  # access logs would keep every participant's IP address
        timeout_graceful_shutdown=5,
    )
    GracefulServer(config).run()
    return 0


async def _list(args: argparse.Namespace) -> int:
    """Every session with its links, for a host who lost them (as the admin page lists)."""
    store = open_store(args.data)
    await store.open()
    try:
        found = await session_list(store, _base(args), newest=10_000)
    finally:
        await store.close()
    if args.json:
        print(json.dumps([s.as_dict() for s in found]))
        return 0
    if not found:
        print("No sessions yet: open the admin link, or run `hostkit new`.")
    for s in found:
        made = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.created_at))
        last = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.last_activity))
        print(f"{s.title} ({s.format}; created {made}; last activity {last})")
        print(f"  Host console (keep it private): {s.links.host_url}")
        print(f"  Projector view: {s.links.projector_url}")
        print(f"  Room link: {s.links.room_url}   join code: {s.links.join_code}")
        print(f"  Remote link: {s.links.remote_url}")
        print(f"  Table cards: {s.cards_url}")
    return 0


async def _new(args: argparse.Namespace) -> int:
    if args.template is not None and args.format != "custom":
        raise SystemExit("hostkit: --template goes with --format custom")
    store = open_store(args.data)
    await store.open()
    try:
        created = await create_session(
            store,
            base=_base(args),
            title=args.title,
            format_id=args.template or args.format,
            purpose=args.purpose,
            attribution=args.attribution,
            venues=tuple(args.venue or ["Main room"]),
            language=args.language,
            licence=args.licence,
        )
    finally:
        await store.close()
    if args.json:
        print(json.dumps(created.as_dict()))
    else:
        print(f"Created “{args.title}” (join code {created.join_code})")
        for key, value in created.as_dict().items():
            print(f"  {key}: {value}")
    return 0


def _db(args: argparse.Namespace) -> Path:
    found = Path(args.data) / DB_NAME
    if not found.is_file():
        raise SystemExit(f"hostkit: no hostkit database at {found}")
    return found


async def _check(args: argparse.Namespace) -> int:
    problems = await SqliteStore(_db(args)).check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found in {_db(args)}")
        return 1
    print(f"ok: {_db(args)} is sound (integrity, sequence numbers, event bodies)")
    return 0


async def _backup(args: argparse.Namespace) -> int:
    try:
        await SqliteStore(_db(args)).backup(Path(args.out))
    except StoreError as error:
        raise SystemExit(f"hostkit: {error}") from None
    print(f"Backed up {_db(args)} to {args.out}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    try:
        kept = restore(Path(args.source), Path(args.data) / DB_NAME)
    except StoreError as error:
        raise SystemExit(f"hostkit: {error}") from None
    print(f"Restored {args.source} into {args.data}")
    if kept is not None:
        print(f"The database it replaced is kept at {kept}")
    return 0


async def _export(args: argparse.Namespace) -> int:
    from hostkit.export.formats import render
    from hostkit.export.harvest import ConsentError, photos_in, read_harvest
    from hostkit.export.zones import UnknownZone
    from hostkit.server.photos import photo_dir

    if not args.data.is_dir():
        raise SystemExit(f"hostkit: there is no data directory at {args.data}")
    store = open_store(args.data)
    await store.open()
    try:
        photos = photos_in(photo_dir(args.data, args.session_id))
        harvest = await read_harvest(
            store,
            args.session_id,
            args.attribution,
            photos,
            language=args.language,
            timezone=args.timezone,
        )
    except (ConsentError, UnknownZone) as error:
        raise SystemExit(f"hostkit: {error}") from None
    finally:
        await store.close()
    if harvest is None:
        raise SystemExit(f"hostkit: there is no session {args.session_id!r} in {args.data}")
    body = await asyncio.to_thread(render, harvest, args.format)
    if str(args.out) == "-":
        sys.stdout.buffer.write(body)
    else:
        args.out.write_bytes(body)
        print(f"Wrote {args.format} of “{harvest.title}” to {args.out}", file=sys.stderr)
    return 0


async def _purge(args: argparse.Namespace) -> int:
    from hostkit.server.hosting import purge

    _db(args)
    store = open_store(args.data)
    await store.open()
    try:
        gone = await purge(store, Path(args.data), days=args.days)
    finally:
        await store.close()
    for session_id in gone:
        print(f"deleted session {session_id}")
    print(f"{len(gone)} session(s) idle for more than {args.days:g} days deleted")
    return 0


def _title(text: str) -> str:
    if not text.strip() or len(text) > 200:
        raise argparse.ArgumentTypeError("a title of 1 to 200 characters")
    return text


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="hostkit", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    def where(sub: argparse.ArgumentParser, default_port: int = 8000) -> None:
        sub.add_argument(
            "--data",
            type=Path,
            default=Path("hostkit-data"),
            help="data directory (default: ./hostkit-data)",
        )
        sub.add_argument(
            "--host",
            default="0.0.0.0",  # noqa: S104 - the hall's phones
            help="address to listen on (default: all)",
        )
        sub.add_argument("--port", type=int, default=default_port, help="port (default: 8000)")
        sub.add_argument(
            "--public-url",
            help="the URL people reach hostkit at, if not this "
            "machine's local address (e.g. behind a proxy)",
        )

    run = commands.add_parser("serve", help="run the server")
    where(run)
    run.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    run.add_argument(
        "--heartbeat",
        type=float,
        help="seconds between WebSocket pings; a peer silent for twice this is dropped "
        "(default: 5)",
    )
    run.add_argument(
        "--timezone",
        help="time zone of the times in exports and published digests, e.g. Europe/London "
        "(default: HOSTKIT_TIMEZONE, else this machine's zone, else UTC)",
    )
    run.set_defaults(handler=serve)

    new = commands.add_parser("new", help="create a session")
    where(new)
    new.add_argument("--title", required=True, type=_title)
    new.add_argument("--format", required=True, choices=sorted(FORMATS))
    new.add_argument(
        "--template",
        choices=sorted(CUSTOM_TEMPLATES),
        help="with --format custom: start from a ready-made sequence of phases",
    )
    new.add_argument("--purpose", default="")
    new.add_argument(
        "--attribution",
        default="attributed",
        choices=["attributed", "pseudonymous", "chatham-house"],
    )
    new.add_argument(
        "--licence",
        required=True,
        choices=LICENCES,
        help="the licence of the harvest (what people write), shown to them before they write",
    )
    new.add_argument("--venue", action="append", help="a venue (cell); repeat for several")
    new.add_argument(
        "--language",
        choices=["en", "cy"],
        help="the session's language: its pages open in it (each person can still switch) "
        "and its digests are written in it (default: each person's browser decides)",
    )
    new.add_argument("--json", action="store_true", help="print the links as one JSON object")
    new.set_defaults(handler=lambda args: asyncio.run(_new(args)))

    def data_only(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--data", type=Path, default=Path("hostkit-data"), help="data directory")

    listing = commands.add_parser("list", help="the sessions, newest first, with their links")
    where(listing)
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler=lambda args: asyncio.run(_list(args)))

    check = commands.add_parser("check", help="verify the event log's integrity")
    data_only(check)
    check.set_defaults(handler=lambda args: asyncio.run(_check(args)))

    backup = commands.add_parser("backup", help="copy the database, even while serving")
    data_only(backup)
    backup.add_argument("--out", required=True, type=Path, help="the backup file to write")
    backup.set_defaults(handler=lambda args: asyncio.run(_backup(args)))

    purge = commands.add_parser(
        "purge", help="delete sessions idle longer than the retention period (run from cron)"
    )
    data_only(purge)
    purge.add_argument(
        "--days", type=float, default=90, help="retention in days since the last event (90)"
    )
    purge.set_defaults(handler=lambda args: asyncio.run(_purge(args)))

    put_back = commands.add_parser("restore", help="put a backup in place (server stopped)")
    data_only(put_back)
    put_back.add_argument("--from", dest="source", required=True, type=Path, help="the backup file")
    put_back.set_defaults(handler=_restore)

    from hostkit.export.formats import CHOICES

    export = commands.add_parser("export", help="export a session's digest or transcript")
    export.add_argument("--data", type=Path, default=Path("hostkit-data"), help="data directory")
    export.add_argument("session_id")
    export.add_argument("--format", required=True, choices=CHOICES)
    export.add_argument(
        "--attribution",
        choices=["attributed", "pseudonymous", "chatham-house"],
        help="export more privately than the session's mode (never less)",
    )
    export.add_argument("--out", required=True, type=Path, help="file to write, or - for stdout")
    export.add_argument(
        "--timezone",
        default=os.environ.get("HOSTKIT_TIMEZONE"),
        help="show times in this zone, e.g. Europe/London "
        "(default: HOSTKIT_TIMEZONE, else this machine's zone, else UTC)",
    )
    export.add_argument(
        "--language",
        choices=["en", "cy"],
        help="the language of the export's headings and labels (default: the session's)",
    )
    export.set_defaults(handler=lambda args: asyncio.run(_export(args)))
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
