"""Which of the host's announcements a screen shows now: the phones and the projector
apply the same rule, so a host who takes one down sees it leave every screen at once.

Shown: not taken down by a host, for everyone or for the screen's own venue, made since
the latest phase opened (an earlier phase's "tea at eleven" does not stay on top). The
projector also lets one go after a quarter of an hour; phones keep theirs to dismiss.
"""

from __future__ import annotations

from hostkit.domain.model import Announcement, SessionState

PROJECTOR_SHOWS_S = 15 * 60  # the projector shows an announcement this long


def shown(
    state: SessionState,
    cell_id: str | None = None,
    *,
    now: float | None = None,
    for_s: float | None = None,
) -> list[Announcement]:
    """The announcements shown in ``cell_id`` (None: in any venue), oldest first; with
    ``for_s``, only those made less than ``for_s`` seconds before ``now``."""
    since = max((p.opened_seq for p in state.phases), default=0)
    return [
        a
        for a in state.announcements
        if a.seq > since
        and not a.ended
        and (cell_id is None or a.cell_id in (None, cell_id))
        and (for_s is None or now is None or now - a.at < for_s)
    ]
