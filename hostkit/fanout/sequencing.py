"""What a node does with events it hears about, decided without any I/O.

A bus between nodes (Redis pub/sub) delivers at most once: a message can be lost when
a connection drops, and a node hears its own commits too. So each node keeps, per
session it serves, the seq it expects next, and every batch it hears is checked
against it: the expected one is delivered, an old one dropped, and a jump means the
events in between are read from the store (the only authority) before going on.
Probing the subscription and comparing heads are decided here too, with time passed in.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Deliver:
    """Deliver the batch from its event with this seq on (earlier ones were delivered)."""

    start: int


@dataclass(frozen=True, slots=True)
class Drop:
    """Every event of the batch was delivered already."""


@dataclass(frozen=True, slots=True)
class Backfill:
    """Events after this seq are missing: read them from the store first."""

    after: int


Step = Deliver | Drop | Backfill


def plan(expected: int, first: int, last: int) -> Step:
    """What to do with a batch of seqs first..last when expecting seq ``expected`` next."""
    if last < expected:
        return Drop()
    if first > expected:
        return Backfill(expected - 1)
    return Deliver(expected)


def behind(expected: dict[str, int], heads: dict[str, int]) -> dict[str, int]:
    """Sessions whose stored head is past what was delivered: session -> seq to read after.

    This finds a lost last event, which no later message would reveal as a jump.
    """
    return {
        session: expected[session] - 1
        for session, head in heads.items()
        if session in expected and head >= expected[session]
    }


@dataclass(slots=True)
class Probe:
    """A node publishes to itself every ``every`` seconds; silence means a dead subscription.

    Redis can drop a subscriber (``CLIENT KILL``, a restart, a network cut) in ways the
    client does not notice, so the only proof the subscription works is a message
    coming back through it.
    """

    every: float = 1.0
    patience: float = 3.0  # without a probe back for this long, subscribe again
    last_sent: float | None = None
    last_heard: float | None = None

    def due(self, now: float) -> bool:
        return self.last_sent is None or now - self.last_sent >= self.every

    def sent(self, now: float) -> None:
        self.last_sent = now

    def heard(self, now: float) -> None:
        self.last_heard = now

    def restart(self, now: float) -> None:
        """A fresh subscription: give it the full patience before judging it."""
        self.last_heard = now
        self.last_sent = None

    def dead(self, now: float) -> bool:
        return self.last_heard is not None and now - self.last_heard > self.patience


def backoff(first: float = 0.1, factor: float = 2.0, cap: float = 5.0) -> Iterator[float]:
    """Delays between reconnection attempts: quick at first, then no more than ``cap``."""
    delay = first
    while True:
        yield delay
        delay = min(cap, delay * factor)
