"""Time zones for exports: readers see local times, with the zone named.

The zone is a setting (``hostkit serve --timezone``, ``HOSTKIT_TIMEZONE``, ``hostkit export
--timezone``); by default the machine's own zone, else UTC. The log keeps UTC instants;
only exports turn them into local times.
"""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC_NAME = "UTC"


class UnknownZone(ValueError):
    """Not an IANA time zone name this machine knows."""


def zone(name: str) -> ZoneInfo:
    """The zone called ``name`` (e.g. ``Europe/London``), or a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownZone(
            f"{name!r} is not a time zone this machine knows: use a name like Europe/London"
        ) from error


def checked(name: str) -> str:
    """The name, if it is a known zone (for argument parsers and settings)."""
    zone(name)
    return name


def machine_zone(localtime: Path = Path("/etc/localtime")) -> str:
    """This machine's zone name: ``TZ``, else where /etc/localtime points, else UTC."""
    candidates = [os.environ.get("TZ", "").removeprefix(":")]
    try:
        target = str(localtime.resolve())
        if "/zoneinfo/" in target:
            candidates.append(target.split("/zoneinfo/", 1)[1])
    except OSError:
        pass
    timezone_file = localtime.with_name("timezone")
    if timezone_file.is_file():
        candidates.append(timezone_file.read_text(encoding="utf-8").strip())
    for name in candidates:
        if not name or name.startswith("/"):
            continue
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        return name
    return UTC_NAME


def resolve(name: str | None) -> str:
    """The zone to export in: the one asked for, else the machine's."""
    return checked(name) if name else machine_zone()
