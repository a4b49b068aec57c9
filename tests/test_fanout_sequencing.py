"""The bus's decisions without Redis: what a node does with each batch it hears."""

from __future__ import annotations

import itertools

from hypothesis import given
from hypothesis import strategies as st

from hostkit.fanout.sequencing import Backfill, Deliver, Drop, Probe, backoff, behind, plan


def test_the_expected_batch_is_delivered_whole() -> None:
    assert plan(expected=5, first=5, last=7) == Deliver(5)


def test_a_batch_already_delivered_is_dropped() -> None:
    assert plan(expected=8, first=5, last=7) == Drop()


def test_a_batch_overlapping_what_was_delivered_delivers_only_the_new_part() -> None:
    assert plan(expected=7, first=5, last=9) == Deliver(7)


def test_a_jump_reads_the_missing_events_from_the_store_first() -> None:
    assert plan(expected=5, first=8, last=8) == Backfill(after=4)


@given(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=30), st.randoms())
def test_any_order_and_loss_delivers_each_event_once_in_order(sizes, random) -> None:  # type: ignore[no-untyped-def]
    """Batches heard shuffled, repeated or lost; with backfill from the log, every event
    is delivered exactly once and in order."""
    log: list[int] = []
    batches = []
    for size in sizes:
        batches.append((len(log) + 1, len(log) + size))
        log.extend(range(len(log) + 1, len(log) + size + 1))
    heard = [b for b in batches if random.random() > 0.3]  # some lost
    heard += random.sample(heard, k=len(heard) // 3)  # some twice
    random.shuffle(heard)
    expected, delivered = 1, []
    for first, last in heard:
        step = plan(expected, first, last)
        if isinstance(step, Backfill):
            delivered += log[step.after : first - 1]
            expected = first
            step = plan(expected, first, last)
        if isinstance(step, Deliver):
            delivered += list(range(step.start, last + 1))
            expected = last + 1
    # the head check finds whatever was lost at the end
    tail = behind({"s": expected}, {"s": len(log)})
    if tail:
        delivered += log[tail["s"] :]
    assert delivered == log


def test_a_stored_head_past_what_was_delivered_is_found() -> None:
    assert behind({"a": 5, "b": 3}, {"a": 4, "b": 5}) == {"b": 2}


def test_heads_of_sessions_not_served_are_ignored() -> None:
    assert behind({"a": 5}, {"other": 90}) == {}


def test_a_probe_that_comes_back_keeps_the_subscription() -> None:
    probe = Probe(every=1.0, patience=3.0)
    probe.restart(now=100.0)
    assert probe.due(100.0)
    probe.sent(100.0)
    assert not probe.due(100.5)
    probe.heard(100.1)
    assert not probe.dead(103.0)


def test_no_probe_back_within_patience_means_subscribe_again() -> None:
    probe = Probe(every=1.0, patience=3.0)
    probe.restart(now=100.0)
    probe.sent(100.0)
    probe.sent(101.0)
    assert not probe.dead(102.9)
    assert probe.dead(103.1)
    probe.restart(now=104.0)
    assert not probe.dead(106.0)


def test_reconnection_backs_off_to_a_ceiling() -> None:
    delays = list(itertools.islice(backoff(first=0.1, factor=2.0, cap=1.0), 6))
    assert delays == [0.1, 0.2, 0.4, 0.8, 1.0, 1.0]
