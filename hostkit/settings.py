"""One settings object, built from CLI flags and environment, passed to everything."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = Path("hostkit-data")
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
    max_connections: int = 1000  # live connections per session
    photo_max_bytes: int = 8 * 1024 * 1024
    timezone: str | None = None  # exports' local times (IANA name); None: this machine's zone
    drain_s: float = 3.0  # on SIGTERM: /healthz says 503 this long before clients are closed

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env: dict[str, object] = {}
        if "HOSTKIT_DATA" in os.environ:
            env["data_dir"] = Path(os.environ["HOSTKIT_DATA"])
        if "HOSTKIT_PUBLIC_URL" in os.environ:
            env["public_url"] = os.environ["HOSTKIT_PUBLIC_URL"]
        if "HOSTKIT_TIMEZONE" in os.environ:
            env["timezone"] = os.environ["HOSTKIT_TIMEZONE"]
        if "HOSTKIT_DRAIN" in os.environ:
            try:
                env["drain_s"] = float(os.environ["HOSTKIT_DRAIN"])
            except ValueError:
                raise ValueError("HOSTKIT_DRAIN must be a number of seconds") from None
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)  # type: ignore[arg-type]
