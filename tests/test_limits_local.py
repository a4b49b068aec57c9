"""A node's own rate-limit counts: kept by ``limits``' in-memory storage, without the
thread that storage starts for nearly every command at a phone's pace."""

from __future__ import annotations

import threading
import types

import limits.storage.memory
import pytest
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from hostkit.server import limits as hostkit_limits
from hostkit.server.limits import LocalCounts


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """One clock for the library's entries and for LocalCounts' sweeps."""
    fake = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", types.SimpleNamespace(time=fake.time))
    monkeypatch.setattr(hostkit_limits, "time", types.SimpleNamespace(monotonic=fake.monotonic))
    return fake


def settled(storage: MemoryStorage) -> MemoryStorage:
    storage.timer.join()  # the timer the library starts once, at construction
    return storage


def test_a_command_after_a_pause_starts_no_thread() -> None:
    item = parse("600/minute")
    stock = settled(MemoryStorage())
    first = stock.timer
    MovingWindowRateLimiter(stock).hit(item, "command", "s", "p")
    assert stock.timer is not first  # the library's way: a new timer thread
    stock.timer.join()

    ours = settled(LocalCounts())
    first, before = ours.timer, threading.active_count()
    limiter = MovingWindowRateLimiter(ours)
    for _ in range(5):
        assert limiter.hit(item, "command", "s", "p")
    assert ours.timer is first
    assert threading.active_count() == before


def test_a_flood_is_still_refused_and_counts_drop_once_their_window_has_passed(
    clock: Clock,
) -> None:
    storage = settled(LocalCounts())
    limiter = MovingWindowRateLimiter(storage)
    item = parse("3/minute")
    assert [limiter.hit(item, "command", "s", "p") for _ in range(4)] == [True] * 3 + [False]
    assert limiter.hit(item, "command", "s", "someone else")

    clock.now += 61  # a minute on: the window has passed, and a sweep is due
    assert limiter.hit(item, "command", "s", "p")
    # the sweep dropped the old entries: p holds only the new one, the other none
    assert sorted(len(v) for v in storage.events.values()) == [0, 1]
    assert limiter.get_window_stats(item, "command", "s", "p").remaining == 2
