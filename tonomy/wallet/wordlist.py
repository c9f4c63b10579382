"""The passphrase word list shipped with the package (``words.txt``, 2048 words).

The list is Tonomy's own: simple lowercase English words of 3 to 8 letters
(a-z only, so NFKD normalisation leaves them unchanged), one per line, sorted.
Exactly 2048 words means every word carries exactly 11 bits. The list is part of
the passphrase format: changing it would make old passphrases unreadable, so it is
checked on load (size, order, alphabet) and its digest is pinned by the tests.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from importlib import resources

WORD_COUNT = 2048
BITS_PER_WORD = math.log2(WORD_COUNT)  # 11.0
_WORD = re.compile(r"[a-z]{3,8}")


@lru_cache(maxsize=1)
def words() -> tuple[str, ...]:
    """The word list, in order; raises RuntimeError if the shipped file is damaged."""
    text = resources.files(__package__).joinpath("words.txt").read_text(encoding="ascii")
    loaded = tuple(text.split())
    if len(loaded) != WORD_COUNT or len(set(loaded)) != WORD_COUNT:
        raise RuntimeError(f"the wallet word list must hold {WORD_COUNT} distinct words, found {len(set(loaded))}")
    if list(loaded) != sorted(loaded) or not all(_WORD.fullmatch(w) for w in loaded):
        raise RuntimeError("the wallet word list must be sorted words of 3 to 8 letters a-z")
    return loaded


@lru_cache(maxsize=1)
def word_set() -> frozenset[str]:
    return frozenset(words())
