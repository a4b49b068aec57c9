"""The talking piece of a Circle: a published speaking order, passing, the next holder.

The order interleaves people in the room and people at home so neither side waits for
the other to finish, and it includes everyone. Holding the piece one may speak or
pass; either way it moves on to the next person still in the session.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence


def interleave(room: Sequence[str], remote: Sequence[str], *, room_first: bool = True) -> list[str]:
    """Alternate the two sides, keeping each side's own order; the longer side ends it."""
    first, second = (room, remote) if room_first else (remote, room)
    order: list[str] = []
    for i in range(max(len(first), len(second))):
        order.extend(side[i] for side in (first, second) if i < len(side))
    return order


def speaking_order(people: Sequence[tuple[str, bool]], *, room_first: bool = True) -> list[str]:
    """Everyone, room and remote alternating; ``people`` are (id, is_remote) in seat order."""
    room = [p for p, remote in people if not remote]
    remote = [p for p, remote in people if remote]
    return interleave(room, remote, room_first=room_first)


def next_holder(
    order: Sequence[str], holder: str | None, *, gone: Collection[str] = ()
) -> str | None:
    """Who holds the piece after ``holder`` (the first if None); None once round the circle."""
    start = 0 if holder is None else order.index(holder) + 1 if holder in order else len(order)
    return next((p for p in order[start:] if p not in gone), None)
