"""Group commit's queue, shared by both engines: take what is queued, answer each caller."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any, TypeVar

P = TypeVar("P")


async def next_group(queue: asyncio.Queue[P | None], limit: int) -> tuple[list[P], bool]:
    """Everything queued, waiting for at least one (at most ``limit``), and whether the
    stop marker (None) came with it."""
    first = await queue.get()
    if first is None:
        return [], True
    group = [first]
    while len(group) < limit and not queue.empty():
        item = queue.get_nowait()
        if item is None:
            return group, True
        group.append(item)
    return group, False


def answer(futures: Sequence[asyncio.Future[Any]], outcomes: Sequence[object]) -> None:
    """Resolve each caller with its outcome (an exception is raised to it), in order."""
    for future, outcome in zip(futures, outcomes, strict=True):
        if future.done():
            continue
        if isinstance(outcome, BaseException):
            future.set_exception(outcome)
        else:
            future.set_result(outcome)
