"""Valid report and next-step commands for the role matrix, and their steps in the busy log.

Like tests/format_helpers.py: each builder prepares the stage of tests/test_roles.py
('me' and 'other' at the hybrid table t1, round one open) and returns a command valid
for 'me' whatever their role, so a refusal can only come from the role.
"""

from __future__ import annotations

from collections.abc import Callable

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.model import SessionState
from tests.domain_helpers import T0, VENUE, fold

TOPIC_SESSIONS = ev.PhaseSpec(
    "pt", "Topic sessions", "Report what you found.", 3600, "topics", ["note", "insight"]
)
NEXT_STEPS = ev.PhaseSpec("pa", "Next steps", "What will you do?", 900, "plenary", ["action"])


def _in_a_topic_group(state: SessionState) -> cmd.AnyCommand:
    """'me' (and 'other') join the topic group "Bus routes" as its topic session opens."""
    for event in (
        ev.ContributionPosted("topic", "topic", "Bus routes", "other", None, "p2"),
        ev.TopicPlaced(ev.GroupSpec("os1", "Bus routes", VENUE, topic_id="topic", slot="10:00")),
        ev.PhaseAdded(TOPIC_SESSIONS, len(state.phases)),
        ev.PhaseOpened("pt"),
        ev.ParticipantMoved("other", "os1", by="other"),
        ev.ParticipantMoved("me", "os1", by="me"),
    ):
        fold(state, event, at=T0)
    return cmd.SubmitReport("os1", summary="Later buses on Fridays")


def _in_next_steps(state: SessionState) -> cmd.AnyCommand:
    fold(state, ev.PhaseAdded(NEXT_STEPS, len(state.phases)), at=T0)
    fold(state, ev.PhaseOpened("pa"), at=T0)
    return cmd.RecordAction("Ask the council about the 23:00 bus", owner_id="other")


REPORT_VALID: dict[str, Callable[[SessionState], cmd.AnyCommand]] = {
    "submit_report": _in_a_topic_group,
    "record_action": _in_next_steps,
}


def busy_report_steps(go: Callable[[str, cmd.AnyCommand], list[ev.AnyEvent]]) -> None:
    """Every report and next-step event, for the busy log of tests/test_fold.py.

    The people are those of that log: host, cellhost, scribe (t1), ana, ben, gus (remote).
    """
    phases = []
    for add in (
        cmd.AddPhase("Market", "Topics?", 600, "plenary", "topic"),
        cmd.AddPhase("Topics", "Report?", 600, "topics", "note"),
        cmd.AddPhase("Next steps", "Who does what?", 600, "plenary", "action, note"),
    ):
        (added,) = go("host", add)
        assert isinstance(added, ev.PhaseAdded)
        phases.append(added.phase.id)
    market, topics, next_steps = phases
    go("host", cmd.OpenPhase(market))
    (topic,) = go("gus", cmd.PostContribution("topic", "Night buses"))
    assert isinstance(topic, ev.ContributionPosted)
    (placed,) = go("host", cmd.PlaceTopic(topic.contribution_id, "14:00", "Online 3", "online"))
    assert isinstance(placed, ev.TopicPlaced)
    go("host", cmd.OpenPhase(topics))
    go("gus", cmd.ChooseGroup(placed.group.id))
    go("gus", cmd.SubmitReport(placed.group.id, summary="Later buses on Fridays"))
    go(
        "gus",
        cmd.SubmitReport(placed.group.id, summary="Later buses", requests="Data", base_version=1),
    )
    go("host", cmd.OpenPhase(next_steps))
    go("gus", cmd.RecordAction("Write to the bus company", owner="Town council", due="2026-12-31"))
