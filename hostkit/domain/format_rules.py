"""Decide the commands of the hosting formats: pairs and fours, talking piece, questions,
host-edited phases, call links, calling the host, Open Space topics, hats and the
order of the hands-up queue (café seating is ``table_rules``'s).

``rules.decide`` checks the caller's role against the matrix and hands these commands
here; the narrowing to a host's own venue or a table host's own group happens below.
"""

from __future__ import annotations

import msgspec

from hostkit.domain import commands as cmd
from hostkit.domain import events as ev
from hostkit.domain import seating, table_rules, talking_piece
from hostkit.domain.commands import MAX_TEXT, MAX_TIMER_S, MAX_TITLE
from hostkit.domain.dispatch import Handlers, by_participant, handler_table
from hostkit.domain.guards import (
    NO_GROUP,
    NOT_ALLOWED,
    Decision,
    governs_group,
    governs_participant,
    text_problem,
)
from hostkit.domain.model import (
    CELL_BOUND,
    CONTRIBUTION_KINDS,
    PLENARY,
    ContributionKind,
    Participant,
    SessionState,
)
from hostkit.domain.rejections import Rejection, reject

MAX_SLOT = 60
DEFAULT_KINDS: list[ContributionKind] = ["note", "question", "insight", "photo"]


def mark_answered(
    state: SessionState, actor: Participant, c: cmd.MarkAnswered, now: float
) -> Decision:
    found = state.contributions.get(c.contribution_id)
    if found is None or found.withdrawn or found.hidden or found.kind != "question":
        return reject("unknown_question", "There is no such question.")
    if not governs_group(state, actor, found.group_id):
        return reject("not_allowed", NOT_ALLOWED)
    return [ev.QuestionMarked(found.id, c.answer)]


def remove_phase(
    state: SessionState, actor: Participant, c: cmd.RemovePhase, now: float
) -> Decision:
    phase = state.phase(c.phase_id)
    if phase is None:
        return reject("unknown_phase", "There is no such phase.")
    if phase.status == "open":
        return reject("phase_open", "Close the phase before removing it.")
    if any(x.phase_id == phase.id for x in state.contributions.values()):
        return reject("phase_has_harvest", "This phase has contributions; it stays.")
    return [ev.PhaseRemoved(phase.id)]


def move_phase(state: SessionState, actor: Participant, c: cmd.MovePhase, now: float) -> Decision:
    if state.phase(c.phase_id) is None:
        return reject("unknown_phase", "There is no such phase.")
    if not 0 <= c.position < len(state.phases):
        return reject("invalid_value", "There is no such place in the list of phases.")
    return [ev.PhaseMoved(c.phase_id, c.position)]


def set_call_url(
    state: SessionState, actor: Participant, c: cmd.SetCallUrl, now: float
) -> Decision:
    if c.group_id not in state.groups:
        return reject("unknown_group", NO_GROUP)
    if not governs_group(state, actor, c.group_id):
        return reject("not_allowed", NOT_ALLOWED)
    if c.call_url is not None and (
        not c.call_url.startswith(("https://", "http://")) or len(c.call_url) > MAX_TEXT
    ):
        return reject("invalid_url", "A call link must start with https://.")
    return [ev.CallUrlSet(c.group_id, c.call_url)]


def call_host(state: SessionState, actor: Participant, c: cmd.CallHost, now: float) -> Decision:
    if len(c.text) > MAX_TITLE:
        return reject("text_too_long", f"Say it in at most {MAX_TITLE} characters.")
    if any(x.participant_id == actor.id and not x.resolved for x in state.calls):
        return reject("already_calling", "The host has your call and is on the way.")
    call_id = f"call{state.last_seq + 1}"
    return [ev.HostCalled(call_id, actor.id, actor.group_id, c.text.strip())]


def resolve_call(
    state: SessionState, actor: Participant, c: cmd.ResolveCall, now: float
) -> Decision:
    call = next((x for x in state.calls if x.id == c.call_id), None)
    if call is None or call.resolved:
        return reject("unknown_call", "That call has already been answered.")
    if not governs_group(state, actor, call.group_id) and not (
        call.group_id is None
        and governs_participant(state, actor, state.participants[call.participant_id])
    ):
        return reject("not_allowed", NOT_ALLOWED)
    return [ev.CallResolved(call.id, actor.id)]


def set_hat(state: SessionState, actor: Participant, c: cmd.SetHat, now: float) -> Decision:
    other = state.participants.get(c.participant_id)
    if other is None or other.removed:
        return reject("unknown_participant", "There is no such participant.")
    if not governs_participant(state, actor, other):
        return reject("not_allowed", NOT_ALLOWED)
    if (c.hat in other.hats) == c.on:
        return reject("already_there", "Nothing to change.")
    return [ev.HatSet(other.id, c.hat, c.on)]


def move_hand(state: SessionState, actor: Participant, c: cmd.MoveHand, now: float) -> Decision:
    whose = state.participants.get(c.participant_id)
    queue = _queue_of(state, c.participant_id)
    if whose is None or queue is None:
        return reject("hand_not_raised", "That hand is not raised.")
    if not governs_group(state, actor, whose.group_id):
        return reject("not_allowed", NOT_ALLOWED)
    if not 0 <= c.position < len(queue):
        return reject("invalid_value", "There is no such place in the queue.")
    return [ev.HandMoved(whose.id, whose.group_id, c.position)]


def sort_hands(state: SessionState, actor: Participant, c: cmd.SortHands, now: float) -> Decision:
    if c.group_id is not None and c.group_id not in state.groups:
        return reject("unknown_group", NO_GROUP)
    if not governs_group(state, actor, c.group_id):
        return reject("not_allowed", NOT_ALLOWED)
    hands = [h.participant_id for h in state.hands.get(c.group_id or PLENARY, [])]
    room = [p for p in hands if state.participants[p].where == "room"]
    remote = [p for p in hands if state.participants[p].where == "remote"]
    order = talking_piece.interleave(room, remote, room_first=c.first == "room")
    return [ev.HandsSorted(c.group_id, order)]


def _queue_of(state: SessionState, participant_id: str) -> list[str] | None:
    for queue in state.hands.values():
        ids = [h.participant_id for h in queue]
        if participant_id in ids:
            return ids
    return None


# --- 1-2-4-All --------------------------------------------------------------------


def form_groups(state: SessionState, actor: Participant, c: cmd.FormGroups, now: float) -> Decision:
    if c.size not in (2, 4):
        return reject("invalid_value", "Form pairs (2) or fours (4).")
    people = [(p.id, p.cell_id) for p in table_rules.seated(state)]
    if len(people) < 2:
        return reject("too_few_people", "Pairs need at least two people.")
    keep: list[list[str]] = []
    if c.size == 4:  # fours join whole pairs: the current groups of two or three
        members: dict[str, list[str]] = {}
        for person, _ in people:
            group_id = state.participants[person].group_id
            if group_id is not None:
                members.setdefault(group_id, []).append(person)
        keep = [m for m in members.values() if len(m) in (2, 3)]
    groups = seating.form_groups(people, size=c.size, seed=c.seed, keep=keep)
    word = "Pair" if c.size == 2 else "Four"
    specs: list[ev.GroupSpec] = []
    seats: dict[str, str] = {}
    for n, members_ in enumerate(groups, 1):
        cell_id = state.participants[members_[0]].cell_id
        spec = ev.GroupSpec(f"g{state.last_seq + 1}-{n}", f"{word} {n}", cell_id)
        specs.append(spec)
        seats.update({p: spec.id for p in members_})
    return [ev.GroupsFormed(specs, seats)]


# --- talking piece -----------------------------------------------------------------


def _circle(state: SessionState, group_id: str | None) -> list[Participant]:
    return [
        p
        for p in state.participants.values()
        if p.group_id == group_id and not p.removed and not p.screen and p.role != "observer"
    ]


def speaking_order(
    state: SessionState, actor: Participant, c: cmd.SetSpeakingOrder, now: float
) -> Decision:
    if c.group_id is not None and c.group_id not in state.groups:
        return reject("unknown_group", NO_GROUP)
    if not governs_group(state, actor, c.group_id):
        return reject("not_allowed", NOT_ALLOWED)
    if c.turn_s is not None and not 0 < c.turn_s <= MAX_TIMER_S:
        return reject("invalid_value", "A turn lasts between 1 second and 24 hours.")
    people = _circle(state, c.group_id)
    if c.order is None:
        order = talking_piece.speaking_order(
            [(p.id, p.where == "remote") for p in people], room_first=c.room_first
        )
    else:
        order = list(c.order)
        if len(set(order)) != len(order) or set(order) != {p.id for p in people}:
            return reject("order_incomplete", "The speaking order must name everyone once.")
    if not order:
        return reject("too_few_people", "Nobody is in this circle yet.")
    return [ev.SpeakingOrderSet(c.group_id, order, c.turn_s)]


def pass_piece(
    state: SessionState, actor: Participant, c: cmd.PassTalkingPiece, now: float
) -> Decision:
    piece = state.talking.get(c.group_id or PLENARY)
    if piece is None or piece.holder is None:
        return reject("no_talking_piece", "The talking piece is not going round.")
    if piece.holder != actor.id and not governs_group(state, actor, c.group_id):
        return reject("not_holder", "Only the person holding the talking piece can pass it.")
    gone = {  # removed, or gone to another group: the piece skips them
        p.id for p in state.participants.values() if p.removed or p.group_id != c.group_id
    }
    after = talking_piece.next_holder(piece.order, piece.holder, gone=gone)
    return [ev.TalkingPieceMoved(c.group_id, after, piece.holder if c.passed else None)]


# --- phases ------------------------------------------------------------------------


def _kinds(allows: list[ContributionKind] | str) -> list[ContributionKind] | Rejection:
    if isinstance(allows, list):
        return list(dict.fromkeys(allows))
    kinds: list[ContributionKind] = []
    for word in allows.replace(",", " ").split():
        kind = next((k for k in CONTRIBUTION_KINDS if k == word.strip().lower()), None)
        if kind is None:
            return reject("invalid_value", f"'{word[:20]}' is not a kind of contribution.")
        if kind not in kinds:
            kinds.append(kind)
    return kinds


def phase(
    state: SessionState, actor: Participant, c: cmd.AddPhase | cmd.EditPhase, now: float
) -> Decision:
    """A phase added, or one edited: what is not given keeps its value (or the default)."""
    old = state.phase(c.phase_id) if isinstance(c, cmd.EditPhase) else None
    if isinstance(c, cmd.EditPhase) and old is None:
        return reject("unknown_phase", "There is no such phase.")
    title = c.title if c.title is not None else old.title if old else ""
    question = c.question if c.question is not None else old.question if old else ""
    duration = c.duration_s if c.duration_s is not None else old.duration_s if old else 0
    grouping = c.grouping if c.grouping is not None else old.grouping if old else "plenary"
    allows: list[ContributionKind] | Rejection = (
        _kinds(c.allows) if c.allows is not None else list(old.allows if old else DEFAULT_KINDS)
    )
    if isinstance(allows, Rejection):
        return allows
    if (problem := text_problem(title, limit=MAX_TITLE, what="Title")) is not None:
        return problem
    if (problem := text_problem(question, what="Question")) is not None:
        return problem
    if not 0 < duration <= MAX_TIMER_S:
        return reject("invalid_value", "A phase lasts between 1 second and 24 hours.")
    if old is not None:
        spec = ev.PhaseSpec(
            old.id, title.strip(), question.strip(), duration, grouping, allows, old.attribution
        )
        return [ev.PhaseEdited(spec)]
    assert isinstance(c, cmd.AddPhase)
    position = len(state.phases) if c.position is None else c.position
    if not 0 <= position <= len(state.phases):
        return reject("invalid_value", "There is no such place in the list of phases.")
    phase_id = f"ph{state.last_seq + 1}"
    spec = ev.PhaseSpec(phase_id, title.strip(), question.strip(), duration, grouping, allows)
    return [ev.PhaseAdded(spec, position)]


# --- Open Space --------------------------------------------------------------------


def place_topic(state: SessionState, actor: Participant, c: cmd.PlaceTopic, now: float) -> Decision:
    topic = state.contributions.get(c.contribution_id)
    if topic is None or topic.withdrawn or topic.hidden or topic.kind != "topic":
        return reject("unknown_topic", "There is no such topic.")
    slot, space = c.slot.strip(), c.space.strip()
    if not slot or not space or len(slot) > MAX_SLOT or len(space) > MAX_SLOT:
        return reject(
            "invalid_value", f"Name the time and the space, {MAX_SLOT} characters at most."
        )
    placed = next((g for g in state.groups.values() if g.topic_id == topic.id), None)
    cell_id = c.cell_id or (placed.cell_id if placed else actor.cell_id)
    if cell_id not in state.cells:
        return reject("unknown_cell", "There is no such venue in this session.")
    if actor.role in CELL_BOUND and cell_id != actor.cell_id:
        return reject("not_allowed", NOT_ALLOWED)
    taken = next(
        (
            g
            for g in state.groups.values()
            if g.topic_id not in (None, topic.id)
            and (g.slot, g.space, g.cell_id) == (slot, space, cell_id)
        ),
        None,
    )
    if taken is not None:
        return reject("slot_taken", f"{space} at {slot} already has '{taken.name}'.")
    name = topic.text.strip().splitlines()[0][:MAX_TITLE]
    group_id = placed.id if placed else f"g{state.last_seq + 1}"
    remote = state.cells[cell_id].kind == "venue" and placed is not None and placed.remote_seats
    spec = ev.GroupSpec(
        group_id,
        name,
        cell_id,
        remote,
        placed.call_url if placed else None,
        topic.id,
        slot,
        space,
    )
    return [ev.TopicPlaced(spec)]


def _names(names: list[str] | str) -> list[str]:
    listed = names if isinstance(names, list) else names.split(",")
    return list(dict.fromkeys(n.strip() for n in listed if n.strip()))


def place_topics(
    state: SessionState, actor: Participant, c: cmd.PlaceTopics, now: float
) -> Decision:
    """Topics in the order proposed go to free cells slot by slot, space by space."""
    slots, spaces = _names(c.slots), _names(c.spaces)
    if not slots or not spaces or any(len(n) > MAX_SLOT for n in slots + spaces):
        return reject(
            "invalid_value", f"Name the times and the spaces, {MAX_SLOT} characters at most."
        )
    cell_id = c.cell_id or actor.cell_id
    groups = [*state.groups.values(), *state.closed_groups.values()]  # merged topics stay placed
    placed = {g.topic_id for g in groups if g.topic_id is not None}
    waiting = [
        t
        for t in sorted(state.contributions.values(), key=lambda t: t.seq)
        if t.kind == "topic" and not t.withdrawn and not t.hidden and t.id not in placed
    ]
    if not waiting:
        return reject("unknown_topic", "Every topic already has a place.")
    taken = {(g.slot, g.space, g.cell_id) for g in state.groups.values() if g.topic_id}
    free = [(s, p) for s in slots for p in spaces if (s, p, cell_id) not in taken]
    events: list[ev.AnyEvent] = []
    for topic, (slot, space) in zip(waiting, free, strict=False):
        place = place_topic(state, actor, cmd.PlaceTopic(topic.id, slot, space, cell_id), now)
        if isinstance(place, Rejection):
            return place
        (event,) = place
        assert isinstance(event, ev.TopicPlaced)
        # one decision, several new groups: each id is made unique by its topic
        group = msgspec.structs.replace(event.group, id=f"g{state.last_seq + 1}-{topic.id}")
        events.append(ev.TopicPlaced(group))
    if not events:
        return reject("slot_taken", "Every slot and space is taken: add times or spaces.")
    return events


HANDLERS: Handlers = handler_table(
    by_participant(cmd.FormGroups, form_groups),
    by_participant(cmd.SetSpeakingOrder, speaking_order),
    by_participant(cmd.PassTalkingPiece, pass_piece),
    by_participant(cmd.MarkAnswered, mark_answered),
    by_participant(cmd.AddPhase, phase),
    by_participant(cmd.EditPhase, phase),
    by_participant(cmd.RemovePhase, remove_phase),
    by_participant(cmd.MovePhase, move_phase),
    by_participant(cmd.SetCallUrl, set_call_url),
    by_participant(cmd.CallHost, call_host),
    by_participant(cmd.ResolveCall, resolve_call),
    by_participant(cmd.PlaceTopic, place_topic),
    by_participant(cmd.PlaceTopics, place_topics),
    by_participant(cmd.SetHat, set_hat),
    by_participant(cmd.MoveHand, move_hand),
    by_participant(cmd.SortHands, sort_hands),
)
