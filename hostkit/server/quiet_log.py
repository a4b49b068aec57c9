"""What ``hostkit serve`` keeps out of its log: who connected from where.

uvicorn's access log is off, but its WebSocket handshake lines ("203.0.113.7:52114 -
"WebSocket /s/…/ws?…" [accepted]") go to ``uvicorn.error`` at INFO, and they carry the
participant's IP address and the path with its query. docs/security.md promises neither
is logged, so those records are dropped; every other line (startup, errors) stays.
"""

from __future__ import annotations

import logging

_HANDSHAKE = '%s - "WebSocket %s"'


class NoClientAddresses(logging.Filter):
    """Drops uvicorn's per-WebSocket handshake lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(_HANDSHAKE))


def keep_addresses_out() -> None:
    """Install the filter on uvicorn's logger (once; installing twice changes nothing)."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, NoClientAddresses) for f in logger.filters):
        logger.addFilter(NoClientAddresses())
