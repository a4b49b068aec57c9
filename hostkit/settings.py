"""One settings object, built from CLI flags and environment, passed to everything.

``SETTINGS`` is the one table of what a person can set: each entry names the field,
its flag, its environment variable, its help and the commands that take it; the
default is the field's own default below. The CLI builds its options from it, a
value is resolved flag first, then environment, then default, and a test checks
that the README documents every entry.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from hostkit.domain.commands import DEFAULT_RETENTION_DAYS
from hostkit.store.url import sqlite_dir

SERVE = "serve"
RELAY = "relay"  # a hall laptop: serves the hall's phones, relays its venue (docs/relay.md)
ALL_COMMANDS = frozenset(
    {
        "serve",
        "new",
        "list",
        "export",
        "import",
        "check",
        "backup",
        "restore",
        "purge",
        "drain",
        RELAY,
    }
)
STORING = ALL_COMMANDS - {RELAY}  # a hall laptop's copy is always SQLite in --data
LINKING = frozenset(
    {"serve", "new", "list", "import", RELAY}
)  # commands that print links people open
LISTENING = LINKING | {"drain"}  # commands that need the address the server listens on


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("hostkit-data")
    store: str | None = None  # sqlite:///DIR or postgresql://...; None: SQLite in data_dir
    bus: str = "memory"  # memory or redis://...
    host: str = "0.0.0.0"  # noqa: S104 - phones in the hall must reach the laptop
    port: int = 8000
    public_url: str | None = None  # e.g. https://talk.example.org behind a proxy
    queue_limit: int = 256  # event batches buffered per connection before it is dropped
    snapshot_after: int = 500  # a client further behind than this gets a snapshot
    long_poll_s: float = 25.0
    hello_timeout_s: float = 10.0
    heartbeat_s: float = 5.0  # WebSocket ping interval; a silent peer is dropped after 2x
    command_rate: str = "600/minute"  # per participant: bursts fine, floods not
    join_rate: str = "600/minute"  # per session: a whole hall scanning at once
    max_connections: int = 5000  # live connections per session, on all nodes together
    photo_max_bytes: int = 8 * 1024 * 1024
    timezone: str | None = None  # exports' local times (IANA name); None: this machine's zone
    log_level: str = "info"
    drain_s: float = 3.0  # on SIGTERM: /healthz says 503 this long before clients are closed
    retention_days: float = DEFAULT_RETENTION_DAYS  # purge: idle sessions older than this go

    def __post_init__(self) -> None:
        directory = sqlite_dir(self.store) if self.store is not None else None
        if directory is not None:  # an SQLite store's directory is the data directory
            object.__setattr__(self, "data_dir", directory)

    @property
    def store_url(self) -> str:
        """Where the event store is: the given URL, else SQLite in the data directory."""
        return self.store if self.store is not None else f"sqlite://{self.data_dir}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Flags given (``overrides``, None meaning not given), else environment, else default."""
        environ = os.environ if environ is None else environ
        chosen: dict[str, object] = {}
        for setting in SETTINGS:
            if setting.env is not None and setting.env in environ:
                try:
                    chosen[setting.field] = setting.parse(environ[setting.env])
                except ValueError:
                    raise ValueError(
                        f"{setting.env}={environ[setting.env]!r} is not a valid {setting.flag}"
                    ) from None
        chosen.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**chosen)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Setting:
    """One row of the table: a Settings field as a person sets it."""

    field: str
    flag: str
    env: str | None
    help: str
    commands: frozenset[str]
    parse: Callable[[str], object] = str
    metavar: str | None = None
    choices: tuple[str, ...] | None = None

    @property
    def default(self) -> object:
        return _DEFAULTS[self.field]


_DEFAULTS = {f.name: f.default for f in fields(Settings)}

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "--data",
        "HOSTKIT_DATA",
        "data directory: the SQLite database and its photos",
        ALL_COMMANDS,
        Path,
        "DIR",
    ),
    Setting(
        "store",
        "--store",
        "HOSTKIT_STORE",
        "where events are stored: sqlite://DIR (sqlite:///srv/hostkit for an absolute path) "
        "or postgresql://USER@HOST/DB (default: SQLite in the data directory)",
        STORING,
        metavar="URL",
    ),
    Setting(
        "bus",
        "--bus",
        "HOSTKIT_BUS",
        "how events reach the other nodes: memory (one node) or redis://HOST:PORT/DB",
        frozenset({SERVE}),
        metavar="URL",
    ),
    Setting(
        "host",
        "--host",
        "HOSTKIT_HOST",
        "address to listen on (default: all, so phones in the room reach it)",
        LISTENING,
        metavar="H",
    ),
    Setting("port", "--port", "HOSTKIT_PORT", "port to listen on", LISTENING, int, "P"),
    Setting(
        "public_url",
        "--public-url",
        "HOSTKIT_PUBLIC_URL",
        "the URL people reach hostkit at, if not this machine's local address "
        "(e.g. behind a proxy)",
        LINKING,
        metavar="URL",
    ),
    Setting(
        "heartbeat_s",
        "--heartbeat",
        "HOSTKIT_HEARTBEAT",
        "seconds between WebSocket pings; a peer silent for twice this is dropped",
        frozenset({SERVE, RELAY}),
        float,
        "S",
    ),
    Setting(
        "max_connections",
        "--max-connections",
        "HOSTKIT_MAX_CONNECTIONS",
        "live connections one session takes, counted across every node",
        frozenset({SERVE}),
        int,
        "N",
    ),
    Setting(
        "timezone",
        "--timezone",
        "HOSTKIT_TIMEZONE",
        "time zone of the times in exports and published digests, e.g. Europe/London "
        "(default: this machine's zone, else UTC)",
        frozenset({SERVE, "export"}),
        metavar="ZONE",
    ),
    Setting(
        "drain_s",
        "--drain",
        "HOSTKIT_DRAIN",
        "on SIGTERM, seconds the server keeps serving its clients while /healthz already "
        "answers 503, so a proxy sends new people elsewhere first",
        frozenset({SERVE}),
        float,
        "S",
    ),
    Setting(
        "log_level",
        "--log-level",
        "HOSTKIT_LOG_LEVEL",
        "how much the server logs",
        frozenset({SERVE, RELAY}),
        choices=("critical", "error", "warning", "info", "debug"),
    ),
    Setting(
        "retention_days",
        "--days",
        "HOSTKIT_RETENTION_DAYS",
        "delete sessions idle longer than this many days, unless their host chose otherwise",
        frozenset({"purge"}),
        float,
        "DAYS",
    ),
)
