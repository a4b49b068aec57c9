"""The talking piece: an order that interleaves room and remote, and who holds it next."""

from __future__ import annotations

from hostkit.domain.talking_piece import interleave, next_holder, speaking_order


def test_room_and_remote_people_alternate_and_everyone_is_included() -> None:
    people = [("ana", False), ("bo", False), ("cy", False), ("dai", True), ("eve", True)]
    assert speaking_order(people) == ["ana", "dai", "bo", "eve", "cy"]


def test_the_host_can_let_the_remote_side_speak_first() -> None:
    assert interleave(["ana", "bo"], ["dai"], room_first=False) == ["dai", "ana", "bo"]


def test_a_circle_of_only_remote_people_keeps_their_order() -> None:
    assert speaking_order([("dai", True), ("eve", True)]) == ["dai", "eve"]


def test_the_piece_moves_to_the_next_person_and_skips_people_who_left() -> None:
    order = ["ana", "dai", "bo", "eve"]
    assert next_holder(order, None) == "ana"
    assert next_holder(order, "ana") == "dai"
    assert next_holder(order, "dai", gone={"bo"}) == "eve"


def test_after_the_last_person_the_round_is_complete() -> None:
    assert next_holder(["ana", "dai"], "dai") is None
    assert next_holder([], None) is None
