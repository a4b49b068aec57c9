"""Join codes: what people read off the projector and type on their phones."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hostkit.joining.joincode import ALPHABET, new_join_code, normalise_join_code

LOOK_ALIKES = "0O1IL5S2Z8BUV"


def test_alphabet_has_no_look_alike_characters_and_no_repeats() -> None:
    assert not set(ALPHABET) & set(LOOK_ALIKES)
    assert len(set(ALPHABET)) == len(ALPHABET)
    assert ALPHABET == ALPHABET.upper()


def test_new_join_code_is_six_characters_from_the_alphabet() -> None:
    code = new_join_code()
    assert len(code) == 6
    assert set(code) <= set(ALPHABET)


def test_a_thousand_new_codes_contain_no_look_alike_characters() -> None:
    codes = [new_join_code() for _ in range(1000)]
    assert all(len(code) == 6 for code in codes)
    used = set("".join(codes))
    assert not used & set(LOOK_ALIKES)
    # Random enough to reach the whole alphabet and not repeat itself.
    assert used == set(ALPHABET)
    assert len(set(codes)) > 990


def test_new_codes_normalise_to_themselves() -> None:
    for _ in range(100):
        code = new_join_code()
        assert normalise_join_code(code) == code


@pytest.mark.parametrize(
    "typed",
    [
        "ACDEFG",
        "acdefg",
        "AcD eFg",
        "acd-efg",
        "  acd - efg  ",
        "a c d e f g",
        "acd\u2013efg",  # en dash, as autocorrect makes of a hyphen
        "acd\u2212efg",  # minus sign
        "acd\u00a0efg",  # no-break space
        "\uff21\uff23\uff24\uff25\uff26\uff27",  # full-width letters
        "ACD\tEFG\n",
    ],
)
def test_normalise_accepts_case_spaces_and_dashes(typed: str) -> None:
    assert normalise_join_code(typed) == "ACDEFG"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "ACDEF",  # too short
        "ACDEFGH",  # too long
        "ACDEF0",  # look-alike: zero
        "ACDEFO",  # look-alike: letter O
        "ACDEF1",
        "ACDEFl",
        "ACDEFS",
        "ACDEFB",
        "ACD_EFG",  # underscore is not a separator
        "ACD.EFG",
        "ACDÉFG",
        "ACDEFG" + " " * 100,  # absurdly long paste
    ],
)
def test_normalise_rejects_what_cannot_be_a_code(typed: str) -> None:
    assert normalise_join_code(typed) is None


@given(st.text())
def test_normalise_returns_none_or_a_valid_code_for_any_text(text: str) -> None:
    result = normalise_join_code(text)
    assert result is None or (len(result) == 6 and set(result) <= set(ALPHABET))


@given(st.text(alphabet=ALPHABET + ALPHABET.lower(), min_size=6, max_size=6))
def test_normalise_is_idempotent_on_codes_typed_in_any_case(typed: str) -> None:
    once = normalise_join_code(typed)
    assert once == typed.upper()
    assert normalise_join_code(once) == once
