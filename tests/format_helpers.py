"""Valid format commands for the role matrix test (see tests/test_roles.py).

Each builder prepares the staged session (folding what the command needs) and returns
a command that is valid for 'me' at the hybrid table t1 whatever their role.
"""

from __future__ import annotations

from collections.abc import Callable

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain.model import SessionState
from tests.domain_helpers import T0, VENUE, fold


def _with(*events: ev.AnyEvent) -> Callable[[SessionState], None]:
    def prepare(state: SessionState) -> None:
        for event in events:
            fold(state, event, at=T0)

    return prepare


def _then(
    prepare: Callable[[SessionState], None], command: cmd.AnyCommand
) -> Callable[[SessionState], cmd.AnyCommand]:
    def build(state: SessionState) -> cmd.AnyCommand:
        prepare(state)
        return command

    return build


_THIRD = ev.ParticipantJoined("third", "Third", "room", "participant", VENUE, None, "n3")

FORMAT_VALID: dict[str, Callable[[SessionState], cmd.AnyCommand]] = {
    "propose_seating": lambda _: cmd.ProposeSeating(seed=1),
    "start_hall_round": lambda _: cmd.StartHallRound(VENUE),
    "adjust_seating": _then(
        _with(ev.SeatingProposed({"other": "t1"}, 0, 0)), cmd.AdjustSeating("other", "t2")
    ),
    "apply_seating": _then(_with(ev.SeatingProposed({"other": "t2"}, 0, 0)), cmd.ApplySeating()),
    "form_groups": _then(_with(_THIRD), cmd.FormGroups(2)),
    "set_speaking_order": lambda _: cmd.SetSpeakingOrder("t1"),
    "pass_talking_piece": _then(
        _with(ev.SpeakingOrderSet("t1", ["me", "other"])), cmd.PassTalkingPiece("t1")
    ),
    "mark_answered": _then(
        _with(ev.ContributionPosted("q", "question", "Why?", "other", "t1", "p2")),
        cmd.MarkAnswered("q"),
    ),
    "add_phase": lambda _: cmd.AddPhase("Tea break", "Tea or coffee?", 600),
    "edit_phase": lambda _: cmd.EditPhase("p3", title="Round two"),
    "remove_phase": lambda _: cmd.RemovePhase("p3"),
    "move_phase": lambda _: cmd.MovePhase("p3", 0),
    "set_call_url": lambda _: cmd.SetCallUrl("t1", "https://call.example/t1"),
    "call_host": lambda _: cmd.CallHost("We need pens"),
    "resolve_call": _then(
        _with(ev.HostCalled("call1", "other", "t1", "Help")), cmd.ResolveCall("call1")
    ),
    "place_topic": _then(
        _with(ev.ContributionPosted("topic", "topic", "Bus routes", "other", None, "p2")),
        cmd.PlaceTopic("topic", "10:00", "Garden room"),
    ),
    "place_topics": _then(
        _with(ev.ContributionPosted("topic", "topic", "Bus routes", "other", None, "p2")),
        cmd.PlaceTopics("10:00, 11:00", "Garden room"),
    ),
    "set_hat": lambda _: cmd.SetHat("other", "scribe"),
    "move_hand": lambda _: cmd.MoveHand("other", 0),
    "sort_hands": lambda _: cmd.SortHands("t1"),
}


def busy_format_steps(go: Callable[[str, cmd.AnyCommand], list[ev.AnyEvent]]) -> None:
    """Every format event, for the busy log of tests/test_fold.py (after round 1 closes).

    The people are those of that log: host, cellhost, scribe (t1), ana, ben, gus (remote).
    """
    go("host", cmd.ProposeSeating(seed=1))
    go("host", cmd.AdjustSeating("gus", "o1"))
    go("host", cmd.ApplySeating())
    go("cellhost", cmd.StartHallRound(VENUE))  # and one more round in the hall alone
    go("host", cmd.SetSpeakingOrder(None, turn_s=60))
    go("host", cmd.PassTalkingPiece(None, passed=True))
    (added,) = go(
        "host",
        cmd.AddPhase("Marketplace", "What will you convene?", 600, "plenary", "topic, question"),
    )
    assert isinstance(added, ev.PhaseAdded)
    market = added.phase.id
    go("host", cmd.EditPhase(market, duration_s=900))
    go("host", cmd.MovePhase(market, 0))
    (extra,) = go("host", cmd.AddPhase("Spare", "Spare?", 60))
    assert isinstance(extra, ev.PhaseAdded)
    go("host", cmd.RemovePhase(extra.phase.id))
    go("host", cmd.OpenPhase(market))
    (topic,) = go("gus", cmd.PostContribution("topic", "Late buses home"))
    (question,) = go("gus", cmd.PostContribution("question", "Who runs the buses?"))
    assert isinstance(topic, ev.ContributionPosted) and isinstance(question, ev.ContributionPosted)
    go("host", cmd.MarkAnswered(question.contribution_id, "answering"))
    go("host", cmd.PlaceTopic(topic.contribution_id, "10:00", "Online 1", cell_id="online"))
    go("gus", cmd.PostContribution("topic", "Parking"))
    go("host", cmd.PlaceTopics(["10:00", "11:00"], ["Online 1"], cell_id="online"))
    go("host", cmd.SetCallUrl("t2", "https://call.example/t2"))
    (called,) = go("gus", cmd.CallHost("Can't hear the hall"))
    assert isinstance(called, ev.HostCalled)
    go("host", cmd.ResolveCall(called.call_id))
    go("host", cmd.SetHat("gus", "bridge"))
    go("host", cmd.FormGroups(2))
    go("gus", cmd.RaiseHand())
    go("host", cmd.MoveHand("gus", 0))
    go("host", cmd.SortHands(None, "remote"))
