"""A published batch is encoded once per kind of viewer and shared by their connections;
what a viewer may not read is left out of it, words and their HTML alike."""

from __future__ import annotations

import json

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.events import encode_event, event_type
from hostkit.domain.model import SessionState
from hostkit.fanout.memory import MemoryFanout
from hostkit.live.outgoing import Outgoing
from hostkit.live.subscription import Subscription
from hostkit.live.view import snapshot
from hostkit.server.rooms import Rooms
from hostkit.store.base import StoredEvent
from tests.domain_helpers import ok, person, run, session

CAST = (person("host", role="host"), person("ana"), person("anon", name=None), person("fay"))


def moderated() -> SessionState:
    state = session(*CAST)
    ok(run(state, "host", cmd.OpenPhase("p2")))
    ok(run(state, "host", cmd.SetModeration(True)))
    return state


def stored(state: SessionState, events: list[ev.AnyEvent]) -> list[StoredEvent]:
    first = state.last_seq - len(events) + 1
    return [
        StoredEvent("s", first + i, event_type(e), 1.0, None, None, encode_event(e))
        for i, e in enumerate(events)
    ]


def posted(state: SessionState, author: str, text: str) -> list[StoredEvent]:
    return stored(state, ok(run(state, author, cmd.PostContribution("note", text))))


def texts_seen(message: str) -> list[str]:
    return [
        e["data"].get("text", "")
        for e in json.loads(message)["events"]
        if e["type"] == "contribution_posted"
    ]


def test_without_moderation_every_viewer_shares_one_encoded_message() -> None:
    state = session(*CAST)
    ok(run(state, "host", cmd.OpenPhase("p2")))
    batch = Outgoing(posted(state, "ana", "The bus stops too early"), state)

    for_fay, for_anon, for_host = (batch.text_for(v) for v in ("fay", "anon", "host"))

    assert for_fay is for_anon is for_host
    assert texts_seen(for_fay) == ["The bus stops too early"]


def test_waiting_words_reach_their_author_and_the_hosts_and_no_one_else() -> None:
    state = moderated()
    batch = Outgoing(posted(state, "anon", "Something rude"), state)

    assert texts_seen(batch.text_for("anon")) == ["Something rude"]
    assert texts_seen(batch.text_for("host")) == ["Something rude"]
    assert texts_seen(batch.text_for("fay")) == [""]
    assert batch.text_for("fay") is batch.text_for("ana")  # the rest share one message


def test_a_post_carries_its_words_as_safe_html_withheld_with_its_text() -> None:
    state = moderated()
    batch = Outgoing(posted(state, "anon", "Something **rude** <img src=x onerror=go()>"), state)

    def html_seen(message: str) -> list[str]:
        return [e["html"] for e in json.loads(message)["events"] if "html" in e]

    shown = "<p>Something <strong>rude</strong> &lt;img src=x onerror=go()&gt;</p>"
    assert html_seen(batch.text_for("anon")) == html_seen(batch.text_for("host")) == [shown]
    assert html_seen(batch.text_for("fay")) == [""]  # not a word of it while it waits


def test_the_snapshot_carries_the_same_html_and_withholds_it_likewise() -> None:
    state = moderated()
    posted(state, "anon", "Something **rude**")

    def html_of(viewer: str) -> list[str]:
        return [c["html"] for c in snapshot(state, now=2.0, viewer=viewer)["contributions"]]

    assert html_of("anon") == html_of("host") == ["<p>Something <strong>rude</strong></p>"]
    assert html_of("fay") == [""]


def test_a_batch_is_encoded_as_the_session_stood_when_it_was_published() -> None:
    state = moderated()
    events = posted(state, "anon", "Something rude")
    batch = Outgoing(events, state)
    (approve,) = [c for c in state.contributions.values() if c.pending]
    ok(run(state, "host", cmd.ApproveContribution(approve.id)))

    assert texts_seen(batch.text_for("fay")) == [""]  # the approval follows as its own event


async def test_one_fanout_subscription_per_session_and_every_member_gets_the_same_batch() -> None:
    fanout = MemoryFanout()
    state = session(*CAST)
    rooms = Rooms(fanout, lambda session_id: state)
    got: list[list[Outgoing]] = [[], [], []]
    leave = [rooms.join("s", got[i].append) for i in range(3)]
    events = [StoredEvent("s", 9, "t", 1.0, None, None, "{}")]

    await fanout.publish("s", events)

    assert fanout.subscriber_count("s") == 1
    assert got[0][0] is got[1][0] is got[2][0]
    assert got[0][0].events == events
    for each in leave:
        each()
        each()  # leaving twice is harmless
    assert fanout.subscriber_count("s") == 0
    assert rooms.member_count("s") == 0


async def test_a_member_that_fails_does_not_cost_the_others_their_events() -> None:
    fanout = MemoryFanout()
    rooms = Rooms(fanout, lambda session_id: None)
    got: list[Outgoing] = []

    def broken(batch: Outgoing) -> None:
        raise RuntimeError("connection gone")

    rooms.join("s", broken)
    rooms.join("s", got.append)
    await fanout.publish("s", [StoredEvent("s", 1, "t", 1.0, None, None, "{}")])

    assert [b.first_seq for b in got] == [1]


async def test_a_full_buffer_drops_its_batches_and_says_so_once() -> None:
    subscription = Subscription(2)
    batches = [Outgoing([StoredEvent("s", n, "t", 1.0, None, None, "{}")], None) for n in (1, 2, 3)]
    subscription.offer(batches[0])
    assert not subscription.empty
    assert subscription.take() is batches[0]
    assert subscription.empty and subscription.take() is None

    subscription.offer(batches[1])
    subscription.offer(batches[2])
    subscription.offer(batches[0])  # one too many: everything buffered is let go

    assert subscription.overflowed and not subscription.empty
    assert subscription.take() is None
    subscription.offer(batches[1])  # nothing more is kept once behind
    assert subscription.take() is None
