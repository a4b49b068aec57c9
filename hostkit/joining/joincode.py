"""Short codes that people read off a projector or hear read aloud, and type on a phone.

The alphabet leaves out every character that is easily mistaken for another in
common fonts or handwriting, dropping *both* sides of each pair:

    0/O (zero, oh), 1/I/L (one, eye, ell), 5/S, 2/Z, 8/B, U/V

What is left is 23 characters, so a 6-character code has 23**6 (about 148 million)
values: plenty to keep the codes of live sessions apart, but not a secret by itself;
joining still needs whatever else the server asks for (and rate limits).

Because both sides of each pair are gone, a typed look-alike cannot be mapped to the
"intended" character: there is no intended one. ``normalise_join_code`` therefore
rejects such input rather than guessing, and the caller can say "check the code".
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
"""Characters a join code is made of; see the module docstring for what is left out."""

JOIN_CODE_LENGTH = 6

_ALLOWED = frozenset(ALPHABET)

# Separators people and phone keyboards put into codes: "ABC-DEF", "ABC DEF", and the
# en dash or minus sign that autocorrect turns a hyphen into.
_EXTRA_SEPARATORS = frozenset("\u2212")

# Well above any sensible way of typing six characters; stops work on pasted junk.
_MAX_INPUT_LENGTH = 64


def new_join_code() -> str:
    """Return a fresh random code; the caller checks it is not already in use."""
    return "".join(secrets.choice(ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(text: str) -> str | None:
    """Return the canonical form of a typed code, or None if it cannot be one.

    Accepts lower case, spaces, dashes (including the en dash autocorrect makes of a
    hyphen) and the full-width letters some phone keyboards type, so "acd-efg" and
    " ACD EFG " both give "ACDEFG".
    """
    if len(text) > _MAX_INPUT_LENGTH:
        return None
    folded = unicodedata.normalize("NFKC", text).upper()
    kept = [ch for ch in folded if not _is_separator(ch)]
    if len(kept) != JOIN_CODE_LENGTH or not _ALLOWED.issuperset(kept):
        return None
    return "".join(kept)


def _is_separator(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Pd" or ch in _EXTRA_SEPARATORS
