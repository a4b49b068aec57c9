"""Snapshot or replay, decided without a server: what a returning client is sent."""

from __future__ import annotations

import pytest

from hostkit.live.resumption import catch_up_by


@pytest.mark.parametrize(
    ("last_seq", "head", "expected"),
    [
        (0, 0, "events"),  # a new client of a new session: nothing to replay yet
        (40, 42, "events"),  # a few behind: the events it missed
        (42, 42, "events"),  # up to date
        (0, 500, "events"),  # exactly as far behind as replaying is worth
        (0, 501, "snapshot"),  # further: a snapshot is smaller
        (43, 42, "snapshot"),  # ahead of the log: the log it counted from is gone
    ],
)
def test_a_client_gets_the_events_it_missed_unless_a_snapshot_serves_it_better(
    last_seq: int, head: int, expected: str
) -> None:
    assert catch_up_by(last_seq=last_seq, head=head, snapshot_after=500) == expected


def test_a_client_counting_from_another_epoch_gets_a_snapshot_even_one_event_behind() -> None:
    same = catch_up_by(last_seq=41, head=42, snapshot_after=500, epoch="a", current_epoch="a")
    other = catch_up_by(last_seq=41, head=42, snapshot_after=500, epoch="b", current_epoch="a")
    assert (same, other) == ("events", "snapshot")


def test_a_client_that_names_no_epoch_is_judged_by_its_seq_alone() -> None:
    assert catch_up_by(last_seq=41, head=42, snapshot_after=500, current_epoch="a") == "events"
