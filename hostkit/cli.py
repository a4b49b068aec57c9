"""The ``hostkit`` command: a thin shell over the server and the session tools."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from hostkit.domain.formats import CUSTOM_TEMPLATES, FORMATS, LICENCES
from hostkit.fanout.url import UnknownBus, engine_for
from hostkit.joining.address import NoReachableAddress, base_url
from hostkit.joining.qr import qr_terminal
from hostkit.live.replay import fold_log
from hostkit.sessions import (
    SessionSummary,
    admin_url,
    create_session,
    session_list,
    session_summary,
    signer_for,
)
from hostkit.settings import SETTINGS, Settings
from hostkit.store.base import EventStore, StoreError
from hostkit.store.sqlite import DB_NAME
from hostkit.store.sqlite_maintenance import backup, restore
from hostkit.store.url import check as check_store
from hostkit.store.url import is_postgresql, sqlite_dir, store_for


def _base(settings: Settings) -> str:
    try:
        return base_url(host=settings.host, port=settings.port, public_url=settings.public_url)
    except (ValueError, NoReachableAddress) as error:
        raise SystemExit(f"hostkit: {error}") from None


def _where(settings: Settings) -> str:
    directory = sqlite_dir(settings.store_url)
    return f"data directory {directory}" if directory is not None else "store"


def _store(settings: Settings) -> EventStore:
    """The settings' store, not yet opened; a clear exit for a URL hostkit cannot use."""
    try:
        return store_for(settings.store_url)
    except (StoreError, OSError) as error:
        raise SystemExit(f"hostkit: --store / HOSTKIT_STORE: {error}") from None


@contextlib.asynccontextmanager
async def _opened(settings: Settings) -> AsyncIterator[EventStore]:
    store = _store(settings)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def _startup_text(settings: Settings, base: str) -> str:
    """The admin link, and the newest session's host link and room QR code."""
    async with _opened(settings) as store:
        lines = [
            f"Admin link (create sessions; keep it private):\n  {await admin_url(store, base)}"
        ]
        sessions = await store.list_sessions()
        newest = None
        if sessions:
            newest = await session_summary(store, await signer_for(store), base, sessions[-1][0], 0)
        if newest is not None:
            found = newest.links
            lines += [
                f"\nNewest session: {newest.title}",
                f"  Host console (keep it private): {found.host_url}",
                f"  Projector view: {found.projector_url}",
                f"  Room link: {found.room_url}   join code: {found.join_code}",
                f"  Remote link: {found.remote_url}",
                qr_terminal(found.room_url),
            ]
        else:
            lines.append("\nNo sessions yet: open the admin link, or run `hostkit new`.")
        return "\n".join(lines)


def serve(args: argparse.Namespace) -> int:
    from hostkit.server import draining
    from hostkit.server.app import create_app
    from hostkit.server.limits import raise_open_file_limit

    settings = settings_from(args)
    if settings.max_connections < 1:
        raise SystemExit("hostkit: --max-connections / HOSTKIT_MAX_CONNECTIONS: at least 1")
    raise_open_file_limit()  # each live connection holds a file descriptor
    if settings.timezone is not None:
        from hostkit.export.zones import UnknownZone, checked

        try:
            checked(settings.timezone)
        except UnknownZone as error:
            raise SystemExit(f"hostkit: --timezone / HOSTKIT_TIMEZONE: {error}") from None
    try:
        engine_for(settings.bus)
    except UnknownBus as error:
        raise SystemExit(f"hostkit: --bus / HOSTKIT_BUS: {error}") from None
    base = _base(settings)
    try:
        print(asyncio.run(_startup_text(settings, base)), flush=True)
    except (StoreError, OSError) as error:
        raise SystemExit(
            f"hostkit: cannot use the {_where(settings)}: {error}\n"
            "Check that it exists, is writable by this user, and its disk is not full."
        ) from None
    print(f"\nhostkit is serving at {base}  (Ctrl+C stops it)", flush=True)
    app = create_app(settings)

    draining.run(app, settings)
    return 0


def _node_url(settings: Settings) -> str:
    """This machine's node at --host/--port; a node listening on every address, on loopback."""
    host = settings.host if settings.host not in ("0.0.0.0", "::", "") else "127.0.0.1"  # noqa: S104
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.port}"


def _drain(args: argparse.Namespace) -> int:
    """Ask a running node to drain, as SIGTERM does, through its admin endpoint."""
    from hostkit.sessions import admin_key

    settings = settings_from(args)

    async def key() -> str:
        async with _opened(settings) as store:
            return await admin_key(store)

    try:
        secret = asyncio.run(key())
    except (StoreError, OSError) as error:
        raise SystemExit(f"hostkit: cannot use the {_where(settings)}: {error}") from None
    node = _node_url(settings)
    request = urllib.request.Request(  # noqa: S310 - an http:// URL built here
        f"{node}/admin/drain", method="POST", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        raise SystemExit(
            f"hostkit: the node at {node} refused ({error.code}): is --data/--store its own?"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        raise SystemExit(f"hostkit: no hostkit node answers at {node} ({error})") from None
    print(
        f"The node at {node} is draining: /healthz answers 503, and in "
        f"{answer['seconds_left']:g} s it closes its clients (4503) and exits."
    )
    if args.wait:
        _wait_until_gone(node, within=answer["seconds_left"] + 60)
        print("It has stopped.")
    return 0


def _wait_until_gone(node: str, within: float) -> None:
    """Until the node stops answering 503 "stopping": it has exited (nothing listens), or
    a new process already answers in its place (a service manager restarted it)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{node}/healthz", timeout=5):  # noqa: S310
                return
        except urllib.error.HTTPError as error:
            if error.code != 503:
                return
        except (urllib.error.URLError, OSError):
            return
        time.sleep(0.2)
    raise SystemExit(f"hostkit: the node at {node} was still answering after {within:g} s")


async def _hall_text(settings: Settings, base: str, session_id: str) -> str:
    """The hall's links, once the laptop has a copy of the session (else how to get one)."""
    async with _opened(settings) as store:
        log = await store.read(session_id)
        if not log:
            return (
                "No copy of the session yet: it is made as soon as the server answers "
                "(start the laptop once where the internet works, e.g. the day before)."
            )
        from hostkit.relay.run import hall_text

        return hall_text(base, await signer_for(store), fold_log(session_id, log))


def relay(args: argparse.Namespace) -> int:
    from hostkit.relay.link import read_venue_link
    from hostkit.relay.run import relay_app
    from hostkit.server import draining

    settings = settings_from(args)
    try:
        upstream = read_venue_link(args.upstream)
    except ValueError as error:
        raise SystemExit(f"hostkit: --upstream: {error}") from None
    if sqlite_dir(settings.store_url) is None:
        raise SystemExit("hostkit: a hall laptop keeps its copy in SQLite: use --data")
    base = _base(settings)
    try:
        print(asyncio.run(_hall_text(settings, base, upstream.session_id)), flush=True)
    except (StoreError, OSError) as error:
        raise SystemExit(f"hostkit: cannot use the {_where(settings)}: {error}") from None
    print(f"\nhostkit relay is serving the hall at {base}, for {upstream.base}", flush=True)
    draining.run(relay_app(settings, upstream), settings)
    return 0


async def _list(args: argparse.Namespace) -> int:
    """Every session with its links, for a host who lost them (as the admin page lists)."""
    settings = settings_from(args)
    async with _opened(settings) as store:
        found = await session_list(store, _base(settings), newest=10_000)
    if args.json:
        print(json.dumps([s.as_dict() for s in found]))
        return 0
    if not found:
        print("No sessions yet: open the admin link, or run `hostkit new`.")
    for s in found:
        _print_summary(s)
    return 0


def _print_summary(s: SessionSummary) -> None:
    made = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.created_at))
    last = time.strftime("%Y-%m-%d %H:%M", time.localtime(s.last_activity))
    print(f"{s.title} ({s.format}; created {made}; last activity {last})")
    print(f"  Host console (keep it private): {s.links.host_url}")
    print(f"  Projector view: {s.links.projector_url}")
    print(f"  Room link: {s.links.room_url}   join code: {s.links.join_code}")
    print(f"  Remote link: {s.links.remote_url}")
    print(f"  Table cards: {s.cards_url}")


async def _new(args: argparse.Namespace) -> int:
    if args.template is not None and args.format != "custom":
        raise SystemExit("hostkit: --template goes with --format custom")
    settings = settings_from(args)
    async with _opened(settings) as store:
        created = await create_session(
            store,
            base=_base(settings),
            title=args.title,
            format_id=args.template or args.format,
            purpose=args.purpose,
            attribution=args.attribution,
            venues=tuple(args.venue or ["Main room"]),
            language=args.language,
            licence=args.licence,
        )
    if args.json:
        print(json.dumps(created.as_dict()))
    else:
        print(f"Created “{args.title}” (join code {created.join_code})")
        for key, value in created.as_dict().items():
            if isinstance(value, dict):  # venue_links: one line per hall (keep them private)
                for venue, link in value.items():
                    print(f"  hall laptop link for {venue} (keep it private): {link}")
            else:
                print(f"  {key}: {value}")
    return 0


_NOT_SQLITE = (
    "hostkit: backup and restore copy SQLite files; back PostgreSQL up with pg_dump and pg_restore"
)


def _db(settings: Settings) -> Path:
    """The SQLite file of an existing SQLite store (maintenance works on the file)."""
    directory = sqlite_dir(settings.store_url)
    if directory is None:
        raise SystemExit(_NOT_SQLITE)
    found = directory / DB_NAME
    if not found.is_file():
        raise SystemExit(f"hostkit: no hostkit database at {found}")
    return found


async def _check(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    directory = sqlite_dir(settings.store_url)
    where = str(_db(settings)) if directory is not None else "the PostgreSQL store"
    try:
        problems = await check_store(settings.store_url)
    except StoreError as error:
        raise SystemExit(f"hostkit: {error}") from None
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) found in {where}")
        return 1
    print(f"ok: {where} is sound (integrity, sequence numbers, event bodies)")
    return 0


async def _backup(args: argparse.Namespace) -> int:
    db = _db(settings_from(args))
    try:
        await backup(db, Path(args.out))
    except StoreError as error:
        raise SystemExit(f"hostkit: {error}") from None
    print(f"Backed up {db} to {args.out}")
    return 0


def _restore(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    directory = sqlite_dir(settings.store_url)
    if directory is None:
        raise SystemExit(_NOT_SQLITE)
    try:
        kept = restore(Path(args.source), directory / DB_NAME)
    except StoreError as error:
        raise SystemExit(f"hostkit: {error}") from None
    print(f"Restored {args.source} into {directory}")
    if kept is not None:
        print(f"The database it replaced is kept at {kept}")
    return 0


def _source_settings(args: argparse.Namespace) -> Settings:
    """Settings of a command that reads a store: an SQLite data directory must exist."""
    settings = settings_from(args)
    directory = sqlite_dir(settings.store_url)
    if directory is not None and not directory.is_dir():
        raise SystemExit(f"hostkit: there is no data directory at {directory}")
    return settings


def _write_out(out: Path, body: bytes) -> None:
    """Write a file whole or not at all (a half-written archive must never be left)."""
    if str(out) == "-":
        sys.stdout.buffer.write(body)
        return
    partial = out.with_name(out.name + ".partial")
    try:
        partial.write_bytes(body)
        partial.replace(out)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise SystemExit(f"hostkit: cannot write {out}: {error.strerror}") from None


async def _export_archive(args: argparse.Namespace) -> int:
    """``export --format archive``: the whole session in one file (``hostkit.archive``)."""
    from hostkit.archive import pack, whole_session

    if args.attribution is not None or args.language is not None:
        raise SystemExit(
            "hostkit: an archive holds the whole log as stored: "
            "--attribution and --language do not apply to it"
        )
    settings = _source_settings(args)
    try:
        async with _opened(settings) as store:
            found = await whole_session(store, args.session_id)
    except StoreError as error:
        raise SystemExit(f"hostkit: cannot read the {_where(settings)}: {error}") from None
    if found is None:
        raise SystemExit(
            f"hostkit: there is no session {args.session_id!r} in {settings.store_url}"
        )
    whole, title = found
    _write_out(args.out, pack(whole, title))
    print(
        f"Wrote the archive of “{title}” ({len(whole.events)} events, {len(whole.photos)} "
        f"photos) to {args.out}. It holds what people wrote and the key of the session's "
        "links: keep it private, and delete it once it is imported (docs/archive.md).",
        file=sys.stderr,
    )
    return 0


async def _import(args: argparse.Namespace) -> int:
    """``import FILE``: a session archive into this store, checked whole before writing."""
    from hostkit.archive import ArchiveError, restore, unpack

    settings = settings_from(args)
    try:
        data = await asyncio.to_thread(args.file.read_bytes)
    except OSError as error:
        raise SystemExit(f"hostkit: cannot read {args.file}: {error.strerror}") from None
    try:
        whole, title = unpack(data)
    except ArchiveError as error:
        raise SystemExit(f"hostkit: {args.file}: {error}; nothing was imported") from None
    base = _base(settings)
    session_id = None
    try:
        async with _opened(settings) as store:
            session_id = await restore(store, whole, as_new=args.as_new)
            last = whole.events[-1].at
            found = await session_summary(store, await signer_for(store), base, session_id, last)
    except ArchiveError as error:
        raise SystemExit(f"hostkit: {error}") from None
    except StoreError as error:
        done = "nothing was imported" if session_id is None else f"{session_id} was imported"
        raise SystemExit(f"hostkit: the {_where(settings)} failed ({done}): {error}") from None
    if args.json:
        print(json.dumps(found.as_dict() if found else {"session_id": session_id}))
        return 0
    copy = " as a new session" if args.as_new else ""
    print(
        f"Imported “{title}”{copy}: {len(whole.events)} events, {len(whole.photos)} photos, "
        f"session id {session_id}"
    )
    if found is not None:
        _print_summary(found)
    return 0


async def _export(args: argparse.Namespace) -> int:
    from hostkit.export.formats import render
    from hostkit.export.harvest import ConsentError, read_harvest
    from hostkit.export.zones import UnknownZone
    from hostkit.server.photos import photo_source

    if args.format == "archive":
        return await _export_archive(args)
    settings = _source_settings(args)
    async with _opened(settings) as store:
        try:
            state = fold_log(args.session_id, await store.read(args.session_id))
            photos = await photo_source(store, state)
            harvest = await read_harvest(
                store,
                args.session_id,
                args.attribution,
                photos,
                language=args.language,
                timezone=settings.timezone,
            )
        except (ConsentError, UnknownZone) as error:
            raise SystemExit(f"hostkit: {error}") from None
    if harvest is None:
        raise SystemExit(
            f"hostkit: there is no session {args.session_id!r} in {settings.store_url}"
        )
    body = await asyncio.to_thread(render, harvest, args.format)
    if str(args.out) == "-":
        sys.stdout.buffer.write(body)
    else:
        args.out.write_bytes(body)
        print(f"Wrote {args.format} of “{harvest.title}” to {args.out}", file=sys.stderr)
    return 0


async def _purge(args: argparse.Namespace) -> int:
    from hostkit.server.hosting import purge

    settings = settings_from(args)
    if sqlite_dir(settings.store_url) is not None:
        _db(settings)
    days = settings.retention_days
    async with _opened(settings) as store:
        gone = await purge(store, days=days)
    for session_id in gone:
        print(f"deleted session {session_id}")
    print(f"{len(gone)} session(s) idle for more than {days:g} days deleted")
    return 0


async def _migrate(args: argparse.Namespace) -> int:
    from hostkit.store.migrate import migrate

    if not is_postgresql(args.target):
        raise SystemExit("hostkit: --to takes a postgresql://USER@HOST/DATABASE URL")
    try:
        moved = await migrate(Path(args.source), args.target, report=print)
    except StoreError as error:
        raise SystemExit(f"hostkit: {error}") from None
    print(
        f"Moved {moved.sessions} session(s), {moved.events} events, {moved.photos} photos"
        + (f"; {moved.skipped} already there" if moved.skipped else "")
        + ". Run `hostkit check --store URL` on the target, then serve with --store URL."
    )
    return 0


def _title(text: str) -> str:
    if not text.strip() or len(text) > 200:
        raise argparse.ArgumentTypeError("a title of 1 to 200 characters")
    return text


def _add_settings(sub: argparse.ArgumentParser, command: str) -> None:
    """The options of SETTINGS this command takes; unset ones fall back to the environment."""
    for setting in SETTINGS:
        if command not in setting.commands:
            continue
        default = setting.default
        shown = "all addresses" if setting.field == "host" else default
        tail = f" (env {setting.env}" + ("" if default is None else f"; default {shown}") + ")"
        sub.add_argument(
            setting.flag,
            dest=setting.field,
            type=setting.parse,
            metavar=setting.metavar,
            choices=setting.choices,
            help=setting.help + tail,
        )


def settings_from(args: argparse.Namespace) -> Settings:
    """The flags given on the command line, over the environment, over the defaults."""
    try:
        return Settings.from_env(**{s.field: getattr(args, s.field, None) for s in SETTINGS})
    except ValueError as error:
        raise SystemExit(f"hostkit: {error}") from None


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="hostkit", description=__doc__)
    commands = top.add_subparsers(dest="command", required=True)

    def command(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help)
        _add_settings(sub, name)
        return sub

    run = command("serve", "run the server")
    run.set_defaults(handler=serve)

    leave = command(
        "drain", "make a running node leave gently (503 on /healthz, then its people move on)"
    )
    leave.add_argument("--wait", action="store_true", help="return only once the node has stopped")
    leave.set_defaults(handler=_drain)
    hall = command("relay", "run a hall laptop: the hall carries on when the internet does not")
    hall.add_argument(
        "--upstream",
        required=True,
        metavar="VENUE_LINK",
        help="the venue's hall laptop link (hostkit new --json: venue_links; the console's "
        "Invite and settings page)",
    )
    hall.set_defaults(handler=relay)

    new = command("new", "create a session")
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

    listing = command("list", "the sessions, newest first, with their links")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(handler=lambda args: asyncio.run(_list(args)))

    check = command("check", "verify the event log's integrity")
    check.set_defaults(handler=lambda args: asyncio.run(_check(args)))

    backup = command("backup", "copy the database, even while serving")
    backup.add_argument("--out", required=True, type=Path, help="the backup file to write")
    backup.set_defaults(handler=lambda args: asyncio.run(_backup(args)))

    purge = command(
        "purge", "delete sessions idle longer than the retention period (run from cron)"
    )
    purge.set_defaults(handler=lambda args: asyncio.run(_purge(args)))

    put_back = command("restore", "put a backup in place (server stopped)")
    put_back.add_argument("--from", dest="source", required=True, type=Path, help="the backup file")
    put_back.set_defaults(handler=_restore)

    move = commands.add_parser(
        "migrate", help="move every session of an SQLite data directory into PostgreSQL"
    )
    move.add_argument(
        "--from", dest="source", required=True, type=Path, help="the SQLite data directory"
    )
    move.add_argument(
        "--to", dest="target", required=True, metavar="URL", help="postgresql://USER@HOST/DB"
    )
    move.set_defaults(handler=lambda args: asyncio.run(_migrate(args)))

    from hostkit.export.formats import CHOICES

    export = command("export", "export a session's digest or transcript")
    export.add_argument("session_id")
    export.add_argument(
        "--format",
        required=True,
        choices=[*CHOICES, "archive"],
        help="a digest or transcript, or archive: the whole session to move it (hostkit import)",
    )
    export.add_argument(
        "--attribution",
        choices=["attributed", "pseudonymous", "chatham-house"],
        help="export more privately than the session's mode (never less)",
    )
    export.add_argument("--out", required=True, type=Path, help="file to write, or - for stdout")
    export.add_argument(
        "--language",
        choices=["en", "cy"],
        help="the language of the export's headings and labels (default: the session's)",
    )
    export.set_defaults(handler=lambda args: asyncio.run(_export(args)))

    bring = command("import", "restore a session from an archive (export --format archive)")
    bring.add_argument("file", type=Path, help="the archive file")
    bring.add_argument(
        "--as-new",
        action="store_true",
        help="import a copy with a new session id, join code and links "
        "(the archive's own links keep pointing at the original)",
    )
    bring.add_argument("--json", action="store_true", help="print the links as one JSON object")
    bring.set_defaults(handler=lambda args: asyncio.run(_import(args)))
    return top


def _operands_last(sub: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``export``'s (or ``import``'s) arguments with anything option-like that is not one of
    its options moved after ``--``: a session id may begin with ``-`` (ids are random
    URL-safe text), and argparse would otherwise take it for an unknown option."""
    takes_value = {o for a in sub._actions if a.nargs != 0 for o in a.option_strings}
    flags = {o for a in sub._actions if a.nargs == 0 for o in a.option_strings}
    kept: list[str] = []
    operands: list[str] = []
    rest = iter(argv)
    for word in rest:
        if word == "--":
            operands.extend(rest)
        elif word.split("=", 1)[0] in takes_value:
            kept.append(word)
            if "=" not in word:
                kept.append(next(rest, ""))
        elif word in flags or not word.startswith("-") or word == "-":
            kept.append(word)
        else:
            operands.append(word)
    return [*kept, "--", *operands] if operands else kept


def main(argv: Sequence[str] | None = None) -> int:
    top = parser()
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] in (["export"], ["import"]):
        subcommands = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
        given = [given[0], *_operands_last(subcommands.choices[given[0]], given[1:])]
    args = top.parse_args(given)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
