"""Who is here: the people in each venue, in the room and remote, for the host's Now view.

Hosts and screens (projectors) are not counted: a host deciding whether to start wants to
know how many people came, not that their own laptop and the hall's screen joined.
"""

from __future__ import annotations

from dataclasses import dataclass

from hostkit.domain.model import Cell, SessionState

_NOT_COUNTED = ("host", "cell_host")


@dataclass(frozen=True, slots=True)
class Here:
    cell: Cell
    room: int
    remote: int


def who_is_here(state: SessionState) -> list[Here]:
    """Per venue (the online cell too), how many people joined in the room and remotely."""
    counts = {cell_id: [0, 0] for cell_id in state.cells}
    for p in state.participants.values():
        if p.screen or p.removed or p.role in _NOT_COUNTED or p.cell_id not in counts:
            continue
        counts[p.cell_id][p.where == "remote"] += 1
    return [Here(cell, *counts[cell.id]) for cell in state.cells.values()]
