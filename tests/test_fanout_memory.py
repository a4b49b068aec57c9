"""MemoryFanout: synchronous delivery per session, isolated from failing subscribers."""

from __future__ import annotations

import logging

import pytest

from hostkit.fanout.base import Fanout, Unsubscribe
from hostkit.fanout.memory import MemoryFanout
from hostkit.store.base import StoredEvent


def batch(session_id: str, *seqs: int) -> list[StoredEvent]:
    return [StoredEvent(session_id, seq, "t", 1.0, None, None, "{}") for seq in seqs]


class Inbox:
    """A subscriber that only keeps what it gets, like a connection's queue."""

    def __init__(self) -> None:
        self.got: list[list[StoredEvent]] = []

    def __call__(self, events: list[StoredEvent]) -> None:
        self.got.append(events)


def test_memory_fanout_satisfies_the_fanout_protocol() -> None:
    fanout: Fanout = MemoryFanout()
    assert fanout is not None


async def test_publish_reaches_every_subscriber_of_that_session_only() -> None:
    fanout = MemoryFanout()
    first, second, elsewhere = Inbox(), Inbox(), Inbox()
    fanout.subscribe("s", first)
    fanout.subscribe("s", second)
    fanout.subscribe("t", elsewhere)

    await fanout.publish("s", batch("s", 1, 2))
    await fanout.publish("s", batch("s", 3))

    assert first.got == [batch("s", 1, 2), batch("s", 3)]
    assert second.got == first.got
    assert elsewhere.got == []


async def test_unsubscribed_subscriber_gets_nothing_more_and_unsubscribe_is_idempotent() -> None:
    fanout = MemoryFanout()
    inbox = Inbox()
    unsubscribe = fanout.subscribe("s", inbox)
    await fanout.publish("s", batch("s", 1))

    unsubscribe()
    unsubscribe()
    await fanout.publish("s", batch("s", 2))

    assert inbox.got == [batch("s", 1)]
    assert fanout.subscriber_count("s") == 0


async def test_same_callable_subscribed_twice_is_removed_one_at_a_time() -> None:
    fanout = MemoryFanout()
    inbox = Inbox()
    unsubscribe_first = fanout.subscribe("s", inbox)
    fanout.subscribe("s", inbox)

    unsubscribe_first()
    await fanout.publish("s", batch("s", 1))

    assert inbox.got == [batch("s", 1)]


async def test_failing_subscriber_is_logged_and_others_still_receive(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fanout = MemoryFanout()
    before, after = Inbox(), Inbox()

    def broken(events: list[StoredEvent]) -> None:
        raise RuntimeError("connection queue exploded")

    fanout.subscribe("s", before)
    fanout.subscribe("s", broken)
    fanout.subscribe("s", after)

    with caplog.at_level(logging.ERROR, logger="hostkit.fanout.memory"):
        await fanout.publish("s", batch("s", 1))

    assert before.got == after.got == [batch("s", 1)]
    assert len(caplog.records) == 1
    assert caplog.records[0].exc_info is not None
    assert "connection queue exploded" in caplog.text


async def test_subscriber_removed_during_publish_is_not_called_afterwards() -> None:
    fanout = MemoryFanout()
    doomed = Inbox()
    unsubscribers: list[Unsubscribe] = []

    def closer(events: list[StoredEvent]) -> None:
        unsubscribers[0]()  # e.g. it closes the connection behind the next subscriber

    fanout.subscribe("s", closer)
    unsubscribers.append(fanout.subscribe("s", doomed))

    await fanout.publish("s", batch("s", 1))

    assert doomed.got == []


async def test_subscriber_may_unsubscribe_itself_while_being_called() -> None:
    fanout = MemoryFanout()
    other = Inbox()
    calls: list[int] = []

    def once(events: list[StoredEvent]) -> None:
        calls.append(events[0].seq)
        unsubscribe()

    unsubscribe = fanout.subscribe("s", once)
    fanout.subscribe("s", other)

    await fanout.publish("s", batch("s", 1))
    await fanout.publish("s", batch("s", 2))

    assert calls == [1]
    assert other.got == [batch("s", 1), batch("s", 2)]


async def test_empty_publish_calls_no_one() -> None:
    fanout = MemoryFanout()
    inbox = Inbox()
    fanout.subscribe("s", inbox)

    await fanout.publish("s", [])

    assert inbox.got == []


async def test_close_drops_every_subscriber() -> None:
    fanout = MemoryFanout()
    inbox = Inbox()
    unsubscribe = fanout.subscribe("s", inbox)

    await fanout.close()
    await fanout.publish("s", batch("s", 1))
    unsubscribe()  # still harmless after close

    assert inbox.got == []
    assert fanout.subscriber_count("s") == 0
