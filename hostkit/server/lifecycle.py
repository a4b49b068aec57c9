"""What a node answers in each phase of its life: serving, draining, stopping.

A node leaving (SIGTERM, ``docker compose stop``, a rolling upgrade) first tells the proxy
in front of it, by answering 503 on ``/healthz`` to every new probe, while it keeps
serving the people already connected for the drain period, long enough for the proxy's
health check to take it out of rotation. Only then does it stop taking commands and ask
its clients (close 4503) to reconnect, which the proxy sends to another node.

Pure: no I/O, the time is passed in; the server holds the current value and swaps it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Phase(enum.Enum):
    SERVING = "serving"
    DRAINING = "draining"  # probes see 503; live clients are still served
    STOPPING = "stopping"  # no new commands or connections; clients are being closed


@dataclass(frozen=True, slots=True)
class Lifecycle:
    phase: Phase = Phase.SERVING
    drain_until: float = 0.0  # monotonic seconds; meaningful while draining

    def signalled(self, now: float, drain_s: float) -> Lifecycle:
        """A stop was asked for: drain first; asked again while draining, stop at once."""
        if self.phase is Phase.SERVING and drain_s > 0:
            return Lifecycle(Phase.DRAINING, now + drain_s)
        return Lifecycle(Phase.STOPPING)

    def drained(self, now: float, drain_s: float) -> Lifecycle:
        """Asked to drain (``hostkit drain``, the admin page): as a first signal, but asked
        again it changes nothing, so a repeated request never cuts the drain short."""
        if self.phase is Phase.SERVING:
            return self.signalled(now, drain_s)
        return self

    def ticked(self, now: float) -> Lifecycle:
        """The drain period is over: stop."""
        if self.phase is Phase.DRAINING and now >= self.drain_until:
            return Lifecycle(Phase.STOPPING)
        return self

    def health(self) -> tuple[int, str]:
        """The answer to a health probe: only a serving node should get new people."""
        if self.phase is Phase.SERVING:
            return 200, "ok"
        return 503, "stopping"

    @property
    def stopping(self) -> bool:
        """Time to stop: no new commands or connections, clients closed with 4503, then exit.

        Until then (draining too) commands are taken: the people still here keep working.
        """
        return self.phase is Phase.STOPPING
