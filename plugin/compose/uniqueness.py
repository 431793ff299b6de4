"""How alike two notes are, measured on word trigrams with the people's names taken out.

Two interviewers at the same company may compare notes; a note that differs from another
only by the greeting's name reads as a form letter. The product rule is that no two notes
to the same company share more than half of their word trigrams once names are removed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

Trigram = tuple[str, str, str]

UNIQUE_LIMIT = 0.5  # the most overlap two notes to one company may have

_NON_WORD = re.compile(r"[^\w]+")


def words(text: str) -> list[str]:
    """Lower-case words with punctuation stripped ("I'm" -> "im", "—" -> nothing)."""
    out: list[str] = []
    for token in text.lower().split():
        word = _NON_WORD.sub("", token).replace("_", "")
        if word:
            out.append(word)
    return out


def name_tokens(names: Iterable[str]) -> frozenset[str]:
    """Every word of every name (or signature line), normalised like the note's words."""
    tokens: set[str] = set()
    for name in names:
        tokens.update(words(name))
    return frozenset(tokens)


def trigrams(text: str, names: Iterable[str]) -> set[Trigram]:
    """Word trigrams of `text` after removing every token of `names`.

    Names are removed before the trigrams are formed, so "Hi Maria, thank you" and
    "Hi Bob, thank you" give the same trigrams.
    """
    drop = name_tokens(names)
    kept = [w for w in words(text) if w not in drop]
    return {(kept[i], kept[i + 1], kept[i + 2]) for i in range(len(kept) - 2)}


def overlap_sets(a: set[Trigram], b: set[Trigram]) -> float:
    """|A ∩ B| / min(|A|, |B|); 0.0 when either set is empty."""
    smaller = min(len(a), len(b))
    if smaller == 0:
        return 0.0
    return len(a & b) / smaller


def overlap(a: str, b: str, names: Iterable[str]) -> float:
    """Share of word trigrams two notes have in common, names removed.

    Defined as |A ∩ B| / min(|A|, |B|), where A and B are the trigram sets of `a` and `b`:
    dividing by the smaller set is the strict reading of "share more than half of their
    word trigrams" (a short note copied into a long one still counts as 1.0). It is 0.0
    when either note has no trigram at all.
    """
    names = tuple(names)
    return overlap_sets(trigrams(a, names), trigrams(b, names))


def max_overlap(text: str, others: Iterable[str], names: Iterable[str]) -> float:
    """The highest `overlap` of `text` with any of `others` (0.0 when there are none)."""
    names = tuple(names)
    mine = trigrams(text, names)
    return max((overlap_sets(mine, trigrams(o, names)) for o in others), default=0.0)
